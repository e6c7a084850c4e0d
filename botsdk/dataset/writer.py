"""DatasetWriter: many processes may append episodes to one dataset directory without corrupting each other.

Commit protocol for one episode:
  1. write `episodes/.tmp-<pid>-<uuid>.hdf5` and fsync it (no lock held; the slow part);
  2. under the fcntl index lock: rename it into place (fsync the directory), append its catalog line (fsync) —
     the commit point — then extend Minari's main_data.hdf5 and metadata.json by write-temp-then-rename.
A SIGKILL before step 2 leaves only a temp file (swept later); during step 2 leaves at worst a committed file or
catalog line that Minari's index does not show yet, which the next writer (or `repair`) links in."""

from __future__ import annotations

import os
import warnings
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Sequence

from botsdk.contract import BehaviourContract, contract_differences
from botsdk.contract.compat import IncompatibleContractError
from botsdk.dataset import index
from botsdk.dataset.catalog import DatasetError, EpisodeInfo, LineCounter, append_records, catalog_path, clean_meta, read_catalog
from botsdk.dataset.episode_file import CorruptEpisodeError, content_hash, normalise, read_episode_attrs, write_episode_file
from botsdk.dataset.layout import BOTSDK, TMP_PREFIX, data_dir, episodes_dir, fsync_dir, index_lock


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def check_same_contract(dataset: BehaviourContract, other: BehaviourContract, dataset_label: str, other_label: str) -> None:
    """Data in one dataset must share one contract: any difference either way is an error naming the fields."""
    diffs = contract_differences(dataset, other) or contract_differences(other, dataset)
    if diffs:
        raise IncompatibleContractError(diffs, dataset_label, other_label)


def check_dataset_id(dataset_id: str) -> None:
    """Minari ids look like `namespace/name-vN`; anything else breaks `minari.load_dataset`."""
    import re

    if not re.fullmatch(r"(?:[-_\w][-_\w/]*[-_\w]/)?[-_\w]+?-v\d+", dataset_id):
        raise DatasetError(f"dataset_id: expected '(namespace/)name-vN' (e.g. 'botsdk/arena-v0'), got {dataset_id!r}")


class DatasetWriter:
    """Append episodes to `root`, creating it (Minari layout) on first use."""

    def __init__(self, root: str | Path, contract: BehaviourContract, dataset_id: str = "botsdk/arena-v0"):
        self.root = Path(root).resolve()
        self.contract = contract
        self._lines = LineCounter()
        episodes_dir(self.root).mkdir(parents=True, exist_ok=True)
        with index_lock(self.root):
            if (data_dir(self.root) / BOTSDK).exists():
                identity = index.read_identity(self.root)
                existing = BehaviourContract.from_dict(identity["contract"])
                check_same_contract(existing, contract, f"dataset {self.root}", "recorder")
                dataset_id = identity["dataset_id"]
            else:
                check_dataset_id(dataset_id)
                index.write_identity(self.root, dataset_id, contract)
            self.metadata = index.new_metadata(dataset_id, contract)
            self._repair_locked()

    def add_episode(self, trajectory: Any, meta: dict[str, Any] | None = None) -> int:
        """Validate against the contract, write, and commit atomically; returns the new episode id."""
        return self.add_episodes([(trajectory, meta or {})])[0]

    def add_episodes(self, items: Sequence[tuple[Any, dict[str, Any]]]) -> list[int]:
        """Commit several episodes under one lock acquisition (each is still its own file)."""
        staged: list[tuple[Path, dict[str, Any]]] = []
        try:
            for traj, meta in items:
                staged.append(self._stage(traj, meta))
            return self._commit(staged)
        except BaseException:
            for tmp, _ in staged:  # nothing of a failed batch stays behind (committed files were renamed away)
                tmp.unlink(missing_ok=True)
            raise

    def _stage(self, trajectory: Any, meta: dict[str, Any]) -> tuple[Path, dict[str, Any]]:
        carried = trajectory.get("meta") if isinstance(trajectory, dict) else getattr(trajectory, "meta", None)
        meta = {**(carried or {}), **meta}  # the trajectory's own meta, overridden by the caller's
        arrays = normalise(trajectory, self.contract.observation_size, self.contract.head_sizes)
        record = clean_meta({"started_at": utc_now(), **meta})
        record["contract_hash"] = self.contract.content_hash
        record["finished_at"] = meta.get("finished_at") or utc_now()
        record["steps"] = int(arrays["actions"].shape[0])
        record["content_hash"] = content_hash(arrays)
        extra = {k: v for k, v in meta.items() if k not in record and isinstance(v, (str, int, float, bool))}
        attrs = {**extra, **record, "total_steps": record["steps"]}  # Minari shows every scalar meta field
        written = write_episode_file(episodes_dir(self.root), arrays, attrs)
        return Path(written.pop("tmp_path")), {**record, **written}

    def _commit(self, staged: list[tuple[Path, dict[str, Any]]]) -> list[int]:
        directory = episodes_dir(self.root)
        records = [record for _, record in staged]
        with index_lock(self.root):
            for tmp, record in staged:
                os.replace(tmp, directory / record["file"])
            fsync_dir(directory)
            total = append_records(self.root, records, self._lines)
            first = total - len(records)
            new = [EpisodeInfo(id=first + k, **r) for k, r in enumerate(records)]
            self._extend_index_locked(first, new)
        return list(range(first, total))

    def _extend_index_locked(self, first: int, new: list[EpisodeInfo]) -> None:
        """O(new) when Minari's view was up to date (the normal case); a full rebuild after a crash."""
        metadata = index.read_metadata(self.root)
        if metadata.get("total_episodes") != first or index.index_count(self.root) != first:
            self._refresh_index_locked()
            return
        index.update_index(self.root, new, start=first)
        metadata["total_episodes"] = first + len(new)
        metadata["total_steps"] = int(metadata.get("total_steps", 0)) + sum(e.steps for e in new)
        metadata["dataset_size"] = round(float(metadata.get("dataset_size", 0.0)) + sum(e.size for e in new) / 1e6, 1)
        index.atomic_write_metadata(self.root, metadata)

    def _refresh_index_locked(self) -> None:
        episodes = read_catalog(self.root)
        index.update_index(self.root, episodes, start=0)
        index.write_metadata(self.root, self.metadata, episodes)

    def _repair_locked(self) -> list[str]:
        """Catalog committed files a killed writer never listed, sweep dead writers' temp files, relink the index."""
        known = {e.file for e in read_catalog(self.root)}
        orphans = []
        for path in data_dir(self.root).glob(f"{TMP_PREFIX}*"):
            _sweep_temp(path)
        for path in sorted(episodes_dir(self.root).glob("*.hdf5")):
            if path.name.startswith(TMP_PREFIX):
                _sweep_temp(path)
            elif path.name not in known:
                try:
                    orphans.append(_record_from_file(path))
                except CorruptEpisodeError as exc:  # never block recording on one bad file; leave it to inspect
                    warnings.warn(f"not listing {exc}", RuntimeWarning, stacklevel=2)
        if orphans:
            orphans.sort(key=lambda r: (r["finished_at"], r["file"]))  # keep recording order
            append_records(self.root, orphans, self._lines)
        episodes = read_catalog(self.root)
        stale = index.read_metadata(self.root).get("total_episodes") != len(episodes)
        if orphans or stale or index.index_count(self.root) != len(episodes):
            self._refresh_index_locked()
        return [o["file"] for o in orphans]


