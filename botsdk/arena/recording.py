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
from concurrent.futures import ProcessPoolExecutor
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
    disturbance: float = 0.0  # chance a disturbance starts on a step (botsdk.arena.disturbance); 0: none

    def __post_init__(self) -> None:
        if not 0.0 <= self.disturbance < 1.0:
            raise ValueError(f"disturbance: expected a chance per step in [0, 1), got {self.disturbance!r}")

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


def match_labels(plan: RecordPlan, match: int) -> dict[str, dict[str, Any]]:
    """Every agent's labels in match `match` (style, player, skill): a pure function of the plan."""
    agents = _agents(plan.team_size)
    first_slot = match * len(agents)
    labels = {}
    for j, agent in enumerate(agents):
        style = plan.styles[(first_slot + j + match) % len(plan.styles)]  # shift per match: styles swap teams
        player, skill = player_for(style, first_slot + j + match, plan)
        labels[agent] = {"player_id": player, "style": style, "skill": skill}
    return labels


def wanted_agents(plan: RecordPlan, match: int) -> list[str]:
    """The agents match `match` records: all of them, except in the last match only as many as still needed."""
    agents = _agents(plan.team_size)
    return agents[: max(0, min(len(agents), plan.episodes - match * len(agents)))]


class MatchDiscarded(Exception):
    """A stop was requested while the match was playing: nothing of it was written."""


def play_recorded_match(plan: RecordPlan, match: int, skip_agents: frozenset[str] = frozenset()
                        ) -> list[tuple[Any, dict[str, Any]]] | None:
    """Play match `match`; returns each wanted agent's (trajectory, meta), ready for `DatasetWriter.add_episodes`,
    or None when a stop request discarded the match. `skip_agents` are already recorded. Writes nothing, so a
    Ray task can run it and hand the result to the process that commits."""
    from botsdk.arena.demonstrators import make_demonstrator
    from botsdk.arena.disturbance import DISTURBED_INFO, DisturbedPlayer
    from botsdk.arena.rollout import play_match
    from botsdk.dataset.writer import utc_now

    wanted = [a for a in wanted_agents(plan, match) if a not in skip_agents]
    seed = match_seed(plan.seed, match)
    labels = match_labels(plan, match)
    # datasets keep no action probabilities: the players draw their choices on the spot (same play, faster)
    controllers = {agent: make_demonstrator(label["style"], match_seed(seed, j), skill=label["skill"],
                                            player_id=label["player_id"], report_probs=False)
                   for j, (agent, label) in enumerate(labels.items())}
    if plan.disturbance > 0:
        controllers = {agent: DisturbedPlayer(player, plan.disturbance, match_seed(seed, 100 + j))
                       for j, (agent, player) in enumerate(controllers.items())}
    started = utc_now()
    try:
        trajectories = play_match(plan.map_name, seed, controllers, plan.team_size, plan.max_steps,
                                  on_step=_check_stop)
    except MatchDiscarded:
        return None
    items = []
    for agent in wanted:
        traj = trajectories[agent]
        if plan.disturbance > 0:
            traj.infos[DISTURBED_INFO] = controllers[agent].info()
        meta = {**dict(getattr(traj, "meta", {}) or {}), **labels[agent]}
        meta.update(map=plan.map_name, seed=seed, agent_id=agent, started_at=started,
                    source=meta.get("source", "scripted"))
        items.append((traj, meta))
    return items


def commit_match(writer: Any, items: list[tuple[Any, dict[str, Any]]]) -> tuple[int, int]:
    """One atomic commit of a match's episodes; returns (episodes, steps) written."""
    writer.add_episodes(items)
    return len(items), int(sum(len(t.actions) if hasattr(t, "actions") else len(t["actions"]) for t, _ in items))


def play_and_record(plan: RecordPlan, match: int, skip_agents: frozenset[str] = frozenset()) -> tuple[int, int]:
    """Play match `match` and commit each wanted agent's trajectory (all in one commit); returns (episodes,
    steps) written, or (0, 0) when a stop request discarded the match. `skip_agents` are already recorded."""
    from botsdk.arena.contract import arena_contract
    from botsdk.dataset.writer import DatasetWriter

    writer = _WRITERS.get(plan.out)
    if writer is None:
        writer = _WRITERS[plan.out] = DatasetWriter(plan.out, arena_contract(), plan.dataset_id)
    items = play_recorded_match(plan, match, skip_agents)
    if items is None or _stop_requested():
        return 0, 0
    return commit_match(writer, items)


