"""Synthetic workloads for the benchmarks (and the tests): contract-shaped data with no game to play.

`synthetic_trajectory` encodes (seed, step) in its observations so rows can be checked end to end.
`synthetic_episode` is learnable: persona k acts by a different deterministic rule of the observation
(move = (argmax obs[0:9] + k) mod 9, interact flips for odd k), so a model can only fit every persona by using its
style input, and an encoder can only recover the persona by relating actions to observations.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from botsdk.contract import BehaviourContract


def synthetic_trajectory(contract: BehaviourContract, steps: int, seed: int, style: str = "rusher",
                         player_id: str = "p0") -> dict[str, Any]:
    """A Trajectory-shaped dict whose observations encode (seed, step) so tests can check rows end to end:
    obs[t, 0] == seed, obs[t, 1] == t."""
    rng = np.random.default_rng(seed)
    obs = rng.random((steps + 1, contract.observation_size), dtype=np.float32)
    obs[:, 0] = seed
    obs[:, 1] = np.arange(steps + 1, dtype=np.float32)
    actions = np.stack([rng.integers(0, n, steps) for n in contract.head_sizes], axis=1).astype(np.int64)
    terminations = np.zeros(steps, bool)
    terminations[-1] = True
    return {
        "observations": obs, "actions": actions,
        "rewards": rng.standard_normal(steps).astype(np.float32),
        "terminations": terminations, "truncations": np.zeros(steps, bool),
        "infos": {"position": rng.random((steps + 1, 2), dtype=np.float32) * 40,
                  "heading": rng.random(steps + 1, dtype=np.float32) * 6.28},
        "meta": {"player_id": player_id, "source": "scripted", "style": style, "skill": 0.5, "map": "synthetic",
                 "seed": seed, "team": "blue", "agent_id": "blue_0"},
    }



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
