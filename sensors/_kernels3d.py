"""numba kernel: a grid of 3D rays per agent against axis-aligned boxes and spheres (brute force per ray).

Same rules as 2D: an origin inside a box or sphere hits it at distance 0, touching counts, ties go to boxes,
then to the lower index; a ray never hits its owner's sphere; zero-radius spheres are ignored; direction components
below AXIS_SNAP are exactly 0.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from botsdk.sensors._geometry2d import snap


@nb.njit(cache=True, inline="always")
def _slab(o: float, d: float, lo: float, hi: float, t0: float, t1: float) -> tuple[float, float]:
    if d == 0.0:
        return (t0, t1) if lo <= o <= hi else (1.0, 0.0)
    a = (lo - o) / d
    b = (hi - o) / d
    return max(t0, min(a, b)), min(t1, max(a, b))


@nb.njit(cache=True, inline="always")
def _ray_box(ox, oy, oz, dx, dy, dz, boxes, i, max_t):
    t0, t1 = _slab(ox, dx, boxes[i, 0], boxes[i, 3], 0.0, max_t)
    t0, t1 = _slab(oy, dy, boxes[i, 1], boxes[i, 4], t0, t1)
    t0, t1 = _slab(oz, dz, boxes[i, 2], boxes[i, 5], t0, t1)
    return t0 if t0 <= t1 else -1.0


@nb.njit(cache=True, inline="always")
def _ray_sphere(ox, oy, oz, dx, dy, dz, spheres, i, max_t):
    mx = ox - spheres[i, 0]
    my = oy - spheres[i, 1]
    mz = oz - spheres[i, 2]
    if spheres[i, 3] == 0.0:
        return -1.0  # a zero-radius sphere is ignored
    c = mx * mx + my * my + mz * mz - spheres[i, 3] * spheres[i, 3]
    if c <= 0.0:
        return 0.0
    b = mx * dx + my * dy + mz * dz
    disc = b * b - c
    if b > 0.0 or disc < 0.0:
        return -1.0
    t = c / (disc ** 0.5 - b)
    return t if t <= max_t else -1.0


# _nrt=False and nogil as in the 2D kernel (sensors._kernels2d.cast_fan).
@nb.njit(cache=True, nogil=True, error_model="numpy", _nrt=False)
def cast_grid(lo, hi, pos, yaw, pitch, az, el, offset, max_t, n_tags, boxes, box_tags, spheres, sphere_tags, owners,
              out):
    """Encoded rays of agents lo..hi-1 into out."""
    width = n_tags + 2
    for a in range(lo, hi):
        cy = np.cos(yaw[a])
        sy = np.sin(yaw[a])
        ox = pos[a, 0] + offset[0] * cy - offset[1] * sy
        oy = pos[a, 1] + offset[0] * sy + offset[1] * cy
        oz = pos[a, 2] + offset[2]
        for r in range(az.shape[0]):
            ry = yaw[a] + az[r]
            rp = pitch[a] + el[r]
            dx = snap(np.cos(rp) * np.cos(ry))
            dy = snap(np.cos(rp) * np.sin(ry))
            dz = snap(np.sin(rp))
            best_t = np.inf
            best_tag = -1
            for i in range(boxes.shape[0]):
                t = _ray_box(ox, oy, oz, dx, dy, dz, boxes, i, max_t)
                if t >= 0.0 and t < best_t:
                    best_t = t
                    best_tag = box_tags[i]
            for i in range(spheres.shape[0]):
                if i != owners[a]:
                    t = _ray_sphere(ox, oy, oz, dx, dy, dz, spheres, i, max_t)
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
