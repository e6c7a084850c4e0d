"""The bridge's RPCs through a real server on loopback: spec, health, reflection, Act, Session and per-agent state."""

from __future__ import annotations

import json

import grpc
import numpy as np
import pytest
from bridge_support import eventually as _eventually, make_model, observations

from botsdk.arena.contract import arena_contract
from botsdk.export.runtime import BotRuntime
from botsdk.game_bridge.client import BridgeClient
from botsdk.game_bridge.limits import Limits
from botsdk.game_bridge.server import BridgeServer

C = arena_contract()


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    return make_model(tmp_path_factory.mktemp("bridge") / "policy.onnx", seed=3)


@pytest.fixture(scope="module")
def server(model):
    srv = BridgeServer(model, port=0, greedy=True, limits=Limits(max_agents_per_request=128,
                                                                  max_message_bytes=1 << 20)).start()
    yield srv
    srv.stop(0)


@pytest.fixture()
def client(server):
    with BridgeClient(server.target) as c:
        yield c


def _code(exc_info) -> grpc.StatusCode:
    return exc_info.value.code()


def test_spec_health_and_reflection(client, server):
    spec = client.get_spec()
    assert spec.contract.content_hash == C.content_hash
    assert spec.model_version == "synthetic-1"
    assert client.health() == "SERVING"
    assert client.health("botsdk.bridge.v1.BotBridge") == "SERVING"
    from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase

    services = ProtoReflectionDescriptorDatabase(client.channel).get_services()
    assert {"botsdk.bridge.v1.BotBridge", "grpc.health.v1.Health"} <= set(services)


def test_act_matches_local_runtime_and_decodes(client, model):
    ids = [f"blue_{i}" for i in range(5)]
    local = BotRuntime(model, greedy=True)
    for step in range(3):
        obs = observations(5, seed=step)
        start = [step == 0] * 5
        remote = client.act(ids, obs, episode_start=start, session_id="match-1")
        np.testing.assert_array_equal(remote, local.act(ids, obs, None, np.array(start)))
    client.act([], observations(0), session_id="match-1", ended=ids)  # frees them; a later plain act is unknown
    from botsdk.game_bridge._generated import bridge_pb2 as pb
    from botsdk.game_bridge.client import make_batch

    answer = client.stub.Act(pb.ActRequest(session_id="match-1", batch=make_batch(ids[:1], observations(1))))
    assert list(answer.actions.actions) == [-1] * 4
    assert [(e.index, e.agent_id, e.code) for e in answer.actions.errors] == [(0, "blue_0", "INVALID_ARGUMENT")]
    assert "unknown agent" in answer.actions.errors[0].message


def test_session_keeps_state_per_session_and_agent(client, model):
    """Two engines both call their agent 'a'; each must see its own recurrent state, as two local runtimes would."""
    local_1, local_2 = BotRuntime(model, greedy=True), BotRuntime(model, greedy=True)
    with client.session() as s1, client.session() as s2:
        for step in range(6):
            o1, o2 = observations(1, seed=step), observations(1, seed=100 + step)
            first = [step == 0]
            np.testing.assert_array_equal(s1.step(["a"], o1, episode_start=first), local_1.act(["a"], o1, None, np.array(first)))
            np.testing.assert_array_equal(s2.step(["a"], o2, episode_start=first), local_2.act(["a"], o2, None, np.array(first)))


def test_one_runtime_call_per_tick_and_decoded_values(server, client):
    calls = []
    runtime = server.policy.runtime
    original = runtime.act
    runtime.act = lambda *a, **k: calls.append(len(a[0])) or original(*a, **k)
    try:
        with client.session() as s:
            ids = [f"red_{i}" for i in range(64)]
            s.step(ids, observations(64), episode_start=[True] * 64)
            answer = s.send(_tick(ids, observations(64, 1), decode=True))
    finally:
        runtime.act = original
    assert calls == [64, 64]
    values = json.loads(answer.actions.decoded_json)
    actions = np.asarray(answer.actions.actions).reshape(64, 4)
    assert len(values) == 64 and values[7]["turn"] == C.head("turn").values[actions[7, 1]]


def test_state_freed_on_close_cancel_and_end(server, client):
    def live():
        return [k for k in server.policy.runtime.agents if k.startswith("session#")]

    s = client.session()
    s.step(["x", "y"], observations(2), episode_start=[True, True])
    assert len(live()) == 2
    s.step(["x"], observations(1), ended=["y"])
    assert len(live()) == 1
    s.close()
    assert _eventually(lambda: not live())
    s = client.session()
    s.step(["x", "y", "z"], observations(3), episode_start=[True] * 3)
    s.cancel()  # the engine vanishes mid-stream
    assert _eventually(lambda: not live() and not server.servicer.open_scopes)


def test_personas_and_style_vectors(client):
    names = list(C.style.persona_names)[:2]
    with client.session() as s:
        a = s.step(["p", "q"], observations(2), personas=names, episode_start=[True, True])
        assert a.shape == (2, 4)
        with pytest.raises(grpc.RpcError) as err:
            s.step(["p", "q"], observations(2), personas=["nobody", names[0]])
    assert _code(err) == grpc.StatusCode.INVALID_ARGUMENT and "nobody" in err.value.details()


