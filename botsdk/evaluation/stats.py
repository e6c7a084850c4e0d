"""AUC, balanced accuracy and episode-level bootstrap intervals (windows of one episode are not independent,
so intervals resample whole episodes)."""

from __future__ import annotations

from typing import Callable, Hashable, Mapping

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
    return grouped_bootstrap_ci(lambda picks: stat(*picks[0]), {0: (n_pos, n_neg)}, seed, resamples, level)


def grouped_bootstrap_ci(stat: Callable[[dict[Hashable, tuple[np.ndarray, np.ndarray]]], float],
                         sizes: Mapping[Hashable, tuple[int, int]], seed: int, resamples: int = 300,
                         level: float = 0.95) -> tuple[float, float]:
    """Percentile interval of a statistic over several independent samples (each a (positive, negative) pair of
    episode counts, e.g. the two halves of a cross-fitted test): each resample draws every sample's episodes
    within each class, and `stat` receives {sample: (pos_episode_idx, neg_episode_idx)}."""
    rng = np.random.default_rng(seed)
    values = [stat({key: (rng.integers(0, n_pos, n_pos), rng.integers(0, n_neg, n_neg))
                    for key, (n_pos, n_neg) in sizes.items()}) for _ in range(resamples)]
    tail = (1.0 - level) / 2.0 * 100
    return float(np.percentile(values, tail)), float(np.percentile(values, 100 - tail))
