"""Per-agent state bookkeeping: which agents a stream (or Act session) has started, under which runtime keys.

The runtime keeps recurrent state by key; a scope namespaces the engine's agent ids so two engines may both call
an agent `blue_0`, and hands back every key it owns when the stream ends so the state is freed.
"""

from __future__ import annotations

import itertools
import threading

import numpy as np

from botsdk.game_bridge.errors import exhausted, invalid

_counter = itertools.count()


class AgentScope:
    """The agents one stream or Act session has started. Not shared between threads except via `close`."""

    def __init__(self, label: str, max_agents: int, max_id_bytes: int = 128):
        self.prefix = f"{label}#{next(_counter)}/"
        self.max_agents = max_agents
        self.max_id_bytes = max_id_bytes
        self._keys: dict[str, str] = {}
        self._lock = threading.Lock()
        self.closed = False
        self._last: tuple[list[str], list[str]] = ([], [])  # the previous tick's ids and keys (usually repeated)

    def __len__(self) -> int:
        return len(self._keys)

    def admit(self, agent_ids: list[str], starts: np.ndarray | None) -> tuple[list[str | None], list[int]]:
        """Runtime keys for this tick's agents, and the rows of agents that were never started here (episode_start
        unset on their first decision): their key is None, they get a per-agent error and the others decide."""
        if agent_ids == self._last[0] and agent_ids:
            return self._last[1], []
        keys, unknown = self._admit(agent_ids, starts)
        if not unknown:
            self._last = (agent_ids, keys)
        return keys, unknown

    def _admit(self, agent_ids: list[str], starts: np.ndarray | None) -> tuple[list[str | None], list[int]]:
        keys = self._keys
        if len(keys) >= len(agent_ids) and all(a in keys for a in agent_ids):  # steady state: one pass, no writes
            if len(set(agent_ids)) != len(agent_ids):
                raise invalid(f"batch.agent_ids: expected unique ids, got duplicates {_duplicates(agent_ids)}")
            return [keys[a] for a in agent_ids], []
        if len(set(agent_ids)) != len(agent_ids):
            raise invalid(f"batch.agent_ids: expected unique ids, got duplicates {_duplicates(agent_ids)}")
        new = [i for i, a in enumerate(agent_ids) if a not in keys]
        for i in new:
            self._check_id(i, agent_ids[i])
        unknown = [i for i in new if starts is None or not starts[i]]
        if unknown:
            refused = set(unknown)
            new = [i for i in new if i not in refused]
        if len(keys) + len(new) > self.max_agents:
            raise exhausted(f"agents per session: at most {self.max_agents} live agents, got "
                            f"{len(keys) + len(new)}; end finished agents with batch.ended")
        with self._lock:
            if self.closed:
                raise invalid("session already closed")
            for i in new:
                keys[agent_ids[i]] = self.prefix + agent_ids[i]
        return [keys.get(a) for a in agent_ids], unknown

    def _check_id(self, index: int, agent_id: str) -> None:
        if not agent_id.strip():
            raise invalid(f"batch.agent_ids[{index}]: expected a non-empty id (not only whitespace), got {agent_id!r}")
        size = len(agent_id.encode("utf-8"))
        if size > self.max_id_bytes:
            raise invalid(f"batch.agent_ids[{index}]: expected at most {self.max_id_bytes} bytes of UTF-8, "
                          f"got {size} bytes")

    def release(self, agent_ids) -> list[str]:
        """Forget these agents; returns their runtime keys (unknown ids are ignored: ending twice is harmless)."""
        with self._lock:
            self._last = ([], [])
            return [k for k in (self._keys.pop(a, None) for a in agent_ids) if k is not None]

    def close(self) -> list[str]:
        """Forget every agent; returns all keys. Idempotent (a cancelled stream may close twice)."""
        with self._lock:
            self.closed = True
            self._last = ([], [])
            keys, self._keys = list(self._keys.values()), {}
        return keys


def _duplicates(ids: list[str]) -> list[str]:
    seen, dup = set(), []
    for a in ids:
        if a in seen and a not in dup:
            dup.append(a)
        seen.add(a)
    return dup[:5]
