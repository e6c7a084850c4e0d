"""The built-in reference game: a top-down 2D tactical arena (maps, rules, sensors, scripted players, envs).

Importing this package is light: the simulation (numba), the envs (gymnasium, pettingzoo) and the renderer
(pygame) load on first use. `gymnasium.make("botsdk/Arena-v0", ...)` works after `import botsdk.arena`.
"""

from __future__ import annotations

from typing import Any

from botsdk.arena.contract import arena_contract
from botsdk.arena.maps import ArenaMap, MapError, list_maps, load_map

_LAZY = {
    "ArenaBatch": "botsdk.arena.batch",
    "ArenaEnv": "botsdk.arena.envs",
    "ArenaParallelEnv": "botsdk.arena.envs",
    "parallel_env": "botsdk.arena.envs",
    "play_match": "botsdk.arena.rollout",
    "Trajectory": "botsdk.arena.rollout",
    "Controller": "botsdk.arena.rollout",
    "AgentView": "botsdk.arena.view",
    "make_demonstrator": "botsdk.arena.demonstrators",
    "player_ids": "botsdk.arena.demonstrators",
    "DEMONSTRATOR_STYLES": "botsdk.arena.demonstrators",
    "ExplorationMemory": "botsdk.arena.demonstrators",
    "style_statistics": "botsdk.arena.stats",
    "BatchedArenaEnv": "botsdk.arena.vector",
}

__all__ = ["ArenaMap", "MapError", "arena_contract", "list_maps", "load_map", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'botsdk.arena' has no attribute {name!r}")


def _register() -> None:
    try:
        from gymnasium.envs.registration import register, registry
    except ImportError:  # gymnasium is a dependency; tolerate its absence for contract-only users
        return
    if "botsdk/Arena-v0" not in registry:
        register(id="botsdk/Arena-v0", entry_point="botsdk.arena.envs:ArenaEnv", max_episode_steps=None)


_register()
