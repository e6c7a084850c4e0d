"""Limits engines can see and operators can set: advertised in GetSpec, per-client and total stream caps, idle
streams closed, Act sessions expired, both loopbacks bound."""

from __future__ import annotations

import time

import grpc
import pytest
from bridge_support import eventually, make_model, observations

from botsdk.game_bridge._generated import bridge_pb2 as pb
from botsdk.game_bridge.client import BridgeClient
from botsdk.game_bridge.limits import Limits
from botsdk.game_bridge.server import BridgeServer


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    return make_model(tmp_path_factory.mktemp("limits") / "policy.onnx")


def test_get_spec_advertises_every_limit(model):
    limits = Limits(max_message_bytes=1 << 20, max_agents_per_request=100, max_agents_per_session=200,
                    max_agent_id_bytes=40, max_streams=9, max_streams_per_client=3, max_act_sessions=7,
                    idle_timeout_s=12.5, act_session_ttl_s=90.0, keepalive_time_s=20.0, keepalive_timeout_s=5.0,
                    min_client_ping_interval_s=4.0)
    with BridgeServer(model, port=0, limits=limits) as server, BridgeClient(server.target) as client:
        spec = client.get_spec()
        raw = client.stub.GetSpec(pb.GetSpecRequest())
    assert spec.limits == {"max_agents_per_request": 100, "max_agents_per_session": 200, "max_agent_id_bytes": 40,
                           "max_message_bytes": 1 << 20, "max_streams": 9, "max_streams_per_client": 3,
                           "max_act_sessions": 7, "idle_timeout_s": 12.5, "act_session_ttl_s": 90.0,
                           "keepalive_time_s": 20.0, "keepalive_timeout_s": 5.0, "min_client_ping_interval_s": 4.0}
    assert raw.max_agents_per_request == 100
    assert raw.frame_stack == 2 and [(b.name, b.size) for b in raw.observation_blocks] == [
        ("rays", 224), ("self", 13), ("enemy", 5)]
    assert list(raw.ray_tags) == ["wall", "teammate", "enemy", "objective", "pickup"]


@pytest.mark.parametrize("field, value", [("max_streams", 0), ("idle_timeout_s", 0.0),
                                          ("act_session_ttl_s", float("nan")), ("max_agent_id_bytes", -1)])
def test_bad_limits_are_refused_naming_the_limit(field, value):
    with pytest.raises(ValueError, match=f"limit {field}"):
        Limits(**{field: value})


def test_both_loopbacks_are_bound_by_default(model):
    with BridgeServer(model, port=0) as server:
        assert server.addresses == [f"127.0.0.1:{server.port}", f"[::1]:{server.port}"]
        for target in server.addresses:
            with BridgeClient(target) as client:
                assert client.health() == "SERVING"


def test_one_client_cannot_take_every_stream(model):
    with BridgeServer(model, port=0, limits=Limits(max_streams=4, max_streams_per_client=2)) as server, \
            BridgeClient(f"127.0.0.1:{server.port}") as greedy, BridgeClient(f"[::1]:{server.port}") as other:
        held = [greedy.session() for _ in range(2)]
        for s in held:
            s.step(["a"], observations(1), episode_start=[True])
        with pytest.raises(grpc.RpcError) as err:
            greedy.session().step(["a"], observations(1), episode_start=[True])
        assert err.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert "max_streams_per_client" in err.value.details() and "127.0.0.1" in err.value.details()
        with other.session() as s:  # another client address still gets in
            assert s.step(["a"], observations(1), episode_start=[True]).shape == (1, 4)
        for s in held:
            s.close()


def test_idle_streams_are_closed_and_free_their_slots(model):
    limits = Limits(max_streams=2, idle_timeout_s=0.4)
    with BridgeServer(model, port=0, limits=limits) as server, BridgeClient(server.target) as client:
        quiet = [client.session() for _ in range(2)]
        for s in quiet:
            s.step(["a", "b"], observations(2), episode_start=[True, True])
        assert len(server.servicer.open_scopes) == 2
        assert eventually(lambda: not server.servicer.open_scopes and not server.policy.runtime.agents, timeout=5)
        with pytest.raises(grpc.RpcError) as err:
            quiet[0].step(["a", "b"], observations(2))
        assert err.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED and "idle_timeout_s" in err.value.details()
        with client.session() as fresh:  # a new engine is not locked out
            for _ in range(4):  # a stream that keeps ticking is never idle
                assert fresh.step(["c"], observations(1), episode_start=[True]).shape == (1, 4)
                time.sleep(0.15)
        assert client.health() == "SERVING"


def test_act_sessions_expire_and_free_their_agents(model):
    limits = Limits(max_act_sessions=2, act_session_ttl_s=0.3)
    with BridgeServer(model, port=0, limits=limits) as server, BridgeClient(server.target) as client:
        for sid in ("one", "two"):
            client.act(["p", "q"], observations(2), episode_start=[True, True], session_id=sid)
        assert len(server.policy.runtime.agents) == 4
        assert eventually(lambda: not server.policy.runtime.agents, timeout=5)
        assert client.act(["p"], observations(1), episode_start=[True], session_id="three").shape == (1, 4)
        assert client.act(["p"], observations(1), session_id="one")[0, 0] == -1  # forgotten: must start again
