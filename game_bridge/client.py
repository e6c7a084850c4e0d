"""Python client of the bridge: what an engine written in Python (or a test, or the arena) uses.

`BridgeClient(target, token=None, tls=None, admin_token=None)`: `get_spec()`, `act(...)`, `session()` (tick-by-tick
stream), `record(steps)`, `reload(model_name)` (admin token); plus `health()`. Agents refused one by one come back
as -1 rows; `agent_errors(actions)` says why.
"""

from __future__ import annotations

import json
import queue
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import grpc
import numpy as np
from grpc_health.v1 import health_pb2, health_pb2_grpc

from botsdk.contract import BehaviourContract
from botsdk.game_bridge._generated import bridge_pb2 as pb
from botsdk.game_bridge._generated import bridge_pb2_grpc as pb_grpc
from botsdk.game_bridge.limits import Limits
from botsdk.game_bridge.security import TlsFiles, auth_metadata
from botsdk.game_bridge.tensors import to_tensor

_CLOSE = object()


@dataclass(frozen=True)
class Spec:
    contract: BehaviourContract
    model_version: str
    max_agents_per_request: int
    limits: dict[str, float] = field(default_factory=dict)   # every ServerLimits field the server advertises
    sampling_temperature: float = 1.0                         # 0: the server decides greedily


def make_batch(agent_ids: Sequence[str], obs: np.ndarray, styles: np.ndarray | None = None,
               personas: Sequence[str] | None = None, episode_start: Sequence[bool] | np.ndarray | None = None,
               ended: Sequence[str] = (), decode: bool = False,
               applied_actions: np.ndarray | None = None) -> pb.AgentBatch:
    """The inputs of one decision; observations travel as raw little-endian float32 bytes. `applied_actions`
    int[B, n_heads]: what the agents did on their previous decision when not the action returned (-1: none)."""
    batch = pb.AgentBatch(agent_ids=list(agent_ids), observations=to_tensor(obs), ended=list(ended), decode=decode)
    if applied_actions is not None:
        batch.applied_actions.extend(np.asarray(applied_actions, np.int64).ravel().tolist())
    if styles is not None:
        batch.styles.CopyFrom(to_tensor(styles))
    if personas is not None:
        batch.personas.extend(personas)
    if episode_start is not None:
        batch.episode_start.extend(np.asarray(episode_start, dtype=bool).tolist())
    return batch


def actions_array(actions: pb.Actions) -> np.ndarray:
    """Packed int32 actions -> int64[B, n_heads]."""
    return np.asarray(actions.actions, dtype=np.int64).reshape(tuple(actions.shape))


def agent_errors(actions: pb.Actions) -> dict[str, str]:
    """{agent_id: message} for the agents of a reply that got no action (their rows are -1)."""
    return {e.agent_id: f"{e.code}: {e.message}" for e in actions.errors}


def decoded(actions: pb.Actions) -> list[dict] | None:
    return json.loads(actions.decoded_json) if actions.decoded_json else None


