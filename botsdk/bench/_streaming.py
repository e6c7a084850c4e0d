"""Training that streams from disk, measured for `botsdk bench dataset`: throughput against in-memory loading on a
set that fits, and peak resident memory of streamed training on synthesized sets of 2M and 20M steps.

The big sets are synthesized: `DISTINCT` real episode files written by the dataset writer, and a catalog that
lists them again and again under distinct seeds and players, so 20M steps cost the disk 64 episodes. Everything a
training run does per episode (catalog, split, memory-mapped reads, shuffle buffers) runs at full scale; what
such a set cannot tell is the read rate from a cold disk, which it does not claim.
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

DISTINCT = 64
RSS_TRAIN_STEPS = 200  # optimizer steps of the RSS runs: past the first buffer's worth of batches and a prefetch


def synthesize(root: Path, steps_total: int, episode_steps: int = 1000) -> Path:
    """A dataset of `steps_total` steps whose catalog reuses `DISTINCT` written episode files."""
    from botsdk.bench.dataset import _write
    from botsdk.dataset.catalog import catalog_path

    distinct = min(DISTINCT, max(1, steps_total // episode_steps))
    _write(root, distinct * episode_steps, episode_steps)
    lines = catalog_path(root).read_text().splitlines()
    templates = [json.loads(line) for line in lines]
    with open(catalog_path(root), "w", encoding="utf-8") as f:
        for i in range(steps_total // episode_steps):
            record = {**templates[i % len(templates)], "seed": i, "player_id": f"p{i % 16}",
                      "style": ("rusher", "holder")[i % 2]}
            f.write(json.dumps(record, sort_keys=True) + "\n")
    return root


def _config(loader: str, steps: int, memory_mb: int) -> Any:
    from botsdk.training.config import TrainConfig

    return TrainConfig(loader=loader, stream_memory_mb=memory_mb, max_steps=steps, val_fraction=0.05,
                       eval_every=10 * steps, checkpoint_every=10 * steps, log_every=max(1, steps // 4),
                       progress=False, threads=1)  # one thread: steadier on a shared machine, same work


def train_rate(data: Path, loader: str, steps: int, memory_mb: int, out: Path) -> float:
    """Training samples/s of the default recipe (MLP with style encoder) for `steps` optimizer steps."""
    from botsdk.training.api import train_run

    return float(train_run(data, out, _config(loader, steps, memory_mb))["train_samples_per_s"])


def streaming_ratio(steps_total: int, memory_mb: int, repeats: int, min_steps: int = 20) -> dict[str, Any]:
    """Streamed vs in-memory training throughput on a set that fits in memory but needs several stream buffers."""
    from botsdk.arena.contract import arena_contract
    from botsdk.training.streaming import buffer_steps

    from botsdk.bench.dataset import _write

    root = Path(tempfile.mkdtemp(prefix="botsdk-bench-stream-"))
    try:
        _write(root / "ds", steps_total)
        steps = max(min_steps, steps_total // 512)  # about one epoch
        memory, stream = [], []
        for r in range(repeats):  # interleaved so both see the same machine load
            memory.append(train_rate(root / "ds", "memory", steps, memory_mb, root / f"m{r}"))
            stream.append(train_rate(root / "ds", "stream", steps, memory_mb, root / f"s{r}"))
        m, s = sorted(memory)[len(memory) // 2], sorted(stream)[len(stream) // 2]
        return {"steps": steps_total, "train_steps": steps, "stream_memory_mb": memory_mb,
                "buffer_rows": buffer_steps(arena_contract(), memory_mb),
                "in_memory_samples_per_s": round(m, 1), "streaming_samples_per_s": round(s, 1),
                "streaming_ratio": round(s / m, 3)}
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _peak_rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def rss_run(steps_total: int, memory_mb: int, train_steps: int = RSS_TRAIN_STEPS) -> dict[str, Any]:
    """In this process: synthesize `steps_total` steps, then train on them streamed; peak RSS of the training."""
    root = Path(tempfile.mkdtemp(prefix="botsdk-bench-rss-"))
    try:
        synthesize(root / "ds", steps_total)
        import torch  # noqa: F401  (the baseline includes torch, which any training run loads)

        started = time.perf_counter()
        rate = train_rate(root / "ds", "stream", train_steps, memory_mb, root / "run")
        return {"steps": steps_total, "train_steps": train_steps, "stream_memory_mb": memory_mb,
                "train_samples_per_s": round(rate, 1), "wall_s": round(time.perf_counter() - started, 1),
                "peak_rss_mb": round(_peak_rss_mb(), 1)}
    finally:
        shutil.rmtree(root, ignore_errors=True)


def rss_in_subprocess(steps_total: int, memory_mb: int, train_steps: int = RSS_TRAIN_STEPS) -> dict[str, Any]:
    """`rss_run` in a fresh process, so its peak is its own."""
    code = ("import json, sys; from botsdk.bench._streaming import rss_run; "
            f"print(json.dumps(rss_run({steps_total}, {memory_mb}, {train_steps})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(quick: bool) -> dict[str, Any]:
    from botsdk.training.config import TrainConfig

    memory_mb = TrainConfig().stream_memory_mb if not quick else 128
    ratio = streaming_ratio(*((60_000, memory_mb, 1) if quick else (300_000, memory_mb, 3)))
    sizes = (200_000, 2_000_000) if quick else (2_000_000, 20_000_000)
    small, large = (rss_in_subprocess(n, memory_mb) for n in sizes)
    return {**ratio, "rss": {"small": small, "large": large,
                             "peak_rss_growth": round(large["peak_rss_mb"] / small["peak_rss_mb"] - 1, 3)},
            "targets": {"streaming_ratio_min": 0.9, "peak_rss_mb_max_at_20m": 4096, "peak_rss_growth_max": 0.15}}
