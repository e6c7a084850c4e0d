"""Small timing helpers shared by the benchmarks."""

from __future__ import annotations

import time
from typing import Callable

import numpy as np


def latencies_us(fn: Callable[[], object], repeats: int, warmup: int = 20) -> np.ndarray:
    """Per-call wall time in microseconds."""
    for _ in range(warmup):
        fn()
    out = np.empty(repeats)
    for i in range(repeats):
        t0 = time.perf_counter_ns()
        fn()
        out[i] = (time.perf_counter_ns() - t0) / 1000.0
    return out


def percentiles(samples_us: np.ndarray) -> dict[str, float]:
    return {"p50_us": round(float(np.percentile(samples_us, 50)), 2), "p99_us": round(float(np.percentile(samples_us, 99)), 2)}


def rate(fn: Callable[[], int], min_seconds: float = 1.0) -> float:
    """Units per second of fn(), which returns how many units it processed; runs at least min_seconds."""
    done, t0 = 0, time.perf_counter()
    while True:
        done += fn()
        elapsed = time.perf_counter() - t0
        if elapsed >= min_seconds:
            return done / elapsed


def median_of(runs: int, fn: Callable[[], float]) -> float:
    return float(np.median([fn() for _ in range(runs)]))
