"""Several server processes on one port: `botsdk serve --workers N`.

One server process decides every engine's ticks under one interpreter lock, so it tops out at the same rate however
many cores the machine has (the model itself runs outside the lock; the request handling does not). A studio with
more cores runs N workers: each is a whole BridgeServer bound to the same port with SO_REUSEPORT, and the kernel
hands each new connection to one of them. A connection stays with its worker, so the agents of a Session stream, and
of an Act session while the client keeps its channel open, keep their state there. A worker that dies is started
again; the engines that were connected to it reconnect and start their agents afresh, as with replicas
(botsdk.game_bridge.replicas).

Each worker holds its own limits (max streams, Act sessions, agents). Not with several workers: RecordGameplay
(one writer per dataset) and ReloadPolicy (a reload would reach one worker); restart the service to change models.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import signal
import socket
import threading
import time
from dataclasses import dataclass, replace
from multiprocessing.connection import wait as wait_for_messages
from pathlib import Path
from typing import Any

from botsdk.export.session import load_policy
from botsdk.game_bridge.binding import addresses_for, bind_error, check_port
from botsdk.game_bridge.events import event
from botsdk.game_bridge.security import check_bind

START_TIMEOUT_S = 120.0


class WorkerStartError(RuntimeError):
    """A worker could not start serving; the message names the worker and why."""


@dataclass(frozen=True)
class WorkerSpec:
    """What every worker builds its BridgeServer from (picklable: workers are spawned)."""

    model: str
    host: str
    port: int
    log_json: bool
    log_events: bool
    options: dict[str, Any]  # BridgeServer's other keyword arguments


def reserve_port(host: str, port: int) -> tuple[int, list[socket.socket]]:
    """Bind every address of `host` on one port with SO_REUSEPORT, without listening, and keep the sockets: the
    port stays the workers' to share (port 0 picks one), and a port another program holds fails here, clearly."""
    check_port(port)
    held: list[socket.socket] = []
    for i, address in enumerate(addresses_for(host)):
        sock = socket.socket(socket.AF_INET6 if ":" in address else socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind((address, port))
        except OSError as exc:
            sock.close()
            if host == "localhost" and i > 0:
                continue  # no IPv6 loopback: serve on 127.0.0.1 alone, as a single server does
            for other in held:
                other.close()
            raise bind_error(address, port, exc) from None
        port = port or sock.getsockname()[1]
        held.append(sock)
    return port, held


def _run_worker(spec: WorkerSpec, index: int, pool) -> None:
    """One worker process: report on `pool` (this worker's own pipe: nothing shared with other workers, so one
    killed mid-message blocks no other), then serve until the pool says stop there or its end closes (the pool is
    gone). Ctrl-C reaches the whole process group; the pool decides."""
    terminated: list[int] = []  # a SIGTERM of its own (an operator, or one sent to the whole process group)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda signum, _: terminated.append(signum))  # no lock taken in a handler
    from botsdk.game_bridge import events
    from botsdk.game_bridge.server import BridgeServer

    if spec.log_events:
        events.configure(as_json=spec.log_json, context={"worker": index, "pid": os.getpid()})
    options = {**spec.options, "seed": spec.options.get("seed", 0) + index}  # engines on two workers draw apart
    try:
        server = BridgeServer(spec.model, host=spec.host, port=spec.port, reuse_port=True, **options).start()
    except Exception as exc:  # noqa: BLE001 - reported to the pool, which names the worker
        pool.send((os.getpid(), f"{type(exc).__name__}: {exc}", None))
        return
    pool.send((os.getpid(), None, server.summary()))
    while not terminated and not pool.poll(0.25):
        pass
    server.stop()


class WorkerPool:
    """`WorkerPool(model, workers=4, host=..., port=..., **BridgeServer options).start()`; `watch(done)` restarts
    workers that die until `done` is set; `stop()` drains them all. Workers log their events to stderr (JSON with
    `log_json`) unless `log_events` is False."""

    def __init__(self, model: str | Path, workers: int, host: str = "localhost", port: int = 50051,
                 log_json: bool = False, log_events: bool = True, **options: Any):
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise ValueError(f"workers: expected a whole number of server processes >= 1, got {workers!r}")
        if workers > 1 and not hasattr(socket, "SO_REUSEPORT"):
            raise ValueError(f"workers: {workers} server processes share one port through SO_REUSEPORT, which this "
                             f"system lacks; expected --workers 1 here (or replicas on several ports)")
        if workers > 1 and options.get("record_dir") is not None:
            raise ValueError(f"record_dir: RecordGameplay needs one worker (one writer per dataset), got "
                             f"{workers} workers; record with --workers 1")
        if workers > 1 and options.get("admin_token") is not None:
            raise ValueError(f"admin: ReloadPolicy needs one worker (a reload would reach only one of {workers}); "
                             f"restart the service with the new model instead")
        check_port(port)
        load_policy(model)  # a file that cannot serve fails here, as with one process, before any worker starts
        check_bind(host, options.get("token") or options.get("admin_token"), options.get("tls"),
                   options.get("allow_plaintext_token", False))
        self.workers = workers
        self.spec = WorkerSpec(str(model), host, port, log_json, log_events, options)
        self.port: int | None = None
        self.info: dict[str, Any] = {}   # what worker 0 reported: addresses, contract, model version, sampling
        self.pids: dict[int, int] = {}
        self._ctx = mp.get_context("spawn")
        self._stopping = False
        self._pipes: dict[int, Any] = {}  # the pool's end of each worker's pipe
        self._procs: dict[int, mp.Process] = {}
        self._held: list[socket.socket] = []

    def start(self) -> "WorkerPool":
        self.port, self._held = reserve_port(self.spec.host, self.spec.port)
        self.spec = replace(self.spec, port=self.port)
        try:
            for index in range(self.workers):
                self._spawn(index)
            self._await(set(range(self.workers)))
        except BaseException:
            self.stop()
            raise
        return self

    def _spawn(self, index: int) -> None:
        ours, theirs = self._ctx.Pipe()
        proc = self._ctx.Process(target=_run_worker, args=(self.spec, index, theirs),
                                 name=f"botsdk-serve-worker-{index}", daemon=True)
        proc.start()
        theirs.close()
        if index in self._pipes:
            self._pipes[index].close()
        self._procs[index], self._pipes[index] = proc, ours

    def _await(self, waiting: set[int], timeout: float = START_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout
        while waiting:
            if time.monotonic() > deadline:
                raise WorkerStartError(f"workers {sorted(waiting)} did not start within {timeout:g} s")
            for pipe in wait_for_messages([self._pipes[i] for i in waiting], timeout=0.5):
                index = next(i for i in waiting if self._pipes[i] is pipe)
                try:
                    pid, error, info = pipe.recv()
                except EOFError:  # it died before reporting
                    self._procs[index].join(5)
                    raise WorkerStartError(f"worker {index} exited while starting (exit code "
                                           f"{self._procs[index].exitcode})") from None
                if error is not None:
                    raise WorkerStartError(f"worker {index} could not start: {error}")
                self.pids[index] = pid
                self.info = self.info or info
                waiting.discard(index)

    def watch(self, done: threading.Event, period_s: float = 1.0) -> None:
        """Until `done` is set: start again every worker that died (its engines reconnect and start afresh)."""
        while not done.wait(period_s):
            for index, proc in list(self._procs.items()):
                if proc.is_alive() or self._stopping:
                    continue
                event("worker_exited", logging.WARNING, worker=index, pid=proc.pid, exit_code=proc.exitcode)
                try:
                    self._spawn(index)
                    self._await({index})
                    event("worker_restarted", worker=index, pid=self.pids[index])
                except WorkerStartError as exc:  # tried again next period
                    event("worker_restart_failed", logging.ERROR, worker=index, error=str(exc))

    def stop(self) -> None:
        """Tell every worker to stop (each lets open streams finish for the limits' grace), then release the port."""
        self._stopping = True
        for pipe in self._pipes.values():
            try:
                pipe.send(None)
            except OSError:  # that worker is gone already
                pass
        wait_s = getattr(self.spec.options.get("limits"), "grace_s", 5.0) + 10.0
        for proc in self._procs.values():
            proc.join(wait_s)
        for proc in self._procs.values():
            if proc.is_alive():
                proc.terminate()
                proc.join(5)
        for connection in [*self._held, *self._pipes.values()]:
            connection.close()
        self._held, self._pipes = [], {}

    def __enter__(self) -> "WorkerPool":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
