"""Automated playtesting for QA: persona bots play a level in parallel, detectors turn their tracks into findings
with positions and reproducing seeds, coverage says how much of the level they saw, reports feed people and CI.

    from botsdk.playtest import ArenaPlaytest, run_playtest, write_reports
    summary = run_playtest(ArenaPlaytest("qa"), ["explorer", "objective", "rusher"], episodes=4, max_steps=960)
    write_reports(summary, Path("out"))

Any Gymnasium or PettingZoo env that reports agent positions in `info` plugs in through
`botsdk.playtest.hooks.GymnasiumHook` / `PettingZooHook` (or any object meeting `PlaytestAdapter`).
Names are imported lazily so `import botsdk.playtest` stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "AgentTrack": "records", "EpisodeResult": "records", "Finding": "records", "PlaytestWorld": "records",
    "PointOfInterest": "records", "CHECKS": "records",
    "DetectorConfig": "detectors", "run_detectors": "detectors",
    "reachable_cells": "coverage", "coverage_of": "coverage",
    "PlaytestPlan": "runner", "run_episodes": "runner",
    "PlaytestSummary": "analysis", "analyse": "analysis", "run_playtest": "analysis",
    "write_reports": "report",
    "PlaytestAdapter": "hooks", "GymnasiumHook": "hooks", "PettingZooHook": "hooks", "load_hook": "hooks",
    "ArenaPlaytest": "arena", "arena_world": "arena",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'botsdk.playtest' has no attribute {name!r}")
    return getattr(import_module(f"botsdk.playtest.{_EXPORTS[name]}"), name)
