"""Streaming loaders for training: shuffled transition batches and fixed-length windows for recurrent models.

Both read rows straight from the committed episode files with `os.preadv` at byte offsets recorded in the catalog
(the arrays are contiguous and immutable), so memory is bounded by the shuffle buffer, not by the dataset.
No torch here: batches are numpy arrays (`torch.from_numpy` is zero-copy on the training side).
"""

from __future__ import annotations

import os
from collections import OrderedDict
from typing import Iterator, Sequence

import numpy as np

from botsdk.dataset.catalog import DatasetError, EpisodeInfo
from botsdk.dataset.dataset import Dataset
from botsdk.dataset.episode_file import CorruptEpisodeError

Batch = dict[str, np.ndarray]


class _RowReader:
    """Reads rows [start, start+n) of one episode's observations/actions into caller buffers; caches open fds."""

    def __init__(self, ds: Dataset, max_open: int = 64):
        self.ds = ds
        self.obs_row = ds.contract.observation_size * 4
        self.act_row = len(ds.contract.head_sizes) * 8
        self._fds: OrderedDict[int, int] = OrderedDict()
        self._max_open = max_open

    def _fd(self, info: EpisodeInfo) -> int:
        fd = self._fds.get(info.id)
        if fd is not None:
            self._fds.move_to_end(info.id)
            return fd
        path = self.ds.episode_path(info.id)
        if info.obs_offset < 0 or info.act_offset < 0:
            raise DatasetError(f"{path}: catalog has no byte offsets; expected a file written by botsdk")
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError as exc:
            raise CorruptEpisodeError(path, "file is missing") from exc
        size = os.fstat(fd).st_size
        if size != info.size:
            os.close(fd)
            raise CorruptEpisodeError(path, f"expected {info.size} bytes, found {size} (truncated or rewritten)")
        self._fds[info.id] = fd
        if len(self._fds) > self._max_open:
            os.close(self._fds.popitem(last=False)[1])
        return fd

    def read(self, info: EpisodeInfo, start: int, n: int, obs_out: np.ndarray, act_out: np.ndarray) -> None:
        if len(obs_out) != n or len(act_out) != n:
            raise ValueError(f"output buffers: expected {n} rows, got {len(obs_out)} and {len(act_out)}")
        fd = self._fd(info)
        for out, base, row in ((obs_out, info.obs_offset, self.obs_row), (act_out, info.act_offset, self.act_row)):
            view, offset = memoryview(out).cast("B"), base + start * row
            while len(view):  # regular files may return short reads; zero means end of file
                got = os.preadv(fd, [view], offset)
                if got == 0:
                    raise CorruptEpisodeError(self.ds.episode_path(info.id),
                                              f"unexpected end of file at byte {offset} (wanted {len(view)} more)")
                view, offset = view[got:], offset + got

    def close(self) -> None:
        while self._fds:
            os.close(self._fds.popitem()[1])

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass


def _selected(ds: Dataset, episode_ids: Sequence[int] | None) -> list[EpisodeInfo]:
    return list(ds.episodes) if episode_ids is None else [ds.info(int(i)) for i in episode_ids]


