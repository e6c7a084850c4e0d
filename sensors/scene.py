"""Static scenes: 2D wall segments (gridded once) and 3D boxes and spheres."""

from __future__ import annotations

import contextlib
import math
import threading
from typing import Iterator

import numpy as np

from botsdk.sensors.grid import Grid, build_grid, segment_boxes


def _array(name: str, value: object, dtype: type, columns: int | None) -> np.ndarray:
    arr = np.ascontiguousarray(np.asarray(value, dtype=dtype))
    if columns is None:
        if arr.ndim != 1:
            raise ValueError(f"{name}: expected a 1-D array, got shape {arr.shape}")
    elif arr.size == 0:
        arr = arr.reshape(0, columns)
    elif arr.ndim != 2 or arr.shape[1] != columns:
        raise ValueError(f"{name}: expected shape (N, {columns}), got {arr.shape}")
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        raise ValueError(f"{name}: expected finite numbers, got NaN or infinity")
    return arr


def _tags(name: str, tags: object, count: int) -> np.ndarray:
    arr = _array(name, tags, np.int32, None)
    if arr.shape[0] != count:
        raise ValueError(f"{name}: expected {count} tags (one per item), got {arr.shape[0]}")
    if count and arr.min() < 0:
        raise ValueError(f"{name}: expected tag indices >= 0, got {int(arr.min())}")
    return arr


class Scene2D:
    """Wall segments float64[S, 4] (x0, y0, x1, y1) with tag indices int32[S], gridded once at construction.

    Zero-length segments are kept (so tag indices line up) but no ray ever hits them. The grid covers the walls and
    `bounds` (xmin, ymin, xmax, ymax) if given; circles reaching outside it are tested one by one, so pass the
    play area as `bounds` when agents can leave the walls' bounding box.
    """

    def __init__(self, segments: np.ndarray, segment_tags: np.ndarray, cell_size: float = 2.0,
                 bounds: tuple[float, float, float, float] | None = None):
        if not (isinstance(cell_size, (int, float)) and math.isfinite(cell_size) and cell_size > 0):
            raise ValueError(f"cell_size: expected a positive finite number, got {cell_size!r}")
        if bounds is not None:
            box = np.asarray(bounds, np.float64)
            if box.shape != (4,) or not np.all(np.isfinite(box)) or box[2] < box[0] or box[3] < box[1]:
                raise ValueError(f"bounds: expected finite (xmin, ymin, xmax, ymax) with min <= max, got {bounds!r}")
        self.segments = _array("segments", segments, np.float64, 4)
        self.segment_tags = _tags("segment_tags", segment_tags, self.segments.shape[0])
        self.cell_size = float(cell_size)
        self.grid: Grid = build_grid(segment_boxes(self.segments), self.cell_size, bounds,
                                     lines=self.segments)
        self.wall_rows = np.ascontiguousarray(self.segments[self.grid.items])  # each cell's walls, contiguous
        start = self.grid.start
        self._table = np.zeros((start.shape[0] - 1, 4), np.int32)  # per cell: wall rows, circle rows (per call)
        self._table[:, 0], self._table[:, 1] = start[:-1], start[1:]
        self._table_lock = threading.Lock()

    @contextlib.contextmanager
    def _cell_table(self) -> Iterator[np.ndarray]:
        """The per-cell table (botsdk.sensors._circles) for one call: the scene's own, or a copy while another thread
        casts on this scene (the circle half must stay zero between calls)."""
        if not self._table_lock.acquire(blocking=False):
            table = self._table.copy()
            table[:, 2:] = 0  # the other call's circles
            yield table
            return
        try:
            yield self._table
        finally:
            self._table_lock.release()

    def __getstate__(self) -> dict:  # picklable (for spawned workers): a lock is not
        state = self.__dict__.copy()
        del state["_table_lock"]
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._table_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Scene2D({self.segments.shape[0]} segments, grid {self.grid.nx}x{self.grid.ny} of {self.grid.cell:g})"


class Scene3D:
    """Axis-aligned boxes float64[B, 6] (xmin, ymin, zmin, xmax, ymax, zmax) and spheres float64[P, 4] (x, y, z, r),
    each with tag indices. z is up."""

    def __init__(self, boxes: np.ndarray, box_tags: np.ndarray, spheres: np.ndarray, sphere_tags: np.ndarray):
        self.boxes = _array("boxes", boxes, np.float64, 6)
        self.box_tags = _tags("box_tags", box_tags, self.boxes.shape[0])
        self.spheres = _array("spheres", spheres, np.float64, 4)
        self.sphere_tags = _tags("sphere_tags", sphere_tags, self.spheres.shape[0])
        if np.any(self.boxes[:, 3:] < self.boxes[:, :3]):
            raise ValueError("boxes: expected min <= max on every axis, got a box with max < min")
        if np.any(self.spheres[:, 3] < 0):
            raise ValueError("spheres: expected radius >= 0, got a negative radius")
