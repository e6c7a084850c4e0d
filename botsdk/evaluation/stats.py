"""AUC, balanced accuracy and episode-level bootstrap intervals (windows of one episode are not independent,
so intervals resample whole episodes)."""

from __future__ import annotations

from typing import Callable

import numpy as np


def auc(scores_pos: np.ndarray, scores_neg: np.ndarray) -> float:
    """Area under the ROC curve (Mann-Whitney U with tied ranks averaged): P(score_pos > score_neg)."""
    n_pos, n_neg = len(scores_pos), len(scores_neg)
    if n_pos == 0 or n_neg == 0:
        raise ValueError(f"AUC needs scores of both classes; received {n_pos} positive and {n_neg} negative")
    allv = np.concatenate([scores_pos, scores_neg])
    order = np.argsort(allv, kind="mergesort")
    ranks = np.empty(len(allv), dtype=np.float64)
    sorted_v = allv[order]
    # average ranks over ties
    uniq, first, counts = np.unique(sorted_v, return_index=True, return_counts=True)
    avg = first + (counts - 1) / 2.0 + 1.0
    ranks[order] = np.repeat(avg, counts)
    u = ranks[:n_pos].sum() - n_pos * (n_pos + 1) / 2.0
    return float(u / (n_pos * n_neg))


def balanced_accuracy(pred_pos: np.ndarray, pred_neg: np.ndarray) -> float:
    """Mean of per-class accuracies for boolean 'predicted positive' arrays."""
    return float((np.mean(pred_pos) + np.mean(~pred_neg)) / 2.0)


def bootstrap_ci(stat: Callable[[np.ndarray, np.ndarray], float], n_pos: int, n_neg: int, seed: int,
                 resamples: int = 300, level: float = 0.95) -> tuple[float, float]:
    """Percentile interval of `stat(pos_episode_idx, neg_episode_idx)` over episode resamples within each class."""
    rng = np.random.default_rng(seed)
    values = [stat(rng.integers(0, n_pos, n_pos), rng.integers(0, n_neg, n_neg)) for _ in range(resamples)]
    tail = (1.0 - level) / 2.0 * 100
    return float(np.percentile(values, tail)), float(np.percentile(values, 100 - tail))
