"""Disturbed demonstrations (DART, Laskey et al. 2017): now and then a demonstrator's keys are overridden for a few
steps, and the steps after show how that player recovers, with its own intentions, from a state it did not choose.

A cloned bot drifts into states people seldom visit (its small errors compound) and people's recordings say little
about how to get back. The disturbed steps stay in the recording, so they are in every later step's history, but
are marked (`infos["disturbed"]`) and training leaves them out of the loss: the model learns the recovery, not the
disturbance. Opt-in (`botsdk record --disturbance`): at 0.05 the bot read more human on the evaluation's
validation split and not on its final one (docs/research/human_likeness.md, "Disturbed demonstrations").
"""

from __future__ import annotations

from typing import Any

import numpy as np

from botsdk.arena.contract import MOVE_VALUES, TURN_DEGREES
from botsdk.dataset.episode_file import DISTURBED_INFO

__all__ = ["DISTURBED_INFO", "DisturbedPlayer"]
BURST_STEPS = (2, 6)          # a disturbance lasts this many steps (inclusive): long enough to leave a mark
TURN_SHIFTS = (-3, -2, -1, 1, 2, 3)  # turn bins off the player's choice during a disturbance


class DisturbedPlayer:
    """Wraps a controller: each step a disturbance starts with `chance` (when none is under way); it holds one
    random move key, shifts the turn off the player's choice, or both. `disturbed` lists each step's flag."""

    def __init__(self, player: Any, chance: float, seed: int):
        if not 0.0 <= chance < 1.0:
            raise ValueError(f"disturbance chance: expected a number in [0, 1), got {chance!r}")
        self.player, self.chance = player, float(chance)
        self.rng = np.random.default_rng(seed)
        self.left, self.move, self.turn_shift = 0, None, 0
        self.disturbed: list[bool] = []

    def __getattr__(self, name: str) -> Any:  # style, player_id, skill, source, last_probs: the player's own
        return getattr(self.player, name)

    def reset(self, agent_id: str, seed: int) -> None:
        self.player.reset(agent_id, seed)
        self.left, self.disturbed = 0, []

    def act(self, observation: np.ndarray, view: Any) -> np.ndarray:
        action = np.array(self.player.act(observation, view), dtype=np.int64)
        if self.left == 0 and self.rng.random() < self.chance:
            self._start()
        disturbed = self.left > 0
        if disturbed:
            self.left -= 1
            if self.move is not None:
                action[0] = self.move
            action[1] = int(np.clip(action[1] + self.turn_shift, 0, len(TURN_DEGREES) - 1))
        self.disturbed.append(disturbed)
        return action

    def info(self) -> np.ndarray:
        """uint8[T + 1]: the episode's per-step flags in the dataset's infos layout (the last row has no action)."""
        return np.append(np.asarray(self.disturbed, dtype=np.uint8), np.uint8(0))

    def _start(self) -> None:
        self.left = int(self.rng.integers(BURST_STEPS[0], BURST_STEPS[1] + 1))
        which = self.rng.integers(3)  # 0: move key, 1: turn, 2: both
        self.move = int(self.rng.integers(len(MOVE_VALUES))) if which != 1 else None
        self.turn_shift = int(self.rng.choice(TURN_SHIFTS)) if which != 0 else 0
