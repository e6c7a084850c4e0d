"""`cast_rays_2d`: the batched 2D fan sensor, encoded as the contract says."""

from __future__ import annotations

import functools
import math

import numpy as np

from botsdk.contract import ContractError, RaySensorSpec
from botsdk.sensors._circles import bin_circles, clear_circles
from botsdk.sensors._inputs2d import values_ok, well_formed
from botsdk.sensors._kernels2d import cast_fan
from botsdk.sensors._order import spatial_order
from botsdk.sensors._threads import run
from botsdk.sensors.patterns import ray_angles, validate_spec
from botsdk.sensors.scene import Scene2D, _array, _tags

PARALLEL_MIN_RAYS = 8192  # below this many rays a call runs on the calling thread only (thread hand-off ~50 us)


@functools.lru_cache(maxsize=64)
def _fan_directions(spec: RaySensorSpec) -> tuple[np.ndarray, np.ndarray]:
    """Validated once per spec: (cos a, sin a) of each fan angle, via libm like the reference and most engines."""
    validate_spec(spec)
    if spec.pattern != "fan2d":
        raise ContractError("rays.pattern", "'fan2d' for cast_rays_2d", spec.pattern)
    angles = ray_angles(spec).tolist()
    cos_a, sin_a = np.array([math.cos(a) for a in angles]), np.array([math.sin(a) for a in angles])
    cos_a.flags.writeable = sin_a.flags.writeable = False
    return cos_a, sin_a


def _check_tags(name: str, tags: np.ndarray, n_tags: int) -> None:
    if tags.size and tags.max() >= n_tags:
        raise ContractError(name, f"tag indices in [0, {n_tags}) (spec.tags has {n_tags})", int(tags.max()))


def _output(out: np.ndarray | None, n_agents: int, size: int) -> np.ndarray:
    """The caller's float32[A, size] buffer, checked, or a new one."""
    if out is None:
        return np.empty((n_agents, size), np.float32)
    if out.shape != (n_agents, size) or out.dtype != np.float32:
        raise ValueError(f"out: expected float32{(n_agents, size)}, got {out.dtype}{out.shape}")
    return out


def cast_rays_2d(scene: Scene2D, spec: RaySensorSpec, origins: np.ndarray, headings: np.ndarray,
                 circles: np.ndarray, circle_tags: np.ndarray, owners: np.ndarray,
                 out: np.ndarray | None = None) -> np.ndarray:
    """Encoded rays float32[A, spec.size] for A agents at `origins` (their positions; spec.offset is applied,
    (forward, left) rotated by the heading) facing `headings` (radians CCW from +x). `owners[a]` is the index of
    agent a's own circle (or -1): its rays never hit it."""
    cos_a, sin_a = _fan_directions(spec)
    n_tags = len(spec.tags)
    if not (well_formed(origins, headings, circles, circle_tags, owners)
            and values_ok(origins, headings, circles, circle_tags, owners, scene.segment_tags, n_tags)):
        origins, headings, circles, circle_tags, owners = _agents(origins, headings, circles, circle_tags, owners)
        _check_tags("segment_tags", scene.segment_tags, n_tags)
        _check_tags("circle_tags", circle_tags, n_tags)
    n_agents = origins.shape[0]
    out = _output(out, n_agents, spec.size)
    if n_agents == 0:
        return out
    g = scene.grid
    with scene._cell_table() as table:
        c_rows, c_ids, loose, touched = bin_circles(table, circles, g.x0, g.y0, g.cell, g.nx, g.ny)
        try:
            px, py = np.ascontiguousarray(origins[:, 0]), np.ascontiguousarray(origins[:, 1])
            order = spatial_order(px, py, g.x0, g.y0, g.cell, g.nx, g.ny)
            args = (order, px, py, headings, cos_a, sin_a, float(spec.offset[0]), float(spec.offset[1]),
                    float(spec.max_distance), n_tags, g.x0, g.y0, g.cell, g.nx, g.ny, table.reshape(-1),
                    scene.wall_rows.reshape(-1), g.items, c_rows.reshape(-1), c_ids,
                    scene.segment_tags, circles, circle_tags, loose, owners, out)
            run(cast_fan, n_agents, args, min_parallel=-(-PARALLEL_MIN_RAYS // len(cos_a)))
        finally:
            clear_circles(table, touched)  # the table is the scene's: leave its circle half zero
    return out


def _agents(origins, headings, circles, circle_tags, owners) -> tuple[np.ndarray, ...]:
    """Checked, contiguous copies (or views) of the per-call inputs."""
    origins = _array("origins", origins, np.float64, 2)
    n_agents = origins.shape[0]
    headings = _array("headings", headings, np.float64, None)
    owners = _array("owners", owners, np.int32, None)
    circles = _array("circles", circles, np.float64, 3)
    circle_tags = _tags("circle_tags", circle_tags, circles.shape[0])
    if headings.shape[0] != n_agents or owners.shape[0] != n_agents:
        raise ValueError(f"headings and owners: expected {n_agents} entries (one per origin), "
                         f"got {headings.shape[0]} and {owners.shape[0]}")
    if n_agents and (owners.min() < -1 or owners.max() >= circles.shape[0]):
        raise ValueError(f"owners: expected -1 or a circle index in [0, {circles.shape[0]}), "
                         f"got {int(owners.min())}..{int(owners.max())}")
    if circles.shape[0] and circles[:, 2].min() < 0:
        raise ValueError(f"circles: expected radius >= 0, got {float(circles[:, 2].min())}")
    return origins, headings, circles, circle_tags, owners
