"""Record the reference people and the power panel of one split once, for the research scripts beside it.

    python docs/research/panel_groups.py --split validation --matches 24 --out runs/panel-validation \
        [--model runs/quickstart/model.onnx]

Writes `groups.pkl`: {"people", "others", "robotic", "panel": {name: episodes}} as evaluation `Episode`s with
their observation cues, recorded exactly as `botsdk evaluate` records them (reference.py, plan.py); with
`--model`, also "bot": the model on the same matches, each slot's persona at its evaluated temperature."""

from __future__ import annotations

import argparse
import pickle
import shutil
from pathlib import Path
from typing import Any

from botsdk.arena.contract import PERSONAS, arena_contract
from botsdk.evaluation.features import CueLayout
from botsdk.evaluation.plan import PANEL, DemonstratorSlots, MatchPlayer
from botsdk.evaluation.reference import generate_reference, load_reference
from botsdk.evaluation.rollouts import MatchSetup, Recorder

SETUP = MatchSetup("crossroads", 2, 480)


def people_and_player(split: str, matches_per_fold: int, out: Path) -> tuple[Any, MatchPlayer]:
    """The reference people of a split, recorded fresh under `out`, and a player that replays their matches."""
    contract = arena_contract()
    shutil.rmtree(out, ignore_errors=True)
    generate_reference(out / "reference", contract, SETUP, PERSONAS, split, matches_per_fold)
    reference = load_reference(out / "reference", contract, PERSONAS, SETUP)
    return reference, MatchPlayer(reference, Recorder(out / "rollouts", contract, SETUP),
                                  CueLayout.from_contract(contract), lambda _: None)


def record_groups(split: str, matches_per_fold: int, out: Path, model: Path | None = None) -> dict[str, Any]:
    reference, player = people_and_player(split, matches_per_fold, out)
    groups = {"people": reference.people, "others": reference.others,
              "robotic": player.play("robotic", reference.matches, DemonstratorSlots(robotic=True)),
              "panel": {name: player.play(name, reference.matches, player.demonstrator(traits))
                        for name, traits in PANEL.items()}}
    if model is not None:
        groups["bot"] = play_model(reference, player, model)
    (out / "groups.pkl").write_bytes(pickle.dumps(groups))
    return groups


def play_model(reference: Any, player: MatchPlayer, model: Path, seed: int = 0, temperature: float | None = None,
               controller: type | None = None) -> list:
    """The model on the reference matches, asked for each slot's persona, as `botsdk evaluate` plays it (at its own
    per-head temperatures unless `temperature` gives one for every head; `seed`: its sampling draws). `controller`:
    a PolicyController subclass to play with instead (one that logs or overrides what the model does)."""
    import numpy as np

    from botsdk.export.controller import PolicyController
    from botsdk.export.runtime import BotRuntime

    runtime = BotRuntime(model, seed=seed, temperature=temperature)
    make = controller or PolicyController
    persona = lambda m, a: np.asarray(runtime.contract.style.persona(m.slots[a].style), np.float32)
    return player.play("policy", reference.matches, lambda m, a, j: make(
        runtime, persona(m, a), f"policy-{j}", style_label=m.slots[a].style))


def load_groups(out: Path) -> dict[str, Any]:
    return pickle.loads((Path(out) / "groups.pkl").read_bytes())


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="validation")
    parser.add_argument("--matches", type=int, default=12, help="matches per fold")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--model", type=Path, default=None, help="also play this model on the same matches")
    args = parser.parse_args()
    record_groups(args.split, args.matches, args.out, args.model)
