"""What a policy's first layer reads: the observation raw, standardized, or with what changed since the last frame.

Field names come from the contract's observation blocks (`fields`), so the same code serves any game whose contract
names them: angle pairs are `<name>_sin`/`<name>_cos`.
"""

from __future__ import annotations

import torch
from torch import nn

from botsdk.contract import BehaviourContract


CLIP_SD = 10.0  # standardized inputs are held within this many spreads: a rare event (a new round resets the clock,
                # whose delta is otherwise constant) stays visible without swamping the first layer


def frame_field_indices(contract: BehaviourContract) -> dict[str, int]:
    """Named fields and where they sit inside one frame (the first block naming a field wins)."""
    found: dict[str, int] = {}
    for block in contract.observation:
        start = contract.block_slice(block.name).start
        for i, name in enumerate(block.fields):
            found.setdefault(name, start + i)
    return found


def angle_pairs(contract: BehaviourContract) -> list[tuple[int, int]]:
    """(sin, cos) field indices within a frame for every `<name>_sin` with a matching `<name>_cos`."""
    found = frame_field_indices(contract)
    return [(i, found[name[:-4] + "_cos"]) for name, i in found.items()
            if name.endswith("_sin") and name[:-4] + "_cos" in found]


class InputFeatures(nn.Module):
    """What the trunk's first layer reads. "raw": the observation as recorded. "standardized": every feature shifted
    and scaled by the training set's mean and spread. "deltas": standardized, plus the newest frame minus the one
    before it (standardized too). "deltas_angles": also how far each angle given as a `<name>_sin`/`<name>_cos`
    field pair turned since the last frame (the last turn of the heading, the drift of a target's bearing).

    Why: the cues a person's next action follows are often tiny changes between stacked frames (a 1-degree turn
    moves heading_sin by 0.02, a step moves position_x by 0.005); standardized deltas put them on the same scale as
    everything else instead of leaving the network to grow weights of 100 to see them. The statistics are buffers
    (`fit`), so they travel in checkpoints and in the exported ONNX graph."""

    def __init__(self, contract: BehaviourContract, kind: str = "raw"):
        super().__init__()
        self.kind = kind
        self.frame = contract.frame_size
        self.deltas = kind in ("deltas", "deltas_angles") and contract.frame_stack >= 2
        pairs = angle_pairs(contract) if self.deltas and kind == "deltas_angles" else []
        self.register_buffer("sin_index", torch.tensor([p[0] for p in pairs], dtype=torch.long), persistent=False)
        self.register_buffer("cos_index", torch.tensor([p[1] for p in pairs], dtype=torch.long), persistent=False)
        self.out_features = contract.observation_size + (self.frame + len(pairs) if self.deltas else 0)
        self.register_buffer("mean", torch.zeros(self.out_features))
        self.register_buffer("scale", torch.ones(self.out_features))
        self.register_buffer("clip", torch.tensor(CLIP_SD))

    def expand(self, obs: torch.Tensor) -> torch.Tensor:
        if not self.deltas:
            return obs
        newest, previous = obs[..., -self.frame:], obs[..., -2 * self.frame:-self.frame]
        parts = [obs, newest - previous]
        if self.sin_index.numel():  # how far each angle turned since the last frame (radians, wrapped)
            s1, c1 = newest[..., self.sin_index], newest[..., self.cos_index]
            s0, c0 = previous[..., self.sin_index], previous[..., self.cos_index]
            parts.append(torch.atan2(s1 * c0 - c1 * s0, c1 * c0 + s1 * s0))
        return torch.cat(parts, dim=-1)

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        if self.kind == "raw":
            return obs
        standardized = (self.expand(obs) - self.mean) * self.scale
        return standardized.clamp(-self.clip, self.clip)

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):  # noqa: ANN001 (torch's signature)
        """Checkpoints from before input features existed are raw: they load with the identity statistics."""
        for name in ("mean", "scale"):
            state_dict.setdefault(prefix + name, getattr(self, name).clone())
        state_dict.setdefault(prefix + "clip", torch.tensor(float("inf")))  # trained before inputs were clipped
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    @torch.no_grad()
    def fit(self, obs: torch.Tensor, chunk: int = 65_536) -> None:
        """Mean and 1/spread of every feature over the training rows obs[N, O] (float64 sums, in chunks). A
        feature that never varies keeps scale 1."""
        if self.kind == "raw" or obs.shape[0] == 0:
            return
        total = torch.zeros(self.out_features, dtype=torch.float64)
        squares = torch.zeros_like(total)
        for start in range(0, obs.shape[0], chunk):
            x = self.expand(obs[start:start + chunk].cpu()).double()
            total += x.sum(0)
            squares += (x * x).sum(0)
        mean = total / obs.shape[0]
        std = (squares / obs.shape[0] - mean * mean).clamp_min(0.0).sqrt()
        self.mean.copy_(mean.float())
        self.scale.copy_(torch.where(std > 1e-6, 1.0 / std.clamp_min(1e-4), torch.ones_like(std)).float())
