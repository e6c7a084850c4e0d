"""The benchmarks compare like with like, and run (and say what they skipped) without the dev extras."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from botsdk.bench._report import render


def test_the_arena_peer_sees_what_botsdk_sees() -> None:
    pytest.importorskip("pymunk", reason="the arena's pymunk peer needs the dev extra (pip install 'botsdk[dev]')")
    from botsdk.bench.arena import hit_agreement

    assert hit_agreement(scenes=4, n_agents=16) >= 0.99


def test_bench_without_pymunk_skips_its_peers_and_keeps_the_rest(tmp_path: Path) -> None:
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "pymunk.py").write_text("raise ModuleNotFoundError(\"No module named 'pymunk'\", name='pymunk')\n")
    env = {**os.environ, "PYTHONPATH": str(shim), "NUMBA_NUM_THREADS": "1"}
    page = tmp_path / "performance.md"
    out = subprocess.run([sys.executable, "-m", "botsdk.cli", "bench", "sensors", "--quick", "--json", "--markdown",
                          str(page)], capture_output=True, text=True, env=env, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "Traceback" not in out.stderr
    result = json.loads(out.stdout)
    assert result["sizes"] and all(row["mrays_per_s"] > 0 for row in result["sizes"])
    assert "pymunk" in result["skipped_peers"][0] and "pip install" in result["skipped_peers"][0]
    assert "sensors: peer skipped: pymunk" in out.stderr
    assert "Not measured in this run" in page.read_text()


def test_a_benchmark_whose_dependency_is_missing_is_skipped_with_the_install_line(tmp_path: Path) -> None:
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "torch.py").write_text("raise ModuleNotFoundError(\"No module named 'torch'\", name='torch')\n")
    out = subprocess.run([sys.executable, "-m", "botsdk.cli", "bench", "train", "--quick", "--json"],
                         capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(shim)}, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout)
    assert result["skipped"] == "needs torch, which is not installed (pip install 'botsdk[train]')"
    assert "train: skipped: needs torch" in out.stderr and "Traceback" not in out.stderr
    assert "train: needs torch" in render({"train": result})


def test_the_performance_page_states_each_ratio_and_target() -> None:
    results = {"train": {"benchmark": "train", "quick": False, "machine": {"cpus": 2, "load_average_1min": 0.3,
                                                                           "versions": {"torch": "2.13.0"}},
                         "configuration": {"model": "mlp", "style_encoder": True},
                         "botsdk_samples_per_s": 21000.0, "plain_torch_samples_per_s": 22000.0, "ratio": 0.955,
                         "skipped_peers": []},
               "runtime": {"benchmark": "runtime", "batch_1": {"runtime": {"p50_us": 21.0},
                                                               "bare_onnxruntime": {"p50_us": 19.0}},
                           "runtime_over_bare_b1": 1.105, "targets": {"met": {"bare": True, "b1024": False}},
                           "runtime_b1024_p50_ms": 1.6, "skipped_peers": []}}
    page = render(results)
    assert "| training, default configuration (model mlp, style_encoder True) | 21,000 samples/s" in page
    assert "0.955 | >= 0.9: met" in page
    assert "fp32 <= 1.5 ms: **not met**" in page and "torch 2.13.0" in page and "load average (1 min)" in page


def test_streamed_training_bench_reports_its_ratio_and_peak_memory() -> None:
    pytest.importorskip("torch", reason="training needs the train extra")
    from botsdk.bench._streaming import rss_in_subprocess, streaming_ratio

    ratio = streaming_ratio(3000, memory_mb=4, repeats=1, min_steps=4)
    assert ratio["buffer_rows"] < 3000  # several buffers: the streamed run really streams
    assert ratio["in_memory_samples_per_s"] > 0 and ratio["streaming_samples_per_s"] > 0
    assert ratio["streaming_ratio"] == round(ratio["streaming_samples_per_s"] / ratio["in_memory_samples_per_s"], 3)
    rss = rss_in_subprocess(8000, memory_mb=4, train_steps=3)
    assert rss["steps"] == 8000 and 100 < rss["peak_rss_mb"] < 4096


def test_a_synthesized_set_lists_more_steps_than_it_stores(tmp_path: Path) -> None:
    from botsdk.bench._streaming import synthesize
    from botsdk.dataset import Dataset

    ds = Dataset.open(synthesize(tmp_path / "ds", 7000, episode_steps=100))
    assert ds.total_steps == 7000 and len({e.seed for e in ds.episodes}) == 70
    assert len(list((tmp_path / "ds" / "data" / "episodes").glob("*.hdf5"))) == 64  # DISTINCT files, listed again
    assert not ds.verify()
