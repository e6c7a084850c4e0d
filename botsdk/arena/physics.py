"""Circle-vs-segment movement (numba). One function moves every agent, and the navigation grid is built from the
same function, so what the planners think is walkable is exactly what the simulation lets an agent walk.

Walls are segments. A two-sided wall pushes a circle out to the side its centre is on. A one-sided wall only
collides with centres on its front (left of x0->x1): walking in from the back passes through, walking back out is
blocked - the classic one-sided collision defect the QA map seeds as a trap.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

from botsdk.sensors._geometry2d import ray_segment

AGENT_RADIUS = 0.5
PUSH_ITERATIONS = 4
PENETRATION_TOLERANCE = 1e-3


@nb.njit(cache=True, inline="always")
def _closest(px: float, py: float, x0: float, y0: float, x1: float, y1: float) -> tuple[float, float]:
    ex = x1 - x0
    ey = y1 - y0
    length2 = ex * ex + ey * ey
    if length2 == 0.0:
        return x0, y0
    t = ((px - x0) * ex + (py - y0) * ey) / length2
    t = min(1.0, max(0.0, t))
    return x0 + t * ex, y0 + t * ey


@nb.njit(cache=True, inline="always")
def _front_side(px: float, py: float, x0: float, y0: float, x1: float, y1: float) -> float:
    """> 0 when (px, py) lies left of x0->x1 (the front of a one-sided wall)."""
    return (x1 - x0) * (py - y0) - (y1 - y0) * (px - x0)


@nb.njit(cache=True, inline="always")
def _one_sided_push(nx: float, ny: float, x0: float, y0: float, x1: float, y1: float, radius: float) -> bool:
    """From the front, a one-sided wall blocks even a step that would cross it: true when the new centre sits
    within `radius` of the wall's line on either side, over the wall's extent."""
    ex = x1 - x0
    ey = y1 - y0
    length2 = ex * ex + ey * ey
    if length2 == 0.0:
        return False
    t = ((nx - x0) * ex + (ny - y0) * ey) / length2
    if t <= 0.0 or t >= 1.0:
        return False
    sd = (ex * (ny - y0) - ey * (nx - x0)) / math.sqrt(length2)
    return sd < radius


@nb.njit(cache=True)
def penetration(px: float, py: float, sx: float, sy: float, segments: np.ndarray, one_sided: np.ndarray,
                radius: float) -> float:
    """Deepest overlap of the circle at (px, py) with any wall that collides with a circle coming from (sx, sy)."""
    worst = 0.0
    for s in range(segments.shape[0]):
        x0, y0, x1, y1 = segments[s, 0], segments[s, 1], segments[s, 2], segments[s, 3]
        if one_sided[s] and _front_side(sx, sy, x0, y0, x1, y1) <= 0.0:
            continue
        cx, cy = _closest(px, py, x0, y0, x1, y1)
        d = math.sqrt((px - cx) ** 2 + (py - cy) ** 2)
        if radius - d > worst:
            worst = radius - d
    return worst


@nb.njit(cache=True)
def move_circle(px: float, py: float, dx: float, dy: float, segments: np.ndarray, one_sided: np.ndarray,
                radius: float) -> tuple[float, float]:
    """Slide the circle by (dx, dy), pushing it out of walls; if it still overlaps after the pushes, it stays put."""
    nx = px + dx
    ny = py + dy
    for _ in range(PUSH_ITERATIONS):
        moved = False
        for s in range(segments.shape[0]):
            x0, y0, x1, y1 = segments[s, 0], segments[s, 1], segments[s, 2], segments[s, 3]
            if one_sided[s]:
                if _front_side(px, py, x0, y0, x1, y1) <= 0.0:
                    continue  # came from the back: a one-sided wall lets it through
                if _one_sided_push(nx, ny, x0, y0, x1, y1, radius):
                    ex = x1 - x0
                    ey = y1 - y0
                    el = math.sqrt(ex * ex + ey * ey) + 1e-12
                    sd = (ex * (ny - y0) - ey * (nx - x0)) / el
                    nx += -ey / el * (radius - sd)
                    ny += ex / el * (radius - sd)
                    moved = True
                    continue
            cx, cy = _closest(nx, ny, x0, y0, x1, y1)
            ox = nx - cx
            oy = ny - cy
            d = math.sqrt(ox * ox + oy * oy)
            if d >= radius:
                continue
            if d < 1e-9:  # centre on the wall: push along the wall's normal, toward where it came from
                ex = x1 - x0
                ey = y1 - y0
                el = math.sqrt(ex * ex + ey * ey) + 1e-12
                ox = -ey / el
                oy = ex / el
                if _front_side(px, py, x0, y0, x1, y1) < 0.0:
                    ox = -ox
                    oy = -oy
                d = 0.0
            else:
                ox /= d
                oy /= d
            nx += ox * (radius - d)
            ny += oy * (radius - d)
            moved = True
        if not moved:
            break
    if penetration(nx, ny, px, py, segments, one_sided, radius) > PENETRATION_TOLERANCE:
        return px, py
    return nx, ny


@nb.njit(cache=True)
def segment_hit(ox: float, oy: float, dx: float, dy: float, segments: np.ndarray, max_t: float) -> float:
    """Distance along the unit ray (dx, dy) to the first wall (both sides block shots and sight), or max_t.

    The one ray-segment test of the house (the sensors' `ray_segment`): shots, sight and rays agree on every wall,
    collinear and endpoint cases included."""
    best = max_t
    for s in range(segments.shape[0]):
        t = ray_segment(ox, oy, dx, dy, segments[s, 0], segments[s, 1], segments[s, 2], segments[s, 3], best)
        if 0.0 <= t < best:
            best = t
    return best
