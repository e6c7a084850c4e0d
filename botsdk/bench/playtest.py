"""Playtest throughput: episodes per minute on the QA map with K worker processes and with one, in the same run.

The peer here is the single-process loop every playtest would be without the worker pool; the ratio is the
parallel speed-up (pool start-up included, as a CI run pays it)."""

from __future__ import annotations

import os
import time

import numpy as np

from botsdk.playtest.budget import DEFAULT_EPISODES, DEFAULT_MAX_STEPS, DEFAULT_PERSONAS as PERSONAS

MAP = "qa_defects"


def _episodes_per_min(workers: int, episodes: int, max_steps: int) -> float:
    from botsdk.playtest.arena import ArenaPlaytest
    from botsdk.playtest.runner import PlaytestPlan, run_episodes

    plan = PlaytestPlan(PERSONAS, episodes, max_steps, seed=0, workers=workers)
    started = time.perf_counter()
    results = run_episodes(ArenaPlaytest(MAP), plan, progress=False)
    return 60.0 * len(results) / (time.perf_counter() - started)


def run(quick: bool) -> dict:
    workers = max(2, os.cpu_count() or 2)
    episodes, max_steps, repeats = (2, 320, 1) if quick else (DEFAULT_EPISODES, DEFAULT_MAX_STEPS, 3)
    _episodes_per_min(1, 1, 320)  # warm numba caches and the navigation fields outside the timing (both inherit them)
    parallel, single = [], []
    for _ in range(repeats):  # interleaved, so a change in machine load hits both alike
        parallel.append(_episodes_per_min(workers, episodes, max_steps))
        single.append(_episodes_per_min(1, episodes, max_steps))
    k, one = float(np.median(parallel)), float(np.median(single))
    return {
        "map": MAP, "personas": list(PERSONAS), "episodes_per_run": episodes * len(PERSONAS),
        "max_steps": max_steps, "repeats": repeats, "workers": workers,
        "episodes_per_min_k_workers": round(k, 2), "episodes_per_min_1_worker": round(one, 2),
        "speedup": round(k / one, 3) if one else None,
        "load_average_1min": round(os.getloadavg()[0], 2),
    }
