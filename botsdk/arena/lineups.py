"""Rotating-lineup matches of the scripted demonstrators: the arena's harness for measuring imitation.

Match m, slot j plays styles[(m + j) % len(styles)] (a style is never tied to one spawn point); players rotate over
the matches. `observed_match` also runs each player's posterior (botsdk.arena.posterior), whose per-step
probabilities give the observer ceiling of agreement. `record_lineups` writes such matches into a dataset; the
general-purpose recorder (many workers, any team size, balanced players) is botsdk.arena.recording.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from botsdk.arena.contract import PERSONAS

AGENTS = ("blue_0", "blue_1", "red_0", "red_1")


def demonstrator_match(map_name: str, seed: int, match: int, styles: Sequence[str] = PERSONAS,
                       players: int = 3, max_steps: int = 600, replace: Mapping[str, Any] | None = None):
    """One match of rotating demonstrators (some slots optionally played by other controllers)."""
    from botsdk.arena.rollout import play_match

    controllers: dict[str, Any] = dict(match_players(seed, match, styles, players))
    controllers.update(replace or {})
    return play_match(map_name, seed, controllers, team_size=2, max_steps=max_steps)


def observed_match(map_name: str, seed: int, match: int, styles: Sequence[str] = PERSONAS, players: int = 3,
                   max_steps: int = 600, max_particles: int = 32) -> tuple[dict[str, Any], dict[str, tuple]]:
    """`demonstrator_match`, each player watched by a posterior over its hidden state (botsdk.arena.posterior) that
    knows the persona but not which of its `players` it is. Returns the trajectories and, per agent, the observer
    ceiling's per-step figures: (joint float[T], per head float[T, H])."""
    from botsdk.arena.posterior import ObservedPlayer
    from botsdk.arena.rollout import play_match

    controllers = {agent: ObservedPlayer(player, player_hypotheses(player.style, players), max_particles)
                   for agent, player in match_players(seed, match, styles, players).items()}
    trajectories = play_match(map_name, seed, controllers, team_size=2, max_steps=max_steps)
    seen = {agent: (np.asarray(c.observer_joint, np.float64), np.asarray(c.observer_heads, np.float64))
            for agent, c in controllers.items()}
    return trajectories, seen


def match_players(seed: int, match: int, styles: Sequence[str] = PERSONAS, players: int = 3) -> dict[str, Any]:
    """The demonstrators of one match, per agent: styles rotate over the slots, players over the matches."""
    from botsdk.arena.demonstrators import make_demonstrator

    controllers = {}
    for j, agent in enumerate(AGENTS):
        style = styles[(match + j) % len(styles)]
        k = (match // len(styles)) % players
        controllers[agent] = make_demonstrator(style, seed * 10 + j, skill=player_skill(k, players),
                                               player_id=f"{style}-{k}")
    return controllers


def player_skill(k: int, players: int) -> float:
    """The recorded players of a persona range in skill from 0.5 to 0.9."""
    return 0.5 + 0.4 * k / max(1, players - 1)


def player_hypotheses(style: str, players: int = 3) -> list[tuple[str, float]]:
    """Every recorded player of a persona, as (player id, skill): what an imitator told only the persona may face."""
    return [(f"{style}-{k}", player_skill(k, players)) for k in range(players)]


def match_seeds(seed: int, matches: int) -> list[int]:
    return [seed + m for m in range(matches)]


def record_lineups(out: str | Path, matches: int, seed: int = 0, map_name: str = "duel") -> dict[str, Any]:
    """Record rotating-demonstrator matches into a dataset (every agent's trajectory)."""
    from botsdk.arena.contract import arena_contract
    from botsdk.dataset import DatasetWriter

    writer = DatasetWriter(out, arena_contract())
    steps = 0
    for m, match_seed in enumerate(match_seeds(seed, matches)):
        trajectories = demonstrator_match(map_name, match_seed, m)
        writer.add_episodes([(t, dict(t.meta)) for t in trajectories.values()])
        steps += sum(len(t) for t in trajectories.values())
    return {"out": str(out), "matches": matches, "steps": steps}
