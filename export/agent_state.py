"""Per-agent recurrent state: agent id -> row of one float32 array, so a batch gathers and scatters in one call."""

from __future__ import annotations

from typing import Hashable, Sequence

import numpy as np


class UnknownAgentError(KeyError):
    """An operation named an agent the runtime has never seen (or already ended)."""

    def __str__(self) -> str:  # KeyError would print the repr of the message
        return str(self.args[0])


class AgentStateTable:
    def __init__(self, state_size: int, capacity: int = 64, action_width: int = 0):
        """`action_width` > 0 also keeps each agent's last action (int64, -1 until its first decision) for a policy
        that reads its previous action."""
        self.state_size = int(state_size)
        self._state = np.zeros((max(capacity, 1), self.state_size), np.float32)
        self._actions = np.full((max(capacity, 1), int(action_width)), -1, np.int64)
        self._rows: dict[Hashable, int] = {}
        self._free: list[int] = []
        self._last_ids: tuple | None = None
        self._last_rows = np.empty(0, np.intp)

    @property
    def agents(self) -> list[Hashable]:
        return list(self._rows)

    def __contains__(self, agent_id: Hashable) -> bool:
        return agent_id in self._rows

    def rows(self, agent_ids: Sequence[Hashable]) -> np.ndarray:
        """Row index per agent; unseen agents get a fresh zero row. Repeating the last id list costs one compare."""
        key = agent_ids if isinstance(agent_ids, tuple) else tuple(agent_ids)
        if key == self._last_ids:
            return self._last_rows
        rows = self._known_rows(key)
        if rows is not None:
            self._last_ids, self._last_rows = key, rows
            return rows
        if len(set(key)) != len(key):
            dupes = sorted({str(a) for a in key if key.count(a) > 1})
            raise ValueError(f"agent_ids must be unique within one call; repeated: {dupes}")
        rows = np.fromiter((self._row(a) for a in key), np.intp, len(key))
        self._last_ids, self._last_rows = key, rows
        return rows

    def _known_rows(self, key: tuple) -> np.ndarray | None:
        """Rows when every agent is known and none repeats (a merged batch of steady streams), in one C-level pass
        (several times cheaper than the general path); None otherwise."""
        try:
            rows = np.fromiter(map(self._rows.__getitem__, key), np.intp, len(key))
        except KeyError:
            return None
        if len(rows) > 1 and np.bincount(rows).max() > 1:  # distinct agents have distinct rows
            return None
        return rows

    def _row(self, agent_id: Hashable) -> int:
        row = self._rows.get(agent_id)
        if row is None:
            row = self._free.pop() if self._free else len(self._rows)
            if row >= self._state.shape[0]:
                grown = np.zeros((self._state.shape[0] * 2, self.state_size), np.float32)
                grown[: self._state.shape[0]] = self._state
                self._state = grown
                actions = np.full((grown.shape[0], self._actions.shape[1]), -1, np.int64)
                actions[: self._actions.shape[0]] = self._actions
                self._actions = actions
            self._state[row] = 0.0
            self._actions[row] = -1
            self._rows[agent_id] = row
        return row

    def gather(self, rows: np.ndarray, out: np.ndarray) -> np.ndarray:
        return _take_rows(self._state, rows, out)

    def scatter(self, rows: np.ndarray, values: np.ndarray) -> None:
        _put_rows(self._state, rows, values)

    def zero(self, rows: np.ndarray) -> None:
        self._state[rows] = 0.0
        self._actions[rows] = -1

    def gather_actions(self, rows: np.ndarray, out: np.ndarray) -> np.ndarray:
        """Each agent's last action (-1 before its first or after a reset) into `out` int64[B, action_width]."""
        return _take_rows(self._actions, rows, out)

    def scatter_actions(self, rows: np.ndarray, actions: np.ndarray) -> None:
        _put_rows(self._actions, rows, actions)

    def known_rows(self, agent_ids: Sequence[Hashable], action: str) -> list[int]:
        unknown = [a for a in agent_ids if a not in self._rows]
        if unknown:
            known = ", ".join(map(str, list(self._rows)[:20])) or "none"
            raise UnknownAgentError(f"cannot {action} unknown agent(s) {[str(a) for a in unknown]}; known agents: "
                                    f"{known} (an agent becomes known on its first act())")
        return [self._rows[a] for a in agent_ids]

    def reset(self, agent_ids: Sequence[Hashable]) -> None:
        self.zero(np.asarray(self.known_rows(agent_ids, "reset"), np.intp))

    def end(self, agent_ids: Sequence[Hashable]) -> None:
        rows = self.known_rows(agent_ids, "end")
        for agent_id, row in zip(agent_ids, rows):
            del self._rows[agent_id]
            self._free.append(row)
        self._last_ids = None

    def resize(self, state_size: int, action_width: int = 0) -> None:
        """A swapped-in model with another state width (or history input) starts every agent afresh."""
        self.state_size = int(state_size)
        self._state = np.zeros((self._state.shape[0], self.state_size), np.float32)
        self._actions = np.full((self._state.shape[0], int(action_width)), -1, np.int64)

    @property
    def action_width(self) -> int:
        return int(self._actions.shape[1])


def _take_rows(table: np.ndarray, rows: np.ndarray, out: np.ndarray) -> np.ndarray:
    if len(rows) == 1:  # one agent: a row copy is several times cheaper than a fancy-index take
        out[0] = table[rows[0]]
        return out
    return np.take(table, rows, axis=0, out=out)


def _put_rows(table: np.ndarray, rows: np.ndarray, values: np.ndarray) -> None:
    if len(rows) == 1:
        table[rows[0]] = values[0]
    else:
        table[rows] = values
