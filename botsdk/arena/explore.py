"""Exploration memory and frontier choice for the explorer persona: visit what has not been visited yet.

Cells are EXPLORE_CELL wide, counted from the map bounds (the same cells the playtest coverage counts) and padded
beyond the bounds, where a leak in a wall leads. A cell counts as visited when an agent passes near its centre
or reaches it as a target."""

from __future__ import annotations

import math

import numpy as np

from botsdk.arena.maps import ArenaMap
from botsdk.arena.nav import NavGrid

EXPLORE_CELL = 2.0
OUTSIDE_BONUS = 12.0  # metres of walking an explorer trades for a cell beyond the map bounds
EXPLORE_PAD = 2 * EXPLORE_CELL  # beyond the bounds: the nav grid's margin, where a leak leads


class ExplorationMemory:
    """Visited coarse cells per map; explorers given the same memory share it (e.g. one QA playtest budget)."""

    def __init__(self) -> None:
        self.visited: dict[str, np.ndarray] = {}

    def for_map(self, arena_map: ArenaMap) -> np.ndarray:
        if arena_map.path not in self.visited:
            x0, y0 = explore_origin(arena_map)
            nx = int(math.ceil((arena_map.bounds[2] + EXPLORE_PAD - x0) / EXPLORE_CELL))
            ny = int(math.ceil((arena_map.bounds[3] + EXPLORE_PAD - y0) / EXPLORE_CELL))
            self.visited[arena_map.path] = np.zeros((ny, nx), dtype=bool)
        return self.visited[arena_map.path]


def explore_origin(arena_map: ArenaMap) -> tuple[float, float]:
    """Exploration cells line up with coverage cells counted from the map bounds (EXPLORE_CELL wide)."""
    return arena_map.bounds[0] - EXPLORE_PAD, arena_map.bounds[1] - EXPLORE_PAD


def shut_in(nav: NavGrid, position: np.ndarray) -> bool:
    """Whether the agent is shut in somewhere small (e.g. walked through a one-way wall): less than half the
    level can be reached from where it stands."""
    return _small(nav.from_sources(np.array([nav.nearest_finite(np.where(nav.free, 0.0, np.inf), *position)])), nav)


def _small(dist: np.ndarray, nav: NavGrid) -> bool:
    return bool(np.isfinite(dist).sum() <= 0.5 * nav.reachable.sum())


Spot = tuple[float, float]


def frontier_candidates(nav: NavGrid, arena_map: ArenaMap, position: np.ndarray, velocity: np.ndarray,
                        visited: np.ndarray, ahead_weight: float = 3.0) -> tuple[list[Spot], np.ndarray]:
    """Unvisited reachable cells an explorer would head for, with the chance of each: near by walking distance,
    ahead rather than behind (no dithering); beyond the bounds first when an opening leads there. No spots after a
    full sweep (the memory restarts); the objective when shut in somewhere small. `ahead_weight`: metres of walking
    worth a spot straight ahead over one at right angles."""
    g = nav
    dist = g.from_sources(np.array([g.nearest_finite(np.where(g.free, 0.0, np.inf), *position)]))
    x0, y0 = explore_origin(arena_map)
    cj = np.clip(((g.centers[:, 1] - y0) // EXPLORE_CELL).astype(int), 0, visited.shape[0] - 1)
    ci = np.clip(((g.centers[:, 0] - x0) // EXPLORE_CELL).astype(int), 0, visited.shape[1] - 1)
    idx = np.flatnonzero(np.isfinite(dist) & ~visited[cj, ci])
    if idx.size == 0:
        if not _small(dist, g):
            visited[:] = False  # everything seen: start a new sweep
            return [], np.zeros(0)
        return [arena_map.objective], np.ones(1)  # shut in somewhere small: keep the memory, get back to the game
    cells = cj[idx] * visited.shape[1] + ci[idx]
    centre_x = x0 + (ci[idx] + 0.5) * EXPLORE_CELL
    centre_y = y0 + (cj[idx] + 0.5) * EXPLORE_CELL
    off_centre = np.hypot(g.centers[idx, 0] - centre_x, g.centers[idx, 1] - centre_y)
    order = np.lexsort((off_centre, cells))
    first = np.ones(len(order), dtype=bool)
    first[1:] = cells[order][1:] != cells[order][:-1]
    reps = idx[order][first]  # per unvisited coarse cell, its reachable fine cell nearest the centre
    to = g.centers[reps] - position
    speed = float(np.hypot(*velocity))
    facing = (to @ (velocity / speed)) / np.maximum(np.hypot(to[:, 0], to[:, 1]), 1e-9) if speed > 0.5 else 0.0
    b = arena_map.bounds
    c = g.centers[reps]
    outside = (c[:, 0] < b[0]) | (c[:, 0] > b[2]) | (c[:, 1] < b[1]) | (c[:, 1] > b[3])
    # reachable space beyond the bounds is the most novel there is: a QA explorer goes through any opening
    score = dist[reps] * g.cell + ahead_weight * (1.0 - facing) - OUTSIDE_BONUS * outside
    best = np.argsort(score, kind="stable")[:4]
    w = np.exp(-(score[best] - score[best][0]) / 1.5)
    return [(float(g.centers[r, 0]), float(g.centers[r, 1])) for r in reps[best]], w / w.sum()
