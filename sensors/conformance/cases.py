"""The conformance scenes: one per rule an engine must get right. Expected values come from botsdk.sensors.reference."""

from __future__ import annotations

import math
from typing import Any

from botsdk.sensors import reference
from botsdk.sensors.conformance import spec_from_dict

TAGS = ["wall", "teammate", "enemy"]
ARENA_TAGS = ["wall", "teammate", "enemy", "objective", "pickup"]
HALF_PI, PI = math.pi / 2, math.pi


def _fan(rays: int, fov: float, max_distance: float = 10.0, offset: tuple[float, float] = (0.0, 0.0),
         tags: list[str] = TAGS) -> dict:
    return {"pattern": "fan2d", "ray_count": rays, "fov_deg": fov, "max_distance": max_distance, "tags": tags,
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

    # headings where cos or sin rounds to 6e-17 instead of 0: the direction is snapped to the axis
    _case2d("heading_half_pi_wall_along_ray", "Heading +pi/2: the ray runs exactly along the wall x = 0 from y = 2 "
            "to 6 and hits it at its nearest point (the direction is (0, 1) exactly, not (6e-17, 1)).", _fan(1, 0.0),
            [_agent(0, 0, HALF_PI)], segments=[(0, 2, 0, 6), (-5, 8, 5, 8)], segment_tags=[1, 0]),
    _case2d("heading_pi_wall_along_ray", "Heading pi: the ray runs along y = 0 to the left and hits the collinear "
            "wall from x = -3 to -8 at 3.", _fan(1, 0.0), [_agent(0, 0, PI)], segments=[(-8, 0, -3, 0)],
            segment_tags=[2]),
    _case2d("heading_minus_half_pi_wall_along_ray", "Heading -pi/2: along x = 1 downwards onto a collinear wall.",
            _fan(1, 0.0), [_agent(1, 0, -HALF_PI)], segments=[(1, -1.5, 1, -9)], segment_tags=[0]),
    _case2d("heading_three_half_pi", "Heading 3pi/2 (same as -pi/2): the heading is not wrapped, the ray still "
            "points down onto the collinear wall.", _fan(1, 0.0), [_agent(0, 0, 3 * HALF_PI)],
            segments=[(0, -4, 0, -6)], segment_tags=[0]),
    _case2d("fan_rays_along_both_axes", "Heading pi/4 with 3 rays over 90 degrees: ray 0 points along +y, ray 2 "
            "along +x; each runs along a wall (x = 0 and y = 0) and hits it.", _fan(3, 90.0),
            [_agent(0, 0, math.pi / 4)], segments=[(0, 1, 0, 4), (2, 0, 7, 0), (-10, 9, 10, 9)],
            segment_tags=[1, 2, 0]),
    _case2d("heading_half_pi_perpendicular_wall", "Heading +pi/2 against an ordinary wall across the ray at y = 5.",
            _fan(3, 60.0), [_agent(0, 0, HALF_PI)], segments=[(-10, 5, 10, 5)], segment_tags=[0]),
    # circles: origin on the edge, zero radius, at exactly max range
    _case2d("origin_on_circle_edge_facing_away", "The origin lies exactly on another agent's circle and the ray "
            "points away from it: on the edge counts as inside, a hit at 0.", _fan(1, 0.0), [_agent(0, 0)],
            circles=[(-1, 0, 1)], circle_tags=[2]),
    _case2d("origin_on_circle_edge_tangent", "The origin is on the circle's edge and the rays go along the tangent "
            "and inwards: every ray hits at 0.", _fan(3, 180.0), [_agent(0, 0)], circles=[(0, -2, 2)],
            circle_tags=[1]),
    _case2d("zero_radius_circle_ignored", "A circle of radius 0 on the ray's line is ignored, like a zero-length "
            "segment: the ray hits the wall behind.", _fan(1, 0.0), [_agent(0, 0)], segments=[(8, -1, 8, 1)],
            segment_tags=[0], circles=[(4, 0, 0)], circle_tags=[2]),
    _case2d("zero_radius_circle_at_origin", "A zero-radius circle exactly at the origin is ignored too (it is not "
            "'inside').", _fan(2, 90.0), [_agent(0, 0)], circles=[(0, 0, 0), (3, 3, 1)], circle_tags=[2, 1]),
    _case2d("zero_length_segment_at_origin", "A zero-length segment at the origin is ignored.", _fan(1, 0.0),
            [_agent(2, 2)], segments=[(2, 2, 2, 2), (6, 0, 6, 4)], segment_tags=[2, 0]),
    _case2d("circle_at_exactly_max_distance", "The circle's near edge is exactly max_distance ahead: a hit at 1.0.",
            _fan(1, 0.0), [_agent(0, 0)], circles=[(11, 0, 1)], circle_tags=[2]),
    _case2d("circle_just_beyond_max_distance", "The near edge is 0.1% of max_distance beyond it: a miss (an engine "
            "that extends its query by a small epsilon must not report it).", _fan(1, 0.0), [_agent(0, 0)],
            circles=[(11.01, 0, 1)], circle_tags=[2]),
    _case2d("wall_just_beyond_max_distance", "A wall 0.1% beyond max_distance is a miss, never a hit clamped to "
            "1.0.", _fan(1, 0.0), [_agent(0, 0)], segments=[(10.01, -1, 10.01, 1)], segment_tags=[0]),
    _case2d("wall_just_inside_max_distance", "A wall 0.1% inside max_distance is a hit at 0.999.", _fan(1, 0.0),
            [_agent(0, 0)], segments=[(9.99, -1, 9.99, 1)], segment_tags=[0]),
    _case2d("segment_endpoint_at_max_distance", "A collinear wall that starts exactly at max_distance: a hit at 1.0.",
            _fan(1, 0.0), [_agent(0, 0)], segments=[(10, 0, 14, 0)], segment_tags=[0]),
    # ties and index order
    _case2d("tie_between_walls_lower_index", "Two walls crossing the ray at the same point: the lower index (tag "
            "teammate) wins over the later one (tag wall).", _fan(1, 0.0), [_agent(0, 0)],
            segments=[(5, -1, 5, 1), (5, -2, 5, 2)], segment_tags=[1, 0]),
    _case2d("tie_between_circles_lower_index", "Two circles touched at the same distance: the lower index wins.",
            _fan(1, 0.0), [_agent(0, 0)], circles=[(6, 0, 2), (6, 0, 2)], circle_tags=[2, 1]),
    _case2d("tie_circle_listed_before_wall", "A wall and a circle met at the same distance along a ray that crosses "
            "the wall at the circle's near edge: walls win ties, whatever the indices.", _fan(1, 0.0), [_agent(0, 0)],
            segments=[(3, -5, 3, 5)], segment_tags=[0], circles=[(4, 0, 1)], circle_tags=[1]),
    _case2d("corner_shared_by_two_walls", "The ray passes exactly through a corner where two walls meet: a tie, the "
            "lower index wins.", _fan(1, 0.0), [_agent(0, 0)], segments=[(5, 0, 5, 4), (5, 0, 9, -4)],
            segment_tags=[2, 0]),
    _case2d("origin_on_wall_across_ray", "The origin lies on a wall that crosses the ray: a hit at 0.",
            _fan(1, 0.0), [_agent(2, 0)], segments=[(2, -1, 2, 1)], segment_tags=[0]),
    _case2d("origin_on_wall_endpoint", "The origin is a wall's endpoint: a hit at 0 for every ray.",
            _fan(3, 120.0), [_agent(0, 0)], segments=[(0, 0, -3, -3)], segment_tags=[0]),
    _case2d("own_circle_in_a_tie", "The agent's own circle ties with an enemy's and is still ignored.",
            _fan(1, 0.0), [_agent(0, 0, owner=1)], circles=[(5, 0, 1), (0, 0, 0.5), (5, 0, 1)], circle_tags=[2, 1, 1]),
    _case2d("circle_behind_origin", "A circle entirely behind the origin is never hit.", _fan(1, 0.0),
            [_agent(0, 0)], circles=[(-3, 0, 1)], circle_tags=[2]),
    _case2d("wall_inside_a_circle", "A wall inside a circle: the circle's near edge comes first.", _fan(1, 0.0),
            [_agent(0, 0)], segments=[(5, -1, 5, 1)], segment_tags=[0], circles=[(5, 0, 2)], circle_tags=[2]),
    # patterns
    _case2d("two_rays", "R = 2: the rays sit at +fov/2 and -fov/2.", _fan(2, 90.0), [_agent(0, 0)],
            segments=[(-5, 5, 5, 5), (-5, -4, 5, -4)], segment_tags=[0, 0], circles=[], circle_tags=[]),
    _case2d("zero_fov_many_rays", "fov 0 with 3 rays: every ray points straight ahead.", _fan(3, 0.0),
            [_agent(0, 0)], segments=[(4, -1, 4, 1)], segment_tags=[2]),
    _case2d("offset_behind_and_right", "Negative offset (forward -1, left -0.5) at heading pi: origin (1, 0.5).",
            _fan(1, 0.0, offset=(-1.0, -0.5)), [_agent(0, 0, PI)], segments=[(-6, -3, -6, 3)], segment_tags=[0]),
    _case2d("arena_like_room", "The arena's ray fan (32 rays over 240 degrees, 30 units, 5 tags) in a room with a "
            "teammate, an enemy, the objective marker and a pickup.", _fan(32, 240.0, 30.0, tags=ARENA_TAGS),
            [_agent(0, 0, 0.3, 0), _agent(4, 6, -2.0, 1)],
            segments=[(-12, -9, 20, -9), (20, -9, 20, 11), (20, 11, -12, 11), (-12, 11, -12, -9), (6, -3, 6, 3)],
            segment_tags=[0, 0, 0, 0, 0], circles=[(0, 0, 0.5), (4, 6, 0.5), (10, 2, 0.5), (14, -5, 1.5),
                                                   (-6, 4, 0.4)],
            circle_tags=[1, 1, 2, 3, 4]),
]

