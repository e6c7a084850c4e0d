"""`ArenaBatch`: n_envs arena rounds on one map stepped together. The single env, the PettingZoo env, the Gymnasium
env, the rollout and the benchmark all drive this one class, so every path shares the same rules and sensors.

Sensors: all envs are tiled side by side in one sensor scene (far enough apart that no ray crosses between them),
so each step is one `cast_rays_2d` call per team for every env at once.
"""

from __future__ import annotations

import math
import time

import numpy as np

from botsdk.arena import sim
from botsdk.arena.contract import (AIM_SCALE_DEG, ENEMY_FIELDS, FRAME_STACK, MOVE_VALUES, SELF_FIELDS, TURN_DEGREES,
                                   arena_contract)
from botsdk.arena.maps import ArenaMap, load_map
from botsdk.arena.physics import AGENT_RADIUS, penetration

TEAM_NAMES = ("blue", "red")
TAG_WALL, TAG_TEAMMATE, TAG_ENEMY, TAG_OBJECTIVE, TAG_PICKUP = range(5)
OBJECTIVE_MARKER_RADIUS = 0.6
PICKUP_MARKER_RADIUS = 0.4
DEFAULT_MAX_STEPS = 480


def agent_names(team_size: int) -> list[str]:
    return [f"{TEAM_NAMES[t]}_{i}" for t in range(2) for i in range(team_size)]


