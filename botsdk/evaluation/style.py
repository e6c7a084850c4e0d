"""Style fidelity: a classifier trained on demonstrator windows labelled with their style, then asked which style
the policy plays when conditioned on each persona, on blends, and on a style inferred from a few episodes.

Scoring is per episode (the mean of its window probabilities): a style is a property of play over time, and
one window of a holder walking to a site looks like any other style. It reads motion and actions only (no
observation cues): a style is where and how a player moves, and the training data need not carry cues."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from botsdk.evaluation.classifier import ClassifierConfig, WindowClassifier, train_classifier
from botsdk.evaluation.features import WINDOW, Episode, FeatureScale, episode_windows


@dataclass
class StyleClassifier:
    styles: tuple[str, ...]
    model: WindowClassifier
    scale: FeatureScale
    head_sizes: tuple[int, ...]
    window: int = WINDOW

    def episode_probabilities(self, episodes: Sequence[Episode]) -> np.ndarray:
        """float32[E, n_styles]; rows of episodes too short for one window are NaN."""
        x, owner = episode_windows(episodes, self.scale, self.head_sizes, self.window, with_cues=False)
        probs = self.model.predict_proba(x)
        out = np.full((len(episodes), len(self.styles)), np.nan, np.float32)
        for i in range(len(episodes)):
            mine = probs[owner == i]
            if len(mine):
                out[i] = mine.mean(axis=0)
        return out


def train_style_classifier(episodes: Sequence[Episode], labels: Sequence[str], scale: FeatureScale,
                           head_sizes: Sequence[int], seed: int = 0,
                           config: ClassifierConfig = ClassifierConfig()) -> StyleClassifier:
    """Train on demonstrator episodes labelled with their style (e.g. `EpisodeInfo.style`)."""
    if len(episodes) != len(labels):
        raise ValueError(f"one label per episode: {len(episodes)} episodes, {len(labels)} labels")
    styles = tuple(sorted(set(labels)))
    x, owner = episode_windows(episodes, scale, tuple(head_sizes), with_cues=False)
    y = np.array([styles.index(labels[i]) for i in owner], np.int64)
    model = train_classifier(x, y, len(styles), seed, config)
    return StyleClassifier(styles, model, scale, tuple(head_sizes))


def confusion_matrix(clf: StyleClassifier, groups: Mapping[str, Sequence[Episode]]) -> np.ndarray:
    """Rows: the style asked for (the keys, in `clf.styles` order); columns: the style predicted; row-normalised
    shares of episodes. Styles with no episodes give a row of NaN."""
    matrix = np.full((len(clf.styles), len(clf.styles)), np.nan)
    for r, style in enumerate(clf.styles):
        probs = clf.episode_probabilities(groups.get(style, []))
        probs = probs[~np.isnan(probs).any(axis=1)] if len(probs) else probs
        if len(probs):
            matrix[r] = np.bincount(probs.argmax(axis=1), minlength=len(clf.styles)) / len(probs)
    return matrix


def style_accuracy(matrix: np.ndarray) -> float:
    """Mean of the confusion matrix's diagonal over the styles that were evaluated."""
    diag = np.diag(matrix)
    diag = diag[~np.isnan(diag)]
    return float(diag.mean()) if diag.size else float("nan")


def mean_probabilities(clf: StyleClassifier, episodes: Sequence[Episode]) -> dict[str, float]:
    """The classifier's average belief over styles for a group (used for blends and few-shot styles)."""
    probs = clf.episode_probabilities(episodes)
    probs = probs[~np.isnan(probs).any(axis=1)]
    if not len(probs):
        return {s: float("nan") for s in clf.styles}
    return {s: float(v) for s, v in zip(clf.styles, probs.mean(axis=0))}
