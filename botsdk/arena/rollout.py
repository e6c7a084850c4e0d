"""`play_match`: the one path through which demonstrators, trained policies and humans are recorded, so a dataset
never tells them apart by how it was captured (the Navigation Turing Test pitfall)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

import numpy as np

from botsdk.arena.batch import DEFAULT_MAX_STEPS, ArenaBatch
from botsdk.arena.view import AgentView, make_view

INFO_KEYS = ("position", "heading", "velocity", "health", "commanded_move", "out_of_bounds", "on_objective", "fired",
             "enemy_visible", "enemy_distance", "aim_error")


class Controller(Protocol):
    style: str
    player_id: str
    skill: float
    source: str
    last_probs: list[np.ndarray] | None

    def reset(self, agent_id: str, seed: int) -> None: ...

    def act(self, observation: np.ndarray, view: AgentView) -> np.ndarray: ...


@dataclass
class Trajectory:
    """One agent's episode in Minari's layout: T actions, T + 1 observations and infos."""

    observations: np.ndarray            # float32[T+1, O]
    actions: np.ndarray                 # int64[T, H]
    rewards: np.ndarray                 # float32[T]
    terminations: np.ndarray            # bool[T]
    truncations: np.ndarray             # bool[T]
    infos: dict[str, np.ndarray]        # position float32[T+1, 2], heading float32[T+1], ... (INFO_KEYS)
    meta: dict[str, Any] = field(default_factory=dict)
    action_probs: list[np.ndarray] | None = None  # per head float32[T, n_h] when the controller exposes them
    joint_max: np.ndarray | None = None  # float32[T]: the most likely joint action's probability, when exposed

    def __len__(self) -> int:
        return int(self.actions.shape[0])


class _Recorder:
    def __init__(self) -> None:
        self.obs: list[np.ndarray] = []
        self.actions: list[np.ndarray] = []
        self.rewards: list[float] = []
        self.terms: list[bool] = []
        self.truncs: list[bool] = []
        self.infos: dict[str, list] = {k: [] for k in INFO_KEYS}
        self.probs: list[list[np.ndarray]] | None = []
        self.joint: list[float] | None = []
        self.open = True

    def observe(self, obs: np.ndarray, batch: ArenaBatch, a: int) -> None:
        self.obs.append(obs.copy())
        info = batch.agent_info(0, a)
        for k in INFO_KEYS:
            self.infos[k].append(info[k])

    def finish(self, meta: dict) -> Trajectory:
        dtypes = {"position": np.float32, "velocity": np.float32, "heading": np.float32, "health": np.float32,
                  "enemy_distance": np.float32, "aim_error": np.float32}
        infos = {k: np.asarray(v, dtype=dtypes.get(k, np.bool_)) for k, v in self.infos.items()}
        probs = None
        if self.probs and len(self.probs) == len(self.actions):
            probs = [np.asarray([p[h] for p in self.probs], dtype=np.float32) for h in range(len(self.probs[0]))]
        joint = np.asarray(self.joint, dtype=np.float32) if self.joint and len(self.joint) == len(self.actions) else None
        n_heads = 4
        return Trajectory(
            observations=np.asarray(self.obs, dtype=np.float32),
            actions=np.asarray(self.actions, dtype=np.int64).reshape(-1, n_heads),
            rewards=np.asarray(self.rewards, dtype=np.float32),
            terminations=np.asarray(self.terms, dtype=np.bool_),
            truncations=np.asarray(self.truncs, dtype=np.bool_),
            infos=infos, meta=meta, action_probs=probs, joint_max=joint)


def agent_seed(seed: int, index: int) -> int:
    return int(np.random.SeedSequence([seed, index]).generate_state(1)[0])


def play_match(map_name: str, seed: int, controllers: dict[str, Controller], team_size: int = 2,
               max_steps: int = DEFAULT_MAX_STEPS, on_step: Callable[[ArenaBatch], None] | None = None
               ) -> dict[str, Trajectory]:
    """Play one round with a controller per agent (`blue_0..`, `red_0..`); returns each agent's trajectory.

    An agent that dies ends its trajectory with termination; at the round's end the rest terminate (objective
    taken, team eliminated) or truncate (time). `on_step(batch)` runs after the reset and after every step (the
    human-play window draws there)."""
    batch = ArenaBatch(map_name, team_size=team_size, n_envs=1, max_steps=max_steps)
    missing = [a for a in batch.agents if a not in controllers]
    extra = [a for a in controllers if a not in batch.agents]
    if missing or extra:
        raise ValueError(f"controllers: expected one per agent {batch.agents}, got {sorted(controllers)}")
    batch.reset([seed])
    for i, agent in enumerate(batch.agents):
        controllers[agent].reset(agent, agent_seed(seed, i))
    rec = {agent: _Recorder() for agent in batch.agents}
    for a, agent in enumerate(batch.agents):
        rec[agent].observe(batch.obs[0, a], batch, a)
    if on_step is not None:
        on_step(batch)
    while not batch.done[0]:
        actions = np.zeros((1, batch.n_agents, 4), dtype=np.int64)
        acting = [a for a in range(batch.n_agents) if batch.alive[0, a]]
        for a in acting:
            agent = batch.agents[a]
            act = np.asarray(controllers[agent].act(batch.obs[0, a].copy(), make_view(batch, 0, a)))
            actions[0, a] = act
            r = rec[agent]
            r.actions.append(act.astype(np.int64))
            probs = getattr(controllers[agent], "last_probs", None)
            if probs is None or r.probs is None:
                r.probs = None
            else:
                r.probs.append([np.asarray(p, dtype=np.float32) for p in probs])
            joint = getattr(controllers[agent], "last_joint_max", None)
            if joint is None or r.joint is None:
                r.joint = None
            else:
                r.joint.append(float(joint))
        batch.step(actions)
        done = bool(batch.done[0])
        decided = done and batch.winner[0] >= 0 or done and batch.steps[0] < max_steps
        for a in acting:
            agent = batch.agents[a]
            r = rec[agent]
            r.rewards.append(float(batch.reward[0, a]))
            died = not batch.alive[0, a]
            r.terms.append(died or decided)
            r.truncs.append(done and not (died or decided))
            r.observe(batch.obs[0, a], batch, a)
        if on_step is not None:
            on_step(batch)
    out = {}
    for a, agent in enumerate(batch.agents):
        c = controllers[agent]
        meta = {"player_id": c.player_id, "source": c.source, "style": c.style, "skill": float(c.skill),
                "map": batch.map.name, "seed": int(seed), "team": "blue" if batch.team[a] == 0 else "red",
                "agent_id": agent, "winner": ["blue", "red"][batch.winner[0]] if batch.winner[0] >= 0 else None,
                "team_size": team_size, "max_steps": max_steps}
        out[agent] = rec[agent].finish(meta)
    return out
