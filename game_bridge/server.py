"""The BotBridge gRPC server: a sync server with a thread pool (as fast as asyncio on loopback), health service,
reflection, engine and admin tokens, TLS, advertised limits with idle and expiry housekeeping, structured events
and graceful shutdown."""

from __future__ import annotations

import gc
import logging
import threading
import time
from concurrent import futures
from pathlib import Path
from typing import Iterator

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from botsdk.game_bridge._generated import bridge_pb2 as pb
from botsdk.game_bridge._generated import bridge_pb2_grpc as pb_grpc
from botsdk.game_bridge.admin import ModelDirectory
from botsdk.game_bridge.binding import addresses_for, bind_error, check_port, ensure_free, grpc_address
from botsdk.game_bridge.errors import BindError, BridgeError, invalid
from botsdk.game_bridge.events import event
from botsdk.game_bridge.limits import Limits
from botsdk.game_bridge.policy import ServedPolicy
from botsdk.game_bridge.scopes import AgentScope
from botsdk.game_bridge.security import TlsFiles, TokenAuthInterceptor, check_bind
from botsdk.game_bridge.streams import Housekeeper, StreamTable, housekeeping_period

SERVICE_NAME = pb.DESCRIPTOR.services_by_name["BotBridge"].full_name


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
    """RPC handlers: translate BridgeError into a status (and an event), keep per-stream agent state, free it when a
    stream ends or an Act session expires. Anything unexpected answers INTERNAL, never UNKNOWN."""

    def __init__(self, policy: ServedPolicy, limits: Limits, record_dir: Path | None,
                 models: ModelDirectory | None = None):
        self.policy = policy
        self.limits = limits
        self.record_dir = record_dir
        self.models = models
        self._act_scopes: dict[str, AgentScope] = {}
        self._act_used: dict[str, float] = {}
        self._act_lock = threading.Lock()
        self.open_scopes: set[AgentScope] = set()   # live Session streams (tests and stats read it)
        self.streams = StreamTable(limits)

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
            _refuse("Act", context, exc)
        except Exception as exc:  # noqa: BLE001 - answered INTERNAL, logged with its type
            _internal("Act", context, exc)

    def Session(self, request_iterator: Iterator[pb.Tick], context) -> Iterator[pb.TickActions]:
        stream = self._enter_stream(context, "Session")
        scope = AgentScope("session", self.limits.max_agents_per_session, self.limits.max_agent_id_bytes)
        self.open_scopes.add(scope)
        once = threading.Lock()

        def close() -> None:  # runs on normal end, error, cancel or deadline, whichever comes first
            if once.acquire(blocking=False):
                self.open_scopes.discard(scope)
                self.policy.free(scope.close())
                self.streams.close(stream)

        context.add_callback(close)
        try:
            reply, touch = self.policy.tick_reply, stream.touch
            for tick in request_iterator:
                touch()
                if tick.__class__ is Malformed:
                    raise BridgeError(grpc.StatusCode.INVALID_ARGUMENT, tick.message)
                yield reply(scope, tick)
        except BridgeError as exc:
            close()
            _refuse("Session", context, exc)
        except Exception as exc:  # noqa: BLE001 - a cancelled call ends its iterator with an error: not ours
            close()
            if context.is_active():
                _internal("Session", context, exc)
        finally:
            close()

    def RecordGameplay(self, request_iterator, context):
        if self.record_dir is None:
            _refuse("RecordGameplay", context, BridgeError(
                grpc.StatusCode.FAILED_PRECONDITION,
                "recording is off: start the server with a record directory (--record-dir DIR)"))
        stream = self._enter_stream(context, "RecordGameplay")
        try:
            from botsdk.game_bridge.recording import GameplayRecorder

            recorder = GameplayRecorder(self.record_dir, self.policy.contract)
            return recorder.feed(_touching(map(_check, request_iterator), stream.touch))
        except BridgeError as exc:
            _refuse("RecordGameplay", context, exc)
        except Exception as exc:  # noqa: BLE001
            if context.is_active():
                _internal("RecordGameplay", context, exc)
        finally:
            self.streams.close(stream)

    def ReloadPolicy(self, request, context):
        try:
            name = _check(request).model_name
            if self.models is None:
                raise BridgeError(grpc.StatusCode.FAILED_PRECONDITION,
                                  "ReloadPolicy is off: start the server with --models-dir DIR")
            path, digest = self.models.open(name)
            answer = self.policy.reload(path)
            answer.model_sha256 = digest
            event("reload", model_name=name, sha256=digest, model_version=answer.model_version,
                  contract_hash=answer.contract_hash, peer=context.peer())
            return answer
        except BridgeError as exc:
            _refuse("ReloadPolicy", context, exc)
        except Exception as exc:  # noqa: BLE001
            _internal("ReloadPolicy", context, exc)

    # ---- helpers -----------------------------------------------------------------------------------------------
    def _enter_stream(self, context, method: str):
        try:
            return self.streams.open(context, method)
        except BridgeError as exc:
            _refuse(method, context, exc)

    def _act_scope(self, session_id: str) -> AgentScope:
        if len(session_id.encode("utf-8")) > self.limits.max_agent_id_bytes:
            raise invalid(f"session_id: expected at most {self.limits.max_agent_id_bytes} bytes of UTF-8, got "
                          f"{len(session_id.encode('utf-8'))} bytes")
        now = time.monotonic()
        with self._act_lock:
            scope = self._act_scopes.get(session_id)
            if scope is None:
                if len(self._act_scopes) >= self.limits.max_act_sessions:
                    self._expire_locked(now)
                if len(self._act_scopes) >= self.limits.max_act_sessions:
                    raise BridgeError(grpc.StatusCode.RESOURCE_EXHAUSTED,
                                      f"session_id: at most {self.limits.max_act_sessions} Act sessions hold state "
                                      f"(limit max_act_sessions); end their agents (batch.ended) or let them expire "
                                      f"({self.limits.act_session_ttl_s:g} s unused)")
                scope = self._act_scopes[session_id] = AgentScope("act", self.limits.max_agents_per_session,
                                                                  self.limits.max_agent_id_bytes)
            self._act_used[session_id] = now
            return scope

    def _drop_act_scope(self, session_id: str, scope: AgentScope) -> None:
        with self._act_lock:
            if self._act_scopes.get(session_id) is scope and not len(scope):
                del self._act_scopes[session_id]
                self._act_used.pop(session_id, None)

    def expire_act_sessions(self, now: float) -> int:
        """Forget Act sessions unused for longer than act_session_ttl_s and free their agents; returns how many."""
        with self._act_lock:
            return self._expire_locked(now)

    def _expire_locked(self, now: float) -> int:
        ttl = self.limits.act_session_ttl_s
        stale = [sid for sid, used in self._act_used.items() if now - used > ttl]
        for sid in stale:
            self._act_used.pop(sid)
            scope = self._act_scopes.pop(sid)
            agents = scope.close()
            self.policy.free(agents)
            event("act_session_expired", session_id=sid, agents=len(agents), unused_s=ttl)
        return len(stale)


