"""`botsdk quickstart`: record, train, export, serve, evaluate and playtest on the built-in arena in one command."""

from botsdk.quickstart.pipeline import QuickstartPlan, StageProgress, run_quickstart

__all__ = ["QuickstartPlan", "StageProgress", "run_quickstart", "run_quickstart_in_terminal"]


def __getattr__(name: str):
    if name == "run_quickstart_in_terminal":   # rich loads only for the terminal
        from botsdk.quickstart.terminal import run_quickstart_in_terminal

        return run_quickstart_in_terminal
    raise AttributeError(f"module 'botsdk.quickstart' has no attribute {name!r}")
