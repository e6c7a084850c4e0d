"""Training throughput: the botsdk Trainer vs a minimal plain-PyTorch loop, same model, same tensors, same run.

Both train the default policy (MLP 2x256, persona-conditioned) with Adam on the same in-memory demonstrations and
batch size; the peer is the shortest correct loop (randperm slices, forward, summed cross-entropy, step). The
style-encoder term is off on both sides, so the figures compare loop overhead, not objectives.
"""

from __future__ import annotations

import sys

import tempfile
import time
from typing import Any

import numpy as np


def _tensors(rows: int, seed: int = 0):
    from botsdk.arena.contract import arena_contract
    from botsdk.bench._workloads import synthetic_episode
    from botsdk.training.tensors import build_tensors

    contract = arena_contract()
    personas = contract.style.persona_names
    per = rows // len(personas)
    episodes = [synthetic_episode(contract, p, per, seed + i) for i, p in enumerate(personas)]
    return contract, build_tensors(contract, episodes, list(personas), list(personas))


def _framework(contract, data, config) -> float:
    from botsdk.training.trainer import Trainer

    with tempfile.TemporaryDirectory() as run_dir:
        trainer = Trainer(contract, config, data, None, run_dir, "bench")
        return trainer.fit().metrics["train_samples_per_s"]


def _plain(contract, data, config) -> float:
    import torch
    from torch.nn import functional as F

    from botsdk.training.models import build_policy

    torch.manual_seed(config.seed)
    policy = build_policy(contract, config)
    optimizer = torch.optim.Adam(policy.parameters(), lr=config.lr)
    state = torch.zeros(config.batch_size, 1)
    perm = torch.randperm(data.size)
    per_epoch = data.size // config.batch_size
    started = time.perf_counter()
    for step in range(config.max_steps):
        if step and step % per_epoch == 0:
            perm = torch.randperm(data.size)
        idx = perm[(step % per_epoch) * config.batch_size:(step % per_epoch + 1) * config.batch_size]
        logits, _ = policy(data.obs[idx], data.style[idx], state)
        loss = sum(F.cross_entropy(head, data.actions[idx, i]) for i, head in enumerate(logits))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    return config.max_steps * config.batch_size / (time.perf_counter() - started)


def run(quick: bool = False) -> dict[str, Any]:
    import torch

    from botsdk.training.config import TrainConfig

    torch.set_num_threads(1)  # one thread on both sides: steadier on a shared machine, same work per sample
    steps, pairs, rows = (40, 5, 8192) if quick else (100, 9, 16384)
    config = TrainConfig(style_encoder=False, max_steps=steps, log_every=50, eval_every=10**9,
                         checkpoint_every=10**9, progress=False)
    contract, data = _tensors(rows)
    _plain(contract, data, config.replace(max_steps=10))  # warm-up (allocator, kernels)
    _framework(contract, data, config.replace(max_steps=10))  # warm-up (imports TensorBoard once)
    ours, peer = [], []
    for _ in range(pairs):  # back-to-back pairs, so machine-load drift hits both sides of a pair alike
        ours.append(_framework(contract, data, config))
        peer.append(_plain(contract, data, config))
    ratios = [a / b for a, b in zip(ours, peer)]
    ours_med, peer_med, ratio = float(np.median(ours)), float(np.median(peer)), float(np.median(ratios))
    result = {
        "model": "mlp 2x256 (default), persona-conditioned, batch %d" % config.batch_size,
        "steps_per_run": steps, "pairs": pairs, "rows": data.size, "threads": torch.get_num_threads(),
        "botsdk_samples_per_s": round(ours_med, 1), "plain_torch_samples_per_s": round(peer_med, 1),
        "ratio": round(ratio, 3), "ratio_definition": "median over back-to-back pairs of botsdk / plain",
        "pair_ratios": [round(r, 3) for r in ratios],
        "botsdk_runs": [round(x, 1) for x in ours], "plain_runs": [round(x, 1) for x in peer],
    }
    print(f"train: botsdk {ours_med:.0f} samples/s, plain torch {peer_med:.0f} samples/s, "
          f"ratio (median of pairs) {ratio:.3f}", file=sys.stderr)
    return result
