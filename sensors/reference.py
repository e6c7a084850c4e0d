"""Slow, obviously-correct pure-Python sensors: every ray against every primitive. The kernels are tested
against this, and the conformance vectors are generated from it. Same rules as conformance/GUIDE.md."""

from __future__ import annotations

import math
from typing import Sequence

from botsdk.contract import RaySensorSpec
from botsdk.sensors.patterns import grid_angles, ray_angles

Hit = tuple[float, int] | None  # (distance, tag) or a miss
AXIS_SNAP = 1e-12  # direction components below this are rounding of an axis-aligned ray: exactly 0


def snap(component: float) -> float:
    return 0.0 if abs(component) < AXIS_SNAP else component


def ray_segment(o: Sequence[float], d: Sequence[float], seg: Sequence[float], max_t: float) -> float | None:
    (ox, oy), (dx, dy), (x0, y0, x1, y1) = o, d, seg
    ex, ey = x1 - x0, y1 - y0
    if ex == 0.0 and ey == 0.0:
        return None  # zero-length segments are ignored
    wx, wy = x0 - ox, y0 - oy
    denom = dx * ey - dy * ex
    if denom == 0.0:  # parallel: only a collinear segment can be hit, at its nearest point ahead
        if wx * dy - wy * dx != 0.0:
            return None
        ends = sorted([wx * dx + wy * dy, (x1 - ox) * dx + (y1 - oy) * dy])
        if ends[1] < 0.0:
            return None
        t = max(ends[0], 0.0)
    else:
        t_num, s_num = wx * ey - wy * ex, wx * dy - wy * dx
        if denom < 0.0:
            denom, t_num, s_num = -denom, -t_num, -s_num
        if not (0.0 <= s_num <= denom) or t_num < 0.0:  # 0 <= s <= 1 and t >= 0, without rounding
            return None
        t = t_num / denom
    return t if t <= max_t else None


def ray_circle(o: Sequence[float], d: Sequence[float], circle: Sequence[float], max_t: float) -> float | None:
    (ox, oy), (dx, dy), (cx, cy, r) = o, d, circle
    if r == 0.0:
        return None  # zero-radius circles are ignored, like zero-length segments
    mx, my = ox - cx, oy - cy
    c = mx * mx + my * my - r * r
    if c <= 0.0:
        return 0.0  # the origin is inside or on the circle
    b = mx * dx + my * dy
    disc = b * b - c
    if b > 0.0 or disc < 0.0:
        return None
    t = c / (math.sqrt(disc) - b)
    return t if t <= max_t else None


def nearest_2d(o, d, max_t, segments, segment_tags, circles, circle_tags, owner) -> Hit:
    """Nearest hit; ties go to walls before circles, then to the lower index."""
    best: tuple[float, int, int] | None = None  # (t, rank, tag): rank orders walls, then circles, by index
    for i, seg in enumerate(segments):
        t = ray_segment(o, d, seg, max_t)
        if t is not None and (best is None or (t, i) < best[:2]):
            best = (t, i, int(segment_tags[i]))
    for i, circle in enumerate(circles):
        t = ray_circle(o, d, circle, max_t) if i != owner else None
        rank = len(segments) + i
        if t is not None and (best is None or (t, rank) < best[:2]):
            best = (t, rank, int(circle_tags[i]))
    return None if best is None else (best[0], best[2])


def encode(hits: Sequence[Hit], n_tags: int, max_t: float) -> list[float]:
    values: list[float] = []
    for hit in hits:
        one_hot = [0.0] * n_tags
        if hit is None:
            values += one_hot + [0.0, 1.0]
        else:
            one_hot[hit[1]] = 1.0
            values += one_hot + [1.0, hit[0] / max_t]
    return values


def direction_2d(cos_heading: float, sin_heading: float, angle: float) -> tuple[float, float]:
    """(cos a, sin a) rotated by the heading: the same unit vector as (cos(h + a), sin(h + a)) up to rounding."""
    ca, sa = math.cos(angle), math.sin(angle)
    return (snap(cos_heading * ca - sin_heading * sa), snap(sin_heading * ca + cos_heading * sa))


def cast_rays_2d(spec: RaySensorSpec, segments, segment_tags, origins, headings, circles, circle_tags,
                 owners) -> list[list[float]]:
    out = []
    for (px, py), heading, owner in zip(origins, headings, owners):
        fwd, left = spec.offset[0], spec.offset[1]
        ch, sh = math.cos(heading), math.sin(heading)
        o = (px + fwd * ch - left * sh, py + fwd * sh + left * ch)
        hits = []
        for angle in ray_angles(spec):
            d = direction_2d(ch, sh, float(angle))
            hits.append(nearest_2d(o, d, spec.max_distance, segments, segment_tags, circles, circle_tags, owner))
        out.append(encode(hits, len(spec.tags), spec.max_distance))
    return out


def ray_box(o, d, box, max_t: float) -> float | None:
    t0, t1 = 0.0, max_t
    for k in range(3):
        lo, hi = box[k], box[k + 3]
        if d[k] == 0.0:
            if o[k] < lo or o[k] > hi:
                return None
            continue
        a, b = (lo - o[k]) / d[k], (hi - o[k]) / d[k]
        t0, t1 = max(t0, min(a, b)), min(t1, max(a, b))
    return t0 if t0 <= t1 else None


def ray_sphere(o, d, sphere, max_t: float) -> float | None:
    if sphere[3] == 0.0:
        return None  # zero-radius spheres are ignored
    m = [o[k] - sphere[k] for k in range(3)]
    c = sum(v * v for v in m) - sphere[3] * sphere[3]
    if c <= 0.0:
        return 0.0
    b = sum(m[k] * d[k] for k in range(3))
    disc = b * b - c
    if b > 0.0 or disc < 0.0:
        return None
    t = c / (math.sqrt(disc) - b)
    return t if t <= max_t else None


def direction_3d(yaw: float, pitch: float) -> tuple[float, float, float]:
    """x forward at yaw 0, y left, z up: (cos p cos y, cos p sin y, sin p), tiny components snapped to 0."""
    return (snap(math.cos(pitch) * math.cos(yaw)), snap(math.cos(pitch) * math.sin(yaw)), snap(math.sin(pitch)))


def cast_rays_3d(spec: RaySensorSpec, boxes, box_tags, spheres, sphere_tags, origins, yaws, pitches,
                 owners) -> list[list[float]]:
    az, el = grid_angles(spec)
    offset = list(spec.offset) + [0.0] * (3 - len(spec.offset))
    out = []
    for (px, py, pz), yaw, pitch, owner in zip(origins, yaws, pitches, owners):
        cy, sy = math.cos(yaw), math.sin(yaw)
        o = (px + offset[0] * cy - offset[1] * sy, py + offset[0] * sy + offset[1] * cy, pz + offset[2])
        hits = []
        for a, e in zip(az, el):
            d = direction_3d(yaw + float(a), pitch + float(e))
            best = None
            for i, box in enumerate(boxes):
                t = ray_box(o, d, box, spec.max_distance)
                if t is not None and (best is None or (t, i) < best[:2]):
                    best = (t, i, int(box_tags[i]))
            for i, sphere in enumerate(spheres):
                t = ray_sphere(o, d, sphere, spec.max_distance) if i != owner else None
                if t is not None and (best is None or (t, len(boxes) + i) < best[:2]):
                    best = (t, len(boxes) + i, int(sphere_tags[i]))
            hits.append(None if best is None else (best[0], best[2]))
        out.append(encode(hits, len(spec.tags), spec.max_distance))
    return out
