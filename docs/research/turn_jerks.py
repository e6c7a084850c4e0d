"""Where one-step turn jerks happen, and how big the turns are while an enemy is tracked, for people, other
people and a bot: the habit the evaluation flags most on the quickstart's model, split by what was in view.

    python docs/research/turn_jerks.py runs/panel-validation --model runs/quickstart/model.onnx --seed 1

A jerk is the habit's (events.py): a turn at least 20° from the step before, the step after back within 5° of it.
Each is put in one row by whether the enemy was visible, whether it appeared in the 8 steps before (an answer),
and whether the jerk went toward it; "small" jerks are 20-40°. Tracking: steps with the enemy visible for the 9
steps up to them; the histogram of the turn's size there, over all such steps and over those with the enemy
more than 20° off. Reads the groups `panel_groups.py` recorded; with `--model`, plays it on the same matches."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from flick_settling import bearings  # noqa: E402
from panel_groups import SETUP, load_groups, play_model  # noqa: E402

from botsdk.arena.contract import PERSONAS, arena_contract  # noqa: E402
from botsdk.evaluation.events import ANSWER_STEPS, EVENT_CUES, MIN_BEARING_DEG  # noqa: E402
from botsdk.evaluation.features import CueLayout, Episode, cue_features, step_turns  # noqa: E402
from botsdk.evaluation.plan import MatchPlayer  # noqa: E402
from botsdk.evaluation.reference import load_reference  # noqa: E402
from botsdk.evaluation.rollouts import Recorder  # noqa: E402

EVENTS = 10                                  # where the event cues start in cue_features' columns
TRACKED_STEPS = 9
FAR_OFF_DEG = 20.0
SIZE_EDGES = (0.0, 0.5, 3.5, 8.5, 15.5, 25.5, 45.5, np.inf)   # the turn options 0 / 1-3 / 7 / 15 / 30 / 60+


def jerk_kinds(episodes: list[Episode]) -> dict[str, float]:
    """Jerks per 100 steps by where they happened."""
    counts: dict[str, int] = {}
    steps = 0
    for e in episodes:
        turns, bearing = step_turns(e), bearings(e)
        cues = cue_features(e.cues[:-1], turns)
        visible = e.cues[:-1, 0] > 0.5
        appeared = np.flatnonzero(cues[:, EVENTS + EVENT_CUES.index("appeared")] > 0.5)
        steps += len(turns)
        for t in np.flatnonzero(cues[:, EVENTS + EVENT_CUES.index("turn_slip")] > 0.5):
            answer = any(0 <= t - a <= ANSWER_STEPS for a in appeared)
            toward = (visible[t] and abs(bearing[t]) > MIN_BEARING_DEG
                      and np.sign(turns[t] - turns[t - 1]) == np.sign(bearing[t]))
            kind = ("enemy visible" if visible[t] else "none visible") + (", answering" if answer else "") + \
                (", toward it" if toward else "") + (", 40°+" if abs(turns[t] - turns[t - 1]) >= 40 else ", 20-40°")
            counts[kind] = counts.get(kind, 0) + 1
    return {k: 100.0 * v / max(steps, 1) for k, v in sorted(counts.items())}


def tracking_sizes(episodes: list[Episode]) -> tuple[np.ndarray, np.ndarray]:
    """Shares of |turn| in SIZE_EDGES' bins while tracking: all such steps, those with the enemy far off."""
    sizes, offs = [], []
    for e in episodes:
        visible = (e.cues[:-1, 0] > 0.5).astype(int)
        tracked = np.convolve(visible, np.ones(TRACKED_STEPS, int), "full")[:len(visible)] == TRACKED_STEPS
        sizes.append(np.abs(step_turns(e)[tracked]))
        offs.append(np.abs(bearings(e)[tracked]))
    size, off = np.concatenate(sizes), np.concatenate(offs)
    share = lambda x: np.histogram(x, SIZE_EDGES)[0] / max(len(x), 1)
    return share(size), share(size[off > FAR_OFF_DEG])


def play(groups_dir: Path, model: Path, seed: int, controller: type | None = None) -> list[Episode]:
    contract = arena_contract()
    reference = load_reference(groups_dir / "reference", contract, PERSONAS, SETUP)
    with tempfile.TemporaryDirectory() as rollouts:
        player = MatchPlayer(reference, Recorder(Path(rollouts), contract, SETUP), CueLayout.from_contract(contract),
                             lambda _: None)
        return play_model(reference, player, model, seed=seed, controller=controller)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("groups", type=Path)
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--seed", type=int, default=1, help="the model's sampling seed")
    args = parser.parse_args()
    loaded = load_groups(args.groups)
    rows = {"people": loaded["people"], "other people": loaded["others"]}
    if args.model is not None:
        rows["bot"] = play(args.groups, args.model, args.seed)
    elif loaded.get("bot"):
        rows["bot"] = loaded["bot"]
    kinds = {name: jerk_kinds(episodes) for name, episodes in rows.items()}
    names = sorted({k for by in kinds.values() for k in by})
    print("| jerks per 100 steps | " + " | ".join(rows) + " |\n|---|" + "---|" * len(rows))
    for k in names:
        print(f"| {k} | " + " | ".join(f"{kinds[g].get(k, 0.0):.3f}" for g in rows) + " |")
    print("| all | " + " | ".join(f"{sum(kinds[g].values()):.3f}" for g in rows) + " |")
    print("\n| tracking: share of turns sized 0 / 1-3 / 7 / 15 / 30 / 60+ | all steps | enemy > 20° off |\n|---|---|---|")
    for name, episodes in rows.items():
        every, far = tracking_sizes(episodes)
        fmt = lambda x: " / ".join(f"{v:.3f}" for i, v in enumerate(x) if i != 4)   # no option between 16 and 25
        print(f"| {name} | {fmt(every)} | {fmt(far)} |")