@pytest.mark.parametrize("case, code, words", [
    ("wrong_size", "INVALID_ARGUMENT", "batch.observations.shape"),
    ("short_bytes", "INVALID_ARGUMENT", "batch.observations.raw"),
    ("duplicate", "INVALID_ARGUMENT", "duplicates"),
    ("flags", "INVALID_ARGUMENT", "batch.episode_start"),
    ("style_shape", "INVALID_ARGUMENT", "batch.styles.shape"),
    ("too_many_agents", "RESOURCE_EXHAUSTED", "at most 128 agents"),
    ("oversize", "RESOURCE_EXHAUSTED", ""),
])
def test_bad_requests_get_the_right_status_and_server_keeps_serving(client, case, code, words):
    from botsdk.game_bridge._generated import bridge_pb2 as pb
    from botsdk.game_bridge.client import make_batch

    o = C.observation_size
    batches = {
        "wrong_size": lambda: make_batch(["a"], np.zeros((1, o - 1), np.float32), episode_start=[True]),
        "short_bytes": lambda: _with(make_batch(["a"], np.zeros((1, o), np.float32), episode_start=[True]),
                                     lambda b: setattr(b.observations, "raw", b"\0" * 7)),
        "duplicate": lambda: make_batch(["a", "a"], np.zeros((2, o), np.float32), episode_start=[True, True]),
        "flags": lambda: make_batch(["a", "b"], np.zeros((2, o), np.float32), episode_start=[True]),
        "style_shape": lambda: make_batch(["a"], np.zeros((1, o), np.float32), styles=np.zeros((1, 3), np.float32),
                                          episode_start=[True]),
        "too_many_agents": lambda: make_batch([str(i) for i in range(129)], np.zeros((129, o), np.float32),
                                              episode_start=[True] * 129),
        "oversize": lambda: make_batch([str(i) for i in range(600)], np.zeros((600, o), np.float32)),
    }
    with pytest.raises(grpc.RpcError) as err:
        client.stub.Act(pb.ActRequest(session_id=case, batch=batches[case]()))
    assert _code(err) == getattr(grpc.StatusCode, code)
    assert words.lower() in err.value.details().lower()
    assert client.health() == "SERVING"
    assert client.act(["ok"], observations(1), episode_start=[True], session_id="after-" + case).shape == (1, 4)


def test_fuzz_malformed_requests_leave_the_server_healthy(client, server):
    """Random bytes, random shapes, NaN/inf, random flags: every answer is a clean status, never a crash."""
    from botsdk.game_bridge._generated import bridge_pb2 as pb

    rng = np.random.default_rng(1234)
    raw_act = client.channel.unary_unary("/botsdk.bridge.v1.BotBridge/Act")
    seen = set()
    for i in range(150):
        kind = i % 3
        try:
            if kind == 0:
                raw_act(rng.bytes(int(rng.integers(0, 600))), timeout=5)
            else:
                n = int(rng.integers(0, 5))
                shape = [int(x) for x in rng.integers(0, 600, size=int(rng.integers(0, 4)))]
                values = rng.standard_normal(int(rng.integers(0, 3000))).astype(np.float32)
                values[rng.random(values.size) < 0.01] = rng.choice([np.nan, np.inf, -np.inf])
                tensor = pb.FloatTensor(shape=shape, raw=values.tobytes()) if kind == 1 else \
                    pb.FloatTensor(shape=shape, values=values.tolist())
                batch = pb.AgentBatch(agent_ids=[str(int(x)) for x in rng.integers(0, 3, n)], observations=tensor,
                                      episode_start=rng.random(int(rng.integers(0, 5))) < 0.5,
                                      personas=["?"] * int(rng.integers(0, 2)), ended=["1"] * int(rng.integers(0, 2)))
                client.stub.Act(pb.ActRequest(session_id=f"fuzz{i % 7}", batch=batch), timeout=5)
            seen.add("OK")
        except grpc.RpcError as exc:
            seen.add(exc.code().name)
            assert exc.code() in (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.RESOURCE_EXHAUSTED), (
                exc.code(), exc.details())
    assert "INVALID_ARGUMENT" in seen
    raw_session = client.channel.stream_stream("/botsdk.bridge.v1.BotBridge/Session")
    with pytest.raises(grpc.RpcError) as err:
        list(raw_session(iter([b"\xff\xff\xff"]), timeout=5))
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "botsdk.bridge.v1.Tick" in err.value.details()
    assert client.health() == "SERVING"
    assert not server.servicer.open_scopes
    assert client.act(["after"], observations(1), episode_start=[True], session_id="after-fuzz").shape == (1, 4)


def _tick(ids, obs, decode=False):
    from botsdk.game_bridge._generated import bridge_pb2 as pb
    from botsdk.game_bridge.client import make_batch

    return pb.Tick(tick=99, batch=make_batch(ids, obs, decode=decode))


def _with(batch, edit):
    edit(batch)
    return batch




def test_served_temperature_matches_a_local_runtime_at_that_temperature(model):
    ids = [f"red_{i}" for i in range(16)]
    obs = observations(16, seed=7)
    start = [True] * 16
    with BridgeServer(model, port=0, seed=3, temperature=0.5) as server, BridgeClient(server.target) as client:
        remote = client.act(ids, obs, episode_start=start)
    expected = BotRuntime(model, seed=3, temperature=0.5).act(ids, obs, None, np.array(start))
    hot = BotRuntime(model, seed=3, temperature=1.0).act(ids, obs, None, np.array(start))
    np.testing.assert_array_equal(remote, expected)
    assert not np.array_equal(expected, hot), "temperature must change the sampled actions"
