"""Style-conditioned policies with factorised categorical heads, shaped by the behaviour contract.

Every policy has the one signature export and the runtime rely on:
`forward(obs[B, O], style[B, S], state[B, H], previous_action[B, n_heads]) -> (list of logits[B, n_h] in contract
head order, state[B, H])`. With `action_history` (the default) the policy reads its own recent actions
(botsdk.training.history): `previous_action` is what was applied last step (-1 at an episode start) and the state
ends with the history's memory, then the sight clock's (botsdk.training.sight: how long the enemy has been in
sight, for contracts that name `enemy_visible`; opt-in with `sight_timer = true`), then the answer memory's
(botsdk.training.answer: how long ago the policy turned onto that enemy and how far; `answer_memory = true`).
Without the history the MLP ignores `state` (state_size 1) and `previous_action`. The GRU
carries its hidden state at the front of `state`, so human timing can be learned.

Training reads whole rows or sequences through `logits(obs, style, history)`, with the history computed from the
recording; `forward` is the one decision the exported file runs.
"""

from __future__ import annotations

import torch
from torch import nn

from botsdk.contract import BehaviourContract
from botsdk.training.answer import AnswerMemory, answer_layout
from botsdk.training.config import TrainConfig
from botsdk.training.heads import BearingLean, HeadShapes
from botsdk.training.history import ActionHistory
from botsdk.training.inputs import InputFeatures
from botsdk.training.sight import SightTimer, sight_layout


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
        self.head_shapes = HeadShapes(contract, config.ordinal_mixture)  # plain logits, or a mixture's
        self.heads = nn.Linear(trunk_out, sum(self.head_shapes.raw_sizes))  # one fused layer, split per head
        self.history = ActionHistory(self.head_sizes) if config.action_history else None
        layout = sight_layout(contract) if config.sight_timer and config.action_history else None
        self.sight = SightTimer(layout) if layout is not None else None
        answer = answer_layout(contract) if config.answer_memory and self.sight is not None else None
        self.answer = AnswerMemory(answer) if answer is not None else None
        self.memory_size = sum(part.memory_size for part in self._memory_parts() if part is not None)
        lean = answer_layout(contract) if config.bearing_lean else None
        self.lean = BearingLean(lean, trunk_out) if lean is not None else None

    def _memory_parts(self) -> tuple[nn.Module | None, ...]:
        """The parts whose memory the state carries and whose features the trunk reads, in that order."""
        return self.history, self.sight, self.answer

    @property
    def extra_features(self) -> int:
        """Features the trunk reads beside the observation: the action history, the sight clock, the answer."""
        return sum(part.out_features for part in self._memory_parts() if part is not None)

    @property
    def reads_previous_action(self) -> bool:
        return self.history is not None

    def history_features(self, history: torch.Tensor | None) -> torch.Tensor | None:
        if self.history is None:
            return None
        actions = 3 * len(self.head_sizes)   # (previous, before, held) per head, the sight clock, the answer
        width = actions + (self.sight is not None) + 2 * (self.answer is not None)
        if history is None or history.shape[-1] < width:
            extras = "".join(text for part, text in ((self.sight, ", the sight clock"), (self.answer, ", the answer"))
                             if part is not None)
            raise ValueError(f"this policy reads its action history (action_history = true{extras}): expected "
                             f"`history` int64[..., {width}] (botsdk.training.history.recorded_history), got "
                             f"{None if history is None else list(history.shape)}")
        features = [self.history.features(history[..., :actions])]
        if self.sight is not None:
            features.append(self.sight.features(history[..., actions]))
        if self.answer is not None:
            features.append(self.answer.recorded_features(history[..., actions + 1:actions + 3]))
        return torch.cat(features, dim=-1)

    def step_history(self, previous_action: torch.Tensor | None, memory: torch.Tensor, obs: torch.Tensor
                     ) -> tuple[torch.Tensor | None, torch.Tensor]:
        """(history features, new memory) of one decision; (None, memory) for a policy without history."""
        if self.history is None:
            return None, memory
        if previous_action is None:
            raise ValueError(f"this policy reads its previous action: expected previous_action "
                             f"int64[batch, {len(self.head_sizes)}] (-1 at an episode start), got None")
        own = self.history.memory_size
        history, new_memory = self.history.step(previous_action, memory[:, :own])
        features, memories = [self.history.features(history)], [new_memory]
        if self.sight is not None:
            sight_end = own + self.sight.memory_size
            elapsed, sight_memory = self.sight.step(obs, memory[:, own:sight_end])
            features.append(self.sight.features(elapsed))
            memories.append(sight_memory)
            if self.answer is not None:
                answer, answer_memory = self.answer.step(obs, previous_action, elapsed, memory[:, sight_end:])
                features.append(answer)
                memories.append(answer_memory)
        return torch.cat(features, dim=-1), torch.cat(memories, dim=-1)

    def split_heads(self, features: torch.Tensor, obs: torch.Tensor) -> list[torch.Tensor]:
        heads = self.head_shapes(self.heads(features))
        if self.lean is not None:
            turn = self.lean.layout.turn_head
            heads[turn] = heads[turn] + self.lean(features, obs)
        return heads

    def initial_state(self, batch: int) -> torch.Tensor:
        return torch.zeros(batch, self.state_size)


