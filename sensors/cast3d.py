"""`cast_rays_3d`: the batched azimuth x elevation sensor against boxes and spheres."""

from __future__ import annotations

import numpy as np

from botsdk.contract import ContractError, RaySensorSpec
from botsdk.sensors._kernels3d import cast_grid
from botsdk.sensors._threads import run
from botsdk.sensors.cast2d import _check_tags, _output
from botsdk.sensors.patterns import grid_angles, validate_spec
from botsdk.sensors.scene import Scene3D, _array


def cast_rays_3d(scene: Scene3D, spec: RaySensorSpec, origins: np.ndarray, yaw: np.ndarray, pitch: np.ndarray,
                 owners: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Encoded rays float32[A, spec.size]. Ray (row, col) points at yaw + azimuth, pitch + elevation (radians;
    yaw CCW from +x about +z, pitch up); spec.offset (forward, left, up) turns with the yaw. `owners[a]` is the
    index of agent a's own sphere, or -1."""
    validate_spec(spec)
    if spec.pattern != "grid3d":
        raise ContractError("rays.pattern", "'grid3d' for cast_rays_3d", spec.pattern)
    origins = _array("origins", origins, np.float64, 3)
    n = origins.shape[0]
    yaw = _array("yaw", yaw, np.float64, None)
    pitch = _array("pitch", pitch, np.float64, None)
    owners = _array("owners", owners, np.int32, None)
    if not yaw.shape[0] == pitch.shape[0] == owners.shape[0] == n:
        raise ValueError(f"yaw, pitch, owners: expected {n} entries each (one per origin), "
                         f"got {yaw.shape[0]}, {pitch.shape[0]}, {owners.shape[0]}")
    if n and (owners.min() < -1 or owners.max() >= scene.spheres.shape[0]):
        raise ValueError(f"owners: expected -1 or a sphere index in [0, {scene.spheres.shape[0]})")
    n_tags = len(spec.tags)
    _check_tags("box_tags", scene.box_tags, n_tags)
    _check_tags("sphere_tags", scene.sphere_tags, n_tags)
    out = _output(out, n, spec.size)
    if n == 0:
        return out
    az, el = grid_angles(spec)
    offset = np.zeros(3)
    offset[: len(spec.offset)] = spec.offset
    args = (origins, yaw, pitch, az, el, offset, float(spec.max_distance), n_tags, scene.boxes, scene.box_tags,
            scene.spheres, scene.sphere_tags, owners, out)
    run(cast_grid, n, args, min_parallel=max(1, 4096 // len(az)))
    return out
