"""Agreement-vs-ceiling arithmetic, and the joint ceiling the demonstrators report."""

import numpy as np

from botsdk.training.agreement import agreement_vs_ceiling


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
    from botsdk.arena.lineups import demonstrator_match

    trajectories = demonstrator_match("duel", 7, 0, max_steps=200)
    for traj in trajectories.values():
        product = np.prod([p.max(axis=1) for p in traj.action_probs], axis=0)
        assert traj.joint_max is not None and traj.joint_max.shape == (len(traj),)
        assert np.all(traj.joint_max <= np.min([p.max(axis=1) for p in traj.action_probs], axis=0) + 1e-6)
        single = np.isclose(traj.joint_max, product, atol=1e-6)
        assert single.mean() > 0.5  # most steps have one way to go; the rest are mixtures
