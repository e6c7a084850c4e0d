"""Agents are cast in spatial order (botsdk.sensors._order) and rays start at the origin's cell without clipping when the
origin lies on the grid: neither may show in the result."""

import numpy as np
import pytest

from botsdk.contract import RaySensorSpec
from botsdk.sensors import Scene2D, cast_rays_2d, reference
from botsdk.sensors._order import BLOCK_CELLS, spatial_order

TAGS = ("wall", "teammate", "enemy")


def test_spatial_order_is_a_permutation_grouping_agents_by_block():
    rng = np.random.default_rng(1)
    px, py = rng.uniform(0, 40, 500), rng.uniform(0, 40, 500)
    order = spatial_order(px, py, 0.0, 0.0, 2.0, 20, 20)
    assert order.dtype == np.int32 and sorted(order.tolist()) == list(range(500))
    size = 2.0 * BLOCK_CELLS
    block = (py[order] // size) * 100 + px[order] // size
    changes = np.count_nonzero(np.diff(block))
    assert changes == len(np.unique(block)) - 1  # each block's agents come together, once


def test_spatial_order_keeps_agents_off_the_grid_and_at_huge_coordinates():
    px = np.array([-1e300, 1e300, 5.0, np.nextafter(0.0, -1.0), 40.0])
    py = np.array([3.0, -1e300, 1e300, 0.0, 40.0])
    order = spatial_order(px, py, 0.0, 0.0, 2.0, 20, 20)
    assert sorted(order.tolist()) == [0, 1, 2, 3, 4]


def test_shuffled_agents_get_the_same_rows():
    rng = np.random.default_rng(4)
    segments = np.hstack([rng.uniform(0, 50, (80, 2)), rng.uniform(0, 50, (80, 2))])
    circles = np.hstack([rng.uniform(0, 50, (400, 2)), np.full((400, 1), 0.5)])
    spec = RaySensorSpec("fan2d", 25.0, TAGS, ray_count=32, fov_deg=240.0)
    scene = Scene2D(segments, np.zeros(80, np.int32))
    heads, tags, owners = rng.uniform(-4, 4, 400), rng.integers(1, 3, 400), np.arange(400)
    base = cast_rays_2d(scene, spec, circles[:, :2], heads, circles, tags, owners)
    perm = rng.permutation(400)
    shuffled = cast_rays_2d(scene, spec, circles[perm, :2], heads[perm], circles, tags, owners[perm])
    np.testing.assert_array_equal(shuffled, base[perm])


@pytest.mark.parametrize("corner", [(0.0, 0.0), (12.0, 10.0), (0.0, 10.0), (12.0, 0.0), (6.0, 10.0), (12.0, 4.0)])
def test_rays_from_the_grid_edges_and_corners_match_the_reference(corner):
    """The grid spans exactly the walls' box (0..12, 0..10): origins on its edges start in an edge cell, and rays
    leaving the grid at once, or running along its edge, see what the reference sees."""
    segments = np.array([[0, 0, 12, 0], [12, 0, 12, 10], [12, 10, 0, 10], [0, 10, 0, 0], [3, 2, 9, 8],
                         [6, 0, 6, 3], [0, 5, 4, 5]], float)
    circles = np.array([[2.0, 2.0, 0.7], [10.0, 8.0, 1.0], [6.0, 10.0, 0.5], [13.0, 5.0, 1.5]])
    spec = RaySensorSpec("fan2d", 20.0, TAGS, ray_count=24, fov_deg=360.0)
    origins, heads, owners = np.array([corner] * 3), np.array([0.0, 0.3, -2.0]), np.array([-1, 0, 3])
    tags, seg_tags = np.array([1, 2, 1, 2]), np.zeros(7, np.int64)
    for cell in (1.0, 2.0, 5.0):
        got = cast_rays_2d(Scene2D(segments, seg_tags, cell_size=cell), spec, origins, heads, circles, tags, owners)
        want = reference.cast_rays_2d(spec, segments.tolist(), seg_tags.tolist(), origins.tolist(), heads.tolist(),
                                      circles.tolist(), tags.tolist(), owners.tolist())
        np.testing.assert_allclose(got, np.asarray(want, np.float32), atol=1e-6)
