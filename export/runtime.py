"""The torch-free runtime: batched decisions for many agents from an exported ONNX policy (onnxruntime + numpy).

    rt = BotRuntime("model.onnx", seed=0, greedy=False)   # temperature: the model's evaluated one
    actions = rt.act(agent_ids, obs, style, episode_start)   # int64[B, n_heads]
    rt.decode(actions)                                       # [{"move": (0.0, 1.0), "turn": 15.0, ...}, ...]
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Hashable, Mapping, Sequence

import numpy as np

from botsdk.contract import BehaviourContract, check_compatible
from botsdk.export.agent_state import AgentStateTable, UnknownAgentError
from botsdk.export.binding import BoundBuffers, BufferCache
from botsdk.export.metadata import head_temperatures, output_names, sampling_temperature
from botsdk.export.sampling import HeadSampler
from botsdk.export.session import ModelFormatError, load_policy, load_style_encoder, reads_previous_action

__all__ = ["BotRuntime", "StyleEncoderRuntime", "RuntimeInputError", "UnknownAgentError", "ModelFormatError"]


LARGE_BATCH = 256  # rows from which the multi-threaded session serves a batch
# Gumbel noise is drawn in blocks of about this size: small enough to stay in cache and be reused from the allocator
# (a 1 MB block costs ~0.8 ms of page faults each refill, a latency spike every 64 ticks of 64 agents)
NOISE_BLOCK_BYTES = 256 << 10


class RuntimeInputError(ValueError):
    """An input array that does not match the model's layout; the message names the expected layout."""


def observation_layout(contract: BehaviourContract) -> str:
    blocks = " + ".join(f"{b.name} {b.size}" for b in contract.observation)
    return (f"float32[batch, {contract.observation_size}] = {contract.frame_stack} frame(s), oldest first, "
            f"of ({blocks})")


def _describe(array: object) -> str:
    if isinstance(array, np.ndarray):
        return f"{array.dtype}{list(array.shape)}"
    return type(array).__name__


def _first_bad(array: np.ndarray) -> tuple[int, ...]:
    return tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])