def _one_ray_3d(max_distance: float = 10.0) -> dict:
    return _grid(1, 1, 0.0, 0.0, max_distance=max_distance)


def _grid(azimuths: int, elevations: int, azimuth_fov: float, elevation_fov: float, foveation: float = 0.0,
          max_distance: float = 10.0) -> dict:
    return {"pattern": "grid3d", "azimuth_count": azimuths, "elevation_count": elevations,
            "azimuth_fov_deg": azimuth_fov, "elevation_fov_deg": elevation_fov, "foveation": foveation,
            "max_distance": max_distance, "tags": TAGS, "offset": [0.0, 0.0, 0.0]}


def _agent3d(x: float, y: float, z: float, yaw: float = 0.0, pitch: float = 0.0, owner: int = -1) -> dict:
    return {"position": [x, y, z], "yaw": yaw, "pitch": pitch, "owner": owner}


def _case3d(name: str, description: str, spec: dict, agents: list[dict], boxes=(), box_tags=(), spheres=(),
            sphere_tags=()) -> dict[str, Any]:
    return {"name": name, "description": description, "spec": spec, "agents": agents,
            "scene": {"boxes": [list(map(float, b)) for b in boxes], "box_tags": list(box_tags),
                      "spheres": [list(map(float, q)) for q in spheres], "sphere_tags": list(sphere_tags)}}


