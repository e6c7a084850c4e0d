"""Well-formed per-call arrays take one compiled check (sensors._inputs2d); a bad value in them must still get the
named error of the full checks, whichever value is bad."""

import numpy as np
import pytest

from botsdk.contract import ContractError, RaySensorSpec
from botsdk.sensors import Scene2D, cast_rays_2d
from botsdk.sensors._inputs2d import values_ok, well_formed

SPEC = RaySensorSpec("fan2d", 10.0, ("wall", "agent"), ray_count=4, fov_deg=90.0)
SCENE = Scene2D(np.array([[0.0, 0.0, 10.0, 0.0]]), np.zeros(1, np.int32))


def _inputs() -> dict[str, np.ndarray]:
    circles = np.array([[2.0, 2.0, 0.5], [5.0, 5.0, 0.5]])
    return {"origins": circles[:, :2].copy(), "headings": np.zeros(2), "circles": circles,
            "circle_tags": np.ones(2, np.int32), "owners": np.arange(2, dtype=np.int32)}


@pytest.mark.parametrize("name, index, value, error, match", [
    ("origins", (1, 0), np.nan, ValueError, "origins: expected finite numbers"),
    ("headings", 0, np.inf, ValueError, "headings: expected finite numbers"),
    ("circles", (0, 1), -np.inf, ValueError, "circles: expected finite numbers"),
    ("circles", (1, 2), -0.5, ValueError, r"circles: expected radius >= 0, got -0.5"),
    ("owners", 1, 2, ValueError, r"owners: expected -1 or a circle index in \[0, 2\), got 0..2"),
    ("owners", 0, -2, ValueError, r"owners: expected -1 or a circle index in \[0, 2\), got -2..1"),
    ("circle_tags", 0, -1, ValueError, "circle_tags: expected tag indices >= 0, got -1"),
    ("circle_tags", 1, 2, ContractError, r"tag indices in \[0, 2\)"),
])
def test_bad_value_in_well_formed_arrays_is_named(name, index, value, error, match):
    inputs = _inputs()
    assert well_formed(**inputs) and values_ok(*inputs.values(), SCENE.segment_tags, 2)
    inputs[name][index] = value
    assert well_formed(**inputs) and not values_ok(*inputs.values(), SCENE.segment_tags, 2)
    with pytest.raises(error, match=match):
        cast_rays_2d(SCENE, SPEC, **inputs)


def test_other_dtypes_and_layouts_take_the_full_checks_and_cast_alike():
    inputs = _inputs()
    expected = cast_rays_2d(SCENE, SPEC, **inputs)
    loose = {**inputs, "owners": inputs["owners"].astype(np.int64), "origins": np.asfortranarray(inputs["origins"])}
    assert not well_formed(**loose)
    np.testing.assert_array_equal(cast_rays_2d(SCENE, SPEC, **loose), expected)
