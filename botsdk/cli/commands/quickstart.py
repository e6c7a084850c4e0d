from pathlib import Path

import typer

from botsdk.cli.errors import require_writable_dir


def register(app: typer.Typer) -> None:
    @app.command("quickstart")
    def quickstart(
        out: Path = typer.Option(Path("runs/quickstart"), "--out", help="Where every artefact and report.html go."),
        quick: bool = typer.Option(False, "--quick", help="A small run (about 2 minutes on 2 cores)."),
        seed: int = typer.Option(0, "--seed", help="Seed of the whole run."),
    ) -> None:
        """The whole story on the arena, from recording to report."""
        from dataclasses import replace

        from botsdk.quickstart import QuickstartPlan, run_quickstart_in_terminal

        require_writable_dir(out, "--out")
        plan = QuickstartPlan.quick(out) if quick else QuickstartPlan(out=out)
        run_quickstart_in_terminal(replace(plan, seed=seed))
