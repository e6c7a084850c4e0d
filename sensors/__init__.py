"""Ray-cast sensors: pixel-free perception with one documented encoding that engines reproduce.

Public API: `Scene2D`, `cast_rays_2d`, `ray_angles`, `Scene3D`, `cast_rays_3d`, `grid_angles`, `FrameStack`,
`validate_spec`. numba compiles on first use and caches to disk; this module never imports torch.
"""

from botsdk.sensors.cast2d import cast_rays_2d
from botsdk.sensors.patterns import grid_angles, ray_angles, validate_spec
from botsdk.sensors.scene import Scene2D, Scene3D
from botsdk.sensors.stacking import FrameStack

__all__ = ["FrameStack", "Scene2D", "Scene3D", "cast_rays_2d", "cast_rays_3d", "grid_angles", "ray_angles",
           "validate_spec"]


def __getattr__(name: str):  # 3D kernels load only when asked for
    if name == "cast_rays_3d":
        from botsdk.sensors.cast3d import cast_rays_3d

        return cast_rays_3d
    raise AttributeError(f"module 'sensors' has no attribute {name!r}")
