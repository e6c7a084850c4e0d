"""Disturbed demonstrations on the quickstart's recordings: record, train and evaluate as the quickstart does, at any
disturbance chance, so that chances can be compared on the validation split before one is chosen.

    python docs/research/noisy_demos.py record --out runs/disturbed --seed 0 --disturbance 0.05
    python docs/research/noisy_demos.py train --out runs/disturbed --seed 0
    python docs/research/sampling_seeds.py runs/panel-validation --model runs/disturbed/model.onnx --seeds 1 2 3
    python docs/research/noisy_demos.py evaluate --out runs/disturbed --seed 0      # the final split

`record` is the quickstart's record stage (its matches, seeds and players) with `--disturbance` as the chance per
step (botsdk.arena.disturbance; 0: the plain recording); `train` its train and export stages (disturbed steps stay
history and out of the loss, as in any training); `evaluate` its evaluate stage. Results: human_likeness.md,
"Disturbed demonstrations"."""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from pathlib import Path

from botsdk.quickstart.pipeline import (QuickstartPlan, StageProgress, evaluate_stage, export_stage, record_stage,
                                        train_stage)


def plan_of(args: argparse.Namespace) -> QuickstartPlan:
    plan = QuickstartPlan(out=args.out, seed=args.seed, disturbance=args.disturbance)
    if args.episodes:
        plan = replace(plan, record_episodes=args.episodes)
    return replace(plan, train_steps=args.steps) if args.steps else plan


def record(plan: QuickstartPlan) -> None:
    result = record_stage(plan, StageProgress())
    print(result.summary["episodes"], "episodes,", result.summary["steps"], "steps")


def train(plan: QuickstartPlan) -> None:
    result = train_stage(plan, StageProgress())
    export_stage(plan, StageProgress())
    print(result.summary)


def evaluate(plan: QuickstartPlan) -> None:
    summary = evaluate_stage(plan, StageProgress()).summary
    print(f"AUC {summary['turing_auc']:.4f} (floor {summary['turing_auc_floor']:.3f}), style "
          f"{summary['style_accuracy']:.3f}, few-shot {summary['fewshot_style_accuracy']:.3f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["record", "train", "evaluate"])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0, help="the quickstart's seed (recording, training, evaluation)")
    parser.add_argument("--disturbance", type=float, default=QuickstartPlan.disturbance,
                        help="chance a disturbance starts on a step (record)")
    parser.add_argument("--episodes", type=int, default=None, help="agent-episodes (the quickstart's by default)")
    parser.add_argument("--steps", type=int, default=None, help="training steps (the quickstart's by default)")
    args = parser.parse_args()
    started = time.time()
    {"record": record, "train": train, "evaluate": evaluate}[args.command](plan_of(args))
    print(f"{time.time() - started:.0f} s")
