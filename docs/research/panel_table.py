"""The power panel without a model: people against other people, each panel member and the robotic bot, through
`turing_test` exactly as `botsdk evaluate` runs it (one FeatureScale over every group, halves by fold).

    python docs/research/panel_table.py runs/panel-validation --discriminators 3

Reads the groups `panel_groups.py` recorded; prints one markdown row of mean AUCs and each group's seeds."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from panel_groups import load_groups  # noqa: E402

from botsdk.arena.contract import arena_contract  # noqa: E402
from botsdk.evaluation.classifier import SequenceConfig  # noqa: E402
from botsdk.evaluation.features import FeatureScale  # noqa: E402
from botsdk.evaluation.turing import halves, judges_train_half, turing_test  # noqa: E402


def panel_aucs(groups: dict, seeds: int, config: SequenceConfig = SequenceConfig()) -> dict[str, list[float]]:
    heads = arena_contract().head_sizes
    candidates = {"floor": groups["others"], **groups["panel"], "robotic": groups["robotic"]}
    scale = FeatureScale.fit(groups["people"] + [e for eps in candidates.values() for e in eps])
    people = halves(groups["people"])
    return {name: [turing_test(people, halves(eps), heads, scale, seed=k, config=config, resamples=20,
                               swap=judges_train_half(k)).auc
                   for k in range(seeds)] for name, eps in candidates.items()}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("groups", type=Path)
    parser.add_argument("--discriminators", type=int, default=3)
    args = parser.parse_args()
    aucs = panel_aucs(load_groups(args.groups), args.discriminators)
    print("| " + " | ".join(aucs) + " |")
    print("| " + " | ".join(f"{np.mean(v):.3f}" for v in aucs.values()) + " |")
    for name, values in aucs.items():
        print(f"{name}: {np.mean(values):.3f} ({', '.join(f'{v:.3f}' for v in values)})")
