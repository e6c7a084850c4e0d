"""`botsdk playtest`: persona bots play a map in parallel; findings, coverage and a CI exit code come back."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from botsdk.cli.cluster import checked_cluster, cluster_option
from botsdk.cli.errors import Interrupted, fail, fail_naming, require_writable_dir, require_writable_file

from botsdk.playtest.budget import DEFAULT_EPISODES, DEFAULT_MAX_STEPS, DEFAULT_PERSONAS, DEFAULT_WORKERS

CHECKS = ("stuck", "out_of_bounds", "unreachable", "exception")


def _split(text: str, option: str) -> tuple[str, ...]:
    items = tuple(x.strip() for x in text.split(",") if x.strip())
    if not items:
        fail(f"{option}: expected a comma-separated list, got {text!r}")
    return items


def _adapter(map_name: Optional[str], hook: Optional[str], policy: Optional[Path]):
    if (map_name is None) == (hook is None):
        fail(f"expected exactly one of --map NAME or --hook MODULE:FUNCTION, got map={map_name!r} hook={hook!r}")
    if hook is not None:
        from botsdk.playtest.hooks import load_hook

        try:
            return load_hook(hook)
        except (ImportError, AttributeError, ValueError, TypeError) as exc:
            fail(f"--hook {hook}: {exc}")
    from botsdk.arena.maps import MapError, list_maps
    from botsdk.playtest.arena import ArenaPlaytest

    if policy is not None:
        from botsdk.playtest.policy import check_policy

        if not policy.is_file():
            fail(f"--policy: expected an .onnx model file, got {str(policy)!r} (no such file)")
        try:
            check_policy(str(policy))
        except Exception as exc:  # noqa: BLE001 - a bad model is bad input, whatever layer notices it
            fail_naming(policy, exc)
    try:
        return ArenaPlaytest(map_name, policy=None if policy is None else str(policy))
    except FileNotFoundError:
        fail(f"unknown map {map_name!r}; expected one of {', '.join(list_maps())} or a path to a map .json file")
    except MapError as exc:
        fail(str(exc))


def register(app: typer.Typer) -> None:
    @app.command("playtest")
    def playtest(
        map_name: Optional[str] = typer.Option(None, "--map", help="An arena map name (see the arena) or map .json."),
        personas: str = typer.Option(",".join(DEFAULT_PERSONAS), "--personas", help="Comma-separated persona bots."),
        episodes: int = typer.Option(DEFAULT_EPISODES, "--episodes", min=1, help="Episodes per persona."),
        max_steps: int = typer.Option(DEFAULT_MAX_STEPS, "--max-steps", min=1, help="Step budget per episode."),
        workers: int = typer.Option(DEFAULT_WORKERS, "--workers", min=1, help="Parallel worker processes."),
        out: Path = typer.Option(Path("playtest-report"), "--out", help="Directory for report.html and JSON."),
        policy: Optional[Path] = typer.Option(None, "--policy", help="A trained .onnx policy to play the personas."),
        junit: Optional[Path] = typer.Option(None, "--junit", help="JUnit XML path (default OUT/junit.xml)."),
        fail_on: str = typer.Option(",".join(CHECKS), "--fail-on", help="Checks whose findings exit 1."),
        seed: int = typer.Option(0, "--seed", help="First episode seed; episode i uses seed + i."),
        hook: Optional[str] = typer.Option(None, "--hook", help="MODULE:FUNCTION returning a PlaytestAdapter "
                                           "(any Gymnasium/PettingZoo env; see botsdk.playtest.hooks)."),
        quiet: bool = typer.Option(False, "--quiet", help="No progress bar."),
        cluster: Optional[str] = cluster_option(),
    ) -> None:
        """Playtest a map with persona bots; gate CI on findings.

        Stuck, out-of-bounds, unreachable and crash findings with positions and seeds, coverage, golden path;
        HTML + JSON + JUnit. Exit 1 if a --fail-on check has findings."""
        gates = _split(fail_on, "--fail-on")
        unknown = [c for c in gates if c not in CHECKS]
        if unknown:
            fail(f"--fail-on: unknown check {unknown[0]!r}; expected some of {', '.join(CHECKS)}")
        wanted = _split(personas, "--personas")
        adapter = _adapter(map_name, hook, policy)
        bad = [p for p in wanted if p not in adapter.personas]
        if bad:
            fail(f"unknown persona {bad[0]!r}; expected some of {', '.join(adapter.personas)}")
        require_writable_dir(out, "--out")
        if junit is not None:
            require_writable_file(junit, "--junit")
        from botsdk.playtest.analysis import run_playtest
        from botsdk.playtest.report import write_reports

        summary = run_playtest(adapter, wanted, episodes, max_steps, workers=workers, seed=seed, progress=not quiet,
                               cluster=checked_cluster(cluster))
        paths = write_reports(summary, out, junit, gates)
        _print_summary(summary, paths, gates)
        if summary.partial:
            raise Interrupted(f"interrupted: partial report ({len(summary.results)} of "
                              f"{len(wanted) * episodes} episodes) in {paths['html']}; run the same command again "
                              "for the full playtest")
        if summary.failed(gates):
            raise typer.Exit(1)


def _print_summary(summary, paths: dict, gates: tuple[str, ...]) -> None:
    data = summary.to_dict()
    typer.echo(f"{data['map']}: {data['episodes']} episodes, {data['steps']} steps in {data['wall_s']} s; "
               f"coverage " + ", ".join(f"{k} {v:.1%}" for k, v in data["coverage"].items()))
    for group in data["findings"]:
        where = "-" if group["position"] is None else f"({group['position'][0]:.2f}, {group['position'][1]:.2f})"
        mark = "FAIL" if group["check"] in gates else "note"
        typer.echo(f"  {mark} {group['check']} at {where} x{group['count']} seed={group['reproduce']['seed']} "
                   f"persona={group['reproduce']['persona']}: {group['message'].splitlines()[0]}")
    typer.echo("reports: " + ", ".join(str(p) for p in paths.values()))