@dataclass(frozen=True)
class RunState:
    """Where a plan stands in its dataset: what earlier runs of the same command already recorded."""

    recorded: int
    todo: dict[int, frozenset[str]]  # match -> agents it already holds (empty: the whole match is to play)


class RecordingInterrupted(Exception):
    """Ctrl-C stopped a recording; the message says what was kept and how to finish the run."""

    def __init__(self, plan: RecordPlan, recorded: int, discarded: int):
        self.plan, self.recorded, self.discarded = plan, recorded, discarded
        remaining = plan.episodes - recorded
        super().__init__(
            f"interrupted: {plan.out} holds {recorded} of the {plan.episodes} episodes of this run"
            + (f" ({discarded} unfinished match(es) discarded)" if discarded else "")
            + f"; run the same command again to record the remaining {remaining}")


def record(plan: RecordPlan, workers: int = 1, on_match: Callable[[int, int], None] | None = None,
           on_start: Callable[[int], None] | None = None, cluster: str | None = None) -> dict[str, int]:
    """Record every match of the plan that the dataset does not hold yet, on `workers` spawned processes.

    `on_start(already_recorded)` once, then `on_match(episodes, steps)` after each match. Ctrl-C (SIGINT) stops
    handing out matches; matches in flight either commit whole or are discarded, the workers stop, and
    RecordingInterrupted says what was kept. Running the same plan again records only what is missing.
    With `cluster` (a Ray address, see botsdk.cluster) each match is a Ray task and this process commits what
    comes back, so a worker lost mid-match leaves nothing behind and its replay is committed once."""
    from botsdk.arena.contract import arena_contract
    from botsdk.dataset.writer import DatasetWriter

    DatasetWriter(plan.out, arena_contract(), plan.dataset_id)  # creates or checks the dataset here, not in workers
    state = run_state(plan)
    if on_start:
        on_start(state.recorded)
    totals = {"matches": 0, "episodes": 0, "steps": 0, "already_recorded": state.recorded}
    discarded = 0

    def done(episodes: int, steps: int) -> None:
        nonlocal discarded
        if episodes == 0:
            discarded += 1
            return
        totals["matches"] += 1
        totals["episodes"] += episodes
        totals["steps"] += steps
        if on_match:
            on_match(episodes, steps)

    with _stop_on_sigint(shared=workers > 1) as stop:
        if cluster is not None:
            _record_on_cluster(plan, workers, cluster, state.todo, stop, done)
        elif workers <= 1:
            for m, skip in state.todo.items():
                if stop.is_set():
                    break
                done(*play_and_record(plan, m, skip))
        else:
            _run_pool(plan, workers, state.todo, stop, done)
        if stop.is_set():
            raise RecordingInterrupted(plan, state.recorded + totals["episodes"], discarded)
    return totals


def _run_pool(plan: RecordPlan, workers: int, todo: dict[int, frozenset[str]], stop: Any,
              done: Callable[[int, int], None]) -> None:
    """Keep at most `workers` matches in flight (nothing queued that a stop would have to take back)."""
    from concurrent.futures import FIRST_COMPLETED, wait

    pending = iter(todo.items())
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"), initializer=_worker_init,
                               initargs=(stop,))
    running: set = set()
    try:
        while True:
            while not stop.is_set() and len(running) < workers and (item := next(pending, None)) is not None:
                running.add(pool.submit(play_and_record, plan, item[0], item[1]))
            if not running:
                break
            finished, running = wait(running, timeout=0.1, return_when=FIRST_COMPLETED)
            for future in finished:
                done(*future.result())
            if stop.is_set():
                _drain(running, done)
                break
    finally:
        _shutdown(pool)


def _record_on_cluster(plan: RecordPlan, workers: int, cluster: str, todo: dict[int, frozenset[str]], stop: Any,
                       done: Callable[[int, int], None]) -> None:
    """Every match still to play as a Ray task; commits here in completion order. A stop commits nothing more:
    the matches still in flight end with the Ray session and leave nothing written."""
    from botsdk.arena.contract import arena_contract
    from botsdk.cluster import ClusterError, cluster_session, run_tasks
    from botsdk.dataset.writer import DatasetWriter

    writer = DatasetWriter(plan.out, arena_contract(), plan.dataset_id)
    jobs = list(todo.items())
    with cluster_session(cluster, workers):
        for outcome in run_tasks(_play_job, jobs, shared=plan):
            if stop.is_set():
                done(0, 0)
                break
            match = jobs[outcome.index][0]
            if outcome.error is not None:
                raise ClusterError(f"match {match} (seed {match_seed(plan.seed, match)}): {outcome.error}")
            done(*commit_match(writer, outcome.value))


