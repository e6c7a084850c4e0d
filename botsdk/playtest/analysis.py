"""Turn raw episodes into the playtest's answer: findings (grouped by place), coverage and golden-path figures."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from botsdk.playtest.coverage import Coverage, GoldenPath, coverage_of, golden_path_stats, reachable_cells
from botsdk.playtest.detectors import DetectorConfig, FindingGroup, group_findings, run_detectors
from botsdk.playtest.records import CHECKS, EpisodeResult, Finding, PlaytestWorld
from botsdk.playtest.runner import PlaytestPlan


@dataclass
class PlaytestSummary:
    world: PlaytestWorld
    plan: PlaytestPlan
    results: list[EpisodeResult]
    findings: list[Finding]
    groups: list[FindingGroup]
    coverage: dict[str, Coverage]  # per persona, plus "all"
    golden: dict[str, GoldenPath] = field(default_factory=dict)  # per persona, empty without a golden path
    wall_s: float = 0.0
    partial: bool = False  # interrupted: only the episodes that finished are in it

    def groups_of(self, check: str) -> list[FindingGroup]:
        return [g for g in self.groups if g.check == check]

    def failed(self, fail_on: tuple[str, ...]) -> list[FindingGroup]:
        return [g for g in self.groups if g.check in fail_on]

    def to_dict(self) -> dict[str, Any]:
        steps = sum(r.steps for r in self.results)
        return {
            "map": self.world.name, "partial": self.partial,
            "plan": {"personas": list(self.plan.personas), "episodes_per_persona": self.plan.episodes,
                     "max_steps": self.plan.max_steps, "seed": self.plan.seed, "workers": self.plan.workers,
                     "cluster": self.plan.cluster},
            "episodes": len(self.results), "agent_tracks": sum(len(r.tracks) for r in self.results),
            "steps": steps, "wall_s": round(self.wall_s, 3),
            "episodes_per_min": round(60.0 * len(self.results) / self.wall_s, 2) if self.wall_s else None,
            "reachable_cells": int(self.coverage["all"].reachable.sum()),
            "coverage": {k: round(c.final, 4) for k, c in self.coverage.items()},
            "golden_path": {k: {"completion_rate": round(g.rate, 4), "completed": g.completed,
                                "episodes": g.episodes, "median_time_s": g.median_time_s}
                            for k, g in self.golden.items()},
            "checks": {check: len(self.groups_of(check)) for check in CHECKS},
            "bot_checks": {check: sum(1 for g in self.groups_of(check) if g.bot_findings) for check in CHECKS},
            "findings": [g.to_dict() for g in self.groups],
        }


def analyse(world: PlaytestWorld, plan: PlaytestPlan, results: list[EpisodeResult],
            config: DetectorConfig = DetectorConfig(), wall_s: float = 0.0,
            group_radius: float | None = None, static: list[Finding] | None = None) -> PlaytestSummary:
    """Run every detector, add the adapter's `static` findings, group findings within `group_radius` (default two
    cells), measure coverage."""
    findings = run_detectors(world, results, config) + list(static or [])
    groups = group_findings(findings, group_radius if group_radius is not None else 2 * world.cell_size)
    reachable = reachable_cells(world)
    coverage = {p: coverage_of(world, [t for r in results if r.persona == p for t in r.tracks], reachable)
                for p in plan.personas}
    coverage["all"] = coverage_of(world, [t for r in results for t in r.tracks], reachable)
    golden = {}
    if world.golden_path:
        golden = {p: golden_path_stats(world, [r.tracks for r in results if r.persona == p]) for p in plan.personas}
    return PlaytestSummary(world, plan, results, findings, groups, coverage, golden, wall_s)


def run_playtest(adapter: Any, personas: list[str] | tuple[str, ...], episodes: int, max_steps: int,
                 workers: int = 1, seed: int = 0, progress: bool = False,
                 config: DetectorConfig = DetectorConfig(), static_checks: bool = True,
                 cluster: str | None = None) -> PlaytestSummary:
    """Play `episodes` per persona on `adapter` (any `PlaytestAdapter`) and analyse them; an adapter with a
    `static_findings()` method (the arena has one) adds what its level analysis finds unless `static_checks` is
    False. With `cluster` (a Ray address, see botsdk.cluster) the episodes run as Ray tasks; `workers` is then the
    CPU count of a `local` Ray instance. Ctrl-C returns the episodes that finished, with `partial` set."""
    import time

    from botsdk.playtest.runner import run_episodes

    if episodes < 1 or max_steps < 1 or workers < 1:
        raise ValueError(f"episodes, max_steps and workers must be >= 1, got {episodes}, {max_steps}, {workers}")
    plan = PlaytestPlan(tuple(personas), episodes, max_steps, seed, workers, cluster)
    world = adapter.world()
    started = time.perf_counter()
    static = adapter.static_findings() if static_checks and hasattr(adapter, "static_findings") else []
    finished: list = []
    try:
        results = run_episodes(adapter, plan, progress=progress, on_result=finished.append)
    except KeyboardInterrupt:  # Ctrl-C: what finished still makes a report, marked partial
        order = {p: i for i, p in enumerate(plan.personas)}
        results = sorted(finished, key=lambda r: (order[r.persona], r.seed))
        summary = analyse(world, plan, results, config, wall_s=time.perf_counter() - started, static=static)
        summary.partial = True
        return summary
    return analyse(world, plan, results, config, wall_s=time.perf_counter() - started, static=static)
