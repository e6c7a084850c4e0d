"""The arena's Gymnasium and PettingZoo interfaces, determinism, info contents, and action errors."""

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env
from pettingzoo.test import parallel_api_test

import botsdk.arena
from botsdk.arena.batch import ArenaBatch
from botsdk.arena.demonstrators import make_demonstrator
from botsdk.arena.rollout import play_match


def test_gymnasium_check_env():
    env = gym.make("botsdk/Arena-v0", map_name="duel", team_size=1, max_steps=48)
    check_env(env.unwrapped)
    obs, info = env.reset(seed=3)
    assert obs.shape == (botsdk.arena.arena_contract().observation_size,)
    assert env.observation_space.contains(obs)


def test_pettingzoo_parallel_api():
    env = botsdk.arena.parallel_env(map_name="crossroads", team_size=2, seed=1, max_steps=40)
    parallel_api_test(env, num_cycles=60)
    assert env.possible_agents == ["blue_0", "blue_1", "red_0", "red_1"]


def test_info_carries_position_heading_and_playtest_flags():
    env = botsdk.arena.parallel_env(map_name="crossroads", team_size=1, seed=0, max_steps=20)
    obs, infos = env.reset(seed=0)
    actions = {a: np.array([3, 7, 0, 0]) for a in env.agents}  # walk east
    _, _, _, _, infos2 = env.step(actions)
    for agent in env.possible_agents:
        info = infos2[agent]
        assert len(info["position"]) == 2 and isinstance(info["heading"], float)
        assert info["commanded_move"] is True and info["out_of_bounds"] is False
    assert infos2["blue_0"]["position"][0] > infos["blue_0"]["position"][0]  # walked east, away from the west wall


def _match(seed):
    styles = {"blue_0": "rusher", "blue_1": "holder", "red_0": "explorer", "red_1": "objective"}
    controllers = {a: make_demonstrator(s, seed=i, player_id=f"{s}-01") for i, (a, s) in enumerate(styles.items())}
    return play_match("crossroads", seed, controllers, team_size=2, max_steps=160)


def test_same_seed_same_episode_bit_for_bit():
    first, second, other = _match(11), _match(11), _match(12)
    for agent in first:
        a, b = first[agent], second[agent]
        assert a.observations.tobytes() == b.observations.tobytes()
        assert a.actions.tobytes() == b.actions.tobytes()
        assert a.rewards.tobytes() == b.rewards.tobytes()
        assert a.infos["position"].tobytes() == b.infos["position"].tobytes()
    assert any(first[a].observations.shape != other[a].observations.shape
               or not np.array_equal(first[a].observations, other[a].observations) for a in first)


def test_trajectory_layout_and_meta():
    traj = _match(5)
    contract = botsdk.arena.arena_contract()
    for agent, t in traj.items():
        n = len(t)
        assert t.observations.shape == (n + 1, contract.observation_size) and t.observations.dtype == np.float32
        assert t.actions.shape == (n, 4) and t.actions.dtype == np.int64
        assert t.infos["position"].shape == (n + 1, 2) and t.infos["heading"].shape == (n + 1,)
        assert t.terminations[-1] or t.truncations[-1]
        assert not (t.terminations[:-1].any() or t.truncations[:-1].any())
        assert {"player_id", "source", "style", "skill", "map", "seed", "team", "agent_id"} <= set(t.meta)
        assert t.meta["agent_id"] == agent and t.meta["map"] == "crossroads"


def test_batched_envs_match_single_env():
    rng = np.random.default_rng(0)
    single, batch = ArenaBatch("depot", 2, n_envs=1), ArenaBatch("depot", 2, n_envs=3)
    single.reset([7])
    batch.reset([5, 7, 9])
    for _ in range(40):
        acts = np.stack([rng.integers(0, k, size=(3, 4)) for k in (9, 15, 2, 2)], -1)
        single.step(acts[1:2])
        batch.step(acts)
        assert np.array_equal(single.obs[0], batch.obs[1])


def test_invalid_actions_get_clear_errors():
    env = gym.make("botsdk/Arena-v0", map_name="duel", team_size=1).unwrapped
    env.reset(seed=0)
    with pytest.raises(ValueError, match=r"expected 4 indices"):
        env.step(np.array([9, 0, 0, 0]))
    with pytest.raises(ValueError, match=r"expected 4 indices"):
        env.step(np.array([1, 2]))
    pz = botsdk.arena.parallel_env(map_name="duel", team_size=1, seed=0)
    pz.reset(seed=0)
    with pytest.raises(ValueError, match=r"head 'turn' for agent blue_0: expected an index in \[0, 15\), got 15"):
        pz.step({"blue_0": np.array([0, 15, 0, 0]), "red_0": np.array([0, 0, 0, 0])})
    with pytest.raises(ValueError, match="live agents"):
        pz.step({"green_0": np.array([0, 0, 0, 0])})


def test_batched_env_flags_round_ends_and_auto_resets():
    from botsdk.arena.vector import BatchedArenaEnv

    env = BatchedArenaEnv("duel", team_size=1, n_envs=3, seed=0, max_steps=20)
    obs = env.reset()
    assert obs.shape == (3, 2, botsdk.arena.arena_contract().observation_size)
    idle = np.zeros((3, 2, 4), dtype=np.int64)
    idle[..., 1] = 7
    ended = 0
    for t in range(45):
        obs, rewards, terminated, truncated = env.step(idle)
        assert not (terminated & truncated).any()
        if t == 19:
            assert truncated.all()  # idle agents: every round runs out of time together
        ended += int(truncated.any())
    assert ended == 2 and env.batch.steps.max() == 5  # restarted twice, five steps into the third round


def test_enemy_block_reports_the_nearest_visible_enemy():
    """The observation's enemy block is what the demonstrators aim with (so a model can aim as they do): it agrees
    with the game's perception whenever an enemy is in view, and reads [0, 0, 0, 0, 1] when none is."""
    from botsdk.arena.contract import AIM_SCALE_DEG, ENEMY_FIELDS, arena_contract

    contract = arena_contract()
    start = contract.frame_size - len(ENEMY_FIELDS)
    traj = _match(3)
    seen_steps = 0
    for t in traj.values():
        block = t.observations[:, -contract.frame_size:][:, start:]
        visible = t.infos["enemy_visible"]
        assert np.array_equal(block[:, 0] == 1.0, visible)
        np.testing.assert_allclose(block[~visible], np.tile([0, 0, 0, 0, 1], (int((~visible).sum()), 1)))
        distance = t.infos["enemy_distance"][visible] / contract.rays.max_distance
        np.testing.assert_allclose(block[visible, 4], distance, atol=1e-6)
        bearing = np.arctan2(block[visible, 1], block[visible, 2])
        np.testing.assert_allclose(block[visible, 3], np.clip(np.degrees(bearing) / AIM_SCALE_DEG, -1, 1), atol=1e-5)
        seen_steps += int(visible.sum())
    assert seen_steps > 20  # the match has fights, so the comparison above is not vacuous
