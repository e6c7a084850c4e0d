"""The per-tick fast paths (wire-encoded Session replies, zero-copy tensors, cached style and state rows) give exactly
what the general paths give."""

from __future__ import annotations

import numpy as np
import pytest
from bridge_support import make_model, observations

from botsdk.arena.contract import arena_contract
from botsdk.export.agent_state import AgentStateTable
from botsdk.export.runtime import NOISE_BLOCK_BYTES, BotRuntime
from botsdk.game_bridge._generated import bridge_pb2 as pb
from botsdk.game_bridge.client import BridgeClient, actions_array, make_batch
from botsdk.game_bridge.errors import BridgeError
from botsdk.game_bridge.server import BridgeServer
from botsdk.game_bridge.tensors import encode_actions, from_tensor, tick_actions_wire, to_tensor

C = arena_contract()


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    return make_model(tmp_path_factory.mktemp("fast") / "policy.onnx", seed=5)


@pytest.mark.parametrize("tick", [0, 1, 127, 128, 300, 2 ** 40])
@pytest.mark.parametrize("rows", [1, 31, 32, 64, 1000])
def test_tick_actions_wire_is_protobufs_own_encoding(tick, rows):
    actions = np.random.default_rng(rows).integers(0, 128, (rows, 4))
    expected = pb.TickActions(tick=tick, actions=encode_actions(actions)).SerializeToString()
    assert tick_actions_wire(tick, actions) == expected


def test_from_tensor_fast_path_views_the_bytes_and_refuses_mismatches():
    obs = observations(3)
    array = from_tensor(to_tensor(obs), (3, C.observation_size), "obs")
    np.testing.assert_array_equal(array, obs)
    assert not array.flags.writeable
    tensor = to_tensor(obs)
    for bad, expected in ((pb.FloatTensor(shape=[3, C.observation_size], raw=tensor.raw + b"\0" * 4), "obs.raw"),
                          (pb.FloatTensor(shape=[C.observation_size, 3], raw=tensor.raw), "obs.shape"),
                          (pb.FloatTensor(shape=[3, C.observation_size], raw=tensor.raw, values=[1.0]), "not both")):
        with pytest.raises(BridgeError, match=expected):
            from_tensor(bad, (3, C.observation_size), "obs")


def test_default_style_after_a_styled_call_is_zero_style(model):
    """The runtime skips re-copying its zero style; a styled call in between must not leak into later calls."""
    a, b = BotRuntime(model, greedy=True), BotRuntime(model, greedy=True)
    ids, obs = ["x", "y"], observations(2, seed=1)
    style = np.full((2, C.style.size), 3.0, np.float32)
    start = np.ones(2, bool)
    np.testing.assert_array_equal(a.act(ids, obs, style, start), b.act(ids, obs, style, start))
    zeros = np.zeros((2, C.style.size), np.float32)
    for _ in range(2):
        np.testing.assert_array_equal(a.act(ids, obs), b.act(ids, obs, zeros))
        np.testing.assert_array_equal(a.last_logits[0], b.last_logits[0])


def test_state_rows_of_known_agents_in_any_order_and_duplicates_refused():
    table = AgentStateTable(4)
    ids = [f"s{i}/a{j}" for i in range(3) for j in range(5)]
    rows = dict(zip(ids, table.rows(ids).tolist()))
    shuffled = [ids[i] for i in np.random.default_rng(0).permutation(len(ids))]
    assert table.rows(shuffled).tolist() == [rows[a] for a in shuffled]
    with pytest.raises(ValueError, match="unique"):
        table.rows([ids[0], ids[1], ids[0]])


def test_noise_blocks_stay_small(model):
    runtime = BotRuntime(model)
    sampler = runtime._sampler
    assert 64 <= sampler._block_rows and sampler._block_rows * 4 * len(C.head_sizes) * max(C.head_sizes) \
        <= NOISE_BLOCK_BYTES


def test_session_fast_and_message_paths_agree_with_the_runtime(model):
    ids, obs = [f"a{i}" for i in range(5)], observations(5, seed=2)
    local = BotRuntime(model, greedy=True)
    with BridgeServer(model, port=0, greedy=True) as server, BridgeClient(server.target) as client:
        with client.session() as s:
            first = s.send(pb.Tick(tick=7, batch=make_batch(ids, obs, episode_start=[True] * 5)))
            assert first.tick == 7
            np.testing.assert_array_equal(actions_array(first.actions), local.act(ids, obs, None, np.ones(5, bool)))
            decoded = s.send(pb.Tick(tick=8, batch=make_batch(ids, obs, decode=True)))
            np.testing.assert_array_equal(actions_array(decoded.actions), local.act(ids, obs))
            assert decoded.actions.decoded_json
            empty = s.send(pb.Tick(tick=9, batch=pb.AgentBatch()))
            assert empty.tick == 9 and list(empty.actions.shape) == [0, len(C.head_sizes)]
