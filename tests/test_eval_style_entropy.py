"""Style classifier, behaviour entropy and competence on constructed trajectories."""

import numpy as np
import pytest

from botsdk.evaluation.classifier import ClassifierConfig
from botsdk.evaluation.entropy import behaviour_entropy, competence, paired_entropy, route
from botsdk.evaluation.features import Episode, FeatureScale
from botsdk.evaluation.style import confusion_matrix, mean_probabilities, style_accuracy, train_style_classifier

HEADS = (9, 15, 2, 2)
STYLES = {"dasher": (0.8, 0.01), "circler": (0.3, 0.25), "lurker": (0.05, 0.05)}   # speed, turn-rate noise


def _styled(style: str, seed: int, steps: int = 160) -> Episode:
    speed, noise = STYLES[style]
    rng = np.random.default_rng(seed)
    head = np.cumsum(np.concatenate([[rng.uniform(0, 6.28)], rng.normal(0.1 if style == "circler" else 0, noise, steps)]))
    step = np.abs(rng.normal(speed, 0.05, steps))[:, None] * np.column_stack([np.cos(head[1:]), np.sin(head[1:])])
    pos = np.vstack([rng.uniform(5, 15, 2), step]).cumsum(axis=0)
    acts = np.column_stack([rng.integers(0, 9, steps), rng.integers(0, 15, steps), np.zeros((steps, 2))]).astype(np.int64)
    return Episode(pos, head, acts, np.zeros(steps), {"seed": seed})


def test_style_classifier_recovers_styles_and_blends_split():
    train = [(_styled(s, i * 10 + k), s) for k, s in enumerate(STYLES) for i in range(10)]
    scale = FeatureScale.fit([e for e, _ in train])
    clf = train_style_classifier([e for e, _ in train], [s for _, s in train], scale, HEADS, seed=0,
                                 config=ClassifierConfig(epochs=5))
    held = {s: [_styled(s, 1000 + i) for i in range(6)] for s in STYLES}
    matrix = confusion_matrix(clf, held)
    assert matrix.shape == (3, 3)
    assert style_accuracy(matrix) >= 0.9
    # a group half dashers, half lurkers: the belief splits between those two, not the third
    belief = mean_probabilities(clf, held["dasher"][:3] + held["lurker"][:3])
    assert belief["dasher"] > 0.3 and belief["lurker"] > 0.3 and belief["circler"] < 0.2
    # a wrong policy (always circling whatever is asked) scores low
    wrong = {s: held["circler"] for s in STYLES}
    assert style_accuracy(confusion_matrix(clf, wrong)) < 0.5


def _line(points, seed=0, team="blue"):
    """An episode walking through the given points (world units), 10 steps per leg."""
    pts = np.asarray(points, np.float64)
    legs = [np.linspace(a, b, 10, endpoint=False) for a, b in zip(pts[:-1], pts[1:])]
    pos = np.vstack(legs + [pts[-1:]])
    steps = len(pos) - 1
    return Episode(pos, np.zeros(steps + 1), np.zeros((steps, 4), np.int64), np.ones(steps), {"seed": seed, "team": team})


def test_route_and_entropy_grow_with_variety():
    bounds = (0.0, 0.0, 30.0, 30.0)
    north, east = [(5, 5), (5, 15), (5, 25)], [(5, 5), (15, 5), (25, 5)]
    assert route(_line(north), bounds) == (3, 6)
    same = [_line(north, s) for s in range(8)]
    mixed = [_line(north if s % 2 else east, s) for s in range(8)]
    h_same, h_mixed = paired_entropy(same, mixed, bounds)
    assert h_same == 0.0
    assert h_mixed == pytest.approx(1.0)   # two routes, evenly used, base |B| = 2
    skewed = [_line(north if s % 4 else east, s) for s in range(8)]
    assert 0.0 < behaviour_entropy(skewed, bounds) < h_mixed


def test_competence_is_mean_return():
    eps = [_line([(0, 0), (1, 1)])] * 3
    result = competence(eps)
    assert result["mean_return"] == pytest.approx(10.0) and result["positive_share"] == 1.0
