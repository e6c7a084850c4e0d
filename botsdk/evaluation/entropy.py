"""Behaviour entropy over routes (D3IL) and task competence: does the bot keep the demonstrators' variety, and
does it still get the job done?

A route is the sequence of coarse map regions an agent passes through; the initial context is its team and
starting region. H = mean_c [ -sum_b p(b|c) log_|B| p(b|c) ], in [0, 1], with B the routes seen by either
group being compared so both figures share one base."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Callable, Hashable, Sequence

import numpy as np

from botsdk.evaluation.features import Episode

REGIONS = 3      # coarse regions per axis
ROUTE_LEN = 4    # regions after the start that name a route


def _regions(positions: np.ndarray, bounds: tuple[float, float, float, float], regions: int) -> np.ndarray:
    x0, y0, x1, y1 = bounds
    gx = np.clip(((positions[:, 0] - x0) / max(x1 - x0, 1e-9) * regions).astype(int), 0, regions - 1)
    gy = np.clip(((positions[:, 1] - y0) / max(y1 - y0, 1e-9) * regions).astype(int), 0, regions - 1)
    return gy * regions + gx


def route(episode: Episode, bounds: tuple[float, float, float, float], regions: int = REGIONS,
          length: int = ROUTE_LEN) -> tuple[int, ...]:
    """The first `length` regions entered after the start region (consecutive repeats collapsed)."""
    cells = _regions(episode.positions, bounds, regions)
    changes = cells[np.concatenate([[True], cells[1:] != cells[:-1]])]
    return tuple(int(c) for c in changes[1:length + 1])


def context(episode: Episode, bounds: tuple[float, float, float, float], regions: int = REGIONS) -> Hashable:
    """Initial context: the team and the starting region."""
    return (episode.meta.get("team"), int(_regions(episode.positions[:1], bounds, regions)[0]))


Descriptor = Callable[[Episode], Hashable]


def behaviour_entropy(episodes: Sequence[Episode], bounds: tuple[float, float, float, float],
                      behaviours: set[Hashable] | None = None, descriptor: Descriptor | None = None) -> float:
    """D3IL behaviour entropy, normalised to [0, 1] by log |B|; 0 when fewer than two behaviours exist.
    `descriptor` names an episode's behaviour (default: its coarse-region route)."""
    describe = descriptor or (lambda e: route(e, bounds))
    by_context: dict[Hashable, Counter] = defaultdict(Counter)
    for ep in episodes:
        by_context[context(ep, bounds)][describe(ep)] += 1
    if behaviours is None:
        behaviours = {r for c in by_context.values() for r in c}
    size = len(behaviours)
    if size < 2 or not by_context:
        return 0.0
    values = []
    for counts in by_context.values():
        p = np.array(list(counts.values()), np.float64)
        p /= p.sum()
        values.append(float(-(p * np.log(p)).sum() / np.log(size)))
    return float(np.mean(values))


def paired_entropy(a: Sequence[Episode], b: Sequence[Episode], bounds: tuple[float, float, float, float],
                   descriptor: Descriptor | None = None) -> tuple[float, float]:
    """Both groups' entropies over the union of their behaviours (one shared base)."""
    describe = descriptor or (lambda e: route(e, bounds))
    routes = {describe(e) for e in (*a, *b)}
    return (behaviour_entropy(a, bounds, routes, describe), behaviour_entropy(b, bounds, routes, describe))


def arena_route_descriptor(map_name: str) -> Descriptor | None:
    """The arena map's named routes (`botsdk.arena.stats.route_taken`) as the behaviour descriptor, if the
    episodes were played on a built-in map."""
    if not map_name:
        return None
    try:
        from botsdk.arena import load_map
        from botsdk.arena.stats import route_taken

        arena_map = load_map(map_name)
    except (ImportError, OSError, ValueError, KeyError):
        return None
    return lambda e: route_taken(e.positions, arena_map, str(e.meta.get("team", "blue")))


def competence(episodes: Sequence[Episode]) -> dict[str, float]:
    """Task competence: mean episode return and the share of episodes with a positive return."""
    returns = np.array([e.rewards.sum() for e in episodes], np.float64)
    if returns.size == 0:
        return {"mean_return": float("nan"), "positive_share": float("nan"), "episodes": 0}
    return {"mean_return": float(returns.mean()), "positive_share": float((returns > 0).mean()),
            "episodes": int(returns.size)}
