from functools import partial
from typing import Optional

import typer

from botsdk.cli.cluster import checked_cluster, cluster_option
from botsdk.cli.errors import fail, print_json, require_writable_dir

MAX_DISTURBANCE = 0.2  # past this, most of a recording is disturbance and little of it is people's own choices


def register(app: typer.Typer) -> None:
    @app.command("record")
    def record(
        map_name: str = typer.Option("duel", "--map", help="Arena map name or path."),
        styles: str = typer.Option("rusher,holder,explorer,objective", "--styles",
                                   help="Comma-separated demonstrator styles, assigned to agents in rotation."),
        episodes: int = typer.Option(8, "--episodes", help="Agent-episodes to record (each match yields 2 x team size)."),
        workers: int = typer.Option(1, "--workers", help="Recorder processes writing the same dataset."),
        out: str = typer.Option(..., "--out", help="Dataset directory (created, or appended to)."),
        seed: int = typer.Option(0, "--seed", help="Seed of the whole recording; match m plays seed (seed, m)."),
        team_size: int = typer.Option(2, "--team-size", help="Agents per team."),
        max_steps: int = typer.Option(480, "--max-steps", help="Decision steps per match at most."),
        players_per_style: int = typer.Option(3, "--players-per-style", help="Distinct player ids per style."),
        disturbance: float = typer.Option(
            0.0, "--disturbance", help="Chance a disturbance starts on a step: a few steps of keys the player did not "
            "choose, kept as history and left out of training, so a model learns how people recover (e.g. 0.05)."),
        as_json: bool = typer.Option(False, "--json", help="Print the totals as JSON."),
        cluster: Optional[str] = cluster_option(),
    ) -> None:
        """Record scripted demonstrators into a Minari dataset.

        Running the same command again continues it: only the episodes still missing are recorded. Ctrl-C keeps
        every finished match, discards unfinished ones and exits 130."""
        from botsdk.arena.demonstrators import DEMONSTRATOR_STYLES

        style_list = tuple(s.strip() for s in styles.split(",") if s.strip())
        unknown = [s for s in style_list if s not in DEMONSTRATOR_STYLES]
        if not style_list or unknown:
            fail(f"--styles: expected names from {', '.join(DEMONSTRATOR_STYLES)}, got {styles!r}")
        for name, value, low in (("--episodes", episodes, 1), ("--workers", workers, 1), ("--team-size", team_size, 1),
                                 ("--max-steps", max_steps, 1), ("--players-per-style", players_per_style, 1)):
            if value < low:
                fail(f"{name}: expected an integer >= {low}, got {value}")
        if not 0.0 <= disturbance <= MAX_DISTURBANCE:
            fail(f"--disturbance: expected a chance per step in [0, {MAX_DISTURBANCE}], got {disturbance}")
        from botsdk.arena import MapError, load_map

        try:
            load_map(map_name)
        except (MapError, FileNotFoundError, ValueError) as exc:
            fail(f"--map: {exc}")
        require_writable_dir(out, "--out")
        from botsdk.arena.recording import RecordPlan
        from botsdk.arena.recording import record as run_record

        plan = RecordPlan(map_name, style_list, episodes, out, seed, team_size, max_steps, players_per_style,
                          disturbance=disturbance)
        totals = _run_with_progress(plan, workers, quiet=as_json,
                                    record_fn=partial(run_record, cluster=checked_cluster(cluster)))
        if as_json:
            print_json({"out": out, **totals})
        elif totals["already_recorded"] >= episodes:
            typer.echo(f"{out} already holds all {episodes} episodes of this run; use another --seed to record more")
        else:
            earlier = totals["already_recorded"]
            typer.echo(f"recorded {totals['episodes']} episodes ({totals['steps']} steps, {totals['matches']} matches) "
                       f"into {out}" + (f"; {earlier} were already there from an earlier run" if earlier else ""))


def _run_with_progress(plan, workers: int, quiet: bool, record_fn):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("recording"), BarColumn(), MofNCompleteColumn(), TextColumn("episodes"),
                  TimeElapsedColumn(), disable=quiet, transient=False) as progress:
        task = progress.add_task("record", total=plan.episodes)
        return record_fn(plan, workers, on_match=lambda eps, steps: progress.advance(task, eps),
                         on_start=lambda already: progress.update(task, completed=already))
