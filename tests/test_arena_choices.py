"""A demonstrator's reported probabilities are the mixture over its own random choices: the enumeration walks every
way a step can go, durations drawn from hazards keep their distribution, and the actions really sampled match the
reported marginals and joint maximum."""

import copy

import numpy as np
import pytest

from botsdk.arena.batch import ArenaBatch
from botsdk.arena.choices import StepChoices, continue_prob, joint_max, mixture, onset_prob, uniform_pmf
from botsdk.arena.demonstrators import make_demonstrator
from botsdk.arena.motor import MotorParams, reaction_pmf
from botsdk.arena.view import make_view


def _enumerate(decide) -> list[tuple[float, list[int], object]]:
    choices, paths, plan = StepChoices(), [], []
    while plan is not None:
        choices.start(plan)
        out = decide(choices)
        paths.append((choices.weight(), choices.taken(), out))
        plan = choices.next_plan()
    return paths


def test_enumeration_visits_every_way_once_with_weights_summing_to_one():
    def decide(c):  # a nested tree: the second choice only exists on one branch; certain outcomes are no choice
        first = c.choose([0.2, 0.0, 0.8])
        second = c.choose([0.5, 0.25, 0.25]) if first == 2 else None
        c.choose([0.0, 1.0])
        return first, second

    paths = _enumerate(decide)
    assert [out for _, _, out in paths] == [(0, None), (2, 0), (2, 1), (2, 2)]
    assert np.isclose(sum(w for w, _, _ in paths), 1.0)
    assert [w for w, _, _ in paths] == pytest.approx([0.2, 0.4, 0.2, 0.2])
    with pytest.raises(ValueError, match="expected some positive mass"):
        StepChoices().choose([0.0, 0.0])


def test_hazards_reproduce_the_duration_distributions():
    rng = np.random.default_rng(0)
    pause = uniform_pmf(6, 14)
    lengths = []
    for _ in range(20000):
        done = 1
        while rng.random() < continue_prob(pause, done):
            done += 1
        lengths.append(done)
    assert np.abs(np.bincount(lengths, minlength=15) / len(lengths) - pause).max() < 0.01
    reaction = reaction_pmf(MotorParams(reaction_median_s=0.27))
    assert np.isclose(reaction.sum(), 1.0) and reaction[:2].sum() == 0.0  # never faster than 0.15 s
    onsets = []
    for _ in range(20000):
        checked, step = -1, 0
        while rng.random() >= onset_prob(reaction, checked, step):
            checked, step = step, step + 1 + int(rng.random() < 0.3)  # checks may skip steps (enemy out of view)
        onsets.append(step)
    # skipped checks only delay an onset to the next check, never before its drawn time
    assert np.mean(onsets) >= np.dot(np.arange(len(reaction)), reaction) - 0.05


def test_mixture_joint_maximum_sees_heads_that_move_together():
    a = [np.array([1.0, 0.0]), np.array([1.0, 0.0])]
    b = [np.array([0.0, 1.0]), np.array([0.0, 1.0])]
    marginal, joint = mixture([(0.5, a), (0.5, b)])
    assert np.allclose(marginal[0], [0.5, 0.5]) and np.allclose(marginal[1], [0.5, 0.5])
    assert joint.shape == (2, 2) and np.allclose(joint, [[0.5, 0.0], [0.0, 0.5]])
    assert joint.max() == pytest.approx(0.5)  # not 0.25, the product of the heads' maxima
    assert joint_max(a) == 1.0


def _copy(player):
    """A copy of a player's state that shares the (read-only) map and its nav grid, as the game hands them out."""
    shared = {id(player.map): player.map} if player.map is not None else {}
    if getattr(player, "nav", None) is not None:
        shared[id(player.nav)] = player.nav
    return copy.deepcopy(player, memo=shared)


def _step_with_choices(style: str, map_name: str = "duel", max_steps: int = 400):
    """Play until the player's step has several ways to go; returns a copy of the player from just before it,
    with that step's observation and view, and the player after it."""
    for seed in range(3, 13):
        batch = ArenaBatch(map_name, team_size=1, n_envs=1, max_steps=max_steps)
        batch.reset([seed])
        players = [make_demonstrator(style, seed=seed + i) for i in range(batch.n_agents)]
        for i, (agent, player) in enumerate(zip(batch.agents, players)):
            player.reset(agent, seed + i)
        while not batch.done[0]:
            actions = np.zeros((1, batch.n_agents, 4), dtype=np.int64)
            before = _copy(players[0])
            obs, view = batch.obs[0, 0].copy(), make_view(batch, 0, 0)
            for a, player in enumerate(players):
                actions[0, a] = player.act(batch.obs[0, a].copy(), make_view(batch, 0, a))
            if players[0].last_ways > 1:
                return before, obs, view, players[0]
            batch.step(actions)
    raise AssertionError(f"no step of a {style} had several ways to go")


def _replay(before, obs, view, draws: int, report: bool) -> dict[tuple, int]:
    counts: dict[tuple, int] = {}
    for k in range(draws):
        player = _copy(before)
        player.rng = np.random.default_rng(10_000 + k)
        player.motor.rng = player.rng
        player.report_probs = report
        player.choices.rng = None if report else player.rng
        action = tuple(int(x) for x in player.act(obs.copy(), view))
        assert (player.last_probs is not None) == report
        counts[action] = counts.get(action, 0) + 1
    return counts


@pytest.mark.parametrize("style", ["explorer", "objective", "rusher"])
@pytest.mark.parametrize("report", [True, False])
def test_sampled_actions_follow_the_reported_mixture(style, report):
    """Enumerating the ways (report=True) or drawing the choices on the spot (report=False, for recordings and
    playtests): either way the actions follow the mixture the enumeration reports."""
    before, obs, view, after = _step_with_choices(style)
    draws = 1500
    counts = _replay(before, obs, view, draws, report)
    moves = np.bincount([a[0] for a, n in counts.items() for _ in range(n)], minlength=9) / draws
    assert np.abs(moves - after.last_probs[0]).max() < 0.05
    assert max(counts.values()) / draws == pytest.approx(after.last_joint_max, abs=0.05)


def test_motor_draws_what_rng_choice_draws():
    """The motor's sampler is a faster `Generator.choice(n, p=probs)`: the same stream gives the same actions, so a
    recording made with either is the same recording."""
    from botsdk.arena.motor import Motor

    shapes = np.random.default_rng(1)
    motor, reference = Motor(MotorParams(), np.random.default_rng(5)), np.random.default_rng(5)
    for k in range(5000):
        probs = shapes.random(int(shapes.integers(2, 16))) ** 3
        if k % 7 == 0:
            probs = np.eye(len(probs))[int(shapes.integers(len(probs)))]
        probs /= probs.sum()
        assert motor.sample(probs) == int(reference.choice(len(probs), p=probs))
