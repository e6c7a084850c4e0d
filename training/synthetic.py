"""Learnable synthetic demonstrations (contract-shaped, style-dependent), for trainer tests and the benchmark.

Each persona k acts by a different deterministic rule of the observation (move = (argmax obs[0:9] + k) mod 9,
interact flips for odd k), so a model can only fit every persona by using its style input, and an encoder can only
recover the persona by relating actions to observations.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from botsdk.contract import BehaviourContract


def persona_actions(contract: BehaviourContract, obs: np.ndarray, persona_index: int) -> np.ndarray:
    sizes = contract.head_sizes
    heads = [(np.argmax(obs[:, :sizes[0]], axis=1) + persona_index) % sizes[0]]
    offset = sizes[0]
    for size in sizes[1:]:
        heads.append(np.argmax(obs[:, offset:offset + size], axis=1))
        offset += size
    actions = np.stack(heads, axis=1).astype(np.int64)
    if persona_index % 2 and len(sizes) > 3:
        actions[:, 3] = (sizes[3] - 1) - actions[:, 3]
    return actions


def synthetic_episode(contract: BehaviourContract, persona: str, steps: int, seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    obs = rng.random((steps + 1, contract.observation_size), dtype=np.float32) * 0.1
    offset = 0
    for size in contract.head_sizes:  # one clearly hot cue per head block
        obs[np.arange(steps + 1), offset + rng.integers(0, size, steps + 1)] = 1.0
        offset += size
    index = contract.style.persona_names.index(persona)
    actions = persona_actions(contract, obs[:steps], index)
    terminations = np.zeros(steps, bool)
    terminations[-1] = True
    return {"observations": obs, "actions": actions, "rewards": np.zeros(steps, np.float32),
            "terminations": terminations, "truncations": np.zeros(steps, bool),
            "infos": {"position": np.zeros((steps + 1, 2), np.float32), "heading": np.zeros(steps + 1, np.float32)}}


def write_synthetic_dataset(root: str | Path, contract: BehaviourContract, players_per_persona: int = 2,
                            episodes_per_player: int = 2, steps: int = 64, seed: int = 0) -> Path:
    """A dataset under `root` with every persona of the contract played by a few players over a few match seeds."""
    from training.data import DatasetWriter

    writer = DatasetWriter(root, contract)
    items = []
    for p_index, persona in enumerate(contract.style.persona_names):
        for player in range(players_per_persona):
            for episode in range(episodes_per_player):
                match_seed = seed + episode * 1000 + player
                episode_seed = seed * 100_003 + p_index * 10_007 + player * 101 + episode
                meta = {"player_id": f"{persona}-{player}", "source": "scripted", "style": persona, "skill": 1.0,
                        "map": "synthetic", "seed": match_seed, "team": "blue", "agent_id": "blue_0"}
                items.append((synthetic_episode(contract, persona, steps, episode_seed), meta))
    writer.add_episodes(items)
    return Path(root)
