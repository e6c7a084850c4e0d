"""The BotBridge gRPC server: a sync server with a thread pool (as fast as asyncio on loopback, RESEARCH.md),
health service, reflection, token auth, TLS, limits and graceful shutdown."""

from __future__ import annotations

import gc
import logging
import threading
from concurrent import futures
from pathlib import Path
from typing import Iterator

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from botsdk.game_bridge._generated import bridge_pb2 as pb
from botsdk.game_bridge._generated import bridge_pb2_grpc as pb_grpc
from botsdk.game_bridge.errors import BridgeError
from botsdk.game_bridge.limits import Limits
from botsdk.game_bridge.policy import ServedPolicy
from botsdk.game_bridge.scopes import AgentScope
from botsdk.game_bridge.security import TlsFiles, TokenAuthInterceptor, check_bind

SERVICE_NAME = pb.DESCRIPTOR.services_by_name["BotBridge"].full_name
log = logging.getLogger("game_bridge")


class Malformed:
    """What a request that is not a valid protobuf message parses to, so it is answered INVALID_ARGUMENT (not the
    INTERNAL gRPC would give for a deserializer that raises)."""

    def __init__(self, message_type: str, error: Exception):
        self.message = f"request: expected a valid {message_type} message, got undecodable bytes ({error})"


def _safe_parser(message_cls):
    parse, name = message_cls.FromString, message_cls.DESCRIPTOR.full_name

    def deserialize(data: bytes):
        try:
            return parse(data)
        except Exception as exc:  # noqa: BLE001 - any decode failure is the client's bad bytes
            return Malformed(name, exc)

    return deserialize


def _serializer(message_cls):
    """SerializeToString that also passes through replies already encoded as wire bytes (Session's fast path)."""
    serialize = message_cls.SerializeToString

    def serializer(message) -> bytes:
        return message if message.__class__ is bytes else serialize(message)

    return serializer


def _check(message):
    if message.__class__ is Malformed:
        raise BridgeError(grpc.StatusCode.INVALID_ARGUMENT, message.message)
    return message


def add_servicer(servicer: "BotBridgeServicer", server: grpc.Server) -> None:
    """Like the generated add_BotBridgeServicer_to_server, with request parsers that never raise."""
    kinds = {"GetSpec": grpc.unary_unary_rpc_method_handler, "Act": grpc.unary_unary_rpc_method_handler,
             "Session": grpc.stream_stream_rpc_method_handler, "RecordGameplay": grpc.stream_unary_rpc_method_handler,
             "ReloadPolicy": grpc.unary_unary_rpc_method_handler}
    service = pb.DESCRIPTOR.services_by_name["BotBridge"]
    handlers = {}
    for method in service.methods:
        request_cls = getattr(pb, method.input_type.name)
        response_cls = getattr(pb, method.output_type.name)
        handlers[method.name] = kinds[method.name](getattr(servicer, method.name),
                                                   request_deserializer=_safe_parser(request_cls),
                                                   response_serializer=_serializer(response_cls))
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(service.full_name, handlers),))
    server.add_registered_method_handlers(service.full_name, handlers)


