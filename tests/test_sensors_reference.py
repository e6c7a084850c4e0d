"""The numba kernels agree with the brute-force pure-Python reference on random scenes."""

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from botsdk.contract import RaySensorSpec
from botsdk.sensors import Scene2D, Scene3D, cast_rays_2d, cast_rays_3d
from botsdk.sensors import reference

TAGS = ("wall", "teammate", "enemy", "pickup")
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_same_encoding(got: np.ndarray, want: np.ndarray, n_tags: int) -> None:
    """Same tag one-hot and hit flag on every ray, distance/max_distance within 1e-4."""
    got = got.reshape(got.shape[0], -1, n_tags + 2)
    want = np.asarray(want, np.float64).reshape(got.shape)
    np.testing.assert_array_equal(got[..., :-1], want[..., :-1])
    np.testing.assert_allclose(got[..., -1], want[..., -1], atol=1e-4, rtol=0)


def _coords(rng: np.random.Generator, snapped: bool, shape: tuple[int, ...], lo: float, hi: float) -> np.ndarray:
    """Integer coordinates (exact ties, endpoints, collinear walls) or continuous ones."""
    return rng.integers(int(lo), int(hi) + 1, shape).astype(float) if snapped else rng.uniform(lo, hi, shape)


@st.composite
def scenes_2d(draw):
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    snapped = draw(st.booleans())
    n_seg, n_cir, n_agents = draw(st.integers(0, 60)), draw(st.integers(0, 30)), draw(st.integers(1, 4))
    start = _coords(rng, snapped, (n_seg, 2), -12, 12)
    end = np.where(rng.random((n_seg, 1)) < 0.1, start, start + _coords(rng, snapped, (n_seg, 2), -6, 6))
    circles = np.hstack([_coords(rng, snapped, (n_cir, 2), -12, 12), rng.choice([0.5, 1.0, 1.7], (n_cir, 1))])
    origins = _coords(rng, snapped, (n_agents, 2), -12, 12)
    headings = np.where(rng.random(n_agents) < 0.3, 0.0, rng.uniform(-7, 7, n_agents))
    owners = rng.integers(-1, n_cir, n_agents) if n_cir else np.full(n_agents, -1)
    spec = RaySensorSpec("fan2d", float(draw(st.sampled_from([1.0, 5.0, 12.5, 30.0]))), TAGS,
                         ray_count=draw(st.integers(1, 24)), fov_deg=draw(st.sampled_from([0.0, 90.0, 240.0, 360.0])),
                         offset=(float(rng.uniform(-1, 1)), float(rng.uniform(-1, 1))) if rng.random() < 0.5
                         else (0.0, 0.0))
    return dict(segments=np.hstack([start, end]), segment_tags=rng.integers(0, 4, n_seg), circles=circles,
                circle_tags=rng.integers(0, 4, n_cir), origins=origins, headings=headings, owners=owners,
                spec=spec, cell=float(draw(st.sampled_from([0.7, 2.0, 5.0]))))


@SETTINGS
@given(scenes_2d())
def test_2d_kernel_matches_reference(s):
    scene = Scene2D(s["segments"], s["segment_tags"], cell_size=s["cell"])
    got = cast_rays_2d(scene, s["spec"], s["origins"], s["headings"], s["circles"], s["circle_tags"], s["owners"])
    want = reference.cast_rays_2d(s["spec"], s["segments"].tolist(), s["segment_tags"].tolist(),
                                  s["origins"].tolist(), s["headings"].tolist(), s["circles"].tolist(),
                                  s["circle_tags"].tolist(), s["owners"].tolist())
    assert_same_encoding(got, want, len(TAGS))


@SETTINGS
@given(scenes_2d())
def test_2d_circles_outside_the_grid_are_still_seen(s):
    """The walls' grid covers a tiny box, so every circle is tested outside the grid."""
    tiny = Scene2D(s["segments"][:1], s["segment_tags"][:1], cell_size=s["cell"])
    got = cast_rays_2d(tiny, s["spec"], s["origins"], s["headings"], s["circles"], s["circle_tags"], s["owners"])
    want = reference.cast_rays_2d(s["spec"], s["segments"][:1].tolist(), s["segment_tags"][:1].tolist(),
                                  s["origins"].tolist(), s["headings"].tolist(), s["circles"].tolist(),
                                  s["circle_tags"].tolist(), s["owners"].tolist())
    assert_same_encoding(got, want, len(TAGS))


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 5), st.integers(1, 4), st.sampled_from([0.0, 0.4, 0.8]))
def test_3d_kernel_matches_reference(seed, n_az, n_el, foveation):
    rng = np.random.default_rng(seed)
    lo = rng.uniform(-8, 8, (6, 3))
    boxes = np.hstack([lo, lo + rng.uniform(0, 4, (6, 3))])
    spheres = np.hstack([rng.uniform(-8, 8, (5, 3)), rng.uniform(0.3, 2, (5, 1))])
    spec = RaySensorSpec("grid3d", 15.0, TAGS, azimuth_count=n_az, elevation_count=n_el, azimuth_fov_deg=120.0,
                         elevation_fov_deg=60.0, foveation=foveation, offset=(0.2, 0.0, 1.0))
    origins, yaw, pitch = rng.uniform(-8, 8, (3, 3)), rng.uniform(-4, 4, 3), rng.uniform(-0.5, 0.5, 3)
    owners = rng.integers(-1, 5, 3)
    box_tags, sphere_tags = rng.integers(0, 4, 6), rng.integers(0, 4, 5)
    got = cast_rays_3d(Scene3D(boxes, box_tags, spheres, sphere_tags), spec, origins, yaw, pitch, owners)
    want = reference.cast_rays_3d(spec, boxes.tolist(), box_tags.tolist(), spheres.tolist(), sphere_tags.tolist(),
                                  origins.tolist(), yaw.tolist(), pitch.tolist(), owners.tolist())
    assert_same_encoding(got, want, len(TAGS))


