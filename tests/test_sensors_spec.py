"""Spec checks, ray order, 3D grid layout, frame stacking, input errors."""

import math

import numpy as np
import pytest

from botsdk.arena.contract import arena_contract
from botsdk.contract import ContractError, RaySensorSpec
from botsdk.sensors import FrameStack, Scene2D, cast_rays_2d, grid_angles, ray_angles, validate_spec

TAGS = ("wall", "enemy")


def fan(**changes) -> RaySensorSpec:
    fields = dict(pattern="fan2d", max_distance=10.0, tags=TAGS, ray_count=8, fov_deg=90.0)
    return RaySensorSpec(**{**fields, **changes})


@pytest.mark.parametrize("changes, field, received", [
    ({"ray_count": 0}, "rays.ray_count", "0"),
    ({"fov_deg": 361.0}, "rays.fov_deg", "361.0"),
    ({"fov_deg": -1.0}, "rays.fov_deg", "-1.0"),
    ({"max_distance": 0.0}, "rays.max_distance", "0.0"),
    ({"max_distance": -3.0}, "rays.max_distance", "-3.0"),
    ({"max_distance": math.inf}, "rays.max_distance", "inf"),
    ({"tags": ("wall", "wall")}, "rays.tags", "duplicate tag 'wall'"),
    ({"tags": ()}, "rays.tags", "[]"),
    ({"pattern": "cone"}, "rays.pattern", "cone"),
    ({"pattern": "grid3d", "azimuth_count": 3, "elevation_count": 2, "azimuth_fov_deg": 90.0,
      "elevation_fov_deg": 30.0, "foveation": 1.0}, "rays.foveation", "1.0"),
])
def test_invalid_specs_name_field_expected_and_received(changes, field, received):
    with pytest.raises(ContractError) as err:
        validate_spec(fan(**changes))
    assert err.value.field == field and received in str(err.value) and "expected" in str(err.value)


def test_cast_rejects_invalid_spec_and_out_of_range_tags():
    scene = Scene2D(np.array([[1.0, -1, 1, 1]]), [5])
    args = (np.zeros((1, 2)), np.zeros(1), np.zeros((0, 3)), [], np.array([-1]))
    with pytest.raises(ContractError, match="rays.ray_count"):
        cast_rays_2d(scene, fan(ray_count=0), *args)
    with pytest.raises(ContractError, match=r"tag indices in \[0, 2\).*got 5"):
        cast_rays_2d(scene, fan(), *args)


def test_cast_rejects_bad_shapes_and_owners():
    scene = Scene2D(np.zeros((0, 4)), [])
    with pytest.raises(ValueError, match=r"origins: expected shape \(N, 2\), got \(3,\)"):
        cast_rays_2d(scene, fan(), np.zeros(3), np.zeros(1), np.zeros((0, 3)), [], [-1])
    with pytest.raises(ValueError, match="owners: expected -1 or a circle index in"):
        cast_rays_2d(scene, fan(), np.zeros((1, 2)), np.zeros(1), np.zeros((1, 3)), [0], [1])
    with pytest.raises(ValueError, match="out: expected float32"):
        cast_rays_2d(scene, fan(), np.zeros((1, 2)), np.zeros(1), np.zeros((0, 3)), [], [-1], np.zeros((1, 3)))


def test_fan_goes_left_to_right_and_a_single_ray_looks_ahead():
    np.testing.assert_allclose(np.degrees(ray_angles(fan(ray_count=3, fov_deg=90.0))), [45.0, 0.0, -45.0])
    np.testing.assert_array_equal(ray_angles(fan(ray_count=1, fov_deg=120.0)), [0.0])
    np.testing.assert_allclose(np.degrees(ray_angles(fan(ray_count=4, fov_deg=360.0))), [180.0, 90.0, 0.0, -90.0])
    angles = ray_angles(arena_contract().rays)
    assert len(angles) == 32 and np.all(np.diff(angles) < 0)
    assert math.degrees(angles[0]) == pytest.approx(120.0) and math.degrees(angles[-1]) == pytest.approx(-120.0)


