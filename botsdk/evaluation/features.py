"""Per-step features and fixed-length windows: what the discriminators and the style classifier see.

Both bots and demonstrators become `Episode` records through `as_episode`, from a `Trajectory` or a dataset
episode dict alike, and every feature is computed from those records only, so no recording artefact
(episode length, termination, metadata) can tell the two apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

WINDOW = 24
N_CONTINUOUS = 6
MIN_STEPS = 8


@dataclass
class Episode:
    """The parts of one recorded trajectory that evaluation uses."""

    positions: np.ndarray   # float64[T+1, 2] world units
    headings: np.ndarray    # float64[T+1] radians
    actions: np.ndarray     # int64[T, H]
    rewards: np.ndarray     # float64[T]
    meta: dict[str, Any] = field(default_factory=dict)
    observations: np.ndarray | None = None   # float32[T+1, O], kept only where a consumer needs it

    @property
    def steps(self) -> int:
        return int(self.actions.shape[0])


def as_episode(record: Any, meta: dict[str, Any] | None = None, keep_observations: bool = False) -> Episode:
    """Turn a `Trajectory` (attributes) or a dataset episode (dict) into an `Episode`."""
    get = (lambda k: record[k]) if isinstance(record, dict) else (lambda k: getattr(record, k))
    infos = get("infos")
    actions = np.asarray(get("actions"), dtype=np.int64)
    if actions.ndim != 2:
        raise ValueError(f"actions must be int64[T, H]; received shape {actions.shape}")
    positions = np.asarray(infos["position"], dtype=np.float64)
    headings = np.asarray(infos["heading"], dtype=np.float64).reshape(-1)
    steps = actions.shape[0]
    if positions.shape != (steps + 1, 2) or headings.shape != (steps + 1,):
        raise ValueError(f"infos must hold position[{steps + 1}, 2] and heading[{steps + 1}] for {steps} actions; "
                         f"received {positions.shape} and {headings.shape}")
    if meta is None:
        meta = dict(record.get("meta", {}) if isinstance(record, dict) else getattr(record, "meta", {}) or {})
    observations = np.asarray(get("observations"), dtype=np.float32) if keep_observations else None
    return Episode(positions, headings, actions, np.asarray(get("rewards"), dtype=np.float64), dict(meta),
                   observations)


@dataclass(frozen=True)
class FeatureScale:
    """A normaliser shared by every group in one evaluation (so scaling leaks no label)."""

    lo: np.ndarray      # float64[2] position minimum
    span: np.ndarray    # float64[2] position range
    speed: float        # step displacement that maps to 1.0

    @classmethod
    def fit(cls, episodes: Sequence[Episode]) -> "FeatureScale":
        if not episodes:
            raise ValueError("FeatureScale.fit needs at least one episode; received none")
        pos = np.concatenate([e.positions for e in episodes])
        lo, hi = pos.min(axis=0), pos.max(axis=0)
        steps = np.concatenate([step_speeds(e) for e in episodes])
        speed = float(np.percentile(steps, 99)) if steps.size else 1.0
        return cls(lo, np.maximum(hi - lo, 1e-6), max(speed, 1e-6))


def step_speeds(episode: Episode) -> np.ndarray:
    """Displacement per decision step (world units)."""
    return np.linalg.norm(np.diff(episode.positions, axis=0), axis=1)


def step_turns(episode: Episode) -> np.ndarray:
    """Signed heading change per decision step in degrees, wrapped to (-180, 180]."""
    d = np.diff(episode.headings)
    return np.degrees((d + np.pi) % (2 * np.pi) - np.pi)


def step_features(episode: Episode, scale: FeatureScale, head_sizes: Sequence[int]) -> np.ndarray:
    """float32[T, N_CONTINUOUS + sum(head_sizes)]: normalised position, heading sin/cos, speed, the heading change
    it led to, one-hot actions. Step t describes the state the action was taken in and the action itself.

    The explicit turn (a difference the GRU could learn) makes small evaluations far more sample-efficient."""
    pos = (episode.positions[:-1] - scale.lo) / scale.span
    head = episode.headings[:-1]
    speed = step_speeds(episode) / scale.speed
    turn = step_turns(episode) / 180.0
    onehots = [np.eye(n, dtype=np.float32)[np.clip(episode.actions[:, i], 0, n - 1)] for i, n in enumerate(head_sizes)]
    cont = np.column_stack([pos, np.sin(head), np.cos(head), speed, turn]).astype(np.float32)
    return np.concatenate([cont, *onehots], axis=1)


def windows(features: np.ndarray, window: int = WINDOW, stride: int | None = None,
            min_steps: int = MIN_STEPS) -> np.ndarray:
    """float32[N, window, F] from one episode's features. An episode shorter than a window but of at least
    `min_steps` gives one window, front-padded with its first step (dying early is behaviour too, and every group
    is padded the same way); shorter ones give none."""
    stride = stride or max(1, window // 3)
    steps = features.shape[0]
    if steps < window:
        if steps < min_steps:
            return np.zeros((0, window, features.shape[1]), dtype=np.float32)
        features = np.concatenate([np.repeat(features[:1], window - steps, axis=0), features])
        steps = window
    starts = np.arange(0, steps - window + 1, stride)
    return np.stack([features[s:s + window] for s in starts]).astype(np.float32)


def episode_windows(episodes: Sequence[Episode], scale: FeatureScale, head_sizes: Sequence[int],
                    window: int = WINDOW, stride: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """All windows of many episodes and, for each window, the index of its episode."""
    xs, owner = [], []
    for i, ep in enumerate(episodes):
        w = windows(step_features(ep, scale, head_sizes), window, stride)
        xs.append(w)
        owner.append(np.full(len(w), i, dtype=np.int64))
    width = N_CONTINUOUS + int(sum(head_sizes))
    if not xs:
        return np.zeros((0, window, width), np.float32), np.zeros(0, np.int64)
    return np.concatenate(xs), np.concatenate(owner)
