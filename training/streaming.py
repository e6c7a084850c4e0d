"""Training from disk for sets larger than memory (`loader = "stream"` in the config).

`StreamingDemos` stands where `DemoTensors` stands in the trainer. Its `StreamingSampler` keeps the in-memory
sampler's contract: the batch of a step is a pure function of (seed, step, rank), so resume is exact and DDP ranks
take disjoint shards. The stream of units (rows, GRU window starts or whole episodes) of an epoch is the
concatenation of its buffers (botsdk.dataset.streaming.EpisodeStream), each shuffled on its own; step `s` on rank
`r` of `W` takes positions `[(s * W + r) * B, (s * W + r + 1) * B)`. Each buffer becomes a small `DemoTensors`
and the in-memory `BatchSampler` gathers from it, so both loaders build batches with the same code. When the
whole set fits in one buffer the batches are exactly the in-memory loader's. The next buffer is read in a
background thread while the current one trains.

Memory: `stream_memory_mb` is split four ways: the current buffer, the prefetched one, the buffer a batch
straddling two buffers still needs, and the validation rows (at most a buffer's worth, a seeded subset of the
held-out episodes when they do not fit; the same subset at every evaluation).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Sequence

import numpy as np
import torch

from botsdk.contract import BehaviourContract
from botsdk.training.config import TrainConfig
from botsdk.training.sampling import BatchSampler
from botsdk.training.tensors import DemoTensors, build_tensors

BUFFER_SHARES = 4  # current, prefetched, straddled, validation


def row_bytes(contract: BehaviourContract) -> int:
    """Memory one buffered row takes: observation, actions, style vector and the index bookkeeping."""
    return 4 * contract.observation_size + 8 * len(contract.head_sizes) + 4 * contract.style.size + 32


def buffer_steps(contract: BehaviourContract, memory_mb: int) -> int:
    return max(1, memory_mb * 2**20 // (BUFFER_SHARES * row_bytes(contract)))


class StreamingDemos:
    """The training episodes of a dataset, read buffer by buffer (see the module docstring)."""

    def __init__(self, dataset: Any, episode_ids: Sequence[int], config: TrainConfig):
        from botsdk.dataset.streaming import EpisodeStream

        self.contract: BehaviourContract = dataset.contract
        self.episode_ids = [int(i) for i in episode_ids]
        self.stream = EpisodeStream(dataset, self.episode_ids, buffer_steps(self.contract, config.stream_memory_mb),
                                    config.seed)
        infos = self.stream.episodes
        self.styles = [str(e.style) for e in infos]
        self.groups = [str(e.player_id or f"episode-{e.id}") for e in infos]
        self.sight = config.sight_timer   # the history carries the sight clock's column (botsdk.training.sight)
        self.answer = config.answer_memory  # and the answer memory's (botsdk.training.answer)
        self.device = torch.device("cpu")
        _refuse_disturbed(dataset, self.episode_ids)

    @property
    def size(self) -> int:
        return self.stream.total_steps

    def to(self, device: str | torch.device) -> "StreamingDemos":
        self.device = torch.device(device)
        return self

    def tensors(self, members: Sequence[int]) -> DemoTensors:
        """The given episodes (indices into this set) as in-memory tensors on this set's device."""
        members = list(members)
        rows = self.stream.read(members)
        episodes = ({"observations": obs, "actions": act} for obs, act in rows)
        data = build_tensors(self.contract, episodes, [self.styles[i] for i in members],
                             [self.groups[i] for i in members], [self.episode_ids[i] for i in members],
                             [len(act) for _, act in rows], self.sight, self.answer)
        return data.to(self.device)

    def statistics_rows(self) -> torch.Tensor:
        """Observations to fit the input statistics on: every row when the set fits in a buffer, else a seeded
        buffer's worth of whole episodes."""
        return self.tensors(self.stream.sample(self.stream.buffer_steps, self.stream.seed)).obs

    def bounded(self) -> DemoTensors:
        """All of this set in memory if it fits in a buffer, else a fixed seeded subset (validation)."""
        return self.tensors(self.stream.sample(self.stream.buffer_steps, self.stream.seed + 1))

    def sampler(self, config: TrainConfig, recurrent: bool, rank: int = 0, world: int = 1) -> "StreamingSampler":
        return StreamingSampler(self, config, recurrent, rank, world)


