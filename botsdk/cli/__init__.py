"""The `botsdk` command. Each command lives in its own module under botsdk/cli/commands/ and registers itself,
so this file never grows: add a module with `register(app)` and it appears in `botsdk --help`."""

from __future__ import annotations

import importlib
import pkgutil

import typer

from botsdk.cli import commands as _commands


def build_app() -> typer.Typer:
    app = typer.Typer(
        name="botsdk",
        help="Record gameplay, train human-like bots, export to ONNX, serve over gRPC, evaluate and playtest.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    for module_info in sorted(pkgutil.iter_modules(_commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{_commands.__name__}.{module_info.name}")
        module.register(app)
    return app


def main() -> None:
    build_app()()
