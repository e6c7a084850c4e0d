"""Scripted players in distinct, learnable styles, and the robotic baseline.

rusher     always moving, takes the shortest route, closes in and fights up close, then hunts the enemy spawn
holder     walks a route to a spot overlooking the objective and holds it, scanning, firing from long range
explorer   walks to unvisited places (frontier search over a visited-cell memory kept across rounds on a map),
           pauses to look around, picks up pickups, fights at medium range standing still
objective  walks a flank route straight to the objective and works on it, fighting from the site
robotic    (source "bot") shortest path to the objective, zero reaction delay, exact aim, deterministic

Each player id (`player_ids(style, n)`) jitters the style's parameters with a seed derived from the id, so a
dataset holds several distinct "people" per style.

What a player does follows from what its agent observes, so a model can learn it: the route is a fixed habit of
(player, spawn spot); moving, the view follows the velocity; standing, it sweeps across the objective, reversing
at the style's amplitude (the last turn shows in the stacked frames); a held move key is kept while it still
leads the right way; a strafe keeps its side (which shows in the velocity) and switches now and then (a per-step
chance); an explorer heads for a near unexplored spot, preferring to keep its direction, and gives up a spot it can no longer close
in on instead of dithering. Motor noise lives in the sampled distributions (`last_probs`), never beside them, and
so do the player's own random choices (see choices.py): `last_probs` is the mixture over every way the step could
have gone, `last_joint_max` the most likely joint action's probability (heads are not independent across ways).
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, replace
from typing import Sequence

import numpy as np

from botsdk.arena.choices import ChoosingPlayer, StepChoices, continue_prob, uniform_pmf
from botsdk.arena.contract import PERSONAS
from botsdk.arena.explore import EXPLORE_CELL, ExplorationMemory, explore_origin, frontier_candidates, shut_in
from botsdk.arena.maps import ArenaMap
from botsdk.arena.motor import MOVE_DIRS, Motor, MotorParams, skilled, without_traits, wrap_deg
from botsdk.arena.view import AgentView

HUMAN_STYLES = PERSONAS  # the contract's personas, each played with the human motor model
DEMONSTRATOR_STYLES = (*PERSONAS, "robotic")
STRAFE_STEPS = 20  # a strafing player changes side about every 1.25 s (a 1/20 chance each step)
THOROUGH_REACH = 0.5  # a thorough (QA) explorer walks to within this of its spot: into an alcove, not to its mouth
EXPLORE_REACH = 1.2  # near a spot and no longer closing in (a wall in the way): seen enough, move on - no dithering
UNSTICK_PMF = uniform_pmf(4, 9)  # steps a stuck player wiggles in one random direction
BOT_UNSTICK_PMF = uniform_pmf(6, 6)  # the robotic bot side-steps for a fixed time
STUCK_WINDOW = 16  # stuck: moved less than 0.5 m over this many steps
AHEAD_METRES = 8.0  # an exploring person trades this much walking for a spot straight ahead over one behind
AHEAD_METRES_THOROUGH = 3.0  # a QA explorer turns back for near spots more readily (coverage)


# the state a player's private draws leave (see `state_key`); the rest follows from what it observes
_DRAWN_FIELDS = ("leg", "pause_age", "explore_target", "explore_age", "shut_in", "unstick_age", "strafe_sign",
                 "last_target_angle")
_MOTOR_FIELDS = ("seen_at", "checked", "tracking", "lost", "offset_deg")


@dataclass(frozen=True)
class StyleParams:
    route_weights: tuple[float, float, float]  # preference for routes ranked shortest .. longest
    engage_range: float        # fires only at enemies closer than this
    close_distance: float      # advances on a seen enemy until this close (inf: does not advance)
    fight_moving: bool         # keeps moving (strafing) while fighting
    pause_chance: float        # chance to stop and look around on reaching a waypoint
    pause_steps: tuple[int, int]
    scan_deg: float            # amplitude of the idle look-around
    scan_period_s: float
    motor: MotorParams


STYLES: dict[str, StyleParams] = {
    "rusher": StyleParams((0.7, 0.2, 0.1), 13.0, 5.0, True, 0.0, (0, 0), 10.0, 2.0,
                          MotorParams(reaction_median_s=0.22, overshoot=1.3, fire_cone_deg=8.0)),
    "holder": StyleParams((0.1, 0.25, 0.65), 30.0, math.inf, False, 0.0, (0, 0), 35.0, 4.0,
                          MotorParams(reaction_median_s=0.24, overshoot=1.12, fire_cone_deg=4.0)),
    "explorer": StyleParams((0.34, 0.33, 0.33), 14.0, math.inf, False, 0.09, (6, 16), 60.0, 2.5,
                            MotorParams(reaction_median_s=0.30, overshoot=1.2, fire_cone_deg=6.0)),
    "objective": StyleParams((0.15, 0.7, 0.15), 20.0, math.inf, False, 0.6, (8, 18), 20.0, 3.0,
                             MotorParams(reaction_median_s=0.27, overshoot=1.2, fire_cone_deg=6.0)),
    "robotic": StyleParams((1.0, 0.0, 0.0), 30.0, math.inf, False, 0.0, (0, 0), 0.0, 1.0,
                           MotorParams(perfect=True, fire_cone_deg=1.0)),
}


def player_ids(style: str, n: int) -> list[str]:
    _check_style(style)
    return [f"{style}-{i:02d}" for i in range(n)]


def _check_style(style: str) -> None:
    if style not in DEMONSTRATOR_STYLES:
        raise ValueError(f"style: expected one of {', '.join(DEMONSTRATOR_STYLES)}, got {style!r}")


def _stable(text: str) -> int:
    return zlib.crc32(text.encode())


def player_params(style: str, player_id: str, skill: float) -> StyleParams:
    """The style's parameters jittered for one player (same id -> same person), then scaled by skill."""
    base = STYLES[style]
    if style == "robotic":
        return base
    rng = np.random.default_rng(_stable(player_id))
    weights = tuple(float(w) for w in rng.dirichlet(np.array(base.route_weights) * 30.0 + 0.3))
    m = base.motor
    motor = replace(m, reaction_median_s=m.reaction_median_s * rng.uniform(0.85, 1.15),
                    overshoot=1.0 + (m.overshoot - 1.0) * rng.uniform(0.7, 1.3),
                    tracking_noise_deg=m.tracking_noise_deg * rng.uniform(0.7, 1.3),
                    fire_cone_deg=m.fire_cone_deg * rng.uniform(0.85, 1.15))
    return replace(base, route_weights=weights, engage_range=base.engage_range * rng.uniform(0.85, 1.1),
                   scan_period_s=base.scan_period_s * rng.uniform(0.8, 1.2), motor=skilled(motor, skill))


