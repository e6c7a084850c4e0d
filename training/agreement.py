"""Top-1 action agreement with demonstrations, and its ceiling.

A stochastic demonstrator that draws from p(a|s) is matched by a predictor that knows s (argmax p) with
probability max p(a|s), so the oracle ceiling is the mean of the demonstrator's own max probability (per head;
jointly, the most likely joint action's probability when the demonstrator reports it — its heads are not
independent when a step mixes several ways of going — else the product over heads). Part of s is private (which
player it is, which spot it set off for): the observer ceiling scores the best predictor that sees only the history,
p(a*|s) for its prediction a* (botsdk.arena.posterior), and is what an imitator can achieve.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch
from torch.nn import functional as F

from botsdk.training.models import PolicyBase
from botsdk.training.tensors import DemoTensors, padded_episode_rows


@torch.no_grad()
def policy_logits(policy: PolicyBase, obs: torch.Tensor, style: torch.Tensor,
                  episode_start: torch.Tensor, episode_length: torch.Tensor, history: torch.Tensor | None = None,
                  chunk: int = 8192, episodes_per_call: int = 64) -> list[torch.Tensor]:
    """Logits for every row; a recurrent policy runs each episode from a zero state, as it would in play.
    `history`: the rows' action history (None: computed from nothing, for a policy that reads none)."""
    if not policy.recurrent:
        parts = [policy.logits(obs[i:i + chunk], style[i:i + chunk], None if history is None else history[i:i + chunk])
                 for i in range(0, obs.shape[0], chunk)]
        return [torch.cat([p[h] for p in parts]) for h in range(len(policy.head_sizes))]
    out = [torch.empty(obs.shape[0], n, device=obs.device) for n in policy.head_sizes]
    for first in range(0, len(episode_start), episodes_per_call):
        # Padded to the longest episode of the call; a GRU is causal, so padding after an episode's end never
        # changes its own steps' logits.
        rows, valid = padded_episode_rows(episode_start[first:first + episodes_per_call].to(obs.device),
                                          episode_length[first:first + episodes_per_call].to(obs.device))
        logits = policy.logits(obs[rows], style[rows[:, 0]], None if history is None else history[rows])
        for head, target in zip(logits, out):
            target[rows[valid]] = head[valid]
    return out


@torch.no_grad()
def evaluate_tensors(policy: PolicyBase, data: DemoTensors, window: int = 0) -> dict[str, float]:
    """Validation metrics: summed per-head cross-entropy and top-1 agreement per head and joint."""
    logits = policy_logits(policy, data.obs, data.style, data.episode_start, data.episode_length, data.history)
    actions = data.actions
    if data.learn is not None:  # judged on the player's own choices, as it was trained
        keep = data.learn.to(actions.device)
        logits, actions = [head[keep] for head in logits], actions[keep]
    metrics: dict[str, float] = {}
    losses, hits = [], []
    for i, (name, head) in enumerate(zip(policy.head_names, logits)):
        losses.append(F.cross_entropy(head, actions[:, i]))
        hits.append(head.argmax(dim=-1) == actions[:, i])
    values = torch.stack([torch.stack(losses).sum()] + [h.float().mean() for h in hits]
                         + [torch.stack(hits).all(dim=0).float().mean()]).tolist()
    metrics["bc_loss"] = values[0]
    for name, value in zip(policy.head_names, values[1:-1]):
        metrics[f"agree_{name}"] = value
    metrics["agree_joint"] = values[-1]
    return metrics


def agreement_vs_ceiling(predicted: np.ndarray, actions: np.ndarray, probs: Sequence[np.ndarray],
                         head_names: Sequence[str], joint_max: np.ndarray | None = None,
                         observer: tuple[np.ndarray, np.ndarray] | None = None,
                         groups: np.ndarray | None = None) -> dict[str, dict[str, float]]:
    """predicted, actions: int64[N, H]; probs[h]: float[N, n_h], the demonstrator's distributions; joint_max:
    float[N], its most likely joint action's probability (default: the product of the heads' maxima); observer:
    (float[N], float[N, H]), the demonstrator's probability of the best possible imitator's prediction, jointly and
    per head (botsdk.arena.posterior); groups: int[N], each step's match. Returns per head and 'joint': model
    agreement, ceiling, their ratio, and with `observer` the observer ceiling and the ratio to it; with `groups`, the
    joint ratios' 95% intervals over matches (`ratio_95`, `observer_ratio_95`)."""
    out: dict[str, dict[str, float]] = {}
    max_probs = np.stack([p.max(axis=1) for p in probs], axis=1)
    hits = predicted == actions
    seen = [None] * len(head_names) if observer is None else list(np.asarray(observer[1]).T)
    for i, name in enumerate(head_names):
        out[name] = _entry(hits[:, i].mean(), max_probs[:, i].mean(), seen[i])
    joint = max_probs.prod(axis=1) if joint_max is None else np.asarray(joint_max, dtype=np.float64)
    joint_hits = hits.all(axis=1)
    out["joint"] = _entry(joint_hits.mean(), joint.mean(), None if observer is None else observer[0])
    if groups is not None:
        out["joint"]["ratio_95"] = ratio_interval(joint_hits, joint, groups)
        if observer is not None:
            out["joint"]["observer_ratio_95"] = ratio_interval(joint_hits, observer[0], groups)
    return out


def ratio_interval(hits: np.ndarray, ceiling: np.ndarray, groups: np.ndarray, draws: int = 2000,
                   seed: int = 0) -> list[float]:
    """95% bootstrap interval of sum(hits) / sum(ceiling), resampling whole groups (matches): a match's steps are
    not independent, and a hard match lowers agreement and ceiling together, so each is drawn as a pair."""
    _, index = np.unique(np.asarray(groups), return_inverse=True)
    per_hits = np.bincount(index, np.asarray(hits, np.float64))
    per_ceiling = np.bincount(index, np.asarray(ceiling, np.float64))
    picks = np.random.default_rng(seed).integers(0, len(per_hits), (draws, len(per_hits)))
    ratios = per_hits[picks].sum(axis=1) / np.maximum(per_ceiling[picks].sum(axis=1), 1e-12)
    low, high = np.percentile(ratios, [2.5, 97.5])
    return [round(float(low), 4), round(float(high), 4)]


def _entry(agreement: float, ceiling: float, observer: np.ndarray | None = None) -> dict[str, float]:
    out = {"agreement": round(float(agreement), 4), "ceiling": round(float(ceiling), 4),
           "ratio": round(float(agreement / ceiling), 4) if ceiling > 0 else float("nan")}
    if observer is not None:
        seen = float(np.mean(observer))
        out["observer_ceiling"] = round(seen, 4)
        out["observer_ratio"] = round(float(agreement / seen), 4) if seen > 0 else float("nan")
    return out
