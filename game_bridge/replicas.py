"""Several `botsdk serve` replicas behind one client: round-robin for single decisions, failover for sessions.

`ReplicaClient(["10.0.0.5:50051", "10.0.0.6:50051"], token=...)` keeps a warm channel to every replica and asks
each for its standard `grpc.health.v1` status before handing it work. `act(...)` rotates over the healthy replicas;
`session()` opens a tick stream on the next healthy one and, if that replica dies mid-session, re-sends the tick in
flight on another replica at once. The agents' recurrent memory lived in the dead process, so the re-sent tick
starts every agent afresh (`episode_start`); apart from that, the game loses only that tick's latency. For a load
balancer instead (Envoy, a Kubernetes headless service), point a plain `BridgeClient` at it: the replicas answer
the same health checks.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Sequence

import grpc
import numpy as np

from botsdk.game_bridge.client import BridgeClient, SessionStream
from botsdk.game_bridge.security import TlsFiles

# statuses that mean "this replica is gone or going", not "this request is wrong"
FAILOVER_CODES = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED, grpc.StatusCode.UNKNOWN,
                  grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.INTERNAL)


class NoHealthyReplica(ConnectionError):
    """Every replica failed its health check or the request; the message names each and why."""


@dataclass(frozen=True)
class Failover:
    """One move of a session from a replica that failed to another; `seconds` from the failure to the answer."""

    tick: int
    failed: str
    replica: str
    seconds: float
    reason: str


class ReplicaClient:
    """Clients to many replicas of one model (same contract); see the module docstring."""

    def __init__(self, targets: Sequence[str], token: str | None = None, tls: TlsFiles | None = None,
                 server_name: str | None = None, health_timeout: float = 0.25):
        if not targets:
            raise ValueError("targets: expected at least one replica address (host:port), got none")
        self.targets = list(targets)
        self.clients = {t: BridgeClient(t, token=token, tls=tls, server_name=server_name) for t in self.targets}
        self.health_timeout = health_timeout
        self._next = 0

    def close(self) -> None:
        for client in self.clients.values():
            client.close()

    def __enter__(self) -> "ReplicaClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def status(self, target: str) -> str:
        """The replica's grpc.health.v1 answer ('SERVING', 'NOT_SERVING', ...) or 'UNREACHABLE'."""
        try:
            return self.clients[target].health(timeout=self.health_timeout)
        except grpc.RpcError:
            return "UNREACHABLE"

    def healthy(self, exclude: Sequence[str] = ()) -> list[str]:
        """Serving replicas in round-robin order from the next one; each call moves the rotation on by one."""
        order = self.targets[self._next:] + self.targets[:self._next]
        self._next = (self._next + 1) % len(self.targets)
        return [t for t in order if t not in exclude and self.status(t) == "SERVING"]

    def _pick(self, exclude: Sequence[str] = ()) -> str:
        found = self.healthy(exclude)
        if not found:
            states = ", ".join(f"{t}: {self.status(t)}" for t in self.targets)
            raise NoHealthyReplica(f"expected a SERVING replica, got none ({states})")
        return found[0]

    def act(self, agent_ids: Sequence[str], obs: np.ndarray, **kwargs) -> np.ndarray:
        """One decision (unary `Act`) on the next healthy replica; a replica that fails is skipped for the next."""
        failed: list[str] = []
        while True:
            target = self._pick(failed)
            try:
                return self.clients[target].act(agent_ids, obs, **kwargs)
            except grpc.RpcError as exc:
                if exc.code() not in FAILOVER_CODES:
                    raise
                failed.append(target)

    def session(self) -> "FailoverSession":
        return FailoverSession(self)


class FailoverSession:
    """A tick stream that survives the death of its replica (see the module docstring). `target` is the replica
    serving it now; `failovers` lists every move."""

    def __init__(self, replicas: ReplicaClient):
        self.replicas = replicas
        self.failovers: list[Failover] = []
        self.tick = 0
        self.target = replicas._pick()
        self._stream: SessionStream = replicas.clients[self.target].session()

    def step(self, agent_ids: Sequence[str], obs: np.ndarray, styles: np.ndarray | None = None,
             personas: Sequence[str] | None = None, episode_start=None, ended: Sequence[str] = (),
             decode: bool = False) -> np.ndarray:
        self.tick += 1
        try:
            return self._stream.step(agent_ids, obs, styles, personas, episode_start, ended, decode)
        except grpc.RpcError as exc:
            if exc.code() not in FAILOVER_CODES:
                raise
            return self._fail_over(exc, agent_ids, obs, styles, personas, decode)

    def _fail_over(self, exc: grpc.RpcError, agent_ids, obs, styles, personas, decode) -> np.ndarray:
        started, failed = time.perf_counter(), [self.target]
        self._stream.cancel()
        while True:
            target = self.replicas._pick(failed)
            stream = self.replicas.clients[target].session()
            try:  # the new replica never saw these agents: each starts from its first step
                actions = stream.step(agent_ids, obs, styles, personas, [True] * len(agent_ids), (), decode)
            except grpc.RpcError as again:
                if again.code() not in FAILOVER_CODES:
                    raise
                stream.cancel()
                failed.append(target)
                continue
            self.failovers.append(Failover(self.tick, failed[0], target, time.perf_counter() - started,
                                           f"{exc.code().name}: {exc.details()}"))
            self.target, self._stream = target, stream
            return actions

    def close(self) -> None:
        self._stream.close()

    def __enter__(self) -> "FailoverSession":
        return self

    def __exit__(self, *exc) -> None:
        if exc[0] is None:
            self.close()
        else:
            self._stream.cancel()
