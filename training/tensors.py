"""Demonstrations as a few large in-memory tensors, so the training loop only gathers rows (no per-batch Python).

Loaded once from a `botsdk.dataset.Dataset` (or built from arrays): observations, actions, the style vector of each
step's episode, and the indexes the GRU windows and the style-encoder groups need.
"""

from __future__ import annotations

import hashlib
import random
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import numpy as np
import torch

from botsdk.contract import BehaviourContract
from botsdk.dataset.episode_file import chosen_steps
from botsdk.training.history import recorded_history
from botsdk.training.answer import AnswerLayout, answer_layout
from botsdk.training.sight import SightLayout, sight_layout
from botsdk.training.style import label_style


@dataclass
class DemoTensors:
    obs: torch.Tensor            # float32[N, O]
    actions: torch.Tensor        # int64[N, H]
    style: torch.Tensor          # float32[N, S]: the persona vector of the step's episode
    episode_index: torch.Tensor  # int64[N]: index into episode_ids
    episode_start: torch.Tensor  # int64[E]: first row of each episode
    episode_length: torch.Tensor  # int64[E]
    group_order: torch.Tensor    # int64[N]: rows sorted by group (player)
    group_start: torch.Tensor    # int64[G]
    group_length: torch.Tensor   # int64[G]
    group_style: torch.Tensor    # float32[G, S]
    episode_ids: list[Any]
    history: torch.Tensor | None = None  # int64[N, 3H (+1)]: each step's action history (botsdk.training.history)
    sight: SightLayout | None = None  # where the sight cues are, if the contract has them (training.sight)
    answer: AnswerLayout | None = None  # the answer memory's cues, with the sight clock (training.answer)
    learn: torch.Tensor | None = None  # bool[N]: rows whose action the player chose (None: all); a disturbed row
                                       # (botsdk.arena.disturbance) is history for the rows after it, not a label

    def __post_init__(self) -> None:
        if self.history is None:
            self.history = recorded_history(self.actions, self.obs, self.episode_start, self.episode_length,
                                            self.sight, self.answer)

    @property
    def size(self) -> int:
        return int(self.obs.shape[0])

    def statistics_rows(self) -> torch.Tensor:
        """The observations the input statistics are fitted on: all of them."""
        return self.obs

    def window_starts(self, window: int) -> torch.Tensor:
        """Rows where a window of `window` steps stays inside one episode (GRU training)."""
        starts = [torch.arange(s, s + n - window + 1) for s, n in
                  zip(self.episode_start.tolist(), self.episode_length.tolist()) if n >= window]
        if not starts:
            raise ValueError(f"GRU window of {window} steps: expected an episode at least that long, "
                             f"got longest {int(self.episode_length.max())} steps; lower `window`")
        return torch.cat(starts)

    def to(self, device: str | torch.device) -> "DemoTensors":
        """Move the row data; index bookkeeping stays on the CPU, where batches are assembled."""
        moved = {k: (v.to(device) if k in ("obs", "actions", "style", "group_style", "history") else v)
                 for k, v in self.__dict__.items()}
        return DemoTensors(**moved)


def padded_episode_rows(episode_start: torch.Tensor, episode_length: torch.Tensor
                        ) -> tuple[torch.Tensor, torch.Tensor]:
    """Rows int64[E, T] of whole episodes from their first step, T the longest, padded by repeating each episode's
    last row, and valid bool[E, T] (False on the padding)."""
    offsets = torch.arange(int(episode_length.max()), device=episode_start.device)[None]
    rows = episode_start[:, None] + torch.minimum(offsets, episode_length[:, None] - 1)
    return rows, offsets < episode_length[:, None]


def build_tensors(contract: BehaviourContract, episodes: Iterable[dict[str, Any]], styles: Sequence[str],
                  groups: Sequence[str], episode_ids: Sequence[Any] | None = None,
                  lengths: Sequence[int] | None = None, sight: bool = False,
                  answer: bool = False) -> DemoTensors:
    """From per-episode dicts with 'observations' [T+1 or T, O] and 'actions' [T, H], their style labels and groups.

    With `lengths` (each episode's T, known from a dataset's index) the episodes may be a lazy iterable: they are
    copied one at a time into preallocated tensors, so loading holds one copy of the data, not two. `sight`: the
    history gains the sight clock's column (a policy trained with `sight_timer`); `answer`: and the answer memory's
    two (`answer_memory`)."""
    if lengths is None:
        episodes = list(episodes)
        lengths = [int(np.shape(e["actions"])[0]) for e in episodes]
    if not lengths:
        raise ValueError("expected at least one episode to train on, got none")
    obs, actions, learn = _fill_rows(contract, episodes, lengths)
    _check_action_ranges(contract, actions)
    length = torch.tensor(lengths, dtype=torch.int64)
    episode_index = torch.repeat_interleave(torch.arange(len(lengths)), length)
    episode_style = torch.stack([label_style(contract, s) for s in styles])
    group_names = sorted(set(groups))
    episode_group = torch.tensor([group_names.index(g) for g in groups], dtype=torch.int64)
    row_group = episode_group[episode_index]
    group_order = torch.argsort(row_group, stable=True)
    if learn is not None:  # the encoder reads and predicts a player's own choices only
        group_order = group_order[learn[group_order]]
    group_length = torch.bincount(row_group[group_order], minlength=len(group_names))
    group_style = torch.zeros(len(group_names), contract.style.size)
    group_style[episode_group] = episode_style
    return DemoTensors(
        obs=obs, actions=actions, style=episode_style[episode_index], episode_index=episode_index,
        episode_start=torch.cumsum(length, 0) - length, episode_length=length, group_order=group_order,
        group_start=torch.cumsum(group_length, 0) - group_length, group_length=group_length,
        group_style=group_style, episode_ids=list(episode_ids if episode_ids is not None else range(len(lengths))),
        sight=sight_layout(contract) if sight else None,
        answer=answer_layout(contract) if sight and answer else None, learn=learn)


