"""The Turing test's second judge: it reads a player's habits (habits.py) instead of watching the play.

The discriminator that watches step by step (turing.py) catches what shows often: a missing reaction delay, no
mistakes, a turn without spread. A habit that shows a few steps a round, like the aim's swing on past an enemy
after the turn onto it, drowns in the mean over a round's steps; counted per round and summed over a player's
rounds, it does not. This judge learns, from the same training half as the watcher, how the candidate's rounds
differ from people's on the eight habit figures, and scores each round by that direction.

The direction is shrinkage linear discriminant analysis on standardised figures: one weight per habit, pulled
toward the plain mean difference, because a few dozen rounds a class cannot fit more without learning noise.
A round without a figure (no enemy answered) counts as the training mean on it. It is learned on rounds and
scores players: each player's figures are read over all its rounds together (habits.pooled_habits), so a round
with three answered enemies says three times what a round with one says.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from botsdk.evaluation.features import Episode
from botsdk.evaluation.habits import HABITS, Tally, pooled_habits, round_tallies

SHRINKAGE = 1.0   # ridge added to the pooled within-class correlation matrix of the standardised figures


def habit_matrix(episodes: Sequence[Episode]) -> np.ndarray:
    """float64[rounds, habits]: each round's habit figures (NaN where the round shows none)."""
    return _matrix([pooled_habits([round_tallies(e)]) for e in episodes])


def player_habit_matrix(episodes: Sequence[Episode], players: Sequence[Sequence[int]]) -> np.ndarray:
    """float64[players, habits]: each player's figures over its rounds (`players`: episode indices per player)."""
    tallies: list[dict[str, Tally]] = [round_tallies(e) for e in episodes]
    return _matrix([pooled_habits([tallies[i] for i in rounds]) for rounds in players])


def _matrix(rows: list[dict[str, float]]) -> np.ndarray:
    names = list(HABITS)
    return np.array([[row[name] for name in names] for row in rows], np.float64).reshape(len(rows), len(names))


@dataclass(frozen=True)
class HabitJudge:
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray

    @classmethod
    def fit(cls, reference: np.ndarray, candidate: np.ndarray, shrinkage: float = SHRINKAGE) -> "HabitJudge":
        """Learn the direction from people's rounds (`reference`) to the candidate's (habit_matrix rows)."""
        if len(reference) < 2 or len(candidate) < 2:
            raise ValueError(f"the habit judge needs at least 2 rounds a class; received {len(reference)} "
                             f"reference and {len(candidate)} candidate rounds")
        both = np.vstack([reference, candidate])
        finite = np.isfinite(both)
        mean = np.array([both[finite[:, k], k].mean() if finite[:, k].any() else 0.0 for k in range(both.shape[1])])
        spread = np.array([both[finite[:, k], k].std() if finite[:, k].sum() > 1 else 0.0
                           for k in range(both.shape[1])])
        scale = np.where(spread > 1e-9, spread, np.inf)   # a figure that never varies gets no weight
        judge = cls(mean, scale, np.zeros(both.shape[1]))
        zr, zc = judge._standardise(reference), judge._standardise(candidate)
        within = (np.cov(zr, rowvar=False) * (len(zr) - 1) + np.cov(zc, rowvar=False) * (len(zc) - 1)) \
            / (len(zr) + len(zc) - 2)
        within = np.atleast_2d(np.nan_to_num(within))
        weights = np.linalg.solve(within + shrinkage * np.eye(len(mean)), zc.mean(axis=0) - zr.mean(axis=0))
        return cls(mean, scale, weights)

    def _standardise(self, figures: np.ndarray) -> np.ndarray:
        return np.nan_to_num((figures - self.mean) / self.scale, nan=0.0, posinf=0.0, neginf=0.0)

    def scores(self, figures: np.ndarray) -> np.ndarray:
        """One score per round: higher reads more like the candidate."""
        return self._standardise(figures) @ self.weights
