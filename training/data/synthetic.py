"""Deterministic synthetic trajectories with the arena's shapes, for tests and benchmarks (no game needed)."""

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
