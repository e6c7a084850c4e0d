"""Per-step features and fixed-length windows: what the discriminators and the style classifier see.

Both bots and demonstrators become `Episode` records through `as_episode`, from a `Trajectory` or a dataset
episode dict alike, and every feature is computed from those records only, so no recording artefact
(episode length, termination, metadata) can tell the two apart.

Motion and actions alone cannot show a missing reaction delay or an aim that never overshoots: those are about
*when* and *how* a player answers what it sees. So each step also carries cues read off the observation the
action was taken on (`CueLayout`): whether an enemy is visible, whether it just appeared, its bearing and distance,
how long it has been in view, and hits taken; and the event cues of events.py, which mark the moments that show
motor habits (how long the player took to answer an enemy that appeared, how far it turned, its slips).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from botsdk.evaluation.events import EVENT_CUES, MIN_BEARING_DEG, event_cues

WINDOW = 24
N_MOTION = 6
N_CUES = 10 + len(EVENT_CUES)
MIN_STEPS = 8
CUE_FIELDS = ("enemy_visible", "enemy_bearing_sin", "enemy_bearing_cos", "enemy_aim", "enemy_distance", "health")
HIT_SCALE = 8.0        # health is 0..1 and a hit takes 1/8 of it: one hit reads 1
IN_VIEW_HORIZON = 16   # steps (1 s): how long "time since the enemy appeared" counts before it saturates


@dataclass(frozen=True)
class CueLayout:
    """Where the cue fields live in a stacked observation (the newest frame is the last `frame_size` values),
    which ray values say "this ray hit an enemy" (a person notices an enemy once it shows in the rays), and which
    action heads are the move and the fire keys (for the event cues)."""

    indices: tuple[int, ...]        # observation index of each of CUE_FIELDS
    enemy_rays: tuple[int, ...]     # observation index of every ray's enemy-tag value in the newest frame
    move_head: int | None = None    # index of the action head named "move", if any
    fire_head: int | None = None    # index of the action head named "fire", if any

    @classmethod
    def from_contract(cls, contract: Any) -> "CueLayout | None":
        """The layout for a contract whose blocks name the cue fields, else None (motion and actions only)."""
        where = contract.newest_fields()
        if not all(name in where for name in CUE_FIELDS):
            return None
        enemy_rays = contract.newest_ray_tag("enemy")
        heads = tuple(getattr(contract, "head_names", ()))
        head = lambda name: heads.index(name) if name in heads else None
        return cls(tuple(where[name] for name in CUE_FIELDS), enemy_rays, head("move"), head("fire"))

    def read(self, observations: np.ndarray) -> np.ndarray:
        """float32[T+1, len(CUE_FIELDS) + 1]: the named fields, then whether any ray shows an enemy (the
        enemy_visible field stands in when the contract has no tagged rays)."""
        obs = np.asarray(observations, dtype=np.float32)
        fields = obs[:, list(self.indices)]
        in_rays = obs[:, list(self.enemy_rays)].max(axis=1) if self.enemy_rays else fields[:, 0]
        return np.column_stack([fields, in_rays]).astype(np.float32)

    def read_actions(self, actions: np.ndarray) -> np.ndarray:
        """float32[T+1, 2]: each step's shot (0/1) and move key (its index), 0 where the contract has no such
        head; the last row (the final observation, no action) is 0."""
        out = np.zeros((len(actions) + 1, 2), np.float32)
        for column, head in enumerate((self.fire_head, self.move_head)):
            if head is not None:
                out[:-1, column] = actions[:, head]
        return out


@dataclass
class Episode:
    """The parts of one recorded trajectory that evaluation uses."""

    positions: np.ndarray   # float64[T+1, 2] world units
    headings: np.ndarray    # float64[T+1] radians
    actions: np.ndarray     # int64[T, H]
    rewards: np.ndarray     # float64[T]
    meta: dict[str, Any] = field(default_factory=dict)
    observations: np.ndarray | None = None   # float32[T+1, O], kept only where a consumer needs it
    cues: np.ndarray | None = None           # float32[T+1, len(CUE_FIELDS) + 3]: CueLayout.read, read_actions

    @property
    def steps(self) -> int:
        return int(self.actions.shape[0])


def as_episode(record: Any, meta: dict[str, Any] | None = None, keep_observations: bool = False,
               cues: CueLayout | None = None) -> Episode:
    """Turn a `Trajectory` (attributes) or a dataset episode (dict) into an `Episode`; with a `CueLayout`, keep
    the observation cues (a few columns, not the whole observation)."""
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
    observations = np.asarray(get("observations"), dtype=np.float32) if keep_observations or cues else None
    cue_values = np.column_stack([cues.read(observations), cues.read_actions(actions)]) if cues is not None else None
    return Episode(positions, headings, actions, np.asarray(get("rewards"), dtype=np.float64), dict(meta),
                   observations if keep_observations else None, cue_values)


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


def feature_width(head_sizes: Sequence[int], with_cues: bool) -> int:
    return N_MOTION + (N_CUES if with_cues else 0) + int(sum(head_sizes))


def step_features(episode: Episode, scale: FeatureScale, head_sizes: Sequence[int],
                  with_cues: bool | None = None) -> np.ndarray:
    """float32[T, feature_width]: normalised position, heading sin/cos, speed, the heading change it led to, the
    observation cues (`cue_features`), one-hot actions. Step t describes the state the action was taken in and the
    action itself. `with_cues` None: cues when the episode has them.

    The explicit turn (a difference the GRU could learn) makes small evaluations far more sample-efficient."""
    with_cues = episode.cues is not None if with_cues is None else with_cues
    pos = (episode.positions[:-1] - scale.lo) / scale.span
    head = episode.headings[:-1]
    speed = step_speeds(episode) / scale.speed
    turn = step_turns(episode) / 180.0
    onehots = [np.eye(n, dtype=np.float32)[np.clip(episode.actions[:, i], 0, n - 1)] for i, n in enumerate(head_sizes)]
    parts = [np.column_stack([pos, np.sin(head), np.cos(head), speed, turn]).astype(np.float32)]
    if with_cues:
        if episode.cues is None:
            raise ValueError("step_features: cues requested but the episode carries none (as_episode(..., cues=))")
        parts.append(cue_features(episode.cues[:-1], step_turns(episode)))
    return np.concatenate([*parts, *onehots], axis=1)


def cue_features(cues: np.ndarray, turns_deg: np.ndarray) -> np.ndarray:
    """float32[T, N_CUES] from raw cue columns (`Episode.cues` without its last row): enemy visible, enemy in the
    rays, newly in the rays, bearing sin/cos, fine aim, distance, time in the rays (saturating at
    IN_VIEW_HORIZON), hits taken (health lost), the answer to it: the step's turn as a fraction of the enemy's
    bearing (1: turned right onto it; above 1: past it; 0 while it is dead ahead or not seen), then the event cues
    (events.py). `turns_deg`: the heading change each step led to."""
    visible = (cues[:, 0] > 0.5).astype(np.float32)
    seen = (cues[:, 6] > 0.5).astype(np.float32)
    newly = seen * (1.0 - np.concatenate([[0.0], seen[:-1]]))
    in_view = np.zeros(len(seen), np.float32)
    run = 0
    for t, v in enumerate(seen):
        run = run + 1 if v else 0
        in_view[t] = min(run, IN_VIEW_HORIZON) / IN_VIEW_HORIZON
    health = cues[:, 5]
    hit = np.clip(np.concatenate([[0.0], health[:-1] - health[1:]]) * HIT_SCALE, 0.0, 1.0)
    bearing = np.degrees(np.arctan2(cues[:, 1], cues[:, 2]))
    answer = np.zeros(len(seen), np.float32)
    aimed = (visible > 0) & (np.abs(bearing) >= MIN_BEARING_DEG)
    answer[aimed] = np.clip(turns_deg[aimed] / bearing[aimed], -2.0, 2.0)
    events = event_cues(visible > 0, seen > 0, bearing, turns_deg, cues[:, 7] > 0.5, cues[:, 8])
    return np.column_stack([visible, seen, newly, cues[:, 1] * visible, cues[:, 2] * visible, cues[:, 3] * visible,
                            cues[:, 4], in_view, hit, answer, events]).astype(np.float32)


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
                    window: int = WINDOW, stride: int | None = None,
                    with_cues: bool | None = None) -> tuple[np.ndarray, np.ndarray]:
    """All windows of many episodes and, for each window, the index of its episode. Cues are used when every
    episode has them (`with_cues` None) so two groups are always described alike."""
    if with_cues is None:
        with_cues = bool(episodes) and all(e.cues is not None for e in episodes)
    xs, owner = [], []
    for i, ep in enumerate(episodes):
        w = windows(step_features(ep, scale, head_sizes, with_cues), window, stride)
        xs.append(w)
        owner.append(np.full(len(w), i, dtype=np.int64))
    width = feature_width(head_sizes, with_cues)
    if not xs:
        return np.zeros((0, window, width), np.float32), np.zeros(0, np.int64)
    return np.concatenate(xs), np.concatenate(owner)
