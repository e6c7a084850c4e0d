"""The built-in arena as a playtest target: its maps become `PlaytestWorld`s and its persona bots (the scripted
demonstrators, or a trained ONNX policy steered to each persona) play matches through `play_match`, the one path
every arena bot takes."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

from botsdk.playtest.records import AgentTrack, PlaytestWorld, PointOfInterest

COVERAGE_CELL = 2.0  # metres; coverage and the heatmap count cells of this size
PICKUP_REACH = 1.5  # an agent within this distance of a pickup or checkpoint has reached it
TEAM_SIZE = 2
FIRE_HEAD = 2  # index of the fire head in the arena contract's actions (move, turn, fire, interact)


def arena_world(map_name: str) -> PlaytestWorld:
    """The map's playtest description: coverage grid and reachability from the arena's own navigation grid (built
    with the simulation's collision, so one-way walls count as they play), points of interest, golden path."""
    from botsdk.arena.contract import DECISION_HZ
    from botsdk.arena.maps import load_map
    from botsdk.arena.physics import AGENT_RADIUS

    m = load_map(map_name)
    reachable = m.reachable_cells(COVERAGE_CELL)
    walkable = _walkable_cells(m, reachable.shape)
    points = [PointOfInterest("objective", "objective", tuple(m.objective), float(m.objective_radius))]
    points += [PointOfInterest(p.name, "pickup", (p.x, p.y), PICKUP_REACH) for p in m.pickups]
    points += [PointOfInterest(name, "checkpoint", tuple(xy), PICKUP_REACH) for name, xy in m.checkpoints.items()
               if name not in {p.name for p in points}]
    spawns = tuple(((r[0] + r[2]) / 2, (r[1] + r[3]) / 2) for r in m.spawns.values())
    return PlaytestWorld(
        name=m.name, bounds=tuple(m.bounds), cell_size=COVERAGE_CELL, walkable=walkable | reachable, spawns=spawns,
        points=tuple(points), golden_path=tuple(m.golden_path), walls=m.segments[~m.one_sided],
        out_of_bounds=tuple(m.out_of_bounds), dt=1.0 / DECISION_HZ, agent_radius=AGENT_RADIUS,
        reachable=reachable, metadata=dict(m.metadata))


def _walkable_cells(m: Any, shape: tuple[int, int]) -> np.ndarray:
    """Coarse cells holding any collision-free fine navigation cell inside the bounds (reachable or not)."""
    nav = m.nav()
    walkable = np.zeros(shape, dtype=bool)
    centres = nav.centers[nav.free]
    x0, y0 = m.bounds[0], m.bounds[1]
    col = np.floor((centres[:, 0] - x0) / COVERAGE_CELL).astype(int)
    row = np.floor((centres[:, 1] - y0) / COVERAGE_CELL).astype(int)
    inside = (row >= 0) & (row < shape[0]) & (col >= 0) & (col < shape[1])
    inside &= ~np.array([m.is_out_of_bounds(x, y) for x, y in centres])
    walkable[row[inside], col[inside]] = True
    return walkable


class Pacifist:
    """Wraps a controller so it surveys the level instead of fighting: its fire is held and (for scripted bots,
    which react to the `view`) enemies are hidden from it, so bots neither end the round by eliminating each other
    nor stand still aiming at an enemy they will never shoot. Movement, turning and interaction are the
    persona's own."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.style, self.player_id, self.skill, self.source = inner.style, inner.player_id, inner.skill, inner.source

    @property
    def last_probs(self) -> Any:
        return getattr(self.inner, "last_probs", None)

    def reset(self, agent_id: str, seed: int) -> None:
        self.inner.reset(agent_id, seed)

    def act(self, observation: np.ndarray, view: Any) -> np.ndarray:
        if dataclasses.is_dataclass(view) and hasattr(view, "enemy_bearing"):
            view = dataclasses.replace(view, enemy_distance=math.nan, enemy_bearing=math.nan)
        action = np.array(self.inner.act(observation, view), dtype=np.int64)
        action[FIRE_HEAD] = 0
        return action


class ArenaPlaytest:
    """`PlaytestAdapter` for an arena map. Every agent of a match plays the same persona, so one episode gives
    `2 * team_size` tracks of that persona. `pacifist` (default) holds every bot's fire so rounds run their
    course instead of ending in an elimination."""

    def __init__(self, map_name: str, team_size: int = TEAM_SIZE, policy: str | None = None,
                 skill: float | None = None, pacifist: bool = True) -> None:
        from botsdk.arena.maps import load_map

        self.map = load_map(map_name)
        self.name = self.map.name
        self.map_name = map_name
        self.team_size = team_size
        self.policy_path = policy
        self.skill = skill
        self.pacifist = pacifist
        self._policy_personas: tuple[str, ...] | None = None
        self._world: PlaytestWorld | None = None

    @property
    def personas(self) -> tuple[str, ...]:
        if self.policy_path is not None:
            from botsdk.playtest.policy import check_policy

            if self._policy_personas is None:
                self._policy_personas = check_policy(self.policy_path)
            return self._policy_personas
        from botsdk.arena.demonstrators import DEMONSTRATOR_STYLES

        return tuple(DEMONSTRATOR_STYLES)

    def world(self) -> PlaytestWorld:
        if self._world is None:
            self._world = arena_world(self.map_name)
        return self._world

    def static_findings(self) -> list:
        """Leaks and traps read off the map's navigation graph (see `arena_static`); no bot luck needed."""
        from botsdk.playtest.arena_static import static_findings

        return static_findings(self.map)

    def agent_ids(self) -> list[str]:
        return [f"{team}_{i}" for team in ("blue", "red") for i in range(self.team_size)]

    def controllers(self, persona: str, seed: int) -> dict[str, Any]:
        bots = self._persona_bots(persona, seed)
        return {a: Pacifist(c) for a, c in bots.items()} if self.pacifist else bots

    def _persona_bots(self, persona: str, seed: int) -> dict[str, Any]:
        agents = self.agent_ids()
        if self.policy_path is not None:
            from botsdk.playtest.policy import policy_controllers

            return policy_controllers(self.policy_path, persona, seed, agents)
        from botsdk.arena.demonstrators import ExplorationMemory, make_demonstrator

        kwargs = {} if self.skill is None else {"skill": self.skill}
        memory = ExplorationMemory()  # one match's explorers split the map between them; fresh per episode
        # thorough: an explorer steps onto every spot (into alcoves), where a one-way wall can catch it
        return {a: make_demonstrator(persona, seed, player_id=f"playtest-{persona}-{i}", memory=memory,
                                     thorough=True, report_probs=False, **kwargs)
                for i, a in enumerate(agents)}

    def play(self, persona: str, seed: int, max_steps: int) -> list[AgentTrack]:
        from botsdk.arena.rollout import play_match

        trajectories = play_match(self.map_name, seed, self.controllers(persona, seed), self.team_size, max_steps)
        tracks = []
        for agent_id, trajectory in trajectories.items():
            positions = np.asarray(trajectory.infos["position"], dtype=np.float32)
            actions = np.asarray(trajectory.actions)
            tracks.append(AgentTrack(agent_id, persona, seed, positions[: len(actions) + 1],
                                     actions[: len(positions) - 1, 0] != 0))
        return tracks
