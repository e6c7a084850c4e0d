"""The hook that makes any environment playtestable.

An environment is playtestable when something can (1) describe its level as a `PlaytestWorld` and (2) play one
episode for a persona and a seed, returning each agent's positions and movement-commanded flags. That something is
a `PlaytestAdapter`. Two ready-made adapters cover the common cases, for envs that put the agent position in `info`:

    from botsdk.playtest import GymnasiumHook, run_playtest, write_reports
    hook = GymnasiumHook(
        name="my-level",
        make_env=lambda: gymnasium.make("MyGame-v0"),
        world=my_world,                             # a PlaytestWorld: walkable grid, spawns, points of interest
        personas={"explorer": make_explorer},       # persona -> factory(seed) -> policy(observation, info) -> action
        position_key="position",                    # info[position_key] is the agent's (x, y)
        is_moving=lambda action: action != 0,       # or moving_key="move_commanded" if info reports it
    )
    summary = run_playtest(hook, personas=["explorer"], episodes=8, max_steps=400, workers=2)
    write_reports(summary, Path("out"))             # report.html, playtest.json, junit.xml

From the command line, a function returning the hook: `botsdk playtest --hook mypkg.qa:make_hook`.

`PettingZooHook` does the same for a `ParallelEnv`, with one policy per agent (factory(seed, agent_id)) and the
per-agent `infos`. With fork-based workers (Linux) the hook is inherited, so lambdas are fine; elsewhere it must
pickle.
"""

from __future__ import annotations

from typing import Any, Callable, Protocol, Sequence, runtime_checkable

import numpy as np

from botsdk.playtest.records import AgentTrack, PlaytestWorld

Policy = Callable[[Any, dict], Any]


@runtime_checkable
class PlaytestAdapter(Protocol):
    """What the playtest runner needs from a game."""

    name: str

    @property
    def personas(self) -> tuple[str, ...]: ...

    def world(self) -> PlaytestWorld: ...

    def play(self, persona: str, seed: int, max_steps: int) -> list[AgentTrack]: ...


class GameLoopError(RuntimeError):
    """The game loop raised; carries the tracks recorded up to the crash so the report can show where it was."""

    def __init__(self, cause: BaseException, tracks: list[AgentTrack]) -> None:
        super().__init__(f"{type(cause).__name__}: {cause}")
        self.cause = cause
        self.tracks = tracks


class _TrackBuilder:
    """Accumulates one agent's positions and moving flags, checking the info it reads."""

    def __init__(self, agent_id: str, persona: str, seed: int, position_key: str) -> None:
        self.agent_id, self.persona, self.seed, self.position_key = agent_id, persona, seed, position_key
        self.positions: list[np.ndarray] = []
        self.moving: list[bool] = []

    def position(self, info: dict) -> None:
        if self.position_key not in info:
            raise KeyError(f"info of agent {self.agent_id!r} has no {self.position_key!r} key (the hook's "
                           f"position_key); keys received: {sorted(info)}")
        xy = np.asarray(info[self.position_key], dtype=np.float32).reshape(-1)
        if xy.size < 2:
            raise ValueError(f"info[{self.position_key!r}] of {self.agent_id!r} must hold (x, y), got {xy!r}")
        self.positions.append(xy[:2])

    def build(self) -> AgentTrack:
        n = max(len(self.positions) - 1, 0)
        return AgentTrack(self.agent_id, self.persona, self.seed, np.asarray(self.positions).reshape(-1, 2),
                          np.asarray(self.moving[:n], dtype=bool))


def _moving_flag(info: dict, action: Any, moving_key: str | None, is_moving: Callable[[Any], bool] | None) -> bool:
    if moving_key is not None and moving_key in info:
        return bool(info[moving_key])
    if is_moving is not None:
        return bool(is_moving(action))
    raise KeyError(f"cannot tell whether movement was commanded: info has no {moving_key!r} key and no is_moving "
                   f"callable was given; info keys received: {sorted(info)}")


