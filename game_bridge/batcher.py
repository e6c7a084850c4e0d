"""Opportunistic cross-stream batching: ticks that arrive while the model is busy are decided together.

A lone engine never waits (its tick runs at once). When several streams tick at the same time, the first to get the
model runs every pending tick in one runtime call, so the fixed cost of a model call is paid once per group. Agent
keys are namespaced per stream, so merging never mixes two streams' state; a key appearing in two pending requests
(two concurrent Act calls for one session) goes to a later call, keeping each agent's steps in order.
"""

from __future__ import annotations

import threading
from typing import Sequence

import numpy as np


class _Job:
    __slots__ = ("keys", "obs", "styles", "starts", "result", "error")

    def __init__(self, keys: list[str], obs: np.ndarray, styles: np.ndarray | None, starts: np.ndarray | None):
        self.keys, self.obs, self.styles, self.starts = keys, obs, styles, starts
        self.result: np.ndarray | None = None
        self.error: BaseException | None = None


class Batcher:
    """`act(keys, obs, styles, starts)` with the BotRuntime signature; merges concurrent callers."""

    def __init__(self, runtime, style_size: int, max_rows: int = 4096):
        self.runtime = runtime
        self.style_size = style_size
        self.max_rows = max_rows
        self._run_lock = threading.Lock()
        self._queue_lock = threading.Lock()
        self._pending: list[_Job] = []
        self.calls = 0  # runtime calls made (tests and the benchmark read it)
        self._obs_buf: np.ndarray | None = None

    def act(self, keys: list[str], obs: np.ndarray, styles: np.ndarray | None,
            starts: np.ndarray | None) -> np.ndarray:
        if not self._pending and self._run_lock.acquire(blocking=False):  # alone: no queueing at all
            try:
                self.calls += 1
                return self.runtime.act(keys, obs, styles, starts)
            finally:
                self._run_lock.release()
        job = _Job(keys, obs, styles, starts)
        with self._queue_lock:
            self._pending.append(job)
        with self._run_lock:  # either a previous holder decided our job, or we decide everything pending
            if job.result is None and job.error is None:
                with self._queue_lock:
                    jobs, self._pending = self._pending, []
                for group in self._groups(jobs):
                    self._run(group)
        if job.error is not None:
            raise job.error
        return job.result

    def _groups(self, jobs: list[_Job]) -> list[list[_Job]]:
        """Split into runtime calls: no key twice in one call, at most max_rows rows (a lone job is never split)."""
        groups: list[list[_Job]] = []
        while jobs:
            group, seen, rows, later = [], set(), 0, []
            for job in jobs:
                if group and (rows + len(job.keys) > self.max_rows or not seen.isdisjoint(job.keys)):
                    later.append(job)
                    continue
                group.append(job)
                seen.update(job.keys)
                rows += len(job.keys)
            groups.append(group)
            jobs = later
        return groups

    def _run(self, group: list[_Job]) -> None:
        self.calls += 1
        if len(group) == 1:
            job = group[0]
            try:
                job.result = self.runtime.act(job.keys, job.obs, job.styles, job.starts)
            except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
                job.error = exc
            return
        try:
            actions = self.runtime.act(*self._merge(group))
        except Exception:  # one bad request must not fail its neighbours: decide them one by one
            for job in group:
                self._run([job])
            return
        start = 0
        for job in group:
            job.result = actions[start:start + len(job.keys)]
            start += len(job.keys)

    def _merge(self, group: Sequence[_Job]):
        keys = [k for job in group for k in job.keys]
        obs = self._merged_obs([job.obs for job in group], len(keys))
        if any(job.styles is not None for job in group):
            styles = np.concatenate([job.styles if job.styles is not None
                                     else np.zeros((len(job.keys), self.style_size), np.float32) for job in group])
        else:
            styles = None
        if any(job.starts is not None for job in group):
            starts = np.concatenate([job.starts if job.starts is not None else np.zeros(len(job.keys), bool)
                                     for job in group])
        else:
            starts = None
        return keys, obs, styles, starts

    def _merged_obs(self, parts: list[np.ndarray], rows: int) -> np.ndarray:
        """The jobs' observations stacked into one reused buffer (runs hold the run lock, so one buffer serves them
        all): no fresh allocation, whose page faults cost more than the copy. Other dtypes or widths take the plain
        path, so the runtime still names what is wrong."""
        width = parts[0].shape[-1] if parts[0].ndim == 2 else -1
        if width < 0 or any(p.dtype != np.float32 or p.ndim != 2 or p.shape[1] != width for p in parts):
            return np.concatenate(parts)
        buf = self._obs_buf
        if buf is None or buf.shape[0] < rows or buf.shape[1] != width:
            buf = self._obs_buf = np.empty((max(rows, 2 * (0 if buf is None else buf.shape[0])), width), np.float32)
        return np.concatenate(parts, out=buf[:rows])
