"""The distances are exact where an exact answer is known, and grow on cases built to grow them."""

import itertools

import numpy as np
import pytest

from botsdk.evaluation.distances import (
    head_js, heatmap_emd, js_divergence, position_heatmap, wasserstein_1d, windowed_w1,
)
from botsdk.evaluation.features import Episode
from botsdk.evaluation.transport import earth_movers_distance


def _episode(positions, headings=None, actions=None, seed=0):
    positions = np.asarray(positions, np.float64)
    steps = len(positions) - 1
    headings = np.zeros(steps + 1) if headings is None else np.asarray(headings, np.float64)
    actions = np.zeros((steps, 4), np.int64) if actions is None else actions
    return Episode(positions, headings, actions, np.zeros(steps), {"seed": seed})


def test_emd_matches_brute_force_assignment():
    rng = np.random.default_rng(3)
    for _ in range(5):
        k = 5
        cost = rng.random((k, k)) * 10
        best = min(sum(cost[i, p[i]] for i in range(k)) for p in itertools.permutations(range(k))) / k
        assert earth_movers_distance(np.ones(k), np.ones(k), cost) == pytest.approx(best, abs=1e-9)


def test_emd_on_a_line_equals_1d_wasserstein():
    rng = np.random.default_rng(4)
    a, b = rng.random(9), rng.random(9)
    heat_a, heat_b = a[None, :] / a.sum(), b[None, :] / b.sum()
    cdf = np.abs(np.cumsum(heat_a[0]) - np.cumsum(heat_b[0]))[:-1].sum()
    assert heatmap_emd(heat_a, heat_b) == pytest.approx(cdf, abs=1e-9)


def test_emd_uses_2d_geometry_not_flattened_bins():
    # one unit of mass moved one row down: 2D distance 1, whereas flattened bins would call it 8 cells away
    a, b, c = np.zeros((8, 8)), np.zeros((8, 8)), np.zeros((8, 8))
    a[2, 3], b[3, 3], c[2, 7] = 1, 1, 1
    assert heatmap_emd(a, b) == pytest.approx(1.0)
    assert heatmap_emd(a, c) == pytest.approx(4.0)
    assert heatmap_emd(a, a) == 0.0


def test_heatmap_emd_grows_as_one_group_drifts():
    rng = np.random.default_rng(0)
    base = [_episode(rng.normal([5, 5], 1.0, (200, 2)), seed=s) for s in range(4)]
    bounds = (0.0, 0.0, 20.0, 20.0)
    ref = position_heatmap(base, bounds)
    values = []
    for shift in (0.0, 2.0, 5.0):
        moved = [_episode(rng.normal([5 + shift, 5], 1.0, (200, 2)), seed=s) for s in range(4)]
        values.append(heatmap_emd(ref, position_heatmap(moved, bounds)))
    assert values[0] < values[1] < values[2]


def test_js_is_zero_for_equal_and_one_for_disjoint_and_grows():
    assert js_divergence([1, 2, 3], [2, 4, 6]) == pytest.approx(0.0)
    assert js_divergence([1, 0], [0, 1]) == pytest.approx(1.0)
    assert js_divergence([5, 5], [6, 4]) < js_divergence([5, 5], [9, 1])


def test_head_js_grows_when_one_head_changes():
    rng = np.random.default_rng(1)

    def group(p_fire):
        acts = np.column_stack([rng.integers(0, 9, 500), rng.integers(0, 15, 500),
                                rng.random(500) < p_fire, np.zeros(500)]).astype(np.int64)
        return [_episode(np.zeros((501, 2)), actions=acts)]

    same, shifted = head_js(group(0.2), group(0.2), "move turn fire interact".split(), (9, 15, 2, 2)), \
        head_js(group(0.2), group(0.8), "move turn fire interact".split(), (9, 15, 2, 2))
    assert shifted["fire"] > same["fire"] + 0.1
    assert shifted["interact"] == 0.0


def test_w1_exact_and_windowed_turn_catches_timing():
    assert wasserstein_1d([0, 0, 0], [1, 1, 1]) == pytest.approx(1.0)
    assert wasserstein_1d([0, 1], [0, 1]) == 0.0
    # identical per-step marginals (+-10 degrees) but one group alternates, the other turns in long runs
    steps = 512
    alternate = np.where(np.arange(steps) % 2 == 0, 10.0, -10.0)
    runs = np.where((np.arange(steps) // 32) % 2 == 0, 10.0, -10.0)
    eps = lambda turns: [_episode(np.zeros((steps + 1, 2)), np.radians(np.concatenate([[0], np.cumsum(turns)])))]
    d = windowed_w1(eps(alternate), eps(runs))
    assert d["turn_w1"] == pytest.approx(0.0, abs=1e-6)
    assert d["turn_w32"] > d["turn_w16"] > 100.0


def test_w1_of_speed_grows_with_the_speed_gap():
    def walker(speed, seed):
        rng = np.random.default_rng(seed)
        steps = np.abs(rng.normal(speed, 0.05, 256))
        return [_episode(np.column_stack([np.concatenate([[0], np.cumsum(steps)]), np.zeros(257)]), seed=seed)]

    base = walker(0.5, 0)
    gaps = [windowed_w1(base, walker(0.5 + d, 1)) for d in (0.0, 0.1, 0.3)]
    for key in ("speed_w1", "speed_w16", "speed_w32"):
        assert gaps[0][key] < gaps[1][key] < gaps[2][key]
    assert gaps[2]["speed_w16"] == pytest.approx(16 * 0.3, rel=0.1)   # a window sum scales the gap
