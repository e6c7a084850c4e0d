"""Gymnasium and PettingZoo faces of the arena. Both drive one `ArenaBatch` env, so their rules, sensors and
determinism are the batch's: the same seed gives the same episode bit for bit."""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces
from pettingzoo import ParallelEnv

from botsdk.arena.batch import DEFAULT_MAX_STEPS, ArenaBatch, agent_names
from botsdk.arena.rollout import agent_seed
from botsdk.arena.view import make_view

RENDER_MODES = ["human", "rgb_array"]


def _spaces(batch: ArenaBatch) -> tuple[spaces.Box, spaces.MultiDiscrete]:
    obs = spaces.Box(-1.0, 1.0, shape=(batch.contract.observation_size,), dtype=np.float32)
    act = spaces.MultiDiscrete(np.array(batch.contract.head_sizes, dtype=np.int64))
    return obs, act


def _seed_from(rng: np.random.Generator) -> int:
    return int(rng.integers(0, 2**31 - 1))


class ArenaParallelEnv(ParallelEnv):
    """Every agent acts (PettingZoo Parallel API). Agents leave `agents` when they die or the round ends."""

    metadata = {"name": "botsdk_arena_v0", "render_modes": RENDER_MODES, "render_fps": 16, "is_parallelizable": True}

    def __init__(self, map_name: str = "crossroads", team_size: int = 2, seed: int | None = None,
                 render_mode: str | None = None, max_steps: int = DEFAULT_MAX_STEPS):
        if render_mode is not None and render_mode not in RENDER_MODES:
            raise ValueError(f"render_mode: expected one of {RENDER_MODES} or None, got {render_mode!r}")
        self.batch = ArenaBatch(map_name, team_size=team_size, n_envs=1, max_steps=max_steps)
        self.possible_agents = agent_names(team_size)
        self.agents: list[str] = []
        self.render_mode = render_mode
        self._obs_space, self._act_space = _spaces(self.batch)
        self._rng = np.random.default_rng(seed)
        self._renderer = None

    def observation_space(self, agent: str) -> spaces.Box:
        return self._obs_space

    def action_space(self, agent: str) -> spaces.MultiDiscrete:
        return self._act_space

    def reset(self, seed: int | None = None, options: dict | None = None):
        if seed is not None:
            self._rng = np.random.default_rng(seed)
        self.batch.reset([_seed_from(self._rng)])
        self.agents = list(self.possible_agents)
        obs = {a: self._obs(i) for i, a in enumerate(self.possible_agents)}
        infos = {a: self.batch.agent_info(0, i) for i, a in enumerate(self.possible_agents)}
        if self.render_mode == "human":
            self.render()
        return obs, infos

    def _obs(self, i: int) -> np.ndarray:
        return np.clip(self.batch.obs[0, i], -1.0, 1.0)

    def step(self, actions: dict[str, Any]):
        unknown = [a for a in actions if a not in self.agents]
        if unknown:
            raise ValueError(f"actions: expected keys among the live agents {self.agents}, got {unknown[0]!r}")
        arr = np.zeros((1, self.batch.n_agents, 4), dtype=np.int64)
        for i, agent in enumerate(self.possible_agents):
            if agent in actions:
                a = np.asarray(actions[agent])
                if a.shape != (4,):
                    raise ValueError(f"action for {agent}: expected 4 indices [move, turn, fire, interact], got shape {a.shape}")
                arr[0, i] = a
        self.batch.step(arr)
        done = bool(self.batch.done[0])
        decided = done and (self.batch.winner[0] >= 0 or self.batch.steps[0] < self.batch.max_steps)
        obs, rewards, terms, truncs, infos = {}, {}, {}, {}, {}
        for i, agent in enumerate(self.possible_agents):
            if agent not in self.agents:
                continue
            obs[agent] = self._obs(i)
            rewards[agent] = float(self.batch.reward[0, i])
            died = not self.batch.alive[0, i]
            terms[agent] = died or decided
            truncs[agent] = done and not terms[agent]
            infos[agent] = self.batch.agent_info(0, i)
        self.agents = [a for a in self.agents if not (terms[a] or truncs[a])]
        if self.render_mode == "human":
            self.render()
        return obs, rewards, terms, truncs, infos

    def render(self):
        if self.render_mode is None:
            gym.logger.warn("render() called without a render_mode; pass render_mode='rgb_array' or 'human'")
            return None
        if self._renderer is None:
            from botsdk.arena.render import Renderer

            self._renderer = Renderer(self.batch.map, human=self.render_mode == "human")
        return self._renderer.draw(self.batch, 0)

    def close(self) -> None:
        if self._renderer is not None:
            self._renderer.close()
            self._renderer = None

    def state(self) -> np.ndarray:
        return np.concatenate([self.batch.pos[0].ravel(), self.batch.heading[0], self.batch.health[0]])


