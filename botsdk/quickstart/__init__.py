"""`botsdk quickstart`: record, train, export, serve, evaluate and playtest on the built-in arena in one command."""

from botsdk.quickstart.pipeline import QuickstartPlan, run_quickstart

__all__ = ["QuickstartPlan", "run_quickstart"]
