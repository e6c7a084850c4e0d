"""Teacher-forced: at each step after an enemy appears (the evaluation's `events.appearances`) that a recorded
person has not yet answered, how often the person answers (turns toward it by at least half its bearing) and the
probability a trained model gives to answering there, fed the person's own observations and actions.

    python docs/research/answer_hazard.py RUN_DIR DATASET [--temperature 0.9] [--episodes N]

DATASET is any recording of people, e.g. the `reference/` folder policy_onsets.py writes. A model that times its
reactions as people do gives the same hazard lag by lag; a flat one answers too early and too late."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Iterator

import numpy as np
import torch

from botsdk.arena.contract import TURN_DEGREES
from botsdk.dataset import Dataset
from botsdk.evaluation.events import MIN_BEARING_DEG, appearances
from botsdk.evaluation.features import CueLayout
from botsdk.training.checkpoint import load_run
from botsdk.training.history import recorded_history
from botsdk.training.style import label_style

LAGS = 6
TURN_HEAD = 1


def teacher_forced(run_dir: str | Path, data: str | Path, episodes: int | None = None, style: str | None = None
                   ) -> Iterator[tuple[np.ndarray, np.ndarray, list[torch.Tensor]]]:
    """Per recorded episode (of `style`, if given; the first `episodes`): its observations, the actions taken and
    the model's per-head logits at each step, fed the recording's own history (every memory the model was trained
    with: the action history, the sight clock, the answer memory)."""
    run = load_run(run_dir)
    policy, contract = run.policy, run.contract
    layout = lambda part: getattr(policy, part).layout if getattr(policy, part, None) is not None else None
    dataset = Dataset.open(data)
    chosen = [info for info in dataset.episodes if style is None or info.style == style][:episodes]
    for info in chosen:
        episode = dataset.episode(info.id)
        steps = len(episode["actions"])
        obs = np.asarray(episode["observations"][:steps], np.float32)
        actions = np.asarray(episode["actions"], np.int64)
        history = recorded_history(torch.as_tensor(actions), torch.from_numpy(obs), torch.tensor([0]),
                                   torch.tensor([steps]), layout("sight"), layout("answer"))
        with torch.no_grad():
            logits = policy.logits(torch.from_numpy(obs), label_style(contract, info.style)[None].expand(steps, -1),
                                   history)
        yield obs, actions, logits


def teacher_forced_turns(run_dir: str | Path, data: str | Path, temperature: float, episodes: int | None = None
                         ) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per recorded episode: its observation cues (`CueLayout.read`), the actions taken and the model's turn
    distribution at each step (softmax of the turn logits / temperature), fed the recording's own history."""
    contract = load_run(run_dir).contract
    cues, turn_head = CueLayout.from_contract(contract), contract.head_names.index("turn")
    for obs, actions, logits in teacher_forced(run_dir, data, episodes):
        yield cues.read(obs), actions, torch.softmax(logits[turn_head] / temperature, -1).numpy()


def hazards(run_dir: str, data: str, temperature: float, episodes: int | None) -> np.ndarray:
    """float64[LAGS, 3]: steps at risk, the people's answer rate and the model's mean answer probability."""
    turns = np.array(TURN_DEGREES)
    out = np.zeros((LAGS, 3))
    for cues, actions, p_turn in teacher_forced_turns(run_dir, data, temperature, episodes):
        steps = len(actions)
        visible, bearing = cues[:, 0] > 0.5, np.degrees(np.arctan2(cues[:, 1], cues[:, 2]))
        for t in appearances(visible, cues[:, -1] > 0.5):
            for lag in range(LAGS):
                s = t + lag
                if s >= steps or not visible[s] or abs(bearing[s]) < MIN_BEARING_DEG:
                    break
                answers = turns * np.sign(bearing[s]) >= 0.5 * abs(bearing[s])
                out[lag] += (1, answers[actions[s, TURN_HEAD]], p_turn[s][answers].sum())
                if answers[actions[s, TURN_HEAD]]:
                    break
    out[:, 1:] /= np.maximum(out[:, :1], 1)
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run")
    parser.add_argument("data")
    parser.add_argument("--temperature", type=float, default=0.9)
    parser.add_argument("--episodes", type=int, default=None)
    args = parser.parse_args()
    table = hazards(args.run, args.data, args.temperature, args.episodes)
    print("| lag | steps at risk | people answer | model P(answer) |\n|---|---|---|---|")
    for lag, (n, people, model) in enumerate(table):
        print(f"| {lag} | {int(n)} | {people:.3f} | {model:.3f} |")
