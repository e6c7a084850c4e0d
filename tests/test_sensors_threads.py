"""The threaded path is fork-safe and gives the same result in a forked child."""

import multiprocessing as mp

import numpy as np
import pytest

from botsdk.contract import RaySensorSpec
from sensors import Scene2D, cast_rays_2d

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