CASES_3D = [
    {"name": "grid3d_foveated", "description": "A 5 x 3 azimuth-elevation grid (foveation 0.5), row-major from the "
     "top-left ray, against a box ahead and a sphere to the left; the agent's own sphere (owner 1) is ignored.",
     "spec": {"pattern": "grid3d", "azimuth_count": 5, "elevation_count": 3, "azimuth_fov_deg": 120.0,
              "elevation_fov_deg": 40.0, "foveation": 0.5, "max_distance": 20.0, "tags": TAGS,
              "offset": [0.0, 0.0, 1.5]},
     "agents": [{"position": [0.0, 0.0, 0.0], "yaw": 0.0, "pitch": 0.0, "owner": 1}],
     "scene": {"boxes": [[5.0, -2.0, 0.0, 6.0, 2.0, 3.0]], "box_tags": [0],
               "spheres": [[4.0, 6.0, 1.5, 1.0], [0.0, 0.0, 1.0, 0.6]], "sphere_tags": [2, 1]}},
    _case3d("grid3d_yaw_half_pi_along_box_face", "Yaw +pi/2: the ray runs exactly in the plane x = 0 of a box face "
            "and hits the box where it starts (touching counts; the direction is (0, 1, 0) exactly).",
            _one_ray_3d(), [_agent3d(0, 0, 1, HALF_PI)], boxes=[(0, 3, 0, 2, 5, 2)], box_tags=[0]),
    _case3d("grid3d_yaw_pi", "Yaw pi: straight back along -x onto a box.", _one_ray_3d(), [_agent3d(0, 0, 0, PI)],
            boxes=[(-7, -1, -1, -6, 1, 1)], box_tags=[2]),
    _case3d("grid3d_pitch_straight_up", "Pitch +pi/2: the ray goes straight up (0, 0, 1) into a ceiling box.",
            _one_ray_3d(), [_agent3d(0, 0, 0, 0.7, HALF_PI)], boxes=[(-1, -1, 4, 1, 1, 5)], box_tags=[0]),
    _case3d("grid3d_origin_inside_box", "An origin inside a box hits it at 0 on every ray.",
            _grid(3, 2, 90.0, 30.0), [_agent3d(0, 0, 0)], boxes=[(-1, -1, -1, 1, 1, 1)], box_tags=[0]),
    _case3d("grid3d_sphere_at_exactly_max_distance", "A sphere whose near surface is exactly max_distance ahead: "
            "a hit at 1.0.", _one_ray_3d(), [_agent3d(0, 0, 0)], spheres=[(11, 0, 0, 1)], sphere_tags=[2]),
    _case3d("grid3d_sphere_just_beyond_max_distance", "The near surface 0.1% beyond max_distance: a miss.",
            _one_ray_3d(), [_agent3d(0, 0, 0)], spheres=[(11.01, 0, 0, 1)], sphere_tags=[2]),
    _case3d("grid3d_zero_radius_sphere_ignored", "A zero-radius sphere on the ray is ignored: the box behind is hit.",
            _one_ray_3d(), [_agent3d(0, 0, 0)], boxes=[(6, -1, -1, 7, 1, 1)], box_tags=[0],
            spheres=[(3, 0, 0, 0.0)], sphere_tags=[2]),
    _case3d("grid3d_box_ties_sphere", "A box face and a sphere touched at the same distance: the box wins.",
            _one_ray_3d(), [_agent3d(0, 0, 0)], boxes=[(4, -1, -1, 5, 1, 1)], box_tags=[0],
            spheres=[(5, 0, 0, 1)], sphere_tags=[2]),
    _case3d("grid3d_box_just_beyond_max_distance", "A box 0.1% beyond max_distance is a miss.", _one_ray_3d(),
            [_agent3d(0, 0, 0)], boxes=[(10.01, -1, -1, 12, 1, 1)], box_tags=[0]),
    _case3d("grid3d_full_grid_two_agents", "A 6 x 3 grid over 360 x 60 degrees without foveation, two agents with "
            "their own spheres, in a closed room.", _grid(6, 3, 360.0, 60.0, max_distance=12.0),
            [_agent3d(0, 0, 1, 0.4, 0.0, 0), _agent3d(3, 2, 1, -2.5, 0.1, 1)],
            boxes=[(-6, -6, -1, 6, -5, 4), (-6, 5, -1, 6, 6, 4), (-6, -6, -1, -5, 6, 4), (5, -6, -1, 6, 6, 4),
                   (-6, -6, -1, 6, 6, 0)], box_tags=[0, 0, 0, 0, 0],
            spheres=[(0, 0, 1, 0.5), (3, 2, 1, 0.5), (-2, 3, 1, 0.5)], sphere_tags=[1, 2, 2]),
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
