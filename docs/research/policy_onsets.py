"""How a trained model answers an appearing enemy, next to people: the onset table of panel_onsets.py and the
distribution of the answer lag, for people, other people and the model on the same matches of one split.

    python docs/research/policy_onsets.py runs/quickstart/model.onnx --split validation --out runs/onsets-validation

The model plays each slot's persona at its evaluated temperature (or `--temperature`), as `botsdk evaluate` plays
it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from panel_groups import people_and_player  # noqa: E402
from panel_onsets import EVENTS, print_table, summary  # noqa: E402

from botsdk.evaluation.events import ANSWER_STEPS  # noqa: E402
from botsdk.evaluation.features import cue_features, step_turns  # noqa: E402
from botsdk.export.controller import PolicyController  # noqa: E402
from botsdk.export.runtime import BotRuntime  # noqa: E402

LAGS = ANSWER_STEPS   # an answer comes 0 .. ANSWER_STEPS - 1 steps after the appearance, or it is not answered


def answer_lags(episodes: list) -> np.ndarray:
    """Share of enemy appearances answered after 0, 1, ... LAGS - 1 steps, and not answered (last)."""
    x = np.concatenate([cue_features(e.cues[:-1], step_turns(e))[:, EVENTS] for e in episodes])
    appeared = x[x[:, 0] == 1]
    lag = np.where(appeared[:, 1] < 1, np.rint(appeared[:, 1] * ANSWER_STEPS), LAGS).astype(int)
    return np.bincount(lag, minlength=LAGS + 1) / len(lag)


def play(model: Path, split: str, out: Path, matches: int, temperature: float | None) -> dict[str, list]:
    reference, player = people_and_player(split, matches, out)
    runtime = BotRuntime(model, temperature=temperature)
    persona = lambda m, a: np.asarray(runtime.contract.style.persona(m.slots[a].style), np.float32)
    policy = player.play("policy", reference.matches, lambda m, a, j: PolicyController(
        runtime, persona(m, a), f"policy-{j}", style_label=m.slots[a].style))
    return {"people": reference.people, "other people": reference.others, "model": policy}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", type=Path)
    parser.add_argument("--split", default="validation")
    parser.add_argument("--matches", type=int, default=12, help="matches per fold")
    parser.add_argument("--temperature", type=float, default=None)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    groups = play(args.model, args.split, args.out, args.matches, args.temperature)
    print_table({name: summary(eps) for name, eps in groups.items()})
    print("\n| group | " + " | ".join(f"lag {i}" for i in range(LAGS)) + " | not answered |")
    print("|---" * (LAGS + 2) + "|")
    for name, eps in groups.items():
        print(f"| {name} | " + " | ".join(f"{v:.2f}" for v in answer_lags(eps)) + " |")
