"""The automated Turing test: a GRU discriminator, trained for each evaluation, tells reference episodes
(label 0, e.g. held-out demonstrators) from candidate episodes (label 1, e.g. the policy) over short windows.

Train and test are split by match (`meta["match"]`, the lineup index shared by the m-th match of every group,
else the match seed), so the discriminator never scores a match it trained on, and the two classes' test
matches have the same lineups (a split that paired different lineups biases the AUC below 0.5). 0.5 means
indistinguishable; run it on demonstrators against held-out demonstrators for the noise floor and on the
robotic bot for the power check."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Sequence

import numpy as np

from botsdk.evaluation.classifier import ClassifierConfig, train_classifier
from botsdk.evaluation.features import WINDOW, Episode, FeatureScale, episode_windows
from botsdk.evaluation.stats import auc, balanced_accuracy, bootstrap_ci


@dataclass
class TuringResult:
    auc: float
    auc_ci: tuple[float, float]
    episode_accuracy: float
    episode_accuracy_ci: tuple[float, float]
    train_windows: int
    test_windows: int
    test_episodes: tuple[int, int]   # (reference, candidate)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def split_seeds(seeds: Sequence[int], seed: int, test_fraction: float = 0.5) -> tuple[set[int], set[int]]:
    """Disjoint train/test sets of match seeds (at least one in each when there are two or more)."""
    uniq = np.array(sorted(set(int(s) for s in seeds)))
    if len(uniq) < 2:
        raise ValueError(f"a seed split needs episodes from at least 2 match seeds; received {uniq.tolist()}")
    perm = np.random.default_rng(seed).permutation(uniq)
    n_test = min(len(uniq) - 1, max(1, int(round(len(uniq) * test_fraction))))
    return set(perm[n_test:].tolist()), set(perm[:n_test].tolist())


def episode_seed(episode: Episode) -> int:
    """The split key: the lineup index when the evaluation plan set one, else the match seed."""
    for key in ("match", "seed"):
        if key in episode.meta:
            return int(episode.meta[key])
    raise ValueError(f"episode meta must hold the match 'seed'; received keys {sorted(episode.meta)}")


def turing_test(reference: Sequence[Episode], candidate: Sequence[Episode], head_sizes: Sequence[int],
                seed: int = 0, scale: FeatureScale | None = None, window: int = WINDOW,
                config: ClassifierConfig = ClassifierConfig(), resamples: int = 300) -> TuringResult:
    """Window AUC and episode balanced accuracy on held-out seeds, each with an episode-bootstrap 95% interval."""
    scale = scale or FeatureScale.fit(list(reference) + list(candidate))
    train_s, test_s = split_seeds([episode_seed(e) for e in (*reference, *candidate)], seed)
    parts = {}
    for name, seeds in (("train", train_s), ("test", test_s)):
        ref = [e for e in reference if episode_seed(e) in seeds]
        cand = [e for e in candidate if episode_seed(e) in seeds]
        parts[name] = (episode_windows(ref, scale, head_sizes, window), episode_windows(cand, scale, head_sizes, window))
    (xr, _), (xc, _) = parts["train"]
    x = np.concatenate([xr, xc])
    y = np.concatenate([np.zeros(len(xr), np.int64), np.ones(len(xc), np.int64)])
    model = train_classifier(x, y, 2, seed, config)
    (tr, tr_owner), (tc, tc_owner) = parts["test"]
    if len(tr) == 0 or len(tc) == 0:
        raise ValueError(f"held-out seeds {sorted(test_s)} gave {len(tr)} reference and {len(tc)} candidate windows; "
                         f"expected both > 0 (play more episodes)")
    score_r, score_c = model.predict_proba(tr)[:, 1], model.predict_proba(tc)[:, 1]
    return _summarise(score_r, tr_owner, score_c, tc_owner, len(x), seed, resamples)


def _group(scores: np.ndarray, owner: np.ndarray) -> list[np.ndarray]:
    return [scores[owner == i] for i in np.unique(owner)]


def _summarise(score_r: np.ndarray, owner_r: np.ndarray, score_c: np.ndarray, owner_c: np.ndarray,
               train_windows: int, seed: int, resamples: int) -> TuringResult:
    ref_eps, cand_eps = _group(score_r, owner_r), _group(score_c, owner_c)
    ref_mean = np.array([s.mean() for s in ref_eps])
    cand_mean = np.array([s.mean() for s in cand_eps])

    def auc_of(ic: np.ndarray, ir: np.ndarray) -> float:
        return auc(np.concatenate([cand_eps[i] for i in ic]), np.concatenate([ref_eps[i] for i in ir]))

    def acc_of(ic: np.ndarray, ir: np.ndarray) -> float:
        return balanced_accuracy(cand_mean[ic] > 0.5, ref_mean[ir] > 0.5)

    n_c, n_r = len(cand_eps), len(ref_eps)
    everything = (np.arange(n_c), np.arange(n_r))
    return TuringResult(
        auc=round(auc_of(*everything), 4),
        auc_ci=tuple(round(v, 4) for v in bootstrap_ci(auc_of, n_c, n_r, seed, resamples)),
        episode_accuracy=round(acc_of(*everything), 4),
        episode_accuracy_ci=tuple(round(v, 4) for v in bootstrap_ci(acc_of, n_c, n_r, seed + 1, resamples)),
        train_windows=int(train_windows), test_windows=int(len(score_r) + len(score_c)),
        test_episodes=(n_r, n_c),
    )