class ScriptedController(ChoosingPlayer):
    """A scripted player. `act` returns int64[4] (move, turn, fire, interact) and keeps `last_probs`."""

    def __init__(self, style: str, seed: int = 0, skill: float = 0.7, player_id: str | None = None,
                 memory: ExplorationMemory | None = None, thorough: bool = False, report_probs: bool = True,
                 traits_off: Sequence[str] = ()):
        _check_style(style)
        if not 0.0 <= skill <= 1.0:
            raise ValueError(f"skill: expected a number in [0, 1], got {skill!r}")
        self.style = style
        self.player_id = player_id or f"{style}-00"
        self.skill = float(skill)
        self.source = "bot" if style == "robotic" else "scripted"
        self.params = player_params(style, self.player_id, self.skill)
        if traits_off:
            self.params = replace(self.params, motor=without_traits(self.params.motor, traits_off))
        self.traits_off = tuple(traits_off)
        self.memory = memory or ExplorationMemory()
        self.thorough = thorough  # QA playtests: an explorer steps onto every spot instead of looking from near it
        self.report_probs = report_probs  # False: draw choices on the spot, report no probabilities (faster)
        self.choices = StepChoices()
        self._step_cache: dict[str, object] = {}  # what every way of this step computes alike (kept across restores)
        self.pause_pmf = uniform_pmf(*self.params.pause_steps) if self.params.pause_chance > 0 else None
        self.last_probs: list[np.ndarray] | None = None
        self.last_joint: np.ndarray | None = None
        self.last_joint_max: float | None = None
        self.last_ways = 0  # how many ways the last step could have gone (its random choices enumerated)
        self.reset("blue_0", seed)

    # ---- episode state -------------------------------------------------------------------------------------
    def reset(self, agent_id: str, seed: int) -> None:
        self.agent_id = agent_id
        self.rng = np.random.default_rng([int(seed) & 0xFFFFFFFF, _stable(self.player_id), _stable(agent_id)])
        self.choices.rng = None if self.report_probs else self.rng
        self.motor = Motor(self.params.motor, self.rng)
        self.map: ArenaMap | None = None
        self.route: list[tuple[float, float]] = []
        self.route_name: str | None = None
        self.leg = 0
        self.pause_age = 0  # steps paused so far (0: walking)
        self.explore_target: tuple[float, float] | None = None
        self.explore_age = 0
        self.shut_in = False
        self.history: list[np.ndarray] = []
        self.unstick_age = 0  # steps wiggled free so far (0: not stuck)
        self.unstick_dir: np.ndarray | None = None
        self.strafe_sign = 1.0
        self.last_target_angle: float | None = None
        self.last_heading: float | None = None
        self.last_turn = 0.0
        self.last_probs = None
        self.last_joint = None
        self.last_joint_max = None

    def _begin(self, view: AgentView) -> None:
        self.map = view.map
        routes = view.map.routes[view.team]
        nav = view.map.nav()
        lengths = {}
        for name in routes:
            pts = view.map.route_points(view.team, name)
            lengths[name] = float(np.sum(np.hypot(*np.diff(pts, axis=0).T)))
        ranked = sorted(routes, key=lambda r: (lengths[r], r))
        weights = np.array(list(self.params.route_weights) + [0.0] * max(0, len(ranked) - 3))[: len(ranked)]
        weights = weights / weights.sum()
        self.route_name = ranked[route_pick(weights, view.position, self.player_id)]
        self.route = [tuple(p) for p in view.map.route_points(view.team, self.route_name)]
        if self.style == "robotic":
            self.route_name, self.route = None, [view.map.objective]
        self.leg = 1 if len(self.route) > 1 else 0
        self.nav = nav

    # ---- the decision --------------------------------------------------------------------------------------
    def act(self, observation: np.ndarray, view: AgentView) -> np.ndarray:
        self.observe(view)
        probs = self._decide_step(observation, view)
        return np.array([self.motor.sample(p) for p in probs], dtype=np.int64)

    def observe(self, view: AgentView) -> None:
        """What the player takes in before deciding a step (no random choices): where it is, how it last turned."""
        if self.map is not view.map:
            self._begin(view)
        self.history.append(view.position.copy())
        del self.history[:-(STUCK_WINDOW + 1)]
        self.last_turn = 0.0 if self.last_heading is None else wrap_deg(math.degrees(view.heading - self.last_heading))
        self.last_heading = view.heading
        if not view.enemy_visible:
            self.last_target_angle = None
        self._step_cache.clear()

    def _save(self) -> tuple:
        visited = self.memory.for_map(self.map) if self.style == "explorer" else None
        return (dict(self.__dict__), list(self.history), dict(self.motor.__dict__),
                None if visited is None else visited.copy())

    def _restore(self, saved: tuple) -> None:
        state, history, motor, visited = saved
        self.__dict__.update(state)
        self.history = list(history)
        self.motor.__dict__.update(motor)
        if visited is not None:
            np.copyto(self.memory.for_map(self.map), visited)

    def state_key(self, saved: tuple) -> tuple:
        """What a saved state holds that steers the player from here on (its private draws and their outcomes), so
        two ways of reaching the same key can be merged (botsdk.arena.posterior)."""
        state, history, motor, visited = saved
        unstick = state["unstick_dir"]
        return (tuple(state[k] for k in _DRAWN_FIELDS), None if unstick is None else tuple(unstick.tolist()),
                len(history), tuple(motor[k] for k in _MOTOR_FIELDS),
                None if visited is None else np.packbits(visited).tobytes())

    def _decide(self, observation: np.ndarray, view: AgentView) -> list[np.ndarray]:
        """One way the step goes, given the outcomes `self.choices` hands out: the per-head distributions."""
        bearing = None if not view.enemy_visible else math.degrees(view.enemy_bearing)
        if bearing is not None and self.motor.seen_at is None and not self.params.motor.perfect \
                and not rays_show_enemy(observation):
            bearing = None  # a person notices an enemy once it shows in their view (the rays), then tracks it
        self.motor.perceive(view.step, bearing, self.choices.choose)
        fighting = self.motor.tracking and bearing is not None and (
            view.enemy_distance <= self.params.engage_range or self.params.fight_moving)
        direction = self._movement(view, fighting)
        turn = self._turn(view, bearing, direction) if not fighting else self.motor.aim_turn(self._lead(view, bearing))
        fire_p = self._fire_chance(view, bearing, turn, fighting)
        return [self.motor.move_probs(held_move(direction, view.velocity)), self.motor.turn_probs(turn),
                self.motor.binary_probs(fire_p), self.motor.binary_probs(self._interact_chance(view))]

    def _lead(self, view: AgentView, bearing: float) -> float:
        """The robotic bot leads a moving target by its last angular step; people aim at where they see it."""
        world = view.heading + math.radians(bearing)
        previous, self.last_target_angle = self.last_target_angle, world
        if not self.params.motor.perfect or previous is None:
            return bearing
        return wrap_deg(math.degrees(world + math.remainder(world - previous, 2 * math.pi) - view.heading))

    # ---- movement ------------------------------------------------------------------------------------------
    def _movement(self, view: AgentView, fighting: bool) -> np.ndarray | None:
        if self.unstick_age > 0:
            if self._goes_on(BOT_UNSTICK_PMF if self.params.motor.perfect else UNSTICK_PMF, self.unstick_age):
                self.unstick_age += 1
                return self.unstick_dir
            self.unstick_age = 0
        if fighting:
            return self._fight_move(view)
        if self.pause_age > 0:
            if self._goes_on(self.pause_pmf, self.pause_age):
                self.pause_age += 1
                return None
            self.pause_age = 0
        goal = self._goal(view)
        if goal is None:
            return None
        thorough = self.thorough and self.style == "explorer" and goal == self.explore_target
        field = self.nav.field_to(goal[0], goal[1], THOROUGH_REACH if thorough else 1.0)
        point = self.nav.waypoint(field, view.position[0], view.position[1], lookahead=3)
        if point is None:  # no way there from here (shut in): push straight toward it, as a person would
            point = goal
        d = np.array(point) - view.position
        norm = float(np.hypot(*d))
        if norm < 0.05:
            return None
        if self._stuck():
            self.history.clear()
            self.explore_target = None
            if not self.shut_in:  # shut in, there is no way out to wiggle towards: keep pressing, as a person would
                return self._start_unstick(d / norm)
        return d / norm

    def _goes_on(self, pmf: np.ndarray, done: int) -> bool:
        """Whether something that has lasted `done` steps (a pause, a wiggle) lasts another: drawn from its hazard."""
        keep = continue_prob(pmf, done)
        return self.choices.choose([1.0 - keep, keep]) == 1

    def _stuck(self) -> bool:
        return len(self.history) > STUCK_WINDOW and np.hypot(*(self.history[-1] - self.history[-STUCK_WINDOW])) < 0.5

    def _start_unstick(self, blocked: np.ndarray) -> np.ndarray:
        """Wiggle free: a few steps in a random one of the eight move directions (the robotic bot side-steps)."""
        if self.params.motor.perfect:
            self.unstick_dir = np.array([-blocked[1], blocked[0]])
        else:
            self.unstick_dir = MOVE_DIRS[1 + self.choices.choose(np.full(8, 1.0 / 8.0))]
        self.unstick_age = 1
        return self.unstick_dir

    def _start_pause(self) -> bool:
        """At a checkpoint: stop to look around (this step is the first of the pause), by the style's chance."""
        chance = self.params.pause_chance
        if chance <= 0.0 or self.choices.choose([1.0 - chance, chance]) == 0:
            return False
        self.pause_age = 1
        return True

    def _fight_move(self, view: AgentView) -> np.ndarray | None:
        p = self.params
        if not p.fight_moving:
            return None
        to_enemy = np.array([math.cos(view.heading + view.enemy_bearing), math.sin(view.heading + view.enemy_bearing)])
        if view.enemy_distance > p.close_distance:
            return to_enemy
        side = np.array([-to_enemy[1], to_enemy[0]])
        drift = float(side @ view.velocity)
        if abs(drift) > 0.5:  # already side-stepping: keep that side, now and then switch
            keep = 1.0 - 1.0 / STRAFE_STEPS
            self.strafe_sign = math.copysign(1.0, drift) * (1.0 if self.choices.choose([1.0 - keep, keep]) else -1.0)
        else:
            self.strafe_sign = 1.0 if self.choices.choose([0.5, 0.5]) else -1.0
        return side * self.strafe_sign

    def _goal(self, view: AgentView) -> tuple[float, float] | None:
        """Where this style walks now (None = stay)."""
        if self.style == "explorer":
            return self._explore_goal(view)
        pickup = self._nearby_pickup(view)
        if pickup is not None and self.style in ("rusher", "objective") and view.health < 60:
            return pickup
        if self.leg < len(self.route):
            target = self.route[self.leg]
            last = self.leg == len(self.route) - 1
            reach = view.map.objective_radius * 0.6 if last else 1.5
            if np.hypot(*(view.position - target)) < reach:
                self.leg += 1
                if self._start_pause():  # stop at a checkpoint to check the angles
                    return None
            if self.style == "holder" and self.leg >= len(self.route) - 1 and len(self.route) > 2:
                if view.round_fraction < 0.75:
                    hold = self.route[len(self.route) - 2]
                    return None if np.hypot(*(view.position - hold)) < 1.5 else hold
                return view.map.objective
            return target
        if self.style == "rusher":
            enemy_team = "red" if view.team == "blue" else "blue"
            x0, y0, x1, y1 = view.map.spawns[enemy_team]
            spawn = ((x0 + x1) / 2, (y0 + y1) / 2)
            if np.hypot(*(view.position - spawn)) > 2.0:
                return spawn
            self.leg = 1  # swept the spawn: run the route again
            return None
        ox, oy = view.map.objective
        return None if np.hypot(view.position[0] - ox, view.position[1] - oy) < 1.0 else (ox, oy)

    def _nearby_pickup(self, view: AgentView, radius: float = 8.0) -> tuple[float, float] | None:
        best, best_d = None, radius
        for p, active in zip(view.map.pickups, view.pickups_active):
            d = math.hypot(p.x - view.position[0], p.y - view.position[1])
            if active and d < best_d and np.isfinite(self.nav.field_to(p.x, p.y, 1.0)[self.nav.cell_of(*view.position)]):
                best, best_d = (p.x, p.y), d
        return best

    def _explore_goal(self, view: AgentView) -> tuple[float, float] | None:
        visited = self.memory.for_map(view.map)
        x0, y0 = explore_origin(view.map)
        ci = int((view.position[0] - x0) // EXPLORE_CELL)
        cj = int((view.position[1] - y0) // EXPLORE_CELL)
        near_centre = math.hypot(view.position[0] - x0 - (ci + 0.5) * EXPLORE_CELL,
                                 view.position[1] - y0 - (cj + 0.5) * EXPLORE_CELL) < 0.7
        if near_centre and 0 <= cj < visited.shape[0] and 0 <= ci < visited.shape[1]:
            visited[cj, ci] = True  # seen from near its centre: passing a cell's edge does not count
        pickup = self._nearby_pickup(view, 6.0)
        if pickup is not None:
            return pickup
        self.explore_age += 1
        if self.explore_target is not None:
            tx, ty = self.explore_target
            gap = math.hypot(tx - view.position[0], ty - view.position[1])
            closing = (tx - view.position[0]) * view.velocity[0] + (ty - view.position[1]) * view.velocity[1] > 0.0
            arrived = gap < (THOROUGH_REACH if self.thorough else 0.75)
            if arrived or (gap < EXPLORE_REACH and not closing) or self.explore_age > 120:
                visited[int((ty - y0) // EXPLORE_CELL), int((tx - x0) // EXPLORE_CELL)] = True
                self.explore_target = None
                if self._start_pause():
                    return None
        if self.explore_target is None:
            self.explore_target = self._pick_frontier(view, visited)
            self.explore_age = 0
            if "shut_in" not in self._step_cache:
                self._step_cache["shut_in"] = shut_in(self.nav, view.position)
            self.shut_in = bool(self._step_cache["shut_in"])
        return self.explore_target

    def _pick_frontier(self, view: AgentView, visited: np.ndarray) -> tuple[float, float] | None:
        found = self._step_cache.get("frontier")
        if found is None:
            found = frontier_candidates(self.nav, view.map, view.position, view.velocity, visited,
                                        ahead_weight=AHEAD_METRES_THOROUGH if self.thorough else AHEAD_METRES)
            if found[0]:  # (no spots: the sweep restarted, which each way must do again on its restored memory)
                self._step_cache["frontier"] = found
        spots, weights = found
        return spots[self.choices.choose(weights)] if spots else None

    # ---- looking and firing --------------------------------------------------------------------------------
    def _turn(self, view: AgentView, bearing: float | None, direction: np.ndarray | None) -> float:
        """Moving: look where you go (the velocity the agent feels). Standing: sweep the view back and forth across
        the objective, reversing at the style's amplitude; the sweep's direction is the last turn (two stacked
        frames show it). Every input is in the observation, so the turn can be imitated."""
        p = self.params
        if bearing is not None and self.motor.seen_at is not None and self.style == "robotic":
            return bearing
        speed = float(np.hypot(*view.velocity))
        if direction is not None:
            look = math.atan2(view.velocity[1], view.velocity[0]) if speed > 0.5 else math.atan2(direction[1],
                                                                                                   direction[0])
            error = wrap_deg(math.degrees(look - view.heading))
            return error if self.style == "robotic" else smooth_turn(error)
        ox, oy = view.map.objective
        base = math.degrees(math.atan2(oy - view.position[1], ox - view.position[0]))
        offset = wrap_deg(math.degrees(view.heading) - base)
        if self.style == "robotic" or abs(offset) > p.scan_deg + 10.0:  # not facing the site yet: turn to it
            return -offset if self.style == "robotic" else smooth_turn(-offset)
        sign = 1.0 if self.last_turn >= 0.0 else -1.0
        if sign * offset >= p.scan_deg:
            sign = -sign
        return sign * 4.0 * p.scan_deg / (p.scan_period_s * 16.0)

    def _fire_chance(self, view: AgentView, bearing: float | None, turn: float, fighting: bool) -> float:
        if not fighting or view.enemy_distance > self.params.engage_range:
            return 0.0 if self.params.motor.perfect else self.params.motor.mistake_rate * 0.5
        target = turn if self.params.motor.perfect else bearing  # the bot's turn already leads the target
        after = abs(target - turn_value(turn))
        if after <= self.params.motor.fire_cone_deg:
            return 1.0 if self.params.motor.perfect else 0.9
        return 0.0 if self.params.motor.perfect else 0.05

    def _interact_chance(self, view: AgentView) -> float:
        ox, oy = view.map.objective
        on_site = math.hypot(view.position[0] - ox, view.position[1] - oy) <= view.map.objective_radius
        near_pickup = self._nearby_pickup(view, 1.25) is not None
        if on_site:
            want = {"objective": 0.95, "robotic": 1.0, "holder": 0.9, "rusher": 0.6, "explorer": 0.3}[self.style]
            return want
        if near_pickup:
            return 1.0 if self.style == "robotic" else 0.9
        return 0.0 if self.params.motor.perfect else 0.02


def held_move(direction: np.ndarray | None, velocity: np.ndarray, slack: float = 0.82) -> np.ndarray | None:
    """A person holds the key they are holding while it still leads roughly the right way (within ~35 deg of the
    wanted direction) instead of flicking between neighbouring keys; what they hold shows in their velocity."""
    from botsdk.arena.motor import MOVE_DIRS

    speed = float(np.hypot(*velocity))
    if direction is None or speed < 0.5:
        return direction
    held = MOVE_DIRS[1:][int(np.argmax(MOVE_DIRS[1:] @ (velocity / speed)))]
    return held if float(held @ direction) >= slack * float(np.hypot(*direction)) else direction


def route_pick(weights: np.ndarray, spawn: np.ndarray, player_id: str, cell: float = 1.5) -> int:
    """Which route a player takes from where they spawned: people have habits per spot, so the choice is a fixed
    function of the (observed) spawn position and the player, drawn once by the player's route preferences."""
    key = f"{player_id}:{int(spawn[0] // cell)}:{int(spawn[1] // cell)}"
    u = (_stable(key) % 100_000) / 100_000.0
    return int(min(np.searchsorted(np.cumsum(weights), u, side="right"), len(weights) - 1))


def smooth_turn(error_deg: float) -> float:
    """A person closes a heading error gradually: a fixed fraction per step, capped at a comfortable rate."""
    turn = 0.4 * error_deg
    return max(-45.0, min(45.0, turn))


def rays_show_enemy(observation: np.ndarray) -> bool:
    """Whether any ray of the newest frame in the stacked observation hit an enemy."""
    from botsdk.arena.contract import FRAME_STACK, RAY_COUNT, RAY_TAGS

    per_ray = len(RAY_TAGS) + 2
    frame = len(observation) // FRAME_STACK
    rays = np.asarray(observation[-frame:][: RAY_COUNT * per_ray]).reshape(RAY_COUNT, per_ray)
    return bool(rays[:, RAY_TAGS.index("enemy")].any())


def turn_value(intended_deg: float) -> float:
    """The turn bin nearest to an intended turn (what the agent most likely does)."""
    from botsdk.arena.motor import TURN_BINS

    return float(TURN_BINS[int(np.argmin(np.abs(TURN_BINS - intended_deg)))])


def make_demonstrator(style: str, seed: int = 0, skill: float = 0.7, player_id: str | None = None,
                      memory: ExplorationMemory | None = None, thorough: bool = False,
                      report_probs: bool = True, traits_off: Sequence[str] = ()) -> ScriptedController:
    """A scripted player of `style` (see DEMONSTRATOR_STYLES); the robotic bot ignores skill. `thorough` (for QA
    playtests) makes an explorer walk right onto each spot it explores, so it steps into alcoves and traps.
    `report_probs=False` plays the same way without working out `last_probs` (about 1.5x faster; they stay None).
    `traits_off` switches human motor traits off (names from `motor.HUMAN_TRAITS`): the evaluation's power panel."""
    return ScriptedController(style, seed=seed, skill=skill, player_id=player_id, memory=memory, thorough=thorough,
                              report_probs=report_probs, traits_off=traits_off)
