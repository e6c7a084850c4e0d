"""The `botsdk` command. Each command lives in its own module under botsdk/cli/commands/ and registers itself,
so this file never grows: add a module with `register(app)` and it appears in `botsdk --help`.

Every command runs inside one error path (`botsdk.cli.errors`): expected failures print one line and exit with
the documented code (0 ok, 1 findings, 2 usage or bad input, 3 damaged data, 130 interrupted)."""

from __future__ import annotations

import importlib
import os
import pkgutil

import typer
from typer.core import TyperGroup

from botsdk.cli import commands as _commands
from botsdk.cli.errors import report

DEBUG_KEY = "botsdk.debug"
# click's own outcomes (exit, abort, usage errors) keep their handling; ClickException's home differs by typer version
_CLICK_OUTCOMES = (typer.Exit, typer.Abort,
                   next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException"))


class BotsdkGroup(TyperGroup):
    """The root group: turns any expected failure below it into one line and its exit code."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _plain_flag_help(self)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except _CLICK_OUTCOMES:
            raise
        except BaseException as exc:  # noqa: BLE001 - report() re-raises whatever it does not know
            if isinstance(exc, SystemExit):
                raise
            debug = bool(ctx.meta.get(DEBUG_KEY)) or os.environ.get("BOTSDK_DEBUG", "") not in ("", "0")
            raise typer.Exit(report(exc, debug)) from None


def _plain_flag_help(command) -> None:
    """A flag takes no value, so its help shows none (typer would print `<bool>`)."""
    for param in getattr(command, "params", []):
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""
    if hasattr(command, "get_help_option"):
        make_help = command.get_help_option

        def help_option(ctx, make_help=make_help):
            option = make_help(ctx)
            if option is not None and option.metavar is None:
                option.metavar = ""
            return option

        command.get_help_option = help_option
    for sub in getattr(command, "commands", {}).values():
        _plain_flag_help(sub)


def _show_version(value: bool) -> None:
    if value:
        import botsdk

        typer.echo(f"botsdk {botsdk.__version__}")
        raise typer.Exit()


def _root(
    ctx: typer.Context,
    debug: bool = typer.Option(False, "--debug", help="Show the full traceback of an error."),
    version: bool = typer.Option(False, "--version", callback=_show_version, is_eager=True,
                                 help="Print the botsdk version and exit."),
) -> None:
    """Record gameplay, train human-like bots, export to ONNX, serve over gRPC, evaluate and playtest.

    Exit codes: 0 ok, 1 findings (a gate failed), 2 usage or bad input, 3 damaged data, 130 interrupted."""
    ctx.meta[DEBUG_KEY] = debug


def build_app() -> typer.Typer:
    app = typer.Typer(
        name="botsdk",
        cls=BotsdkGroup,
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    app.callback()(_root)
    for module_info in sorted(pkgutil.iter_modules(_commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{_commands.__name__}.{module_info.name}")
        module.register(app)
    return app


def main() -> None:
    build_app()()
