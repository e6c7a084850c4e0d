"""Reload, deadlines, stream limits, graceful shutdown, gameplay recording and committed stubs — real servers."""

from __future__ import annotations

import dataclasses
import filecmp
import hashlib
import subprocess
import sys
import threading
import time

import grpc
import numpy as np
import pytest
from bridge_support import eventually as _eventually, make_model, observations

from botsdk.arena.contract import arena_contract
from botsdk.game_bridge._generated import bridge_pb2 as pb
from botsdk.game_bridge.client import BridgeClient
from botsdk.game_bridge.limits import Limits
from botsdk.game_bridge.server import BridgeServer
from botsdk.game_bridge.tensors import to_tensor

C = arena_contract()


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    d = tmp_path_factory.mktemp("life")
    other = dataclasses.replace(C, decision_hz=C.decision_hz * 2)
    return {"a": make_model(d / "a.onnx", seed=1), "b": make_model(d / "b.onnx", seed=2),
            "bad": make_model(d / "bad.onnx", contract=other)}


def test_reload_swaps_compatible_and_refuses_incompatible(models):
    admin = "admin-secret"
    with BridgeServer(models["a"], port=0, greedy=True, admin_token=admin, models_dir=models["a"].parent) as server, \
            BridgeClient(server.target, admin_token=admin) as client:
        obs = observations(32, seed=5)
        ids = [str(i) for i in range(32)]
        before = client.act(ids, obs, episode_start=[True] * 32)
        with pytest.raises(grpc.RpcError) as err:
            client.reload(models["bad"].name)
        assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION and "decision_hz" in err.value.details()
        with pytest.raises(grpc.RpcError) as err:
            client.reload("no-such-model.onnx")
        assert err.value.code() == grpc.StatusCode.NOT_FOUND
        np.testing.assert_array_equal(client.act(ids, obs, episode_start=[True] * 32), before)  # unchanged
        answer = client.reload(models["b"].name)
        assert answer.contract_hash == C.content_hash
        assert answer.model_sha256 == hashlib.sha256(models["b"].read_bytes()).hexdigest()
        assert not np.array_equal(client.act(ids, obs, episode_start=[True] * 32), before)


def test_deadlines_are_honoured_and_state_freed(models):
    with BridgeServer(models["a"], port=0) as server, BridgeClient(server.target) as client:
        with pytest.raises(grpc.RpcError) as err:
            client.act(["a"], observations(1), episode_start=[True], timeout=-1)  # expired (0 races a fast reply)
        assert err.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
        stream = client.session(timeout=0.5)
        stream.step(["a", "b"], observations(2), episode_start=[True, True])
        assert len(server.servicer.open_scopes) == 1
        time.sleep(0.7)
        with pytest.raises(grpc.RpcError) as err:
            stream.step(["a", "b"], observations(2))
        assert err.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
        assert _eventually(lambda: not server.servicer.open_scopes and not any(
            k.startswith("session#") for k in server.policy.runtime.agents))
        assert client.health() == "SERVING"


def test_stream_limit_answers_resource_exhausted(models):
    with BridgeServer(models["a"], port=0, limits=Limits(max_streams=2)) as server, \
            BridgeClient(server.target) as client:
        s1, s2 = client.session(), client.session()
        s1.step(["a"], observations(1), episode_start=[True])
        s2.step(["a"], observations(1), episode_start=[True])
        with pytest.raises(grpc.RpcError) as err:
            client.session().step(["a"], observations(1), episode_start=[True])
        assert err.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED and "at most 2" in err.value.details()
        s1.close()
        with client.session() as s3:  # a slot came free
            assert _eventually(lambda: _try_step(s3))


def test_act_session_limit_and_freeing(models):
    with BridgeServer(models["a"], port=0, limits=Limits(max_act_sessions=2)) as server, \
            BridgeClient(server.target) as client:
        for sid in ("a", "b"):
            client.act(["p"], observations(1), episode_start=[True], session_id=sid)
        with pytest.raises(grpc.RpcError) as err:
            client.act(["p"], observations(1), episode_start=[True], session_id="c")
        assert err.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED and "at most 2 Act sessions" in err.value.details()
        client.act([], observations(0), ended=["p"], session_id="a")  # session a holds nothing now: dropped
        assert client.act(["p"], observations(1), episode_start=[True], session_id="c").shape == (1, 4)
        assert sorted(k.split("#")[0] for k in server.policy.runtime.agents) == ["act", "act"]


def test_graceful_shutdown_drains_open_streams(models):
    server = BridgeServer(models["a"], port=0).start()
    client = BridgeClient(server.target)
    stream = client.session()
    stream.step(["a"], observations(1), episode_start=[True])
    stopper = threading.Thread(target=server.stop, args=(10.0,))
    t0 = time.monotonic()
    stopper.start()
    time.sleep(0.3)
    assert stream.step(["a"], observations(1, seed=1)).shape == (1, 4)  # the open stream is still served
    with BridgeClient(f"127.0.0.1:{server.port}") as late:
        with pytest.raises(grpc.RpcError):
            late.get_spec(timeout=2)  # no new RPCs
    stream.close()
    stopper.join(10)
    assert not stopper.is_alive() and time.monotonic() - t0 < 8.0  # finished once the stream drained
    client.close()


