"""What an engine can get wrong in a batch, and what it gets back: whole-request refusals for batches that cannot be
read (missing, mismatched, duplicate, empty or oversized agent ids) and per-agent errors for agents that cannot
decide this tick (non-finite rows, never-started agents) while their neighbours decide and the stream goes on."""

from __future__ import annotations

import grpc
import numpy as np
import pytest
from bridge_support import make_history_model, make_model, observations

from botsdk.arena.contract import arena_contract
from botsdk.export.runtime import BotRuntime
from botsdk.game_bridge._generated import bridge_pb2 as pb
from botsdk.game_bridge.client import BridgeClient, actions_array, make_batch
from botsdk.game_bridge.limits import Limits
from botsdk.game_bridge.server import BridgeServer
from botsdk.game_bridge.tensors import to_tensor

C = arena_contract()
O = C.observation_size


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    return make_model(tmp_path_factory.mktemp("protocol") / "policy.onnx", seed=5)


@pytest.fixture(scope="module")
def server(model):
    with BridgeServer(model, port=0, greedy=True, limits=Limits(max_agent_id_bytes=16)) as srv:
        yield srv


@pytest.fixture()
def client(server):
    with BridgeClient(server.target) as c:
        yield c


def _rows_without_ids(n: int) -> pb.AgentBatch:
    """What a JSON-mapped client sends when its `agent_ids` key is dropped (e.g. proto-loader expecting agentIds)."""
    return pb.AgentBatch(observations=to_tensor(observations(n)), episode_start=[True] * n)


@pytest.mark.parametrize("case, words", [
    ("rows_without_ids", "batch.agent_ids: expected one id per agent, got none"),
    ("fewer_ids_than_rows", "batch.agent_ids: expected one id per observation row (64 rows"),
    ("duplicate", "duplicates ['a']"),
    ("empty", "batch.agent_ids[1]: expected a non-empty id"),
    ("whitespace", "batch.agent_ids[0]: expected a non-empty id"),
    ("oversized", "batch.agent_ids[0]: expected at most 16 bytes of UTF-8, got 17 bytes"),
    ("oversized_utf8", "at most 16 bytes of UTF-8, got 18 bytes"),
])
def test_batches_that_cannot_be_read_are_refused_in_act_and_session(client, case, words):
    batches = {
        "rows_without_ids": lambda: _rows_without_ids(64),
        "fewer_ids_than_rows": lambda: make_batch(["a", "b", "c"], observations(64), episode_start=[True] * 3),
        "duplicate": lambda: make_batch(["a", "a"], observations(2), episode_start=[True] * 2),
        "empty": lambda: make_batch(["a", ""], observations(2), episode_start=[True] * 2),
        "whitespace": lambda: make_batch([" \t"], observations(1), episode_start=[True]),
        "oversized": lambda: make_batch(["x" * 17], observations(1), episode_start=[True]),
        "oversized_utf8": lambda: make_batch(["é" * 9], observations(1), episode_start=[True]),
    }
    with pytest.raises(grpc.RpcError) as err:
        client.stub.Act(pb.ActRequest(session_id=case[:16], batch=batches[case]()))
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT and words in err.value.details(), err.value.details()
    stream = client.session()
    with pytest.raises(grpc.RpcError) as err:
        stream.send(pb.Tick(tick=1, batch=batches[case]()))
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT and words in err.value.details()
    assert client.act(["x" * 16], observations(1), episode_start=[True], session_id="ok").shape == (1, 4)


def test_an_empty_batch_is_still_a_valid_no_op(client):
    assert client.act([], observations(0), ended=["nobody"], session_id="noop").shape == (0, 4)


