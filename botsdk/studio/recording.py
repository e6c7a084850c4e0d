"""Save a designer's demonstration in the studio as a human episode of a dataset (then it can be trained on)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from botsdk.contract import BehaviourContract


def save_demonstration(root: Path, contract: BehaviourContract, observations: list[np.ndarray],
                       actions: list[np.ndarray], positions: list[np.ndarray], headings: list[float], map_name: str,
                       seed: int, player_id: str = "designer") -> int:
    """One episode: T actions, T + 1 observations (the last observation is repeated: the studio stops mid-round)."""
    from botsdk.dataset import DatasetWriter

    obs = np.stack(observations + [observations[-1]]).astype(np.float32)
    steps = len(actions)
    trajectory = {
        "observations": obs,
        "actions": np.stack(actions).astype(np.int64),
        "rewards": np.zeros(steps, np.float32),
        "terminations": np.zeros(steps, bool),
        "truncations": np.eye(1, steps, steps - 1, dtype=bool)[0],
        "infos": {"position": np.stack(positions + [positions[-1]]).astype(np.float32),
                  "heading": np.asarray(headings + [headings[-1]], dtype=np.float32)},
    }
    meta = {"player_id": player_id, "source": "human", "style": "designer", "skill": 1.0, "map": map_name,
            "seed": int(seed)}
    return DatasetWriter(root, contract).add_episode(trajectory, meta)
