"""Which rows each training step sees: a pure function of (seed, step, rank), so a resumed run sees exactly the
batches an uninterrupted run would, and DDP ranks see disjoint shards of one global shuffle.

The stream of rows is the concatenation of per-epoch permutations; step `s` on rank `r` of `W` takes positions
`[(s * W + r) * B, (s * W + r + 1) * B)` of that stream.
"""

from __future__ import annotations

import torch

from botsdk.training.config import TrainConfig
from botsdk.training.tensors import DemoTensors, padded_episode_rows


class EpochStream:
    """Positions in an endless stream of seeded permutations of `range(n)`."""

    def __init__(self, n: int, seed: int):
        self.n, self.seed = n, seed
        self._cache: dict[int, torch.Tensor] = {}

    def permutation(self, epoch: int) -> torch.Tensor:
        if epoch not in self._cache:
            if len(self._cache) > 4:
                self._cache.pop(min(self._cache))
            generator = torch.Generator().manual_seed(self.seed * 1_000_003 + epoch)
            self._cache[epoch] = torch.randperm(self.n, generator=generator)
        return self._cache[epoch]

    def take(self, start: int, count: int) -> torch.Tensor:
        first, last = start // self.n, (start + count - 1) // self.n
        if first == last:
            offset = start - first * self.n
            return self.permutation(first)[offset:offset + count]
        positions = torch.arange(start, start + count)
        out = torch.empty(count, dtype=torch.int64)
        for epoch in range(first, last + 1):
            hit = (positions // self.n) == epoch
            out[hit] = self.permutation(epoch)[positions[hit] % self.n]
        return out


class BatchSampler:
    """Builds the tensors of one training step for MLP (rows) or GRU (windows) policies, plus encoder groups."""

    def __init__(self, data: DemoTensors, config: TrainConfig, recurrent: bool, rank: int = 0, world: int = 1):
        self.data, self.config, self.recurrent = data, config, recurrent
        self.rank, self.world = rank, world
        self.whole_episodes = recurrent and config.window == 0
        self.starts = data.window_starts(config.window) if recurrent and not self.whole_episodes else None
        # rows an MLP step draws from: the ones whose action the player chose (a disturbed row is never a label)
        self.learned = torch.nonzero(data.learn).squeeze(1) if data.learn is not None and not recurrent else None
        count = len(data.episode_start) if self.whole_episodes else len(self.starts) if recurrent else \
            data.size if self.learned is None else len(self.learned)
        self.stream = EpochStream(count, config.seed)
        self.window = torch.arange(config.window)

    def rows(self, step: int) -> torch.Tensor:
        size = self.config.batch_size
        return self.stream.take((step * self.world + self.rank) * size, size)

    @property
    def units(self) -> int:
        """How many things one epoch shuffles: rows (MLP), window starts (GRU) or episodes (whole-episode GRU)."""
        return self.stream.n

    def batch(self, step: int) -> dict[str, torch.Tensor]:
        return self.gather(self.rows(step), step)

    def gather(self, idx: torch.Tensor, step: int) -> dict[str, torch.Tensor]:
        """The training tensors of units `idx` (what `rows` returns, or any other selection of units)."""
        if self.whole_episodes:
            return self.episode_batch(idx, step)
        if self.recurrent:
            start = self.starts[idx]
            return self.window_batch(start, step)
        d = self.data
        if self.learned is not None:
            idx = self.learned[idx]
        batch = {"obs": d.obs[idx], "actions": d.actions[idx], "style": d.style[idx], "history": d.history[idx]}
        if self.encoder_step(step):
            batch.update(self.encoder_batch(step))
        return batch

    def window_batch(self, start: torch.Tensor, step: int) -> dict[str, torch.Tensor]:
        rows = start[:, None] + self.window[None]
        d = self.data
        batch = {"obs": d.obs[rows], "actions": d.actions[rows], "style": d.style[start], "history": d.history[rows]}
        if self.config.burn_in:
            batch["loss_weight"] = self.burn_in_weights(start)
        if d.learn is not None:
            batch["loss_weight"] = batch.get("loss_weight", torch.ones(rows.shape)) * d.learn[rows]
        if self.encoder_step(step):
            batch.update(self.encoder_batch(step))
        return batch

    def episode_batch(self, episodes: torch.Tensor, step: int) -> dict[str, torch.Tensor]:
        """Whole episodes from their first step (the state a model starts from in play), padded to the longest;
        padding repeats the last step and has loss weight 0."""
        d = self.data
        rows, valid = padded_episode_rows(d.episode_start[episodes], d.episode_length[episodes])
        weight = valid.float() if d.learn is None else valid.float() * d.learn[rows]
        batch = {"obs": d.obs[rows], "actions": d.actions[rows], "style": d.style[rows[:, 0]],
                 "history": d.history[rows], "loss_weight": weight}
        if self.encoder_step(step):
            batch.update(self.encoder_batch(step))
        return batch

    def burn_in_weights(self, start: torch.Tensor) -> torch.Tensor:
        """float32[B, T]: 0 on a window's burn-in steps, 1 elsewhere; a window that starts its episode starts from
        the true (zero) state, so all its steps count."""
        starts_episode = start == self.data.episode_start[self.data.episode_index[start]]
        weight = (self.window[None] >= self.config.burn_in).float().expand(len(start), -1).clone()
        weight[starts_episode] = 1.0
        return weight

    def encoder_step(self, step: int) -> bool:
        """Whether step `step` carries the encoder's groups (every `encoder_every`th step, the first included)."""
        return self.config.style_encoder and step % self.config.encoder_every == 0

    def encoder_batch(self, step: int) -> dict[str, torch.Tensor]:
        """G groups (players); per group M steps for the encoder and `encoder_targets` other steps as BC targets."""
        cfg, d = self.config, self.data
        generator = torch.Generator().manual_seed((cfg.seed * 7919 + step) * 131 + self.rank)
        groups = torch.randint(len(d.group_length), (cfg.encoder_groups,), generator=generator)
        length = d.group_length[groups][:, None]
        draws = cfg.encoder_set_size + cfg.encoder_targets
        offsets = (torch.rand(cfg.encoder_groups, draws, generator=generator) * length).long()
        rows = d.group_order[d.group_start[groups][:, None] + offsets]
        enc, tgt = rows[:, :cfg.encoder_set_size], rows[:, cfg.encoder_set_size:]
        return {"enc_obs": d.obs[enc], "enc_actions": d.actions[enc], "tgt_obs": d.obs[tgt],
                "tgt_actions": d.actions[tgt], "tgt_history": d.history[tgt], "group_style": d.group_style[groups]}
