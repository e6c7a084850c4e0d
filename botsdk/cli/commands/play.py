from pathlib import Path

import typer

from botsdk.cli.errors import fail, require_writable_dir


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
        spectate: bool = typer.Option(False, "--spectate", help="The designer studio: watch bots, steer their styles."),
        policy: Path = typer.Option(None, "--policy", help="The ONNX policy the studio's bots play."),
        remote: str = typer.Option(None, "--remote", help="HOST:PORT of `botsdk serve`: bots act over the bridge."),
        token_file: Path = typer.Option(None, "--token-file", help="Bearer token for --remote."),
        frames: int = typer.Option(None, "--frames", help="Studio: stop after this many frames (scripted runs)."),
    ) -> None:
        """Play the arena, watch and steer bots, or play over gRPC.

        Yourself: WASD to move, mouse to aim, click to fire, E to interact. --spectate: the designer studio.
        --remote HOST:PORT: every agent acts through `botsdk serve`."""
        _check_common(map_name, team_size, episodes, max_steps)
        _require_display("--spectate" if spectate else "--remote" if remote else "play")
        if record is not None:
            require_writable_dir(record, "--record")
        if spectate:
            _studio(policy, map_name, team_size, seed, record, frames)
        elif remote:
            _remote(remote, token_file, map_name, team_size, episodes, seed, max_steps)
        else:
            _human(map_name, team_size, opponents, teammates, episodes, seed, max_steps, record, player_id, style)


def _check_common(map_name: str, team_size: int, episodes: int, max_steps: int) -> None:
    from botsdk.arena import list_maps

    if not map_name.endswith(".json") and map_name not in list_maps():
        fail(f"--map: expected one of {', '.join(list_maps())} or a .json path, got {map_name!r}")
    if not 1 <= team_size <= 4:
        fail(f"--team-size: expected 1 to 4, got {team_size}")
    if episodes < 1 or max_steps < 1:
        fail(f"--episodes and --max-steps: expected positive integers, got {episodes} and {max_steps}")


def _require_display(what: str) -> None:
    """A window needs a display: refuse up front (exit 2) instead of failing inside pygame."""
    import os
    import sys

    driver = os.environ.get("SDL_VIDEODRIVER", "")
    if driver or not sys.platform.startswith("linux"):
        return  # an explicit driver (dummy runs headless) or a platform whose SDL finds its own display
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        fail(f"{what}: no display to open a window on (DISPLAY and WAYLAND_DISPLAY are unset); run it in a desktop "
             "session, or set SDL_VIDEODRIVER=dummy to run without a window")


def _studio(policy: Path | None, map_name: str, team_size: int, seed: int, record: str | None,
            frames: int | None) -> None:
    if policy is None:
        fail("--spectate: expected --policy model.onnx (the bots the studio shows), got none")
    if not policy.exists():
        fail(f"--policy: expected an existing .onnx file, got {policy}")
    from botsdk.studio import run_studio

    run_studio(str(policy), map_name=map_name, team_size=team_size, seed=seed, record_dir=record, max_frames=frames)


def _remote(target: str, token_file: Path | None, map_name: str, team_size: int, episodes: int, seed: int,
            max_steps: int) -> None:
    import os

    import grpc

    from botsdk.game_bridge.remote_play import play_remote

    token = token_file.read_text(encoding="utf-8").strip() if token_file else None
    render = None if os.environ.get("SDL_VIDEODRIVER") == "dummy" else "human"
    for episode in range(episodes):
        try:
            match = play_remote(target, map_name, seed + episode, token=token, team_size=team_size,
                                max_steps=max_steps, render_mode=render, timeout=30.0)
        except grpc.RpcError as exc:
            fail(f"--remote {target}: the bridge answered {exc.code().name}: {exc.details()}")
        typer.echo(f"round seed={seed + episode} steps={match.steps} model={match.model_version} "
                   f"tick p50={match.tick_ms_p50:.3f} ms")


def _human(map_name: str, team_size: int, opponents: str, teammates: str, episodes: int, seed: int, max_steps: int,
           record: str | None, player_id: str, style: str) -> None:
    from botsdk.arena.demonstrators import DEMONSTRATOR_STYLES

    for flag, value in (("--opponents", opponents), ("--teammates", teammates)):
        if value not in DEMONSTRATOR_STYLES:
            fail(f"{flag}: expected one of {', '.join(DEMONSTRATOR_STYLES)}, got {value!r}")
    from botsdk.arena.play import play_human

    results = play_human(map_name, team_size, opponents, teammates, episodes, seed, max_steps, record,
                         player_id, style)
    for r in results:
        typer.echo(f"round seed={r['seed']} steps={r['steps']} winner={r['winner']}"
                   + (f" recorded episode {r['episode_id']}" if r.get("episode_id") is not None else ""))
