"""Heads over numbered options (a turn in degrees) as a mixture of discretised Gaussians.

A person aims at an intended turn and the hand adds spread: the option taken is near the intended value, more
often the nearer it is. Plain logits must learn that shape option by option, and a ReLU network resolves such
steps of one number (the enemy's bearing) slowly, so a model's fine aim and the part-way correction after a flick
come out blurred (docs/research/human_likeness.md). Here a head whose options are ascending numbers gives, besides
its free logits, K components, each an intended value `mu` and a spread `sigma`: component k puts
softmax(-0.5 ((value - mu_k) / sigma_k)^2) on the options. The head's distribution is a learned mixture of the K
components and the free logits (which keep every distribution plain logits can express), and its output is the
mixture's log-probabilities: logits for the runtime, the sampler and the ONNX file alike.

The raw outputs come from the policy's one fused head layer (`raw_sizes` tells it how many); everything after is
broadcasting, softmax and MatMul, which the exported graph runs on any batch, an empty one included.
"""

from __future__ import annotations

from typing import Any, Sequence

import torch
from torch import nn

from botsdk.contract import BehaviourContract

ORDINAL_MIN_OPTIONS = 5     # fewer options (fire: 0/1) gain nothing from a shape
EPSILON = 1e-8


def ordinal_values(values: Sequence[object]) -> list[float] | None:
    """The options as floats when they are ascending numbers, at least ORDINAL_MIN_OPTIONS of them; else None."""
    if len(values) < ORDINAL_MIN_OPTIONS or not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                                   for v in values):
        return None
    floats = [float(v) for v in values]
    return floats if all(a < b for a, b in zip(floats, floats[1:])) else None


class OrdinalMixture(nn.Module):
    """Turns one head's raw outputs (free logits, K + 1 mixture logits, K means, K spreads) into log-probabilities.

    Written with the few operators engines run everywhere (docs/engine_guide.md): softmax as Exp over clipped
    logits, its sums as MatMul with ones, the spread through a Sigmoid."""

    def __init__(self, values: Sequence[float], components: int):
        super().__init__()
        self.options, self.components = len(values), components
        self.register_buffer("values", torch.tensor(values, dtype=torch.float32), persistent=False)
        self.register_buffer("ones", torch.ones(max(self.options, components + 1), 1), persistent=False)
        span = values[-1] - values[0]
        self.mu_scale = span / 8.0                     # a unit raw output moves the intention an eighth of the range
        self.sigma_floor = min(b - a for a, b in zip(values, values[1:])) / 2.0
        self.sigma_range = span / 4.0

    @property
    def raw_size(self) -> int:
        return self.options + 3 * self.components + 1

    def forward(self, raw: torch.Tensor) -> torch.Tensor:
        n, k = self.options, self.components
        free, weights, mu, spread = torch.split(raw, [n, k + 1, k, k], dim=-1)
        mu = (mu * self.mu_scale).unsqueeze(-1)                                    # [..., K, 1]
        sigma = (self.sigma_floor + torch.sigmoid(spread) * self.sigma_range).unsqueeze(-1)
        distance = (self.values - mu) / sigma
        shaped = self._softmax(-0.5 * distance * distance, -80.0, 0.0)              # [..., K, n]
        options = torch.cat([shaped, self._softmax(free, -30.0, 30.0).unsqueeze(-2)], dim=-2)  # [..., K + 1, n]
        share = self._softmax(weights, -30.0, 30.0).unsqueeze(-2)                  # [..., 1, K + 1]
        return torch.log(torch.matmul(share, options).select(-2, 0) + EPSILON)

    def _softmax(self, logits: torch.Tensor, low: float, high: float) -> torch.Tensor:
        """Softmax over the last axis of logits clipped to [low, high] (so Exp neither overflows nor sums to 0)."""
        exp = torch.exp(torch.clamp(logits, low, high))
        return exp / torch.matmul(exp, self.ones[:logits.shape[-1]])


class HeadShapes(nn.Module):
    """Splits the fused head layer's output per head; heads over numbered options go through `OrdinalMixture`."""

    def __init__(self, contract: BehaviourContract, components: int):
        super().__init__()
        self.mixtures = nn.ModuleDict()
        for index, head in enumerate(contract.actions):
            values = ordinal_values(head.values) if components else None
            if values is not None:
                self.mixtures[str(index)] = OrdinalMixture(values, components)
        self.raw_sizes = [self.mixtures[str(i)].raw_size if str(i) in self.mixtures else size
                          for i, size in enumerate(contract.head_sizes)]

    def forward(self, raw: torch.Tensor) -> list[torch.Tensor]:
        parts = torch.split(raw, self.raw_sizes, dim=-1)
        return [self.mixtures[str(i)](part) if str(i) in self.mixtures else part for i, part in enumerate(parts)]


class BearingLean(nn.Module):
    """A learned lean of the turn head's logits relative to the enemy's bearing.

    The turn options are fixed degrees, while what people do after a flick is relative to where the enemy now is:
    their aim keeps going a little past it for a step or two. Plain logits (and the mixture's intentions) must
    carve "a few degrees past the bearing" out of one continuous input option by option; fed people's play, such a
    model expects half the swing they make. Here a few smooth shapes of each option's offset from the bearing
    (near it, well past it, well short of it, broadly) are weighted by coefficients the trunk's features give, and
    added to the head's logits: the policy only has to say how much to lean, not where the enemy is. `layout` is
    the turn head's `botsdk.training.answer.AnswerLayout`; Atan, Tanh and Sigmoid in the exported graph."""

    SHAPES = 4

    def __init__(self, layout: Any, features: int):
        super().__init__()
        self.layout = layout
        self.register_buffer("degrees", torch.tensor(layout.turn_degrees, dtype=torch.float32), persistent=False)
        self.coefficients = nn.Linear(features, self.SHAPES)
        nn.init.zeros_(self.coefficients.weight)   # starts as the head without the lean
        nn.init.zeros_(self.coefficients.bias)

    def forward(self, features: torch.Tensor, obs: torch.Tensor) -> torch.Tensor:
        """Logits to add to the turn head: features[..., F], obs[..., O] -> [..., options]."""
        past = self.degrees - self.layout.bearing(obs).unsqueeze(-1)          # [..., options]: degrees past it
        weight = self.coefficients(features)
        shapes = (torch.tanh(past / 3.0), torch.sigmoid(past - 3.0), torch.sigmoid(-3.0 - past),
                  torch.tanh(past / 15.0))
        # a sum of products, not a reduction: onnxruntime reduces an empty batch over the wrong axis
        return sum(weight[..., k:k + 1] * shape for k, shape in enumerate(shapes))
