"""Navigation grid for planners and coverage: free cells and directed 8-neighbour edges, each edge checked by moving
a circle with the simulation's own `move_circle`, so defects (a leaking gap, a one-way trap) show up in the graph
exactly as an agent meets them."""

from __future__ import annotations

import heapq
import math
from functools import lru_cache

import numba as nb
import numpy as np

from botsdk.arena.physics import AGENT_RADIUS, move_circle, penetration

# neighbour k matches move index k + 1 of the arena contract: n, ne, e, se, s, sw, w, nw
DIRS = np.array([(0, 1), (1, 1), (1, 0), (1, -1), (0, -1), (-1, -1), (-1, 0), (-1, 1)], dtype=np.int64)
MARGIN = 3.0
INF = np.inf


@nb.njit(cache=True)
def _build(x0: float, y0: float, cell: float, nx: int, ny: int, segments: np.ndarray, one_sided: np.ndarray,
           radius: float, dirs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    free = np.zeros(ny * nx, dtype=np.bool_)
    for j in range(ny):
        for i in range(nx):
            px = x0 + (i + 0.5) * cell
            py = y0 + (j + 0.5) * cell
            free[j * nx + i] = penetration(px, py, px, py, segments, one_sided, radius) <= 1e-9
    edges = np.zeros((ny * nx, 8), dtype=np.bool_)
    for j in range(ny):
        for i in range(nx):
            u = j * nx + i
            if not free[u]:
                continue
            px = x0 + (i + 0.5) * cell
            py = y0 + (j + 0.5) * cell
            for k in range(8):
                ii = i + dirs[k, 0]
                jj = j + dirs[k, 1]
                if ii < 0 or jj < 0 or ii >= nx or jj >= ny or not free[jj * nx + ii]:
                    continue
                qx, qy = move_circle(px, py, dirs[k, 0] * cell, dirs[k, 1] * cell, segments, one_sided, radius)
                tx = px + dirs[k, 0] * cell
                ty = py + dirs[k, 1] * cell
                edges[u, k] = abs(qx - tx) < 1e-6 and abs(qy - ty) < 1e-6
    return free, edges


@nb.njit(cache=True)
def _dijkstra(sources: np.ndarray, edges: np.ndarray, nx: int, dirs: np.ndarray, reverse: bool) -> np.ndarray:
    """Cost (in cells) from the sources along edges, or to the sources when reverse (cost-to-go field)."""
    n = edges.shape[0]
    dist = np.full(n, np.inf)
    heap = [(0.0, np.int64(0))]
    heap.pop()
    for s in sources:
        dist[s] = 0.0
        heap.append((0.0, np.int64(s)))
    heapq.heapify(heap)
    while heap:
        d, v = heapq.heappop(heap)
        if d > dist[v]:
            continue
        vi = v % nx
        vj = v // nx
        for k in range(8):
            cost = 1.4142135623730951 if dirs[k, 0] != 0 and dirs[k, 1] != 0 else 1.0
            if reverse:
                u = (vj - dirs[k, 1]) * nx + (vi - dirs[k, 0])
                if vi - dirs[k, 0] < 0 or vi - dirs[k, 0] >= nx or u < 0 or u >= n or not edges[u, k]:
                    continue
            else:
                if not edges[v, k]:
                    continue
                u = (vj + dirs[k, 1]) * nx + (vi + dirs[k, 0])
            nd = d + cost
            if nd < dist[u]:
                dist[u] = nd
                heapq.heappush(heap, (nd, np.int64(u)))
    return dist


class NavGrid:
    """Grid over the map bounds plus a margin (so a leak out of bounds is walkable in the graph too)."""

    def __init__(self, arena_map, cell: float = 0.5):
        b = arena_map.bounds
        self.map = arena_map
        self.cell = cell
        self.x0, self.y0 = b[0] - MARGIN, b[1] - MARGIN
        self.nx = int(math.ceil((b[2] - b[0] + 2 * MARGIN) / cell))
        self.ny = int(math.ceil((b[3] - b[1] + 2 * MARGIN) / cell))
        self.free, self.edges = _build(self.x0, self.y0, cell, self.nx, self.ny, arena_map.segments,
                                       arena_map.one_sided, AGENT_RADIUS, DIRS)
        xs = self.x0 + (np.arange(self.nx) + 0.5) * cell
        ys = self.y0 + (np.arange(self.ny) + 0.5) * cell
        gx, gy = np.meshgrid(xs, ys)
        self.centers = np.stack([gx.ravel(), gy.ravel()], axis=1)
        spawn_cells = [self.cells_in_rect(arena_map.spawns[t]) for t in ("blue", "red")]
        self.reachable = np.isfinite(self.from_sources(np.concatenate(spawn_cells)))
        self._fields: dict[tuple, np.ndarray] = {}

    def cell_of(self, x: float, y: float) -> int:
        i = min(self.nx - 1, max(0, int((x - self.x0) / self.cell)))
        j = min(self.ny - 1, max(0, int((y - self.y0) / self.cell)))
        return j * self.nx + i

    def cells_in_rect(self, rect) -> np.ndarray:
        c = self.centers
        inside = (c[:, 0] >= rect[0]) & (c[:, 0] <= rect[2]) & (c[:, 1] >= rect[1]) & (c[:, 1] <= rect[3])
        return np.flatnonzero(inside & self.free).astype(np.int64)

    def from_sources(self, sources: np.ndarray) -> np.ndarray:
        return _dijkstra(np.asarray(sources, dtype=np.int64), self.edges, self.nx, DIRS, False)

    def field_to(self, x: float, y: float, radius: float = 0.0) -> np.ndarray:
        """Cost-to-go (cells) to the goal point (or any free cell within radius of it); cached."""
        key = (round(x, 3), round(y, 3), round(radius, 3))
        if key not in self._fields:
            d = np.hypot(self.centers[:, 0] - x, self.centers[:, 1] - y)
            goals = np.flatnonzero((d <= max(radius, self.cell)) & self.free)
            if goals.size == 0:
                goals = np.array([int(np.argmin(np.where(self.free, d, np.inf)))])
            self._fields[key] = _dijkstra(goals.astype(np.int64), self.edges, self.nx, DIRS, True)
        return self._fields[key]

    def nearest_finite(self, field: np.ndarray, x: float, y: float) -> int:
        """The cell under (x, y), or the closest nearby cell with a finite field value (agents hug walls)."""
        c = self.cell_of(x, y)
        if np.isfinite(field[c]):
            return c
        ci, cj = c % self.nx, c // self.nx
        best, best_d = c, np.inf
        for dj in range(-3, 4):
            for di in range(-3, 4):
                i, j = ci + di, cj + dj
                if 0 <= i < self.nx and 0 <= j < self.ny and np.isfinite(field[j * self.nx + i]):
                    d = di * di + dj * dj
                    if d < best_d:
                        best, best_d = j * self.nx + i, d
        return best

    def waypoint(self, field: np.ndarray, x: float, y: float, lookahead: int = 4) -> tuple[float, float] | None:
        """A point `lookahead` cells down the field's gradient from (x, y); None when no path exists."""
        c = self.nearest_finite(field, x, y)
        if not np.isfinite(field[c]):
            return None
        for _ in range(lookahead):
            ci, cj = c % self.nx, c // self.nx
            best, best_v = c, field[c]
            for k in range(8):
                if self.edges[c, k]:
                    n = (cj + DIRS[k, 1]) * self.nx + ci + DIRS[k, 0]
                    if field[n] < best_v:
                        best, best_v = n, field[n]
            if best == c:
                break
            c = best
        return float(self.centers[c, 0]), float(self.centers[c, 1])

    def coverage_mask(self, cell_size: float) -> np.ndarray:
        """bool[ny, nx] coarse cells over the bounds holding a reachable, in-bounds fine cell."""
        m = self.map
        b = m.bounds
        cx = int(math.ceil(m.width / cell_size))
        cy = int(math.ceil(m.height / cell_size))
        mask = np.zeros((cy, cx), dtype=bool)
        for idx in np.flatnonzero(self.reachable):
            x, y = self.centers[idx]
            if m.is_out_of_bounds(x, y):
                continue
            mask[min(cy - 1, int((y - b[1]) / cell_size)), min(cx - 1, int((x - b[0]) / cell_size))] = True
        return mask


@lru_cache(maxsize=16)
def nav_grid(map_path: str, cell: float = 0.5) -> NavGrid:
    from botsdk.arena.maps import load_map

    return NavGrid(load_map(map_path), cell)