class _HookBase:
    def __init__(self, name: str, world: PlaytestWorld | Callable[[], PlaytestWorld], personas: dict[str, Callable],
                 position_key: str, moving_key: str | None, is_moving: Callable[[Any], bool] | None) -> None:
        if not personas:
            raise ValueError("a hook needs at least one persona (name -> policy factory)")
        self.name = name
        self._world = world
        self._personas = dict(personas)
        self.position_key, self.moving_key, self.is_moving = position_key, moving_key, is_moving

    @property
    def personas(self) -> tuple[str, ...]:
        return tuple(self._personas)

    def world(self) -> PlaytestWorld:
        return self._world() if callable(self._world) else self._world

    def _factory(self, persona: str) -> Callable:
        if persona not in self._personas:
            raise ValueError(f"unknown persona {persona!r}; expected one of {', '.join(self._personas)}")
        return self._personas[persona]


class GymnasiumHook(_HookBase):
    """Playtest a single-agent Gymnasium env. `personas[name](seed)` returns `policy(observation, info) -> action`."""

    def __init__(self, name: str, make_env: Callable[[], Any], world: PlaytestWorld | Callable[[], PlaytestWorld],
                 personas: dict[str, Callable[[int], Policy]], position_key: str = "position",
                 moving_key: str | None = "moving", is_moving: Callable[[Any], bool] | None = None,
                 agent_id: str = "agent") -> None:
        super().__init__(name, world, personas, position_key, moving_key, is_moving)
        self.make_env, self.agent_id = make_env, agent_id

    def play(self, persona: str, seed: int, max_steps: int) -> list[AgentTrack]:
        policy = self._factory(persona)(seed)
        builder = _TrackBuilder(self.agent_id, persona, seed, self.position_key)
        env = self.make_env()
        try:
            observation, info = env.reset(seed=seed)
            builder.position(info)
            for _ in range(max_steps):
                action = policy(observation, info)
                observation, _, terminated, truncated, info = env.step(action)
                builder.moving.append(_moving_flag(info, action, self.moving_key, self.is_moving))
                builder.position(info)
                if terminated or truncated:
                    break
        except Exception as exc:  # noqa: BLE001 - any game-loop error becomes a finding with its seed
            raise GameLoopError(exc, [builder.build()]) from exc
        finally:
            env.close()
        return [builder.build()]


class PettingZooHook(_HookBase):
    """Playtest a PettingZoo ParallelEnv. `personas[name](seed, agent_id)` returns one agent's policy."""

    def __init__(self, name: str, make_env: Callable[[], Any], world: PlaytestWorld | Callable[[], PlaytestWorld],
                 personas: dict[str, Callable[[int, str], Policy]], position_key: str = "position",
                 moving_key: str | None = "moving", is_moving: Callable[[Any], bool] | None = None,
                 agents: Sequence[str] | None = None) -> None:
        super().__init__(name, world, personas, position_key, moving_key, is_moving)
        self.make_env, self.only = make_env, None if agents is None else set(agents)

    def play(self, persona: str, seed: int, max_steps: int) -> list[AgentTrack]:
        factory = self._factory(persona)
        env = self.make_env()
        builders: dict[str, _TrackBuilder] = {}
        try:
            observations, infos = env.reset(seed=seed)
            policies = {a: factory(seed, a) for a in env.agents}
            for agent in env.agents:
                if self.only is None or agent in self.only:
                    builders[agent] = _TrackBuilder(agent, persona, seed, self.position_key)
                    builders[agent].position(infos[agent])
            for _ in range(max_steps):
                if not env.agents:
                    break
                actions = {a: policies[a](observations[a], infos.get(a, {})) for a in env.agents}
                observations, _, terms, truncs, infos = env.step(actions)
                for agent, builder in builders.items():
                    if agent in actions and agent in infos:
                        builder.moving.append(_moving_flag(infos[agent], actions[agent], self.moving_key,
                                                           self.is_moving))
                        builder.position(infos[agent])
        except Exception as exc:  # noqa: BLE001 - any game-loop error becomes a finding with its seed
            raise GameLoopError(exc, [b.build() for b in builders.values()]) from exc
        finally:
            env.close()
        return [b.build() for b in builders.values()]


def load_hook(spec: str) -> PlaytestAdapter:
    """`module:function` -> the adapter the function returns (how `botsdk playtest --hook` reaches any env)."""
    import importlib

    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise ValueError(f"expected MODULE:FUNCTION, got {spec!r}")
    adapter = getattr(importlib.import_module(module_name), attr)()
    if not isinstance(adapter, PlaytestAdapter):
        raise TypeError(f"{spec} returned {type(adapter).__name__}, expected a PlaytestAdapter (name, personas, "
                        f"world(), play(persona, seed, max_steps))")
    return adapter
