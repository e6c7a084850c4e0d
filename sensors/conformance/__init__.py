"""Conformance vectors: scenes, specs, poses and the exact encoding a correct sensor produces.

Engines (Unity, Unreal, Godot) replay these with their own raycasts; see GUIDE.md. The JSON files are written by
`python -m botsdk.sensors.conformance` from the pure-Python reference, and the numba kernels must reproduce them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from botsdk.contract import RaySensorSpec
from botsdk.sensors.patterns import validate_spec

HERE = Path(__file__).parent
GUIDE_PATH = HERE / "GUIDE.md"
TOLERANCE = 1e-4  # on distance / max_distance; tags and hit flags must match exactly


def spec_from_dict(data: dict[str, Any]) -> RaySensorSpec:
    """A ray spec from its contract JSON form (the `rays` object of a contract)."""
    fields = dict(data)
    fields["tags"] = tuple(fields["tags"])
    fields["offset"] = tuple(float(v) for v in fields.get("offset", (0.0, 0.0)))
    return validate_spec(RaySensorSpec(**fields))


def vector_paths() -> list[Path]:
    return sorted(HERE.glob("*.json"))


def load_vector(path: Path) -> dict[str, Any]:
    return json.loads(Path(path).read_text())


def replay(vector: dict[str, Any]) -> np.ndarray:
    """Run the numba kernels on one vector; float32[A, spec.size] to compare with vector['expected']."""
    from botsdk.sensors import Scene2D, Scene3D, cast_rays_2d, cast_rays_3d

    spec, scene, agents = spec_from_dict(vector["spec"]), vector["scene"], vector["agents"]
    owners = np.array([a["owner"] for a in agents], np.int32)
    if spec.pattern == "fan2d":
        world = Scene2D(np.array(scene["segments"], float).reshape(-1, 4), scene["segment_tags"])
        return cast_rays_2d(world, spec, np.array([a["position"] for a in agents], float),
                            np.array([a["heading"] for a in agents], float),
                            np.array(scene["circles"], float).reshape(-1, 3), scene["circle_tags"], owners)
    world = Scene3D(np.array(scene["boxes"], float).reshape(-1, 6), scene["box_tags"],
                    np.array(scene["spheres"], float).reshape(-1, 4), scene["sphere_tags"])
    return cast_rays_3d(world, spec, np.array([a["position"] for a in agents], float),
                        np.array([a["yaw"] for a in agents], float), np.array([a["pitch"] for a in agents], float),
                        owners)


def mismatches(vector: dict[str, Any], got: np.ndarray) -> list[str]:
    """Human-readable differences between `got` and the vector's expected encoding (empty when it conforms)."""
    spec = spec_from_dict(vector["spec"])
    width = spec.values_per_ray
    expected = np.array(vector["expected"], np.float64).reshape(len(vector["agents"]), spec.total_rays, width)
    got = np.asarray(got, np.float64).reshape(expected.shape)
    problems = []
    for a, r in np.ndindex(expected.shape[:2]):
        e, g = expected[a, r], got[a, r]
        if not np.array_equal(e[:-1], g[:-1]) or abs(e[-1] - g[-1]) > TOLERANCE:
            problems.append(f"{vector['name']}: agent {a} ray {r}: expected {e.tolist()}, got {g.tolist()}")
    return problems
