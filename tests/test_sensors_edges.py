"""Edge cases with values worked out by hand, through the batched kernel and the reference alike."""

import math

import numpy as np
import pytest

from botsdk.contract import RaySensorSpec
from botsdk.sensors import Scene2D, Scene3D, cast_rays_2d, cast_rays_3d
from botsdk.sensors import reference

TAGS = ("wall", "teammate", "enemy")
WALL, MATE, ENEMY = 0, 1, 2


def one_ray(max_distance: float = 10.0) -> RaySensorSpec:
    return RaySensorSpec("fan2d", max_distance, TAGS, ray_count=1, fov_deg=0.0)


def cast(segments, segment_tags, circles=(), circle_tags=(), origin=(0.0, 0.0), heading=0.0, owner=-1,
         spec=None) -> np.ndarray:
    """Kernel output for one agent; also checks the reference says exactly the same."""
    spec = spec or one_ray()
    segs = np.array(segments, float).reshape(-1, 4)
    circs = np.array(circles, float).reshape(-1, 3)
    got = cast_rays_2d(Scene2D(segs, segment_tags), spec, np.array([origin], float), np.array([heading]),
                       circs, circle_tags, np.array([owner]))[0]
    want = reference.cast_rays_2d(spec, segs.tolist(), list(segment_tags), [origin], [heading], circs.tolist(),
                                  list(circle_tags), [owner])[0]
    np.testing.assert_allclose(got, want, atol=1e-6)
    return got


def encoding(tag: int | None, distance: float = 1.0) -> list[float]:
    if tag is None:
        return [0.0, 0.0, 0.0, 0.0, 1.0]
    return [float(tag == i) for i in range(3)] + [1.0, distance]


def test_miss_is_zero_tags_no_hit_distance_one():
    np.testing.assert_array_equal(cast([(20, -1, 20, 1)], [WALL]), encoding(None))


def test_hit_exactly_at_max_distance_counts():
    np.testing.assert_array_equal(cast([(10, -1, 10, 1)], [WALL]), encoding(WALL, 1.0))
    np.testing.assert_array_equal(cast([(10.000001, -1, 10.000001, 1)], [WALL]), encoding(None))


@pytest.mark.parametrize("segment", [(5, 0, 5, 3), (5, -3, 5, 0), (5, 3, 5, 0), (3, 3, 7, -3)])
def test_segment_endpoints_and_interior_points_are_hit(segment):
    got = cast([segment], [WALL])
    assert got[3] == 1.0 and got[4] == pytest.approx(0.5)


def test_ray_just_past_an_endpoint_misses():
    np.testing.assert_array_equal(cast([(5, 1e-9, 5, 3)], [WALL]), encoding(None))


def test_collinear_segment_hit_at_its_nearest_point():
    np.testing.assert_allclose(cast([(6, 0, 2, 0)], [WALL]), encoding(WALL, 0.2))
    np.testing.assert_allclose(cast([(6, 0, 2, 0)], [WALL], origin=(3.0, 0.0)), encoding(WALL, 0.0))
    np.testing.assert_array_equal(cast([(-6, 0, -2, 0)], [WALL]), encoding(None))  # behind


def test_parallel_segment_off_the_line_is_not_hit():
    np.testing.assert_array_equal(cast([(1, 0.5, 8, 0.5), (1, -0.5, 8, -0.5)], [WALL, WALL]), encoding(None))


def test_grazing_a_circle_is_a_hit_at_the_tangent_point():
    np.testing.assert_allclose(cast([], [], [(5, 1, 1)], [ENEMY]), encoding(ENEMY, 0.5))
    np.testing.assert_array_equal(cast([], [], [(5, 1.000001, 1)], [ENEMY]), encoding(None))


def test_origin_inside_another_circle_hits_it_at_zero():
    spec = RaySensorSpec("fan2d", 10.0, TAGS, ray_count=5, fov_deg=360.0)
    got = cast([(3, -5, 3, 5)], [WALL], [(0, 0, 0.5), (0.3, 0.1, 1.0)], [MATE, ENEMY], owner=0, spec=spec)
    np.testing.assert_array_equal(got.reshape(5, 5), [encoding(ENEMY, 0.0)] * 5)


def test_origin_on_a_circle_boundary_hits_it_at_zero():
    np.testing.assert_array_equal(cast([], [], [(-1, 0, 1)], [ENEMY]), encoding(ENEMY, 0.0))


def test_own_circle_is_never_hit():
    got = cast([], [], [(0, 0, 0.5), (4, 0, 1)], [MATE, ENEMY], owner=0)
    np.testing.assert_allclose(got, encoding(ENEMY, 0.3))
    np.testing.assert_allclose(cast([], [], [(0, 0, 0.5), (4, 0, 1)], [MATE, ENEMY], owner=-1), encoding(MATE, 0.0))


def test_zero_length_segments_are_ignored():
    np.testing.assert_allclose(cast([(3, 0, 3, 0), (7, -1, 7, 1)], [MATE, WALL]), encoding(WALL, 0.7))


