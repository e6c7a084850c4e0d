"""The habit judge and per-player verdicts on rounds built by hand: the judge learns the habit that differs and
ignores the ones that do not, a judge shown nothing learns nothing, and a player's verdict pools its rounds."""

import numpy as np
import pytest

from botsdk.evaluation.features import Episode
from botsdk.evaluation.habit_judge import HabitJudge, habit_matrix
from botsdk.evaluation.habits import HABITS
from botsdk.evaluation.stats import auc
from botsdk.evaluation.turing import TuringResult, judge_aucs, mean_auc, per_player

SWING = list(HABITS).index("aim swing after the answer")


def _figures(rng: np.random.Generator, rounds: int, swing: float) -> np.ndarray:
    """Rounds of habit figures: every habit noise around the same level but the aim's swing, centred on `swing`;
    a third of the rounds answered no enemy (NaN answer figures)."""
    figures = rng.normal(1.0, 1.0, (rounds, len(HABITS)))
    figures[:, SWING] = rng.normal(swing, 1.0, rounds)
    figures[::3, SWING] = np.nan
    return figures


def test_the_judge_learns_the_habit_that_differs():
    rng = np.random.default_rng(0)
    judge = HabitJudge.fit(_figures(rng, 60, 1.3), _figures(rng, 60, 0.2))
    assert np.argmax(np.abs(judge.weights)) == SWING and judge.weights[SWING] < 0
    people, lacking = judge.scores(_figures(rng, 60, 1.3)), judge.scores(_figures(rng, 60, 0.2))
    assert auc(lacking, people) > 0.65
    same = HabitJudge.fit(_figures(rng, 60, 1.3), _figures(rng, 60, 1.3))
    assert abs(auc(same.scores(_figures(rng, 60, 1.3)), same.scores(_figures(rng, 60, 1.3))) - 0.5) < 0.15


def test_a_judge_shown_nothing_scores_every_round_alike():
    zeros = np.zeros((10, len(HABITS)))
    judge = HabitJudge.fit(zeros, zeros)
    assert np.all(judge.scores(np.ones((5, len(HABITS)))) == 0.0)


def test_the_judge_needs_rounds_of_both_classes():
    with pytest.raises(ValueError, match="at least 2 rounds a class"):
        HabitJudge.fit(np.zeros((1, len(HABITS))), np.zeros((5, len(HABITS))))


def test_habit_matrix_reads_one_row_per_round():
    steps = 30
    cues = np.zeros((steps + 1, 9), np.float32)
    cues[:, 2] = 1.0
    episode = Episode(np.zeros((steps + 1, 2)), np.zeros(steps + 1), np.zeros((steps, 4), np.int64), np.zeros(steps),
                      {}, None, cues)
    figures = habit_matrix([episode, episode])
    assert figures.shape == (2, len(HABITS)) and np.isnan(figures[0, SWING])
    assert habit_matrix([]).shape == (0, len(HABITS))


def _episode(player: str | None) -> Episode:
    return Episode(np.zeros((2, 2)), np.zeros(2), np.zeros((1, 4), np.int64), np.zeros(1),
                   {} if player is None else {"player": player})


def test_a_player_is_scored_by_the_mean_of_its_rounds():
    episodes = [_episode("a"), _episode("b"), _episode("a"), _episode(None), _episode(None)]
    scores = np.array([1.0, 5.0, 3.0, 7.0, 9.0])
    assert per_player(episodes, scores).tolist() == [2.0, 5.0, 7.0, 9.0]


def test_the_sharper_judge_gives_the_figure():
    """Two judges of the same players: the AUC reported is the higher judge's, each judge's is kept, and the
    interval is that of the figure reported."""
    rng = np.random.default_rng(1)
    people, candidate = rng.normal(0, 1, (2, 30)), rng.normal(0, 1, (2, 30))
    candidate[1] += 1.5                                        # only the habit judge tells them apart
    run = TuringResult(0.0, (0.0, 0.0), 0.5, (0.5, 0.5), (0, 0), (30, 30), 0,
                       scores={"watch": (people[0], candidate[0]), "habits": (people[1], candidate[1])})
    judges = judge_aucs([run])
    value, (lo, hi) = mean_auc([run], seed=0)
    assert value == pytest.approx(judges["habits"], abs=1e-4) and judges["habits"] > 0.8 > judges["watch"]
    assert lo <= value <= hi
    with pytest.raises(ValueError, match="different judges"):
        mean_auc([run, TuringResult(0.0, (0.0, 0.0), 0.5, (0.5, 0.5), (0, 0), (30, 30), 1,
                                    scores={"watch": (people[0], candidate[0])})], seed=0)
