"""A trained torch policy as an arena `Controller`, for rollouts during evaluation (the runtime uses ONNX instead)."""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import torch

from botsdk.contract import BehaviourContract
from botsdk.training.models import PolicyBase, sample_actions
from botsdk.training.style import style_vector


class TorchPolicyController:
    """Samples the policy's heads (human variability) or takes argmax (`greedy`); carries GRU state per episode."""

    source = "bot"
    skill = 1.0
    last_probs: list[np.ndarray] | None = None

    def __init__(self, policy: PolicyBase, contract: BehaviourContract,
                 style: str | Mapping[str, float] | None, seed: int = 0, greedy: bool = False,
                 player_id: str = "model", temperature: float = 1.0):
        self.policy, self.greedy, self.temperature = policy, greedy, temperature
        self.style = style if isinstance(style, str) else _label(style)
        self.player_id = player_id
        self._style = style_vector(contract, style)[None]
        self._generator = torch.Generator().manual_seed(seed)
        self._state = policy.initial_state(1)

    def reset(self, agent_id: str, seed: int) -> None:
        self._generator.manual_seed(seed)
        self._state = self.policy.initial_state(1)

    @torch.no_grad()
    def act(self, observation: np.ndarray, view: Any = None) -> np.ndarray:
        obs = torch.from_numpy(np.asarray(observation, dtype=np.float32))[None]
        logits, self._state = self.policy(obs, self._style, self._state)
        actions = sample_actions(logits, self._generator, self.greedy, self.temperature)
        return actions[0].numpy().astype(np.int64)


def _label(style: Mapping[str, float] | None) -> str:
    if style is None:
        return "none"
    return "+".join(f"{name}:{weight:g}" for name, weight in style.items())