def _record_from_file(path: Path) -> dict[str, Any]:
    attrs = read_episode_attrs(path)
    record = clean_meta(attrs)
    record.update(steps=int(attrs["total_steps"]), file=path.name, size=path.stat().st_size,
                  content_hash=str(attrs.get("content_hash", "")),
                  obs_offset=attrs["_obs_offset"], act_offset=attrs["_act_offset"])
    return record


def _sweep_temp(path: Path) -> None:
    """Remove a temp file whose writer process is gone (names: .tmp-<pid>-<name>)."""
    try:
        pid = int(path.name[len(TMP_PREFIX):].split("-", 1)[0])
    except ValueError:
        return
    try:
        os.kill(pid, 0)
        return  # still alive: it is mid-write
    except ProcessLookupError:
        path.unlink(missing_ok=True)
    except PermissionError:
        return


def repair(root: str | Path) -> list[str]:
    """Bring the catalog and Minari's index up to date after a crash; returns the files newly listed.

    A catalog that cannot be parsed is moved aside (catalog.jsonl.corrupt) and rebuilt from the episode files."""
    root = Path(root).resolve()
    try:
        read_catalog(root)
    except DatasetError:
        path = catalog_path(root)
        path.replace(path.with_name(path.name + ".corrupt"))
    writer = maintenance_writer(root)
    with index_lock(root):
        return writer._repair_locked()


def maintenance_writer(root: Path) -> DatasetWriter:
    """A writer on an existing dataset that skips the checks and repair a recorder runs when it opens one."""
    identity = index.read_identity(root)
    writer = DatasetWriter.__new__(DatasetWriter)
    writer.root, writer._lines = root, LineCounter()
    writer.contract = BehaviourContract.from_dict(identity["contract"])
    writer.metadata = index.new_metadata(identity["dataset_id"], writer.contract)
    return writer


def import_episode_file(writer: DatasetWriter, source: Path, info: EpisodeInfo) -> int:
    """Copy an already-committed episode file from another dataset (hard link when possible) and commit it."""
    import shutil
    import uuid

    name = f"{uuid.uuid4().hex}.hdf5"
    tmp = episodes_dir(writer.root) / f"{TMP_PREFIX}{os.getpid()}-{name}"
    try:
        os.link(source, tmp)
    except OSError:
        shutil.copyfile(source, tmp)
    record = {k: v for k, v in info.to_json().items() if k != "id"}
    record["file"] = name
    return writer._commit([(tmp, record)])[0]
