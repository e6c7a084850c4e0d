"""Play the episodes of a playtest in parallel worker processes, with a progress bar.

Workers are forked (where the platform allows) after the adapter is set as a module global, so an adapter built
from lambdas or holding an open model needs no pickling; only the small `EpisodeResult`s travel back.
"""

from __future__ import annotations

import multiprocessing as mp
import time
import traceback
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator

from botsdk.playtest.hooks import GameLoopError, PlaytestAdapter
from botsdk.playtest.records import EpisodeResult


@dataclass(frozen=True)
class PlaytestPlan:
    """The budget: `episodes` per persona, each at most `max_steps` steps, seeds `seed, seed+1, ...`."""

    personas: tuple[str, ...]
    episodes: int
    max_steps: int
    seed: int = 0
    workers: int = 1

    def jobs(self) -> list[tuple[str, int]]:
        return [(persona, self.seed + i) for persona in self.personas for i in range(self.episodes)]


_ADAPTER: PlaytestAdapter | None = None


def play_episode(adapter: PlaytestAdapter, persona: str, seed: int, max_steps: int) -> EpisodeResult:
    """One episode; a crash in the game loop is captured with its seed instead of stopping the run."""
    started = time.perf_counter()
    try:
        tracks = adapter.play(persona, seed, max_steps)
        error = None
    except GameLoopError as exc:
        tracks, error = exc.tracks, "".join(traceback.format_exception(exc.cause))
    except Exception as exc:  # noqa: BLE001 - an adapter without GameLoopError still gets its crash reported
        tracks, error = [], "".join(traceback.format_exception(exc))
    steps = max((len(t.moving) for t in tracks), default=0)
    return EpisodeResult(persona, seed, tracks, steps, time.perf_counter() - started, error)


def _worker(job: tuple[str, int, int]) -> EpisodeResult:
    assert _ADAPTER is not None, "worker started without an adapter"
    return play_episode(_ADAPTER, *job)


def _pool_context() -> mp.context.BaseContext:
    return mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context("spawn")


@contextmanager
def episode_stream(adapter: PlaytestAdapter, plan: PlaytestPlan) -> Iterator[Iterator[EpisodeResult]]:
    """Results as they finish (any order). The worker pool is forked on entry, before any progress-bar thread
    starts; with one worker everything runs in this process."""
    global _ADAPTER
    jobs = [(persona, seed, plan.max_steps) for persona, seed in plan.jobs()]
    if plan.workers <= 1 or len(jobs) <= 1:
        yield (play_episode(adapter, *job) for job in jobs)
        return
    _ADAPTER = adapter
    try:
        with _pool_context().Pool(processes=min(plan.workers, len(jobs))) as pool:
            yield pool.imap_unordered(_worker, jobs)
    finally:
        _ADAPTER = None


def run_episodes(adapter: PlaytestAdapter, plan: PlaytestPlan, progress: bool = True,
                 on_result: Callable[[EpisodeResult], None] | None = None) -> list[EpisodeResult]:
    """Every episode of the plan, sorted by (persona, seed) so the outcome does not depend on worker timing."""
    unknown = [p for p in plan.personas if p not in adapter.personas]
    if unknown:
        raise ValueError(f"unknown persona {unknown[0]!r} for {adapter.name!r}; expected one of "
                         f"{', '.join(adapter.personas)}")
    results: list[EpisodeResult] = []
    with episode_stream(adapter, plan) as stream, _progress(progress, adapter.name, len(plan.jobs())) as advance:
        for result in stream:
            results.append(result)
            if on_result:
                on_result(result)
            advance()
    order = {p: i for i, p in enumerate(plan.personas)}
    return sorted(results, key=lambda r: (order[r.persona], r.seed))


@contextmanager
def _progress(enabled: bool, label: str, total: int) -> Iterator[Callable[[], None]]:
    if not enabled:
        yield lambda: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("[bold]playtest[/] {task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns) as bar:
        task = bar.add_task(label, total=total)
        yield lambda: bar.advance(task)
