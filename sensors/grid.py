"""Uniform grid over item bounding boxes (CSR layout), so a ray only tests what lies in the cells it crosses."""

from __future__ import annotations

import math
from typing import NamedTuple

import numba as nb
import numpy as np

MAX_CELLS = 1 << 22
NO_LINES = np.zeros((0, 4))
PAD = 1e-7  # fraction of a cell each box grows by, so a ray through a cell corner still sees items touching it


class Grid(NamedTuple):
    """Cells of `cell` units from (x0, y0); items of cell (ix, iy) are items[start[k]:start[k+1]], k = iy*nx + ix."""

    x0: float
    y0: float
    cell: float
    nx: int
    ny: int
    start: np.ndarray  # int32[nx*ny + 1]
    items: np.ndarray  # int32[total]


def empty_grid() -> Grid:
    return Grid(0.0, 0.0, 1.0, 1, 1, np.zeros(2, np.int32), np.zeros(0, np.int32))


def build_grid(boxes: np.ndarray, cell_size: float, bounds: tuple[float, float, float, float] | None = None,
               lines: np.ndarray = NO_LINES) -> Grid:
    """Grid over float64[N, 4] boxes (xmin, ymin, xmax, ymax), covering `bounds` too when given; with `lines`
    (the segments themselves) an item lands only in the cells its segment crosses. Cells grow past `cell_size`
    if there would be more than MAX_CELLS."""
    extent = boxes if bounds is None else np.vstack([boxes, np.asarray(bounds, np.float64).reshape(1, 4)])
    if len(extent) == 0:
        return empty_grid()
    x0, y0 = float(extent[:, 0].min()), float(extent[:, 1].min())
    width = max(float(extent[:, 2].max()) - x0, 0.0)
    height = max(float(extent[:, 3].max()) - y0, 0.0)
    cell = float(cell_size)
    while math.ceil(width / cell + 1e-9) * math.ceil(height / cell + 1e-9) > MAX_CELLS:
        cell *= 2.0
    nx = max(1, math.ceil(width / cell + 1e-9))
    ny = max(1, math.ceil(height / cell + 1e-9))
    start, items = _fill(boxes, lines, x0, y0, cell, nx, ny)
    return Grid(x0, y0, cell, nx, ny, start, items)


@nb.njit(cache=True, inline="always")
def _cell_range(lo: float, hi: float, origin: float, cell: float, n: int) -> tuple[int, int]:
    a = int(np.floor((lo - origin) / cell - PAD))
    b = int(np.floor((hi - origin) / cell + PAD))
    return max(a, 0), min(b, n - 1)


@nb.njit(cache=True, inline="always")
def _touches(lines: np.ndarray, i: int, x0: float, y0: float, cell: float, ix: int, iy: int) -> bool:
    """Whether the line through item i's segment (lines[i] = x0, y0, x1, y1) crosses cell (ix, iy), grown by PAD.
    Items without a line (lines has no rows) touch every cell of their box."""
    if lines.shape[0] == 0:
        return True
    ax, ay, bx, by = lines[i, 0], lines[i, 1], lines[i, 2], lines[i, 3]
    ex, ey = bx - ax, by - ay
    lo_x, lo_y = x0 + (ix - PAD) * cell, y0 + (iy - PAD) * cell
    hi_x, hi_y = x0 + (ix + 1 + PAD) * cell, y0 + (iy + 1 + PAD) * cell
    above = below = False
    for cx, cy in ((lo_x, lo_y), (hi_x, lo_y), (lo_x, hi_y), (hi_x, hi_y)):
        side = ex * (cy - ay) - ey * (cx - ax)
        above |= side >= 0.0
        below |= side <= 0.0
    return above and below


@nb.njit(cache=True)
def _fill(boxes: np.ndarray, lines: np.ndarray, x0: float, y0: float, cell: float, nx: int,
          ny: int) -> tuple[np.ndarray, np.ndarray]:
    counts = np.zeros(nx * ny + 1, np.int32)
    for i in range(boxes.shape[0]):
        ax, bx = _cell_range(boxes[i, 0], boxes[i, 2], x0, cell, nx)
        ay, by = _cell_range(boxes[i, 1], boxes[i, 3], y0, cell, ny)
        for iy in range(ay, by + 1):
            for ix in range(ax, bx + 1):
                if _touches(lines, i, x0, y0, cell, ix, iy):
                    counts[iy * nx + ix + 1] += 1
    start = np.cumsum(counts).astype(np.int32)
    cursor = start[:-1].copy()
    items = np.empty(start[-1], np.int32)
    for i in range(boxes.shape[0]):
        ax, bx = _cell_range(boxes[i, 0], boxes[i, 2], x0, cell, nx)
        ay, by = _cell_range(boxes[i, 1], boxes[i, 3], y0, cell, ny)
        for iy in range(ay, by + 1):
            for ix in range(ax, bx + 1):
                if _touches(lines, i, x0, y0, cell, ix, iy):
                    k = iy * nx + ix
                    items[cursor[k]] = i
                    cursor[k] += 1
    return start, items


def segment_boxes(segments: np.ndarray) -> np.ndarray:
    return np.stack([np.minimum(segments[:, 0], segments[:, 2]), np.minimum(segments[:, 1], segments[:, 3]),
                     np.maximum(segments[:, 0], segments[:, 2]), np.maximum(segments[:, 1], segments[:, 3])], axis=1)
