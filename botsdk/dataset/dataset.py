"""Dataset: read a recorded dataset (episode list, labels, arrays) without torch and without touching Minari."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np

from botsdk.contract import BehaviourContract
from botsdk.dataset import index
from botsdk.dataset.catalog import DatasetError, EpisodeInfo, read_catalog
from botsdk.dataset.episode_file import CorruptEpisodeError, content_hash, read_episode_file
from botsdk.dataset.layout import BOTSDK, DATA_DIR, episodes_dir


def resolve_root(path: str | Path) -> Path:
    """Accept the dataset root or its Minari `data/` directory; absolute, so a later chdir changes nothing."""
    path = Path(path).resolve()
    if (path / DATA_DIR / BOTSDK).exists():
        return path
    if path.name == DATA_DIR and (path / BOTSDK).exists():
        return path.parent
    raise DatasetError(f"not a botsdk dataset: expected {path / DATA_DIR / BOTSDK} to exist")


def read_contract_from_dataset(path: str | Path) -> BehaviourContract:
    """The contract every episode in the dataset was recorded under (used by `botsdk contract show DIR`)."""
    return BehaviourContract.from_dict(index.read_identity(resolve_root(path))["contract"])


class Dataset:
    """A consistent snapshot of a dataset's catalog; episodes committed later need a new `open`."""

    def __init__(self, root: Path, identity: dict[str, Any], episodes: list[EpisodeInfo]):
        self.root = root
        self.contract = BehaviourContract.from_dict(identity["contract"])
        self.episodes = episodes
        self.dataset_id: str = identity["dataset_id"]
        self._labels: dict[str, tuple[np.ndarray, list[str]]] = {}

    @classmethod
    def open(cls, path: str | Path) -> "Dataset":
        root = resolve_root(path)
        return cls(root, index.read_identity(root), read_catalog(root))

    def __len__(self) -> int:
        return len(self.episodes)

    @property
    def total_steps(self) -> int:
        return int(sum(e.steps for e in self.episodes))

    @property
    def steps(self) -> np.ndarray:
        """int64[E]: steps per episode, in episode-id order."""
        return np.fromiter((e.steps for e in self.episodes), dtype=np.int64, count=len(self.episodes))

    @property
    def content_hash(self) -> str:
        """Identifies exactly which episodes (and contract) a model was trained on."""
        h = hashlib.sha256(self.contract.content_hash.encode())
        for e in self.episodes:
            h.update(f"{e.file}:{e.steps}:{e.size};".encode())
        return "sha256:" + h.hexdigest()

    @property
    def minari_consistent(self) -> bool:
        """Whether Minari's index lists exactly the catalog's episodes (false only after a crash, until `repair`)."""
        total = index.read_metadata(self.root).get("total_episodes")
        return index.index_count(self.root) == len(self.episodes) == total

    def episode_path(self, episode_id: int) -> Path:
        return episodes_dir(self.root) / self.info(episode_id).file

    def info(self, episode_id: int) -> EpisodeInfo:
        if not 0 <= episode_id < len(self.episodes):
            raise IndexError(f"episode id: expected 0..{len(self.episodes) - 1}, got {episode_id}")
        return self.episodes[episode_id]

    def episode(self, episode_id: int) -> dict[str, Any]:
        """All arrays of one episode (Trajectory fields) plus `meta`; CorruptEpisodeError names a bad file."""
        info = self.info(episode_id)
        data = read_episode_file(self.episode_path(episode_id), info.size)
        attrs = {k: (v.item() if hasattr(v, "item") else v) for k, v in data.pop("attrs").items() if k != "total_steps"}
        data["meta"] = {**attrs, **info.to_json()}  # extra scalar meta (e.g. winner) rides along
        return data

    def labels(self, field: str = "style") -> tuple[np.ndarray, list[str]]:
        """int32[E] codes and their sorted names for a per-episode field (style, player_id, map, source)."""
        if field not in self._labels:
            values = [str(getattr(e, field)) for e in self.episodes]
            names = sorted(set(values))
            lookup = {n: i for i, n in enumerate(names)}
            codes = np.fromiter((lookup[v] for v in values), dtype=np.int32, count=len(values))
            self._labels[field] = (codes, names)
        return self._labels[field]

    def verify(self) -> list[CorruptEpisodeError]:
        """Open every episode file and check its recorded content hash; one error per damaged episode (the rest
        stay usable)."""
        errors = []
        for e in self.episodes:
            try:
                self.episode_hash(e.id, check=True)
            except CorruptEpisodeError as exc:
                errors.append(exc)
        return errors

    def episode_hash(self, episode_id: int, check: bool = False) -> str:
        """The episode's content hash: the recorded one, or computed from the file when the catalog has none.
        `check` reads the file anyway and raises CorruptEpisodeError when it no longer matches the record."""
        info = self.info(episode_id)
        if info.content_hash and not check:
            return info.content_hash
        path = self.episode_path(episode_id)
        found = content_hash(read_episode_file(path, info.size))
        if info.content_hash and found != info.content_hash:
            raise CorruptEpisodeError(path, "its arrays no longer match the content hash recorded at commit "
                                            "(the file was altered)")
        return found

    def summary(self) -> dict[str, Any]:
        """Counts for `botsdk data info`."""
        from collections import Counter

        def count(field: str) -> dict[str, int]:
            return dict(sorted(Counter(str(getattr(e, field)) for e in self.episodes).items()))

        steps_by_style: dict[str, int] = {}
        for e in self.episodes:
            steps_by_style[e.style] = steps_by_style.get(e.style, 0) + e.steps
        lengths = self.steps
        return {
            "path": str(self.root), "dataset_id": self.dataset_id, "episodes": len(self.episodes),
            "steps": self.total_steps,
            "episode_length": {"min": int(lengths.min()), "mean": round(float(lengths.mean()), 2),
                               "max": int(lengths.max())} if len(lengths) else None,
            "per_style": count("style"), "steps_per_style": dict(sorted(steps_by_style.items())),
            "per_player": count("player_id"), "per_source": count("source"), "per_map": count("map"),
            "contract": {"name": self.contract.name, "version": self.contract.version,
                         "hash": self.contract.content_hash, "observation_size": self.contract.observation_size,
                         "heads": dict(zip(self.contract.head_names, self.contract.head_sizes))},
            "content_hash": self.content_hash, "minari_consistent": self.minari_consistent,
        }