def test_ties_go_to_walls_then_lower_index():
    np.testing.assert_allclose(cast([(4, -1, 4, 1)], [WALL], [(5, 0, 1)], [ENEMY]), encoding(WALL, 0.4))
    np.testing.assert_allclose(cast([], [], [(5, 0, 1), (5, 0, 1)], [ENEMY, MATE]), encoding(ENEMY, 0.4))
    np.testing.assert_allclose(cast([(4, -1, 4, 1), (4, -2, 4, 2)], [MATE, WALL]), encoding(MATE, 0.4))


def test_nearest_of_several_hits_wins_across_grid_cells():
    segments = [(9, -1, 9, 1), (2.5, -1, 2.5, 1), (6, -1, 6, 1)]
    np.testing.assert_allclose(cast(segments, [WALL, MATE, ENEMY]), encoding(MATE, 0.25))


def test_offset_is_forward_left_rotated_by_heading():
    spec = RaySensorSpec("fan2d", 10.0, TAGS, ray_count=1, fov_deg=0.0, offset=(1.0, 2.0))
    # heading +90 deg: forward is +y, left is -x -> origin (-2, 1); the ray goes up to the wall at y = 5.
    got = cast([(-3, 5, -1, 5), (-1, 5, 3, 5)], [ENEMY, WALL], heading=math.pi / 2, spec=spec)
    np.testing.assert_allclose(got, encoding(ENEMY, 0.4), atol=1e-6)


def test_3d_origin_inside_box_tangent_sphere_and_max_distance():
    spec = RaySensorSpec("grid3d", 10.0, TAGS, azimuth_count=1, elevation_count=1, azimuth_fov_deg=0.0,
                         elevation_fov_deg=0.0, offset=(0.0, 0.0, 0.0))
    cases = [  # (boxes, spheres, expected)
        ([(-1, -1, -1, 1, 1, 1)], [], encoding(WALL, 0.0)),
        ([], [(5, 0, 1, 1)], encoding(ENEMY, 0.5)),
        ([(10, -1, -1, 11, 1, 1)], [], encoding(WALL, 1.0)),
        ([(4, -1, -1, 5, 1, 1)], [(5, 0, 0, 1)], encoding(WALL, 0.4)),
    ]
    for boxes, spheres, want in cases:
        scene = Scene3D(np.array(boxes, float).reshape(-1, 6), [WALL] * len(boxes),
                        np.array(spheres, float).reshape(-1, 4), [ENEMY] * len(spheres))
        got = cast_rays_3d(scene, spec, np.zeros((1, 3)), np.zeros(1), np.zeros(1), np.array([-1]))
        np.testing.assert_allclose(got[0], want, atol=1e-6)


def test_zero_radius_circles_are_ignored_like_zero_length_segments():
    np.testing.assert_allclose(cast([(8, -1, 8, 1)], [WALL], [(4, 0, 0)], [ENEMY]), encoding(WALL, 0.8))
    np.testing.assert_array_equal(cast([], [], [(0, 0, 0)], [ENEMY]), encoding(None))  # not "inside" at the origin
    np.testing.assert_allclose(cast([], [], [(4, 0, 0), (4, 0, 1e-9)], [ENEMY, MATE]), encoding(MATE, 0.4), atol=1e-9)


@pytest.mark.parametrize("heading, wall, distance", [
    (math.pi / 2, (0, 3, 0, 7), 0.3), (math.pi, (-2, 0, -9, 0), 0.2), (-math.pi / 2, (0, -4, 0, -5), 0.4),
    (3 * math.pi / 2, (0, -4, 0, -5), 0.4), (2 * math.pi, (5, 0, 6, 0), 0.5)])
def test_axis_headings_hit_the_wall_they_run_along(heading, wall, distance):
    room = [(-20, -20, 20, -20), (20, -20, 20, 20), (20, 20, -20, 20), (-20, 20, -20, -20)]  # many grid cells
    got = cast([wall] + room, [ENEMY] + [WALL] * 4, heading=heading)
    np.testing.assert_allclose(got, encoding(ENEMY, distance), atol=1e-12)


def test_3d_axis_directions_and_zero_radius_spheres():
    spec = RaySensorSpec("grid3d", 10.0, TAGS, azimuth_count=1, elevation_count=1, azimuth_fov_deg=0.0,
                         elevation_fov_deg=0.0, offset=(0.0, 0.0, 0.0))
    scene = Scene3D(np.array([(0, 3, 0, 2, 5, 2)], float), [WALL], np.array([(0, 1, 0, 0.0)], float), [ENEMY])
    got = cast_rays_3d(scene, spec, np.zeros((1, 3)), np.array([math.pi / 2]), np.zeros(1), np.array([-1]))
    np.testing.assert_allclose(got[0], encoding(WALL, 0.3), atol=1e-12)  # along the face x = 0; the point is ignored