def test_one_non_finite_agent_gets_an_error_and_the_others_keep_deciding_with_their_state(client, model):
    ids = ["a", "b", "c", "d"]
    local = BotRuntime(model, greedy=True)
    with client.session() as stream:
        obs = observations(4, seed=1)
        np.testing.assert_array_equal(stream.step(ids, obs, episode_start=[True] * 4),
                                      local.act(ids, obs, None, np.ones(4, bool)))
        obs = observations(4, seed=2)
        obs[1, 17] = np.nan
        answer = stream.send(pb.Tick(tick=2, batch=make_batch(ids, obs, decode=True))).actions
        [error] = answer.errors
        assert (error.index, error.agent_id, error.code) == (1, "b", "INVALID_ARGUMENT")
        assert "batch.observations row 1" in error.message and "nan at column 17" in error.message
        got = actions_array(answer)
        assert (got[1] == -1).all()
        keep = [0, 2, 3]
        np.testing.assert_array_equal(got[keep], local.act([ids[i] for i in keep], obs[keep]))
        import json

        decoded = json.loads(answer.decoded_json)
        assert decoded[1] is None and decoded[0]["turn"] == C.head("turn").values[got[0, 1]]
        styles = np.zeros((4, C.style.size), np.float32)
        styles[3, 0] = np.inf
        obs = observations(4, seed=3)
        got = stream.step(ids, obs, styles=styles)  # the stream went on; b's state was kept, d's style is bad
        assert list(stream.agent_errors) == ["d"] and "batch.styles row 3" in stream.agent_errors["d"]
        np.testing.assert_array_equal(got[:3], local.act(ids[:3], obs[:3], styles[:3]))
        assert (got[3] == -1).all()


def test_an_agent_never_started_gets_an_error_and_its_neighbours_decide(client, model):
    local = BotRuntime(model, greedy=True)
    with client.session() as stream:
        obs = observations(2, seed=4)
        stream.step(["a"], obs[:1], episode_start=[True])
        local.act(["a"], obs[:1], None, np.ones(1, bool))
        got = stream.step(["a", "late"], obs)
        assert list(stream.agent_errors) == ["late"] and "unknown agent 'late'" in stream.agent_errors["late"]
        np.testing.assert_array_equal(got[:1], local.act(["a"], obs[:1]))
        assert (got[1] == -1).all()
        got = stream.step(["a", "late"], obs, episode_start=[False, True])  # started properly: both decide
        assert not stream.agent_errors and (got >= 0).all()


def test_session_ids_are_bounded_like_agent_ids(client):
    with pytest.raises(grpc.RpcError) as err:
        client.act(["a"], observations(1), episode_start=[True], session_id="s" * 17)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "session_id" in err.value.details()


def test_the_engine_can_say_what_its_agents_did_instead_of_the_returned_actions(tmp_path):
    model = make_history_model(tmp_path / "history.onnx")
    local = BotRuntime(model, greedy=True)
    ids, obs = ["a", "b"], observations(2, seed=6)
    taken = np.array([[3, 1, 1, 0], [-1, -1, -1, -1]])  # a: a player took over; b: did nothing
    with BridgeServer(model, port=0, greedy=True) as server, BridgeClient(server.target) as client:
        with client.session() as stream:
            np.testing.assert_array_equal(stream.step(ids, obs, episode_start=[True, True]),
                                          local.act(ids, obs, None, np.ones(2, bool)))
            got = stream.step(ids, obs, applied_actions=taken)
            local.applied(ids, taken)
            np.testing.assert_array_equal(got, local.act(ids, obs))
            np.testing.assert_array_equal(stream.step(ids, obs), local.act(ids, obs))  # then its own answers again
            for bad, words in ((np.zeros((2, 3)), "batch.applied_actions: expected 2 x 4 indices"),
                               (np.array([[0, 15, 0, 0], [0, 0, 0, 0]]), "applied actions[0, 1] = 15 is outside "
                                                                          "head 'turn'")):
                client.stub.Act(pb.ActRequest(session_id="s", batch=make_batch(ids, obs, episode_start=[True, True])))
                with pytest.raises(grpc.RpcError) as err:
                    client.stub.Act(pb.ActRequest(session_id="s", batch=make_batch(ids, obs, applied_actions=bad)))
                assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT and words in err.value.details()
