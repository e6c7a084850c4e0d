"""What a policy's first layer reads: the observation raw, standardized, or with what changed since the last frame,
and optionally the position at several octaves.

Measured on the arena (GRU, 48 held-out matches): "deltas" lifted the joint agreement from 0.838 to 0.852 of its
ceiling on 6,000 matches (0.844 on 9,000 matches at the same steps: runs spread by about 0.01). Two variants did not
help and were dropped: clipping standardized inputs at 10 spreads while also appending how far each sin/cos angle
turned since the last frame (0.844), and "deltas" for the MLP (0.807 vs 0.812 raw; it overfits sooner and stopped
early). Position octaves (8): the MLP on 3,000 matches 0.812 -> 0.828 (10 octaves 0.830); the GRU with deltas on
9,000 matches for 20,000 steps 0.865 (walking up, fighting down).

A position grid (`PositionGrid`): learned features per place on the map, read by bilinear interpolation. 48 cells x
16 channels: the MLP's validation loss 2.205 -> 2.198 but agreement 0.828 -> 0.829 (3,000 matches); the GRU with
deltas, octaves and the grid at 16 episodes per step for 12,000 steps 0.870 (vs 0.865 without, 8 per step, 20,000).

Aim octaves (6): the quickstart's recipe on three of its recordings, best validation loss 2.294 -> 2.272, 2.340 ->
2.313 and 2.311 -> 2.286; the model keeps an enemy in its sights as people do, but corrects its flicks too fast and
reads no more human-like, so they stay opt-in (docs/research/human_likeness.md, "Keeping an enemy in its sights").
"""

from __future__ import annotations

import math

import torch
from torch import nn

from botsdk.contract import BehaviourContract


class InputFeatures(nn.Module):
    """What the trunk's first layer reads. "raw": the observation as recorded. "standardized": every feature shifted
    and scaled by the training set's mean and spread. "deltas": standardized, plus the newest frame minus the one
    before it (standardized too; with a single frame there is no delta, and "deltas" reads as "standardized").
    `position_octaves` > 0 appends sin and cos of the newest position fields (`position_x`, `position_y`, 0..1 across
    the map) at that many octaves (pi * 2^k, k = 0..n-1); `aim_octaves` > 0 the same of the newest fine aim
    (`enemy_aim`, the enemy's bearing / 30 degrees), before the position's; `distance_octaves` the same of the newest
    `enemy_distance` (the rays' range = 1), after the aim's.

    Why: the cues a person's next action follows are often tiny changes between stacked frames (a 1-degree turn
    moves heading_sin by 0.02, a step moves position_x by 0.005); standardized deltas put them on the same scale as
    everything else instead of leaving the network to grow weights of 100 to see them. The statistics are buffers
    (`fit`), so they travel in checkpoints and in the exported ONNX graph. Position octaves let the network draw
    sharp borders on the map (where a route turns, where a held key changes), which a ReLU network reading a
    position's two numbers learns slowly; aim octaves do the same for the small turns that keep an enemy in the
    sights (the turn bins near the centre are 1, 3, 7 and 15 degrees apart)."""

    def __init__(self, contract: BehaviourContract, kind: str = "raw", position_octaves: int = 0,
                 grid_cells: int = 0, grid_channels: int = 16, aim_octaves: int = 0, distance_octaves: int = 0):
        super().__init__()
        self.kind = kind
        self.frame = contract.frame_size
        self.deltas = kind == "deltas" and contract.frame_stack >= 2
        self.standard_features = contract.observation_size + (self.frame if self.deltas else 0)
        self.octaves = position_octaves
        self.grid = PositionGrid(grid_cells, grid_channels) if grid_cells else None
        self.position_index = _newest_position_fields(contract) if position_octaves or grid_cells else []
        self.aim_octaves = aim_octaves
        self.aim_index = _newest_field(contract, AIM_FIELD, "aim_encoding") if aim_octaves else None
        self.distance_octaves = distance_octaves
        self.distance_index = (_newest_field(contract, DISTANCE_FIELD, "distance_encoding") if distance_octaves
                               else None)
        self.out_features = (self.standard_features + 4 * position_octaves + (grid_channels if grid_cells else 0)
                             + 2 * aim_octaves + 2 * distance_octaves)
        self.register_buffer("mean", torch.zeros(self.standard_features))
        self.register_buffer("scale", torch.ones(self.standard_features))

    def expand(self, obs: torch.Tensor) -> torch.Tensor:
        if not self.deltas:
            return obs
        newest, previous = obs[..., -self.frame:], obs[..., -2 * self.frame:-self.frame]
        return torch.cat([obs, newest - previous], dim=-1)

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        base = obs if self.kind == "raw" else (self.expand(obs) - self.mean) * self.scale
        parts = [base]
        if self.aim_index is not None:
            parts += _octaves(obs[..., [self.aim_index]], 1, self.aim_octaves)
        if self.distance_index is not None:
            parts += _octaves(obs[..., [self.distance_index]], 1, self.distance_octaves)
        if self.position_index:
            position = obs[..., self.position_index]
            if self.octaves:
                parts += _octaves(position, len(self.position_index), self.octaves)
            if self.grid is not None:
                parts.append(self.grid(position))
        return parts[0] if len(parts) == 1 else torch.cat(parts, dim=-1)

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):  # noqa: ANN001 (torch's signature)
        """Checkpoints from before input features existed are raw: they load with the identity statistics."""
        for name in ("mean", "scale"):
            state_dict.setdefault(prefix + name, getattr(self, name).clone())
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    @torch.no_grad()
    def fit(self, obs: torch.Tensor, chunk: int = 65_536) -> None:
        """Mean and 1/spread of every feature over the training rows obs[N, O] (float64 sums, in chunks). A
        feature that never varies keeps scale 1."""
        if self.kind == "raw" or obs.shape[0] == 0:
            return
        total = torch.zeros(self.standard_features, dtype=torch.float64)
        squares = torch.zeros_like(total)
        for start in range(0, obs.shape[0], chunk):
            x = self.expand(obs[start:start + chunk].cpu()).double()
            total += x.sum(0)
            squares += (x * x).sum(0)
        mean = total / obs.shape[0]
        std = (squares / obs.shape[0] - mean * mean).clamp_min(0.0).sqrt()
        self.mean.copy_(mean.float())
        self.scale.copy_(torch.where(std > 1e-6, 1.0 / std.clamp_min(1e-4), torch.ones_like(std)).float())


