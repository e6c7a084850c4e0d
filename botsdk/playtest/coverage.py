"""Which cells a bot could reach, which it did reach, and how fast.

Reachable cells come from a flood fill over the walkable grid starting at the spawns; a move between two
neighbouring cells is refused when a wall segment crosses the line between their centres, so thin walls that fall
between cell centres still split the grid. Coverage is visited reachable cells / reachable cells.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from botsdk.playtest.records import AgentTrack, PlaytestWorld


def segments_cross(p: np.ndarray, q: np.ndarray, walls: np.ndarray) -> np.ndarray:
    """bool[N]: does segment p[i]->q[i] properly cross any wall segment? p, q float[N, 2]; walls float[S, 4]."""
    if walls is None or len(walls) == 0 or len(p) == 0:
        return np.zeros(len(p), dtype=bool)
    p, q = p[:, None, :], q[:, None, :]
    a, b = walls[None, :, 0:2], walls[None, :, 2:4]

    def orient(u: np.ndarray, v: np.ndarray, w: np.ndarray) -> np.ndarray:
        return (v[..., 0] - u[..., 0]) * (w[..., 1] - u[..., 1]) - (v[..., 1] - u[..., 1]) * (w[..., 0] - u[..., 0])

    d1, d2 = orient(a, b, p), orient(a, b, q)
    d3, d4 = orient(p, q, a), orient(p, q, b)
    hit = (np.sign(d1) * np.sign(d2) <= 0) & (np.sign(d3) * np.sign(d4) <= 0)
    # Collinear degenerate pairs (all four zero) only count when they overlap; treat as no crossing for grid edges.
    degenerate = (d1 == 0) & (d2 == 0)
    return (hit & ~degenerate).any(axis=1)


def passable_edges(world: PlaytestWorld) -> tuple[np.ndarray, np.ndarray]:
    """(east bool[R, C-1], north bool[R-1, C]): may an agent step between the two neighbouring cells?"""
    rows, cols = world.shape
    walk = world.walkable
    east = walk[:, :-1] & walk[:, 1:]
    north = walk[:-1, :] & walk[1:, :]
    if world.walls is not None and len(world.walls):
        walls = np.asarray(world.walls, dtype=np.float64)
        r, c = np.nonzero(east)
        blocked = segments_cross(world.cell_center(r, c), world.cell_center(r, c + 1), walls)
        east[r[blocked], c[blocked]] = False
        r, c = np.nonzero(north)
        blocked = segments_cross(world.cell_center(r, c), world.cell_center(r + 1, c), walls)
        north[r[blocked], c[blocked]] = False
    return east, north


def reachable_cells(world: PlaytestWorld) -> np.ndarray:
    """bool[R, C]: cells connected to any spawn through walkable, wall-free steps (4-neighbourhood); the world's
    own `reachable` mask when it brings one."""
    if world.reachable is not None:
        return world.reachable
    rows, cols = world.shape
    east, north = passable_edges(world)
    seen = np.zeros((rows, cols), dtype=bool)
    queue: deque[tuple[int, int]] = deque()
    for row, col in world.cell_of(np.asarray(world.spawns, dtype=np.float64)):
        if 0 <= row < rows and 0 <= col < cols and world.walkable[row, col] and not seen[row, col]:
            seen[row, col] = True
            queue.append((int(row), int(col)))
    while queue:
        r, c = queue.popleft()
        for nr, nc, ok in ((r, c + 1, c + 1 < cols and east[r, c]), (r, c - 1, c > 0 and east[r, c - 1]),
                           (r + 1, c, r + 1 < rows and north[r, c]), (r - 1, c, r > 0 and north[r - 1, c])):
            if ok and not seen[nr, nc]:
                seen[nr, nc] = True
                queue.append((nr, nc))
    return seen


def _dense_path(positions: np.ndarray, step: float) -> tuple[np.ndarray, np.ndarray]:
    """Positions resampled so consecutive points are at most `step` apart, and the source step of each point."""
    pos = np.asarray(positions, dtype=np.float64)
    if len(pos) < 2:
        return pos, np.zeros(len(pos), dtype=np.int64)
    seg = np.linalg.norm(np.diff(pos, axis=0), axis=1)
    parts = np.maximum(1, np.ceil(seg / step).astype(np.int64))
    t = np.repeat(np.arange(len(seg)), parts)
    frac = (np.arange(parts.sum()) - np.repeat(np.cumsum(parts) - parts, parts)) / np.repeat(parts, parts)
    dense = pos[t] + (pos[t + 1] - pos[t]) * frac[:, None]
    return np.vstack([dense, pos[-1:]]), np.append(t, len(seg))


def first_visit_steps(world: PlaytestWorld, positions: np.ndarray) -> np.ndarray:
    """int64[R, C]: the first step at which the track was in each cell, -1 where never."""
    rows, cols = world.shape
    first = np.full(rows * cols, -1, dtype=np.int64)
    if len(positions) == 0:
        return first.reshape(rows, cols)
    dense, t = _dense_path(positions, world.cell_size * 0.5)
    cells = world.cell_of(dense)
    inside = (cells[:, 0] >= 0) & (cells[:, 0] < rows) & (cells[:, 1] >= 0) & (cells[:, 1] < cols)
    flat, t = cells[inside, 0] * cols + cells[inside, 1], t[inside]
    # Points are in time order, so the first occurrence of each cell is its first visit.
    unique, index = np.unique(flat, return_index=True)
    first[unique] = t[index]
    return first.reshape(rows, cols)


@dataclass
class Coverage:
    """Union coverage of many tracks: per-cell visit counts, and the fraction of reachable cells over time."""

    reachable: np.ndarray  # bool[R, C]
    visits: np.ndarray  # int64[R, C]: how many tracks entered each cell
    times_s: np.ndarray  # float64[K]
    fraction: np.ndarray  # float64[K]: union over tracks of cells first entered by that episode time

    @property
    def final(self) -> float:
        return float(self.fraction[-1]) if len(self.fraction) else 0.0


def coverage_of(world: PlaytestWorld, tracks: list[AgentTrack], reachable: np.ndarray | None = None) -> Coverage:
    """Coverage of the reachable cells by the union of `tracks`, as a function of time within an episode."""
    reachable = reachable_cells(world) if reachable is None else reachable
    rows, cols = world.shape
    earliest = np.full((rows, cols), np.iinfo(np.int64).max, dtype=np.int64)
    visits = np.zeros((rows, cols), dtype=np.int64)
    horizon = 1
    for track in tracks:
        first = first_visit_steps(world, track.positions)
        seen = first >= 0
        visits += seen
        earliest[seen] = np.minimum(earliest[seen], first[seen])
        horizon = max(horizon, len(track.positions))
    total = max(int(reachable.sum()), 1)
    entered = np.sort(earliest[reachable & (visits > 0)])
    steps = np.arange(horizon)
    fraction = np.searchsorted(entered, steps, side="right") / total
    return Coverage(reachable, visits, steps * world.dt, fraction)


@dataclass(frozen=True)
class GoldenPath:
    """How many episodes passed every golden-path checkpoint in order, and how long it took them."""

    episodes: int
    completed: int
    times_s: tuple[float, ...]

    @property
    def rate(self) -> float:
        return self.completed / self.episodes if self.episodes else 0.0

    @property
    def median_time_s(self) -> float | None:
        return float(np.median(self.times_s)) if self.times_s else None


def golden_path_time(world: PlaytestWorld, track: AgentTrack) -> float | None:
    """Seconds until the track had passed every checkpoint of the golden path in order; None if it never did."""
    points = {p.name: p for p in world.points}
    pos = track.positions.astype(np.float64)
    start = 0
    for name in world.golden_path:
        point = points[name]
        near = np.nonzero(np.linalg.norm(pos[start:] - np.asarray(point.position), axis=1) <= point.radius)[0]
        if len(near) == 0:
            return None
        start += int(near[0])
    return start * world.dt


def golden_path_stats(world: PlaytestWorld, episodes: list[list[AgentTrack]]) -> GoldenPath:
    """An episode completes the golden path when any of its agents does; its time is the fastest agent's."""
    times = []
    for tracks in episodes:
        done = [t for t in (golden_path_time(world, tr) for tr in tracks) if t is not None]
        if done:
            times.append(min(done))
    return GoldenPath(len(episodes), len(times), tuple(times))
