"""Style fidelity: a classifier trained on demonstrator windows labelled with their style, then asked which style
the policy plays when conditioned on each persona, on blends, and on a style inferred from a few episodes.

Scoring is per episode: a style is a property of play over time, and one window of a holder walking to a site
looks like any other style. The episode's windows are treated as independent pieces of evidence (the mean of their
log-probabilities, renormalised), so a few windows that clearly show the style outweigh many that show nothing.
It reads motion and actions only (no observation cues): a style is where and how a player moves, and the training
data need not carry cues.

The window (3 s), the classifier's size and its training were chosen on the validation split by how well it
names held-out people's personas (0.84-0.85 with 1.5 s windows, a 32-unit GRU and the plain mean of
probabilities; 0.93 with these); the bot's accuracy played no part in the choice."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from botsdk.evaluation.classifier import ClassifierConfig, WindowClassifier, train_classifier
from botsdk.evaluation.features import Episode, FeatureScale, episode_windows

STYLE_WINDOW = 48   # decisions (3 s): long enough to show where a player goes and how it fights
STYLE_CLASSIFIER = ClassifierConfig(hidden=64, epochs=16, max_train_windows=12000)


@dataclass
class StyleClassifier:
    styles: tuple[str, ...]
    model: WindowClassifier
    scale: FeatureScale
    head_sizes: tuple[int, ...]
    window: int = STYLE_WINDOW

    def episode_probabilities(self, episodes: Sequence[Episode]) -> np.ndarray:
        """float32[E, n_styles]: each episode's belief over styles, the normalised geometric mean of its windows'
        probabilities; rows of episodes too short for one window are NaN."""
        x, owner = episode_windows(episodes, self.scale, self.head_sizes, self.window, with_cues=False)
        log_probs = np.log(np.clip(self.model.predict_proba(x), 1e-6, None))
        out = np.full((len(episodes), len(self.styles)), np.nan, np.float32)
        for i in range(len(episodes)):
            mine = log_probs[owner == i]
            if len(mine):
                mean = mine.mean(axis=0)
                belief = np.exp(mean - mean.max())
                out[i] = belief / belief.sum()
        return out


def train_style_classifier(episodes: Sequence[Episode], labels: Sequence[str], scale: FeatureScale,
                           head_sizes: Sequence[int], seed: int = 0,
                           config: ClassifierConfig = STYLE_CLASSIFIER,
                           window: int = STYLE_WINDOW) -> StyleClassifier:
    """Train on demonstrator episodes labelled with their style (e.g. `EpisodeInfo.style`)."""
    if len(episodes) != len(labels):
        raise ValueError(f"one label per episode: {len(episodes)} episodes, {len(labels)} labels")
    styles = tuple(sorted(set(labels)))
    x, owner = episode_windows(episodes, scale, tuple(head_sizes), window, with_cues=False)
    y = np.array([styles.index(labels[i]) for i in owner], np.int64)
    model = train_classifier(x, y, len(styles), seed, config)
    return StyleClassifier(styles, model, scale, tuple(head_sizes), window)


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
