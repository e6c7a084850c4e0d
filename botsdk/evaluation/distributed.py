"""Evaluation across processes: the matches only scripted demonstrators play (the generated reference, the power
panel, the robotic bot) run in worker processes on this machine, or as Ray tasks on a cluster, one per match,
while the policy's matches play in this process; then the figures' independent models (a discriminator per
comparison, the style classifier) train in worker processes too (`figure_pool`).

Why that split: a demonstrator is seeded by its own spec, so its match plays the same anywhere; the policy's
matches all draw from the one sampler of one runtime, in order, so moving them would change what they draw. The
recorder commits every group's matches in match order, so the report equals the one-process report for the same
seeds.
"""

from __future__ import annotations

from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from functools import partial
from multiprocessing import get_context
from typing import Any, Callable, Iterator, Sequence

from botsdk.evaluation.rollouts import MatchJob, MatchRunner, MatchSetup, play_here, play_job


@contextmanager
def match_runner(cluster: str | None, workers: int = 1) -> Iterator[MatchRunner]:
    """For the block's length: Ray with a cluster (a Ray address, see botsdk.cluster); else `workers` spawned
    processes on this machine, or `play_here` with one."""
    if cluster is not None:
        from botsdk.cluster import cluster_session

        with cluster_session(cluster):
            yield play_on_ray
        return
    if workers <= 1:
        yield play_here
        return
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"), initializer=_worker_init)
    try:
        yield partial(play_in_pool, pool)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@contextmanager
def figure_pool(workers: int = 1) -> Iterator[Executor]:
    """Where the figures' models train: `workers` spawned processes, or this process with one. Each model trains
    on one torch thread from its own seed (botsdk.evaluation.classifier), so the figures are the same either way."""
    if workers <= 1:
        yield InlineExecutor()
        return
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"), initializer=_worker_init)
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


class InlineExecutor(Executor):
    """An executor that runs each job when it is submitted, in this process."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:
            future.set_exception(exc)
        return future


def play_in_pool(pool: ProcessPoolExecutor, setup: MatchSetup, jobs: Sequence[MatchJob]
                 ) -> Iterator[dict[str, Any]]:
    """Submit every job to the pool now; the returned iterator yields each match's trajectories in job order."""
    futures = [pool.submit(play_job, setup, job) for job in jobs]
    return (_result(future, job) for future, job in zip(futures, jobs))


def _result(future: Future, job: MatchJob) -> dict[str, Any]:
    try:
        return future.result()
    except Exception as exc:  # the worker's error, raised here with the match that caused it
        raise RuntimeError(f"demonstrators' match (seed {job[0]}): {type(exc).__name__}: {exc}") from exc


def _worker_init() -> None:
    import os
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a terminal's Ctrl-C reaches the workers too: the parent decides
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("NUMBA_NUM_THREADS", "1")


def play_on_ray(setup: MatchSetup, jobs: Sequence[MatchJob]) -> Iterator[dict[str, Any]]:
    """Submit every job now; the returned iterator yields each match's trajectories in job order."""
    from botsdk.cluster import submit_tasks

    return _in_job_order(submit_tasks(play_job, list(jobs), shared=setup), jobs)


def _in_job_order(batch: Any, jobs: Sequence[MatchJob]) -> Iterator[dict[str, Any]]:
    from botsdk.cluster import ClusterError

    for outcome in batch.ordered():
        if outcome.error is not None:
            raise ClusterError(f"demonstrators' match (seed {jobs[outcome.index][0]}): {outcome.error}")
        yield outcome.value
