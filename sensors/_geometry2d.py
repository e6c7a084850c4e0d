"""Exact per-primitive ray tests shared by every 2D kernel (numba, float64). Return the hit distance or -1.

Rules engines must match (see conformance/GUIDE.md): segment endpoints are part of the segment; a ray collinear
with a segment hits its nearest point (distance 0 if the origin lies on it); a ray tangent to a circle hits it; a ray
whose origin is inside or on a circle hits that circle at distance 0; a hit at exactly max distance counts.
"""

from __future__ import annotations

import numba as nb

MISS = -1.0


@nb.njit(cache=True, inline="always")
def ray_segment(ox: float, oy: float, dx: float, dy: float, x0: float, y0: float, x1: float, y1: float,
                max_t: float) -> float:
    ex = x1 - x0
    ey = y1 - y0
    wx = x0 - ox
    wy = y0 - oy
    denom = dx * ey - dy * ex
    if denom == 0.0:
        if wx * dy - wy * dx != 0.0:
            return MISS  # parallel, not collinear
        if ex == 0.0 and ey == 0.0:
            return MISS  # zero-length segments are ignored
        t0 = wx * dx + wy * dy
        t1 = (x1 - ox) * dx + (y1 - oy) * dy
        near = min(t0, t1)
        far = max(t0, t1)
        if far < 0.0:
            return MISS
        t = max(near, 0.0)
        return t if t <= max_t else MISS
    t_num = wx * ey - wy * ex
    s_num = wx * dy - wy * dx
    if denom < 0.0:  # make the denominator positive so the range checks need no division
        denom, t_num, s_num = -denom, -t_num, -s_num
    if t_num < 0.0 or s_num < 0.0 or s_num > denom:
        return MISS
    t = t_num / denom
    return t if t <= max_t else MISS


@nb.njit(cache=True, inline="always")
def ray_circle(ox: float, oy: float, dx: float, dy: float, cx: float, cy: float, r: float, max_t: float) -> float:
    mx = ox - cx
    my = oy - cy
    c = mx * mx + my * my - r * r
    if c <= 0.0:
        return 0.0  # origin inside or on the circle
    b = mx * dx + my * dy
    if b > 0.0:
        return MISS  # outside and pointing away
    disc = b * b - c
    if disc < 0.0:
        return MISS
    t = c / (disc ** 0.5 - b)  # the near root, written without cancellation (t_near * t_far = c)
    return t if t <= max_t else MISS
