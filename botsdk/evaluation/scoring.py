"""How well an exported model predicts recorded play: top-1 agreement and negative log-likelihood per head and jointly.

Scoring runs the ONNX file through the torch-free runtime, exactly as it serves: every episode is stepped in order
from a zero state (a recurrent model carries its state across the episode's steps), styled by the persona its
episode is labelled with. Any dataset works, whoever recorded it, so one number compares models, libraries and
splits. Steps a recording marks as disturbed are stepped (they are the history after them) but not scored.
Agreement reads the argmax of the logits; NLL is the cross-entropy of the softmax of the logits (the
distribution the model was trained to fit, before any sampling temperature).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from botsdk.contract import BehaviourContract
from botsdk.contract.compat import check_compatible
from botsdk.dataset import Dataset
from botsdk.dataset.episode_file import chosen_steps
from botsdk.export.runtime import BotRuntime

EPISODES_PER_PASS = 256  # episodes stepped side by side; bounds memory to one pass's observations


@dataclass
class EpisodeScore:
    """Per-step hits (bool[T, H]) and negative log-likelihoods (float64[T, H]) of one episode."""

    style: str
    hits: np.ndarray
    nll: np.ndarray


def score_model(model: str | Path, data: str | Path, episode_ids: Sequence[int] | None = None,
                threads: int = 1) -> dict[str, Any]:
    """Agreement and NLL of the model at `model` on the episodes of the dataset at `data` (all by default).

    Returns {"model", "data", "episodes", "steps", "heads": {head: {"agreement", "nll"}},
    "joint": {"agreement", "nll"}, "by_style": {style: {"steps", "joint_agreement", "nll"}}}; "joint" NLL is the
    sum over heads (the heads are predicted independently)."""
    runtime = BotRuntime(model, seed=0, greedy=True, threads=threads)
    dataset = Dataset.open(data)
    check_compatible(runtime.contract, dataset.contract, model_label=f"model {Path(model).name}",
                     other_label=f"dataset {dataset.root}")
    ids = [e.id for e in dataset.episodes] if episode_ids is None else list(episode_ids)
    if not ids:
        raise ValueError(f"dataset {dataset.root}: expected at least one episode to score, got none")
    scores: list[EpisodeScore] = []
    for first in range(0, len(ids), EPISODES_PER_PASS):
        scores += _score_pass(runtime, dataset, ids[first:first + EPISODES_PER_PASS])
    return _summarise(scores, runtime.contract, str(model), str(dataset.root))


def _score_pass(runtime: BotRuntime, dataset: Dataset, ids: Sequence[int]) -> list[EpisodeScore]:
    """Step the given episodes side by side, one decision per episode per step, in each episode's order."""
    contract = runtime.contract
    episodes = [_read_episode(dataset, i, contract) for i in ids]
    styles = np.stack([_style_vector(contract, style) for style, _, _, _ in episodes])
    lengths = np.array([len(actions) for _, _, actions, _ in episodes])
    n_heads = len(contract.head_sizes)
    hits = np.zeros((len(ids), int(lengths.max()), n_heads), bool)
    nll = np.zeros((len(ids), int(lengths.max()), n_heads), np.float64)
    agents = [f"episode-{i}" for i in ids]
    for t in range(int(lengths.max())):
        rows = np.flatnonzero(lengths > t)
        obs = np.stack([episodes[r][1][t] for r in rows])
        ids = [agents[r] for r in rows]
        if t:  # the recorded player's own last action, not the model's: each step is scored on the recording's history
            runtime.applied(ids, np.stack([episodes[r][2][t - 1] for r in rows]).astype(np.int64))
        runtime.act(ids, obs, styles[rows], np.full(len(rows), t == 0))
        taken = np.stack([episodes[r][2][t] for r in rows])
        for h, logits in enumerate(runtime.last_logits):
            log_probs = _log_softmax(logits.astype(np.float64))
            hits[rows, t, h] = logits.argmax(axis=1) == taken[:, h]
            nll[rows, t, h] = -log_probs[np.arange(len(rows)), taken[:, h]]
    runtime.end(agents)
    # a disturbed step (botsdk.arena.disturbance) is history for the steps after it, not the player's choice
    return [EpisodeScore(style, hits[k, :n][own], nll[k, :n][own])
            for k, ((style, _, _, own), n) in enumerate(zip(episodes, lengths))]


def _read_episode(dataset: Dataset, episode_id: int, contract: BehaviourContract
                  ) -> tuple[str, np.ndarray, np.ndarray, np.ndarray]:
    """(style label, obs float32[T, O], actions int64[T, H], own bool[T]: the steps the player chose) with every
    action index checked against its head."""
    episode = dataset.episode(int(episode_id))
    actions = np.asarray(episode["actions"], np.int64)
    obs = np.ascontiguousarray(np.asarray(episode["observations"], np.float32)[: len(actions)])
    sizes = np.asarray(contract.head_sizes)
    bad = (actions < 0) | (actions >= sizes)
    if bad.any():
        step, head = (int(x) for x in np.argwhere(bad)[0])
        raise ValueError(f"episode {episode_id} step {step}: expected head {contract.head_names[head]!r} "
                         f"in 0..{sizes[head] - 1}, got {int(actions[step, head])}")
    own = chosen_steps(episode, len(actions))
    own = np.ones(len(actions), bool) if own is None else own
    return str(episode["meta"].get("style", "")), obs, actions, own


def _style_vector(contract: BehaviourContract, label: str) -> np.ndarray:
    """The persona vector of an episode's style label; labels that are not personas get the zero style."""
    style = contract.style
    if label in style.persona_names:
        return np.asarray(style.persona(label), np.float32)
    return np.zeros(style.size, np.float32)


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def _summarise(scores: list[EpisodeScore], contract: BehaviourContract, model: str, data: str) -> dict[str, Any]:
    hits = np.concatenate([s.hits for s in scores])
    nll = np.concatenate([s.nll for s in scores])
    heads = {name: {"agreement": round(float(hits[:, h].mean()), 4), "nll": round(float(nll[:, h].mean()), 4)}
             for h, name in enumerate(contract.head_names)}
    by_style: dict[str, Any] = {}
    for style in sorted({s.style for s in scores}):
        chosen = [s for s in scores if s.style == style]
        style_hits = np.concatenate([s.hits for s in chosen])
        style_nll = np.concatenate([s.nll for s in chosen])
        by_style[style] = {"episodes": len(chosen), "steps": int(len(style_hits)),
                           "joint_agreement": round(float(style_hits.all(axis=1).mean()), 4),
                           "nll": round(float(style_nll.sum(axis=1).mean()), 4)}
    return {"model": model, "data": data, "episodes": len(scores), "steps": int(len(hits)), "heads": heads,
            "joint": {"agreement": round(float(hits.all(axis=1).mean()), 4),
                      "nll": round(float(nll.sum(axis=1).mean()), 4)},
            "by_style": by_style}
