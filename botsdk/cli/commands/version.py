import typer


def register(app: typer.Typer) -> None:
    @app.command("version")
    def version() -> None:
        """Print the botsdk version."""
        import botsdk

        typer.echo(f"botsdk {botsdk.__version__}")
