"""Record scripted demonstrators playing the arena into a dataset, with K worker processes writing one directory.

`episodes` counts recorded agent-episodes (one per agent per match, i.e. rows of `botsdk data info`), not matches:
a match with team_size 2 yields 4; the last match records only as many agents as are still needed.
Agent slot i of match m (slots counted over all matches, agents in sorted order) plays style
`styles[(i + m) % len(styles)]`: styles stay balanced and do not stick to one team. Each style has
`players_per_style` players (ids from the arena's `player_ids`) with fixed skills. Match m's seed derives from
(seed, m) and each controller's from (match seed, agent index).
"""

from __future__ import annotations

import math
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Callable

import numpy as np

_WRITERS: dict[str, Any] = {}  # one DatasetWriter per (process, output directory)


@dataclass(frozen=True)
class RecordPlan:
    map_name: str
    styles: tuple[str, ...]
    episodes: int
    out: str
    seed: int = 0
    team_size: int = 2
    max_steps: int = 480
    players_per_style: int = 3
    dataset_id: str = "botsdk/arena-v0"

    @property
    def agents_per_match(self) -> int:
        return 2 * self.team_size

    @property
    def matches(self) -> int:
        return math.ceil(self.episodes / self.agents_per_match)


def match_seed(seed: int, match: int) -> int:
    return int(np.random.SeedSequence([seed, match]).generate_state(1)[0])


def player_for(style: str, slot: int, plan: RecordPlan) -> tuple[str, float]:
    """(player_id, skill) for an agent slot: players rotate within a style; skills spread over [0.4, 0.9]."""
    from botsdk.arena.demonstrators import player_ids

    k = (slot // len(plan.styles)) % plan.players_per_style  # slot here is the style-rotation index
    skill = 0.4 + 0.5 * k / max(1, plan.players_per_style - 1)
    return player_ids(style, plan.players_per_style)[k], round(skill, 3)


def _agents(team_size: int) -> list[str]:
    return sorted([f"blue_{i}" for i in range(team_size)] + [f"red_{i}" for i in range(team_size)])


def play_recorded_match(plan: RecordPlan, match: int) -> list[tuple[Any, dict[str, Any]]]:
    """Play match `match`; returns each wanted agent's (trajectory, meta), ready for `DatasetWriter.add_episodes`."""
    from botsdk.arena.demonstrators import make_demonstrator
    from botsdk.arena.rollout import play_match
    from botsdk.dataset.writer import utc_now

    agents = _agents(plan.team_size)
    first_slot = match * len(agents)
    wanted = agents[: max(0, min(len(agents), plan.episodes - first_slot))]
    seed = match_seed(plan.seed, match)
    controllers, labels = {}, {}
    for j, agent in enumerate(agents):
        style = plan.styles[(first_slot + j + match) % len(plan.styles)]  # shift per match: styles swap teams
        player, skill = player_for(style, first_slot + j + match, plan)
        # datasets keep no action probabilities: the players draw their choices on the spot (same play, faster)
        controllers[agent] = make_demonstrator(style, match_seed(seed, j), skill=skill, player_id=player,
                                               report_probs=False)
        labels[agent] = {"player_id": player, "style": style, "skill": skill}
    started = utc_now()
    trajectories = play_match(plan.map_name, seed, controllers, plan.team_size, plan.max_steps)
    items = []
    for agent in wanted:
        traj = trajectories[agent]
        meta = {**dict(getattr(traj, "meta", {}) or {}), **labels[agent]}
        meta.update(map=plan.map_name, seed=seed, agent_id=agent, started_at=started,
                    source=meta.get("source", "scripted"))
        items.append((traj, meta))
    return items


def commit_match(writer: Any, items: list[tuple[Any, dict[str, Any]]]) -> tuple[int, int]:
    """One atomic commit of a match's episodes; returns (episodes, steps) written."""
    writer.add_episodes(items)
    return len(items), int(sum(len(t.actions) if hasattr(t, "actions") else len(t["actions"]) for t, _ in items))


def play_and_record(plan: RecordPlan, match: int) -> tuple[int, int]:
    """Play match `match` and commit each wanted agent's trajectory; returns (episodes, steps) written."""
    from botsdk.arena.contract import arena_contract
    from botsdk.dataset.writer import DatasetWriter

    writer = _WRITERS.get(plan.out)
    if writer is None:
        writer = _WRITERS[plan.out] = DatasetWriter(plan.out, arena_contract(), plan.dataset_id)
    return commit_match(writer, play_recorded_match(plan, match))


def record(plan: RecordPlan, workers: int = 1, on_match: Callable[[int, int], None] | None = None,
           cluster: str | None = None) -> dict[str, int]:
    """Run every match of the plan on `workers` spawned processes; `on_match(episodes, steps)` after each.
    With `cluster` (a Ray address, see botsdk.cluster) each match is a Ray task and this process commits what
    comes back, so a worker lost mid-match leaves nothing behind and its replay is committed once."""
    from botsdk.arena.contract import arena_contract
    from botsdk.dataset.writer import DatasetWriter

    DatasetWriter(plan.out, arena_contract(), plan.dataset_id)  # creates or checks the dataset here, not in workers
    _refuse_duplicates(plan)
    totals = {"matches": 0, "episodes": 0, "steps": 0}

    def done(episodes: int, steps: int) -> None:
        totals["matches"] += 1
        totals["episodes"] += episodes
        totals["steps"] += steps
        if on_match:
            on_match(episodes, steps)

    if cluster is not None:
        _record_on_cluster(plan, workers, cluster, done)
        return totals
    if workers <= 1:
        for m in range(plan.matches):
            done(*play_and_record(plan, m))
        return totals
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"), initializer=_worker_init) as pool:
        futures = [pool.submit(play_and_record, plan, m) for m in range(plan.matches)]
        for future in as_completed(futures):
            done(*future.result())
    return totals


def _record_on_cluster(plan: RecordPlan, workers: int, cluster: str, done: Callable[[int, int], None]) -> None:
    from botsdk.arena.contract import arena_contract
    from botsdk.cluster import ClusterError, cluster_session, run_tasks
    from botsdk.dataset.writer import DatasetWriter

    writer = DatasetWriter(plan.out, arena_contract(), plan.dataset_id)
    with cluster_session(cluster, workers):
        for outcome in run_tasks(play_recorded_match, list(range(plan.matches)), shared=plan):
            if outcome.error is not None:
                raise ClusterError(f"match {outcome.index} (seed {match_seed(plan.seed, outcome.index)}): "
                                   f"{outcome.error}")
            done(*commit_match(writer, outcome.value))


def _refuse_duplicates(plan: RecordPlan) -> None:
    """Appending the same seed twice would record the same matches twice and skew every count."""
    from botsdk.dataset.catalog import DatasetError
    from botsdk.dataset.dataset import Dataset

    planned = {match_seed(plan.seed, m) for m in range(plan.matches)}
    clash = sorted({e.seed for e in Dataset.open(plan.out).episodes} & planned)
    if clash:
        raise DatasetError(f"--seed {plan.seed}: {plan.out} already holds {len(clash)} of its matches "
                           f"(match seed {clash[0]}, ...); expected a seed not used in this dataset")


def _worker_init() -> None:
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("NUMBA_NUM_THREADS", "1")
