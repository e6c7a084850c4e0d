"""Pre-allocated input/output buffers bound once to an onnxruntime session (IOBinding), one set per batch size.

Binding once and copying into the bound arrays avoids onnxruntime allocating outputs and converting dicts on every
call; large observation batches are bound in place instead of copied.
"""

from __future__ import annotations

import math
from collections import OrderedDict

import numpy as np
import onnxruntime as ort

from botsdk.export.metadata import INPUT_OBS, INPUT_PREVIOUS_ACTION, INPUT_STATE, INPUT_STYLE
from botsdk.export.sampling import HeadSampler

_add_reduce = np.add.reduce
BIND_IN_PLACE_ROWS = 32  # from this batch size on, binding the caller's obs array beats copying it


class BoundBuffers:
    def __init__(self, session: ort.InferenceSession, batch: int, obs_size: int, style_size: int, state_size: int,
                 output_names: list[str], sampler: HeadSampler, previous_action_width: int = 0):
        """Logits are bound straight into the sampler's padded buffer when a head's view is contiguous (batch 1),
        else into their own arrays and copied after the run. `previous_action_width` > 0 binds the
        `previous_action` input (int64[batch, heads]) for a policy that reads it."""
        self.batch, self.session = batch, session
        # one block for obs and style, so a single agent's inputs are checked for NaN/inf in one reduction
        self._inputs = np.zeros(batch * (obs_size + style_size), np.float32)
        self.obs = self._inputs[: batch * obs_size].reshape(batch, obs_size)
        self.style = self._inputs[batch * obs_size:].reshape(batch, style_size)
        self.state_in = np.zeros((batch, state_size), np.float32)
        self.state_out = np.zeros((batch, state_size), np.float32)
        self.padded = sampler.padded_logits(batch)
        self.work = np.empty_like(self.padded)
        self.logits = sampler.views(self.padded)
        self._copies = []  # (bound array, padded view) pairs copied after each run
        self.binding = session.io_binding()
        for name, array in ((INPUT_OBS, self.obs), (INPUT_STYLE, self.style), (INPUT_STATE, self.state_in)):
            self._bind_input(name, array)
        self.previous_action = np.full((batch, previous_action_width), -1, np.int64)
        if previous_action_width:
            self.binding.bind_input(INPUT_PREVIOUS_ACTION, "cpu", 0, np.int64, list(self.previous_action.shape),
                                    self.previous_action.ctypes.data)
        for name, view in zip(output_names[:-1], self.logits):
            target = view if view.flags.c_contiguous else np.zeros(view.shape, np.float32)
            if target is not view:
                self._copies.append((target, view))
            self._bind_output(name, target)
        self._bind_output(output_names[-1], self.state_out)
        self._obs_bound = self.obs
        self._style_zeroed = True  # the style block holds zeros (the default style): no need to copy them again

    def _bind_output(self, name: str, array: np.ndarray) -> None:
        self.binding.bind_output(name, "cpu", 0, np.float32, list(array.shape), array.ctypes.data)

    def run(self) -> None:
        self.session.run_with_iobinding(self.binding)
        for source, view in self._copies:
            np.copyto(view, source)

    def _bind_input(self, name: str, array: np.ndarray) -> None:
        self.binding.bind_input(name, "cpu", 0, np.float32, list(array.shape), array.ctypes.data)

    def load(self, obs: np.ndarray, style: np.ndarray, zero_style: bool = False) -> bool:
        """Put this tick's inputs in place; False when any value is NaN or inf. Small batches are copied into the
        bound buffer; large C-contiguous batches are bound where they lie. `zero_style` says `style` is all zeros
        (the runtime's default), which the block may already hold."""
        if not (zero_style and self._style_zeroed):
            np.copyto(self.style, style)
            self._style_zeroed = zero_style
        if self.batch >= BIND_IN_PLACE_ROWS and obs.flags.c_contiguous:
            if obs is not self._obs_bound:
                self._bind_input(INPUT_OBS, obs)
                self._obs_bound = obs  # keeps the array alive while bound
            return bool(np.isfinite(obs).all() and np.isfinite(self.style).all())
        if self._obs_bound is not self.obs:
            self._bind_input(INPUT_OBS, self.obs)
            self._obs_bound = self.obs
        np.copyto(self.obs, obs)
        if self.batch >= BIND_IN_PLACE_ROWS:
            return bool(np.isfinite(self._inputs).all())
        # float32 values summed in float64 cannot overflow: the sum is finite iff every value is
        return math.isfinite(_add_reduce(self._inputs, dtype=np.float64))  # ndarray.sum minus its Python wrapper


class BufferCache:
    """Bound buffers per (session, batch size), least recently used dropped beyond `capacity`."""

    def __init__(self, capacity: int = 16):
        self._items: OrderedDict[tuple[int, int], BoundBuffers] = OrderedDict()
        self._capacity = capacity

    def get(self, key: tuple[int, int]) -> BoundBuffers | None:
        item = self._items.get(key)
        if item is not None:
            self._items.move_to_end(key)
        return item

    def put(self, key: tuple[int, int], buffers: BoundBuffers) -> None:
        self._items[key] = buffers
        if len(self._items) > self._capacity:
            self._items.popitem(last=False)

    def clear(self) -> None:
        self._items.clear()
