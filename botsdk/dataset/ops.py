"""Dataset management: filter, split (without leaking a player or seed across splits) and merge.

None of them spreads damage: a damaged episode among those to copy stops the operation (DamagedDatasetError)
unless `skip_damaged`, and merge refuses an episode it already holds (same content hash) unless `skip_duplicates`;
each skipped episode is reported through `on_skip`.

Outputs are new datasets whose episode files are hard links to the source files when the filesystem allows it
(committed files are immutable, so sharing them is safe) and copies otherwise.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from botsdk.dataset.catalog import DatasetError
from botsdk.dataset.dataset import Dataset
from botsdk.dataset.integrity import OnSkip, usable, without_duplicates
from botsdk.dataset.layout import BOTSDK, DATA_DIR
from botsdk.dataset.writer import DatasetWriter, check_same_contract, import_episode_file

SPLIT_KEYS = {"player": "player_id", "seed": "seed", "style": "style", "map": "map"}


def select(ds: Dataset, styles: Iterable[str] | None = None, players: Iterable[str] | None = None,
           sources: Iterable[str] | None = None, min_steps: int | None = None, max_steps: int | None = None) -> list[int]:
    """Episode ids matching every given condition."""
    styles, players, sources = (set(x) if x else None for x in (styles, players, sources))
    return [e.id for e in ds.episodes
            if (styles is None or e.style in styles) and (players is None or e.player_id in players)
            and (sources is None or e.source in sources)
            and (min_steps is None or e.steps >= min_steps) and (max_steps is None or e.steps <= max_steps)]


def export(ds: Dataset, episode_ids: Sequence[int], out: str | Path, dataset_id: str | None = None,
           skip_damaged: bool = False, on_skip: OnSkip | None = None) -> Dataset:
    """Write the chosen episodes (metadata intact) into the dataset at `out`."""
    episode_ids = usable(ds, episode_ids, skip_damaged, on_skip)
    return _copy([(ds, i) for i in episode_ids], out, ds.contract, dataset_id or ds.dataset_id)


def _copy(items: Sequence[tuple[Dataset, int]], out: str | Path, contract, dataset_id: str) -> Dataset:
    writer = DatasetWriter(out, contract, dataset_id)
    for ds, i in items:
        import_episode_file(writer, ds.episode_path(int(i)), ds.info(int(i)))
    return Dataset.open(out)


def require_new(out: str | Path) -> None:
    if (Path(out) / DATA_DIR / BOTSDK).exists():
        raise DatasetError(f"output {out}: expected a new directory, found an existing dataset")


def split(ds: Dataset, by: str, out: str | Path, val_fraction: float = 0.2, seed: int = 0,
          skip_damaged: bool = False, on_skip: OnSkip | None = None) -> dict[str, Dataset]:
    """`out/train` and `out/val`; every group (player, seed, ...) lands wholly on one side, chosen by `seed`.
    Players are held out per style, so every style has players on both sides whenever it has two or more."""
    if by not in SPLIT_KEYS:
        raise DatasetError(f"split --by: expected one of {', '.join(SPLIT_KEYS)}, got {by!r}")
    if not 0.0 < val_fraction < 1.0:
        raise DatasetError(f"val fraction: expected a number in (0, 1), got {val_fraction}")
    out = Path(out)
    for part in ("train", "val"):
        require_new(out / part)
    val_groups = held_out_groups(ds, by, val_fraction, seed)
    group = lambda e: str(getattr(e, SPLIT_KEYS[by]))  # noqa: E731
    val_ids = [e.id for e in ds.episodes if group(e) in val_groups]
    train_ids = [e.id for e in ds.episodes if group(e) not in val_groups]
    good = set(usable(ds, range(len(ds)), skip_damaged, on_skip))
    return {part: _copy([(ds, i) for i in ids if i in good], out / part, ds.contract, ds.dataset_id)
            for part, ids in (("train", train_ids), ("val", val_ids))}


def held_out_groups(ds: Dataset, by: str, val_fraction: float, seed: int) -> set[str]:
    """The groups that go to val: a `val_fraction` share of each stratum (when splitting by player, the players of
    the same style; otherwise the whole dataset), at least one and never all of a stratum's groups."""
    key = SPLIT_KEYS[by]
    groups = sorted({str(getattr(e, key)) for e in ds.episodes})
    if len(groups) < 2:
        raise DatasetError(f"split --by {by}: expected at least 2 distinct values, got {groups}")
    styles: dict[str, set[str]] = {}
    for e in ds.episodes:
        styles.setdefault(str(getattr(e, key)), set()).add(str(e.style))
    strata: dict[str, set[str]] = {}
    for name, played in styles.items():  # a player's stratum: the styles it plays (usually one)
        strata.setdefault(",".join(sorted(played)) if by == "player" else "", set()).add(name)
    rng = np.random.default_rng(seed)
    held: set[str] = set()
    for name in sorted(strata):
        members = sorted(strata[name])
        if len(members) < 2:
            continue
        order = rng.permutation(len(members))
        n_val = min(len(members) - 1, max(1, round(val_fraction * len(members))))
        held.update(members[i] for i in order[:n_val])
    if not held:
        raise DatasetError(f"split --by {by}: expected a style with at least 2 {by}s to hold one out, got "
                           f"{ {name: len(members) for name, members in sorted(strata.items())} }")
    return held


def merge(sources: Sequence[str | Path], out: str | Path, dataset_id: str | None = None, skip_damaged: bool = False,
          skip_duplicates: bool = False, on_skip: OnSkip | None = None) -> Dataset:
    """Append every episode of `sources` to `out`; refuses up front if any two contracts differ, if an episode
    is damaged, or if an episode is already there (same content hash) — unless told to skip those."""
    if not sources:
        raise DatasetError("merge: expected at least one source dataset, got none")
    datasets = [Dataset.open(s) for s in sources]
    first = datasets[0]
    for other in datasets[1:]:
        check_same_contract(first.contract, other.contract, f"dataset {first.root}", f"dataset {other.root}")
    seen: dict[str, str] = {}
    if (Path(out) / DATA_DIR / BOTSDK).exists():
        target = Dataset.open(out)
        check_same_contract(target.contract, first.contract, f"dataset {target.root}", f"dataset {first.root}")
        seen = {target.episode_hash(i): f"episode {i} of {target.root}" for i in range(len(target))}
    items = [(ds, i) for ds in datasets for i in usable(ds, range(len(ds)), skip_damaged, on_skip)]
    items = without_duplicates(items, seen, skip_duplicates, on_skip)
    return _copy(items, out, first.contract, dataset_id or first.dataset_id)