class StyledTrunk(nn.Module):
    """The feed-forward body both policies share: the observation with the style concatenated to it, a FiLM
    modulation (scale and shift) of the first hidden layer by the style, then the remaining hidden layers.

    FiLM makes style-dependent rules ("this persona turns left here") easy to represent. Works on any leading
    shape: obs[..., O], embedded style[..., E] -> features[..., hidden_sizes[-1]]. The observation goes through
    `InputFeatures` first (botsdk.training.inputs: raw, standardized, or with frame deltas).
    """

    def __init__(self, contract: BehaviourContract, config: TrainConfig, extra_features: int = 0):
        super().__init__()
        first = config.hidden_sizes[0]
        self.features = InputFeatures(contract, config.input_features, config.position_encoding,
                                      config.position_grid, config.position_grid_channels, config.aim_encoding,
                                      distance_octaves=config.distance_encoding)
        self.input = nn.Linear(self.features.out_features + extra_features + config.style_embedding, first)
        self.film = nn.Linear(config.style_embedding, 2 * first)
        layers: list[nn.Module] = []
        width = first
        for size in config.hidden_sizes[1:]:
            layers += [nn.Linear(width, size), nn.ReLU()]
            width = size
        self.layers = nn.Sequential(*layers)
        self.out_features = width
        self.dropout = nn.Dropout(config.dropout)  # no weights: checkpoints keep their keys whatever the rate

    def forward(self, obs: torch.Tensor, embedded_style: torch.Tensor,
                extra: torch.Tensor | None = None) -> torch.Tensor:
        """`extra`: features appended to the observation's (the action history), same leading shape."""
        scale, shift = self.film(embedded_style).chunk(2, dim=-1)
        parts = [self.features(obs)] if extra is None else [self.features(obs), extra]
        inputs = torch.cat(parts + [embedded_style], dim=-1)
        hidden = torch.relu(self.input(inputs) * (1 + scale) + shift)
        return self.dropout(self.layers(self.dropout(hidden)))


class MLPPolicy(PolicyBase):
    """Feed-forward policy over the frame-stacked observation (the contract's stack carries short-term timing)."""

    def __init__(self, contract: BehaviourContract, config: TrainConfig):
        super().__init__(contract, config, config.hidden_sizes[-1])
        self.state_size = self.memory_size or 1
        self.trunk = StyledTrunk(contract, config, self.extra_features)

    def forward(self, obs: torch.Tensor, style: torch.Tensor, state: torch.Tensor,
                previous_action: torch.Tensor | None = None) -> tuple[list[torch.Tensor], torch.Tensor]:
        extra, state = self.step_history(previous_action, state, obs)
        return self.split_heads(self.trunk(obs, self.style_proj(style), extra), obs), state

    def logits(self, obs: torch.Tensor, style: torch.Tensor, history: torch.Tensor | None = None
               ) -> list[torch.Tensor]:
        """Training rows: obs[B, O], style[B, S], history int64[B, 3H] (None without action history)."""
        features = self.trunk(obs, self.style_proj(style), self.history_features(history))
        return self.split_heads(features, obs)

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
        self.gru_size = config.gru_hidden
        self.state_size = config.gru_hidden + self.memory_size
        self.trunk = StyledTrunk(contract, config, self.extra_features)
        self.gru = nn.GRU(self.trunk.out_features, config.gru_hidden, batch_first=True)

    def forward(self, obs: torch.Tensor, style: torch.Tensor, state: torch.Tensor,
                previous_action: torch.Tensor | None = None) -> tuple[list[torch.Tensor], torch.Tensor]:
        hidden, memory = state[:, :self.gru_size], state[:, self.gru_size:]
        extra, memory = self.step_history(previous_action, memory, obs)
        logits, hidden = self._sequence(obs[:, None], style, hidden, None if extra is None else extra[:, None])
        return [head[:, 0] for head in logits], torch.cat([hidden, memory], dim=-1)

    def forward_sequence(self, obs: torch.Tensor, style: torch.Tensor, hidden: torch.Tensor,
                         history: torch.Tensor | None = None) -> tuple[list[torch.Tensor], torch.Tensor]:
        """obs[B, T, O], style[B, S], GRU hidden[B, gru_hidden], history int64[B, T, 3H] (the recording's; None
        without action history) -> (logits[B, T, n_h] per head, hidden[B, gru_hidden])."""
        return self._sequence(obs, style, hidden, self.history_features(history))

    def logits(self, obs: torch.Tensor, style: torch.Tensor, history: torch.Tensor | None = None
               ) -> list[torch.Tensor]:
        """Training sequences from a zero state: obs[B, T, O], style[B, S], history int64[B, T, 3H]."""
        hidden = torch.zeros(obs.shape[0], self.gru_size, device=obs.device)
        return self.forward_sequence(obs, style, hidden, history)[0]

    def _sequence(self, obs: torch.Tensor, style: torch.Tensor, hidden: torch.Tensor,
                  extra: torch.Tensor | None) -> tuple[list[torch.Tensor], torch.Tensor]:
        steps = obs.shape[1]
        embedded = self.style_proj(style)[:, None].expand(-1, steps, -1)
        features = self.trunk(obs, embedded, extra)
        out, last = self.gru(features, hidden[None].contiguous())
        return self.split_heads(torch.cat([features, out], dim=-1), obs), last[0]


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