def test_dense_scene_matches_reference():
    """Hundreds of walls and circles: hits beyond a cell's edge compete with nearer ones in the next cells."""
    rng = np.random.default_rng(11)
    start = rng.uniform(0, 30, (300, 2))
    segments = np.hstack([start, start + rng.uniform(-3, 3, (300, 2))])
    circles = np.hstack([rng.uniform(0, 30, (120, 2)), rng.uniform(0.2, 1.5, (120, 1))])
    spec = RaySensorSpec("fan2d", 12.0, TAGS, ray_count=32, fov_deg=270.0)
    seg_tags, cir_tags = rng.integers(0, 4, 300), rng.integers(0, 4, 120)
    origins, heads, owners = circles[:20, :2], rng.uniform(-4, 4, 20), np.arange(20)
    for cell in (0.5, 1.5, 4.0):
        got = cast_rays_2d(Scene2D(segments, seg_tags, cell_size=cell), spec, origins, heads, circles, cir_tags,
                           owners)
        want = reference.cast_rays_2d(spec, segments.tolist(), seg_tags.tolist(), origins.tolist(), heads.tolist(),
                                      circles.tolist(), cir_tags.tolist(), owners.tolist())
        assert_same_encoding(got, want, len(TAGS))


def test_batched_call_equals_one_agent_at_a_time():
    rng = np.random.default_rng(3)
    segments = np.hstack([rng.uniform(0, 40, (60, 2)), rng.uniform(0, 40, (60, 2))])
    circles = np.hstack([rng.uniform(0, 40, (30, 2)), np.full((30, 1), 0.5)])
    spec = RaySensorSpec("fan2d", 30.0, TAGS, ray_count=32, fov_deg=240.0)
    scene = Scene2D(segments, np.zeros(60, np.int32))
    tags, heads, owners = rng.integers(1, 3, 30), rng.uniform(-math.pi, math.pi, 30), np.arange(30)
    batch = cast_rays_2d(scene, spec, circles[:, :2], heads, circles, tags, owners)
    for a in range(30):
        one = cast_rays_2d(scene, spec, circles[a:a + 1, :2], heads[a:a + 1], circles, tags, owners[a:a + 1])
        np.testing.assert_array_equal(one[0], batch[a])


def test_circles_move_between_calls_on_one_scene():
    """Circles are re-binned on every call (into reused, uncleared memory): stale cells must never leak."""
    rng = np.random.default_rng(5)
    segments = np.hstack([rng.uniform(0, 20, (40, 2)), rng.uniform(0, 20, (40, 2))])
    scene = Scene2D(segments, np.zeros(40, np.int32), cell_size=1.0)
    spec = RaySensorSpec("fan2d", 10.0, TAGS, ray_count=16, fov_deg=360.0)
    for step in range(20):
        n = int(rng.integers(0, 25))
        circles = np.hstack([rng.uniform(0, 20, (n, 2)), rng.uniform(0.1, 1.0, (n, 1))])
        tags, origins, heads = rng.integers(1, 4, n), rng.uniform(0, 20, (3, 2)), rng.uniform(-4, 4, 3)
        owners = np.full(3, -1)
        got = cast_rays_2d(scene, spec, origins, heads, circles, tags, owners)
        want = reference.cast_rays_2d(spec, segments.tolist(), [0] * 40, origins.tolist(), heads.tolist(),
                                      circles.tolist(), tags.tolist(), owners.tolist())
        assert_same_encoding(got, want, len(TAGS))


def test_threaded_batches_equal_the_single_thread_result():
    import numba

    rng = np.random.default_rng(8)
    segments = np.hstack([rng.uniform(0, 60, (150, 2)), rng.uniform(0, 60, (150, 2))])
    circles = np.hstack([rng.uniform(0, 60, (300, 2)), np.full((300, 1), 0.5)])
    spec = RaySensorSpec("fan2d", 30.0, TAGS, ray_count=32, fov_deg=240.0)
    scene = Scene2D(segments, np.zeros(150, np.int32))
    args = (circles[:, :2], rng.uniform(-4, 4, 300), circles, rng.integers(1, 3, 300), np.arange(300))
    threaded = cast_rays_2d(scene, spec, *args)
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        single = cast_rays_2d(scene, spec, *args)
    finally:
        numba.set_num_threads(threads)
    np.testing.assert_array_equal(threaded, single)
