"""Dataset write and read rates (transitions/s) against reading the same arrays straight from the files with h5py.

Peer: for every episode file, h5py reads `observations[:-1]` and `actions` into numpy (sequential, no shuffle) —
the floor any loader on this format pays. botsdk: BatchLoader (shuffled batches of 256) and WindowLoader (32 x 64
windows). Both read the just-written files, so both hit the page cache. The scale run (full mode only) writes and
streams a 5M-step dataset in a fresh process and reports its peak RSS next to a 10x smaller run's (the 5M read
rate is usually disk-bound: ~10 GB rarely stays in a shared machine's page cache). Training that streams from
disk (`loader = "stream"`) is measured in botsdk.bench._streaming: `streaming_ratio` (streamed / in-memory training
throughput) and the peak RSS of streamed training at two dataset sizes (`training_stream`).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

EPISODE_STEPS = 1000
MATCH_AGENTS = 4


def _write(root: Path, steps_total: int, episode_steps: int = EPISODE_STEPS) -> float:
    """Write `steps_total` transitions; returns transitions/s (validation, HDF5, fsync of every episode file,
    catalog and index commits included)."""
    from botsdk.arena.contract import arena_contract
    from botsdk.dataset import DatasetWriter
    from botsdk.bench._workloads import synthetic_trajectory

    c = arena_contract()
    templates = [synthetic_trajectory(c, episode_steps, seed=s) for s in range(4)]
    writer = DatasetWriter(root, c)
    n = steps_total // episode_steps
    t0 = time.perf_counter()
    for first in range(0, n, MATCH_AGENTS):  # one commit per 2v2 match, as `botsdk record` does
        writer.add_episodes([(templates[i % 4], {**templates[i % 4]["meta"], "seed": i, "player_id": f"p{i % 16}",
                                                  "style": ("rusher", "holder")[i % 2]})
                             for i in range(first, min(n, first + MATCH_AGENTS))])
    return n * episode_steps / (time.perf_counter() - t0)


def _raw_h5py_rate(root: Path) -> float:
    import h5py

    files = sorted((root / "data" / "episodes").glob("*.hdf5"))
    t0, done = time.perf_counter(), 0
    for path in files:
        with h5py.File(path, "r") as f:
            g = f["episode"]
            obs = g["observations"][:-1]
            act = g["actions"][()]
            done += len(act)
            assert obs.shape[0] == act.shape[0]
    return done / (time.perf_counter() - t0)


def _loader_rate(loader: Any, key: str = "actions") -> float:
    t0, done = time.perf_counter(), 0
    for batch in loader:
        done += int(batch["mask"].sum()) if "mask" in batch else len(batch[key])
    return done / (time.perf_counter() - t0)


def _rss_mb(field: str = "VmHWM") -> float:
    """Peak (VmHWM) or current (VmRSS) resident memory of this process. Not ru_maxrss: that survives exec and
    would report the parent's peak in the subprocess."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def scale_run(steps_total: int) -> dict[str, Any]:
    """Write then stream `steps_total` steps in this process; report rates and peak RSS (bounded memory check)."""
    from botsdk.dataset import BatchLoader, Dataset

    root = Path(tempfile.mkdtemp(prefix="botsdk-bench-scale-"))
    try:
        import botsdk.dataset.index  # noqa: F401  (imports done before the baseline)
        import minari  # noqa: F401

        rss0 = _rss_mb("VmRSS")
        write = _write(root / "ds", steps_total)
        peak_write = _rss_mb()
        ds = Dataset.open(root / "ds")
        read = _loader_rate(BatchLoader(ds, 256, seed=0))
        return {"steps": ds.total_steps, "episodes": len(ds), "write_tps": round(write), "read_tps": round(read),
                "rss_baseline_mb": round(rss0, 1), "peak_rss_write_mb": round(peak_write, 1),
                "peak_rss_mb": round(_rss_mb(), 1), "disk_gb": round(sum(e.size for e in ds.episodes) / 1e9, 2)}
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _scale_in_subprocess(steps_total: int) -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-m", "botsdk.bench.dataset", str(steps_total)], capture_output=True,
                         text=True, check=True, cwd=Path(__file__).resolve().parents[1])
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(quick: bool) -> dict[str, Any]:
    from botsdk.dataset import BatchLoader, Dataset, WindowLoader

    steps_total, repeats = (100_000, 3) if quick else (1_000_000, 5)
    root = Path(tempfile.mkdtemp(prefix="botsdk-bench-dataset-"))
    try:
        write = _write(root / "ds", steps_total)
        ds = Dataset.open(root / "ds")
        raw, batch, window = [], [], []
        for r in range(repeats):  # interleaved so both see the same machine load
            raw.append(_raw_h5py_rate(root / "ds"))
            batch.append(_loader_rate(BatchLoader(ds, 256, seed=r)))
            window.append(_loader_rate(WindowLoader(ds, 64, 32, seed=r)))
        raw_rate, batch_rate, window_rate = (float(np.median(x)) for x in (raw, batch, window))
        result: dict[str, Any] = {
            "steps": ds.total_steps, "episodes": len(ds), "episode_steps": EPISODE_STEPS,
            "observation_size": ds.contract.observation_size, "repeats": repeats,
            "write_tps": round(write),
            "read_batch_tps": round(batch_rate), "read_window_tps": round(window_rate),
            "raw_h5py_tps": round(raw_rate),
            "ratio_batch_vs_raw": round(batch_rate / raw_rate, 3),
            "ratio_window_vs_raw": round(window_rate / raw_rate, 3),
            "targets": {"read_tps_min": 1_000_000, "ratio_vs_raw_min": 0.5},
        }
    finally:
        shutil.rmtree(root, ignore_errors=True)
    if not quick:
        small, large = _scale_in_subprocess(500_000), _scale_in_subprocess(5_000_000)
        result["scale"] = {"small": small, "large": large,
                           "peak_rss_growth_mb": round(large["peak_rss_mb"] - small["peak_rss_mb"], 1)}
    from botsdk.bench import _streaming

    result["training_stream"] = _streaming.run(quick)
    result["streaming_ratio"] = result["training_stream"]["streaming_ratio"]
    print(f"dataset: write {result['write_tps']:,} t/s; read batches {result['read_batch_tps']:,} t/s, windows "
          f"{result['read_window_tps']:,} t/s; raw h5py {result['raw_h5py_tps']:,} t/s; ratio "
          f"{result['ratio_batch_vs_raw']}", file=sys.stderr)
    return result


if __name__ == "__main__":
    print(json.dumps(scale_run(int(sys.argv[1]))))