def _touching(items, touch):
    for item in items:
        touch()
        yield item


def _refuse(method: str, context, exc: BridgeError) -> None:
    event("refused", logging.WARNING, method=method, code=exc.code.name, peer=context.peer(), message=exc.message)
    context.abort(exc.code, exc.message)


def _internal(method: str, context, exc: Exception) -> None:
    event("internal_error", logging.ERROR, method=method, peer=context.peer(), error=f"{type(exc).__name__}: {exc}")
    context.abort(grpc.StatusCode.INTERNAL, f"{method}: the server failed on this request ({type(exc).__name__}); "
                                            f"it keeps serving")


class BridgeServer:
    """`BridgeServer(model, host, port).start()`; port 0 picks a free port (see `.port`). Use as a context manager.

    host "localhost" (the default) listens on both 127.0.0.1 and ::1. `admin_token` with `models_dir` turns on
    ReloadPolicy (by model name, inside that directory); without them admin RPCs answer FAILED_PRECONDITION."""

    def __init__(self, model_path: str | Path, host: str = "localhost", port: int = 50051, token: str | None = None,
                 tls: TlsFiles | None = None, record_dir: str | Path | None = None, limits: Limits = Limits(),
                 seed: int = 0, greedy: bool = False, max_workers: int | None = None, temperature: float | None = None,
                 admin_token: str | None = None, models_dir: str | Path | None = None,
                 allow_plaintext_token: bool = False, threads: int = 1, large_batch_threads: int | None = None,
                 reuse_port: bool = False):
        """`reuse_port`: share a port another process reserved (botsdk.game_bridge.workers): no port check of
        its own, SO_REUSEPORT on, so the kernel spreads connections over every server on the port."""
        check_port(port)
        self.warning = check_bind(host, token or admin_token, tls, allow_plaintext_token)
        if (admin_token is None) != (models_dir is None):
            raise ValueError("admin: expected both an admin token (--admin-token-file) and a models directory "
                             f"(--models-dir) to allow ReloadPolicy, got only the "
                             f"{'admin token' if admin_token else 'models directory'}")
        self.interceptor = TokenAuthInterceptor(token, admin_token)
        self.host, self.requested_port, self.token, self.tls, self.limits = host, port, token, tls, limits
        self.reuse_port = reuse_port
        self.policy = ServedPolicy(model_path, limits, seed=seed, greedy=greedy, temperature=temperature,
                                   threads=threads, large_batch_threads=large_batch_threads)
        models = ModelDirectory(models_dir) if models_dir is not None else None
        self.servicer = BotBridgeServicer(self.policy, limits, Path(record_dir) if record_dir else None, models)
        self.health = health.HealthServicer()
        self.max_workers = max_workers or limits.max_streams + 16
        self.port: int | None = None
        self.addresses: list[str] = []   # what is bound, as host:port
        self._server: grpc.Server | None = None
        self._housekeeper: Housekeeper | None = None

    @property
    def target(self) -> str:
        """The first bound address (127.0.0.1:PORT for localhost), what a client dials."""
        return self.addresses[0] if self.addresses else grpc_address(addresses_for(self.host)[0], self.port or 0)

    def start(self) -> "BridgeServer":
        server = grpc.server(
            futures.ThreadPoolExecutor(max_workers=self.max_workers, thread_name_prefix="bridge"),
            interceptors=[self.interceptor],
            maximum_concurrent_rpcs=self.max_workers,  # beyond this: RESOURCE_EXHAUSTED, never an unbounded queue
            options=[*self.limits.grpc_options(), ("grpc.so_reuseport", int(self.reuse_port))],
        )
        add_servicer(self.servicer, server)
        health_pb2_grpc.add_HealthServicer_to_server(self.health, server)
        reflection.enable_server_reflection((SERVICE_NAME, health.SERVICE_NAME, reflection.SERVICE_NAME), server)
        self._bind(server)
        server.start()
        gc.freeze()  # startup objects (modules, model, contract) leave the collector's scans: fewer ms-long pauses
        for name in ("", SERVICE_NAME):
            self.health.set(name, health_pb2.HealthCheckResponse.SERVING)
        self._server = server
        self._housekeeper = Housekeeper(housekeeping_period(self.limits), [
            self.servicer.streams.end_idle, self.servicer.expire_act_sessions]).start()
        spec = self.policy.spec()
        event("serving", addresses=",".join(self.addresses), contract=self.policy.contract.name,
              model_version=self.policy.model_version, contract_hash=spec.contract_hash,
              sampling_temperature=round(spec.sampling_temperature, 4), token=bool(self.token),
              tls=self.tls is not None, admin=self.servicer.models is not None)
        return self

    def summary(self) -> dict[str, object]:
        """What `botsdk serve` prints on start: addresses, contract, model version, sampling, model threads."""
        runtime = self.policy.runtime
        return {"addresses": list(self.addresses), "contract": self.policy.contract.name,
                "model_version": self.policy.model_version, "temperature": runtime.temperature,
                "threads": runtime.threads, "large_batch_threads": runtime.large_batch_threads}

    def _bind(self, server: grpc.Server) -> None:
        """Every address of the host on one port: the requested one, or the one the first bind picked."""
        port = self.requested_port
        for i, address in enumerate(addresses_for(self.host)):
            optional = self.host == "localhost" and i > 0  # a machine without IPv6 still serves on 127.0.0.1
            try:
                if not self.reuse_port:
                    ensure_free(address, port)
                where = grpc_address(address, port)
                bound = (server.add_secure_port(where, self.tls.server_credentials()) if self.tls is not None
                         else server.add_insecure_port(where))
            except (BindError, RuntimeError) as exc:
                if optional:
                    event("address_skipped", logging.WARNING, address=address, reason=str(exc))
                    continue
                raise exc if isinstance(exc, BindError) else bind_error(address, port) from None
            port = port or bound
            self.addresses.append(grpc_address(address, bound))
        self.port = port

    def stop(self, grace: float | None = None) -> None:
        """Stop taking new RPCs, let open streams finish for up to `grace` seconds, then cancel what is left."""
        if self._server is None:
            return
        if self._housekeeper is not None:
            self._housekeeper.stop()
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
