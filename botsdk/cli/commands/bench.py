import typer

from botsdk.cli.errors import fail, print_json


def register(app: typer.Typer) -> None:
    @app.command("bench")
    def bench(
        name: str = typer.Argument(..., help="A benchmark under benchmarks/ (e.g. sensors, runtime) or 'all'."),
        quick: bool = typer.Option(False, "--quick", help="Smaller sizes and fewer repeats."),
        as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    ) -> None:
        """Benchmark botsdk against its peer in the same run.

        Prints both figures and their ratio (one JSON object with --json)."""
        from botsdk.bench import available, run_benchmark

        names = available() if name == "all" else [name]
        unknown = [n for n in names if n not in available()]
        if unknown:
            fail(f"unknown benchmark {unknown[0]!r}; expected one of {', '.join(available())} or 'all'")
        import contextlib
        import sys

        with contextlib.redirect_stdout(sys.stderr):  # progress lines never mix into the JSON on stdout
            results = {n: run_benchmark(n, quick=quick) for n in names}
        result = results if name == "all" else results[name]
        if as_json:
            print_json(result)
        else:
            from rich.console import Console
            from rich.pretty import Pretty

            Console().print(Pretty(result))
