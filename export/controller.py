"""An arena `Controller` (docs/interfaces.md) backed by the torch-free runtime: a trained policy steered by a style.

Many controllers may share one `BotRuntime`; each keeps its own recurrent state through a distinct agent key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from botsdk.export.runtime import BotRuntime

StyleSpecifier = str | Mapping[str, float] | Sequence[float] | np.ndarray | None


class PolicyController:
    """Controller over a shared runtime. `style` is a persona name, a {persona: weight} blend, a vector, or None."""

    source = "bot"
    last_probs: list[np.ndarray] | None = None

    def __init__(self, runtime: BotRuntime, style: StyleSpecifier = None, player_id: str = "policy",
                 skill: float = 1.0, style_label: str | None = None):
        self.runtime, self.player_id, self.skill = runtime, player_id, float(skill)
        self.style = style_label or (style if isinstance(style, str) else "custom" if style is not None else "none")
        vector = np.zeros(runtime.contract.style.size, np.float32) if style is None else runtime.style_for(
            style if isinstance(style, (str, Mapping)) else list(np.asarray(style, np.float64)))
        self._style = vector.reshape(1, -1)
        self._key: str = player_id
        self._start = np.array([True])

    def reset(self, agent_id: str, seed: int) -> None:
        """A new episode: a fresh runtime key (so controllers sharing a runtime never share state) and a reset."""
        self._key = f"{self.player_id}/{agent_id}"
        self._start = np.array([True])

    def act(self, observation: np.ndarray, view: Any = None) -> np.ndarray:
        obs = np.asarray(observation, dtype=np.float32).reshape(1, -1)
        actions = self.runtime.act([self._key], obs, self._style, self._start)
        self._start = np.array([False])
        return actions[0]


def policy_controllers(model_path: str | Path, style: StyleSpecifier, agent_ids: Sequence[str], seed: int = 0,
                       greedy: bool = False, temperature: float | None = None,
                       player_prefix: str = "policy") -> dict[str, PolicyController]:
    """One controller per agent sharing one runtime, seeded so a match seed reproduces the rollout."""
    runtime = BotRuntime(model_path, seed=seed, greedy=greedy, temperature=temperature)
    return {agent: PolicyController(runtime, style, f"{player_prefix}-{i}") for i, agent in enumerate(agent_ids)}
