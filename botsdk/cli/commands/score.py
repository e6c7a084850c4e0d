from pathlib import Path

import typer

from botsdk.cli.errors import fail, print_json


def register(app: typer.Typer) -> None:
    @app.command("score")
    def score(
        policy: Path = typer.Option(..., "--policy", help="The .onnx model to score."),
        data: Path = typer.Option(..., "--data", help="Dataset directory whose recorded actions the model predicts."),
        as_json: bool = typer.Option(False, "--json", help="Print the scores as JSON."),
    ) -> None:
        """Agreement and NLL of a model on any dataset.

        Each episode is stepped in order from a zero state (recurrent models carry their state), styled by its
        persona label, through the same runtime that serves the model."""
        if policy.suffix.lower() != ".onnx":
            fail(f"--policy: expected a path ending in .onnx, got {str(policy)!r}")
        if not policy.is_file():
            fail(f"--policy: no such model file: {policy}")
        if not data.is_dir():
            fail(f"--data: expected a dataset directory, got {str(data)!r}")
        from botsdk.contract.compat import IncompatibleContractError
        from botsdk.dataset import DatasetError
        from botsdk.evaluation.scoring import score_model
        from botsdk.export.session import ModelFormatError

        try:
            result = score_model(policy, data)
        except (IncompatibleContractError, ModelFormatError, DatasetError, ValueError, OSError) as exc:
            fail(str(exc), code=1)
        if as_json:
            print_json(result)
            return
        typer.echo(f"{result['episodes']} episodes, {result['steps']} steps")
        typer.echo(f"{'head':<10} {'agreement':>9} {'nll':>7}")
        for name, entry in {**result["heads"], "joint": result["joint"]}.items():
            typer.echo(f"{name:<10} {entry['agreement']:>9.4f} {entry['nll']:>7.4f}")
