"""`AgentView`: what a controller may read about its own agent each step, next to the observation vector.

Scripted demonstrators steer with the map's navigation grid (the route knowledge a human player has) and react to
the nearest *visible* enemy (in the view cone, not behind a wall - what the agent's rays show), so their behaviour
stays predictable from the observation, which a behaviour-cloning model needs."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from botsdk.arena.maps import ArenaMap


@dataclass
class AgentView:
    agent_id: str
    team: str
    position: np.ndarray       # float64[2]
    heading: float             # radians, counter-clockwise from +x
    velocity: np.ndarray       # float64[2], m/s
    health: float
    ammo: int
    alive: bool
    step: int
    max_steps: int
    map: ArenaMap
    enemy_distance: float      # nearest visible enemy, NaN when none
    enemy_bearing: float       # radians relative to the heading (+ = left), NaN when none
    pickups_active: np.ndarray  # bool[P], in map.pickups order

    @property
    def round_fraction(self) -> float:
        return self.step / self.max_steps

    @property
    def enemy_visible(self) -> bool:
        return not np.isnan(self.enemy_bearing)


def make_view(batch, env: int, agent: int) -> AgentView:
    """Snapshot of one agent of an ArenaBatch (copies, so a controller cannot change the game)."""
    from botsdk.arena.batch import TEAM_NAMES

    return AgentView(
        agent_id=batch.agents[agent], team=TEAM_NAMES[batch.team[agent]], position=batch.pos[env, agent].copy(),
        heading=float(batch.heading[env, agent]), velocity=batch.vel[env, agent].copy(),
        health=float(batch.health[env, agent]), ammo=int(batch.ammo[env, agent]), alive=bool(batch.alive[env, agent]),
        step=int(batch.steps[env]), max_steps=batch.max_steps, map=batch.map,
        enemy_distance=float(batch.enemy_distance[env, agent]), enemy_bearing=float(batch.enemy_bearing[env, agent]),
        pickups_active=batch.pickup_active[env].copy())
