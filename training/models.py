"""Style-conditioned policies with factorised categorical heads, shaped by the behaviour contract.

Every policy has the one signature export and the runtime rely on:
`forward(obs[B, O], style[B, S], state[B, H]) -> (list of logits[B, n_h] in contract head order, state[B, H])`.
The MLP ignores `state` (state_size 1); the GRU carries its hidden state there, so human timing can be learned.
"""

from __future__ import annotations

import torch
from torch import nn

from botsdk.contract import BehaviourContract
from botsdk.training.config import TrainConfig
from botsdk.training.inputs import InputFeatures


class PolicyBase(nn.Module):
    """What every policy shares: contract sizes, the style projection and the fused head layer."""

    recurrent = False
    state_size = 1

    def __init__(self, contract: BehaviourContract, config: TrainConfig, trunk_out: int):
        super().__init__()
        self.observation_size = contract.observation_size
        self.style_size = contract.style.size
        self.head_sizes = list(contract.head_sizes)
        self.head_names = list(contract.head_names)
        # Linear in the style vector, so a blend of personas is a blend of their embeddings (the designer's slider).
        self.style_proj = nn.Linear(self.style_size, config.style_embedding)
        nn.init.normal_(self.style_proj.weight, std=1.0)  # embedding-like scale: personas start far apart
        nn.init.zeros_(self.style_proj.bias)
        self.heads = nn.Linear(trunk_out, sum(self.head_sizes))  # one fused layer, split per head

    def split_heads(self, features: torch.Tensor) -> list[torch.Tensor]:
        return list(torch.split(self.heads(features), self.head_sizes, dim=-1))

    def initial_state(self, batch: int) -> torch.Tensor:
        return torch.zeros(batch, self.state_size)


class StyledTrunk(nn.Module):
    """The feed-forward body both policies share: the observation with the style concatenated to it, a FiLM
    modulation (scale and shift) of the first hidden layer by the style, then the remaining hidden layers.

    FiLM makes style-dependent rules ("this persona turns left here") easy to represent. Works on any leading
    shape: obs[..., O], embedded style[..., E] -> features[..., hidden_sizes[-1]]. The observation goes through
    `InputFeatures` first (botsdk.training.inputs: raw, standardized, or with frame deltas).
    """

    def __init__(self, contract: BehaviourContract, config: TrainConfig):
        super().__init__()
        first = config.hidden_sizes[0]
        self.features = InputFeatures(contract, config.input_features, config.position_encoding,
                                      config.position_grid, config.position_grid_channels)
        self.input = nn.Linear(self.features.out_features + config.style_embedding, first)
        self.film = nn.Linear(config.style_embedding, 2 * first)
        layers: list[nn.Module] = []
        width = first
        for size in config.hidden_sizes[1:]:
            layers += [nn.Linear(width, size), nn.ReLU()]
            width = size
        self.layers = nn.Sequential(*layers)
        self.out_features = width
        self.dropout = nn.Dropout(config.dropout)  # no weights: checkpoints keep their keys whatever the rate

    def forward(self, obs: torch.Tensor, embedded_style: torch.Tensor) -> torch.Tensor:
        scale, shift = self.film(embedded_style).chunk(2, dim=-1)
        inputs = torch.cat([self.features(obs), embedded_style], dim=-1)
        hidden = torch.relu(self.input(inputs) * (1 + scale) + shift)
        return self.dropout(self.layers(self.dropout(hidden)))


class MLPPolicy(PolicyBase):
    """Feed-forward policy over the frame-stacked observation (the contract's stack carries short-term timing)."""

    def __init__(self, contract: BehaviourContract, config: TrainConfig):
        super().__init__(contract, config, config.hidden_sizes[-1])
        self.trunk = StyledTrunk(contract, config)

    def forward(self, obs: torch.Tensor, style: torch.Tensor,
                state: torch.Tensor) -> tuple[list[torch.Tensor], torch.Tensor]:
        return self.split_heads(self.trunk(obs, self.style_proj(style))), state

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):  # noqa: ANN001 (torch's signature)
        """Checkpoints written before the trunk was shared with the GRU (keys `input.*`, `film.*`, `trunk.<i>.*`)
        still load and resume."""
        for key in [k for k in state_dict if k.startswith(prefix)]:
            name = key[len(prefix):]
            if name.startswith(("input.", "film.")):
                state_dict[f"{prefix}trunk.{name}"] = state_dict.pop(key)
            elif name.startswith("trunk.") and name.split(".")[1].isdigit():
                state_dict[f"{prefix}trunk.layers.{name[len('trunk.'):]}"] = state_dict.pop(key)
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)


class GRUPolicy(PolicyBase):
    """Recurrent policy: the MLP's styled trunk, one GRU layer over its features, and heads that read both the
    trunk's features and the GRU's output (the skip keeps everything the MLP can do; the GRU adds what the frame
    stack cannot show: how long a pause, a reaction or a wiggle has lasted, where the route has been).
    `state` is the GRU hidden state."""

    recurrent = True

    def __init__(self, contract: BehaviourContract, config: TrainConfig):
        super().__init__(contract, config, config.hidden_sizes[-1] + config.gru_hidden)
        self.state_size = config.gru_hidden
        self.trunk = StyledTrunk(contract, config)
        self.gru = nn.GRU(self.trunk.out_features, config.gru_hidden, batch_first=True)

    def forward(self, obs: torch.Tensor, style: torch.Tensor,
                state: torch.Tensor) -> tuple[list[torch.Tensor], torch.Tensor]:
        logits, new_state = self.forward_sequence(obs[:, None], style, state)
        return [head[:, 0] for head in logits], new_state

    def forward_sequence(self, obs: torch.Tensor, style: torch.Tensor,
                         state: torch.Tensor) -> tuple[list[torch.Tensor], torch.Tensor]:
        """obs[B, T, O], style[B, S], state[B, H] -> (logits[B, T, n_h] per head, state[B, H])."""
        steps = obs.shape[1]
        embedded = self.style_proj(style)[:, None].expand(-1, steps, -1)
        features = self.trunk(obs, embedded)
        out, last = self.gru(features, state[None].contiguous())
        return self.split_heads(torch.cat([features, out], dim=-1)), last[0]


def build_policy(contract: BehaviourContract, config: TrainConfig) -> PolicyBase:
    """The policy the config names, sized by the contract."""
    if config.model == "gru":
        return GRUPolicy(contract, config)
    return MLPPolicy(contract, config)


def sample_actions(logits: list[torch.Tensor], generator: torch.Generator | None = None,
                   greedy: bool = False, temperature: float = 1.0) -> torch.Tensor:
    """One index per head: argmax, or a draw from softmax(logits / temperature). Returns int64[B, n_heads]."""
    if greedy:
        return torch.stack([head.argmax(dim=-1) for head in logits], dim=-1)
    picks = [torch.multinomial(torch.softmax(head / temperature, dim=-1), 1, generator=generator)[:, 0]
             for head in logits]
    return torch.stack(picks, dim=-1)