def _fill_rows(contract: BehaviourContract, episodes: Iterable[dict[str, Any]], lengths: Sequence[int]
               ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
    """(observations, actions, learn): `learn` is None unless some episode marks disturbed steps."""
    total = int(sum(lengths))
    obs = torch.empty(total, contract.observation_size, dtype=torch.float32)
    actions = torch.empty(total, len(contract.head_sizes), dtype=torch.int64)
    learn = torch.ones(total, dtype=torch.bool)
    marked = False
    row = 0
    for i, (episode, steps) in enumerate(zip(episodes, lengths, strict=True)):
        taken = np.asarray(episode["actions"], dtype=np.int64)
        seen = np.asarray(episode["observations"], dtype=np.float32)
        if seen.ndim != 2 or seen.shape[1] != contract.observation_size:
            raise ValueError(f"episode {i} observations: expected [steps, {contract.observation_size}] (contract), "
                             f"got shape {list(seen.shape)}")
        if taken.ndim != 2 or taken.shape[1] != len(contract.head_sizes):
            raise ValueError(f"episode {i} actions: expected [steps, {len(contract.head_sizes)}] (one per head), "
                             f"got shape {list(taken.shape)}")
        if taken.shape[0] != steps or seen.shape[0] < steps:
            raise ValueError(f"episode {i}: expected {steps} actions and at least as many observations (index), "
                             f"got {taken.shape[0]} actions and {seen.shape[0]} observations")
        obs[row:row + steps] = torch.from_numpy(seen[:steps])
        actions[row:row + steps] = torch.from_numpy(taken)
        chosen = chosen_steps(episode, steps)
        if chosen is not None:
            learn[row:row + steps] = torch.from_numpy(chosen)
            marked = True
        row += steps
    return obs, actions, (learn if marked else None)


def _check_action_ranges(contract: BehaviourContract, actions: torch.Tensor) -> None:
    for i, (name, size) in enumerate(zip(contract.head_names, contract.head_sizes)):
        bad = (actions[:, i] < 0) | (actions[:, i] >= size)
        if bool(bad.any()):
            raise ValueError(f"action head {name!r}: expected indices in [0, {size}), got {int(actions[bad][0, i])}")


def load_dataset_tensors(dataset: Any, episode_ids: Iterable[Any], sight: bool = False,
                         answer: bool = False) -> DemoTensors:
    """Read the given episodes of a `botsdk.dataset.Dataset` into tensors (grouped by player for the encoder);
    `sight` and `answer` as in `build_tensors`."""
    infos = {info.id: info for info in dataset.episodes}
    ids = list(episode_ids)
    episodes = (dataset.episode(i) for i in ids)  # read one at a time: the tensors are the only full copy
    styles = [str(infos[i].style) for i in ids]
    groups = [str(infos[i].player_id or f"episode-{i}") for i in ids]
    lengths = [int(infos[i].steps) for i in ids]
    return build_tensors(dataset.contract, episodes, styles, groups, ids, lengths, sight, answer)


def recording_key(e: Any) -> tuple:
    """Orders episodes by what was recorded, not by when each was committed: parallel recorders finish in any order,
    and the same recording must train the same model."""
    return (str(e.map), int(e.seed), str(e.team), str(e.agent_id), str(e.player_id), str(e.style), int(e.steps))


def split_episodes(episodes: Sequence[Any], how: str, fraction: float, seed: int) -> tuple[list[Any], list[Any]]:
    """Episode ids (train, validation), each in recording order. Held out by whole players (per style, so every
    style keeps training players), by whole match seeds, or by episode. A deterministic function of the seed and of
    the recorded content (not of the commit order)."""
    episodes = sorted(episodes, key=recording_key)
    if fraction <= 0:
        return [e.id for e in episodes], []
    position = {e.id: i for i, e in enumerate(episodes)}
    key = {"player": lambda e: (str(e.style), str(e.player_id)), "seed": lambda e: ("", str(e.seed)),
           "episode": lambda e: ("", f"{position[e.id]:09d}")}[how]
    by_stratum: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for e in episodes:
        by_stratum[key(e)[0]].add(key(e))
    rng = random.Random(seed)
    held: set[tuple[str, str]] = set()
    for stratum in sorted(by_stratum):
        members = sorted(by_stratum[stratum])
        if len(members) < 2:
            continue
        count = min(len(members) - 1, max(1, round(fraction * len(members))))
        held.update(rng.sample(members, count))
    train = [e.id for e in episodes if key(e) not in held]
    val = [e.id for e in episodes if key(e) in held]
    return train, val


def tensors_hash(tensors: DemoTensors) -> str:
    """A content hash of in-memory demonstrations (used when no dataset hash exists)."""
    digest = hashlib.sha256()
    digest.update(tensors.obs.numpy().tobytes())
    digest.update(tensors.actions.numpy().tobytes())
    return "sha256:" + digest.hexdigest()
