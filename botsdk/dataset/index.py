"""Minari's view of the dataset: `main_data.hdf5` (external links to episode files) and `metadata.json`.

Both are replaced by write-temp-then-rename under the index lock, so Minari readers always see a consistent
snapshot. They are derived from the catalog and not fsync'd: after a crash any writer (or `repair`) rebuilds them.
The links are relative to the index file's directory, so a dataset directory can be moved or copied whole.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any, Sequence

from botsdk.dataset.catalog import EpisodeInfo
from botsdk.dataset.episode_file import GROUP
from botsdk.dataset.layout import (BOTSDK, EPISODES_DIR, MAIN_FILE, METADATA, TMP_PREFIX, atomic_write_text, data_dir,
                                  read_json)

MINARI_VERSION = "0.5.4"


def minari_spaces(observation_size: int, head_sizes: Sequence[int]) -> tuple[str, str]:
    """Serialised gymnasium spaces, exactly as Minari writes them."""
    import numpy as np
    from gymnasium import spaces
    from minari.serialization import serialize_space

    obs = spaces.Box(low=-np.inf, high=np.inf, shape=(observation_size,), dtype=np.float32)
    act = spaces.MultiDiscrete(np.asarray(head_sizes, dtype=np.int64))
    return serialize_space(obs), serialize_space(act)


def new_metadata(dataset_id: str, contract: Any) -> dict[str, Any]:
    obs_space, act_space = minari_spaces(contract.observation_size, contract.head_sizes)
    return {
        "dataset_id": dataset_id,
        "minari_version": MINARI_VERSION,
        "data_format": "hdf5",
        "jpeg_encoding": False,
        "observation_space": obs_space,
        "action_space": act_space,
        "total_episodes": 0,
        "total_steps": 0,
        "dataset_size": 0.0,
        "algorithm_name": "botsdk recorder",
        "botsdk_format": "botsdk.dataset/1",
        "botsdk_contract": contract.to_json(indent=None),
        "botsdk_contract_hash": contract.content_hash,
    }


def write_metadata(root: Path, metadata: dict[str, Any], episodes: Sequence[EpisodeInfo]) -> None:
    """Recompute the counts from the whole catalog (after a crash) and write metadata.json atomically."""
    metadata = dict(metadata)
    metadata["total_episodes"] = len(episodes)
    metadata["total_steps"] = int(sum(e.steps for e in episodes))
    metadata["dataset_size"] = round(sum(e.size for e in episodes) / 1e6, 1)
    atomic_write_metadata(root, metadata)


def atomic_write_metadata(root: Path, metadata: dict[str, Any]) -> None:
    import json

    atomic_write_text(data_dir(root) / METADATA, json.dumps(metadata), durable=False)


def read_metadata(root: Path) -> dict[str, Any]:
    """Minari's metadata.json, or {} when it is missing or unreadable (it is derived; a writer rebuilds it)."""
    try:
        return read_json(data_dir(root) / METADATA)
    except (OSError, ValueError):
        return {}


def write_identity(root: Path, dataset_id: str, contract: Any) -> None:
    """botsdk.json: the dataset's fixed identity, written once and fsync'd."""
    import json

    text = json.dumps({"format": "botsdk.dataset/1", "dataset_id": dataset_id, "contract": contract.to_dict()}, indent=2)
    atomic_write_text(data_dir(root) / BOTSDK, text, durable=True)


def read_identity(root: Path) -> dict[str, Any]:
    return read_json(data_dir(root) / BOTSDK)


def _link(info: EpisodeInfo) -> Any:
    import h5py

    return h5py.ExternalLink(f"{EPISODES_DIR}/{info.file}", f"/{GROUP}")


def index_count(root: Path) -> int:
    import h5py

    path = data_dir(root) / MAIN_FILE
    if not path.exists():
        return -1
    try:
        with h5py.File(path, "r") as f:
            return len(f.keys())
    except OSError:
        return -1


def update_index(root: Path, episodes: Sequence[EpisodeInfo], start: int) -> None:
    """Link `episodes` (ids start, start+1, ...) into main_data.hdf5: appended to a copy of the current index when
    start > 0 (it must hold exactly `start` links), or a fresh index when start == 0. Rename makes it atomic."""
    import h5py

    directory = data_dir(root)
    path = directory / MAIN_FILE
    tmp = directory / f"{TMP_PREFIX}{os.getpid()}-{MAIN_FILE}"
    if start > 0:
        shutil.copyfile(path, tmp)
    with h5py.File(tmp, "a" if start > 0 else "w", track_order=True) as f:
        for info in episodes:
            f[f"episode_{info.id}"] = _link(info)
    os.replace(tmp, path)
