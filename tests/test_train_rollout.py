"""A trained policy plays the real arena through the Controller protocol; agreement-vs-ceiling arithmetic."""

import numpy as np
import torch

from botsdk.arena.contract import arena_contract
from botsdk.training.agreement import agreement_vs_ceiling
from botsdk.training.config import TrainConfig
from botsdk.training.controller import TorchPolicyController
from botsdk.training.models import build_policy


def test_policy_controller_plays_a_seeded_arena_match():
    from botsdk.arena.demonstrators import make_demonstrator
    from botsdk.arena.rollout import play_match

    contract = arena_contract()
    torch.manual_seed(0)
    policy = build_policy(contract, TrainConfig(model="gru", hidden_sizes=[16], gru_hidden=8)).eval()

    def match():
        controllers = {"blue_0": TorchPolicyController(policy, contract, {"rusher": 0.5, "holder": 0.5}, seed=1),
                       "red_0": make_demonstrator("holder", 3)}
        return play_match("duel", 5, controllers, team_size=1, max_steps=40)

    first, second = match(), match()
    traj = first["blue_0"]
    assert traj.actions.shape[1] == 4 and len(traj) > 0
    assert np.all(traj.actions < np.array(contract.head_sizes))
    np.testing.assert_array_equal(traj.actions, second["blue_0"].actions)  # seeded sampling, bit for bit


def test_agreement_vs_ceiling():
    probs = [np.array([[0.8, 0.2], [0.6, 0.4]]), np.array([[0.5, 0.5], [1.0, 0.0]])]
    actions = np.array([[0, 1], [1, 0]])
    predicted = np.array([[0, 0], [0, 0]])
    out = agreement_vs_ceiling(predicted, actions, probs, ["a", "b"])
    assert out["a"] == {"agreement": 0.5, "ceiling": 0.7, "ratio": round(0.5 / 0.7, 4)}
    assert out["b"]["ceiling"] == 0.75 and out["b"]["agreement"] == 0.5
    assert out["joint"]["ceiling"] == round((0.8 * 0.5 + 0.6 * 1.0) / 2, 4) and out["joint"]["agreement"] == 0.0


def test_joint_ceiling_comes_from_the_reported_joint_distribution():
    """When a step mixes ways of going, heads move together: the joint ceiling is the reported joint maximum (here
    0.5, where the product of the heads' maxima would say 0.25), and demonstrator trajectories carry it."""
    probs = [np.array([[0.5, 0.5]]), np.array([[0.5, 0.5]])]
    out = agreement_vs_ceiling(np.array([[0, 0]]), np.array([[0, 0]]), probs, ["a", "b"], np.array([0.5]))
    assert out["joint"] == {"agreement": 1.0, "ceiling": 0.5, "ratio": 2.0}
    from botsdk.training.quality import demonstrator_match

    trajectories = demonstrator_match("duel", 7, 0, max_steps=200)
    for traj in trajectories.values():
        product = np.prod([p.max(axis=1) for p in traj.action_probs], axis=0)
        assert traj.joint_max is not None and traj.joint_max.shape == (len(traj),)
        assert np.all(traj.joint_max <= np.min([p.max(axis=1) for p in traj.action_probs], axis=0) + 1e-6)
        single = np.isclose(traj.joint_max, product, atol=1e-6)
        assert single.mean() > 0.5  # most steps have one way to go; the rest are mixtures
