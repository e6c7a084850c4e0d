"""One module per command (or command group). Each defines `register(app: typer.Typer) -> None`.

Modules import only typer and the standard library at top level; heavy imports go inside the command function.
"""
