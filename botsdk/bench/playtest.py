"""Playtest throughput: episodes per minute on the QA map with K worker processes and with one, in the same run;
and, where Ray is installed (the `cluster` extra), with the same K as Ray tasks on a local Ray instance.

The peer here is the single-process loop every playtest would be without the worker pool; the ratio is the
parallel speed-up (pool start-up included, as a CI run pays it). The Ray figure is a standing cluster's: Ray is
started and its K workers have imported botsdk before the timing (`ray_start_s` says what that costs once);
`ray_vs_local` compares it with the local K-process pool on the same episodes."""

from __future__ import annotations

import importlib.util
import os
import time

import numpy as np

from botsdk.playtest.budget import DEFAULT_EPISODES, DEFAULT_MAX_STEPS, DEFAULT_PERSONAS as PERSONAS

MAP = "qa_defects"


def _episodes_per_min(workers: int, episodes: int, max_steps: int, cluster: str | None = None) -> float:
    from botsdk.playtest.arena import ArenaPlaytest
    from botsdk.playtest.runner import PlaytestPlan, run_episodes

    plan = PlaytestPlan(PERSONAS, episodes, max_steps, seed=0, workers=workers, cluster=cluster)
    started = time.perf_counter()
    results = run_episodes(ArenaPlaytest(MAP), plan, progress=False)
    return 60.0 * len(results) / (time.perf_counter() - started)


def _start_ray(workers: int) -> float:
    """Start a local Ray with `workers` CPUs and let every worker play once; returns the seconds that took."""
    import ray

    from botsdk.cluster.tasks import WORKER_ENV

    started = time.perf_counter()
    ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False,
             runtime_env={"env_vars": dict(WORKER_ENV)})
    _episodes_per_min(workers, workers, 40, cluster="local")
    return time.perf_counter() - started


def run(quick: bool) -> dict:
    workers = max(2, os.cpu_count() or 2)
    episodes, max_steps, repeats = (2, 320, 1) if quick else (DEFAULT_EPISODES, DEFAULT_MAX_STEPS, 3)
    _episodes_per_min(1, 1, 320)  # warm numba caches and the navigation fields outside the timing (both inherit them)
    with_ray = importlib.util.find_spec("ray") is not None
    ray_start = _start_ray(workers) if with_ray else None
    parallel, single, on_ray = [], [], []
    try:
        for _ in range(repeats):  # interleaved, so a change in machine load hits all alike
            parallel.append(_episodes_per_min(workers, episodes, max_steps))
            single.append(_episodes_per_min(1, episodes, max_steps))
            if with_ray:
                on_ray.append(_episodes_per_min(workers, episodes, max_steps, cluster="local"))
    finally:
        if with_ray:
            import ray

            ray.shutdown()
    k, one = float(np.median(parallel)), float(np.median(single))
    result = {
        "map": MAP, "personas": list(PERSONAS), "episodes_per_run": episodes * len(PERSONAS),
        "max_steps": max_steps, "repeats": repeats, "workers": workers,
        "episodes_per_min_k_workers": round(k, 2), "episodes_per_min_1_worker": round(one, 2),
        "speedup": round(k / one, 3) if one else None,
        "load_average_1min": round(os.getloadavg()[0], 2),
        "skipped_peers": [] if with_ray else ["ray: not installed (pip install 'botsdk[cluster]')"],
    }
    if with_ray:
        r = float(np.median(on_ray))
        result.update(episodes_per_min_ray=round(r, 2), ray_vs_local=round(r / k, 3) if k else None,
                      ray_start_s=round(ray_start, 2), targets={"ray_vs_local_min": 0.9})
    return result