class PositionGrid(nn.Module):
    """Learned features of a place: `channels` numbers per corner of a `cells` x `cells` grid laid over the position
    fields' 0..1 range, read at a position by bilinear interpolation (continuous in the position; the gradient
    reaches the four corners around it). position[..., 2] (x, y) -> features[..., channels].

    Why: on a fixed map much of what a person does is a function of where they stand (the way to the next
    checkpoint turns at this corner), sharp on the scale of the navigation cells. Octaves are a fixed basis the
    network must combine; a grid can hold the answer per place directly, as a learned map."""

    def __init__(self, cells: int, channels: int):
        super().__init__()
        if cells < 2 or channels < 1:
            raise ValueError(f"position grid: expected at least 2 cells per side and 1 channel, "
                             f"got {cells} cells and {channels} channels")
        self.cells = cells
        self.table = nn.Parameter(0.1 * torch.randn(cells * cells, channels))

    def forward(self, position: torch.Tensor) -> torch.Tensor:
        scaled = position.clamp(0.0, 1.0) * (self.cells - 1)
        low = torch.floor(scaled).clamp(max=self.cells - 2)
        frac = scaled - low
        index = low.to(torch.int64)
        corner = index[..., 1] * self.cells + index[..., 0]  # row y, column x
        fx, fy = frac[..., 0:1], frac[..., 1:2]
        table = self.table
        near = table[corner] * (1 - fx) + table[corner + 1] * fx
        far = table[corner + self.cells] * (1 - fx) + table[corner + self.cells + 1] * fx
        return near * (1 - fy) + far * fy


POSITION_FIELDS = ("position_x", "position_y")
AIM_FIELD = "enemy_aim"
DISTANCE_FIELD = "enemy_distance"


def _octaves(values: torch.Tensor, fields: int, octaves: int) -> list[torch.Tensor]:
    """[sin, cos] of values[..., fields] at `octaves` rates (pi * 2^k, k = 0..octaves-1), each
    [..., fields * octaves]."""
    rates = math.pi * 2.0 ** torch.arange(octaves, dtype=values.dtype, device=values.device)
    # an explicit width (a Python number), not flatten's -1: the exported Reshape then also serves an empty batch
    angles = (values[..., :, None] * rates).reshape(*values.shape[:-1], fields * octaves)
    return [torch.sin(angles), torch.cos(angles)]


def _newest_field(contract: BehaviourContract, name: str, key: str) -> int:
    """Where the newest frame's field `name` sits in the observation vector (`key`: the config key that needs it)."""
    where = contract.newest_fields()
    if name not in where:
        raise ValueError(f"{key}: expected an observation field {name!r} in the contract, it has none")
    return where[name]


def _newest_position_fields(contract: BehaviourContract) -> list[int]:
    """Where the newest frame's position fields sit in the observation vector."""
    where = contract.newest_fields()
    missing = [name for name in POSITION_FIELDS if name not in where]
    if missing:
        raise ValueError(f"position_encoding: expected observation fields {POSITION_FIELDS} in the contract, "
                         f"missing {missing}")
    return [where[name] for name in POSITION_FIELDS]
