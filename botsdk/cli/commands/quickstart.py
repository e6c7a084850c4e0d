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

        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        from botsdk.quickstart import QuickstartPlan, run_quickstart

        require_writable_dir(out, "--out")
        plan = QuickstartPlan.quick(out) if quick else QuickstartPlan(out=out)
        plan = replace(plan, seed=seed)
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                      TimeElapsedColumn()) as progress:
            task = progress.add_task("quickstart", total=6)

            def on_stage(label: str, index: int, total: int) -> None:
                progress.update(task, description=label, completed=index)

            report = run_quickstart(plan, on_stage)
            progress.update(task, description="done", completed=6)
        typer.echo(f"report: {report.resolve()}")
