"""The catalog: one JSON line per committed episode, append-only, so listing a dataset never opens episode files.

A line torn by a crash mid-append has no trailing newline; readers skip it and the next writer truncates it.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, Iterable

from botsdk.dataset.layout import CATALOG, data_dir

META_KEYS = ("player_id", "source", "style", "skill", "map", "seed", "contract_hash", "started_at", "finished_at",
             "team", "agent_id")
SOURCES = ("human", "scripted", "bot", "engine")


class DatasetError(ValueError):
    """A dataset directory is missing, malformed, or used inconsistently; the message names the path and the field."""


class DamagedDatasetError(DatasetError):
    """A dataset's files are damaged (a garbled catalog, unreadable episodes); the message says how to repair it."""


@dataclass(frozen=True)
class EpisodeInfo:
    """What a dataset knows about one episode without opening its file."""

    id: int
    steps: int
    player_id: str
    source: str
    style: str
    skill: float
    map: str
    seed: int
    contract_hash: str
    started_at: str
    finished_at: str
    team: str = ""
    agent_id: str = ""
    file: str = ""
    size: int = 0
    obs_offset: int = -1
    act_offset: int = -1
    content_hash: str = ""  # sha256 of the step arrays: finds altered files and duplicate episodes

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


_FIELD_NAMES = {f.name for f in fields(EpisodeInfo)}


def clean_meta(meta: dict[str, Any]) -> dict[str, Any]:
    """Typed episode metadata with defaults; an unknown source is an error naming the allowed ones."""
    source = str(meta.get("source", "scripted"))
    if source not in SOURCES:
        raise DatasetError(f"episode meta 'source': expected one of {', '.join(SOURCES)}, got {source!r}")
    seed = meta.get("seed")
    return {
        "player_id": str(meta.get("player_id", "")),
        "source": source,
        "style": str(meta.get("style", "")),
        "skill": float(meta["skill"]) if meta.get("skill") is not None else float("nan"),
        "map": str(meta.get("map", "")),
        "seed": int(seed) if seed is not None else -1,
        "contract_hash": str(meta.get("contract_hash", "")),
        "started_at": str(meta.get("started_at", "")),
        "finished_at": str(meta.get("finished_at", "")),
        "team": str(meta.get("team", "")),
        "agent_id": str(meta.get("agent_id", "")),
    }


def catalog_path(root: Path) -> Path:
    return data_dir(root) / CATALOG


def read_catalog(root: Path) -> list[EpisodeInfo]:
    path = catalog_path(root)
    if not path.exists():
        return []
    data = path.read_bytes()
    lines = data.split(b"\n")
    complete = lines[:-1]  # the last element is '' after a final newline, or a torn line
    out: list[EpisodeInfo] = []
    for number, line in enumerate(complete, start=1):
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DamagedDatasetError(f"{path} line {number}: expected one JSON object per line, got {line[:80]!r}; "
                               "`botsdk data repair` rebuilds the catalog from the episode files") from exc
        record = {k: v for k, v in record.items() if k in _FIELD_NAMES}
        record["id"] = len(out)
        out.append(EpisodeInfo(**record))
    return out


class LineCounter:
    """Counts complete catalog lines, re-reading only what was appended since the last call (the catalog is
    append-only; a torn tail is only ever cut back to a line end this counter has not passed)."""

    def __init__(self) -> None:
        self.offset = 0
        self.lines = 0

    def count(self, f: Any) -> int:
        f.seek(0, os.SEEK_END)
        end = f.tell()
        if end < self.offset:  # the file was replaced or cut: start over
            self.offset = self.lines = 0
        f.seek(self.offset)
        chunk = f.read(end - self.offset)
        last = chunk.rfind(b"\n") + 1
        self.lines += chunk.count(b"\n")
        self.offset += last
        return self.lines


def append_records(root: Path, records: Iterable[dict[str, Any]], counter: LineCounter | None = None) -> int:
    """Append whole lines and fsync; a torn tail from a crashed writer is cut off first. Call under index_lock.

    Returns the number of complete lines (episodes) now in the catalog."""
    path = catalog_path(root)
    payload = b"".join(json.dumps(r, sort_keys=True).encode() + b"\n" for r in records)
    counter = counter or LineCounter()
    with open(path, "ab+") as f:
        f.seek(0, os.SEEK_END)
        end = f.tell()
        if end:
            f.seek(end - 1)
            if f.read(1) != b"\n":
                counter.count(f)  # counter.offset is now the end of the last complete line
                f.truncate(counter.offset)
        f.write(payload)
        f.flush()
        os.fsync(f.fileno())
        return counter.count(f)
