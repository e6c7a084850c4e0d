"""Open streams: per-client and total caps, idle closing, and the housekeeping thread that enforces expiries.

A client is its address (the peer's IP, port left out), so one engine host opening streams on many connections
still counts once; the idle timeout frees the slots of engines that went quiet without closing their streams.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable

import grpc

from botsdk.game_bridge.errors import exhausted
from botsdk.game_bridge.events import event
from botsdk.game_bridge.limits import Limits


def client_address(peer: str) -> str:
    """'ipv4:127.0.0.1:5555' -> '127.0.0.1'; 'ipv6:[::1]:5555' -> '::1'; anything else unchanged."""
    kind, _, rest = peer.partition(":")
    if kind in ("ipv4", "ipv6") and rest:
        return rest.rsplit(":", 1)[0].strip("[]")
    return peer


def end_call(context: grpc.ServicerContext, code: grpc.StatusCode, message: str) -> None:
    """End an RPC from another thread with a status the client sees (gRPC's public `cancel` says only CANCELLED)."""
    call = getattr(getattr(context, "_rpc_event", None), "call", None)
    try:
        call.cancel(code.value[0], message)
    except Exception:  # noqa: BLE001 - another gRPC build: fall back to the public API
        context.cancel()


class OpenStream:
    __slots__ = ("client", "method", "context", "last")

    def __init__(self, client: str, method: str, context: grpc.ServicerContext):
        self.client, self.method, self.context = client, method, context
        self.last = time.monotonic()

    def touch(self) -> None:
        self.last = time.monotonic()


class StreamTable:
    """Admits streams within max_streams and max_streams_per_client, and ends those idle past idle_timeout_s."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self._lock = threading.Lock()
        self._open: set[OpenStream] = set()
        self._per_client: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._open)

    def open(self, context: grpc.ServicerContext, method: str) -> OpenStream:
        client = client_address(context.peer())
        with self._lock:
            if len(self._open) >= self.limits.max_streams:
                raise exhausted(f"streams: at most {self.limits.max_streams} concurrent streams on this server "
                                f"(limit max_streams); close one and retry")
            if self._per_client.get(client, 0) >= self.limits.max_streams_per_client:
                raise exhausted(f"streams: at most {self.limits.max_streams_per_client} concurrent streams per "
                                f"client (limit max_streams_per_client), {client} has them all; close one and retry")
            stream = OpenStream(client, method, context)
            self._open.add(stream)
            self._per_client[client] = self._per_client.get(client, 0) + 1
        return stream

    def close(self, stream: OpenStream) -> None:
        """Idempotent: a stream may be closed by its handler and by its termination callback."""
        with self._lock:
            if stream not in self._open:
                return
            self._open.discard(stream)
            left = self._per_client[stream.client] - 1
            if left:
                self._per_client[stream.client] = left
            else:
                del self._per_client[stream.client]

    def end_idle(self, now: float) -> int:
        """End every stream silent for longer than the idle timeout; returns how many."""
        timeout = self.limits.idle_timeout_s
        with self._lock:
            idle = [s for s in self._open if now - s.last > timeout]
        for stream in idle:
            event("stream_idle_closed", logging.INFO, method=stream.method, peer=stream.client,
                  idle_s=round(now - stream.last, 1))
            end_call(stream.context, grpc.StatusCode.DEADLINE_EXCEEDED,
                     f"idle: no message for {timeout:g} s (limit idle_timeout_s); open a new stream to go on")
            self.close(stream)
        return len(idle)


class Housekeeper:
    """A daemon thread running `tasks(now)` every `period` seconds until stopped."""

    def __init__(self, period: float, tasks: list[Callable[[float], object]]):
        self.period, self.tasks = period, tasks
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="bridge-housekeeper", daemon=True)

    def start(self) -> "Housekeeper":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def _loop(self) -> None:
        while not self._stop.wait(self.period):
            now = time.monotonic()
            for task in self.tasks:
                try:
                    task(now)
                except Exception as exc:  # noqa: BLE001 - housekeeping must outlive one bad pass
                    event("housekeeping_failed", logging.ERROR, error=f"{type(exc).__name__}: {exc}")


def housekeeping_period(limits: Limits) -> float:
    """Often enough that an expiry is late by at most a quarter of it, never busier than 20 times a second."""
    return min(1.0, max(0.05, min(limits.idle_timeout_s, limits.act_session_ttl_s) / 4))

