import typer

from botsdk.cli.errors import fail


def register(app: typer.Typer) -> None:
    @app.command("play")
    def play(
        map_name: str = typer.Option("crossroads", "--map", help="A built-in map name or a map .json path."),
        team_size: int = typer.Option(2, "--team-size", help="Agents per team, 1 to 4."),
        opponents: str = typer.Option("objective", "--opponents", help="Style of the scripted opponents."),
        teammates: str = typer.Option("objective", "--teammates", help="Style of the scripted teammates."),
        episodes: int = typer.Option(1, "--episodes", help="Rounds to play."),
        seed: int = typer.Option(0, "--seed", help="Seed of the first round (then seed + 1, ...)."),
        max_steps: int = typer.Option(480, "--max-steps", help="Decision steps per round (16 per second)."),
        record: str = typer.Option(None, "--record", help="Dataset directory: record your rounds into it."),
        player_id: str = typer.Option("human-00", "--player-id", help="Your player id in the recorded data."),
        style: str = typer.Option("human", "--style", help="Style label for your recorded rounds."),
    ) -> None:
        """Play the arena yourself: WASD to move, mouse to aim, click to fire, E to interact, Esc to quit."""
        from botsdk.arena import list_maps
        from botsdk.arena.demonstrators import DEMONSTRATOR_STYLES

        if not map_name.endswith(".json") and map_name not in list_maps():
            fail(f"--map: expected one of {', '.join(list_maps())} or a .json path, got {map_name!r}")
        for flag, value in (("--opponents", opponents), ("--teammates", teammates)):
            if value not in DEMONSTRATOR_STYLES:
                fail(f"{flag}: expected one of {', '.join(DEMONSTRATOR_STYLES)}, got {value!r}")
        if not 1 <= team_size <= 4:
            fail(f"--team-size: expected 1 to 4, got {team_size}")
        if episodes < 1 or max_steps < 1:
            fail(f"--episodes and --max-steps: expected positive integers, got {episodes} and {max_steps}")
        from botsdk.arena.play import play_human

        results = play_human(map_name, team_size, opponents, teammates, episodes, seed, max_steps, record,
                             player_id, style)
        for r in results:
            typer.echo(f"round seed={r['seed']} steps={r['steps']} winner={r['winner']}"
                       + (f" recorded episode {r['episode_id']}" if r.get("episode_id") is not None else ""))