def _play_job(plan: RecordPlan, job: tuple[int, frozenset[str]]) -> list[tuple[Any, dict[str, Any]]] | None:
    return play_recorded_match(plan, *job)


def _drain(running: set, done: Callable[[int, int], None], timeout_s: float = 1.0) -> None:
    """After a stop: matches mid-play discard themselves at their next step, a commit in progress completes."""
    from concurrent.futures import wait

    finished, _ = wait(running, timeout=timeout_s)
    for future in finished:
        try:
            done(*future.result())
        except Exception:  # noqa: BLE001 - a worker lost at shutdown wrote nothing that is not already whole
            done(0, 0)


def _shutdown(pool: ProcessPoolExecutor, grace_s: float = 0.4) -> None:
    """Stop the workers now: an idle one exits, one still busy after the drain is terminated (its unfinished
    match holds nothing committed; a temp file it leaves is swept by the next writer)."""
    import time

    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    deadline = time.monotonic() + grace_s
    for process in processes:
        process.join(timeout=max(0.0, deadline - time.monotonic()))
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=0.5)


def run_state(plan: RecordPlan) -> RunState:
    """Which matches of the plan are still to play. A match seed recorded with other labels (another style
    list, map or players) is an error: continuing would mix two different runs under one seed."""
    from botsdk.dataset.catalog import DatasetError
    from botsdk.dataset.dataset import Dataset

    seeds = {match_seed(plan.seed, m): m for m in range(plan.matches)}
    held: dict[int, set[str]] = {}
    for e in Dataset.open(plan.out).episodes:
        m = seeds.get(e.seed)
        if m is None:
            continue
        expected = match_labels(plan, m).get(e.agent_id)
        found = {"player_id": e.player_id, "style": e.style, "skill": e.skill}
        if expected is None or e.map != plan.map_name or found != expected:
            this_run = "no such agent" if expected is None else _describe(plan.map_name, expected)
            raise DatasetError(
                f"--seed {plan.seed}: {plan.out} already holds match seed {e.seed} recorded with other settings "
                f"(agent {e.agent_id}: {_describe(e.map, found)} there, {this_run} in this run); expected a seed "
                "not used in this dataset, or the same settings to continue that run")
        held.setdefault(m, set()).add(e.agent_id)
    recorded = sum(len(agents & set(wanted_agents(plan, m))) for m, agents in held.items())
    todo = {m: frozenset(held.get(m, ())) for m in range(plan.matches)
            if not set(wanted_agents(plan, m)) <= held.get(m, set())}
    return RunState(recorded, todo)


def _describe(map_name: str, labels: dict[str, Any]) -> str:
    return f"{labels['style']} player {labels['player_id']} (skill {labels['skill']:g}) on {map_name}"


# ---- stopping --------------------------------------------------------------------------------------------------

_STOP: Any = None  # the run's stop event, in the recording process and in each worker


def _stop_requested() -> bool:
    return _STOP is not None and _STOP.is_set()


def _check_stop(_batch: Any) -> None:
    if _stop_requested():
        raise MatchDiscarded()


class _stop_on_sigint:
    """A stop event that the first SIGINT sets (later ones only set it again while the run winds down); shared
    with worker processes when `shared`."""

    def __init__(self, shared: bool):
        import threading

        self.event = get_context("spawn").Event() if shared else threading.Event()
        self.installed, self.previous = False, None

    def __enter__(self) -> Any:
        import signal
        import threading

        global _STOP
        _STOP = self.event
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, lambda *_: self.event.set())
            self.installed = True
        return self.event

    def __exit__(self, *exc: Any) -> None:
        import signal

        global _STOP
        _STOP = None
        if self.installed:
            signal.signal(signal.SIGINT, self.previous if self.previous is not None else signal.default_int_handler)


def _worker_init(stop: Any = None) -> None:
    import signal

    global _STOP
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a terminal's Ctrl-C reaches the workers too: the parent decides
    _STOP = stop
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("NUMBA_NUM_THREADS", "1")
