"""Frame stacking: the model sees the last `stack` frames, oldest first, as one flat float32 vector."""

from __future__ import annotations

import numpy as np


class FrameStack:
    """Rolling window of `stack` frames of `frame_size` floats for `batch` agents.

    After construction or `reset(rows)`, the next `push` fills every slot of those rows with that first frame
    (an episode never starts with invented zeros that the model did not see in training).
    """

    def __init__(self, frame_size: int, stack: int, batch: int = 1):
        for name, value in (("frame_size", frame_size), ("stack", stack), ("batch", batch)):
            if not isinstance(value, (int, np.integer)) or value <= 0:
                raise ValueError(f"{name}: expected a positive integer, got {value!r}")
        self.frame_size, self.stack, self.batch = int(frame_size), int(stack), int(batch)
        self._buffer = np.zeros((self.batch, self.stack * self.frame_size), np.float32)
        self._fresh = np.ones(self.batch, bool)

    @property
    def observation(self) -> np.ndarray:
        """float32[batch, stack * frame_size], oldest frame first (a view; copy it to keep it)."""
        return self._buffer

    def reset(self, rows: np.ndarray | list[int] | None = None) -> None:
        """Forget the history of `rows` (all rows when None)."""
        rows_idx = slice(None) if rows is None else np.asarray(rows)
        self._buffer[rows_idx] = 0.0
        self._fresh[rows_idx] = True

    def push(self, frames: np.ndarray) -> np.ndarray:
        """Append float32[batch, frame_size] (or [frame_size] when batch == 1); return the stacked observation."""
        frames = np.asarray(frames, np.float32)
        if frames.ndim == 1 and self.batch == 1:
            frames = frames[None, :]
        if frames.shape != (self.batch, self.frame_size):
            raise ValueError(f"frames: expected shape ({self.batch}, {self.frame_size}), got {frames.shape}")
        f = self.frame_size
        self._buffer[:, :-f] = self._buffer[:, f:].copy()
        self._buffer[:, -f:] = frames
        if self._fresh.any():
            fresh = np.flatnonzero(self._fresh)
            self._buffer[fresh] = np.tile(frames[fresh], (1, self.stack))
            self._fresh[:] = False
        return self._buffer
