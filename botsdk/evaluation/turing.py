"""The automated Turing test: a discriminator, trained fresh for each comparison, tells reference people (label 0)
from candidate episodes (label 1).

It trains on one half and is scored on the other, and the halves share no player and no match: people/train
against the candidate's episodes in the others/train matches, then people/test against the candidate's
others/test matches (see reference.py). Several discriminators take turns: the second trains on the test half
and scores the train half, and so on, so every episode is judged by a discriminator that never saw it and the
mean AUC rests on twice the episodes for the same work. The discriminator reads whole episodes, step by step,
with what each step showed (observation cues) next to what the player did, and judges each episode by its mean
per-step log-odds: a judge watching one round. AUC 0.5 means indistinguishable; the floor (other people as the
candidate) must sit near 0.5 and the power panel (people with a human trait removed) well above it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Sequence

import numpy as np

from botsdk.evaluation.classifier import SequenceConfig, train_sequence_classifier
from botsdk.evaluation.features import MIN_STEPS, Episode, FeatureScale, step_features
from botsdk.evaluation.stats import auc, balanced_accuracy, bootstrap_ci, grouped_bootstrap_ci


@dataclass
class TuringResult:
    auc: float
    auc_ci: tuple[float, float]
    episode_accuracy: float
    episode_accuracy_ci: tuple[float, float]
    train_episodes: tuple[int, int]   # (reference, candidate)
    test_episodes: tuple[int, int]
    seed: int
    scored_half: str = "test"         # which half it judged: "test", or "train" for a discriminator trained on test
    # the test episodes' scores (reference, candidate): what `mean_auc` averages discriminators over
    scores: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "scores"}


def mean_auc(runs: Sequence[TuringResult], seed: int, resamples: int = 300) -> tuple[float, tuple[float, float]]:
    """The mean AUC of several discriminators, with an episode-bootstrap 95% interval of that mean: each resample
    draws the episodes of each judged half once and scores every discriminator that judged that half on them, so
    the interval belongs to the figure reported. One run gives its own AUC and interval."""
    if any(run.scores is None for run in runs):
        raise ValueError("mean_auc needs runs that kept their test scores (turing_test results)")
    groups: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
    for run in runs:
        groups.setdefault(run.scored_half, []).append(run.scores)
    sizes = {}
    for half, scored in groups.items():
        n_r, n_c = len(scored[0][0]), len(scored[0][1])
        if any(len(r) != n_r or len(c) != n_c for r, c in scored):
            raise ValueError(f"mean_auc: the runs that judged the {half} half were scored on different test episodes")
        sizes[half] = (n_c, n_r)

    def mean_of(picks: dict[str, tuple[np.ndarray, np.ndarray]]) -> float:
        return float(np.mean([auc(c[picks[half][0]], r[picks[half][1]]) for half, scored in groups.items()
                              for r, c in scored]))

    everything = {half: (np.arange(n_c), np.arange(n_r)) for half, (n_c, n_r) in sizes.items()}
    lo, hi = grouped_bootstrap_ci(mean_of, sizes, seed, resamples)
    return round(mean_of(everything), 4), (round(lo, 4), round(hi, 4))


def judges_train_half(k: int) -> bool:
    """Whether the k-th of several discriminators swaps halves (trains on the test half, judges the train half):
    every other one does, so the two halves are judged alike."""
    return k % 2 == 1


def turing_test(reference: tuple[Sequence[Episode], Sequence[Episode]],
                candidate: tuple[Sequence[Episode], Sequence[Episode]], head_sizes: Sequence[int],
                scale: FeatureScale, seed: int = 0, config: SequenceConfig = SequenceConfig(),
                resamples: int = 300, with_cues: bool | None = None, blind: bool = False,
                swap: bool = False) -> TuringResult:
    """`reference` and `candidate` are (train, test) episode lists. Episode AUC and balanced accuracy on the test
    halves, each with an episode-bootstrap 95% interval. `swap` trains on the test halves and judges the train
    halves. `blind` hides every feature from the discriminator (it sees zeros): a judge that watched nothing, which
    any power check must fail."""
    (ref_train, ref_test), (cand_train, cand_test) = reference, candidate
    if swap:
        (ref_train, ref_test), (cand_train, cand_test) = (ref_test, ref_train), (cand_test, cand_train)
    if with_cues is None:
        with_cues = all(e.cues is not None for e in (*ref_train, *ref_test, *cand_train, *cand_test))
    feats = lambda eps: [step_features(e, scale, head_sizes, with_cues) for e in eps if e.steps >= MIN_STEPS]
    xr_train, xc_train, xr_test, xc_test = feats(ref_train), feats(cand_train), feats(ref_test), feats(cand_test)
    if not xr_test or not xc_test:
        raise ValueError(f"the test half holds {len(xr_test)} reference and {len(xc_test)} candidate episodes of at "
                         f"least {MIN_STEPS} steps; expected both > 0 (play more matches)")
    if blind:
        xr_train, xc_train, xr_test, xc_test = ([np.zeros_like(x) for x in xs]
                                                for xs in (xr_train, xc_train, xr_test, xc_test))
    model = train_sequence_classifier(xr_train, xc_train, seed, config)
    score_r, score_c = model.episode_scores(xr_test), model.episode_scores(xc_test)
    threshold = 0.0   # log-odds 0: the classes were sampled equally in training

    def acc_of(ic: np.ndarray, ir: np.ndarray) -> float:
        return balanced_accuracy(score_c[ic] > threshold, score_r[ir] > threshold)

    n_c, n_r = len(score_c), len(score_r)
    result = TuringResult(
        auc=float("nan"), auc_ci=(float("nan"), float("nan")),
        episode_accuracy=round(acc_of(np.arange(n_c), np.arange(n_r)), 4),
        episode_accuracy_ci=tuple(round(v, 4) for v in bootstrap_ci(acc_of, n_c, n_r, seed + 1, resamples)),
        train_episodes=(len(xr_train), len(xc_train)), test_episodes=(n_r, n_c), seed=seed,
        scored_half="train" if swap else "test", scores=(score_r, score_c),
    )
    result.auc, result.auc_ci = mean_auc([result], seed, resamples)   # one discriminator: its own AUC and interval
    return result


def halves(episodes: Sequence[Episode]) -> tuple[list[Episode], list[Episode]]:
    """(train, test) by the fold each episode carries (`meta["fold"]` ends in /train or /test)."""
    train = [e for e in episodes if str(e.meta.get("fold", "")).endswith("/train")]
    test = [e for e in episodes if str(e.meta.get("fold", "")).endswith("/test")]
    return train, test