class ArenaEnv(gym.Env):
    """One learning agent (`agent`, default blue_0); the others are scripted demonstrators of the given styles."""

    metadata = {"render_modes": RENDER_MODES, "render_fps": 16}

    def __init__(self, map_name: str = "crossroads", team_size: int = 2, render_mode: str | None = None,
                 max_steps: int = DEFAULT_MAX_STEPS, agent: str = "blue_0", teammates: str = "objective",
                 opponents: str = "objective", skill: float = 0.7):
        from botsdk.arena.demonstrators import make_demonstrator

        self._pz = ArenaParallelEnv(map_name, team_size, render_mode=render_mode, max_steps=max_steps)
        if agent not in self._pz.possible_agents:
            raise ValueError(f"agent: expected one of {self._pz.possible_agents}, got {agent!r}")
        self.agent = agent
        self.render_mode = render_mode
        self.observation_space, self.action_space = _spaces(self._pz.batch)
        team = agent.split("_")[0]
        self.others = {a: make_demonstrator(teammates if a.startswith(team) else opponents, seed=i, skill=skill,
                                            player_id=f"{teammates if a.startswith(team) else opponents}-{i:02d}",
                                            report_probs=False)
                       for i, a in enumerate(self._pz.possible_agents) if a != agent}
        self._seed = 0

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        episode_seed = _seed_from(self.np_random)
        obs, infos = self._pz.reset(seed=episode_seed)
        for i, a in enumerate(self._pz.possible_agents):
            if a in self.others:
                self.others[a].reset(a, agent_seed(episode_seed, i))
        return obs[self.agent], infos[self.agent]

    def step(self, action):
        if self.agent not in self._pz.agents:
            raise RuntimeError("step() called after the episode ended; call reset()")
        a = np.asarray(action)
        if a.shape != (4,) or not self.action_space.contains(a.astype(np.int64)):
            raise ValueError(f"action: expected 4 indices within {self.action_space.nvec.tolist()} "
                             f"[move, turn, fire, interact], got {a.tolist()}")
        batch = self._pz.batch
        actions = {self.agent: a.astype(np.int64)}
        for i, other in enumerate(self._pz.possible_agents):
            if other in self.others and other in self._pz.agents:
                actions[other] = self.others[other].act(batch.obs[0, i].copy(), make_view(batch, 0, i))
        obs, rewards, terms, truncs, infos = self._pz.step(actions)
        terminated, truncated = terms[self.agent], truncs[self.agent]
        if not (terminated or truncated) and self.agent not in self._pz.agents:
            terminated = True
        return obs[self.agent], rewards[self.agent], terminated, truncated, infos[self.agent]

    def render(self):
        return self._pz.render()

    def close(self) -> None:
        self._pz.close()


def parallel_env(map_name: str = "crossroads", team_size: int = 2, seed: int | None = None,
                 render_mode: str | None = None, max_steps: int = DEFAULT_MAX_STEPS) -> ArenaParallelEnv:
    return ArenaParallelEnv(map_name=map_name, team_size=team_size, seed=seed, render_mode=render_mode,
                            max_steps=max_steps)