class BridgeClient:
    """A channel to a bridge server; every call carries the token (if any) and an optional deadline."""

    def __init__(self, target: str, token: str | None = None, tls: TlsFiles | None = None,
                 server_name: str | None = None, max_message_bytes: int = Limits().max_message_bytes,
                 admin_token: str | None = None):
        options = [("grpc.max_receive_message_length", max_message_bytes),
                   ("grpc.max_send_message_length", max_message_bytes)]
        if server_name:
            options.append(("grpc.ssl_target_name_override", server_name))
        self.channel = (grpc.secure_channel(target, tls.channel_credentials(), options) if tls is not None
                        else grpc.insecure_channel(target, options))
        self.stub = pb_grpc.BotBridgeStub(self.channel)
        self.metadata = auth_metadata(token)
        self.admin_metadata = auth_metadata(admin_token)

    def close(self) -> None:
        self.channel.close()

    def __enter__(self) -> "BridgeClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def get_spec(self, timeout: float | None = None) -> Spec:
        spec = self.stub.GetSpec(pb.GetSpecRequest(), timeout=timeout, metadata=self.metadata)
        limits = {f.name: getattr(spec.limits, f.name) for f in spec.limits.DESCRIPTOR.fields}
        return Spec(BehaviourContract.from_json(spec.contract_json), spec.model_version, spec.max_agents_per_request,
                    limits, spec.sampling_temperature)

    def act(self, agent_ids: Sequence[str], obs: np.ndarray, styles: np.ndarray | None = None,
            personas: Sequence[str] | None = None, episode_start=None, ended: Sequence[str] = (),
            session_id: str = "", timeout: float | None = None) -> np.ndarray:
        """One decision for many agents (unary); returns int64[B, n_heads]."""
        request = pb.ActRequest(session_id=session_id,
                                batch=make_batch(agent_ids, obs, styles, personas, episode_start, ended))
        response = self.stub.Act(request, timeout=timeout, metadata=self.metadata)
        return actions_array(response.actions)

    def session(self, timeout: float | None = None) -> "SessionStream":
        return SessionStream(self.stub, self.metadata, timeout)

    def record(self, steps: Iterable[pb.RecordStep], timeout: float | None = None) -> pb.RecordSummary:
        return self.stub.RecordGameplay(iter(steps), timeout=timeout, metadata=self.metadata)

    def reload(self, model_name: str, timeout: float | None = None) -> pb.ReloadResponse:
        """Serve the model file `model_name` of the server's models directory (needs the admin token)."""
        return self.stub.ReloadPolicy(pb.ReloadRequest(model_name=str(model_name)), timeout=timeout,
                                      metadata=self.admin_metadata or self.metadata)

    def health(self, service: str = "", timeout: float | None = 5.0) -> str:
        """'SERVING', 'NOT_SERVING', ...: the standard grpc.health.v1 answer."""
        stub = health_pb2_grpc.HealthStub(self.channel)
        status = stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=timeout).status
        return health_pb2.HealthCheckResponse.ServingStatus.Name(status)


class SessionStream:
    """One bidirectional Session stream: `step(...)` sends a tick and waits for its actions. Close it (or use
    `with`) so the server frees the agents' state at once."""

    def __init__(self, stub: pb_grpc.BotBridgeStub, metadata, timeout: float | None):
        self._requests: queue.SimpleQueue = queue.SimpleQueue()
        self._responses = stub.Session(iter(self._requests.get, _CLOSE), timeout=timeout, metadata=metadata)
        self.tick = 0
        self.error: grpc.RpcError | None = None   # set once the server ended the stream with a status
        self.agent_errors: dict[str, str] = {}    # the last step's agents refused one by one (rows of -1)

    def send(self, tick: pb.Tick) -> pb.TickActions:
        """Send a prepared Tick and wait for its answer (raises grpc.RpcError on a refused tick; the stream is
        then over, as gRPC statuses end a call)."""
        self._requests.put(tick)
        try:
            return next(self._responses)
        except grpc.RpcError as exc:
            self.error = exc
            raise

    def step(self, agent_ids: Sequence[str], obs: np.ndarray, styles: np.ndarray | None = None,
             personas: Sequence[str] | None = None, episode_start=None, ended: Sequence[str] = (),
             decode: bool = False, applied_actions: np.ndarray | None = None) -> np.ndarray:
        self.tick += 1
        batch = make_batch(agent_ids, obs, styles, personas, episode_start, ended, decode, applied_actions)
        answer = self.send(pb.Tick(tick=self.tick, batch=batch)).actions
        self.agent_errors = agent_errors(answer)
        return actions_array(answer)

    def close(self) -> None:
        self._requests.put(_CLOSE)
        if self.error is None:
            for _ in self._responses:  # drain so the call completes cleanly
                pass

    def cancel(self) -> None:
        """Vanish mid-stream, as a crashed engine would."""
        self._responses.cancel()

    def __enter__(self) -> "SessionStream":
        return self

    def __exit__(self, *exc) -> None:
        if exc[0] is None:
            self.close()
        else:
            self.cancel()
