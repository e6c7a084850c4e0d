"""RecordGameplay: a human's play streamed from the engine, stored through botsdk.dataset.DatasetWriter.

Each episode is committed atomically the moment its last step arrives, so a stream cut mid-episode keeps every
finished episode and loses only the open ones (reported back as `dropped` when the stream ends normally).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

import math

import grpc
import numpy as np

from botsdk.contract import BehaviourContract
from botsdk.game_bridge._generated import bridge_pb2 as pb
from botsdk.game_bridge.errors import BridgeError, invalid
from botsdk.game_bridge.tensors import from_tensor

def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


_STEP_FLOATS = ("reward", "x", "y", "heading")
_FINAL_FLOATS = ("next_x", "next_y", "next_heading")


def _check_finite(step: pb.RecordStep, names: tuple[str, ...]) -> None:
    for name in names:
        value = getattr(step, name)
        if not math.isfinite(value):
            raise invalid(f"{name}: expected a finite number, got {value} (episode {step.episode_key!r})")


META_FIELDS = ("player_id", "style", "skill", "map", "seed", "team", "agent_id", "source")


@dataclass
class _OpenEpisode:
    meta: dict
    started_at: str = field(default_factory=lambda: _now())
    obs: list = field(default_factory=list)
    actions: list = field(default_factory=list)
    rewards: list = field(default_factory=list)
    positions: list = field(default_factory=list)
    headings: list = field(default_factory=list)

    def trajectory(self, final_obs: np.ndarray, final_pos: tuple[float, float], final_heading: float,
                   terminated: bool) -> dict:
        steps = len(self.actions)
        terminations = np.zeros(steps, dtype=bool)
        truncations = np.zeros(steps, dtype=bool)
        (terminations if terminated else truncations)[-1] = True
        return {
            "observations": np.stack(self.obs + [final_obs]).astype(np.float32),
            "actions": np.asarray(self.actions, dtype=np.int64),
            "rewards": np.asarray(self.rewards, dtype=np.float32),
            "terminations": terminations,
            "truncations": truncations,
            "infos": {"position": np.asarray(self.positions + [final_pos], dtype=np.float32),
                      "heading": np.asarray(self.headings + [final_heading], dtype=np.float32)},
        }


class GameplayRecorder:
    """Turns a stream of RecordStep messages into committed episodes of one dataset root."""

    def __init__(self, root: str | Path, contract: BehaviourContract):
        from botsdk.dataset import DatasetWriter

        self.contract = contract
        try:
            self.writer = DatasetWriter(Path(root), contract)
        except ValueError as exc:  # the record directory holds a dataset of another contract
            raise BridgeError(grpc.StatusCode.FAILED_PRECONDITION, f"record directory {root}: {exc}") from exc
        self.heads = np.asarray(contract.head_sizes, dtype=np.int64)
        self.open: dict[str, _OpenEpisode] = {}
        self.committed: list[str] = []
        self.steps = 0

    def feed(self, steps: Iterable[pb.RecordStep]) -> pb.RecordSummary:
        for step in steps:
            self.add(step)
        return pb.RecordSummary(episode_ids=self.committed, steps=self.steps, dropped=sorted(self.open))

    def add(self, step: pb.RecordStep) -> str | None:
        """Buffer one step; commits and returns the episode id when the step ends its episode."""
        key = step.episode_key
        if not key:
            raise invalid("episode_key: expected a non-empty name for the episode, got ''")
        if step.episode_start:
            if key in self.open:
                raise invalid(f"episode_start: episode {key!r} is already open; end it before starting it again")
            self.open[key] = _OpenEpisode(self._meta(step))
        episode = self.open.get(key)
        if episode is None:
            raise invalid(f"episode_key: unknown episode {key!r}; expected episode_start=true on its first step")
        _check_finite(step, _STEP_FLOATS)
        obs = self._obs(step.observation, "observation")
        action = self._action(step.action)
        episode.obs.append(obs)
        episode.actions.append(action)
        episode.rewards.append(step.reward)
        episode.positions.append((step.x, step.y))
        episode.headings.append(step.heading)
        self.steps += 1
        if not (step.terminated or step.truncated):
            return None
        _check_finite(step, _FINAL_FLOATS)
        final = self._obs(step.next_observation, "next_observation")
        trajectory = episode.trajectory(final, (step.next_x, step.next_y), step.next_heading, step.terminated)
        del self.open[key]
        try:
            episode_id = self.writer.add_episode(trajectory, {**episode.meta, "started_at": episode.started_at,
                                                              "finished_at": _now()})
        except ValueError as exc:  # DatasetError (bad meta) or a shape the dataset refuses
            raise invalid(f"episode {key!r}: {exc}") from exc
        self.committed.append(str(episode_id))
        return str(episode_id)

    def _obs(self, tensor: pb.FloatTensor, name: str) -> np.ndarray:
        o = self.contract.observation_size
        shape = (1, o) if len(tensor.shape) == 2 else (o,)
        return from_tensor(tensor, shape, name).reshape(o)

    def _action(self, action) -> np.ndarray:
        values = np.asarray(action, dtype=np.int64)
        if values.shape != self.heads.shape:
            raise invalid(f"action: expected {len(self.heads)} indices (heads {list(self.contract.head_names)}), "
                          f"got {len(values)}")
        bad = np.flatnonzero((values < 0) | (values >= self.heads))
        if bad.size:
            i = int(bad[0])
            raise invalid(f"action[{i}] ({self.contract.head_names[i]}): expected 0..{self.heads[i] - 1}, "
                          f"got {values[i]}")
        return values

    @staticmethod
    def _meta(step: pb.RecordStep) -> dict:
        skill = step.meta.skill
        if not 0.0 <= skill <= 1.0:  # also refuses NaN
            raise invalid(f"meta.skill: expected a number in [0, 1] (0 when unknown), got {skill}")
        meta = {name: getattr(step.meta, name) for name in META_FIELDS}
        meta["source"] = meta["source"] or "human"  # what an engine records is a person's play unless it says
        meta["agent_id"] = meta["agent_id"] or step.episode_key
        return meta