def _steps(key, n, seed, end=True, meta=None):
    rng = np.random.default_rng(seed)
    for t in range(n):
        step = pb.RecordStep(episode_key=key, episode_start=t == 0,
                             observation=to_tensor(rng.random(C.observation_size, dtype=np.float32)),
                             action=[t % 9, t % 15, t % 2, 0], reward=0.5, x=float(t), y=1.0, heading=0.1)
        if t == 0:
            step.meta.CopyFrom(meta or pb.EpisodeMeta(player_id=f"human-{key}", style="rusher", map="duel", seed=seed))
        if end and t == n - 1:
            step.terminated = True
            step.next_observation.CopyFrom(to_tensor(rng.random(C.observation_size, dtype=np.float32)))
            step.next_x, step.next_y = float(n), 1.0
        yield step


def test_recording_keeps_every_finished_episode_when_the_stream_is_cut(models, tmp_path):
    from botsdk.dataset import Dataset

    root = tmp_path / "rec"
    with BridgeServer(models["a"], port=0, record_dir=root) as server, BridgeClient(server.target) as client:
        summary = client.record(list(_steps("e1", 5, 1)) + list(_steps("e2", 3, 2)) + list(_steps("open", 4, 3, end=False)))
        assert len(summary.episode_ids) == 2 and summary.steps == 12 and list(summary.dropped) == ["open"]

        def cut():
            yield from _steps("e3", 4, 4)
            yield from _steps("e4", 6, 5, end=False)
            assert _eventually(lambda: len(_episodes(root)) == 3)  # e3 committed while e4 is still open
            raise ConnectionError("engine crashed mid-episode")

        with pytest.raises(grpc.RpcError) as err:
            client.record(cut())
        assert err.value.code() in (grpc.StatusCode.CANCELLED, grpc.StatusCode.UNKNOWN)
        assert client.health() == "SERVING"
        bad = list(_steps("bad", 2, 6))
        bad[1].action[0] = 9
        with pytest.raises(grpc.RpcError) as err:
            client.record(bad)
        assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "action[0] (move)" in err.value.details()
    ds = Dataset.open(root)
    episodes = {e.player_id: e for e in ds.episodes}
    assert sorted(episodes) == ["human-e1", "human-e2", "human-e3"]
    assert [episodes[f"human-e{i}"].steps for i in (1, 2, 3)] == [5, 3, 4]
    assert episodes["human-e1"].source == "human" and episodes["human-e1"].map == "duel"
    e1 = ds.episode(episodes["human-e1"].id)
    sent = [s.observation.raw for s in _steps("e1", 5, 1)]
    np.testing.assert_array_equal(e1["observations"][:5], np.frombuffer(b"".join(sent), np.float32).reshape(5, -1))
    np.testing.assert_array_equal(e1["actions"][:, 1], np.arange(5) % 15)
    assert e1["terminations"].tolist() == [False] * 4 + [True]


def test_recording_off_without_record_dir(models):
    with BridgeServer(models["a"], port=0) as server, BridgeClient(server.target) as client:
        with pytest.raises(grpc.RpcError) as err:
            client.record(_steps("x", 2, 0))
        assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION and "--record-dir" in err.value.details()


def test_committed_stubs_match_the_proto(tmp_path):
    pytest.importorskip("grpc_tools", reason="grpcio-tools (dev extra) regenerates the stubs")
    from botsdk.game_bridge.codegen import GENERATED_DIR, GENERATED_FILES, generate

    generate(tmp_path)
    for name in GENERATED_FILES:
        assert filecmp.cmp(tmp_path / name, GENERATED_DIR / name, shallow=False), (
            f"game_bridge/_generated/{name} is stale: run `python -m botsdk.game_bridge.codegen`")


def test_bridge_never_imports_torch():
    code = ("import sys, botsdk.game_bridge.server, botsdk.game_bridge.client, botsdk.game_bridge.recording, botsdk.game_bridge.remote_play; "
            "assert 'torch' not in sys.modules, 'torch imported'")
    subprocess.run([sys.executable, "-c", code], check=True)


def _episodes(root):
    from botsdk.dataset import Dataset

    return Dataset.open(root).episodes if (root / "data").exists() else []


def _try_step(stream) -> bool:
    try:
        return stream.step(["z"], observations(1), episode_start=[True]).shape == (1, 4)
    except grpc.RpcError:
        return False




@pytest.mark.parametrize("field, value, words", [
    ("reward", float("nan"), "reward: expected a finite number, got nan"),
    ("x", float("inf"), "x: expected a finite number, got inf"),
    ("heading", float("-inf"), "heading: expected a finite number"),
    ("next_y", float("nan"), "next_y: expected a finite number"),
    ("next_heading", float("inf"), "next_heading: expected a finite number"),
    ("skill", float("nan"), "meta.skill: expected a number in [0, 1]"),
    ("skill", -5.0, "meta.skill: expected a number in [0, 1] (0 when unknown), got -5.0"),
    ("skill", 1.5, "got 1.5"),
])
def test_recording_refuses_non_finite_values_and_a_bad_skill(models, tmp_path, field, value, words):
    root = tmp_path / "rec"
    steps = list(_steps("e", 3, 1))
    if field == "skill":
        steps[0].meta.skill = value
    else:
        setattr(steps[-1 if field.startswith("next_") else 1], field, value)
    with BridgeServer(models["a"], port=0, record_dir=root) as server, BridgeClient(server.target) as client:
        with pytest.raises(grpc.RpcError) as err:
            client.record(steps)
        assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT and words in err.value.details()
        assert client.record(_steps("good", 2, 2)).steps == 2  # the server keeps recording
    assert [e.player_id for e in _episodes(root)] == ["human-good"]
