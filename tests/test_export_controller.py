"""The runtime-backed arena Controller: plays matches through `play_match`, reproducibly, with per-agent state."""

import numpy as np
import pytest

from botsdk.arena import list_maps
from botsdk.arena.contract import arena_contract
from botsdk.arena.rollout import play_match
from botsdk.export.controller import PolicyController, policy_controllers
from botsdk.export.runtime import BotRuntime
from fixtures.synthetic_model import make_random_policy_onnx

C = arena_contract()
AGENTS = ["blue_0", "red_0"]


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    return make_random_policy_onnx(C, tmp_path_factory.mktemp("ctl") / "gru.onnx", recurrent=True, seed=5)


def _match(model, seed: int):
    controllers = policy_controllers(model, "rusher", AGENTS, seed=seed)
    return play_match(list_maps()[0], seed, controllers, team_size=1, max_steps=40)


def test_policy_controllers_play_a_reproducible_match(model):
    first, again, other = _match(model, 3), _match(model, 3), _match(model, 4)
    for agent in AGENTS:
        actions = first[agent].actions
        assert actions.dtype == np.int64 and actions.shape[1] == 4 and len(actions) > 0
        assert ((actions >= 0) & (actions < np.array(C.head_sizes))).all()
        np.testing.assert_array_equal(actions, again[agent].actions)
        assert first[agent].meta["source"] == "bot" and first[agent].meta["style"] == "rusher"
    assert any(not np.array_equal(first[a].actions, other[a].actions) for a in AGENTS)


def test_controllers_sharing_a_runtime_keep_separate_state_and_reset(model):
    runtime = BotRuntime(model, greedy=True)
    a, b = PolicyController(runtime, "holder", "p-a"), PolicyController(runtime, {"rusher": 1, "holder": 1}, "p-b")
    a.reset("blue_0", 0)
    b.reset("blue_1", 0)
    obs = np.random.default_rng(0).random(C.observation_size, dtype=np.float32)
    first = a.act(obs)
    for _ in range(3):
        b.act(obs)
        a.act(obs)
    assert sorted(runtime.agents) == ["p-a/blue_0", "p-b/blue_1"]
    a.reset("blue_0", 1)  # a new episode starts from a zero state: same first decision again
    np.testing.assert_array_equal(a.act(obs), first)
    assert b.style == "custom" and a.style == "holder"
