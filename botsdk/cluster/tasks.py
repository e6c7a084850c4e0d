"""Run `fn(shared, job)` for every job as a Ray task and hand results back as they finish.

`shared` (an adapter, a plan) is put in Ray's object store once; each worker process unpickles it once and keeps
it. Each task asks for one CPU, so a `local` instance started with `num_cpus=K` runs K at a time, like K local
worker processes. Ray replays a task whose worker process died (`max_retries`); exceptions raised by `fn` are
not retried (the same seed would raise again) and come back in the outcome.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Sequence

from botsdk.cluster.address import LOCAL, ClusterError, check_address

WORKER_ENV = {"OMP_NUM_THREADS": "1", "NUMBA_NUM_THREADS": "1", "SDL_VIDEODRIVER": "dummy",
              "SDL_AUDIODRIVER": "dummy", "PYGAME_HIDE_SUPPORT_PROMPT": "1"}
DEFAULT_RETRIES = 3
_SHARED: dict[str, Any] = {}  # per worker process: the unpickled `shared` objects, by object-store id


@dataclass(frozen=True)
class TaskOutcome:
    """One finished job: `index` into the submitted jobs, and its `value` or the `error` text that ended it."""

    index: int
    value: Any = None
    error: str | None = None
    lost_worker: bool = False   # the error is a worker that kept dying, not an exception raised by the job


def _ray():
    try:
        import ray
    except ImportError as exc:
        raise ClusterError("--cluster needs Ray, which is not installed; expected it from "
                           "`pip install 'botsdk[cluster]'`") from exc
    return ray


@contextmanager
def cluster_session(address: str, workers: int | None = None) -> Iterator[dict[str, Any]]:
    """Connect to (or, for `local`, start) Ray for the length of the block; yields a description of the cluster.

    A Ray connection already open in this process (a notebook, a test) is used as it is and left open."""
    address = check_address(address)
    ray = _ray()
    if ray.is_initialized():
        yield _describe(ray, address)
        return
    options: dict[str, Any] = {"log_to_driver": False, "runtime_env": {"env_vars": dict(WORKER_ENV)}}
    if address == LOCAL:
        options.update(num_cpus=workers or os.cpu_count() or 1, include_dashboard=False)
    else:
        options["address"] = address
    try:
        ray.init(**options)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise ClusterError(f"--cluster {address}: could not connect to Ray ({exc})") from exc
    try:
        yield _describe(ray, address)
    finally:
        ray.shutdown()


def _describe(ray: Any, address: str) -> dict[str, Any]:
    resources = ray.cluster_resources()
    return {"address": address, "cpus": int(resources.get("CPU", 0)), "nodes": len(ray.nodes())}


def _call(fn: Callable[[Any, Any], Any], shared: tuple, job: Any) -> Any:
    """The task body. `shared` is a one-element tuple holding an ObjectRef, so Ray passes the reference and this
    worker unpickles the object only the first time it sees it."""
    import ray

    (ref,) = shared
    key = ref.hex()
    if key not in _SHARED:
        _SHARED.clear()
        _SHARED[key] = ray.get(ref)
    return fn(_SHARED[key], job)


class TaskBatch:
    """Jobs already submitted to the cluster (they run while the caller does other work); `outcomes()` yields
    them in completion order, `in_order()` by job index (all at once), `ordered()` by job index as they arrive."""

    def __init__(self, fn: Callable[[Any, Any], Any], jobs: Sequence[Any], shared: Any, max_retries: int):
        self._ray = ray = _ray()
        if not ray.is_initialized():
            raise ClusterError("tasks: expected an open cluster (use `with cluster_session(address):`), got none")
        remote = ray.remote(num_cpus=1, max_retries=max_retries, retry_exceptions=False)(_call)
        shared_box = (ray.put(shared),)
        self._pending = {remote.remote(fn, shared_box, job): i for i, job in enumerate(jobs)}
        self.size = len(self._pending)

    def outcomes(self) -> Iterator[TaskOutcome]:
        while self._pending:
            done, _ = self._ray.wait(list(self._pending), num_returns=1)
            for ref in done:
                yield _outcome(self._ray, ref, self._pending.pop(ref))

    def in_order(self) -> list[TaskOutcome]:
        return sorted(self.outcomes(), key=lambda o: o.index)

    def ordered(self) -> Iterator[TaskOutcome]:
        """Outcomes by job index, each as soon as it and every one before it have finished."""
        ready: dict[int, TaskOutcome] = {}
        following = 0
        for outcome in self.outcomes():
            ready[outcome.index] = outcome
            while following in ready:
                yield ready.pop(following)
                following += 1


def submit_tasks(fn: Callable[[Any, Any], Any], jobs: Sequence[Any], shared: Any = None,
                 max_retries: int = DEFAULT_RETRIES) -> TaskBatch:
    """Start every job now (inside `cluster_session`); collect later from the returned batch."""
    return TaskBatch(fn, jobs, shared, max_retries)


def run_tasks(fn: Callable[[Any, Any], Any], jobs: Sequence[Any], shared: Any = None,
              max_retries: int = DEFAULT_RETRIES) -> Iterator[TaskOutcome]:
    """Outcomes in completion order (call inside `cluster_session`). `fn` must be importable on the workers (a
    module-level function of an installed package)."""
    return submit_tasks(fn, jobs, shared, max_retries).outcomes()


def _outcome(ray: Any, ref: Any, index: int) -> TaskOutcome:
    from ray.exceptions import RayError, RayTaskError

    try:
        return TaskOutcome(index, ray.get(ref))
    except RayTaskError as exc:  # the job raised: its message and the worker's traceback
        return TaskOutcome(index, error=str(exc))
    except RayError as exc:  # the worker (or its node) died on every try
        return TaskOutcome(index, error=f"RuntimeError: the worker process died on every try ({type(exc).__name__})",
                           lost_worker=True)
