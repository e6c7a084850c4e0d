"""Where an agent has been this episode: a visit map over the observation's own position fields.

An explorer (or any player who avoids going back where they were) chooses where to go from memory of the places it
has seen. A GRU can in principle learn such a map from whole episodes, but measured on the arena it does not: the
explorer's walking stayed at 0.70 of its imitation ceiling with or without recurrence. `VisitMemory` keeps the map
explicitly: a grid x grid of cells over the normalised position (fields `position_x`, `position_y`, 0..1 across
the map), a cell set to 1 once the agent's position falls in it. It has no parameters and lives in the recurrent
state (zeros = nothing visited, the state every episode starts from), so the ONNX runtime and the bridge carry it
like any other state.
"""

from __future__ import annotations

import torch
from torch import nn

from botsdk.contract import BehaviourContract
from training.inputs import newest_field_indices

POSITION_FIELDS = ("position_x", "position_y")


class VisitMemory(nn.Module):
    """obs[B, T, O] and the visited map so far [B, G*G] -> the visited map at each step [B, T, G*G] (the step's
    own cell included: the agent has been where it stands)."""

    def __init__(self, contract: BehaviourContract, grid: int):
        super().__init__()
        self.grid = int(grid)
        self.size = self.grid * self.grid
        self.x_index, self.y_index = newest_field_indices(
            contract, POSITION_FIELDS, "visit memory (the agent's position, 0..1 across the map)")
        self.register_buffer("cells", torch.arange(self.size, dtype=torch.float32), persistent=False)

    def marks(self, obs: torch.Tensor) -> torch.Tensor:
        """One-hot [..., G*G] of the cell each observation's position falls in (positions off the map are held at
        its edge cells)."""
        g = self.grid
        column = torch.clamp(torch.floor(obs[..., self.x_index] * g), 0, g - 1)
        row = torch.clamp(torch.floor(obs[..., self.y_index] * g), 0, g - 1)
        return (self.cells == (row * g + column)[..., None]).to(obs.dtype)

    def forward(self, obs: torch.Tensor, visited: torch.Tensor) -> torch.Tensor:
        marked = torch.maximum(self.marks(obs), visited[:, None])
        if marked.shape[1] == 1:  # one decision (the exported graph): no scan needed
            return marked
        return torch.cummax(marked, dim=1).values
