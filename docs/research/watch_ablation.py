"""What the watching judge reads a bot by: the judge trained and tested on one group of its per-step features at
a time (the rest zeroed), people against other people (the floor) and against the bot.

    python docs/research/watch_ablation.py runs/panel-validation [--discriminators 2]

Reads the groups `panel_groups.py --model ...` recorded; prints one row per feature group."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from panel_groups import load_groups  # noqa: E402

import botsdk.evaluation.turing as turing  # noqa: E402
from botsdk.arena.contract import arena_contract  # noqa: E402
from botsdk.evaluation.features import N_CUES, N_MOTION, FeatureScale, feature_width, step_features  # noqa: E402

CONTRACT = arena_contract()
CUES = N_MOTION                 # step_features: motion, then the cues, then one-hot actions per head
ACTIONS = N_MOTION + N_CUES
WIDTH = feature_width(CONTRACT.head_sizes, with_cues=True)


def action_columns(*heads: str) -> list[int]:
    """The one-hot columns of the named action heads."""
    starts = ACTIONS + np.cumsum([0, *CONTRACT.head_sizes])
    return [c for h in heads for c in range(starts[CONTRACT.head_names.index(h)],
                                            starts[CONTRACT.head_names.index(h) + 1])]


FEATURE_GROUPS = {
    "position and heading": range(0, 4), "speed and turn": range(4, 6), "all cues": range(CUES, ACTIONS),
    "enemy in view / in the rays": [CUES, CUES + 1, CUES + 2, CUES + 7], "enemy bearing": range(CUES + 3, CUES + 6),
    "answer to the enemy": [CUES + 9], "event cues: appearance, answer": range(CUES + 10, CUES + 14),
    "event cues: slips": range(CUES + 14, ACTIONS), "move key": action_columns("move"),
    "turn": action_columns("turn"), "fire and interact": action_columns("fire", "interact"),
}


def watch_auc(groups: dict, candidate: str, scale: FeatureScale, keep: np.ndarray, discriminators: int) -> float:
    """The watching judge's AUC of `candidate` against people, reading only the columns `keep` marks (turing_test
    has no column mask, so its feature function is swapped for the duration)."""
    turing.step_features = lambda *a, **k: step_features(*a, **k) * keep
    try:
        people = turing.halves(groups["people"])
        runs = [turing.turing_test(people, turing.halves(groups[candidate]), CONTRACT.head_sizes, scale, seed=k,
                                   swap=turing.judges_train_half(k)) for k in range(discriminators)]
        return turing.judge_aucs(runs)["watch"]
    finally:
        turing.step_features = step_features


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("groups", type=Path)
    parser.add_argument("--discriminators", type=int, default=2)
    args = parser.parse_args()
    groups = load_groups(args.groups)
    scale = FeatureScale.fit(groups["people"] + groups["others"] + groups["bot"])
    print("| features the judge reads | floor | bot |\n|---|---|---|")
    for name, columns in FEATURE_GROUPS.items():
        keep = np.zeros(WIDTH, np.float32)
        keep[list(columns)] = 1.0
        floor, bot = (watch_auc(groups, who, scale, keep, args.discriminators) for who in ("others", "bot"))
        print(f"| {name} | {floor:.3f} | {bot:.3f} |", flush=True)
