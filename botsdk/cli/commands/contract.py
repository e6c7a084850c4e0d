from pathlib import Path

import typer

from botsdk.cli.errors import fail_naming


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Show or validate a behaviour contract.",
                        no_args_is_help=True)
    app.add_typer(group, name="contract")

    @group.command("show")
    def show(path: Path = typer.Argument(..., help="A contract JSON, .onnx model, .pt checkpoint or dataset dir.")) -> None:
        """Print the contract as JSON, with its content hash."""
        typer.echo(_load(path).to_json())

    @group.command("validate")
    def validate(path: Path = typer.Argument(..., help="A contract JSON, .onnx model, .pt checkpoint or dataset dir.")) -> None:
        """Exit 0 if the contract is valid (its content_hash included), else exit 2 naming the bad field."""
        contract = _load(path)
        typer.echo(f"ok: {contract.name} {contract.version} {contract.content_hash} "
                   f"(observation {contract.observation_size} floats, heads {list(contract.head_sizes)})")

    @group.command("doc")
    def doc(path: Path = typer.Argument(..., help="A contract JSON, .onnx model, .pt checkpoint or dataset dir.")) -> None:
        """Print every observation element (unit, range, transform) and the frame-stack rule as Markdown."""
        from botsdk.contract.render import elements_markdown

        typer.echo(elements_markdown(_load(path)))

    @group.command("schema")
    def schema() -> None:
        """Print the JSON Schema that engine implementers validate contracts against."""
        from botsdk.contract import schema_path

        typer.echo(schema_path().read_text(encoding="utf-8"))

    @group.command("arena")
    def arena() -> None:
        """Print the built-in arena's contract."""
        from botsdk.arena.contract import arena_contract

        typer.echo(arena_contract().to_json())


def _load(path: Path):
    from botsdk.contract import ContractError, load_contract

    try:
        return load_contract(path)
    except (ContractError, FileNotFoundError, ValueError, KeyError) as exc:
        fail_naming(path, exc)
