"""The power panel without a model: people against other people, each panel member and the robotic bot (and a
model's rollouts where the groups hold them, `bot`), through `turing_test` exactly as `botsdk evaluate` runs it
(one FeatureScale over every group, halves by fold, discriminators taking turns, the sharper judge's mean AUC).

    python docs/research/panel_table.py runs/panel-validation --discriminators 3

Reads the groups `panel_groups.py` recorded; prints one row per group: its AUC, interval and each judge's."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from panel_groups import load_groups  # noqa: E402

from botsdk.arena.contract import arena_contract  # noqa: E402
from botsdk.evaluation.classifier import SequenceConfig  # noqa: E402
from botsdk.evaluation.features import FeatureScale  # noqa: E402
from botsdk.evaluation.turing import halves, judge_aucs, judges_train_half, mean_auc, turing_test  # noqa: E402


def panel_aucs(groups: dict, seeds: int, config: SequenceConfig = SequenceConfig()) -> dict[str, dict[str, Any]]:
    heads = arena_contract().head_sizes
    candidates = {"floor": groups["others"], **groups["panel"], "robotic": groups["robotic"]}
    if groups.get("bot"):
        candidates["bot"] = groups["bot"]
    scale = FeatureScale.fit(groups["people"] + [e for eps in candidates.values() for e in eps])
    people = halves(groups["people"])
    out = {}
    for name, eps in candidates.items():
        runs = [turing_test(people, halves(eps), heads, scale, seed=k, config=config, swap=judges_train_half(k))
                for k in range(seeds)]
        auc, interval = mean_auc(runs, seed=0)
        out[name] = {"auc": auc, "interval": interval, "judges": judge_aucs(runs), "players": runs[0].test_players}
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("groups", type=Path)
    parser.add_argument("--discriminators", type=int, default=3)
    args = parser.parse_args()
    print("| group | AUC (95% interval) | watch | habits |")
    print("|---|---|---|---|")
    for name, row in panel_aucs(load_groups(args.groups), args.discriminators).items():
        lo, hi = row["interval"]
        print(f"| {name} | {row['auc']:.3f} ({lo:.2f}-{hi:.2f}) | {row['judges']['watch']:.3f} | "
              f"{row['judges'].get('habits', float('nan')):.3f} |")