class ArenaBatch:
    """State of n_envs rounds with 2 * team_size agents each (blue agents first, then red)."""

    def __init__(self, map_name: str | ArenaMap = "crossroads", team_size: int = 2, n_envs: int = 1,
                 max_steps: int = DEFAULT_MAX_STEPS):
        if not isinstance(team_size, int) or not 1 <= team_size <= 4:
            raise ValueError(f"team_size: expected an integer from 1 to 4, got {team_size!r}")
        if not isinstance(max_steps, int) or max_steps <= 0:
            raise ValueError(f"max_steps: expected a positive integer, got {max_steps!r}")
        self.map = map_name if isinstance(map_name, ArenaMap) else load_map(map_name)
        self.contract = arena_contract()
        self.team_size, self.n_envs, self.max_steps = team_size, n_envs, max_steps
        self.n_agents = 2 * team_size
        self.agents = agent_names(team_size)
        self.team = np.repeat(np.arange(2, dtype=np.int64), team_size)
        self.frame_size = self.contract.frame_size
        self.ray_size = self.contract.rays.size
        self._move_values = np.array(MOVE_VALUES, dtype=np.float64)
        self._turn_rad = np.radians(np.array(TURN_DEGREES, dtype=np.float64))
        self._head_sizes = np.array(self.contract.head_sizes, dtype=np.int64)
        m = self.map
        b = m.bounds
        self._world = np.array([b[0] - sim.OUT_MARGIN, b[1] - sim.OUT_MARGIN, b[2] + sim.OUT_MARGIN,
                                b[3] + sim.OUT_MARGIN])
        self._objective = np.array(m.objective, dtype=np.float64)
        self._pickups = np.array([(p.x, p.y) for p in m.pickups], dtype=np.float64).reshape(-1, 2)
        self._pickup_kind = np.array([0 if p.kind == "ammo" else 1 for p in m.pickups], dtype=np.int64)
        self._alloc()
        self._build_sensor_scene()
        self.sim_seconds = 0.0
        self.sensor_seconds = 0.0

    # ---- state ---------------------------------------------------------------------------------------------
    def _alloc(self) -> None:
        n, a, p = self.n_envs, self.n_agents, len(self.map.pickups)
        self.pos = np.zeros((n, a, 2))
        self.vel = np.zeros((n, a, 2))
        self.heading = np.zeros((n, a))
        self.health = np.zeros((n, a))
        self.ammo = np.zeros((n, a), dtype=np.int64)
        self.cooldown = np.zeros((n, a), dtype=np.int64)
        self.reload = np.zeros((n, a), dtype=np.int64)
        self.alive = np.zeros((n, a), dtype=np.bool_)
        self.pickup_active = np.zeros((n, p), dtype=np.bool_)
        self.capture = np.zeros((n, 2), dtype=np.int64)
        self.steps = np.zeros(n, dtype=np.int64)
        self.done = np.zeros(n, dtype=np.bool_)
        self.winner = np.full(n, -1, dtype=np.int64)
        self.rng = np.zeros(n, dtype=np.uint64)
        self.reward = np.zeros((n, a))
        self.commanded = np.zeros((n, a), dtype=np.bool_)
        self.fired = np.zeros((n, a), dtype=np.bool_)
        self.hit = np.full((n, a), -1, dtype=np.int64)
        self.enemy_distance = np.full((n, a), np.nan)
        self.enemy_bearing = np.full((n, a), np.nan)
        self.enemy_index = np.full((n, a), -1, dtype=np.int64)
        self.obs = np.zeros((n, a, FRAME_STACK * self.frame_size), dtype=np.float32)

    def reset(self, seeds: list[int] | np.ndarray, envs: list[int] | np.ndarray | None = None) -> None:
        """Start new rounds in `envs` (all by default), each from its own seed: spawns and shot noise follow it."""
        envs = np.arange(self.n_envs) if envs is None else np.asarray(envs)
        for e, seed in zip(envs, seeds):
            self._reset_env(int(e), int(seed))
        self._perceive()
        frames = self._frames()
        for e in envs:
            self.obs[e] = np.tile(frames[e], (1, FRAME_STACK))

    def _reset_env(self, e: int, seed: int) -> None:
        rng = np.random.default_rng(seed)
        m = self.map
        placed: list[tuple[float, float]] = []
        for a in range(self.n_agents):
            x0, y0, x1, y1 = m.spawns[TEAM_NAMES[self.team[a]]]
            for _ in range(200):
                x, y = rng.uniform(x0 + AGENT_RADIUS, x1 - AGENT_RADIUS), rng.uniform(y0 + AGENT_RADIUS, y1 - AGENT_RADIUS)
                clear = penetration(x, y, x, y, m.segments, m.one_sided, AGENT_RADIUS) <= 0.0
                if clear and all((x - px) ** 2 + (y - py) ** 2 > (2.2 * AGENT_RADIUS) ** 2 for px, py in placed):
                    break
            placed.append((x, y))
            self.pos[e, a] = (x, y)
            to_obj = math.atan2(m.objective[1] - y, m.objective[0] - x)
            self.heading[e, a] = float(sim._wrap(to_obj + rng.normal(0.0, 0.3)))
        self.vel[e] = 0.0
        self.health[e] = sim.MAX_HEALTH
        self.ammo[e] = sim.MAGAZINE
        self.cooldown[e] = 0
        self.reload[e] = 0
        self.alive[e] = True
        self.pickup_active[e] = True
        self.capture[e] = 0
        self.steps[e] = 0
        self.done[e] = False
        self.winner[e] = -1
        self.rng[e] = np.uint64(rng.integers(0, 2**63 - 1))
        self.reward[e] = 0.0
        self.commanded[e] = False
        self.fired[e] = False
        self.hit[e] = -1

    def check_actions(self, actions: np.ndarray) -> np.ndarray:
        """int64[n_envs, n_agents, 4] or raise a ValueError naming the shape or the head and index out of range."""
        arr = np.asarray(actions)
        expected = (self.n_envs, self.n_agents, len(self._head_sizes))
        if arr.shape != expected:
            raise ValueError(f"actions: expected shape {expected} (envs, agents, heads "
                             f"{list(self.contract.head_names)}), got {arr.shape}")
        if arr.dtype.kind not in "iu":
            if not np.all(np.equal(np.mod(arr, 1), 0)):
                raise ValueError(f"actions: expected integer indices, got dtype {arr.dtype}")
        arr = arr.astype(np.int64)
        bad = (arr < 0) | (arr >= self._head_sizes)
        if bad.any():
            e, a, h = map(int, np.argwhere(bad)[0])
            raise ValueError(f"action head '{self.contract.head_names[h]}' for agent {self.agents[a]}: expected an index "
                             f"in [0, {self._head_sizes[h]}), got {int(arr[e, a, h])}")
        return np.ascontiguousarray(arr)

    def step(self, actions: np.ndarray) -> None:
        """One decision step for every env not done (done envs stay frozen until reset)."""
        acts = self.check_actions(actions)
        t0 = time.perf_counter()
        m = self.map
        sim.step_kernel(self.pos, self.vel, self.heading, self.health, self.ammo, self.cooldown, self.reload,
                        self.alive, self.team, acts, m.segments, m.one_sided, self._world, self._objective,
                        m.objective_radius, m.capture_steps, self._pickups, self._pickup_kind, self.pickup_active,
                        self.capture, self.steps, self.max_steps, self.done, self.winner, self.rng,
                        self._move_values, self._turn_rad, self.reward, self.commanded, self.fired, self.hit)
        self._perceive()
        t1 = time.perf_counter()
        frames = self._frames()
        f = self.frame_size
        self.obs[:, :, :-f] = self.obs[:, :, f:]
        self.obs[:, :, -f:] = frames
        self.sim_seconds += t1 - t0
        self.sensor_seconds += time.perf_counter() - t1

    def _perceive(self) -> None:
        sim.perceive_kernel(self.pos, self.heading, self.alive, self.team, self.map.segments,
                            self.enemy_distance, self.enemy_bearing, self.enemy_index)

    # ---- sensors -------------------------------------------------------------------------------------------
    def _build_sensor_scene(self) -> None:
        from botsdk.sensors import Scene2D

        m = self.map
        self._stride = m.width + 2 * sim.OUT_MARGIN + 2 * self.contract.rays.max_distance + 10.0
        self._offsets = np.arange(self.n_envs) * self._stride
        segs = np.concatenate([m.segments + np.array([o, 0.0, o, 0.0]) for o in self._offsets])
        bounds = (m.bounds[0] - sim.OUT_MARGIN, m.bounds[1] - sim.OUT_MARGIN,
                  self._offsets[-1] + m.bounds[2] + sim.OUT_MARGIN, m.bounds[3] + sim.OUT_MARGIN)
        self._scene = Scene2D(segs, np.zeros(len(segs), dtype=np.int32), cell_size=2.0, bounds=bounds)
        n_circles = self.n_agents + 1 + len(m.pickups)
        self._n_circles = n_circles
        tags = np.empty((2, n_circles), dtype=np.int32)
        for t in range(2):
            tags[t, : self.n_agents] = np.where(self.team == t, TAG_TEAMMATE, TAG_ENEMY)
            tags[t, self.n_agents] = TAG_OBJECTIVE
            tags[t, self.n_agents + 1:] = TAG_PICKUP
        self._circle_tags = [np.tile(tags[t], self.n_envs) for t in range(2)]
        self._team_agents = [np.flatnonzero(self.team == t) for t in range(2)]
        self._owners = [(np.arange(self.n_envs)[:, None] * n_circles + self._team_agents[t][None, :]).ravel()
                        .astype(np.int32) for t in range(2)]
        self._rays = np.empty((self.n_envs, self.n_agents, self.ray_size), dtype=np.float32)
        self._parking = m.bounds[2] + sim.OUT_MARGIN + self.contract.rays.max_distance + 5.0

    def _circles(self) -> np.ndarray:
        m = self.map
        n, a = self.n_envs, self.n_agents
        c = np.empty((n, self._n_circles, 3))
        c[:, :a, :2] = self.pos
        c[:, :a, 2] = np.where(self.alive, AGENT_RADIUS, 0.0)
        c[:, a, :2] = self._objective
        c[:, a, 2] = OBJECTIVE_MARKER_RADIUS
        c[:, a + 1:, :2] = self._pickups
        c[:, a + 1:, 2] = np.where(self.pickup_active, PICKUP_MARKER_RADIUS, 0.0)
        hidden = c[:, :, 2] == 0.0  # dead agents and taken pickups park between tiles, beyond every ray
        c[:, :, 0] = np.where(hidden, self._parking, c[:, :, 0])
        c[:, :, 1] = np.where(hidden, m.bounds[1], c[:, :, 1])
        c[:, :, 0] += self._offsets[:, None]
        return c.reshape(-1, 3)

    def _frames(self) -> np.ndarray:
        """float32[n_envs, n_agents, frame_size]: rays then the self block."""
        from botsdk.sensors import cast_rays_2d

        circles = self._circles()
        spec = self.contract.rays
        for t in range(2):
            idx = self._team_agents[t]
            origins = self.pos[:, idx].copy()
            origins[:, :, 0] += self._offsets[:, None]
            out = cast_rays_2d(self._scene, spec, origins.reshape(-1, 2), self.heading[:, idx].ravel(), circles,
                               self._circle_tags[t], self._owners[t])
            self._rays[:, idx] = out.reshape(self.n_envs, len(idx), -1)
        frames = np.empty((self.n_envs, self.n_agents, self.frame_size), dtype=np.float32)
        frames[:, :, : self.ray_size] = self._rays
        own = self.ray_size + len(SELF_FIELDS)
        frames[:, :, self.ray_size:own] = self.self_block()
        frames[:, :, own:] = self.enemy_block()
        return frames

    def self_block(self) -> np.ndarray:
        """float32[n_envs, n_agents, 13] in SELF_FIELDS order."""
        m = self.map
        h = self.heading
        c, s = np.cos(h), np.sin(h)
        vx, vy = self.vel[..., 0] / sim.MAX_SPEED, self.vel[..., 1] / sim.MAX_SPEED
        ox = m.objective[0] - self.pos[..., 0]
        oy = m.objective[1] - self.pos[..., 1]
        dist = np.hypot(ox, oy)
        ux, uy = ox / np.maximum(dist, 1e-9), oy / np.maximum(dist, 1e-9)
        out = np.empty(h.shape + (len(SELF_FIELDS),), dtype=np.float32)
        out[..., 0] = self.health / sim.MAX_HEALTH
        out[..., 1] = self.ammo / sim.MAGAZINE
        out[..., 2] = vx * c + vy * s
        out[..., 3] = vx * s - vy * c
        out[..., 4] = s
        out[..., 5] = c
        out[..., 6] = (self.pos[..., 0] - m.bounds[0]) / m.width
        out[..., 7] = (self.pos[..., 1] - m.bounds[1]) / m.height
        out[..., 8] = ux * c + uy * s
        out[..., 9] = ux * s - uy * c
        out[..., 10] = dist / m.diagonal
        out[..., 11] = dist <= m.objective_radius
        out[..., 12] = self.steps[:, None] / self.max_steps
        return np.clip(out, -1.0, 1.0, out=out)  # a push out of a wall can briefly exceed max speed

    def enemy_block(self) -> np.ndarray:
        """float32[n_envs, n_agents, 5] in ENEMY_FIELDS order, from the last perception pass."""
        bearing = self.enemy_bearing
        seen = ~np.isnan(bearing)
        b = np.where(seen, bearing, 0.0)
        out = np.empty(bearing.shape + (len(ENEMY_FIELDS),), dtype=np.float32)
        out[..., 0] = seen
        out[..., 1] = np.where(seen, np.sin(b), 0.0)
        out[..., 2] = np.where(seen, np.cos(b), 0.0)
        out[..., 3] = np.clip(np.degrees(b) / AIM_SCALE_DEG, -1.0, 1.0)
        out[..., 4] = np.where(seen, np.minimum(self.enemy_distance / self.contract.rays.max_distance, 1.0), 1.0)
        return out

    # ---- what evaluation and playtesting read ------------------------------------------------------------------
    def out_of_bounds(self) -> np.ndarray:
        x, y = self.pos[..., 0], self.pos[..., 1]
        b = self.map.bounds
        oob = (x < b[0]) | (x > b[2]) | (y < b[1]) | (y > b[3])
        for r in self.map.out_of_bounds:
            oob |= (x >= r[0]) & (x <= r[2]) & (y >= r[1]) & (y <= r[3])
        return oob

    def agent_info(self, e: int, a: int) -> dict:
        bearing = self.enemy_bearing[e, a]
        visible = not np.isnan(bearing)
        return {
            "position": (float(self.pos[e, a, 0]), float(self.pos[e, a, 1])),
            "heading": float(self.heading[e, a]),
            "velocity": (float(self.vel[e, a, 0]), float(self.vel[e, a, 1])),
            "health": float(self.health[e, a]),
            "alive": bool(self.alive[e, a]),
            "team": TEAM_NAMES[self.team[a]],
            "commanded_move": bool(self.commanded[e, a]),
            "out_of_bounds": bool(self.out_of_bounds()[e, a]),
            "on_objective": bool(np.hypot(*(self.pos[e, a] - self._objective)) <= self.map.objective_radius),
            "fired": bool(self.fired[e, a]),
            "hit": int(self.hit[e, a]),
            "enemy_visible": bool(visible),
            "enemy_distance": float(self.enemy_distance[e, a]) if visible else -1.0,  # -1: no enemy in view
            "aim_error": float(abs(bearing)) if visible else -1.0,  # radians off the nearest visible enemy
            "step": int(self.steps[e]),
            "winner": TEAM_NAMES[self.winner[e]] if self.winner[e] >= 0 else None,
        }
