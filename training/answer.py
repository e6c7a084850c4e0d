"""The policy's own answer to the enemy in sight: how many steps ago it turned onto it, and how far that turn went.

A person who turns onto an enemy that appeared does not aim from scratch on every step after: the first turn goes
past the enemy by a share of its bearing, and the next steps carry the rest of that swing while the aim settles.
What the hands do next depends on that one turn, drawn once per sighting. A policy that sees only two frames and
its last two actions forgets after two steps whether it has answered at all, and afterwards answers a remaining
bearing as hesitantly as an enemy not yet noticed (docs/research/human_likeness.md). The answer memory keeps it:
the steps since the policy's answering turn in the current sighting (botsdk.training.sight) and that turn's size.

The answering turn is the first turn, while an enemy is in sight, that covers at least half its bearing (the
evaluation's `events` reads people's answers by the same rule). Like the sight clock it is computed from a
recording for training (`answer_rows`) and stepped one decision at a time in the exported model
(`AnswerMemory.step`, its memory in the policy's state); both run the same float32 arithmetic, so both agree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from botsdk.training.heads import ordinal_values

BEARING_FIELDS = ("enemy_bearing_sin", "enemy_bearing_cos")
TURN_HEAD = "turn"
MIN_BEARING_DEG = 3.0   # an enemy this close to dead ahead needs no answer (as in botsdk.evaluation.events)
ANSWER_CAP = 6          # steps since the answer are told apart up to here (0.375 s); later ones share the last
TURN_SCALE_DEG = 60.0   # the answer's size enters the features in degrees / this


@dataclass(frozen=True)
class AnswerLayout:
    """Where the enemy's bearing lives in the stacked observation's newest frame, which head turns, and the
    degrees of its options."""

    visible: int
    bearing_sin: int
    bearing_cos: int
    turn_head: int
    turn_degrees: tuple[float, ...]

    def bearing(self, obs: torch.Tensor) -> torch.Tensor:
        """Degrees, float32[...] from obs[..., O]; 0 where no enemy is visible (its sin and cos read 0). The half-angle
        form 2 atan(sin / (1 + cos)) needs only Atan, which every engine's ONNX runtime has; it holds for any
        bearing short of straight behind (a view cone under 360 degrees never shows one)."""
        sin, cos = obs[..., self.bearing_sin], obs[..., self.bearing_cos]
        return (2.0 * 180.0 / math.pi) * torch.atan(sin / (1.0 + cos))

    def visible_now(self, obs: torch.Tensor) -> torch.Tensor:
        return (obs[:, self.visible] > 0.5).to(torch.float32)


def answer_layout(contract: Any) -> AnswerLayout | None:
    """The layout for a contract with an `enemy_visible` flag, the enemy's bearing as sin and cos, and a head named
    `turn` over ascending degrees; None otherwise."""
    fields = contract.newest_fields()
    if "enemy_visible" not in fields or any(name not in fields for name in BEARING_FIELDS):
        return None
    if TURN_HEAD not in contract.head_names:
        return None
    head = contract.head_names.index(TURN_HEAD)
    degrees = ordinal_values(contract.actions[head].values)
    if degrees is None:
        return None
    return AnswerLayout(fields["enemy_visible"], fields[BEARING_FIELDS[0]], fields[BEARING_FIELDS[1]], head,
                        tuple(degrees))


def answering(turn_deg: torch.Tensor, bearing_deg: torch.Tensor) -> torch.Tensor:
    """1.0 where a turn covers at least half the bearing it was taken at (toward it), and that bearing is at least
    MIN_BEARING_DEG; `turn * bearing >= bearing^2 / 2` says "toward it, half of it or more" without a sign."""
    far = ((bearing_deg * bearing_deg - MIN_BEARING_DEG * MIN_BEARING_DEG) > 0).to(torch.float32)
    covers = ((turn_deg * bearing_deg - 0.5 * bearing_deg * bearing_deg) > 0).to(torch.float32)
    return far * covers


def answer_rows(layout: AnswerLayout, obs: torch.Tensor, actions: torch.Tensor, elapsed: torch.Tensor,
                episode_start: torch.Tensor, episode_length: torch.Tensor) -> torch.Tensor:
    """int64[N, 2] for rows laid out episode after episode: (steps since the answer, capped; 0 while none) and the
    answer's turn as its option index + 1 (0 while none). `elapsed`: each row's sight clock (training.sight)."""
    degrees = torch.tensor(layout.turn_degrees, dtype=torch.float32)
    turn_index = actions[:, layout.turn_head].cpu()
    turn = degrees[turn_index.clamp(min=0)]
    bearing = layout.bearing(obs.cpu())
    in_sight = elapsed.cpu().numpy() >= 0
    watched = in_sight & (layout.visible_now(obs.cpu()).numpy() > 0.5)
    answers = answering(turn, bearing).numpy() > 0.5
    turn_index = turn_index.numpy()
    out = np.zeros((len(in_sight), 2), np.int64)
    for start, length in zip(episode_start.tolist(), episode_length.tolist()):
        since, option = 0, 0
        for row in range(start + 1, start + length):
            if not in_sight[row]:
                since, option = 0, 0
            elif since == 0 and watched[row - 1] and answers[row - 1]:
                since, option = 1, int(turn_index[row - 1]) + 1
            elif since:
                since = min(since + 1, ANSWER_CAP)
            out[row] = (since, option)
    return torch.from_numpy(out).to(elapsed.device)


class AnswerMemory(nn.Module):
    """Features of the answer memory (one-hot of the steps since the answer, "none" its own feature, and the
    answer's size placed at that step's slot) and the one-step update the exported model runs. No weights.
    Memory float32[B, 4]: (steps since, the answer's degrees, the bearing and whether the enemy was watched on
    the step before), zeros at an episode start."""

    memory_size = 4
    out_features = 2 * ANSWER_CAP + 1

    def __init__(self, layout: AnswerLayout):
        super().__init__()
        self.layout = layout
        self.register_buffer("levels", torch.arange(ANSWER_CAP + 1, dtype=torch.float32), persistent=False)
        self.register_buffer("degrees", torch.tensor(layout.turn_degrees, dtype=torch.float32), persistent=False)
        self.register_buffer("options", torch.arange(len(layout.turn_degrees), dtype=torch.float32),
                             persistent=False)
        # a recording's answer column holds the option index + 1 (0: none), which indexes these degrees directly
        self.register_buffer("recorded_degrees", torch.cat([torch.zeros(1), self.degrees]), persistent=False)

    def features(self, since: torch.Tensor, turn_deg: torch.Tensor) -> torch.Tensor:
        """since[...], turn_deg[...] (float32) -> float32[..., 2 * ANSWER_CAP + 1]."""
        slots = (since[..., None] == self.levels).to(torch.float32)
        return torch.cat([slots, slots[..., 1:] * (turn_deg[..., None] / TURN_SCALE_DEG)], dim=-1)

    def recorded_features(self, columns: torch.Tensor) -> torch.Tensor:
        """columns int64[..., 2] from `answer_rows` -> the features `step` gives for the same decision."""
        return self.features(columns[..., 0].to(torch.float32), self.recorded_degrees[columns[..., 1]])

    def step(self, obs: torch.Tensor, previous_action: torch.Tensor, elapsed: torch.Tensor, memory: torch.Tensor
             ) -> tuple[torch.Tensor, torch.Tensor]:
        """One decision: obs float32[B, O], previous_action int64[B, H] (-1 at an episode start), the sight clock's
        elapsed float32[B] (training.sight), memory float32[B, 4] -> (features, new memory). 0/1 arithmetic with
        Greater, Equal, Mul, Add, Clip and a MatMul for the turn's degrees."""
        previous = previous_action[:, self.layout.turn_head:self.layout.turn_head + 1].to(torch.float32)
        turn = ((previous == self.options).to(torch.float32) @ self.degrees[:, None])[:, 0]
        since, answer_turn, bearing, watched = (memory[:, i] for i in range(self.memory_size))
        in_sight = (elapsed > -0.5).to(torch.float32)
        waiting = (0.5 - since > 0).to(torch.float32)
        answers = watched * in_sight * waiting * answering(turn, bearing)
        carried = (1.0 - waiting) * torch.clamp(since + 1.0, max=float(ANSWER_CAP))
        since = in_sight * (answers + (1.0 - answers) * carried)
        answer_turn = in_sight * (answers * turn + (1.0 - answers) * answer_turn)
        now = self.layout.bearing(obs)
        new_memory = torch.stack([since, answer_turn, now, in_sight * self.layout.visible_now(obs)], dim=-1)
        return self.features(since, answer_turn), new_memory
