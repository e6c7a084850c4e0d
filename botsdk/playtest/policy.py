"""A trained ONNX policy as arena persona bots, for `botsdk playtest --policy model.onnx` (through
`botsdk.export.controller`, the one runtime-backed Controller)."""

from __future__ import annotations

from typing import Any


def policy_controllers(model_path: str, persona: str, seed: int, agent_ids: list[str]) -> dict[str, Any]:
    """One controller per agent steered to `persona`, sharing one runtime seeded from the episode seed."""
    from botsdk.export.controller import policy_controllers as controllers

    return controllers(model_path, persona, agent_ids, seed=seed, player_prefix=f"policy-{persona}")


def check_policy(model_path: str) -> tuple[str, ...]:
    """Load the model once and check it speaks the arena's contract; returns its persona names."""
    from botsdk.arena.contract import arena_contract
    from botsdk.contract import check_compatible
    from botsdk.export.runtime import BotRuntime

    runtime = BotRuntime(model_path, seed=0)
    check_compatible(runtime.contract, arena_contract(), model_label=f"model {model_path}", other_label="arena")
    return runtime.contract.style.persona_names
