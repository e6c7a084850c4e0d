"""Exact per-primitive ray tests shared by every 2D kernel (numba, float64). Return the hit distance or -1.

Rules engines must match (see conformance/GUIDE.md): segment endpoints are part of the segment; a ray collinear
with a segment hits its nearest point (distance 0 if the origin lies on it); a ray tangent to a circle hits it; a ray
whose origin is inside or on a circle hits that circle at distance 0; a hit at exactly max distance counts;
zero-length segments and zero-radius circles are ignored; a direction component below AXIS_SNAP is exactly 0.
"""

from __future__ import annotations

import math

import numba as nb

MISS = -1.0
# cos(pi/2) is 6e-17, not 0: without the snap a ray at heading pi/2 or pi misses a wall lying along it
AXIS_SNAP = 1e-12


@nb.njit(cache=True, inline="always")
def snap(component: float) -> float:
    """A direction component so small it can only be rounding of an axis-aligned ray becomes exactly 0."""
    return 0.0 if abs(component) < AXIS_SNAP else component


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
    sign = math.copysign(1.0, denom)  # make the denominator positive (exactly: a sign flip), without a branch
    denom, t_num, s_num = denom * sign, t_num * sign, s_num * sign
    if (t_num < 0.0) | (s_num < 0.0) | (s_num > denom):  # range checks with no division, one branch
        return MISS
    t = t_num / denom
    return t if t <= max_t else MISS


@nb.njit(cache=True, inline="always")
def ray_circle(ox: float, oy: float, dx: float, dy: float, cx: float, cy: float, r2: float, max_t: float) -> float:
    """Circle centre (cx, cy), squared radius r2 (= r * r, as the reference computes it); r2 = 0 is ignored."""
    if r2 == 0.0:
        return MISS  # a zero-radius circle is ignored, like a zero-length segment
    mx = ox - cx
    my = oy - cy
    c = mx * mx + my * my - r2
    if c <= 0.0:
        return 0.0  # origin inside or on the circle
    b = mx * dx + my * dy
    disc = b * b - c
    if (b > 0.0) | (disc < 0.0):  # pointing away, or passing by
        return MISS
    t = c / (disc ** 0.5 - b)  # the near root, written without cancellation (t_near * t_far = c)
    return t if t <= max_t else MISS

