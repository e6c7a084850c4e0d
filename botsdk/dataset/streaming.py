"""Streaming reads for training sets larger than memory: whole episodes, memory-mapped, in shuffle buffers.

A training stream is a sequence of buffers. Each epoch permutes the episodes (seeded by seed and epoch) and packs
them, in that order, into buffers of at most `buffer_steps` rows; a trainer shuffles rows, windows or whole
episodes inside one buffer at a time. Buffers hold whole episodes, so GRU windows and whole-episode batches never
cross a buffer's edge. A set that fits in one buffer keeps its episodes in their given order: then streaming
reads exactly what loading everything into memory would. Each episode's arrays are memory-mapped at the byte
offsets the catalog recorded, copied into the buffer and unmapped at once, so resident memory stays at the
buffers, whatever the dataset's size. No torch here.
"""

from __future__ import annotations

import mmap
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from botsdk.dataset.catalog import DatasetError, EpisodeInfo
from botsdk.dataset.dataset import Dataset
from botsdk.dataset.episode_file import CorruptEpisodeError


def episode_rows(ds: Dataset, info: EpisodeInfo) -> tuple[np.ndarray, np.ndarray]:
    """(observations float32[T, O], actions int64[T, H]) of one episode, copied out of a memory map of its file
    (the final observation, which no action follows, is left out)."""
    path = ds.episode_path(info.id)
    if info.obs_offset < 0 or info.act_offset < 0:
        raise DatasetError(f"{path}: catalog has no byte offsets; expected a file written by botsdk")
    c = ds.contract
    try:
        size = path.stat().st_size
    except FileNotFoundError as exc:
        raise CorruptEpisodeError(path, "file is missing") from exc
    if size != info.size:
        raise CorruptEpisodeError(path, f"expected {info.size} bytes, found {size} (truncated or rewritten)")
    with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        # copies, so the map can close (unmap) at once: mapped pages would otherwise count against this process
        obs = _copy_rows(mapped, info.obs_offset, np.float32, (info.steps, c.observation_size))
        act = _copy_rows(mapped, info.act_offset, np.int64, (info.steps, len(c.head_sizes)))
    return obs, act


def _copy_rows(mapped: mmap.mmap, offset: int, dtype: type, shape: tuple[int, int]) -> np.ndarray:
    view = np.frombuffer(mapped, dtype, shape[0] * shape[1], offset)
    try:
        return view.reshape(shape).copy()
    finally:
        del view  # no view may outlive the map


@dataclass(frozen=True)
class BufferPlan:
    """Which episodes (indices into the stream's episode list) fill each buffer of one epoch."""

    epoch: int
    buffers: tuple[tuple[int, ...], ...]


class EpisodeStream:
    """Seeded epochs of buffers over the given episodes (any subset of a dataset, in the order given)."""

    def __init__(self, ds: Dataset, episode_ids: Sequence[int], buffer_steps: int, seed: int = 0):
        if buffer_steps < 1:
            raise ValueError(f"buffer_steps: expected a positive number of rows, got {buffer_steps}")
        self.ds, self.seed, self.buffer_steps = ds, seed, buffer_steps
        self.episodes = [ds.info(int(i)) for i in episode_ids]
        if not self.episodes:
            raise DatasetError(f"dataset {ds.root}: expected at least one episode to stream, got none")
        self.steps = np.array([e.steps for e in self.episodes], np.int64)
        self.fits = int(self.steps.sum()) <= buffer_steps

    @property
    def total_steps(self) -> int:
        return int(self.steps.sum())

    def plan(self, epoch: int) -> BufferPlan:
        """A pure function of (seed, epoch): the same epoch always packs the same buffers."""
        if self.fits:
            return BufferPlan(epoch, (tuple(range(len(self.episodes))),))
        order = np.random.default_rng([self.seed, epoch]).permutation(len(self.episodes))
        buffers, current, rows = [], [], 0
        for i in order.tolist():
            if current and rows + self.steps[i] > self.buffer_steps:
                buffers.append(tuple(current))
                current, rows = [], 0
            current.append(i)
            rows += int(self.steps[i])
        buffers.append(tuple(current))
        return BufferPlan(epoch, tuple(buffers))

    def read(self, members: Sequence[int]) -> list[tuple[np.ndarray, np.ndarray]]:
        """The rows of the given episodes, one (observations, actions) pair each."""
        return [episode_rows(self.ds, self.episodes[i]) for i in members]

    def sample(self, max_steps: int, seed: int = 0) -> list[int]:
        """Episodes (indices) that add up to at most `max_steps` rows: all of them when they fit, otherwise a seeded
        random subset (for input statistics and a bounded validation set)."""
        if int(self.steps.sum()) <= max_steps:
            return list(range(len(self.episodes)))
        chosen, rows = [], 0
        for i in np.random.default_rng(seed).permutation(len(self.episodes)).tolist():
            if rows + self.steps[i] <= max_steps:
                chosen.append(i)
                rows += int(self.steps[i])
        return sorted(chosen) or [int(np.argmin(self.steps))]