class BotBridgeServicer(pb_grpc.BotBridgeServicer):
    """RPC handlers: translate BridgeError into a status, keep per-stream agent state, free it when a stream ends."""

    def __init__(self, policy: ServedPolicy, limits: Limits, record_dir: Path | None):
        self.policy = policy
        self.limits = limits
        self.record_dir = record_dir
        self._act_scopes: dict[str, AgentScope] = {}
        self._act_lock = threading.Lock()
        self.open_scopes: set[AgentScope] = set()   # live Session streams (tests and stats read it)
        self._streams = threading.BoundedSemaphore(limits.max_streams)

    def GetSpec(self, request, context):
        return self.policy.spec()

    def Act(self, request: pb.ActRequest, context):
        try:
            request = _check(request)
            scope = self._act_scope(request.session_id)
            actions = self.policy.decide(scope, request.batch)
            if not len(scope):
                self._drop_act_scope(request.session_id, scope)
            return pb.ActResponse(actions=actions, model_version=self.policy.model_version)
        except BridgeError as exc:
            context.abort(exc.code, exc.message)

    def Session(self, request_iterator: Iterator[pb.Tick], context) -> Iterator[pb.TickActions]:
        self._enter_stream(context)
        scope = AgentScope("session", self.limits.max_agents_per_session)
        self.open_scopes.add(scope)
        once = threading.Lock()

        def close() -> None:  # runs on normal end, error, cancel or deadline, whichever comes first
            if once.acquire(blocking=False):
                self.open_scopes.discard(scope)
                self.policy.free(scope.close())
                self._streams.release()

        context.add_callback(close)
        try:
            reply = self.policy.tick_reply
            for tick in request_iterator:
                if tick.__class__ is Malformed:
                    raise BridgeError(grpc.StatusCode.INVALID_ARGUMENT, tick.message)
                yield reply(scope, tick)
        except BridgeError as exc:
            close()
            context.abort(exc.code, exc.message)
        finally:
            close()

    def RecordGameplay(self, request_iterator, context):
        if self.record_dir is None:
            context.abort(grpc.StatusCode.FAILED_PRECONDITION,
                          "recording is off: start the server with a record directory (--record-dir DIR)")
        self._enter_stream(context)
        try:
            from botsdk.game_bridge.recording import GameplayRecorder

            return GameplayRecorder(self.record_dir, self.policy.contract).feed(map(_check, request_iterator))
        except BridgeError as exc:
            context.abort(exc.code, exc.message)
        finally:
            self._streams.release()

    def ReloadPolicy(self, request, context):
        try:
            return self.policy.reload(_check(request).model_path)
        except BridgeError as exc:
            context.abort(exc.code, exc.message)

    # ---- helpers -----------------------------------------------------------------------------------------------
    def _enter_stream(self, context) -> None:
        if not self._streams.acquire(blocking=False):
            context.abort(grpc.StatusCode.RESOURCE_EXHAUSTED,
                          f"streams: at most {self.limits.max_streams} concurrent streams; close one and retry")

    def _act_scope(self, session_id: str) -> AgentScope:
        with self._act_lock:
            scope = self._act_scopes.get(session_id)
            if scope is None:
                if len(self._act_scopes) >= self.limits.max_act_sessions:
                    raise BridgeError(grpc.StatusCode.RESOURCE_EXHAUSTED,
                                      f"session_id: at most {self.limits.max_act_sessions} Act sessions hold state; "
                                      f"end their agents (batch.ended) to free one")
                scope = self._act_scopes[session_id] = AgentScope("act", self.limits.max_agents_per_session)
            return scope

    def _drop_act_scope(self, session_id: str, scope: AgentScope) -> None:
        with self._act_lock:
            if self._act_scopes.get(session_id) is scope and not len(scope):
                del self._act_scopes[session_id]


class BridgeServer:
    """`BridgeServer(model, host, port).start()`; port 0 picks a free port (see `.port`). Use as a context manager."""

    def __init__(self, model_path: str | Path, host: str = "127.0.0.1", port: int = 50051, token: str | None = None,
                 tls: TlsFiles | None = None, record_dir: str | Path | None = None, limits: Limits = Limits(),
                 seed: int = 0, greedy: bool = False, max_workers: int | None = None, temperature: float | None = None):
        check_bind(host, token, tls)
        self.host, self.requested_port, self.token, self.tls, self.limits = host, port, token, tls, limits
        self.policy = ServedPolicy(model_path, limits, seed=seed, greedy=greedy, temperature=temperature)
        self.servicer = BotBridgeServicer(self.policy, limits, Path(record_dir) if record_dir else None)
        self.health = health.HealthServicer()
        self.max_workers = max_workers or limits.max_streams + 16
        self.port: int | None = None
        self._server: grpc.Server | None = None

    @property
    def target(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    def start(self) -> "BridgeServer":
        size = self.limits.max_message_bytes
        server = grpc.server(
            futures.ThreadPoolExecutor(max_workers=self.max_workers, thread_name_prefix="bridge"),
            interceptors=[TokenAuthInterceptor(self.token)] if self.token else [],
            maximum_concurrent_rpcs=self.max_workers,  # beyond this: RESOURCE_EXHAUSTED, never an unbounded queue
            options=[("grpc.max_receive_message_length", size), ("grpc.max_send_message_length", size),
                     ("grpc.so_reuseport", 0)],
        )
        add_servicer(self.servicer, server)
        health_pb2_grpc.add_HealthServicer_to_server(self.health, server)
        reflection.enable_server_reflection((SERVICE_NAME, health.SERVICE_NAME, reflection.SERVICE_NAME), server)
        address = f"{'[' + self.host + ']' if ':' in self.host else self.host}:{self.requested_port}"
        if self.tls is not None:
            self.port = server.add_secure_port(address, self.tls.server_credentials())
        else:
            self.port = server.add_insecure_port(address)
        if not self.port:
            raise OSError(f"could not bind {address}")
        server.start()
        gc.freeze()  # startup objects (modules, model, contract) leave the collector's scans: fewer ms-long pauses
        for name in ("", SERVICE_NAME):
            self.health.set(name, health_pb2.HealthCheckResponse.SERVING)
        self._server = server
        log.info("botsdk bridge serving %s (model %s) on %s", self.policy.contract.name, self.policy.model_version,
                 self.target)
        return self

    def stop(self, grace: float | None = None) -> None:
        """Stop taking new RPCs, let open streams finish for up to `grace` seconds, then cancel what is left."""
        if self._server is None:
            return
        self.health.enter_graceful_shutdown()
        self._server.stop(self.limits.grace_s if grace is None else grace).wait()
        self._server = None

    def wait(self) -> None:
        if self._server is not None:
            self._server.wait_for_termination()

    def __enter__(self) -> "BridgeServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop(0)
