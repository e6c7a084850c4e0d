"""FloatTensor <-> numpy without per-element Python work: raw little-endian bytes are read in place."""

from __future__ import annotations

import functools
import math

import numpy as np

from botsdk.game_bridge._generated import bridge_pb2 as pb
from botsdk.game_bridge.errors import invalid

_F32 = np.dtype("<f4")


def to_tensor(array: np.ndarray, packed: bool = False) -> pb.FloatTensor:
    """numpy -> FloatTensor (raw bytes by default; `packed=True` fills the repeated float field instead)."""
    array = np.ascontiguousarray(array, dtype=_F32)
    if packed:
        return pb.FloatTensor(shape=list(array.shape), values=array.ravel().tolist())
    return pb.FloatTensor(shape=list(array.shape), raw=array.tobytes())


def from_tensor(tensor: pb.FloatTensor, expected: tuple[int, ...], field: str, check_finite: bool = True) -> np.ndarray:
    """FloatTensor -> float32 array of shape `expected`, or INVALID_ARGUMENT naming `field` and both shapes."""
    raw = tensor.raw  # read once: each read of a bytes field builds a new object
    if raw and len(raw) == 4 * math.prod(expected) and tensor.shape == list(expected) and not len(tensor.values):
        array = np.ndarray(expected, _F32, raw)  # the usual well-formed tensor: a read-only view of the bytes
    else:
        array = _checked_array(tensor, raw, expected, field)
    if check_finite and not np.isfinite(array).all():
        bad = np.argwhere(~np.isfinite(array))[0].tolist()
        raise invalid(f"{field}: expected finite float32 values, got {array[tuple(bad)]} at index {bad}")
    return array


def _checked_array(tensor: pb.FloatTensor, raw: bytes, expected: tuple[int, ...], field: str) -> np.ndarray:
    shape = tuple(tensor.shape)
    if shape != expected:
        raise invalid(f"{field}.shape: expected {list(expected)}, got {list(shape)}")
    count = math.prod(expected)
    n_values = len(tensor.values)
    if raw and n_values:
        raise invalid(f"{field}: set either raw or values, not both")
    if raw or not n_values and count == 0:
        if len(raw) != 4 * count:
            raise invalid(f"{field}.raw: expected {4 * count} bytes ({list(expected)} float32), got {len(raw)}")
        return np.frombuffer(raw, dtype=_F32).reshape(expected)
    if n_values != count:
        raise invalid(f"{field}.values: expected {count} floats ({list(expected)}), got {n_values}")
    return np.array(tensor.values, dtype=np.float32).reshape(expected)


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


@functools.lru_cache(maxsize=256)
def _framing(rows: int, heads: int) -> tuple[bytes, bytes]:
    """Wire bytes around a (rows, heads) body of one-byte varints: field 1's tag and length, then field 2 (shape)."""
    shape = _varint(rows) + _varint(heads)
    return b"\x0a" + _varint(rows * heads), b"\x12" + _varint(len(shape)) + shape


@functools.lru_cache(maxsize=256)
def _tick_framing(rows: int, heads: int) -> tuple[bytes, bytes]:
    """TickActions field 2's tag and length followed by the Actions header, and the Actions shape field."""
    header, shape = _framing(rows, heads)
    return b"\x12" + _varint(len(header) + rows * heads + len(shape)) + header, shape


def _actions_wire(actions: np.ndarray) -> bytes:
    """Actions wire bytes for indices known to be below 128 (one byte each)."""
    header, shape = _framing(*actions.shape)
    return header + actions.astype(np.uint8).tobytes() + shape


def tick_actions_wire(tick: int, actions: np.ndarray) -> bytes:
    """TickActions wire bytes (the same bytes SerializeToString gives) for a non-empty int[B, H] whose indices are all
    below 128: a Session reply without building, copying and re-serializing two messages per tick."""
    head, shape = _tick_framing(*actions.shape)
    body = actions.astype(np.uint8).tobytes()
    if not tick:
        return head + body + shape
    return (b"\x08" + bytes((tick,)) if tick < 128 else b"\x08" + _varint(tick)) + head + body + shape


def encode_actions(actions: np.ndarray, below_128: bool | None = None) -> pb.Actions:
    """int[B, H] -> Actions. Indices below 128 are one-byte varints, so the packed field is written by numpy in one
    go and parsed once (no per-element Python work); larger indices take the ordinary path. `below_128=True` says
    the caller knows (every head has at most 128 options), saving the check."""
    rows, heads = actions.shape
    if below_128 is None:
        below_128 = bool(actions.size) and 0 <= actions.min() and actions.max() < 128
    if below_128:
        return pb.Actions.FromString(_actions_wire(actions))
    return pb.Actions(actions=actions.astype(np.int32).ravel().tolist(), shape=[rows, heads])
