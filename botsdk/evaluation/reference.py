"""The people a bot is compared with: recorded episodes from any source, split by player into four folds.

    people/train   what the discriminator learns "human" from
    people/test    the humans it is tested on
    others/train   a second set of people: the floor's training half, and the matches the bot and the power panel
    others/test    replay (so every candidate plays what these people played, on the same seeds and lineups)

No player appears in two folds, so a discriminator cannot win by recognising individuals, and the floor
(others against people) sits at 0.5 whatever the players are like. A dataset recorded from people (the studio,
an engine's RecordGameplay) is used as is; `generate_reference` makes one from the scripted demonstrators with
player identities (skill and jitter draws) that no training set holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from botsdk.evaluation.features import CueLayout, Episode, as_episode
from botsdk.evaluation.rollouts import DemonstratorSpec, MatchJob, MatchRunner, MatchSetup, Recorder, play_here

FOLDS = ("people/train", "people/test", "others/train", "others/test")
PEOPLE_TRAIN, PEOPLE_TEST, OTHERS_TRAIN, OTHERS_TEST = range(4)
BOT_SOURCE = "bot"
SPLITS = {"validation": 3_000_000, "final": 6_000_000}   # seed base of each split's reference matches
SKILL_RANGE = (0.4, 0.9)
ROUNDS_PER_PLAYER = 6     # at most this many matches per generated player: the Turing test judges players
PLAYERS_PER_PERSONA = 4   # at least this many players of each persona per fold, where the matches allow


@dataclass(frozen=True)
class Slot:
    """Who played one agent slot of a reference match: what a candidate group replays there."""

    style: str
    player_id: str
    skill: float


@dataclass
class ReferenceMatch:
    seed: int
    fold: int
    slots: dict[str, Slot]   # agent id -> who played it


@dataclass
class Reference:
    """Reference episodes by fold, and the others' matches that candidate groups replay."""

    root: str
    sources: list[str]
    folds: list[list[Episode]]
    matches: list[ReferenceMatch]
    setup: MatchSetup
    split_by: str                       # "player", or "episode" when a style has too few players
    notes: list[str] = field(default_factory=list)
    _opened: Any = field(default=None, repr=False, compare=False)

    def fold(self, index: int) -> list[Episode]:
        return self.folds[index]

    def observations(self, episode: Episode) -> np.ndarray:
        """float32[T+1, O]: one reference episode's observations, read again from disk (folds keep only cues)."""
        return np.asarray(self._dataset().episode(int(episode.meta["episode_id"]))["observations"], np.float32)

    def _dataset(self) -> Any:
        """The reference dataset, opened once (few-shot trials read many of its episodes)."""
        if self._opened is None:
            from botsdk.dataset import Dataset

            self._opened = Dataset.open(self.root)
        return self._opened

    @property
    def people(self) -> list[Episode]:
        return self.folds[PEOPLE_TRAIN] + self.folds[PEOPLE_TEST]

    @property
    def others(self) -> list[Episode]:
        return self.folds[OTHERS_TRAIN] + self.folds[OTHERS_TEST]


def load_reference(root: str | Path, contract: Any, personas: Sequence[str], fallback: MatchSetup,
                   source: str | None = None) -> Reference:
    """Read a dataset of people as a reference. Every episode whose source is not the robotic bot counts (or only
    `source`); players are dealt into the four folds round-robin within each style."""
    from botsdk.dataset import Dataset

    dataset = Dataset.open(root)
    infos = [e for e in dataset.episodes if (e.source == source if source else e.source != BOT_SOURCE)]
    if not infos:
        found = sorted({e.source for e in dataset.episodes})
        raise ValueError(f"reference {root}: expected episodes of people (source {source or 'not bot'}); "
                         f"found sources {found}")
    fold_of, split_by, notes = _deal_folds(infos)
    cues = CueLayout.from_contract(contract)
    folds: list[list[Episode]] = [[] for _ in FOLDS]
    for info in infos:
        episode = as_episode(dataset.episode(info.id), cues=cues)
        episode.meta.update(fold=FOLDS[fold_of[info.id]], episode_id=info.id, player=str(info.player_id))
        folds[fold_of[info.id]].append(episode)
    empty = [FOLDS[i] for i, f in enumerate(folds) if not f]
    if empty:
        raise ValueError(f"reference {root}: {len(infos)} episodes leave the folds {', '.join(empty)} empty; "
                         f"expected at least 4 episodes of people")
    setup = _setup(dataset, fallback)
    matches = _others_matches(infos, fold_of, personas, setup)
    sources = sorted({i.source for i in infos})
    return Reference(str(root), sources, folds, matches, setup, split_by, notes)


def _deal_folds(infos: Sequence[Any]) -> tuple[dict[int, int], str, list[str]]:
    """Episode id -> fold. Players of a style go round-robin into the folds (sorted, so the dealing is stable);
    a style with fewer than four players has its episodes dealt instead, and the report says so."""
    fold_of: dict[int, int] = {}
    split_by, notes = "player", []
    for style in sorted({i.style for i in infos}):
        mine = sorted((i for i in infos if i.style == style), key=lambda i: (i.player_id, i.seed, i.id))
        players = sorted({i.player_id for i in mine})
        if len(players) >= len(FOLDS):
            rank = {p: k % len(FOLDS) for k, p in enumerate(players)}
            fold_of.update({i.id: rank[i.player_id] for i in mine})
        else:
            split_by = "episode"
            notes.append(f"style {style!r} has {len(players)} player(s), fewer than {len(FOLDS)}: its episodes, not "
                         f"its players, are dealt into the folds, so the test may recognise a player it trained on")
            fold_of.update({i.id: k % len(FOLDS) for k, i in enumerate(mine)})
    return fold_of, split_by, notes


