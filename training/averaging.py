"""An exponential moving average of the weights (`ema_decay`): validation judges it and the run keeps it.

Late in training each step's weights carry the noise of their last few batches; their running average plays like
the model those batches agree on (docs/research/human_likeness.md, "Averaged weights"). The decay warms up as
min(decay, (1 + n) / (10 + n)) after n updates, so a short run's average is not mostly its random start.
"""

from __future__ import annotations

import copy
from typing import Any

import torch
from torch import nn


class WeightAverage:
    """A frozen copy of `module` whose parameters follow the trained ones (buffers are copied, not averaged)."""

    def __init__(self, module: nn.Module, decay: float):
        if not 0.0 < decay < 1.0:
            raise ValueError(f"ema_decay: expected a number in (0, 1), received {decay!r}")
        self.decay, self.updates = decay, 0
        self.module = copy.deepcopy(module).eval().requires_grad_(False)

    def reset(self, module: nn.Module) -> None:
        """Start the average again at `module`'s weights (after loading a run to fine-tune)."""
        self.module.load_state_dict(module.state_dict())
        self.updates = 0

    @torch.no_grad()
    def update(self, module: nn.Module) -> None:
        self.updates += 1
        rate = 1.0 - min(self.decay, (1.0 + self.updates) / (10.0 + self.updates))
        torch._foreach_lerp_(list(self.module.parameters()), [p.detach() for p in module.parameters()], rate)

    def state_dict(self) -> dict[str, Any]:
        return {"weights": self.module.state_dict(), "updates": self.updates}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.module.load_state_dict(state["weights"])
        self.updates = int(state["updates"])
