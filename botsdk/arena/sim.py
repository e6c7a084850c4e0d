"""The arena's rules, stepped for a batch of envs x agents in one numba kernel (movement, hitscan fire, pickups,
objective capture, round end), so one env and a thousand envs run the same code bit for bit."""

from __future__ import annotations

import math

import numba as nb
import numpy as np

from botsdk.arena.physics import AGENT_RADIUS, move_circle, segment_hit

DT = 1.0 / 16.0
MAX_SPEED = 7.0            # m/s
ACCELERATION = 0.5         # fraction of the gap to the commanded velocity closed per step
MAX_HEALTH = 100.0
DAMAGE = 12.5              # 8 hits to eliminate: fights last long enough to show a style
FIRE_COOLDOWN = 4          # steps between shots
MAGAZINE = 20
RELOAD_STEPS = 24
SHOT_RANGE = 45.0
SPREAD_STILL = math.radians(1.0)   # shot direction std when standing
SPREAD_MOVING = math.radians(5.0)  # extra std at full speed
VIEW_RANGE = 30.0
VIEW_HALF_FOV = math.radians(120.0)
PICKUP_RADIUS = 1.25
HEALTH_PICKUP = 50.0
HIT_REWARD = 0.1
WIN_REWARD = 1.0
OUT_MARGIN = 3.0           # agents that leak out of bounds are held within this margin


@nb.njit(cache=True, inline="always")
def _next_uniform(rng: np.ndarray, b: int) -> float:
    """splitmix64 per env: deterministic, independent of numpy's global state."""
    rng[b] += np.uint64(0x9E3779B97F4A7C15)
    z = rng[b]
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@nb.njit(cache=True, inline="always")
def _normal(rng: np.ndarray, b: int) -> float:
    u1 = max(_next_uniform(rng, b), 1e-12)
    u2 = _next_uniform(rng, b)
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


@nb.njit(cache=True, inline="always")
def _wrap(a: float) -> float:
    return (a + math.pi) % (2.0 * math.pi) - math.pi


