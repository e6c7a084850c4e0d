"""Cross-stream batching with a real runtime: merged calls give each stream exactly what it would get alone."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from bridge_support import make_model, observations

from botsdk.export.runtime import BotRuntime, RuntimeInputError
from botsdk.game_bridge.batcher import Batcher


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    return make_model(tmp_path_factory.mktemp("batch") / "p.onnx", seed=7)


def _queued_calls(batcher: Batcher, jobs: list) -> list:
    """Hold the model while every job queues, then let one leader decide them."""
    results: list = [None] * len(jobs)

    def call(i, job):
        try:
            results[i] = batcher.act(*job)
        except Exception as exc:  # noqa: BLE001
            results[i] = exc

    with batcher._run_lock:
        threads = [threading.Thread(target=call, args=(i, job)) for i, job in enumerate(jobs)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 5
        while len(batcher._pending) < len(jobs) and time.monotonic() < deadline:
            time.sleep(0.005)
    for t in threads:
        t.join(10)
    return results


def test_queued_ticks_share_one_call_and_match_solo_runs(model):
    runtime = BotRuntime(model, greedy=True)
    batcher = Batcher(runtime, runtime.contract.style.size)
    jobs = [([f"s{i}/a", f"s{i}/b"], observations(2, seed=i), None, np.array([True, True])) for i in range(4)]
    jobs[2] = (jobs[2][0], jobs[2][1], np.ones((2, runtime.contract.style.size), np.float32), None)
    results = _queued_calls(batcher, jobs)
    assert batcher.calls == 1
    for (keys, obs, styles, starts), got in zip(jobs, results):
        solo = BotRuntime(model, greedy=True)
        np.testing.assert_array_equal(got, solo.act(keys, obs, styles, starts))


def test_a_bad_request_fails_alone_and_repeated_keys_are_not_merged(model):
    runtime = BotRuntime(model, greedy=True)
    batcher = Batcher(runtime, runtime.contract.style.size)
    bad = observations(1, seed=9)
    bad[0, 3] = np.nan
    jobs = [(["x/a"], observations(1), None, None), (["y/a"], bad, None, None), (["x/a"], observations(1, 2), None, None)]
    results = _queued_calls(batcher, jobs)
    assert isinstance(results[1], RuntimeInputError)
    assert results[0].shape == (1, 4) and results[2].shape == (1, 4)
    assert batcher.calls >= 2  # "x/a" twice: two calls, in order
