"""The threaded path is fork-safe and gives the same result in a forked child."""

import multiprocessing as mp

import numpy as np
import pytest

from botsdk.contract import RaySensorSpec
from botsdk.sensors import Scene2D, cast_rays_2d

SPEC = RaySensorSpec("fan2d", 20.0, ("wall", "agent"), ray_count=32, fov_deg=240.0)


def _cast() -> np.ndarray:
    rng = np.random.default_rng(2)
    segments = np.hstack([rng.uniform(0, 50, (80, 2)), rng.uniform(0, 50, (80, 2))])
    circles = np.hstack([rng.uniform(0, 50, (256, 2)), np.full((256, 1), 0.5)])
    return cast_rays_2d(Scene2D(segments, np.zeros(80, np.int32)), SPEC, circles[:, :2], rng.uniform(-3, 3, 256),
                        circles, np.ones(256, np.int32), np.arange(256))


def _child(queue) -> None:
    queue.put(_cast().tobytes())


@pytest.mark.skipif("fork" not in mp.get_all_start_methods(), reason="needs fork")
def test_forked_child_after_parent_cast_works():
    parent = _cast()  # 256 agents x 32 rays: the multi-threaded path
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_child, args=(queue,))
    child.start()
    got = queue.get(timeout=30)  # before join: a child with unread queue data cannot exit
    child.join(30)
    assert child.exitcode == 0
    np.testing.assert_array_equal(np.frombuffer(got, np.float32).reshape(parent.shape), parent)


def test_concurrent_casts_on_one_scene_match_serial_casts():
    """Calls on one scene from several threads: one uses the scene's cell table, the others a copy; all must give
    what the same calls give one after another, and leave no circles behind in the table."""
    from concurrent.futures import ThreadPoolExecutor

    rng = np.random.default_rng(5)
    segments = np.hstack([rng.uniform(0, 40, (60, 2)), rng.uniform(0, 40, (60, 2))])
    scene = Scene2D(segments, np.zeros(60, np.int32))
    calls = []
    for _ in range(8):
        circles = np.hstack([rng.uniform(0, 40, (300, 2)), np.full((300, 1), 0.6)])
        calls.append((circles[:, :2], rng.uniform(-3, 3, 300), circles, np.ones(300, np.int32), np.arange(300)))
    serial = [cast_rays_2d(scene, SPEC, *c) for c in calls]
    with ThreadPoolExecutor(4) as pool:
        parallel = list(pool.map(lambda c: cast_rays_2d(scene, SPEC, *c), calls * 4))
    for i, got in enumerate(parallel):
        np.testing.assert_array_equal(got, serial[i % len(calls)])
    with scene._cell_table() as table:
        assert not table[:, 2:].any()


def test_scene_survives_pickling():
    import pickle

    rng = np.random.default_rng(3)
    segments = np.hstack([rng.uniform(0, 30, (40, 2)), rng.uniform(0, 30, (40, 2))])
    scene = Scene2D(segments, np.zeros(40, np.int32))
    circles = np.hstack([rng.uniform(0, 30, (20, 2)), np.full((20, 1), 0.5)])
    args = (circles[:, :2], rng.uniform(-3, 3, 20), circles, np.ones(20, np.int32), np.arange(20))
    np.testing.assert_array_equal(cast_rays_2d(pickle.loads(pickle.dumps(scene)), SPEC, *args),
                                  cast_rays_2d(scene, SPEC, *args))


@pytest.mark.parametrize("n_items, threads", [(1, 2), (5, 2), (100, 2), (1024, 2), (1000, 3), (4097, 8)])
def test_chunks_cover_every_item_once_and_shrink_at_the_end(n_items, threads):
    from botsdk.sensors._threads import CHUNKS_PER_THREAD, MIN_CHUNK, TAIL_CHUNK, chunk_bounds

    bounds = chunk_bounds(n_items, threads)
    assert bounds[0][0] == 0 and bounds[-1][1] == n_items
    assert all(a[1] == b[0] for a, b in zip(bounds, bounds[1:]))
    sizes = [hi - lo for lo, hi in bounds]
    usual = max(MIN_CHUNK, -(-n_items // (threads * CHUNKS_PER_THREAD)))
    assert max(sizes) <= usual and min(sizes[:-1], default=TAIL_CHUNK) >= TAIL_CHUNK
    assert sizes == sorted(sizes, reverse=True)  # never a long chunk after a short one
    if n_items >= 4 * usual * threads:
        assert sizes[-2] < usual  # the tail is finer than the body
