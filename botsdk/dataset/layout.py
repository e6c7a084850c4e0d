"""Where things live inside a dataset directory, and the two primitives that make commits safe.

    <root>/data/botsdk.json          written once at creation: format, dataset_id, the contract (fsync'd)
    <root>/data/metadata.json        Minari's metadata (spaces, counts, dataset_id) + a copy of the contract
    <root>/data/main_data.hdf5       Minari's index: `episode_N` groups, each an HDF5 external link into episodes/
    <root>/data/episodes/<uuid>.hdf5 one committed episode per file, immutable once renamed into place
    <root>/data/catalog.jsonl        one JSON line per committed episode (file, steps, offsets, metadata), append-only
    <root>/data/.lock                fcntl lock serialising index updates across processes

Durable (fsync'd): episode files, their directory entries, the catalog, botsdk.json. Derived (renamed atomically
but not fsync'd, rebuilt by any writer or `repair` when stale): main_data.hdf5 and metadata.json.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from pathlib import Path
from typing import Any, Iterator

DATA_DIR = "data"
METADATA = "metadata.json"
BOTSDK = "botsdk.json"
MAIN_FILE = "main_data.hdf5"
EPISODES_DIR = "episodes"
CATALOG = "catalog.jsonl"
LOCK = ".lock"
TMP_PREFIX = ".tmp-"
FORMAT = "botsdk.dataset/1"


def data_dir(root: Path) -> Path:
    return Path(root) / DATA_DIR


def episodes_dir(root: Path) -> Path:
    return data_dir(root) / EPISODES_DIR


def fsync_dir(path: Path) -> None:
    """Make a rename inside `path` durable (POSIX needs the directory entry itself flushed)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_text(path: Path, text: str, durable: bool = True) -> None:
    """Write-then-rename so a reader or a crash sees either the old or the new file, never half of one.
    `durable` also fsyncs, so the new file survives power loss (derived views skip it: they are rebuilt)."""
    tmp = path.with_name(f"{TMP_PREFIX}{os.getpid()}-{path.name}")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        if durable:
            f.flush()
            os.fsync(f.fileno())
    os.replace(tmp, path)
    if durable:
        fsync_dir(path.parent)


def read_json(path: Path) -> dict[str, Any]:
    with open(path, encoding="utf-8") as f:
        return json.load(f)


@contextlib.contextmanager
def index_lock(root: Path) -> Iterator[None]:
    """Exclusive cross-process lock around index updates; released by the kernel if the holder dies."""
    path = data_dir(root) / LOCK
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
