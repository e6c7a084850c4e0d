"""The automated Turing test: two judges, trained fresh for each comparison, tell reference people (label 0) from
candidate episodes (label 1), and each judges a *player* over all the rounds that player played in the half.

It trains on one half and is scored on the other, and the halves share no player and no match: people/train
against the candidate's episodes in the others/train matches, then people/test against the candidate's
others/test matches (see reference.py). Several discriminators take turns: the second trains on the test half
and scores the train half, and so on, so every episode is judged by a discriminator that never saw it and the
mean AUC rests on twice the episodes for the same work.

The judges:
    watch    a GRU reads each round step by step, with what each step showed (observation cues) next to what the
             player did, and scores it by its mean per-step log-odds (classifier.py)
    habits   a linear judge of the round's habit figures (habit_judge.py): what shows a few steps a round
The watcher scores a player by the mean of its rounds' scores; the habit judge reads the player's habits over all
its rounds together. Each gives an AUC over players. The candidate's AUC is the sharper judge's (the higher AUC):
a bot passes only if neither can tell it. The floor (other people as the candidate) is read the same way, so it
shows what taking the sharper of two judges costs; it must sit near 0.5 and the power panel (people with a human
trait removed) well above it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Sequence

import numpy as np

from botsdk.evaluation.classifier import SequenceConfig, train_sequence_classifier
from botsdk.evaluation.features import MIN_STEPS, Episode, FeatureScale, step_features
from botsdk.evaluation.habit_judge import HabitJudge, habit_matrix, player_habit_matrix
from botsdk.evaluation.stats import auc, balanced_accuracy, bootstrap_ci, grouped_bootstrap_ci

WATCH, HABITS_JUDGE = "watch", "habits"
Scores = tuple[np.ndarray, np.ndarray]   # (reference, candidate) scores of the judged half, one per player


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
    # per judge, the judged players' scores (reference, candidate): what `mean_auc` averages discriminators over;
    # a bare (reference, candidate) pair is one judge
    scores: dict[str, Scores] | Scores | None = field(default=None, repr=False, compare=False)
    test_players: tuple[int, int] = (0, 0)
    judges: dict[str, float] = field(default_factory=dict)   # each judge's AUC

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "scores"}

    def judged(self) -> dict[str, Scores]:
        if self.scores is None:
            raise ValueError("mean_auc needs runs that kept their test scores (turing_test results)")
        return self.scores if isinstance(self.scores, dict) else {WATCH: self.scores}


def mean_auc(runs: Sequence[TuringResult], seed: int, resamples: int = 300) -> tuple[float, tuple[float, float]]:
    """The sharper judge's mean AUC over several discriminators, with a player-bootstrap 95% interval of that
    figure: each resample draws the players of each judged half once and scores every judge of every discriminator
    that judged that half on them, so the interval belongs to the figure reported (the sharper judge is taken
    anew in each resample). One run gives its own AUC and interval."""
    judged = [run.judged() for run in runs]
    names = sorted(set().union(*judged))
    if any(set(j) != set(names) for j in judged):
        raise ValueError("mean_auc: the runs were scored by different judges")
    sizes = _half_sizes(runs, judged)

    def best(picks: dict[str, tuple[np.ndarray, np.ndarray]]) -> float:
        return max(_judge_means(runs, judged, picks).values())

    everything = {half: (np.arange(n_c), np.arange(n_r)) for half, (n_c, n_r) in sizes.items()}
    lo, hi = grouped_bootstrap_ci(best, sizes, seed, resamples)
    return round(best(everything), 4), (round(lo, 4), round(hi, 4))


def judge_aucs(runs: Sequence[TuringResult]) -> dict[str, float]:
    """Each judge's mean AUC over the discriminators."""
    judged = [run.judged() for run in runs]
    sizes = _half_sizes(runs, judged)
    everything = {half: (np.arange(n_c), np.arange(n_r)) for half, (n_c, n_r) in sizes.items()}
    return {name: round(value, 4) for name, value in _judge_means(runs, judged, everything).items()}


def _half_sizes(runs: Sequence[TuringResult], judged: list[dict[str, Scores]]) -> dict[str, tuple[int, int]]:
    """half -> (candidate players, reference players); every judge of every run of a half scored the same."""
    sizes: dict[str, tuple[int, int]] = {}
    for run, scores in zip(runs, judged):
        for r, c in scores.values():
            seen = sizes.setdefault(run.scored_half, (len(c), len(r)))
            if seen != (len(c), len(r)):
                raise ValueError(f"mean_auc: the runs that judged the {run.scored_half} half were scored on "
                                 f"different test episodes")
    return sizes


def _judge_means(runs: Sequence[TuringResult], judged: list[dict[str, Scores]],
                 picks: dict[str, tuple[np.ndarray, np.ndarray]]) -> dict[str, float]:
    out = {}
    for name in judged[0]:
        values = []
        for run, scores in zip(runs, judged):
            r, c = scores[name]
            ic, ir = picks[run.scored_half]
            values.append(auc(c[ic], r[ir]))
        out[name] = float(np.mean(values))
    return out


def judges_train_half(k: int) -> bool:
    """Whether the k-th of several discriminators swaps halves (trains on the test half, judges the train half):
    every other one does, so the two halves are judged alike."""
    return k % 2 == 1


