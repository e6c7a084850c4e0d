"""Training throughput: the botsdk Trainer vs a minimal plain-PyTorch loop, same model, same tensors, same run.

Both train the default configuration (`TrainConfig()`: model, sizes, the action history and the style-encoder term
when on, as users get them) with Adam (batched over tensors, `foreach`, in both) on the same in-memory
demonstrations and batch size; the peer is the shortest correct loop for the same objective (randperm slices,
forward, summed cross-entropy, the encoder's terms, step), so the ratio is loop overhead on the same work.
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
    """The shortest correct loop for the same objective: summed cross-entropy per head, plus (when the config has
    the style encoder on, as by default) the encoder's BC term on other steps of the same player and its pull
    towards the persona vector."""
    import torch
    from torch.nn import functional as F

    from botsdk.training.models import build_policy
    from botsdk.training.style import StyleEncoder, actions_onehot

    torch.manual_seed(config.seed)
    policy = build_policy(contract, config)
    encoder = StyleEncoder(contract, config) if config.style_encoder else None
    params = list(policy.parameters()) + (list(encoder.parameters()) if encoder is not None else [])
    optimizer = torch.optim.Adam(params, lr=config.lr, foreach=True)  # the Trainer's batched Adam: same work
    perm = torch.randperm(data.size)
    per_epoch = data.size // config.batch_size
    groups, size, targets = config.encoder_groups, config.encoder_set_size, config.encoder_targets

    def bc(obs, actions, style, history):
        logits = policy.logits(obs, style, history)  # history: the rows' own (precomputed with the tensors)
        return sum(F.cross_entropy(head, actions[:, i]) for i, head in enumerate(logits))

    started = time.perf_counter()
    for step in range(config.max_steps):
        if step and step % per_epoch == 0:
            perm = torch.randperm(data.size)
        idx = perm[(step % per_epoch) * config.batch_size:(step % per_epoch + 1) * config.batch_size]
        loss = bc(data.obs[idx], data.actions[idx], data.style[idx], data.history[idx])
        if encoder is not None and step % config.encoder_every == 0:
            chosen = torch.randint(len(data.group_length), (groups,))
            offsets = (torch.rand(groups, size + targets) * data.group_length[chosen][:, None]).long()
            rows = data.group_order[data.group_start[chosen][:, None] + offsets]
            enc, tgt = rows[:, :size], rows[:, size:]
            style = encoder.encode_sets(data.obs[enc], actions_onehot(data.actions[enc], policy.head_sizes))
            pull = (style - data.group_style[chosen]).pow(2).sum(-1).mean()
            target = bc(data.obs[tgt].reshape(groups * targets, -1), data.actions[tgt].reshape(groups * targets, -1),
                        style.repeat_interleave(targets, dim=0), data.history[tgt].reshape(groups * targets, -1))
            loss = loss + config.encoder_every * (config.encoder_weight * target + config.encoder_pull * pull)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    return config.max_steps * config.batch_size / (time.perf_counter() - started)


def run(quick: bool = False) -> dict[str, Any]:
    import torch

    from botsdk.training.config import TrainConfig

    torch.set_num_threads(1)  # one thread on both sides: steadier on a shared machine, same work per sample
    samples, pairs, rows = (20_480, 5, 8192) if quick else (51_200, 9, 16384)
    steps = max(10, samples // TrainConfig().batch_size)  # the same samples per run whatever the default batch
    config = TrainConfig(max_steps=steps, log_every=50, eval_every=10**9, checkpoint_every=10**9,
                         progress=False)  # the default model and objective; only the run's length and logging change
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
        "configuration": {k: config.to_dict()[k] for k in ("model", "hidden_sizes", "style_encoder", "dropout",
                                                            "action_history", "input_features", "batch_size", "lr")},
        "steps_per_run": steps, "pairs": pairs, "rows": data.size, "threads": torch.get_num_threads(),
        "botsdk_samples_per_s": round(ours_med, 1), "plain_torch_samples_per_s": round(peer_med, 1),
        "ratio": round(ratio, 3), "ratio_definition": "median over back-to-back pairs of botsdk / plain",
        "pair_ratios": [round(r, 3) for r in ratios],
        "botsdk_runs": [round(x, 1) for x in ours], "plain_runs": [round(x, 1) for x in peer],
    }
    print(f"train: botsdk {ours_med:.0f} samples/s, plain torch {peer_med:.0f} samples/s, "
          f"ratio (median of pairs) {ratio:.3f}", file=sys.stderr)
    return result