class BatchLoader:
    """Shuffled batches of single transitions: {"obs" float32[B,O], "actions" int64[B,H], "episode_index" int64[B]}.

    Shuffling is two-level: blocks of `block` consecutive steps are visited in random order and poured into a
    buffer of `buffer_steps` rows, which is permuted before batches are cut. Each `iter()` is a new epoch with
    seed `seed + epoch`, so runs are reproducible.
    """

    def __init__(self, ds: Dataset, batch_size: int, episode_ids: Sequence[int] | None = None, shuffle: bool = True,
                 seed: int = 0, block: int = 1024, buffer_steps: int = 65536, drop_last: bool = False):
        if batch_size < 1 or block < 1 or buffer_steps < max(block, batch_size):
            raise ValueError(f"expected batch_size >= 1, block >= 1, buffer_steps >= max(block, batch_size); got "
                             f"{batch_size}, {block}, {buffer_steps}")
        self.ds, self.batch_size, self.shuffle, self.seed = ds, batch_size, shuffle, seed
        self.block, self.buffer_steps, self.drop_last = block, buffer_steps, drop_last
        self.episodes = _selected(ds, episode_ids)
        self.total_steps = int(sum(e.steps for e in self.episodes))
        self.epoch = 0

    def __len__(self) -> int:
        full, rest = divmod(self.total_steps, self.batch_size)
        return full + (0 if self.drop_last or rest == 0 else 1)

    def _blocks(self, rng: np.random.Generator) -> list[tuple[EpisodeInfo, int, int]]:
        blocks = [(e, s, min(self.block, e.steps - s)) for e in self.episodes for s in range(0, e.steps, self.block)]
        if self.shuffle:
            order = rng.permutation(len(blocks))
            blocks = [blocks[i] for i in order]
        return blocks

    def __iter__(self) -> Iterator[Batch]:
        rng = np.random.default_rng(self.seed + self.epoch)
        self.epoch += 1
        c = self.ds.contract
        fill_to = min(self.buffer_steps, max(self.total_steps, 1))  # a small dataset needs no big buffer
        cap = fill_to + self.block + self.batch_size  # a remainder < batch, then blocks until past fill_to
        obs = np.empty((cap, c.observation_size), np.float32)
        act = np.empty((cap, len(c.head_sizes)), np.int64)
        epi = np.empty(cap, np.int64)
        reader, fill = _RowReader(self.ds), 0
        try:
            for info, start, n in self._blocks(rng):
                reader.read(info, start, n, obs[fill:fill + n], act[fill:fill + n])
                epi[fill:fill + n] = info.id
                fill += n
                if fill >= fill_to:
                    fill = yield from self._drain(obs, act, epi, fill, rng, final=False)
            yield from self._drain(obs, act, epi, fill, rng, final=True)
        finally:
            reader.close()

    def _drain(self, obs: np.ndarray, act: np.ndarray, epi: np.ndarray, fill: int, rng: np.random.Generator,
               final: bool) -> Iterator[Batch]:
        """Yield full batches from the first `fill` rows; move the remainder to the front and return its size."""
        order = rng.permutation(fill) if self.shuffle else np.arange(fill)
        bs = self.batch_size
        full = fill // bs
        for b in range(full):
            idx = order[b * bs:(b + 1) * bs]
            yield {"obs": obs.take(idx, axis=0), "actions": act.take(idx, axis=0), "episode_index": epi.take(idx)}
        rest = order[full * bs:]
        if final:
            if len(rest) and not self.drop_last:
                yield {"obs": obs.take(rest, axis=0), "actions": act.take(rest, axis=0), "episode_index": epi.take(rest)}
            return 0
        obs[:len(rest)], act[:len(rest)], epi[:len(rest)] = obs[rest], act[rest], epi[rest]
        return len(rest)


class WindowLoader:
    """Batches of `window` consecutive steps for recurrent models.

    Yields {"obs" float32[B,T,O], "actions" int64[B,T,H], "mask" bool[B,T] (False on padding past an episode's
    end), "episode_index" int64[B], "start" int64[B] (step of the window's first row; 0 means reset the state)}.
    Episodes are tiled into windows every `stride` steps (default: `window`, no overlap).
    """

    def __init__(self, ds: Dataset, window: int, batch_size: int, episode_ids: Sequence[int] | None = None,
                 shuffle: bool = True, seed: int = 0, stride: int | None = None, drop_last: bool = False):
        if window < 1 or batch_size < 1 or (stride is not None and stride < 1):
            raise ValueError(f"expected window >= 1, batch_size >= 1, stride >= 1; got {window}, {batch_size}, {stride}")
        self.ds, self.window, self.batch_size, self.shuffle, self.seed = ds, window, batch_size, shuffle, seed
        self.stride, self.drop_last = stride or window, drop_last
        self.episodes = _selected(ds, episode_ids)
        self.windows = [(e, s) for e in self.episodes for s in range(0, e.steps, self.stride)]
        self.epoch = 0

    def __len__(self) -> int:
        full, rest = divmod(len(self.windows), self.batch_size)
        return full + (0 if self.drop_last or rest == 0 else 1)

    def __iter__(self) -> Iterator[Batch]:
        rng = np.random.default_rng(self.seed + self.epoch)
        self.epoch += 1
        order = rng.permutation(len(self.windows)) if self.shuffle else np.arange(len(self.windows))
        reader = _RowReader(self.ds)
        try:
            for b in range(len(self)):
                chosen = [self.windows[i] for i in order[b * self.batch_size:(b + 1) * self.batch_size]]
                yield self._batch(reader, chosen)
        finally:
            reader.close()

    def _batch(self, reader: _RowReader, chosen: list[tuple[EpisodeInfo, int]]) -> Batch:
        c, t = self.ds.contract, self.window
        obs = np.zeros((len(chosen), t, c.observation_size), np.float32)
        act = np.zeros((len(chosen), t, len(c.head_sizes)), np.int64)
        mask = np.zeros((len(chosen), t), np.bool_)
        for row, (info, start) in enumerate(chosen):
            n = min(t, info.steps - start)
            reader.read(info, start, n, obs[row, :n], act[row, :n])
            mask[row, :n] = True
        return {"obs": obs, "actions": act, "mask": mask,
                "episode_index": np.array([e.id for e, _ in chosen], np.int64),
                "start": np.array([s for _, s in chosen], np.int64)}
