"""The policy's own recent actions as an input: the action it took last step, the one before, and how many steps the
last one has been held.

A person's hands carry on: a held key stays held for a while, a turn follows a turn. The observation shows the
results of past actions only blurred through physics (velocity, the frame stack); the actions themselves are
sharper cues, and the hold length is what a key's release depends on. At run time the caller (the runtime, or an
engine driving the ONNX file) feeds `previous_action`, the indices it applied last step (-1 at an episode's first
decision); the policy keeps the rest in its recurrent state (`memory`: the action before, as index + 1, and the hold
count), so the exported step is one pure function of its inputs.

Everything is expressed per row as `history` int64[..., 3H] = (previous, before, held), computed here from recorded
episodes for training and by `ActionHistory.step` from (previous_action, memory) when playing: both give the same.
"""

from __future__ import annotations

from typing import Sequence

import torch
from torch import nn

from botsdk.training.answer import AnswerLayout, answer_rows
from botsdk.training.sight import SightLayout, sight_rows

NO_ACTION = -1       # `previous_action` at an episode's first decision (nothing applied yet)
HELD_HALF = 8.0      # the hold feature is held / (held + HELD_HALF): 0 for none, 0.5 at 8 steps (half a second)


def recorded_history(actions: torch.Tensor, obs: torch.Tensor, episode_start: torch.Tensor,
                     episode_length: torch.Tensor, sight: SightLayout | None,
                     answer: AnswerLayout | None = None) -> torch.Tensor:
    """int64[N, 3H (+1 (+2))]: `history_rows`, then the sight clock (botsdk.training.sight) when the contract has
    sight cues (`sight`, training.sight.sight_layout), then the answer memory's two columns (`answer`,
    training.answer.answer_layout; only beside the clock). A policy reads the columns it was built for."""
    rows = history_rows(actions, episode_start, episode_length)
    if sight is None:
        return rows
    clock = sight_rows(*sight.read(obs), episode_start, episode_length)
    parts = [rows, clock[:, None].to(rows.device)]
    if answer is not None:
        parts.append(answer_rows(answer, obs, actions, clock, episode_start, episode_length).to(rows.device))
    return torch.cat(parts, dim=1)


def history_rows(actions: torch.Tensor, episode_start: torch.Tensor, episode_length: torch.Tensor) -> torch.Tensor:
    """int64[N, 3H] for rows laid out episode after episode: (previous, before, held) of each step."""
    rows, heads = actions.shape
    first = torch.zeros(rows, dtype=torch.bool)
    first[episode_start[episode_length > 0]] = True
    previous = _shift(actions, first)
    before = _shift(previous, first)
    held = _held(previous, before)
    return torch.cat([previous, before, held], dim=1)


def _shift(values: torch.Tensor, first: torch.Tensor) -> torch.Tensor:
    """Each row's predecessor within its episode; NO_ACTION on an episode's first row."""
    out = torch.roll(values, 1, dims=0)
    out[first] = NO_ACTION
    return out


def _held(previous: torch.Tensor, before: torch.Tensor) -> torch.Tensor:
    """Steps the previous action has been applied in a row (0 when there is none): a run length that restarts at 1
    wherever `previous` differs from `before`."""
    rows = previous.shape[0]
    index = torch.arange(rows)[:, None].expand_as(previous)
    restarts = (previous != before) | (previous == NO_ACTION)
    last_restart = torch.where(restarts, index, torch.zeros_like(index)).cummax(dim=0).values
    held = index - last_restart + 1
    return torch.where(previous == NO_ACTION, torch.zeros_like(held), held)


class ActionHistory(nn.Module):
    """Features of the history (one-hot previous and before per head, log-scaled hold counts), and the one-step
    update the exported model runs. No weights: only the head sizes."""

    def __init__(self, head_sizes: Sequence[int]):
        super().__init__()
        self.head_sizes = [int(n) for n in head_sizes]
        self.heads = len(self.head_sizes)
        self.memory_size = 2 * self.heads
        self.out_features = 2 * sum(self.head_sizes) + self.heads
        self.register_buffer("choices", torch.cat([torch.arange(n) for n in self.head_sizes]).to(torch.float32),
                             persistent=False)
        self.register_buffer("head_of", torch.cat([torch.full((n,), h) for h, n in enumerate(self.head_sizes)]),
                             persistent=False)

    def features(self, history: torch.Tensor) -> torch.Tensor:
        """history[..., 3H] (int64 from a recording, float32 from `step`) -> float32[..., 2 * sum(head sizes) + H].
        Small integers are exact in float32, so both give the same features."""
        previous, before, held = history.to(torch.float32).split(self.heads, dim=-1)
        return torch.cat([self._onehot(previous), self._onehot(before), held / (held + HELD_HALF)], dim=-1)

    def _onehot(self, indices: torch.Tensor) -> torch.Tensor:
        """One-hot per head, concatenated; NO_ACTION (or any index outside a head) gives that head all zeros.
        Written with a gather and a compare, operators every ONNX runtime an engine uses has."""
        return (indices.index_select(-1, self.head_of) == self.choices).to(torch.float32)

    def step(self, previous_action: torch.Tensor, memory: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """One decision: previous_action int64[B, H], memory float32[B, 2H] (zeros at an episode start) ->
        (history float32[B, 3H], new memory float32[B, 2H]). Float arithmetic only, no rounding."""
        previous = previous_action.to(torch.float32)
        before, held_before = memory[:, :self.heads] - 1.0, memory[:, self.heads:]
        held = torch.where(previous == before, held_before + 1.0, torch.ones_like(held_before))
        held = torch.where(previous == float(NO_ACTION), torch.zeros_like(held), held)
        return torch.cat([previous, before, held], dim=-1), torch.cat([previous + 1.0, held], dim=-1)
