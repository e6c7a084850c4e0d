"""A trained ONNX policy as arena persona bots, for `botsdk playtest --policy model.onnx`."""

from __future__ import annotations

from typing import Any

import numpy as np


class RuntimePersonaController:
    """Controller (see docs/interfaces.md) that asks one shared `BotRuntime` for an agent's action, steered to a
    persona through the policy's style vector."""

    source = "bot"
    last_probs = None

    def __init__(self, runtime: Any, persona: str, player_id: str) -> None:
        self.runtime, self.style, self.player_id, self.skill = runtime, persona, player_id, 1.0
        self._style = runtime.style_for(persona)
        self._agent = player_id
        self._start = True

    def reset(self, agent_id: str, seed: int) -> None:
        self._agent, self._start = f"{self.player_id}/{agent_id}", True

    def act(self, observation: np.ndarray, view: Any = None) -> np.ndarray:
        obs = np.asarray(observation, dtype=np.float32).reshape(1, -1)
        actions = self.runtime.act([self._agent], obs, self._style.reshape(1, -1), np.array([self._start]))
        self._start = False
        return actions[0]


def policy_controllers(model_path: str, persona: str, seed: int, agent_ids: list[str]) -> dict[str, Any]:
    """One controller per agent, all sharing one runtime seeded from the episode seed (so the seed reproduces)."""
    from export.runtime import BotRuntime

    runtime = BotRuntime(model_path, seed=seed)
    return {a: RuntimePersonaController(runtime, persona, f"policy-{persona}-{i}") for i, a in enumerate(agent_ids)}


def check_policy(model_path: str) -> tuple[str, ...]:
    """Load the model once and check it speaks the arena's contract; returns its persona names."""
    from botsdk.arena.contract import arena_contract
    from botsdk.contract import check_compatible
    from export.runtime import BotRuntime

    runtime = BotRuntime(model_path, seed=0)
    check_compatible(runtime.contract, arena_contract(), model_label=f"model {model_path}", other_label="arena")
    return tuple(name for name, _ in runtime.contract.style.personas)
