"""The quickstart in a terminal: a line per stage, progress inside it (episodes, matches, training steps with their
time left), and a closing table of the headline figures with their verdicts and where the report is."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from botsdk.quickstart.pipeline import QuickstartPlan, StageProgress, StageResult, run_quickstart

OUTCOME_STYLE = {"pass": "bold green", "fail": "bold red", "not measured": "bold yellow"}


class TerminalProgress(StageProgress):
    """Draws one bar at a time: its own for counted stages, the library's (training, playtest) for the others."""

    library_bars = True

    def __init__(self, console: Console):
        self.console = console
        self._bar: Progress | None = None
        self._task: Any = None

    def stage(self, label: str, index: int, total: int) -> None:
        self.console.print(f"[bold cyan][{index + 1}/{total}][/] [bold]{label}[/]")

    def begin(self, total: int | None, unit: str) -> None:
        self._close()
        self._bar = Progress(TextColumn("    "), BarColumn(), MofNCompleteColumn(), TextColumn(unit),
                             TextColumn("[dim]{task.fields[note]}"), TimeElapsedColumn(), TimeRemainingColumn(),
                             console=self.console, transient=True)
        self._task = self._bar.add_task(unit, total=total, note="")
        self._bar.start()

    def advance(self, amount: int = 1, note: str = "") -> None:
        if self._bar is not None:
            self._bar.update(self._task, advance=amount, note=note)

    def finished(self, result: StageResult) -> None:
        self._close()
        from botsdk.quickstart.report import stage_sentence

        self.console.print(f"    [green]done[/] in {result.seconds:.1f} s: {stage_sentence(result.name, result.summary)}",
                           highlight=False)

    def _close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


def headline_table(out: Path) -> Table:
    """The headline figures against their targets, with the overall verdict in the title."""
    from botsdk.evaluation.report import overall
    from botsdk.quickstart.verdicts import headline_checks

    summary = json.loads((out / "quickstart.json").read_text(encoding="utf-8"))
    checks = headline_checks(out, summary)
    verdict = overall(checks)
    table = Table(title=f"botsdk quickstart: [{OUTCOME_STYLE['pass' if verdict == 'PASS' else 'fail']}]{verdict}[/]")
    for column in ("check", "measured", "target", "result"):
        table.add_column(column, overflow="fold")
    for check in checks:
        table.add_row(check.label, check.measured, check.target,
                      f"[{OUTCOME_STYLE.get(check.outcome, '')}]{check.outcome}[/]")
    return table


def run_quickstart_in_terminal(plan: QuickstartPlan, console: Console | None = None) -> Path:
    """`botsdk quickstart`: every stage with its progress, then the headline table; returns the report's path."""
    console = console or Console()
    report = run_quickstart(plan, progress=TerminalProgress(console))
    console.print(headline_table(plan.out))
    console.print(f"report: {report.resolve()}", soft_wrap=True, highlight=False)
    return report
