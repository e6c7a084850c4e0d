"""The built-in arena as a remote engine: the game runs here, every agent's action comes over the bridge.

One Session stream for the match; each tick sends all live agents' observations in one message (one model call on
the server) and applies the returned actions. `botsdk play --remote HOST:PORT` runs this.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Mapping

import numpy as np

from botsdk.game_bridge.client import BridgeClient
from botsdk.game_bridge.security import TlsFiles


@dataclass
class RemoteMatch:
    """What happened: steps played, per-agent returns, the server's model version, tick round-trip times."""

    steps: int
    returns: dict[str, float]
    model_version: str
    tick_ms: list[float] = field(default_factory=list)

    @property
    def tick_ms_p50(self) -> float:
        return float(np.median(self.tick_ms)) if self.tick_ms else 0.0


def play_remote(target: str, map_name: str, seed: int, token: str | None = None, tls: TlsFiles | None = None,
                team_size: int = 2, max_steps: int = 500, personas: str | Mapping[str, str] | None = None,
                render_mode: str | None = None, timeout: float | None = None) -> RemoteMatch:
    """Play one arena match whose agents are all decided by the bridge server at `target`.

    `personas`: one persona name for every agent, or {agent_id: persona}; None lets the model use its default.
    """
    from botsdk.arena import parallel_env
    from botsdk.contract import check_compatible

    env = parallel_env(map_name=map_name, team_size=team_size, seed=seed, render_mode=render_mode,
                       max_steps=max_steps)
    with BridgeClient(target, token=token, tls=tls) as client:
        spec = client.get_spec(timeout=timeout)
        check_compatible(spec.contract, _env_contract(env), f"served model {spec.model_version}", "arena")
        observations, _ = env.reset(seed=seed)
        returns = {agent: 0.0 for agent in observations}
        match = RemoteMatch(0, returns, spec.model_version)
        started, ended = set(), []
        with client.session(timeout=timeout) as stream:
            while observations:
                ids = sorted(observations)
                obs = np.stack([observations[a] for a in ids]).astype(np.float32, copy=False)
                t0 = time.perf_counter()
                actions = stream.step(ids, obs, personas=_persona_list(personas, ids),
                                      episode_start=[a not in started for a in ids], ended=ended)
                match.tick_ms.append((time.perf_counter() - t0) * 1000.0)
                started.update(ids)
                observations, rewards, _, _, _ = env.step(dict(zip(ids, actions)))
                for agent, reward in rewards.items():
                    returns[agent] = returns.get(agent, 0.0) + float(reward)
                live = set(env.agents)
                ended = [a for a in ids if a not in live]  # their server-side state is freed with the next tick
                observations = {a: o for a, o in observations.items() if a in live}
                match.steps += 1
    env.close()
    return match


def _env_contract(env):
    contract = getattr(getattr(env, "batch", None), "contract", None)
    if contract is None:
        from botsdk.arena.contract import arena_contract

        contract = arena_contract()
    return contract


def _persona_list(personas: str | Mapping[str, str] | None, ids: list[str]) -> list[str] | None:
    if personas is None:
        return None
    if isinstance(personas, str):
        return [personas] * len(ids)
    return [personas.get(a, "") for a in ids]
