"""numba kernel: a grid of 3D rays per agent against axis-aligned boxes and spheres (brute force per ray).

Same rules as 2D: an origin inside a box or sphere hits it at distance 0, touching counts, ties go to boxes,
then to the lower index; a ray never hits its owner's sphere.
"""

from __future__ import annotations

import numba as nb
import numpy as np


@nb.njit(cache=True, inline="always")
def _ray_box(o, d, box, max_t):
    t0 = 0.0
    t1 = max_t
    for k in range(3):
        lo = box[k]
        hi = box[k + 3]
        if d[k] == 0.0:
            if o[k] < lo or o[k] > hi:
                return -1.0
            continue
        a = (lo - o[k]) / d[k]
        b = (hi - o[k]) / d[k]
        t0 = max(t0, min(a, b))
        t1 = min(t1, max(a, b))
    return t0 if t0 <= t1 else -1.0


@nb.njit(cache=True, inline="always")
def _ray_sphere(o, d, s, max_t):
    mx = o[0] - s[0]
    my = o[1] - s[1]
    mz = o[2] - s[2]
    c = mx * mx + my * my + mz * mz - s[3] * s[3]
    if c <= 0.0:
        return 0.0
    b = mx * d[0] + my * d[1] + mz * d[2]
    disc = b * b - c
    if b > 0.0 or disc < 0.0:
        return -1.0
    t = c / (disc ** 0.5 - b)
    return t if t <= max_t else -1.0


@nb.njit(cache=True, parallel=True, error_model="numpy")
def cast_grid(pos, yaw, pitch, az, el, offset, max_t, n_tags, boxes, box_tags, spheres, sphere_tags, owners, out):
    width = n_tags + 2
    n_boxes = boxes.shape[0]
    for a in nb.prange(pos.shape[0]):
        cy = np.cos(yaw[a])
        sy = np.sin(yaw[a])
        o = np.empty(3)
        d = np.empty(3)
        o[0] = pos[a, 0] + offset[0] * cy - offset[1] * sy
        o[1] = pos[a, 1] + offset[0] * sy + offset[1] * cy
        o[2] = pos[a, 2] + offset[2]
        for r in range(az.shape[0]):
            ry = yaw[a] + az[r]
            rp = pitch[a] + el[r]
            d[0] = np.cos(rp) * np.cos(ry)
            d[1] = np.cos(rp) * np.sin(ry)
            d[2] = np.sin(rp)
            best_t = np.inf
            best_tag = -1
            for i in range(n_boxes):
                t = _ray_box(o, d, boxes[i], max_t)
                if t >= 0.0 and t < best_t:
                    best_t = t
                    best_tag = box_tags[i]
            for i in range(spheres.shape[0]):
                if i != owners[a]:
                    t = _ray_sphere(o, d, spheres[i], max_t)
                    if t >= 0.0 and t < best_t:
                        best_t = t
                        best_tag = sphere_tags[i]
            base = r * width
            for k in range(width):
                out[a, base + k] = 0.0
            if best_tag >= 0:
                out[a, base + best_tag] = 1.0
                out[a, base + n_tags] = 1.0
                out[a, base + n_tags + 1] = best_t / max_t
            else:
                out[a, base + n_tags + 1] = 1.0
