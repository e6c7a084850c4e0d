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
                 temperature: float | None = None, threads: int = 1, large_batch_threads: int | None = None):
        self.limits = limits
        self.greedy = greedy
        self.model_path = Path(model_path)
        self.runtime = BotRuntime(str(model_path), seed=seed, greedy=greedy, temperature=temperature,
                                  threads=threads, large_batch_threads=large_batch_threads)
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
        temperature = 0.0 if self.greedy else self.runtime.temperature
        return pb.Spec(contract_json=c.to_json(), contract_hash=c.content_hash, model_version=self.model_version,
                       observation_size=self.obs_size, style_size=self.style_size, head_names=list(c.head_names),
                       head_sizes=list(c.head_sizes), max_agents_per_request=self.limits.max_agents_per_request,
                       limits=self.limits.to_proto(), sampling_temperature=temperature, frame_stack=c.frame_stack,
                       observation_blocks=[pb.ObservationBlock(name=b.name, size=b.size) for b in c.observation],
                       ray_tags=list(c.rays.tags) if c.rays is not None else [])

    def reload(self, path: Path) -> pb.ReloadResponse:
        """Swap in another model whose contract can serve the engines speaking the current one. `path` is already
        resolved inside the models directory (see ModelDirectory)."""
        from botsdk.export.metadata import read_contract_from_onnx

        try:
            candidate = read_contract_from_onnx(path)
            check_compatible(candidate, self.contract, "new model", "served contract")
        except IncompatibleContractError as exc:
            raise BridgeError(grpc.StatusCode.FAILED_PRECONDITION, f"model_name {path.name}: {exc}") from exc
        except Exception as exc:  # noqa: BLE001 - a file that is not a botsdk model, whatever the parser says
            raise invalid(f"model_name {path.name}: expected a botsdk-exported .onnx model, got a file that is not "
                          f"one ({type(exc).__name__}: {exc})") from exc
        with self._lock:
            try:
                self.runtime.swap(str(path))
            except IncompatibleContractError as exc:
                raise BridgeError(grpc.StatusCode.FAILED_PRECONDITION, f"model_name {path.name}: {exc}") from exc
            except Exception as exc:  # noqa: BLE001 - onnxruntime refusing the graph
                raise invalid(f"model_name {path.name}: onnxruntime cannot load it ({type(exc).__name__}: "
                              f"{exc})") from exc
            self.model_path = path
            self._set_contract(self.runtime.contract, self.runtime.metadata.get(KEY_MODEL_VERSION, "unknown"))
            self.batcher.style_size = self.style_size
        return pb.ReloadResponse(model_version=self.model_version, contract_hash=self.contract.content_hash)

    # ---- decisions --------------------------------------------------------------------------------------------
    def decide(self, scope: AgentScope, batch: pb.AgentBatch) -> pb.Actions:
        """Check the batch, free ended agents, decide all agents in one runtime call."""
        actions, errors = self.decide_indices(scope, batch)
        return self._encode(actions, batch, errors)

    def tick_reply(self, scope: AgentScope, tick: pb.Tick) -> bytes | pb.TickActions:
        """A Session tick's answer; the usual case (small heads, no JSON, no refused agent) goes straight to wire
        bytes."""
        batch = tick.batch
        actions, errors = self.decide_indices(scope, batch)
        if self.small_heads and len(actions) and not batch.decode and not errors:
            return tick_actions_wire(tick.tick, actions)
        return pb.TickActions(tick=tick.tick, actions=self._encode(actions, batch, errors))

    def _encode(self, actions: np.ndarray, batch: pb.AgentBatch, errors: list[pb.AgentError]) -> pb.Actions:
        if not len(actions):
            return pb.Actions(shape=[0, self.n_heads])
        if errors:
            out = pb.Actions(actions=actions.astype(np.int32).ravel().tolist(), shape=list(actions.shape),
                             errors=errors)
        else:
            out = encode_actions(actions, self.small_heads)
        if batch.decode:
            refused = {e.index for e in errors}
            good = [i for i in range(len(actions)) if i not in refused]
            values = self.runtime.decode(actions[good]) if good else []
            rows: list = [None] * len(actions)
            for i, value in zip(good, values):
                rows[i] = value
            out.decoded_json = json.dumps(rows, default=_jsonable)
        return out

    def decide_indices(self, scope: AgentScope, batch: pb.AgentBatch) -> tuple[np.ndarray, list[pb.AgentError]]:
        """int[B, n_heads] action indices for a checked batch (ended agents freed first), and the agents refused one
        by one (their rows are -1)."""
        if batch.ended:
            self.free(scope.release(batch.ended))
        ids = list(batch.agent_ids)
        n = len(ids)
        if n == 0:
            self._check_no_rows(batch)
            return np.zeros((0, self.n_heads), np.int64), []
        if n > self.limits.max_agents_per_request:
            raise exhausted(f"batch.agent_ids: at most {self.limits.max_agents_per_request} agents per request, "
                            f"got {n}")
        obs = self._observations(batch, n)
        styles = self._styles(batch, n)
        starts = None
        if len(batch.episode_start):
            if len(batch.episode_start) != n:
                raise invalid(f"batch.episode_start: expected {n} flags (one per agent) or none, "
                              f"got {len(batch.episode_start)}")
            starts = np.array(batch.episode_start, dtype=bool)
        keys, unknown = scope.admit(ids, starts)
        if len(batch.applied_actions):
            self._record_applied(batch, keys, starts)
        if unknown:
            actions, errors = self._decide_some(ids, keys, obs, styles, starts, unknown)
        else:
            try:  # finiteness is checked once, by the runtime; a bad row sends the batch the slow way
                actions, errors = self.batcher.act(keys, obs, styles, starts), []
            except RuntimeInputError:
                actions, errors = self._decide_some(ids, keys, obs, styles, starts, [])
        if scope.closed:  # the stream was cancelled while we decided: free what this call re-created
            self.free([k for k in keys if k is not None])
        return actions, errors

    def _record_applied(self, batch: pb.AgentBatch, keys: list[str | None], starts: np.ndarray | None) -> None:
        """What the engine's agents did instead of the returned actions (AgentBatch.applied_actions), for a model
        that reads its previous action. Rows of agents not yet started, or starting now, have no previous action."""
        n = len(keys)
        if len(batch.applied_actions) != n * self.n_heads:
            raise invalid(f"batch.applied_actions: expected {n} x {self.n_heads} indices (one row per agent, heads "
                          f"{list(self.runtime.contract.head_names)}) or none, got {len(batch.applied_actions)}")
        applied = np.asarray(batch.applied_actions, np.int64).reshape(n, self.n_heads)
        known = set(self.runtime.agents)
        rows = [i for i, key in enumerate(keys)
                if key is not None and key in known and not (starts is not None and starts[i])]
        try:
            self.runtime.applied([keys[i] for i in rows], applied[rows])
        except RuntimeInputError as exc:
            raise invalid(f"batch.applied_actions: {exc}") from None

    def _decide_some(self, ids: list[str], keys: list[str | None], obs: np.ndarray, styles: np.ndarray | None,
                     starts: np.ndarray | None, unknown: list[int]) -> tuple[np.ndarray, list[pb.AgentError]]:
        """Decide the good agents of a batch in one call; the others get a per-agent error and a -1 row."""
        errors = {i: pb.AgentError(index=i, agent_id=ids[i], code="INVALID_ARGUMENT",
                                   message=f"batch.agent_ids[{i}]: unknown agent {ids[i]!r}; expected "
                                           f"episode_start=true on an agent's first decision in this session")
                  for i in unknown}
        for i, message in _non_finite_rows(obs, styles):
            errors.setdefault(i, pb.AgentError(index=i, agent_id=ids[i], code="INVALID_ARGUMENT", message=message))
        good = np.array([i not in errors for i in range(len(ids))])
        actions = np.full((len(ids), self.n_heads), -1, np.int64)
        if good.any():
            try:
                actions[good] = self.batcher.act([k for k, ok in zip(keys, good) if ok], obs[good],
                                                 None if styles is None else styles[good],
                                                 None if starts is None else starts[good])
            except RuntimeInputError as exc:
                raise invalid(f"batch.observations/styles: {exc}") from None
        return actions, [errors[i] for i in sorted(errors)]

    def _check_no_rows(self, batch: pb.AgentBatch) -> None:
        """A batch without agent_ids must carry no per-agent data: rows without ids are a client naming the field
        wrongly (e.g. camelCase `agentIds` lost by a JSON mapping), never 'no agents this tick'."""
        tensor = batch.observations
        rows = tensor.shape[0] if len(tensor.shape) else (1 if tensor.raw or len(tensor.values) else 0)
        extra = {"batch.observations": rows, "batch.personas": len(batch.personas),
                 "batch.episode_start": len(batch.episode_start),
                 "batch.styles": batch.styles.shape[0] if len(batch.styles.shape) else len(batch.styles.raw)}
        present = {name: count for name, count in extra.items() if count}
        if present:
            name, count = next(iter(present.items()))
            raise invalid(f"batch.agent_ids: expected one id per agent, got none while {name} holds {count} "
                          f"row(s); set agent_ids (field 1 of AgentBatch) for every row")

    def _observations(self, batch: pb.AgentBatch, n: int) -> np.ndarray:
        tensor = batch.observations
        try:
            return from_tensor(tensor, (n, self.obs_size), "batch.observations", check_finite=False)
        except BridgeError:
            shape = list(tensor.shape)
            if len(shape) == 2 and shape[1] == self.obs_size and shape[0] != n:
                raise invalid(f"batch.agent_ids: expected one id per observation row ({shape[0]} rows in "
                              f"batch.observations), got {n} ids") from None
            raise

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


def _non_finite_rows(obs: np.ndarray, styles: np.ndarray | None) -> list[tuple[int, str]]:
    """(row, message) for every agent whose observation or style row holds NaN or infinity."""
    found = {}
    for name, array in (("batch.styles", styles), ("batch.observations", obs)):
        if array is None:
            continue
        for row in np.flatnonzero(~np.isfinite(array).all(axis=1)).tolist():
            column = int(np.flatnonzero(~np.isfinite(array[row]))[0])
            found[row] = (f"{name} row {row}: expected finite float32 values, got {array[row, column]} at column "
                          f"{column}")
    return sorted(found.items())


def _jsonable(value: object) -> object:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)
