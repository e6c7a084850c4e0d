"""Decision latency of the runtime vs bare onnxruntime and torch eager, on the training default policy, same run.

One decision = forward pass + sampling of every head (+ per-agent state bookkeeping for the runtime). The bare
onnxruntime peer runs `InferenceSession.run` on the same file with the same session options; torch eager runs the
same weights and samples with `botsdk.training.models.sample_actions`. Batches of 1, 64 and 1024 agents.
Targets (2 cores): runtime <= 1.3x bare at batch 1, >= 3x faster than torch eager at batch 1, 1024 agents <= 1.5 ms.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from botsdk.bench._default_model import export_default_policy
from botsdk.bench._timing import latencies_us, percentiles

BATCHES = (1, 64, 1024)
LARGE_THREADS = min(2, os.cpu_count() or 1)


def _measure(batch: int, repeats: int, policy: Any, path: Path, quantized: Path | None) -> dict[str, Any]:
    import torch

    from botsdk.export.metadata import INPUT_PREVIOUS_ACTION, output_names
    from botsdk.export.parity import held_out_styles, synthetic_observations
    from botsdk.export.runtime import BotRuntime
    from botsdk.export.session import make_session, reads_previous_action
    from botsdk.training.models import sample_actions

    runtime = BotRuntime(path, seed=0)
    contract, state_size = runtime.contract, runtime.state_size
    obs = synthetic_observations(contract, batch, seed=batch)
    style = held_out_styles(contract, batch, seed=batch)
    ids = [f"agent{i}" for i in range(batch)]
    threads = LARGE_THREADS if batch >= 256 else 1
    bare = make_session(path, threads)
    feeds = {"obs": obs, "style": style, "state_in": np.zeros((batch, state_size), np.float32)}
    previous = None
    if reads_previous_action(bare):  # every peer feeds the same inputs the runtime does
        previous = np.zeros((batch, len(contract.head_sizes)), np.int64)
        feeds[INPUT_PREVIOUS_ACTION] = previous
    names = output_names(contract)
    torch.set_num_threads(threads)
    t_obs, t_style, t_state = torch.from_numpy(obs), torch.from_numpy(style), torch.zeros(batch, state_size)
    t_previous = None if previous is None else torch.from_numpy(previous)
    generator = torch.Generator().manual_seed(0)

    def torch_decision() -> None:
        with torch.no_grad():
            logits, _ = policy(t_obs, t_style, t_state, t_previous)
            sample_actions(logits, generator)

    peers = {"runtime": lambda: runtime.act(ids, obs, style), "bare_onnxruntime": lambda: bare.run(names, feeds),
             "torch_eager": torch_decision}
    if quantized is not None:
        q = BotRuntime(quantized, seed=0)
        peers["runtime_int8"] = lambda: q.act(ids, obs, style)
    result: dict[str, Any] = _interleaved(peers, repeats)
    result["threads"] = threads
    return result


def _interleaved(peers: dict[str, Any], repeats: int, rounds: int = 8) -> dict[str, Any]:
    """Alternate short blocks of each peer so load from other processes hits all of them alike."""
    samples: dict[str, list[np.ndarray]] = {name: [] for name in peers}
    per_round = max(5, repeats // rounds)
    for _ in range(rounds):
        for name, fn in peers.items():
            samples[name].append(latencies_us(fn, per_round, warmup=5))
    out = {}
    for name, blocks in samples.items():
        out[name] = percentiles(np.concatenate(blocks))
        out[name]["p50_us_median_of_rounds"] = round(float(np.median([np.median(b) for b in blocks])), 2)
    return out


def run(quick: bool = False) -> dict[str, Any]:
    from botsdk.arena.contract import arena_contract
    from botsdk.export.quantize import quantize_policy

    contract = arena_contract()
    with tempfile.TemporaryDirectory(prefix="botsdk-bench-runtime-") as tmp:
        policy, path, config = export_default_policy(Path(tmp))
        qpath = Path(quantize_policy(path, None, "int8", min_agreement=0.0)["path"])  # speed only: no gate
        results: dict[str, Any] = {}
        for batch in BATCHES:
            repeats = {1: 2000, 64: 500, 1024: 100}[batch] // (4 if quick else 1)
            results[f"batch_{batch}"] = _measure(batch, repeats, policy, path, qpath if batch > 1 else None)
    b1, b1024 = results["batch_1"], results["batch_1024"]
    ratio_bare = b1["runtime"]["p50_us"] / b1["bare_onnxruntime"]["p50_us"]
    speedup_torch = b1["torch_eager"]["p50_us"] / b1["runtime"]["p50_us"]
    results.update({
        "model": {"kind": config.model, "hidden_sizes": config.hidden_sizes,
                  "observation": contract.observation_size, "heads": list(contract.head_sizes)},
        "runtime_over_bare_b1": round(ratio_bare, 3),
        "torch_over_runtime_b1": round(speedup_torch, 2),
        "runtime_b1024_p50_ms": round(b1024["runtime"]["p50_us"] / 1000, 3),
        "runtime_int8_b1024_p50_ms": round(b1024["runtime_int8"]["p50_us"] / 1000, 3),
        "load_avg_1m_at_end": round(os.getloadavg()[0], 2),  # > cpus means other work shared the cores
        "targets": {"runtime_over_bare_b1_max": 1.3, "torch_over_runtime_b1_min": 3.0, "b1024_max_ms": 1.5,
                    "met": {"bare": ratio_bare <= 1.3, "torch": speedup_torch >= 3.0,
                            "b1024": b1024["runtime"]["p50_us"] <= 1500}},
    })
    return results
