"""Rollouts recorded exactly like demonstrations: `play_match` -> `Trajectory` -> `DatasetWriter` -> `Dataset`
-> `Episode`. Policy, demonstrators and the robotic bot all pass through this one path, so nothing but their
behaviour (no episode length, termination or dtype artefact) can tell them apart."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping


from botsdk.evaluation.features import CueLayout, Episode, as_episode


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


class Recorder:
    """Plays matches and returns every agent's episode after a round trip through a dataset on disk."""

    def __init__(self, root: Path, contract: Any, setup: MatchSetup, dataset_id: str = "botsdk/evaluation-v0") -> None:
        from botsdk.dataset import Dataset, DatasetWriter

        self.root, self.setup = Path(root), setup
        self._writer = DatasetWriter(self.root, contract, dataset_id=dataset_id)
        self._dataset_cls = Dataset

    def record(self, seed: int, controllers: Mapping[str, Any], keep_observations: bool = False,
               cues: CueLayout | None = None) -> list[Episode]:
        from botsdk.arena.rollout import play_match

        trajectories = play_match(self.setup.map_name, seed, dict(controllers), self.setup.team_size,
                                  self.setup.max_steps)
        items = [(t, dict(t.meta)) for t in trajectories.values()]
        ids = self._writer.add_episodes(items)
        dataset = self._dataset_cls.open(self.root)
        return [as_episode(dataset.episode(i), keep_observations=keep_observations, cues=cues) for i in ids]
