"""A tiny grid-world Gymnasium env (and a PettingZoo twin) with seeded defects, to show the playtest hook works on
an env that is not the arena: a gap in the border that leaks out of bounds, a trap cell that holds an agent for
good, and a pickup sealed behind walls."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
from pettingzoo import ParallelEnv

from botsdk.playtest.records import PlaytestWorld, PointOfInterest

LAYOUT = (  # top row first; '#' wall, 'S' spawn, 'P' sealed pickup, 'T' trap, 'G' goal; the gap is on the right
    "##########",
    "#S.......#",
    "#.###....#",
    "#.#P#....#",
    "#.###.....",
    "#........#",
    "#...T...G#",
    "##########",
)
MOVES = ((0, 0), (0, 1), (1, 0), (0, -1), (-1, 0))  # none, north, east, south, west as (dx, dy)
DT = 0.25


def grid(layout: tuple[str, ...] = LAYOUT) -> np.ndarray:
    """Characters indexed [row, col] with row 0 at the bottom (y up)."""
    return np.array([list(r) for r in reversed(layout)])


def cell(char: str, layout: tuple[str, ...] = LAYOUT) -> tuple[int, int]:
    rows, cols = np.nonzero(grid(layout) == char)
    return int(cols[0]), int(rows[0])


def world(layout: tuple[str, ...] = LAYOUT) -> PlaytestWorld:
    g = grid(layout)
    centre = lambda c: (cell(c, layout)[0] + 0.5, cell(c, layout)[1] + 0.5)  # noqa: E731
    points = [PointOfInterest("start", "checkpoint", centre("S"), 0.5),
              PointOfInterest("goal", "checkpoint", centre("G"), 0.5)]
    if "P" in "".join(layout):
        points.append(PointOfInterest("sealed", "pickup", centre("P"), 0.5))
    return PlaytestWorld("gridworld", (0.0, 0.0, float(g.shape[1]), float(g.shape[0])), 1.0, g != "#",
                         (centre("S"),), tuple(points), ("start", "goal"), dt=DT)


class GridWorldEnv(gym.Env):
    """One agent; action 0..4 (none, N, E, S, W); info carries `position` (cell centre) and `moving`."""

    metadata = {"render_modes": []}

    def __init__(self, layout: tuple[str, ...] = LAYOUT, max_steps: int = 400) -> None:
        self.grid = grid(layout)
        self.start = cell("S", layout)
        self.max_steps = max_steps
        self.observation_space = gym.spaces.Box(-100, 100, (2,), np.float32)
        self.action_space = gym.spaces.Discrete(5)

    def _info(self, action: int = 0) -> dict:
        return {"position": (self.x + 0.5, self.y + 0.5), "moving": action != 0}

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        self.x, self.y = self.start
        self.t, self.trapped = 0, False
        return np.array([self.x, self.y], np.float32), self._info()

    def blocked(self, x: int, y: int) -> bool:
        inside = 0 <= y < self.grid.shape[0] and 0 <= x < self.grid.shape[1]
        return inside and self.grid[y, x] == "#"

    def step(self, action):
        action = int(action)
        if not 0 <= action < len(MOVES):
            raise ValueError(f"action must be in 0..{len(MOVES) - 1}, got {action}")
        dx, dy = MOVES[action]
        if not self.trapped and not self.blocked(self.x + dx, self.y + dy):
            self.x, self.y = self.x + dx, self.y + dy
        inside = 0 <= self.y < self.grid.shape[0] and 0 <= self.x < self.grid.shape[1]
        self.trapped = self.trapped or (inside and self.grid[self.y, self.x] == "T")
        self.t += 1
        return (np.array([self.x, self.y], np.float32), 0.0, False, self.t >= self.max_steps, self._info(action))


def explorer(seed: int, layout: tuple[str, ...] = LAYOUT):
    """Knows the walls and heads for the least-visited neighbour: the kind of curiosity a QA explorer has."""
    rng = np.random.default_rng(seed)
    probe = GridWorldEnv(layout)
    visits: dict[tuple[int, int], int] = {}

    def policy(observation, info) -> int:
        x, y = int(observation[0]), int(observation[1])
        visits[(x, y)] = visits.get((x, y), 0) + 1
        options = [a for a in range(1, 5) if not probe.blocked(x + MOVES[a][0], y + MOVES[a][1])]
        scores = [visits.get((x + MOVES[a][0], y + MOVES[a][1]), 0) + rng.random() for a in options]
        return options[int(np.argmin(scores))]

    return policy


def idler(seed: int):
    return lambda observation, info: 0


class GridWorldParallel(ParallelEnv):
    """Two agents on the same grid, each a GridWorldEnv (no interaction): the PettingZoo shape of the hook."""

    metadata = {"name": "gridworld_parallel_v0"}

    def __init__(self, layout: tuple[str, ...] = LAYOUT, max_steps: int = 400) -> None:
        self.possible_agents = ["a_0", "a_1"]
        self.envs = {a: GridWorldEnv(layout, max_steps) for a in self.possible_agents}

    def observation_space(self, agent):
        return self.envs[agent].observation_space

    def action_space(self, agent):
        return self.envs[agent].action_space

    def reset(self, seed=None, options=None):
        self.agents = list(self.possible_agents)
        out = {a: self.envs[a].reset(seed=None if seed is None else seed + i) for i, a in enumerate(self.agents)}
        return {a: o for a, (o, _) in out.items()}, {a: i for a, (_, i) in out.items()}

    def step(self, actions):
        out = {a: self.envs[a].step(actions[a]) for a in self.agents}
        obs = {a: o[0] for a, o in out.items()}
        rewards = {a: o[1] for a, o in out.items()}
        terms = {a: o[2] for a, o in out.items()}
        truncs = {a: o[3] for a, o in out.items()}
        infos = {a: o[4] for a, o in out.items()}
        self.agents = [a for a in self.agents if not (terms[a] or truncs[a])]
        return obs, rewards, terms, truncs, infos


def make_hook():
    """For `botsdk playtest --hook playtest_gridworld:make_hook` (the CLI path of the generic hook)."""
    from botsdk.playtest.hooks import GymnasiumHook

    return GymnasiumHook("gridworld", GridWorldEnv, world(), {"explorer": explorer, "idler": idler})
