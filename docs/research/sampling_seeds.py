"""A model's AUC against people over several of its own sampling seeds: one reading moves by about ±0.04 with the
bot's draws alone, so recipes and temperatures are compared on the mean of several (human_likeness.md, "A shaped
turn head").

    python docs/research/sampling_seeds.py runs/panel-validation --model runs/quickstart/model.onnx --seeds 1 2 3
    python docs/research/sampling_seeds.py runs/panel-validation --model ... --temperature 0.9   # every head at 0.9

Replays the matches of the groups `panel_groups.py` recorded (people and other people); each seed's rollouts are
judged as `botsdk evaluate` judges them (both judges, discriminators taking turns, the sharper judge's mean AUC)."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from panel_groups import SETUP, load_groups, play_model  # noqa: E402

from botsdk.arena.contract import PERSONAS, arena_contract  # noqa: E402
from botsdk.evaluation.features import CueLayout, FeatureScale  # noqa: E402
from botsdk.evaluation.plan import MatchPlayer  # noqa: E402
from botsdk.evaluation.reference import load_reference  # noqa: E402
from botsdk.evaluation.rollouts import Recorder  # noqa: E402
from botsdk.evaluation.turing import halves, judge_aucs, judges_train_half, mean_auc, turing_test  # noqa: E402


def seed_auc(groups_dir: Path, groups: dict, model: Path, seed: int, temperature: float | None,
             discriminators: int) -> tuple[float, dict]:
    contract = arena_contract()
    reference = load_reference(groups_dir / "reference", contract, PERSONAS, SETUP)
    with tempfile.TemporaryDirectory() as rollouts:
        player = MatchPlayer(reference, Recorder(Path(rollouts), contract, SETUP), CueLayout.from_contract(contract),
                             lambda _: None)
        bot = play_model(reference, player, model, seed=seed, temperature=temperature)
    return judge(groups, bot, discriminators)


def judge(groups: dict, bot: list, discriminators: int = 3) -> tuple[float, dict]:
    """(AUC, each judge's AUC) of a bot's rollouts against the groups' people, as `botsdk evaluate` judges them."""
    scale = FeatureScale.fit(groups["people"] + groups["others"] + bot)
    people = halves(groups["people"])
    runs = [turing_test(people, halves(bot), arena_contract().head_sizes, scale, seed=k, swap=judges_train_half(k))
            for k in range(discriminators)]
    return mean_auc(runs, seed=0)[0], judge_aucs(runs)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("groups", type=Path)
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--temperature", type=float, default=None, help="one for every head (default: the model's)")
    parser.add_argument("--discriminators", type=int, default=3)
    args = parser.parse_args()
    groups = load_groups(args.groups)
    aucs = []
    for seed in args.seeds:
        value, judges = seed_auc(args.groups, groups, args.model, seed, args.temperature, args.discriminators)
        aucs.append(value)
        print(f"seed {seed}: AUC {value:.3f} judges {judges}", flush=True)
    print(f"mean over {len(aucs)} seeds: {np.mean(aucs):.3f}")