class StreamingSampler:
    """`batch(step)` and `rows(step)` like `BatchSampler`, over a stream of buffers."""

    def __init__(self, data: StreamingDemos, config: TrainConfig, recurrent: bool, rank: int = 0, world: int = 1):
        self.data, self.config, self.recurrent, self.rank, self.world = data, config, recurrent, rank, world
        self.whole_episodes = recurrent and config.window == 0
        self._loaded: OrderedDict[tuple[int, int], BatchSampler] = OrderedDict()
        self._prefetch: dict[tuple[int, int], tuple[threading.Thread, list]] = {}
        self._plans: dict[int, tuple[Any, np.ndarray]] = {}
        self._orders: dict[tuple[int, int], torch.Tensor] = {}
        self.units_per_epoch = int(self._plan(0)[1][-1])

    # ---- which buffer holds a position ---------------------------------------------------------------------------
    def _units(self, members: Sequence[int]) -> int:
        steps = self.data.stream.steps[list(members)]
        if self.whole_episodes:
            return len(members)
        if self.recurrent:
            return int(np.clip(steps - self.config.window + 1, 0, None).sum())
        return int(steps.sum())

    def _plan(self, epoch: int) -> tuple[Any, np.ndarray]:
        """The epoch's buffers and the cumulative unit count at the end of each."""
        if epoch not in self._plans:
            if len(self._plans) > 2:
                self._plans.pop(min(self._plans))
            plan = self.data.stream.plan(epoch)
            self._plans[epoch] = (plan, np.cumsum([self._units(b) for b in plan.buffers]))
        return self._plans[epoch]

    def rows(self, step: int) -> torch.Tensor:
        """Positions in the endless stream of units this rank trains on at `step`."""
        size = self.config.batch_size
        start = (step * self.world + self.rank) * size
        return torch.arange(start, start + size)

    def batch(self, step: int) -> dict[str, torch.Tensor]:
        positions = self.rows(step).numpy()
        if self.units_per_epoch == 0:
            raise ValueError(f"GRU window of {self.config.window} steps: expected an episode at least that long, "
                             f"got longest {int(self.data.stream.steps.max())} steps; lower `window`")
        epoch, offset = np.divmod(positions, self.units_per_epoch)
        parts = []
        for e in np.unique(epoch).tolist():
            plan, ends = self._plan(e)
            in_epoch = offset[epoch == e]
            buffer_of = np.searchsorted(ends, in_epoch, side="right")
            for b in np.unique(buffer_of).tolist():
                local = in_epoch[buffer_of == b] - (ends[b - 1] if b else 0)
                sampler = self._sampler(e, b)
                order = self._permutation(e, b, sampler.units)
                parts.append(sampler.gather(order[torch.from_numpy(local)], step))
                self._start_prefetch(e, b + 1)
        return parts[0] if len(parts) == 1 else _concat(parts)

    # ---- buffers -------------------------------------------------------------------------------------------------
    def _permutation(self, epoch: int, buffer: int, units: int) -> torch.Tensor:
        """The in-memory loader's permutation when the set fits in one buffer (same batches); else per buffer."""
        key = (epoch, buffer)
        if key not in self._orders:
            seed = self.config.seed * 1_000_003 + epoch
            if not self.data.stream.fits:
                seed = seed * 7919 + buffer + 1
            self._orders[key] = torch.randperm(units, generator=torch.Generator().manual_seed(seed))
            while len(self._orders) > 2:
                self._orders.pop(next(iter(self._orders)))
        return self._orders[key]

    def _members(self, epoch: int, buffer: int) -> tuple[int, ...] | None:
        plan, _ = self._plan(epoch)
        if buffer < len(plan.buffers):
            return plan.buffers[buffer]
        return self._plan(epoch + 1)[0].buffers[0] if buffer == len(plan.buffers) else None

    def _key(self, epoch: int, buffer: int) -> tuple[int, int]:
        """Which buffer's data: (epoch, index), the next epoch's first past the end; a set that fits is one buffer
        whatever the epoch, read once."""
        if self.data.stream.fits:
            return (0, 0)
        plan, _ = self._plan(epoch)
        return (epoch + 1, 0) if buffer >= len(plan.buffers) else (epoch, buffer)

    def _sampler(self, epoch: int, buffer: int) -> BatchSampler:
        key = self._key(epoch, buffer)
        if key not in self._loaded:
            pending = self._prefetch.pop(key, None)
            if pending is not None:
                thread, box = pending
                thread.join()
                data = box[0] if box else self.data.tensors(self._members(*key))  # the thread failed: read here
            else:
                data = self.data.tensors(self._members(*key))
            self._loaded[key] = BatchSampler(data, self.config, self.recurrent)
            while len(self._loaded) > 2:  # the current buffer and the one a straddling batch began in
                self._loaded.popitem(last=False)
        self._loaded.move_to_end(key)
        return self._loaded[key]

    def _start_prefetch(self, epoch: int, buffer: int) -> None:
        key = self._key(epoch, buffer)
        if key in self._loaded or key in self._prefetch or self.data.stream.fits:
            return
        box: list = []
        members = self._members(*key)
        thread = threading.Thread(target=lambda: box.append(self.data.tensors(members)), daemon=True,
                                  name="botsdk-stream-prefetch")
        thread.start()
        self._prefetch[key] = (thread, box)


def _concat(parts: list[dict[str, torch.Tensor]]) -> dict[str, torch.Tensor]:
    """One batch from the parts a batch straddling two buffers was gathered in (encoder groups from the first;
    whole-episode parts padded to the longest by repeating the last step, with loss weight 0)."""
    out = dict(parts[0])
    for key in ("obs", "actions", "style", "history", "loss_weight"):
        if key not in out:
            continue
        tensors = [p[key] for p in parts]
        if key != "style" and tensors[0].dim() >= 2 and len({t.shape[1] for t in tensors}) > 1:
            longest = max(t.shape[1] for t in tensors)
            pad = (lambda t: torch.cat([t, torch.zeros_like(t[:, :1]).expand(-1, longest - t.shape[1], *t.shape[2:])],
                                       1)) if key == "loss_weight" else \
                (lambda t: torch.cat([t, t[:, -1:].expand(-1, longest - t.shape[1], *t.shape[2:])], 1))
            tensors = [pad(t) for t in tensors]
        out[key] = torch.cat(tensors)
    return out


def _refuse_disturbed(dataset: Any, episode_ids: Sequence[int]) -> None:
    """Streamed rows carry no per-step infos, so disturbed steps (botsdk.arena.disturbance) would be learned as
    choices: refuse such a recording, checked on its first episode (a recording is disturbed throughout or not)."""
    from botsdk.dataset.episode_file import DISTURBED_INFO, has_info

    if episode_ids and has_info(dataset.episode_path(episode_ids[0]), DISTURBED_INFO):
        raise ValueError("loader 'stream': expected a recording without disturbed steps, got one that marks them "
                         f"(infos[{DISTURBED_INFO!r}]); train it with loader = 'memory', which leaves them out")
