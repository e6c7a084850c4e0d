from pathlib import Path
from typing import Optional

import typer

from botsdk.cli.errors import fail, print_json


def register(app: typer.Typer) -> None:
    @app.command("bench")
    def bench(
        name: str = typer.Argument(..., help="A benchmark (arena, bridge, dataset, playtest, runtime, sensors, train) "
                                             "or 'all'."),
        quick: bool = typer.Option(False, "--quick", help="Smaller sizes and fewer repeats."),
        as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
        markdown: Optional[Path] = typer.Option(None, "--markdown", help="Also write the results as a performance "
                                                                         "page (e.g. docs/performance.md)."),
    ) -> None:
        """Benchmark botsdk against its peer in the same run.

        Prints both figures and their ratio (one JSON object with --json). A peer that is not installed is skipped
        with one line saying how to add it; the rest still runs."""
        from botsdk.bench import available, run_benchmark, skip_lines

        names = available() if name == "all" else [name]
        unknown = [n for n in names if n not in available()]
        if unknown:
            fail(f"unknown benchmark {unknown[0]!r}; expected one of {', '.join(available())} or 'all'")
        import contextlib
        import sys

        results = {}
        with contextlib.redirect_stdout(sys.stderr):  # progress lines never mix into the JSON on stdout
            for n in names:
                results[n] = run_benchmark(n, quick=quick)
        for line in skip_lines(results):
            typer.echo(line, err=True)
        result = results if name == "all" else results[name]
        if markdown is not None:
            from botsdk.bench._report import render

            markdown.write_text(render(results), encoding="utf-8")
        if as_json:
            print_json(result)
        else:
            from rich.console import Console
            from rich.pretty import Pretty

            Console().print(Pretty(result))
