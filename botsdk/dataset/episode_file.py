"""One episode per HDF5 file, laid out exactly as Minari's HDF5 storage expects an `episode_N` group.

Arrays are stored contiguous and uncompressed so a loader can read a block of rows with one `pread` at a known
byte offset; the offsets are recorded in the catalog when the episode is committed.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from botsdk.dataset.layout import TMP_PREFIX

GROUP = "episode"
DISTURBED_INFO = "disturbed"  # per-step info: 1 where the action was a disturbance, not the player's choice (kept
                              # as history, left out of what training learns; botsdk.arena.disturbance)
STEP_FIELDS = ("observations", "actions", "rewards", "terminations", "truncations")


class CorruptEpisodeError(OSError):
    """An episode file is missing, truncated or unreadable; names the file so the rest of the dataset stays usable."""

    def __init__(self, path: Path | str, reason: str):
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"corrupt or truncated episode file {self.path}: {reason}")


def _get(traj: Any, name: str) -> Any:
    if isinstance(traj, Mapping):
        return traj[name]
    return getattr(traj, name)


def normalise(traj: Any, observation_size: int, head_sizes: tuple[int, ...]) -> dict[str, Any]:
    """Check shapes and dtypes against the contract; return plain arrays. Errors name expected vs received."""
    obs = np.ascontiguousarray(_get(traj, "observations"), dtype=np.float32)
    actions = np.ascontiguousarray(_get(traj, "actions"), dtype=np.int64)
    if actions.ndim != 2 or actions.shape[1] != len(head_sizes):
        raise ValueError(f"actions: expected shape (T, {len(head_sizes)}), got {actions.shape}")
    steps = actions.shape[0]
    if steps < 1:
        raise ValueError("episode: expected at least 1 step, got 0")
    if obs.shape != (steps + 1, observation_size):
        raise ValueError(f"observations: expected shape ({steps + 1}, {observation_size}) (T+1 rows), got {obs.shape}")
    if not np.isfinite(obs).all():
        raise ValueError("observations: expected finite floats, got NaN or inf")
    bad = (actions < 0) | (actions >= np.asarray(head_sizes))
    if bad.any():
        row, head = map(int, np.argwhere(bad)[0])
        raise ValueError(f"actions[{row}, {head}]: expected 0..{head_sizes[head] - 1}, got {int(actions[row, head])}")
    out = {"observations": obs, "actions": actions}
    for name, dtype in (("rewards", np.float32), ("terminations", np.bool_), ("truncations", np.bool_)):
        arr = np.ascontiguousarray(_get(traj, name), dtype=dtype)
        if arr.shape != (steps,):
            raise ValueError(f"{name}: expected shape ({steps},), got {arr.shape}")
        out[name] = arr
    infos = _get(traj, "infos") or {}
    out["infos"] = {
        "position": _info(infos, "position", (steps + 1, 2)),
        "heading": _info(infos, "heading", (steps + 1,)),
    }
    for key, value in infos.items():  # any further per-step info (health, velocity, ...) is kept as given
        if key not in out["infos"]:
            arr = np.ascontiguousarray(value)
            if arr.shape[:1] != (steps + 1,) or arr.dtype.kind not in "biuf":
                raise ValueError(f"infos[{key!r}]: expected a numeric array with {steps + 1} rows, got "
                                 f"shape {arr.shape} dtype {arr.dtype}")
            out["infos"][key] = arr
    return out


def _info(infos: Mapping[str, Any], key: str, shape: tuple[int, ...]) -> np.ndarray:
    if key not in infos:
        raise ValueError(f"infos: expected key {key!r}, got keys {sorted(infos)}")
    arr = np.ascontiguousarray(infos[key], dtype=np.float32)
    if arr.shape != shape:
        raise ValueError(f"infos[{key!r}]: expected shape {shape}, got {arr.shape}")
    return arr


def content_hash(arrays: Mapping[str, Any]) -> str:
    """sha256 over the step arrays (shape, dtype and bytes): equal for the same episode, whatever its metadata."""
    import hashlib

    h = hashlib.sha256()
    for key in STEP_FIELDS:
        arr = np.ascontiguousarray(arrays[key])
        h.update(f"{key}:{arr.dtype.str}:{arr.shape};".encode())
        h.update(arr.tobytes())
    return "sha256:" + h.hexdigest()


def write_episode_file(directory: Path, arrays: dict[str, Any], attrs: dict[str, Any]) -> dict[str, Any]:
    """Write and fsync `.tmp-<pid>-<uuid>.hdf5`; the caller renames it to `file` when it commits.

    Returns the catalog fields: tmp_path, file, size and the byte offsets of observations and actions.
    """
    import h5py

    name = f"{uuid.uuid4().hex}.hdf5"
    tmp = directory / f"{TMP_PREFIX}{os.getpid()}-{name}"
    with h5py.File(tmp, "w", track_order=True) as f:
        group = f.create_group(GROUP)
        group.attrs.update({k: v for k, v in attrs.items() if v is not None})
        for key in STEP_FIELDS:
            group.create_dataset(key, data=arrays[key])
        infos = group.create_group("infos")
        for key, value in arrays["infos"].items():
            infos.create_dataset(key, data=value)
        offsets = {key: int(group[key].id.get_offset()) for key in ("observations", "actions")}
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
        size = os.fstat(fd).st_size
    finally:
        os.close(fd)
    return {"tmp_path": str(tmp), "file": name, "size": size,
            "obs_offset": offsets["observations"], "act_offset": offsets["actions"]}


def read_episode_file(path: Path, expected_size: int | None = None) -> dict[str, Any]:
    """Every array of one episode; CorruptEpisodeError naming the file if it cannot be read whole."""
    import h5py

    check_size(path, expected_size)
    try:
        with h5py.File(path, "r") as f:
            group = f[GROUP]
            out: dict[str, Any] = {key: group[key][()] for key in STEP_FIELDS}
            out["infos"] = {key: group["infos"][key][()] for key in group["infos"]}
            out["attrs"] = dict(group.attrs)
    except (OSError, KeyError, ValueError) as exc:
        raise CorruptEpisodeError(path, str(exc)) from exc
    return out


def chosen_steps(episode: Mapping[str, Any], steps: int) -> np.ndarray | None:
    """bool[steps]: the steps whose action the player chose (not marked disturbed), or None when none is marked."""
    disturbed = (episode.get("infos") or {}).get(DISTURBED_INFO)
    return None if disturbed is None else np.asarray(disturbed[:steps]) == 0


def has_info(path: Path, key: str) -> bool:
    """Whether an episode file holds the per-step info `key` (read without loading any array)."""
    import h5py

    try:
        with h5py.File(path, "r") as f:
            return key in f[GROUP]["infos"]
    except (OSError, KeyError) as exc:
        raise CorruptEpisodeError(path, str(exc)) from exc


def read_episode_attrs(path: Path) -> dict[str, Any]:
    import h5py

    try:
        with h5py.File(path, "r") as f:
            group = f[GROUP]
            attrs = dict(group.attrs)
            attrs["_obs_offset"] = int(group["observations"].id.get_offset())
            attrs["_act_offset"] = int(group["actions"].id.get_offset())
            attrs["_obs_shape"] = tuple(group["observations"].shape)
    except (OSError, KeyError, ValueError, TypeError) as exc:
        raise CorruptEpisodeError(path, str(exc)) from exc
    return attrs


def check_size(path: Path, expected_size: int | None) -> None:
    try:
        size = path.stat().st_size
    except FileNotFoundError as exc:
        raise CorruptEpisodeError(path, "file is missing") from exc
    if expected_size is not None and size != expected_size:
        raise CorruptEpisodeError(path, f"expected {expected_size} bytes, found {size} (truncated or rewritten)")
