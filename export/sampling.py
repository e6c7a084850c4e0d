"""Seeded, vectorised sampling of factorised categorical heads (Gumbel-max), or argmax.

Logits live in one padded [B, heads, max_size] array whose padding is -inf, so every head is decided by a single
add and a single argmax over the whole batch. argmax(logits / T + g) = argmax(logits + T * g): Gumbel noise is drawn
pre-scaled by each head's temperature, in float32 blocks, and consumed row by row. The same seed gives the same
decisions for the same sequence of calls.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

_TINY = np.float32(np.finfo(np.float32).tiny)


class HeadSampler:
    """`temperature`: one for every head, or one per head (in contract order)."""

    def __init__(self, head_sizes: Sequence[int], seed: int = 0, temperature: float | Sequence[float] = 1.0,
                 greedy: bool = False, block_rows: int = 4096):
        self.head_sizes = tuple(int(n) for n in head_sizes)
        self.max_size = max(self.head_sizes, default=1)
        self.greedy = bool(greedy)
        self.temperatures = _per_head(temperature, len(self.head_sizes), greedy)
        self._rng = np.random.default_rng(seed)
        self._block_rows = block_rows
        self._noise = np.zeros((0, len(self.head_sizes), self.max_size), np.float32)
        self._pos = 0

    def padded_logits(self, batch: int) -> np.ndarray:
        """A [B, heads, max_size] logits buffer whose padding is -inf; head h's logits go in [:, h, :size_h]."""
        pad = np.full((batch, len(self.head_sizes), self.max_size), -np.inf, np.float32)
        for h, n in enumerate(self.head_sizes):
            pad[:, h, :n] = 0.0
        return pad

    def views(self, padded: np.ndarray) -> list[np.ndarray]:
        """Per-head [B, size_h] views into a padded buffer."""
        return [padded[:, h, :n] for h, n in enumerate(self.head_sizes)]

    def _refill(self, rows: int) -> None:
        n = max(self._block_rows, rows)
        noise = np.zeros((n, len(self.head_sizes), self.max_size), np.float32)
        for h, size in enumerate(self.head_sizes):
            u = self._rng.random((n, size), dtype=np.float32)
            np.maximum(u, _TINY, out=u)
            noise[:, h, :size] = -np.log(-np.log(u)) * np.float32(self.temperatures[h])
        self._noise, self._pos = noise, 0

    def sample_padded(self, padded: np.ndarray, work: np.ndarray | None = None) -> np.ndarray:
        """int64[B, n_heads] from a padded logits buffer (see `padded_logits`); `work` is scratch of its shape."""
        if self.greedy:
            return padded.argmax(axis=2)
        batch = padded.shape[0]
        if self._pos + batch > self._noise.shape[0]:
            self._refill(batch)
        noise = self._noise[self._pos:self._pos + batch]
        self._pos += batch
        return np.add(padded, noise, out=work).argmax(axis=2)

    def sample(self, logits: Sequence[np.ndarray]) -> np.ndarray:
        """int64[B, n_heads] indices drawn from softmax(logits / temperature) per head (argmax when greedy)."""
        padded = self.padded_logits(logits[0].shape[0])
        for view, head_logits in zip(self.views(padded), logits):
            view[...] = head_logits
        return self.sample_padded(padded)

    def probabilities(self, logits: Sequence[np.ndarray]) -> list[np.ndarray]:
        """Per-head softmax(logits / temperature): the distributions `sample` draws from."""
        probs = []
        for head_logits, temperature in zip(logits, self.temperatures):
            z = head_logits.astype(np.float64) * (1.0 if self.greedy else 1.0 / temperature)
            z = np.exp(z - z.max(axis=1, keepdims=True))
            probs.append((z / z.sum(axis=1, keepdims=True)).astype(np.float32))
        return probs


def _per_head(temperature: float | Sequence[float], heads: int, greedy: bool) -> tuple[float, ...]:
    """One temperature per head from one number or a sequence of them, each checked unless sampling greedily."""
    given = [temperature] if np.isscalar(temperature) else list(temperature)
    if len(given) != 1 and len(given) != heads:
        raise ValueError(f"temperature: expected one number or one per head ({heads}), got {len(given)}")
    for value in given:
        if not greedy and not (isinstance(value, (int, float, np.floating)) and value > 0 and np.isfinite(value)):
            raise ValueError(f"temperature must be a finite number > 0 (or use greedy=True), got {value!r}")
    return tuple(float(v) for v in (given * heads if len(given) == 1 else given))