@nb.njit(cache=True)
def step_kernel(s_pos, s_vel, s_heading, s_health, s_ammo, s_cooldown, s_reload, s_alive, team, actions,
                segments, one_sided, world, objective, objective_radius, capture_steps, pickups, pickup_kind,
                s_pickup_active, s_capture, s_steps, max_steps, s_done, s_winner, rng, move_values, turn_rad,
                out_reward, out_commanded, out_fired, out_hit):
    """Advance every env that is not done by one decision step. Arrays prefixed s_ are state, updated in place."""
    n_env, n_agents = s_pos.shape[0], s_pos.shape[1]
    radius = AGENT_RADIUS
    for b in range(n_env):
        for a in range(n_agents):
            out_reward[b, a] = 0.0
            out_commanded[b, a] = False
            out_fired[b, a] = False
            out_hit[b, a] = -1
        if s_done[b]:
            continue
        # turn and move
        for a in range(n_agents):
            if not s_alive[b, a]:
                s_vel[b, a, 0] = 0.0
                s_vel[b, a, 1] = 0.0
                continue
            s_heading[b, a] = _wrap(s_heading[b, a] + turn_rad[actions[b, a, 1]])
            m = actions[b, a, 0]
            out_commanded[b, a] = m != 0
            tvx = move_values[m, 0] * MAX_SPEED
            tvy = move_values[m, 1] * MAX_SPEED
            vx = s_vel[b, a, 0] + (tvx - s_vel[b, a, 0]) * ACCELERATION
            vy = s_vel[b, a, 1] + (tvy - s_vel[b, a, 1]) * ACCELERATION
            px, py = s_pos[b, a, 0], s_pos[b, a, 1]
            nx, ny = move_circle(px, py, vx * DT, vy * DT, segments, one_sided, radius)
            nx = min(max(nx, world[0]), world[2])
            ny = min(max(ny, world[1]), world[3])
            s_pos[b, a, 0] = nx
            s_pos[b, a, 1] = ny
            s_vel[b, a, 0] = (nx - px) / DT
            s_vel[b, a, 1] = (ny - py) / DT
        # fire: every shot is traced against the positions before anyone is hurt (simultaneous)
        for a in range(n_agents):
            if s_cooldown[b, a] > 0:
                s_cooldown[b, a] -= 1
            if s_reload[b, a] > 0:
                s_reload[b, a] -= 1
                if s_reload[b, a] == 0:
                    s_ammo[b, a] = MAGAZINE
        for a in range(n_agents):
            if not s_alive[b, a] or actions[b, a, 2] == 0 or s_cooldown[b, a] > 0 or s_reload[b, a] > 0:
                continue
            if s_ammo[b, a] <= 0:
                continue
            out_fired[b, a] = True
            s_ammo[b, a] -= 1
            s_cooldown[b, a] = FIRE_COOLDOWN
            if s_ammo[b, a] == 0:
                s_reload[b, a] = RELOAD_STEPS
            speed = math.sqrt(s_vel[b, a, 0] ** 2 + s_vel[b, a, 1] ** 2) / MAX_SPEED
            angle = s_heading[b, a] + _normal(rng, b) * (SPREAD_STILL + SPREAD_MOVING * min(speed, 1.0))
            dx, dy = math.cos(angle), math.sin(angle)
            ox, oy = s_pos[b, a, 0], s_pos[b, a, 1]
            best = segment_hit(ox, oy, dx, dy, segments, SHOT_RANGE)
            target = -1
            for e in range(n_agents):
                if e == a or not s_alive[b, e] or team[e] == team[a]:
                    continue
                mx, my = ox - s_pos[b, e, 0], oy - s_pos[b, e, 1]
                bb = mx * dx + my * dy
                c = mx * mx + my * my - radius * radius
                disc = bb * bb - c
                if bb > 0.0 or disc < 0.0:
                    continue
                t = -bb - math.sqrt(disc)
                if 0.0 <= t < best:
                    best, target = t, e
            out_hit[b, a] = target
        for a in range(n_agents):
            e = out_hit[b, a]
            if e >= 0:
                s_health[b, e] -= DAMAGE
                out_reward[b, a] += HIT_REWARD
                out_reward[b, e] -= HIT_REWARD
        for a in range(n_agents):
            if s_alive[b, a] and s_health[b, a] <= 0.0:
                s_health[b, a] = 0.0
                s_alive[b, a] = False
        # interact: pickups and the objective
        contest = np.zeros(2, dtype=np.int64)
        working = np.zeros(2, dtype=np.bool_)
        for a in range(n_agents):
            if not s_alive[b, a]:
                continue
            px, py = s_pos[b, a, 0], s_pos[b, a, 1]
            on_site = (px - objective[0]) ** 2 + (py - objective[1]) ** 2 <= objective_radius ** 2
            if on_site:
                contest[team[a]] += 1
            if actions[b, a, 3] == 0:
                continue
            if on_site:
                working[team[a]] = True
            for p in range(pickups.shape[0]):
                if s_pickup_active[b, p] and (px - pickups[p, 0]) ** 2 + (py - pickups[p, 1]) ** 2 <= PICKUP_RADIUS ** 2:
                    s_pickup_active[b, p] = False
                    if pickup_kind[p] == 0:
                        s_ammo[b, a] = MAGAZINE
                        s_reload[b, a] = 0
                    else:
                        s_health[b, a] = min(MAX_HEALTH, s_health[b, a] + HEALTH_PICKUP)
        for t in range(2):
            if working[t] and contest[1 - t] == 0:
                s_capture[b, t] += 1
        # round end
        s_steps[b] += 1
        alive_team = np.zeros(2, dtype=np.int64)
        for a in range(n_agents):
            if s_alive[b, a]:
                alive_team[team[a]] += 1
        winner = -1
        if s_capture[b, 0] >= capture_steps and s_capture[b, 0] >= s_capture[b, 1]:
            winner = 0
        elif s_capture[b, 1] >= capture_steps:
            winner = 1
        elif alive_team[0] == 0 and alive_team[1] > 0:
            winner = 1
        elif alive_team[1] == 0 and alive_team[0] > 0:
            winner = 0
        if winner >= 0 or (alive_team[0] == 0 and alive_team[1] == 0):
            s_done[b] = True
            s_winner[b] = winner
            if winner >= 0:
                for a in range(n_agents):
                    out_reward[b, a] += WIN_REWARD if team[a] == winner else -WIN_REWARD
        elif s_steps[b] >= max_steps:
            s_done[b] = True
            s_winner[b] = -1


@nb.njit(cache=True)
def perceive_kernel(pos, heading, alive, team, segments, out_dist, out_bearing, out_target):
    """Nearest visible enemy per agent (in the view cone, in range, not behind a wall): distance, signed bearing
    relative to the heading (radians), index; -1/NaN when none. Both evaluation (aim error) and the scripted
    demonstrators read it."""
    n_env, n_agents = pos.shape[0], pos.shape[1]
    for b in range(n_env):
        for a in range(n_agents):
            out_dist[b, a] = np.nan
            out_bearing[b, a] = np.nan
            out_target[b, a] = -1
            if not alive[b, a]:
                continue
            best = VIEW_RANGE
            for e in range(n_agents):
                if e == a or not alive[b, e] or team[e] == team[a]:
                    continue
                dx = pos[b, e, 0] - pos[b, a, 0]
                dy = pos[b, e, 1] - pos[b, a, 1]
                d = math.sqrt(dx * dx + dy * dy)
                if d > best or d == 0.0:
                    continue
                bearing = _wrap(math.atan2(dy, dx) - heading[b, a])
                if abs(bearing) > VIEW_HALF_FOV:
                    continue
                if segment_hit(pos[b, a, 0], pos[b, a, 1], dx / d, dy / d, segments, d) < d - AGENT_RADIUS:
                    continue
                best = d
                out_dist[b, a] = d
                out_bearing[b, a] = bearing
                out_target[b, a] = e
