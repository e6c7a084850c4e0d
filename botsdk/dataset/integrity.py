"""Damaged and duplicate episodes: found before they spread, refused by default, skipped or dropped on request.

Operations that copy episodes (split, filter, merge) check what they copy first: a damaged episode stops them with
a DamagedDatasetError unless the caller asks to skip it; `drop_damaged` takes damaged episodes out of a dataset
for good (their files move to `data/damaged/`, nothing is deleted).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Callable, Iterable, Sequence

from botsdk.dataset.catalog import DamagedDatasetError, DatasetError, catalog_path, read_catalog
from botsdk.dataset.dataset import Dataset
from botsdk.dataset.episode_file import CorruptEpisodeError
from botsdk.dataset.layout import atomic_write_text, data_dir, episodes_dir, fsync_dir, index_lock

DAMAGED_DIR = "damaged"
OnSkip = Callable[[str], None]


def damaged(ds: Dataset, episode_ids: Iterable[int] | None = None) -> dict[int, CorruptEpisodeError]:
    """{episode id: error} for every damaged episode among `episode_ids` (default: all)."""
    found = {}
    for i in (range(len(ds)) if episode_ids is None else episode_ids):
        try:
            ds.episode_hash(int(i), check=True)
        except CorruptEpisodeError as exc:
            found[int(i)] = exc
    return found


def usable(ds: Dataset, episode_ids: Sequence[int], skip_damaged: bool, on_skip: OnSkip | None = None) -> list[int]:
    """`episode_ids` without damaged ones when `skip_damaged` (each reported to `on_skip`); otherwise a
    DamagedDatasetError naming the damage if there is any."""
    bad = damaged(ds, episode_ids)
    if bad and not skip_damaged:
        first = next(iter(bad.values()))
        raise DamagedDatasetError(
            f"{ds.root}: {len(bad)} damaged episode(s), e.g. {first.path.name}: {first.reason}; skip them with "
            f"--skip-damaged, or remove them with `botsdk data repair {ds.root} --drop-damaged`")
    for i, exc in bad.items():
        if on_skip:
            on_skip(f"skipped damaged episode {i} of {ds.root} ({exc.path.name}: {exc.reason})")
    return [int(i) for i in episode_ids if int(i) not in bad]


def without_duplicates(items: Sequence[tuple[Dataset, int]], seen: dict[str, str], skip_duplicates: bool,
                       on_skip: OnSkip | None = None) -> list[tuple[Dataset, int]]:
    """`items` minus episodes whose content hash is in `seen` or repeats within `items`; a DatasetError naming
    the first duplicate unless `skip_duplicates`. `seen` maps hash -> where it was first found, and grows."""
    kept, repeats = [], []
    for ds, i in items:
        digest = ds.episode_hash(i)
        where = f"episode {i} of {ds.root}"
        if digest in seen:
            repeats.append((where, seen[digest]))
            continue
        seen[digest] = where
        kept.append((ds, i))
    if repeats and not skip_duplicates:
        where, first = repeats[0]
        raise DatasetError(f"{len(repeats)} duplicate episode(s) (same content hash), e.g. {where} equals "
                           f"{first}; pass --skip-duplicates to keep one copy of each")
    for where, first in repeats:
        if on_skip:
            on_skip(f"skipped duplicate {where} (same content as {first})")
    return kept


def drop_damaged(root: str | Path) -> list[CorruptEpisodeError]:
    """Take every damaged episode out of the dataset: its file moves to data/damaged/, its catalog line goes,
    Minari's index is rebuilt. Returns what was dropped (episode ids after this are renumbered)."""
    from botsdk.dataset.dataset import resolve_root
    from botsdk.dataset.writer import maintenance_writer

    root = resolve_root(root)
    bad = damaged(Dataset.open(root))
    if not bad:
        return []
    files = {exc.path.name for exc in bad.values()}
    quarantine = data_dir(root) / DAMAGED_DIR
    quarantine.mkdir(exist_ok=True)
    writer = maintenance_writer(root)
    with index_lock(root):
        for name in files:  # files first: a crash after this leaves catalog lines whose file is missing (damaged)
            source = episodes_dir(root) / name
            if source.exists():
                os.replace(source, quarantine / name)
        fsync_dir(episodes_dir(root))
        kept = [e for e in read_catalog(root) if e.file not in files]
        lines = "".join(json.dumps({k: v for k, v in e.to_json().items() if k != "id"}, sort_keys=True) + "\n"
                        for e in kept)
        atomic_write_text(catalog_path(root), lines, durable=True)
        writer._lines.offset = writer._lines.lines = 0
        writer._refresh_index_locked()
    return list(bad.values())
