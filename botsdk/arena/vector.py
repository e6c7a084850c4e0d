"""`BatchedArenaEnv`: many 2-team rounds stepped together with numpy arrays in and out, auto-resetting finished
rounds - the fast path for data collection and the throughput benchmark."""

from __future__ import annotations

import numpy as np

from botsdk.arena.batch import DEFAULT_MAX_STEPS, ArenaBatch


class BatchedArenaEnv:
    """obs float32[n_envs, n_agents, O]; actions int64[n_envs, n_agents, 4]. Agents of a round that ended are
    reported once with terminated/truncated set; the round restarts from the next seed on the following step
    (`alive` says which agents act; actions for the others are ignored)."""

    def __init__(self, map_name: str = "crossroads", team_size: int = 2, n_envs: int = 16, seed: int = 0,
                 max_steps: int = DEFAULT_MAX_STEPS):
        self.batch = ArenaBatch(map_name, team_size=team_size, n_envs=n_envs, max_steps=max_steps)
        self.n_envs, self.n_agents = n_envs, self.batch.n_agents
        self.agents = self.batch.agents
        self._seeds = np.random.SeedSequence(seed)
        self._pending = np.zeros(n_envs, dtype=bool)

    def _next_seeds(self, n: int) -> list[int]:
        return [int(s.generate_state(1)[0]) for s in self._seeds.spawn(n)]

    def reset(self) -> np.ndarray:
        self.batch.reset(self._next_seeds(self.n_envs))
        self._pending[:] = False
        return self.batch.obs

    @property
    def alive(self) -> np.ndarray:
        return self.batch.alive

    def step(self, actions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Returns (obs, rewards float32[E, A], terminated bool[E, A], truncated bool[E, A])."""
        b = self.batch
        if self._pending.any():
            envs = np.flatnonzero(self._pending)
            b.reset(self._next_seeds(len(envs)), envs)
            self._pending[:] = False
        was_alive = b.alive.copy()
        b.step(actions)
        ended = b.done[:, None] & was_alive
        decided = (b.winner >= 0) | (b.steps < b.max_steps)
        terminated = (was_alive & ~b.alive) | (ended & decided[:, None])
        truncated = ended & ~decided[:, None] & ~terminated
        self._pending = b.done.copy()
        return b.obs, b.reward.astype(np.float32), terminated, truncated