def test_first_ray_sees_the_left_side():
    spec = fan(ray_count=3, fov_deg=180.0)
    scene = Scene2D(np.array([[-5.0, 4, 5, 4]]), [0])  # wall at y = +4: on the left of an agent facing +x
    out = cast_rays_2d(scene, spec, np.zeros((1, 2)), np.zeros(1), np.zeros((0, 3)), [], [-1]).reshape(3, 4)
    np.testing.assert_allclose(out[:, 2], [1.0, 0.0, 0.0])
    assert out[0, 3] == pytest.approx(0.4)


def test_grid3d_is_row_major_from_top_left_and_foveation_packs_the_centre():
    spec = RaySensorSpec("grid3d", 10.0, TAGS, azimuth_count=3, elevation_count=2, azimuth_fov_deg=90.0,
                         elevation_fov_deg=40.0)
    az, el = grid_angles(spec)
    np.testing.assert_allclose(np.degrees(az), [45, 0, -45, 45, 0, -45], atol=1e-12)
    np.testing.assert_allclose(np.degrees(el), [20, 20, 20, -20, -20, -20])
    fov = RaySensorSpec("grid3d", 10.0, TAGS, azimuth_count=5, elevation_count=1, azimuth_fov_deg=100.0,
                        elevation_fov_deg=0.0, foveation=0.5)
    np.testing.assert_allclose(np.degrees(grid_angles(fov)[0]), [50.0, 12.5, 0.0, -12.5, -50.0])


def test_frame_stack_is_oldest_first_and_starts_from_the_first_frame():
    stack = FrameStack(frame_size=2, stack=3, batch=2)
    first = stack.push(np.array([[1, 1], [5, 5]], np.float32)).copy()
    np.testing.assert_array_equal(first, [[1, 1, 1, 1, 1, 1], [5, 5, 5, 5, 5, 5]])
    stack.push(np.array([[2, 2], [6, 6]], np.float32))
    obs = stack.push(np.array([[3, 3], [7, 7]], np.float32))
    np.testing.assert_array_equal(obs, [[1, 1, 2, 2, 3, 3], [5, 5, 6, 6, 7, 7]])
    stack.reset([1])
    obs = stack.push(np.array([[4, 4], [9, 9]], np.float32))
    np.testing.assert_array_equal(obs, [[2, 2, 3, 3, 4, 4], [9, 9, 9, 9, 9, 9]])
    with pytest.raises(ValueError, match=r"expected shape \(2, 2\), got \(2, 3\)"):
        stack.push(np.zeros((2, 3)))


def test_arena_contract_ray_block_matches_the_kernel_output_size():
    contract = arena_contract()
    scene = Scene2D(np.zeros((0, 4)), [])
    out = cast_rays_2d(scene, contract.rays, np.zeros((2, 2)), np.zeros(2), np.zeros((0, 3)), [], [-1, -1])
    assert out.shape == (2, contract.block_slice("rays").stop - contract.block_slice("rays").start)


def test_scene_rejects_bad_cell_size_bounds_and_tags():
    with pytest.raises(ValueError, match="cell_size: expected a positive finite number, got 0"):
        Scene2D(np.zeros((1, 4)), [0], cell_size=0)
    with pytest.raises(ValueError, match=r"bounds: expected finite \(xmin, ymin, xmax, ymax\)"):
        Scene2D(np.zeros((1, 4)), [0], bounds=(5.0, 0.0, 1.0, 1.0))
    with pytest.raises(ValueError, match="segment_tags: expected 1 tags"):
        Scene2D(np.zeros((1, 4)), [0, 1])
    with pytest.raises(ValueError, match="segments: expected finite numbers"):
        Scene2D(np.array([[0.0, np.nan, 1.0, 1.0]]), [0])
