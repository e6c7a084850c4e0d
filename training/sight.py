"""How long the enemy has been in sight: the clock a person's reaction runs on.

A person who sees an enemy appear keeps walking for a quarter of a second or so before turning to it (most
reactions come 0.2-0.35 s after the enemy shows). A policy that sees only the newest two frames cannot tell an
enemy that appeared one step ago from one that appeared six steps ago, so it answers on a flat hazard: far too often
at once and too seldom after the wait (docs/research/human_likeness.md). The sight clock gives it the time: the
steps since the current sighting began.

A sighting starts when an enemy shows in the rays (what a person notices; the evaluation's `events.appearances`
uses the same rule), holds while `SIGHT_FIELD` says the enemy is visible even when the rays miss it, and ends on the
`SIGHT_GAP`-th step in a row without it in view. The clock reads only the newest frame, so it applies to any
contract that names that field (without tagged rays, the field alone starts a sighting). Like the action history
(botsdk.training.history), it is computed from a recording for training (`sight_rows`) and stepped one decision at
a time in the exported model (`SightTimer.step`, its memory carried in the policy's state): both give the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

SIGHT_FIELD = "enemy_visible"
SIGHT_GAP = 7        # a sighting ends on the 7th step in a row without the enemy in view (0.44 s at 16 Hz)
SIGHT_CAP = 15       # elapsed steps are told apart up to here (0.94 s); longer sightings share the last feature
NOT_IN_SIGHT = -1


@dataclass(frozen=True)
class SightLayout:
    """Where the sight cues live in a stacked observation's newest frame: the `SIGHT_FIELD` flag and every ray's
    enemy tag. A sighting starts when an enemy shows in the rays (what a person notices) and holds while the flag
    says it is visible, even when the rays miss it."""

    size: int                 # observation size
    visible: int
    rays: tuple[int, ...]

    def ray_mask(self) -> torch.Tensor:
        """float32[size, 1]: 1 at the rays' enemy tags (the flag itself without tagged rays). The exported step
        multiplies by it rather than gathering and taking a max: onnxruntime's reductions give an empty batch
        (which an engine may send) the wrong shape, its MatMul does not."""
        mask = torch.zeros(self.size, 1)
        mask[list(self.rays or (self.visible,))] = 1.0
        return mask

    def read(self, obs: torch.Tensor, ray_mask: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """(visible, in the rays) of obs[N, O], as float32[N] 0/1 values."""
        mask = self.ray_mask().to(obs.device) if ray_mask is None else ray_mask
        visible = (obs[:, self.visible] > 0.5).to(torch.float32)
        in_rays = (((obs > 0.5).to(torch.float32) @ mask)[:, 0] > 0.5).to(torch.float32)
        return visible, in_rays


def sight_layout(contract: Any) -> SightLayout | None:
    """The layout for a contract that names `SIGHT_FIELD` (and, if it has tagged rays, their enemy tag), else None."""
    visible = contract.newest_fields().get(SIGHT_FIELD)
    if visible is None:
        return None
    return SightLayout(contract.observation_size, visible, contract.newest_ray_tag("enemy"))


def sight_rows(visible: torch.Tensor, in_rays: torch.Tensor, episode_start: torch.Tensor,
               episode_length: torch.Tensor) -> torch.Tensor:
    """int64[N]: steps since the current sighting began (NOT_IN_SIGHT when none) for rows laid out episode after
    episode; `visible` and `in_rays` [N] are each row's sight cues, nonzero where true (`SightLayout.read`)."""
    kept = visible.cpu().numpy() > 0
    seen = kept & (in_rays.cpu().numpy() > 0)
    out = np.full(len(seen), NOT_IN_SIGHT, np.int64)
    for start, length in zip(episode_start.tolist(), episode_length.tolist()):
        elapsed, unseen = NOT_IN_SIGHT, 0
        for row in range(start, start + length):
            elapsed, unseen = _advance(bool(seen[row] or (kept[row] and elapsed != NOT_IN_SIGHT)), elapsed, unseen)
            out[row] = elapsed
    return torch.from_numpy(out).to(visible.device)


def _advance(seen: bool, elapsed: int, unseen: int) -> tuple[int, int]:
    """One step of the clock (the rule `SightTimer.step` writes with tensors); `seen`: the enemy shows in the
    rays, or is visible while a sighting lasts."""
    unseen = 0 if seen else min(unseen + 1, SIGHT_GAP)
    if seen or (elapsed != NOT_IN_SIGHT and unseen < SIGHT_GAP):
        return (0 if elapsed == NOT_IN_SIGHT else elapsed + 1), unseen
    return NOT_IN_SIGHT, unseen


class SightTimer(nn.Module):
    """Features of the sight clock (one-hot of the elapsed steps, capped; "not in sight" its own feature) and the
    one-step update the exported model runs. No weights. Memory float32[B, 2]: (elapsed + 1, steps unseen), zeros at
    an episode start."""

    memory_size = 2
    out_features = SIGHT_CAP + 2

    def __init__(self, layout: SightLayout):
        super().__init__()
        self.layout = layout
        self.register_buffer("levels", torch.arange(NOT_IN_SIGHT, SIGHT_CAP + 1, dtype=torch.float32),
                             persistent=False)
        self.register_buffer("ray_mask", layout.ray_mask(), persistent=False)

    def features(self, elapsed: torch.Tensor) -> torch.Tensor:
        """elapsed[...] (int64 from `sight_rows`, float32 from `step`) -> float32[..., SIGHT_CAP + 2]."""
        capped = torch.clamp(elapsed.to(torch.float32), max=float(SIGHT_CAP))
        return (capped[..., None] == self.levels).to(torch.float32)

    def step(self, obs: torch.Tensor, memory: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """One decision: obs float32[B, O], memory float32[B, 2] -> (elapsed float32[B], new memory float32[B, 2]).
        Written in 0/1 arithmetic (Greater, Mul, Add, Clip): operators every engine's ONNX runtime has."""
        visible, in_rays = self.layout.read(obs, self.ray_mask)
        had = (memory[:, 0] > 0.5).to(torch.float32)
        seen = visible * torch.clamp(in_rays + had, max=1.0)
        unseen = (1.0 - seen) * torch.clamp(memory[:, 1] + 1.0, max=float(SIGHT_GAP))
        short_gap = ((SIGHT_GAP - 0.5 - unseen) > 0).to(torch.float32)
        in_sight = torch.clamp(seen + had * short_gap, max=1.0)
        elapsed = in_sight * had * memory[:, 0] - (1.0 - in_sight)
        return elapsed, torch.stack([elapsed + 1.0, unseen], dim=-1)
