"""The observer ceiling: a Bayes filter over a scripted player's hidden state, from what it was seen to do."""

import numpy as np
import pytest

from botsdk.arena.demonstrators import make_demonstrator
from botsdk.arena.posterior import ObservedPlayer, PlayerPosterior
from botsdk.arena.rollout import play_match
from botsdk.training.agreement import agreement_vs_ceiling
from botsdk.arena.lineups import match_players, observed_match, player_hypotheses

AGENTS = ("blue_0", "blue_1", "red_0", "red_1")


def _players(seed: int) -> dict:
    styles = ("explorer", "rusher", "holder", "objective")
    return {agent: make_demonstrator(style, seed * 10 + j, skill=0.7, player_id=f"{style}-1")
            for j, (agent, style) in enumerate(zip(AGENTS, styles))}


def test_watching_a_player_does_not_change_how_it_plays():
    alone = play_match("duel", 11, _players(11), team_size=2, max_steps=120)
    watched = {a: ObservedPlayer(p, [(p.player_id, p.skill)], max_particles=8) for a, p in _players(11).items()}
    seen = play_match("duel", 11, watched, team_size=2, max_steps=120)
    for agent in AGENTS:
        assert np.array_equal(alone[agent].actions, seen[agent].actions)
        assert np.allclose(alone[agent].joint_max, seen[agent].joint_max)
        assert len(watched[agent].observer_joint) == len(seen[agent])


def test_a_posterior_that_knows_the_player_predicts_its_first_step_exactly():
    players = _players(3)
    watched = {a: ObservedPlayer(p, [(p.player_id, p.skill)]) for a, p in players.items()}
    first: dict[str, tuple] = {}

    def keep_first(agent: str, observer: ObservedPlayer) -> None:
        step = observer.posterior.step

        def spy(observation, view, action):
            predicted = step(observation, view, action)
            first.setdefault(agent, (predicted, [p.copy() for p in observer.player.last_probs],
                                     observer.player.last_joint.copy()))
            return predicted
        observer.posterior.step = spy

    for agent, observer in watched.items():
        observer.reset(agent, 0)
    play_match("duel", 3, watched, team_size=2, max_steps=1,
               on_step=lambda batch: [keep_first(a, o) for a, o in watched.items() if a not in first])
    assert set(first) == set(AGENTS)
    for predicted, own_probs, own_joint in first.values():
        for mine, theirs in zip(predicted.probs, own_probs):
            assert np.allclose(mine, theirs)
        assert np.allclose(predicted.joint, own_joint)


def test_observer_ceiling_is_below_the_oracle_at_every_step_and_close_on_average():
    trajectories, seen = observed_match("duel", 50_001, 1, max_steps=200, max_particles=16)
    oracle = np.concatenate([t.joint_max for t in trajectories.values()])
    observer = np.concatenate([seen[a][0] for a in trajectories])
    heads = np.concatenate([seen[a][1] for a in trajectories])
    assert observer.shape == oracle.shape and heads.shape == (len(oracle), 4)
    assert np.all(observer <= oracle + 1e-5)  # the true distribution's probability of any action is at most its max
    own_heads = np.concatenate([np.stack([p.max(1) for p in t.action_probs], 1) for t in trajectories.values()])
    assert np.all(heads <= own_heads + 1e-5)
    # the player's private draws show in what it does: the filter recovers most of what the oracle knows
    assert observer.mean() > 0.9 * oracle.mean()


def test_posterior_finds_which_player_it_watches():
    players = match_players(50_001, 1)  # the rotation gives every slot its persona's player 0 in match 1
    watched = {a: ObservedPlayer(p, player_hypotheses(p.style), max_particles=16) for a, p in players.items()}
    play_match("duel", 50_001, watched, team_size=2, max_steps=300)
    beliefs = []
    for observer in watched.values():
        belief = np.zeros(len(observer.hypotheses))
        for particle in observer.posterior.particles:
            belief[particle.engine] += particle.weight
        beliefs.append(belief[[h[0] for h in observer.hypotheses].index(observer.player.player_id)])
        assert observer.posterior.unexplained_steps == 0
    # from a uniform 1/3: players of one persona differ in routes, reaction times and aim, and that shows
    assert sum(b > 0.5 for b in beliefs) >= 3 and np.mean(beliefs) > 0.6, beliefs


def test_agreement_reports_the_observer_ceiling_beside_the_oracle():
    predicted = np.array([[0, 1], [1, 1], [1, 0], [0, 0]])
    actions = np.array([[0, 1], [1, 0], [1, 0], [1, 0]])
    probs = [np.array([[0.9, 0.1]] * 4), np.array([[0.2, 0.8]] * 4)]
    out = agreement_vs_ceiling(predicted, actions, probs, ("a", "b"), None,
                               (np.full(4, 0.5), np.array([[0.8, 0.7]] * 4)))
    assert out["joint"]["agreement"] == 0.5 and out["joint"]["observer_ceiling"] == 0.5
    assert out["joint"]["observer_ratio"] == 1.0 and out["joint"]["ceiling"] == pytest.approx(0.72)
    assert out["a"]["observer_ceiling"] == 0.8 and out["b"]["observer_ratio"] == pytest.approx(0.75 / 0.7, abs=1e-4)
    assert "observer_ceiling" not in agreement_vs_ceiling(predicted, actions, probs, ("a", "b"))["joint"]


def test_watching_needs_a_player_that_reports_probabilities_and_some_hypothesis():
    with pytest.raises(ValueError, match="report_probs=True"):
        ObservedPlayer(make_demonstrator("rusher", report_probs=False), [("rusher-0", 0.5)])
    with pytest.raises(ValueError, match="at least one"):
        PlayerPosterior("rusher", "blue_0", [])
