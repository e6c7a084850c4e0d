"""Static checks of an arena map's navigation graph, the complement of what bots happen to run into.

The arena's navigation grid is built by moving a circle with the simulation's own collision, so its directed edges
are exactly the moves an agent can make: a one-way wall gives a one-way edge, a gap in the boundary gives edges to
the outside. Two questions need no luck from a bot: which places reachable from a spawn lead out of bounds (a leak),
and which reachable places have no way back to any spawn (a trap). Findings from here have `source="static"` and
no seed: the map file alone reproduces them.
"""

from __future__ import annotations

from collections import deque
from typing import Any

import numpy as np

from botsdk.playtest.records import Finding


def _components(cells: np.ndarray, nx: int) -> list[np.ndarray]:
    """8-connected groups of flat cell indices."""
    todo = set(int(c) for c in cells)
    groups = []
    while todo:
        start = todo.pop()
        group, queue = [start], deque([start])
        while queue:
            c = queue.popleft()
            ci, cj = c % nx, c // nx
            for dj in (-1, 0, 1):
                for di in (-1, 0, 1):
                    n = (cj + dj) * nx + ci + di
                    if 0 <= ci + di < nx and n in todo:
                        todo.remove(n)
                        group.append(n)
                        queue.append(n)
        groups.append(np.array(sorted(group)))
    return groups


def _spawn_field(nav: Any, arena_map: Any) -> np.ndarray:
    """Finite where some spawn can be walked back to."""
    back = np.full(len(nav.free), np.inf)
    for x0, y0, x1, y1 in arena_map.spawns.values():
        field = nav.field_to((x0 + x1) / 2, (y0 + y1) / 2, float(np.hypot(x1 - x0, y1 - y0)) / 2)
        back = np.minimum(back, field)
    return back


def static_findings(arena_map: Any, min_cells: int = 2) -> list[Finding]:
    """Leaks out of bounds and traps in the map's navigation graph, one finding per connected place."""
    nav = arena_map.nav()
    centres = nav.centers
    outside = np.array([arena_map.is_out_of_bounds(x, y) for x, y in centres])
    findings = []
    exits = _exit_cells(nav, outside)
    for group in _components(exits, nav.nx):
        where = centres[group].mean(axis=0)
        findings.append(Finding("out_of_bounds", f"static: {len(group)} reachable navigation cell(s) here lead out "
                                f"of bounds (a gap in the level's boundary)", _round(where), source="static"))
    trapped = np.flatnonzero(nav.reachable & ~outside & ~np.isfinite(_spawn_field(nav, arena_map)))
    for group in _components(trapped, nav.nx):
        if len(group) < min_cells:
            continue
        where = centres[group].mean(axis=0)
        findings.append(Finding("stuck", f"static: {len(group)} navigation cell(s) here are reachable from a spawn "
                                f"but have no way back (a trap)", _round(where), source="static"))
    return findings


def _exit_cells(nav: Any, outside: np.ndarray) -> np.ndarray:
    """Reachable in-bounds cells with an edge to an out-of-bounds cell."""
    from botsdk.arena.nav import DIRS

    cells = np.flatnonzero(nav.reachable & ~outside)
    ci, cj = cells % nav.nx, cells // nav.nx
    exits = np.zeros(len(cells), dtype=bool)
    for k, (di, dj) in enumerate(DIRS):
        ni, nj = ci + di, cj + dj
        ok = (ni >= 0) & (ni < nav.nx) & (nj >= 0) & (nj < nav.ny)
        target = np.where(ok, nj * nav.nx + ni, 0)
        exits |= ok & nav.edges[cells, k] & outside[target]
    return cells[exits]


def _round(xy: np.ndarray) -> tuple[float, float]:
    return round(float(xy[0]), 2), round(float(xy[1]), 2)
