"""Run a nogil numba kernel over agent ranges on a few threads: robust to a busy machine, safe to fork.

numba's `parallel=True` regions end at a barrier every worker must reach: when the machine is oversubscribed a
descheduled worker stalls each call by a scheduler time slice (measured: a 64-agent call went from 0.25 ms on one
thread to 20 ms on two at load 13 on 2 cores), and a process that forks after using GNU OpenMP kills its children
("fork() called from a process already using GNU OpenMP"). Here plain threads run disjoint agent ranges of a
nogil kernel; the calling thread pulls chunks too, and helpers that have not started by the time the work is
done are cancelled, never waited for.
"""

from __future__ import annotations

import functools
import math
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

import numba

MIN_CHUNK = 16  # agents per chunk (512 rays of 32, ~50 us): a chunk call costs about a microsecond of Python
CHUNKS_PER_THREAD = 16  # small chunks: a late or descheduled thread leaves little for the others to wait on
TAIL_CHUNK = 4  # the last chunks shrink to this, so the threads finish together (measured 1.2% faster at 1024x32)

_pool: ThreadPoolExecutor | None = None
_pool_size = 0
_pool_lock = threading.Lock()


def _helpers(count: int) -> ThreadPoolExecutor:
    global _pool, _pool_size
    with _pool_lock:
        if _pool is None or _pool_size < count:
            _pool = ThreadPoolExecutor(max_workers=count, thread_name_prefix="sensors")
            _pool_size = count
        return _pool


def run(kernel: Callable[..., None], n_items: int, args: tuple[Any, ...], min_parallel: int) -> None:
    """kernel(lo, hi, *args) over [0, n_items): on this thread when n_items < min_parallel or numba is set to one
    thread, else in chunks on up to numba.get_num_threads() threads (NUMBA_NUM_THREADS, numba.set_num_threads)."""
    threads = numba.get_num_threads()
    if threads == 1 or n_items < min_parallel:
        kernel(0, n_items, *args)
    else:
        run_chunks(kernel, n_items, args, threads)


def chunk_bounds(n_items: int, threads: int) -> list[tuple[int, int]]:
    """[lo, hi) ranges covering [0, n_items): chunks of the usual size while plenty is left, then shrinking with
    what is left (never below TAIL_CHUNK), so no thread starts a long chunk just before the others run out."""
    chunk = max(MIN_CHUNK, math.ceil(n_items / (threads * CHUNKS_PER_THREAD)))
    bounds, lo = [], 0
    while lo < n_items:
        size = min(chunk, max(TAIL_CHUNK, math.ceil((n_items - lo) / (threads * 2))))
        bounds.append((lo, min(lo + size, n_items)))
        lo += size
    return bounds


@functools.lru_cache(maxsize=64)
def _cached_bounds(n_items: int, threads: int) -> tuple[tuple[int, int], ...]:
    return tuple(chunk_bounds(n_items, threads))  # ~10 us of Python per call at 1024 agents, on the serial path


def run_chunks(kernel: Callable[..., None], n_items: int, args: tuple[Any, ...], threads: int) -> None:
    """kernel(lo, hi, *args) over [0, n_items) in chunks, on up to `threads` threads including this one."""
    bounds = _cached_bounds(n_items, threads)
    chunks = iter(bounds)  # shared; a tuple iterator's next() is atomic under the GIL (a generator's is not)

    def work() -> None:
        for lo, hi in chunks:
            kernel(lo, hi, *args)

    n_helpers = min(threads - 1, len(bounds) - 1)
    futures = [_helpers(n_helpers).submit(work) for _ in range(n_helpers)] if n_helpers > 0 else []
    try:
        work()
    finally:
        for future in futures:
            if not future.cancel():  # started: it holds a chunk or is about to find none left
                future.result()
