"""Rollouts recorded exactly like demonstrations: `play_match` -> `Trajectory` -> `DatasetWriter` -> `Dataset`
-> `Episode`. Policy, demonstrators and the robotic bot all pass through this one path, so nothing but their
behaviour (no episode length, termination or dtype artefact) can tell them apart.

Matches only scripted demonstrators play are handed over as `MatchJob`s (a seed and each slot's
`DemonstratorSpec`, a description rather than a controller), so a `MatchRunner` may play them in another process:
`play_here` plays them in this one, botsdk.evaluation.distributed on Ray. Every demonstrator is seeded by its own
spec, so a match plays the same wherever it runs; the recorder commits in job order either way."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

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
        return cls(map_name, max(1, len(blue)), round_limit(dataset))

    def agent_ids(self) -> list[str]:
        return [f"{team}_{i}" for team in ("blue", "red") for i in range(self.team_size)]


def round_limit(dataset: Any) -> int:
    """The recording's round length in decisions: the length of its longest episode where that one ran out of time;
    where it ended otherwise (every round of a recording may end before the clock), the arena's own limit, or the
    longest episode if that is longer. Not just the longest episode: a recording whose rounds all ended early would
    replay every match with a shorter clock, and the reference people would change with the training data."""
    from botsdk.arena.batch import DEFAULT_MAX_STEPS

    longest = max(e.steps for e in dataset.episodes)
    for info in (e for e in dataset.episodes if e.steps == longest):
        truncations = dataset.episode(info.id)["truncations"]
        if len(truncations) and bool(truncations[-1]):
            return longest
    return max(longest, DEFAULT_MAX_STEPS)


@dataclass(frozen=True)
class DemonstratorSpec:
    """A scripted demonstrator described, not built: it travels to a worker and is built there the same."""

    style: str
    seed: int
    player_id: str
    skill: float = 0.7
    traits_off: tuple[str, ...] = ()

    def build(self) -> Any:
        from botsdk.arena.demonstrators import make_demonstrator

        return make_demonstrator(self.style, self.seed, skill=self.skill, player_id=self.player_id,
                                 report_probs=False, traits_off=self.traits_off)


MatchJob = tuple[int, Mapping[str, DemonstratorSpec]]   # (match seed, agent id -> who plays it)
MatchRunner = Callable[[MatchSetup, Sequence[MatchJob]], Iterable[dict[str, Any]]]


def play_job(setup: MatchSetup, job: MatchJob) -> dict[str, Any]:
    """One demonstrators' match: agent id -> Trajectory."""
    from botsdk.arena.rollout import play_match

    seed, team = job
    return play_match(setup.map_name, seed, {a: spec.build() for a, spec in team.items()}, setup.team_size,
                      setup.max_steps)


def play_here(setup: MatchSetup, jobs: Sequence[MatchJob]) -> Iterator[dict[str, Any]]:
    """The jobs in this process, each when its result is asked for."""
    return (play_job(setup, job) for job in jobs)


class Recorder:
    """Plays matches and returns every agent's episode after a round trip through a dataset on disk."""

    def __init__(self, root: Path, contract: Any, setup: MatchSetup, dataset_id: str = "botsdk/evaluation-v0",
                 play_matches: MatchRunner = play_here) -> None:
        from botsdk.dataset import Dataset, DatasetWriter

        self.root, self.setup, self.play_matches = Path(root), setup, play_matches
        self._writer = DatasetWriter(self.root, contract, dataset_id=dataset_id)
        self._dataset_cls = Dataset

    def record(self, seed: int, controllers: Mapping[str, Any], keep_observations: bool = False,
               cues: CueLayout | None = None) -> list[Episode]:
        from botsdk.arena.rollout import play_match

        trajectories = play_match(self.setup.map_name, seed, dict(controllers), self.setup.team_size,
                                  self.setup.max_steps)
        return self.commit(trajectories, keep_observations, cues)

    def record_matches(self, jobs: Sequence[MatchJob], keep_observations: bool = False,
                       cues: CueLayout | None = None) -> Iterator[list[Episode]]:
        """Hand the jobs to the match runner now (a remote one starts them all at once); each match's episodes
        are committed as the returned iterator reaches it, in job order."""
        played = iter(self.play_matches(self.setup, list(jobs)))
        return (self.commit(trajectories, keep_observations, cues) for trajectories in played)

    def commit(self, trajectories: Mapping[str, Any], keep_observations: bool = False,
               cues: CueLayout | None = None) -> list[Episode]:
        """Write a played match (agent id -> Trajectory) and read its episodes back."""
        items = [(t, dict(t.meta)) for t in trajectories.values()]
        ids = self._writer.add_episodes(items)
        dataset = self._dataset_cls.open(self.root)
        return [as_episode(dataset.episode(i), keep_observations=keep_observations, cues=cues) for i in ids]