def turing_test(reference: tuple[Sequence[Episode], Sequence[Episode]],
                candidate: tuple[Sequence[Episode], Sequence[Episode]], head_sizes: Sequence[int],
                scale: FeatureScale, seed: int = 0, config: SequenceConfig = SequenceConfig(),
                resamples: int = 300, with_cues: bool | None = None, blind: bool = False,
                swap: bool = False) -> TuringResult:
    """`reference` and `candidate` are (train, test) episode lists. The sharper judge's AUC over the test halves'
    players with a player-bootstrap 95% interval (each judge's in `judges`), and the watcher's balanced accuracy
    per episode. `swap` trains on the test halves and judges the train
    halves. `blind` hides every feature from the discriminator (it sees zeros): a judge that watched nothing, which
    any power check must fail."""
    (ref_train, ref_test), (cand_train, cand_test) = reference, candidate
    if swap:
        (ref_train, ref_test), (cand_train, cand_test) = (ref_test, ref_train), (cand_test, cand_train)
    if with_cues is None:
        with_cues = all(e.cues is not None for e in (*ref_train, *ref_test, *cand_train, *cand_test))
    ref_train, ref_test, cand_train, cand_test = (_long_enough(eps) for eps in (ref_train, ref_test, cand_train,
                                                                                 cand_test))
    if not ref_test or not cand_test:
        raise ValueError(f"the test half holds {len(ref_test)} reference and {len(cand_test)} candidate episodes of "
                         f"at least {MIN_STEPS} steps; expected both > 0 (play more matches)")
    feats = lambda eps: [step_features(e, scale, head_sizes, with_cues) for e in eps]
    xr_train, xc_train, xr_test, xc_test = feats(ref_train), feats(cand_train), feats(ref_test), feats(cand_test)
    if blind:
        xr_train, xc_train, xr_test, xc_test = ([np.zeros_like(x) for x in xs]
                                                for xs in (xr_train, xc_train, xr_test, xc_test))
    model = train_sequence_classifier(xr_train, xc_train, seed, config)
    score_r, score_c = model.episode_scores(xr_test), model.episode_scores(xc_test)
    players = {WATCH: (per_player(ref_test, score_r), per_player(cand_test, score_c))}
    if with_cues:
        players[HABITS_JUDGE] = _habit_scores(ref_train, cand_train, ref_test, cand_test, blind)
    threshold = 0.0   # log-odds 0: the classes were sampled equally in training

    def acc_of(ic: np.ndarray, ir: np.ndarray) -> float:
        return balanced_accuracy(score_c[ic] > threshold, score_r[ir] > threshold)

    n_c, n_r = len(score_c), len(score_r)
    result = TuringResult(
        auc=float("nan"), auc_ci=(float("nan"), float("nan")),
        episode_accuracy=round(acc_of(np.arange(n_c), np.arange(n_r)), 4),
        episode_accuracy_ci=tuple(round(v, 4) for v in bootstrap_ci(acc_of, n_c, n_r, seed + 1, resamples)),
        train_episodes=(len(xr_train), len(xc_train)), test_episodes=(n_r, n_c), seed=seed,
        scored_half="train" if swap else "test", scores=players,
        test_players=(len(players[WATCH][0]), len(players[WATCH][1])),
    )
    result.auc, result.auc_ci = mean_auc([result], seed, resamples)   # one discriminator: its own AUC and interval
    result.judges = judge_aucs([result])
    return result


def _long_enough(episodes: Sequence[Episode]) -> list[Episode]:
    return [e for e in episodes if e.steps >= MIN_STEPS]


def _habit_scores(ref_train: Sequence[Episode], cand_train: Sequence[Episode], ref_test: Sequence[Episode],
                  cand_test: Sequence[Episode], blind: bool) -> Scores:
    """The habit judge's player scores of the test halves, learned on the train halves' rounds."""
    train = [habit_matrix(eps) for eps in (ref_train, cand_train)]
    test = [player_habit_matrix(eps, players_of(eps)) for eps in (ref_test, cand_test)]
    if blind:
        train, test = [np.zeros_like(f) for f in train], [np.zeros_like(f) for f in test]
    judge = HabitJudge.fit(*train)
    return judge.scores(test[0]), judge.scores(test[1])


def players_of(episodes: Sequence[Episode]) -> list[list[int]]:
    """Episode indices of each player, players in order of first appearance (an episode that names no player is
    a player of its own)."""
    rounds: dict[Any, list[int]] = {}
    for k, episode in enumerate(episodes):
        rounds.setdefault(episode.meta.get("player", ("episode", k)), []).append(k)
    return list(rounds.values())


def per_player(episodes: Sequence[Episode], scores: np.ndarray) -> np.ndarray:
    """The mean score of each player's rounds (players_of's order)."""
    return np.array([np.mean(scores[rounds]) for rounds in players_of(episodes)], np.float64)


def halves(episodes: Sequence[Episode]) -> tuple[list[Episode], list[Episode]]:
    """(train, test) by the fold each episode carries (`meta["fold"]` ends in /train or /test)."""
    train = [e for e in episodes if str(e.meta.get("fold", "")).endswith("/train")]
    test = [e for e in episodes if str(e.meta.get("fold", "")).endswith("/test")]
    return train, test
