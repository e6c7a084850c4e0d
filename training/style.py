"""Style conditioning: persona vectors from the contract (blendable) and the demonstration-conditioned encoder.

(a) A persona is a fixed vector of the contract's style space; a blend is the weighted sum of persona vectors.
    The policy projects this vector linearly, so blending vectors blends the learned embeddings.
(b) `StyleEncoder` maps a set of (observation, action) steps — a few episodes of someone's play — to a vector of
    the same space. Trained jointly with the policy, so a new player's style is imitated without retraining.
"""

from __future__ import annotations

from typing import Mapping

import torch
from torch import nn

from botsdk.contract import BehaviourContract
from botsdk.training.config import TrainConfig


def style_vector(contract: BehaviourContract, style: str | Mapping[str, float] | None) -> torch.Tensor:
    """The style vector for a persona name, a {persona: weight} blend, or None (the zero vector: no style)."""
    if style is None:
        return torch.zeros(contract.style.size)
    if isinstance(style, str):
        return torch.tensor(contract.style.persona(style), dtype=torch.float32)
    return torch.tensor(contract.style.blend(style), dtype=torch.float32)


def label_style(contract: BehaviourContract, label: str) -> torch.Tensor:
    """Style vector for an episode's style label; labels that are not personas (e.g. 'robotic') get zeros."""
    if label in contract.style.persona_names:
        return style_vector(contract, label)
    return torch.zeros(contract.style.size)


def actions_onehot(actions: torch.Tensor, head_sizes: list[int]) -> torch.Tensor:
    """int64[..., n_heads] -> float32[..., sum(head_sizes)], the encoder's action input."""
    parts = [nn.functional.one_hot(actions[..., i], n).to(torch.float32) for i, n in enumerate(head_sizes)]
    return torch.cat(parts, dim=-1)


class StyleEncoder(nn.Module):
    """Permutation-invariant set encoder: per-step MLP, mean over the set, linear map to the style space."""

    def __init__(self, contract: BehaviourContract, config: TrainConfig):
        super().__init__()
        self.head_sizes = list(contract.head_sizes)
        self.style_size = contract.style.size
        width = contract.observation_size + sum(self.head_sizes)
        self.step = nn.Sequential(nn.Linear(width, config.encoder_hidden), nn.ReLU(),
                                  nn.Linear(config.encoder_hidden, config.encoder_hidden), nn.ReLU())
        self.out = nn.Linear(config.encoder_hidden, self.style_size)

    def forward(self, obs: torch.Tensor, actions_onehot: torch.Tensor) -> torch.Tensor:
        """obs[N, O], actions_onehot[N, sum n_h] -> style[S] (the export and runtime signature)."""
        return self.encode_sets(obs[None], actions_onehot[None])[0]

    def encode_sets(self, obs: torch.Tensor, actions_onehot: torch.Tensor) -> torch.Tensor:
        """Batched: obs[G, N, O], actions_onehot[G, N, A] -> style[G, S]."""
        pooled = self.step(torch.cat([obs, actions_onehot], dim=-1)).mean(dim=1)
        return self.out(pooled)

    def encode_actions(self, obs: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
        """Convenience: obs[N, O] and int64 actions[N, H] -> style[S]."""
        return self(obs, actions_onehot(actions, self.head_sizes))