def _setup(dataset: Any, fallback: MatchSetup) -> MatchSetup:
    """The reference's own map and length; its team size where its episodes name their agent slots."""
    try:
        own = MatchSetup.from_dataset(dataset)
    except ValueError:
        return fallback
    named = any(str(e.agent_id).startswith("blue_") for e in dataset.episodes)
    return MatchSetup(own.map_name, own.team_size if named else fallback.team_size, own.max_steps)


def _others_matches(infos: Sequence[Any], fold_of: dict[int, int], personas: Sequence[str],
                    setup: MatchSetup) -> list[ReferenceMatch]:
    """The matches the others played, slot by slot; slots no reference episode covers get the persona rotation
    and a stand-in identity."""
    agents = setup.agent_ids()
    by_seed: dict[int, list[Any]] = {}
    for info in infos:
        if fold_of[info.id] in (OTHERS_TRAIN, OTHERS_TEST):
            by_seed.setdefault(int(info.seed), []).append(info)
    matches = []
    for m, seed in enumerate(sorted(by_seed)):
        played = {str(i.agent_id): i for i in by_seed[seed]}
        slots = {}
        for j, agent in enumerate(agents):
            info = played.get(agent)
            style = info.style if info is not None and info.style in personas else personas[(m + j) % len(personas)]
            slots[agent] = Slot(style, info.player_id if info is not None else f"{style}-stand-in",
                                _skill(info.skill if info is not None else None))
        matches.append(ReferenceMatch(seed, fold_of[by_seed[seed][0].id], slots))
    return matches


def _skill(value: float | None) -> float:
    if value is None or not np.isfinite(value) or not 0.0 <= value <= 1.0:
        return 0.7
    return float(value)


def reference_player(split: str, persona: str, fold: int, n: int) -> tuple[str, float]:
    """The n-th player of a persona in a fold of a split, with its own skill draw. Ids sort in dealing order
    (`load_reference` deals the k-th sorted player of a persona into fold k % 4)."""
    if split not in SPLITS:
        raise ValueError(f"split: expected one of {', '.join(SPLITS)}, got {split!r}")
    index = n * len(FOLDS) + fold
    rng = np.random.default_rng([SPLITS[split], index, sum(map(ord, persona))])
    return f"{persona}-{split}-{index:04d}", round(float(rng.uniform(*SKILL_RANGE)), 3)


def rounds_per_player(matches_per_fold: int, slots: int, personas: int) -> int:
    """How many matches each generated player plays: as many as leave PLAYERS_PER_PERSONA players of each persona
    in a fold, up to ROUNDS_PER_PLAYER. A judge watching several rounds of one player reads what one round hides
    (the aim's swing after a flick shows a few steps a round), and the people still differ as a crowd does."""
    appearances = matches_per_fold * slots // max(1, personas)
    return max(1, min(ROUNDS_PER_PLAYER, appearances // PLAYERS_PER_PERSONA))


def generate_reference(root: str | Path, contract: Any, setup: MatchSetup, personas: Sequence[str], split: str,
                       matches_per_fold: int, tick: Callable[[str], None] = lambda _: None,
                       play_matches: MatchRunner = play_here, rounds: int | None = None) -> Path:
    """Record the scripted demonstrators into a reference dataset: each fold's matches are played by that fold's
    players only, on seeds of the split's own range (validation and final never share a seed or a player).
    `play_matches` plays them (here, or on a cluster: botsdk.evaluation.distributed); they are committed in order.
    `rounds`: matches per player (default: `rounds_per_player`)."""
    if split not in SPLITS:
        raise ValueError(f"split: expected one of {', '.join(SPLITS)}, got {split!r}")
    recorder = Recorder(Path(root), contract, setup, dataset_id=f"botsdk/reference-{split}-v0",
                        play_matches=play_matches)
    for _ in recorder.record_matches(reference_jobs(setup, personas, split, matches_per_fold, rounds)):
        tick(f"reference people ({split})")
    return Path(root)


def reference_jobs(setup: MatchSetup, personas: Sequence[str], split: str, matches_per_fold: int,
                   rounds: int | None = None) -> list[MatchJob]:
    """Every reference match of a split: its seed and who plays each slot. Each player plays `rounds` matches of
    its fold in a row (never two slots of one match)."""
    agents = setup.agent_ids()
    if rounds is None:
        rounds = rounds_per_player(matches_per_fold, len(agents), len(personas))
    if rounds < 1:
        raise ValueError(f"rounds: expected >= 1 match per player, got {rounds}")
    per_match = {p: sum(1 for j in range(len(agents)) if personas[j % len(personas)] == p) for p in personas}
    jobs = []
    for fold in range(len(FOLDS)):
        for m in range(matches_per_fold):
            seed = SPLITS[split] + fold * 10_000 + m
            team, seen = {}, {}
            for j, agent in enumerate(agents):
                persona = personas[(m + j) % len(personas)]
                occurrence = seen.get(persona, 0)
                seen[persona] = occurrence + 1
                n = (m // rounds) * max(per_match.values()) + occurrence
                pid, skill = reference_player(split, persona, fold, n)
                team[agent] = DemonstratorSpec(persona, seed * 10 + j, pid, skill)
            jobs.append((seed, team))
    return jobs
