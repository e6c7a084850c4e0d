"""Play the episodes of a playtest in parallel worker processes (or as Ray tasks, `PlaytestPlan.cluster`), with a
progress bar.

Workers are forked (where the platform allows) after the adapter is set as a module global, so an adapter built
from lambdas or holding an open model needs no pickling; only the small `EpisodeResult`s travel back.
"""

from __future__ import annotations

import multiprocessing as mp
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
import time
import traceback
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Iterator

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
    cluster: str | None = None  # a Ray address (botsdk.cluster): episodes run as Ray tasks instead of local processes

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
    """Results as they finish (any order). The worker processes are forked on entry, before any progress-bar
    thread starts; with one worker everything runs in this process. A worker that dies (a crash in native code)
    does not hang the run: the episodes it took down are replayed one process each, and the one that kills its
    process again is reported as a crash with its seed."""
    global _ADAPTER
    jobs = [(persona, seed, plan.max_steps) for persona, seed in plan.jobs()]
    if plan.cluster is not None:
        from botsdk.cluster import cluster_session

        with cluster_session(plan.cluster, plan.workers):
            yield _cluster_stream(adapter, jobs)
        return
    if plan.workers <= 1 or len(jobs) <= 1:
        yield (play_episode(adapter, *job) for job in jobs)
        return
    _ADAPTER = adapter
    try:
        first = _submit(jobs, plan.workers)
        yield _collect(first, plan.workers)
    finally:
        _ADAPTER = None


def _play_job(adapter: PlaytestAdapter, job: tuple[str, int, int]) -> EpisodeResult:
    return play_episode(adapter, *job)


def _cluster_stream(adapter: PlaytestAdapter, jobs: list[tuple[str, int, int]]) -> Iterator[EpisodeResult]:
    """Each episode a Ray task; an episode whose worker kept dying is reported as a crash with its seed, like an
    episode that kills a local worker."""
    from botsdk.cluster import run_tasks

    for outcome in run_tasks(_play_job, jobs, shared=adapter):
        if outcome.error is None:
            yield outcome.value
        else:
            persona, seed, _ = jobs[outcome.index]
            yield EpisodeResult(persona, seed, [], 0, 0.0, outcome.error)


def _submit(jobs: list[tuple[str, int, int]], workers: int) -> tuple[ProcessPoolExecutor, Any]:
    executor = ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=_pool_context())
    futures = {executor.submit(_worker, job): job for job in jobs}
    return executor, futures


def _collect(first: tuple[ProcessPoolExecutor, dict[Future, tuple]], workers: int) -> Iterator[EpisodeResult]:
    executor, futures = first
    lost = []
    try:
        for future in as_completed(futures):
            try:
                yield future.result()
            except BrokenProcessPool:
                lost.append(futures[future])
            except Exception as exc:  # noqa: BLE001 - e.g. a result that cannot travel back
                persona, seed, _ = futures[future]
                yield EpisodeResult(persona, seed, [], 0, 0.0, "".join(traceback.format_exception(exc)))
    except KeyboardInterrupt:  # Ctrl-C: the episodes still playing are dropped, their workers stopped now
        processes = list((getattr(executor, "_processes", None) or {}).values())
        executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()
        raise
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
    for job in lost:  # one process each, so a crash is pinned on the seed that causes it
        alone, (future,) = _submit([job], 1)
        try:
            yield future.result()
        except BrokenProcessPool:
            persona, seed, _ = job
            yield EpisodeResult(persona, seed, [], 0, 0.0, "RuntimeError: the worker process died while playing "
                                "this episode (a crash in native code?); replay it with --workers 1")
        finally:
            alone.shutdown(wait=True)


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