class BotRuntime:
    """One loaded policy serving many agents; thread-safe (act, swap and end take one lock)."""

    def __init__(self, path: str | Path, seed: int = 0, temperature: float | None = None, greedy: bool = False,
                 threads: int = 1, large_batch_threads: int | None = None):
        """`temperature` None: the ones the model was evaluated at (its metadata, per head; 1.0 if it names none);
        a number: that one for every head.
        `threads` serve small batches (one is fastest for tiny models); batches of LARGE_BATCH rows or more go to
        a second session with `large_batch_threads` (default: up to 2 cores) when that is more than `threads`."""
        self._lock = threading.Lock()
        for name, value in (("threads", threads), ("large_batch_threads", large_batch_threads)):
            if value is not None and (not isinstance(value, int) or value < 1):
                raise ValueError(f"{name}: expected a whole number of threads >= 1, got {value!r}")
        if temperature is not None:
            HeadSampler((), seed, temperature, greedy)  # rejects a bad temperature before the file is read
        self._threads = threads
        self._large_threads = large_batch_threads if large_batch_threads is not None else min(2, os.cpu_count() or 1)
        self._buffers = BufferCache()
        self._install(Path(path), *self._open(Path(path)))
        per_head = head_temperatures(self.metadata, self.contract.head_names) if temperature is None else temperature
        if temperature is None:
            temperature = sampling_temperature(self.metadata)
        self._seed, self._temperature, self._greedy = seed, temperature, greedy
        noise_row_bytes = 4 * len(self.contract.head_sizes) * max(self.contract.head_sizes)
        self._sampler = HeadSampler(self.contract.head_sizes, seed, per_head, greedy,
                                    block_rows=max(64, NOISE_BLOCK_BYTES // noise_row_bytes))
        self._states = AgentStateTable(self.state_size, action_width=self._history_width)
        self._last: BoundBuffers | None = None

    # ---- loading -------------------------------------------------------------------------------------------
    def _open(self, path: Path) -> tuple[list, BehaviourContract, int]:
        session, contract, state_size = load_policy(path, self._threads)
        sessions = [session]
        if self._large_threads > self._threads:
            sessions.append(load_policy(path, self._large_threads)[0])
        return sessions, contract, state_size

    def _install(self, path: Path, sessions: list, contract: BehaviourContract, state_size: int) -> None:
        self.path, self._sessions, self.contract, self.state_size = path, sessions, contract, state_size
        self._outputs = output_names(contract)
        self._n_heads = len(contract.head_sizes)
        # a policy that reads its own previous action gets the one the runtime sampled for that agent last step
        self._history_width = self._n_heads if reads_previous_action(sessions[0]) else 0
        self._obs_size, self._style_size = contract.observation_size, contract.style.size
        self._zero_style = np.zeros(self._style_size, np.float32)
        self._zero_style.flags.writeable = False  # load() relies on it staying zero
        self._buffers.clear()
        self.metadata = dict(sessions[0].get_modelmeta().custom_metadata_map)

    def swap(self, path: str | Path) -> None:
        """Hot-swap to another model file; refused (nothing changes) unless its contract can serve this one's.
        A model with another state width restarts every agent from a zero state."""
        path = Path(path)
        sessions, contract, state_size = self._open(path)
        check_compatible(contract, self.contract, model_label=f"new model {path.name}",
                         other_label=f"running model {self.path.name}")
        with self._lock:
            self._install(path, sessions, contract, state_size)
            self._last = None
            if state_size != self._states.state_size or self._history_width != self._states.action_width:
                self._states.resize(state_size, self._history_width)

    # ---- decisions -----------------------------------------------------------------------------------------
    def act(self, agent_ids: Sequence[Hashable], obs: np.ndarray, style: np.ndarray | None = None,
            episode_start: np.ndarray | None = None) -> np.ndarray:
        """One decision per agent: int64[B, n_heads]. New agents and `episode_start` rows start from a zero state.
        A policy that reads its previous action gets the one this runtime returned for the agent last time (or
        what `applied` said it did instead)."""
        batch = self._check_obs(obs, agent_ids)
        style = self._zero_style if style is None else self._check_style(style, batch)
        starts = None if episode_start is None else self._check_starts(episode_start, batch)
        with self._lock:
            buffers = self._bound(batch)
            if not buffers.load(obs, style, style is self._zero_style):
                self._raise_non_finite(obs, style)
            rows = self._states.rows(agent_ids)
            if starts is not None:
                self._states.zero(rows[starts])
            self._states.gather(rows, out=buffers.state_in)
            if self._history_width:
                self._states.gather_actions(rows, out=buffers.previous_action)
            buffers.run()
            self._states.scatter(rows, buffers.state_out)
            self._last = buffers
            actions = self._sampler.sample_padded(buffers.padded, buffers.work)
            if self._history_width:
                self._states.scatter_actions(rows, actions)
            return actions

    def _bound(self, batch: int) -> BoundBuffers:
        which = 1 if batch >= LARGE_BATCH and len(self._sessions) > 1 else 0
        buffers = self._buffers.get((which, batch))
        if buffers is None:
            buffers = BoundBuffers(self._sessions[which], batch, self._obs_size, self._style_size, self.state_size,
                                   self._outputs, self._sampler, self._history_width)
            self._buffers.put((which, batch), buffers)
        return buffers

    @property
    def threads(self) -> int:
        """onnxruntime threads a batch under LARGE_BATCH rows runs on."""
        return self._threads

    @property
    def large_batch_threads(self) -> int:
        """onnxruntime threads a batch of LARGE_BATCH rows or more runs on."""
        return max(self._threads, self._large_threads)

    @property
    def temperature(self) -> float:
        """The sampling temperature in use for every head not given its own (given, or the model's evaluated one)."""
        return self._temperature

    @property
    def temperatures(self) -> tuple[float, ...]:
        """Each head's sampling temperature, in contract order."""
        return self._sampler.temperatures

    @property
    def last_logits(self) -> list[np.ndarray] | None:
        """Copies of the per-head logits of the last `act` (None before the first)."""
        return None if self._last is None else [a.copy() for a in self._last.logits]

    def probabilities(self) -> list[np.ndarray] | None:
        """Per-head distributions the last `act` drew from (softmax of logits / temperature)."""
        return None if self._last is None else self._sampler.probabilities(self._last.logits)

    def applied(self, agent_ids: Sequence[Hashable], actions: np.ndarray) -> None:
        """What known agents actually did on their last decision when it was not the action this runtime returned
        (a person took over, a script moved the agent, a recording is being scored): int64[B, n_heads], -1 for
        nothing. A policy that reads its previous action decides next on these; for others this changes nothing."""
        actions = self._check_previous(np.asarray(actions), len(agent_ids))
        with self._lock:
            rows = np.asarray(self._states.known_rows(list(agent_ids), "set the applied action of"), np.intp)
            if self._history_width:
                self._states.scatter_actions(rows, actions)

    def reset(self, agent_ids: Sequence[Hashable]) -> None:
        """Zero the recurrent state of known agents (an unknown id is an error naming the known ones)."""
        with self._lock:
            self._states.reset(list(agent_ids))

    def end(self, agent_ids: Sequence[Hashable]) -> None:
        """Forget agents (their state rows are reused)."""
        with self._lock:
            self._states.end(list(agent_ids))

    @property
    def agents(self) -> list[Hashable]:
        return self._states.agents

    # ---- actions and styles ----------------------------------------------------------------------------------
    def decode(self, actions: np.ndarray) -> list[dict[str, object]]:
        """Engine commands through the contract's value tables, one dict per agent."""
        actions = np.asarray(actions)
        if actions.ndim == 1:
            actions = actions[None, :]
        if actions.ndim != 2 or actions.shape[1] != self._n_heads or actions.dtype.kind not in "iu":
            raise RuntimeInputError(f"actions: expected int64[batch, {self._n_heads}] (heads "
                                    f"{list(self.contract.head_names)}), got {_describe(actions)}")
        sizes = np.asarray(self.contract.head_sizes)
        bad = (actions < 0) | (actions >= sizes)
        if bad.any():
            row, col = (int(i) for i in np.argwhere(bad)[0])
            raise RuntimeInputError(f"actions[{row}, {col}] = {int(actions[row, col])} is outside head "
                                    f"{self.contract.head_names[col]!r} (expected 0..{sizes[col] - 1})")
        tables = [head.values for head in self.contract.actions]
        names = self.contract.head_names
        return [{names[h]: tables[h][int(i)] for h, i in enumerate(row)} for row in actions.tolist()]

    def style_for(self, spec: str | Mapping[str, float] | Sequence[float]) -> np.ndarray:
        """float32[S] for a persona name, a {persona: weight} blend, or an explicit vector."""
        style = self.contract.style
        if isinstance(spec, str):
            vector = style.persona(spec)
        elif isinstance(spec, Mapping):
            vector = style.blend(spec)
        else:
            vector = tuple(spec)
            if len(vector) != style.size:
                raise RuntimeInputError(f"style: expected {style.size} floats, got {len(vector)}")
        return np.asarray(vector, np.float32)

    # ---- input checks ----------------------------------------------------------------------------------------
    def _check_obs(self, obs: np.ndarray, agent_ids: Sequence[Hashable]) -> int:
        if not isinstance(obs, np.ndarray) or obs.dtype != np.float32 or obs.ndim != 2 or obs.shape[1] != self._obs_size:
            raise RuntimeInputError(f"obs: expected {observation_layout(self.contract)}, got {_describe(obs)}")
        batch = obs.shape[0]
        if len(agent_ids) != batch:
            raise RuntimeInputError(f"agent_ids: expected one id per obs row ({batch}), got {len(agent_ids)}")
        return batch

    def _check_style(self, style: np.ndarray, batch: int) -> np.ndarray:
        expected = f"float32[batch, {self._style_size}] or float32[{self._style_size}]"
        if not isinstance(style, np.ndarray) or style.dtype != np.float32:
            raise RuntimeInputError(f"style: expected {expected}, got {_describe(style)}")
        if not (style.shape == (self._style_size,) or style.shape == (batch, self._style_size)):
            raise RuntimeInputError(f"style: expected {expected} with batch {batch}, got {_describe(style)}")
        return style

    def _raise_non_finite(self, obs: np.ndarray, style: np.ndarray) -> None:
        """Locate the first NaN/inf (slow path, errors only) and name where it sits in the layout."""
        if not np.isfinite(obs).all():
            row, col = _first_bad(obs)
            frame, offset = divmod(col, self.contract.frame_size)
            block = next(b.name for b in self.contract.observation
                         if offset < self.contract.block_slice(b.name).stop)
            raise RuntimeInputError(f"obs[{row}, {col}] is {obs[row, col]} (frame {frame}, block {block!r}); "
                                    f"expected finite values in {observation_layout(self.contract)}")
        raise RuntimeInputError(f"style{list(_first_bad(style))} is not finite; expected finite "
                                f"float32[batch, {self._style_size}] values")

    def _check_previous(self, previous: np.ndarray, batch: int) -> np.ndarray:
        sizes = np.asarray(self.contract.head_sizes)
        if previous.dtype.kind not in "iu" or previous.shape != (batch, len(sizes)):
            raise RuntimeInputError(f"applied actions: expected int64[{batch}, {len(sizes)}] (heads "
                                    f"{list(self.contract.head_names)}; -1 for none), got {_describe(previous)}")
        bad = (previous < -1) | (previous >= sizes)
        if bad.any():
            row, col = (int(i) for i in np.argwhere(bad)[0])
            raise RuntimeInputError(f"applied actions[{row}, {col}] = {int(previous[row, col])} is outside head "
                                    f"{self.contract.head_names[col]!r} (expected -1 or 0..{sizes[col] - 1})")
        return previous

    @staticmethod
    def _check_starts(episode_start: np.ndarray, batch: int) -> np.ndarray:
        starts = np.asarray(episode_start)
        if starts.dtype != np.bool_ or starts.shape != (batch,):
            raise RuntimeInputError(f"episode_start: expected bool[{batch}], got {_describe(starts)}")
        return starts


class StyleEncoderRuntime:
    """Infer a style vector from a demonstration: (observations, action indices) -> float32[S]."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._session, self.contract = load_style_encoder(self.path)
        self._offsets = np.cumsum((0,) + self.contract.head_sizes)[:-1]

    def encode(self, obs: np.ndarray, actions: np.ndarray) -> np.ndarray:
        """float32[S] for a demonstration of N steps; N = 0 gives the zero style (no style)."""
        n_heads, o = len(self.contract.head_sizes), self.contract.observation_size
        if not isinstance(obs, np.ndarray) or obs.dtype != np.float32 or obs.ndim != 2 or obs.shape[1] != o:
            raise RuntimeInputError(f"obs: expected {observation_layout(self.contract)}, got {_describe(obs)}")
        if not np.isfinite(obs).all():
            raise RuntimeInputError(f"obs{list(_first_bad(obs))} is not finite; expected finite values")
        actions = np.asarray(actions)
        if actions.shape != (obs.shape[0], n_heads) or actions.dtype.kind not in "iu":
            raise RuntimeInputError(f"actions: expected int64[{obs.shape[0]}, {n_heads}] (heads "
                                    f"{list(self.contract.head_names)}), got {_describe(actions)}")
        sizes = np.asarray(self.contract.head_sizes)
        if ((actions < 0) | (actions >= sizes)).any():
            raise RuntimeInputError(f"actions: indices must lie in 0..size-1 per head, sizes {sizes.tolist()}")
        if obs.shape[0] == 0:  # files exported before empty sets were defined would average nothing into NaN
            return np.zeros(self.contract.style.size, np.float32)
        onehot = np.zeros((obs.shape[0], int(sizes.sum())), np.float32)
        onehot[np.arange(obs.shape[0])[:, None], actions + self._offsets] = 1.0
        (style,) = self._session.run(None, {"obs": obs, "actions_onehot": onehot})
        return style.reshape(-1).astype(np.float32)
