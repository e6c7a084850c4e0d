"""The served model: request checks, one runtime call per tick for all its agents, state freeing, hot reload.

Per-tick work is kept to numpy views and one runtime call; no per-agent Python work beyond looking up keys.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import grpc
import numpy as np

from botsdk.contract import BehaviourContract, IncompatibleContractError, check_compatible
from botsdk.game_bridge._generated import bridge_pb2 as pb
from botsdk.game_bridge.batcher import Batcher
from botsdk.game_bridge.errors import BridgeError, exhausted, invalid
from botsdk.game_bridge.limits import Limits
from botsdk.game_bridge.scopes import AgentScope
from botsdk.game_bridge.tensors import encode_actions, from_tensor, tick_actions_wire
from botsdk.export.agent_state import UnknownAgentError
from botsdk.export.metadata import KEY_MODEL_VERSION
from botsdk.export.runtime import BotRuntime, RuntimeInputError


class ServedPolicy:
    """A BotRuntime (thread-safe) fed through a Batcher, plus the contract facts every request is checked on;
    reload swaps the model and those facts together under one lock."""

    def __init__(self, model_path: str | Path, limits: Limits = Limits(), seed: int = 0, greedy: bool = False,
                 temperature: float | None = None):
        self.limits = limits
        self.model_path = Path(model_path)
        self.runtime = BotRuntime(str(model_path), seed=seed, greedy=greedy, temperature=temperature)
        self._lock = threading.Lock()
        self._set_contract(self.runtime.contract, self.runtime.metadata.get(KEY_MODEL_VERSION, "unknown"))
        self.batcher = Batcher(self.runtime, self.style_size)

    def _set_contract(self, contract: BehaviourContract, version: str) -> None:
        self.contract = contract
        self.model_version = version
        self.obs_size = contract.observation_size
        self.style_size = contract.style.size
        self.n_heads = len(contract.head_sizes)
        self.small_heads = max(contract.head_sizes) <= 128  # every index fits a one-byte varint
        self.personas = {name: np.asarray(vec, dtype=np.float32) for name, vec in contract.style.personas}
        self.personas[""] = np.zeros(self.style_size, dtype=np.float32)

    # ---- GetSpec / ReloadPolicy ------------------------------------------------------------------------------
    def spec(self) -> pb.Spec:
        c = self.contract
        return pb.Spec(contract_json=c.to_json(), contract_hash=c.content_hash, model_version=self.model_version,
                       observation_size=self.obs_size, style_size=self.style_size, head_names=list(c.head_names),
                       head_sizes=list(c.head_sizes), max_agents_per_request=self.limits.max_agents_per_request)

    def reload(self, path: str | Path) -> pb.ReloadResponse:
        """Swap in another model whose contract can serve the engines speaking the current one."""
        from botsdk.export.metadata import read_contract_from_onnx

        path = Path(path)
        if not path.is_file():
            raise BridgeError(grpc.StatusCode.NOT_FOUND, f"model_path: no such file on the server: {path}")
        try:
            candidate = read_contract_from_onnx(path)
            check_compatible(candidate, self.contract, "new model", "served contract")
        except IncompatibleContractError as exc:
            raise BridgeError(grpc.StatusCode.FAILED_PRECONDITION, f"model_path {path}: {exc}") from exc
        except ValueError as exc:
            raise BridgeError(grpc.StatusCode.INVALID_ARGUMENT, f"model_path {path}: {exc}") from exc
        with self._lock:
            self.runtime.swap(str(path))
            self.model_path = path
            self._set_contract(self.runtime.contract, self.runtime.metadata.get(KEY_MODEL_VERSION, "unknown"))
            self.batcher.style_size = self.style_size
        return pb.ReloadResponse(model_version=self.model_version, contract_hash=self.contract.content_hash)

    # ---- decisions --------------------------------------------------------------------------------------------
    def decide(self, scope: AgentScope, batch: pb.AgentBatch) -> pb.Actions:
        """Check the batch, free ended agents, decide all agents in one runtime call."""
        actions = self.decide_indices(scope, batch)
        return self._encode(actions, batch)

    def tick_reply(self, scope: AgentScope, tick: pb.Tick) -> bytes | pb.TickActions:
        """A Session tick's answer; the usual case (small heads, no JSON) goes straight to wire bytes."""
        batch = tick.batch
        actions = self.decide_indices(scope, batch)
        if self.small_heads and len(actions) and not batch.decode:
            return tick_actions_wire(tick.tick, actions)
        return pb.TickActions(tick=tick.tick, actions=self._encode(actions, batch))

    def _encode(self, actions: np.ndarray, batch: pb.AgentBatch) -> pb.Actions:
        if not len(actions):
            return pb.Actions(shape=[0, self.n_heads])
        out = encode_actions(actions, self.small_heads)
        if batch.decode:
            out.decoded_json = json.dumps(self.runtime.decode(actions), default=_jsonable)
        return out

    def decide_indices(self, scope: AgentScope, batch: pb.AgentBatch) -> np.ndarray:
        """int[B, n_heads] action indices for a checked batch (ended agents freed first)."""
        if batch.ended:
            self.free(scope.release(batch.ended))
        ids = list(batch.agent_ids)
        n = len(ids)
        if n == 0:
            return np.zeros((0, self.n_heads), np.int64)
        if n > self.limits.max_agents_per_request:
            raise exhausted(f"batch.agent_ids: at most {self.limits.max_agents_per_request} agents per request, "
                            f"got {n}")
        # finiteness is checked once, by the runtime (its error names the row, column and block)
        obs = from_tensor(batch.observations, (n, self.obs_size), "batch.observations", check_finite=False)
        styles = self._styles(batch, n)
        starts = None
        if len(batch.episode_start):
            if len(batch.episode_start) != n:
                raise invalid(f"batch.episode_start: expected {n} flags (one per agent) or none, "
                              f"got {len(batch.episode_start)}")
            starts = np.array(batch.episode_start, dtype=bool)
        keys = scope.admit(ids, starts)
        try:
            actions = self.batcher.act(keys, obs, styles, starts)
        except RuntimeInputError as exc:
            raise invalid(f"batch.observations/styles: {exc}") from None
        if scope.closed:  # the stream was cancelled while we decided: free what this call re-created
            self.free(keys)
        return actions

    def _styles(self, batch: pb.AgentBatch, n: int) -> np.ndarray | None:
        if batch.HasField("styles"):
            return from_tensor(batch.styles, (n, self.style_size), "batch.styles", check_finite=False)
        if not len(batch.personas):
            return None
        if len(batch.personas) != n:
            raise invalid(f"batch.personas: expected {n} names (one per agent) or none, got {len(batch.personas)}")
        try:
            return np.stack([self.personas[p] for p in batch.personas])
        except KeyError as exc:
            known = sorted(k for k in self.personas if k)
            raise invalid(f"batch.personas: unknown persona {exc.args[0]!r}; expected one of {known} or ''") from None

    def free(self, keys: list[str]) -> None:
        """End these agents in the runtime; keys it never saw (a refused first tick) are skipped."""
        if not keys:
            return
        try:
            self.runtime.end(keys)
        except UnknownAgentError:
            known = set(self.runtime.agents)
            self.runtime.end([k for k in keys if k in known])


def _jsonable(value: object) -> object:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)
