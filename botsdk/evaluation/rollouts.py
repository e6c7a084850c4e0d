"""Rollouts recorded exactly like demonstrations: `play_match` -> `Trajectory` -> `DatasetWriter` -> `Dataset`
-> `Episode`. Policy, demonstrators and the robotic bot all pass through this one path, so nothing but their
behaviour (no episode length, termination or dtype artefact) can tell them apart."""

from __future__ import annotations

import importlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np

from botsdk.evaluation.features import Episode, as_episode


@dataclass(frozen=True)
class MatchSetup:
    """How the demonstrations were played: evaluation replays the same map, team size and episode length."""

    map_name: str
    team_size: int
    max_steps: int

    @classmethod
    def from_dataset(cls, dataset: Any) -> "MatchSetup":
        infos = dataset.episodes
        if not infos:
            raise ValueError(f"dataset {dataset.root} holds no episodes; expected demonstrations to compare with")
        map_name = Counter(e.map for e in infos).most_common(1)[0][0]
        blue = {e.agent_id for e in infos if e.map == map_name and str(e.agent_id).startswith("blue_")}
        return cls(map_name, max(1, len(blue)), max(e.steps for e in infos))

    def agent_ids(self) -> list[str]:
        return [f"{team}_{i}" for team in ("blue", "red") for i in range(self.team_size)]


def arena_function(name: str) -> Callable[..., Any]:
    """Find an arena entry point (`make_demonstrator`, `player_ids`, `play_match`) wherever the arena exports it."""
    for module in ("botsdk.arena", "botsdk.arena.rollout", "botsdk.arena.demonstrators", "botsdk.arena.scripted",
                   "botsdk.arena.controllers"):
        try:
            found = getattr(importlib.import_module(module), name, None)
        except ImportError:
            continue
        if found is not None:
            return found
    raise ImportError(f"the arena exports no {name!r}; evaluation needs botsdk.arena's rollout API")


class StyledPolicyController:
    """A Controller (docs/interfaces.md) over a shared `BotRuntime`, steered by any style vector (a persona, a
    blend, or one inferred from a demonstration)."""

    source = "bot"
    last_probs = None

    def __init__(self, runtime: Any, style_vector: np.ndarray, style: str, player_id: str) -> None:
        self.runtime, self.style, self.player_id, self.skill = runtime, style, player_id, 1.0
        self._style = np.asarray(style_vector, np.float32).reshape(1, -1)
        self._agent, self._start = player_id, True

    def reset(self, agent_id: str, seed: int) -> None:
        self._agent, self._start = f"{self.player_id}/{agent_id}", True

    def act(self, observation: np.ndarray, view: Any = None) -> np.ndarray:
        obs = np.asarray(observation, dtype=np.float32).reshape(1, -1)
        actions = self.runtime.act([self._agent], obs, self._style, np.array([self._start]))
        self._start = False
        return actions[0]


class Recorder:
    """Plays matches and returns every agent's episode after a round trip through a dataset on disk."""

    def __init__(self, root: Path, contract: Any, setup: MatchSetup) -> None:
        from botsdk.dataset import Dataset, DatasetWriter

        self.root, self.setup = Path(root), setup
        self._writer = DatasetWriter(self.root, contract, dataset_id="botsdk/evaluation-v0")
        self._dataset_cls = Dataset
        self._play = arena_function("play_match")

    def record(self, seed: int, controllers: Mapping[str, Any], keep_observations: bool = False) -> list[Episode]:
        trajectories = self._play(self.setup.map_name, seed, dict(controllers), self.setup.team_size,
                                  self.setup.max_steps)
        items = [(t, dict(t.meta)) for t in trajectories.values()]
        ids = self._writer.add_episodes(items)
        dataset = self._dataset_cls.open(self.root)
        return [as_episode(dataset.episode(i), keep_observations=keep_observations) for i in ids]


def demonstrator_team(style: str, seed: int, agent_ids: list[str], players: list[str]) -> dict[str, Any]:
    """Every agent a scripted demonstrator of one style, cycling through the given player identities."""
    make = arena_function("make_demonstrator")
    return {a: make(style, seed=seed * 101 + i, player_id=players[i % len(players)]) for i, a in enumerate(agent_ids)}


def policy_team(runtime: Any, style_vector: np.ndarray, label: str, agent_ids: list[str]) -> dict[str, Any]:
    return {a: StyledPolicyController(runtime, style_vector, label, f"policy-{label}-{i}") for i, a in enumerate(agent_ids)}
