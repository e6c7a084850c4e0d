"""The conformance scenes: one per rule an engine must get right. Expected values come from botsdk.sensors.reference."""

from __future__ import annotations

import math
from typing import Any

from botsdk.sensors import reference
from botsdk.sensors.conformance import spec_from_dict

TAGS = ["wall", "teammate", "enemy"]


def _fan(rays: int, fov: float, max_distance: float = 10.0, offset: tuple[float, float] = (0.0, 0.0)) -> dict:
    return {"pattern": "fan2d", "ray_count": rays, "fov_deg": fov, "max_distance": max_distance, "tags": TAGS,
            "offset": list(offset)}


def _agent(x: float, y: float, heading: float = 0.0, owner: int = -1) -> dict:
    return {"position": [x, y], "heading": heading, "owner": owner}


def _case2d(name: str, description: str, spec: dict, agents: list[dict], segments=(), segment_tags=(),
            circles=(), circle_tags=()) -> dict[str, Any]:
    return {"name": name, "description": description, "spec": spec, "agents": agents,
            "scene": {"segments": [list(map(float, s)) for s in segments], "segment_tags": list(segment_tags),
                      "circles": [list(map(float, c)) for c in circles], "circle_tags": list(circle_tags)}}


CASES_2D = [
    _case2d("angle_order", "3 rays over 180 degrees: ray 0 points left (+90, CCW), ray 1 ahead, ray 2 right. Only a "
            "wall on the left (y = +4) and a teammate ahead exist.", _fan(3, 180.0),
            [_agent(0, 0)], segments=[(-5, 4, 5, 4)], segment_tags=[0], circles=[(6, 0, 1)], circle_tags=[1]),
    _case2d("heading_and_offset", "Heading +90 degrees (facing +y) with offset (forward 1, left 0.5): the origin is "
            "(-0.5, 1); the middle ray looks up +y.", _fan(3, 90.0, offset=(1.0, 0.5)),
            [_agent(0, 0, math.pi / 2)], segments=[(-10, 6, 10, 6)], segment_tags=[0], circles=[(-6, 1, 1)],
            circle_tags=[2]),
    _case2d("miss", "Nothing in range: every ray is tag zeros, hit 0, distance 1.", _fan(4, 120.0),
            [_agent(0, 0)], segments=[(20, -1, 20, 1)], segment_tags=[0]),
    _case2d("hit_at_max_distance", "A wall exactly max_distance ahead is a hit at normalised distance 1.0.",
            _fan(1, 0.0), [_agent(0, 0)], segments=[(10, -1, 10, 1)], segment_tags=[0]),
    _case2d("own_circle_ignored", "The agent stands in its own circle (owner 0): its rays pass through it and hit "
            "the enemy behind.", _fan(1, 0.0), [_agent(0, 0, owner=0)], circles=[(0, 0, 0.5), (4, 0, 1)],
            circle_tags=[1, 2]),
    _case2d("origin_inside_other_circle", "The origin lies inside another agent's circle: every ray hits it at "
            "distance 0.", _fan(3, 90.0), [_agent(0, 0, owner=0)], circles=[(0, 0, 0.5), (0.2, 0, 1)],
            circle_tags=[1, 2]),
    _case2d("segment_endpoint", "The ray passes exactly through a segment's endpoint: endpoints belong to the "
            "segment.", _fan(1, 0.0), [_agent(0, 0)], segments=[(5, 0, 5, 3)], segment_tags=[0]),
    _case2d("collinear_segment", "A segment lying on the ray is hit at its nearest point; an origin on such a "
            "segment hits it at 0.", _fan(1, 0.0), [_agent(0, 0), _agent(3, 0)], segments=[(2, 0, 6, 0)],
            segment_tags=[0]),
    _case2d("parallel_segment", "A segment parallel to the ray but off its line is never hit.", _fan(1, 0.0),
            [_agent(0, 0)], segments=[(1, 0.5, 8, 0.5)], segment_tags=[0]),
    _case2d("grazing_circle", "A ray tangent to a circle hits it at the touching point.", _fan(1, 0.0),
            [_agent(0, 0)], circles=[(5, 1, 1)], circle_tags=[2]),
    _case2d("zero_length_segment", "Zero-length segments are ignored: the ray hits the wall behind.", _fan(1, 0.0),
            [_agent(0, 0)], segments=[(3, 0, 3, 0), (7, -1, 7, 1)], segment_tags=[1, 0]),
    _case2d("tie_wall_before_circle", "A wall and a circle touched at the same distance: the wall wins (then the "
            "lower index).", _fan(1, 0.0), [_agent(0, 0)], segments=[(4, -1, 4, 1)], segment_tags=[0],
            circles=[(5, 0, 1)], circle_tags=[2]),
    _case2d("full_circle", "fov 360 with 4 rays: angles +180, +90, 0, -90 (the step is 360/R, no ray repeats).",
            _fan(4, 360.0), [_agent(0, 0)], segments=[(-3, -5, -3, 5), (-5, 2, 5, 2)], segment_tags=[0, 0],
            circles=[(4, 0, 1), (0, -6, 1)], circle_tags=[1, 2]),
    _case2d("many_agents", "Three agents at once, each ignoring its own circle.", _fan(5, 120.0, 8.0),
            [_agent(0, 0, 0.0, 0), _agent(3, 1, math.pi, 1), _agent(1, 4, -math.pi / 2, 2)],
            segments=[(-2, -2, 6, -2), (6, -2, 6, 6), (6, 6, -2, 6), (-2, 6, -2, -2), (2, 2, 4, 3)],
            segment_tags=[0, 0, 0, 0, 0], circles=[(0, 0, 0.5), (3, 1, 0.5), (1, 4, 0.5)], circle_tags=[1, 2, 2]),
]

CASES_3D = [
    {"name": "grid3d_foveated", "description": "A 5 x 3 azimuth-elevation grid (foveation 0.5), row-major from the "
     "top-left ray, against a box ahead and a sphere to the left; the agent's own sphere (owner 1) is ignored.",
     "spec": {"pattern": "grid3d", "azimuth_count": 5, "elevation_count": 3, "azimuth_fov_deg": 120.0,
              "elevation_fov_deg": 40.0, "foveation": 0.5, "max_distance": 20.0, "tags": TAGS,
              "offset": [0.0, 0.0, 1.5]},
     "agents": [{"position": [0.0, 0.0, 0.0], "yaw": 0.0, "pitch": 0.0, "owner": 1}],
     "scene": {"boxes": [[5.0, -2.0, 0.0, 6.0, 2.0, 3.0]], "box_tags": [0],
               "spheres": [[4.0, 6.0, 1.5, 1.0], [0.0, 0.0, 1.0, 0.6]], "sphere_tags": [2, 1]}},
]


def expected(case: dict[str, Any]) -> list[list[float]]:
    spec, scene, agents = spec_from_dict(case["spec"]), case["scene"], case["agents"]
    owners = [a["owner"] for a in agents]
    if spec.pattern == "fan2d":
        return reference.cast_rays_2d(spec, scene["segments"], scene["segment_tags"],
                                      [a["position"] for a in agents], [a["heading"] for a in agents],
                                      scene["circles"], scene["circle_tags"], owners)
    return reference.cast_rays_3d(spec, scene["boxes"], scene["box_tags"], scene["spheres"], scene["sphere_tags"],
                                  [a["position"] for a in agents], [a["yaw"] for a in agents],
                                  [a["pitch"] for a in agents], owners)
