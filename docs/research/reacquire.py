"""How often an enemy long in sight and far off the aim is turned onto, by how long ago it was last in the aim:
people, other people and a bot in play, and the model fed people's own play (teacher-forced).

    python docs/research/reacquire.py runs/panel-validation --model runs/quickstart/model.onnx \
        --run runs/quickstart/run --seed 1

Context: the enemy has been visible for 9 steps or more and is more than 20° off; rows by the steps since it was
last within 6° of the aim in this stretch of sight ("never", 1-3, 4-15, 16+). A re-acquisition is a turn toward it
covering at least half its bearing (the evaluation's answer rule). In play, also the share of those steps whose
turn before was already toward it (3° or more). Teacher-forced (`--run`, the model's training run): the model's
probability of such a turn at the turn temperature (0.9) on the reference people's recorded steps, against what
they did there. Reads the groups `panel_groups.py` recorded."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from answer_hazard import teacher_forced_turns  # noqa: E402
from flick_settling import bearings  # noqa: E402
from panel_groups import SETUP, load_groups, play_model  # noqa: E402

from botsdk.arena.contract import PERSONAS, TURN_DEGREES, arena_contract  # noqa: E402
from botsdk.evaluation.features import CueLayout, step_turns  # noqa: E402
from botsdk.evaluation.plan import MatchPlayer  # noqa: E402
from botsdk.evaluation.reference import load_reference  # noqa: E402
from botsdk.evaluation.rollouts import Recorder  # noqa: E402

SIGHTED_STEPS = 9
FAR_OFF_DEG = 20.0
ON_AIM_DEG = 6.0
ROWS = ("never", "1-3", "4-15", "16+")


def contexts(visible: np.ndarray, bearing: np.ndarray) -> list[tuple[int, str]]:
    """(step, row) for every step in the context, the row by the steps since the enemy was last in the aim."""
    out, run, last = [], 0, None
    for t in range(len(visible)):
        if not visible[t]:
            run, last = 0, None
            continue
        run += 1
        if abs(bearing[t]) < ON_AIM_DEG:
            last = t
        if run >= SIGHTED_STEPS and abs(bearing[t]) > FAR_OFF_DEG:
            since = None if last is None else t - last
            out.append((t, "never" if since is None else "1-3" if since <= 3 else "4-15" if since <= 15 else "16+"))
    return out


def reacquires(turn: np.ndarray | float, bearing: float) -> np.ndarray | bool:
    return np.sign(bearing) * np.asarray(turn) >= 0.5 * abs(bearing)


def in_play(episodes: list) -> dict[str, tuple[int, float, float]]:
    """row -> (steps, re-acquisitions per 100 steps, share whose turn before already went toward it)."""
    tally = {row: [0, 0, 0] for row in ROWS}
    for e in episodes:
        turns, bearing = step_turns(e), bearings(e)
        for t, row in contexts(e.cues[:-1, 0] > 0.5, bearing):
            tally[row][0] += 1
            tally[row][1] += int(reacquires(turns[t], bearing[t]))
            tally[row][2] += int(t > 0 and np.sign(bearing[t]) * turns[t - 1] >= 3.0)
    return {row: (n, 100.0 * r / max(n, 1), p / max(n, 1)) for row, (n, r, p) in tally.items()}


def teacher_forced(run_dir: Path, data: Path, temperature: float = 0.9) -> dict[str, tuple[int, float, float]]:
    """row -> (steps, people's re-acquisitions per 100 steps, the model's expected ones) on a recording."""
    degrees, turn_head = np.array(TURN_DEGREES), arena_contract().head_names.index("turn")
    tally = {row: [0, 0.0, 0.0] for row in ROWS}
    for cues, actions, p_turn in teacher_forced_turns(run_dir, data, temperature):
        bearing = np.degrees(np.arctan2(cues[:, 1], cues[:, 2]))
        for t, row in contexts(cues[:, 0] > 0.5, bearing):
            toward = reacquires(degrees, bearing[t])
            tally[row][0] += 1
            tally[row][1] += float(toward[actions[t, turn_head]])
            tally[row][2] += float(p_turn[t][toward].sum())
    return {row: (n, 100.0 * a / max(n, 1), 100.0 * m / max(n, 1)) for row, (n, a, m) in tally.items()}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("groups", type=Path)
    parser.add_argument("--model", type=Path, default=None, help="play this model on the groups' matches")
    parser.add_argument("--run", type=Path, default=None, help="its training run, for the teacher-forced rates")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    groups = load_groups(args.groups)
    played = {"people": groups["people"], "other people": groups["others"]}
    if args.model is not None:
        contract = arena_contract()
        reference = load_reference(args.groups / "reference", contract, PERSONAS, SETUP)
        with tempfile.TemporaryDirectory() as rollouts:
            player = MatchPlayer(reference, Recorder(Path(rollouts), contract, SETUP),
                                 CueLayout.from_contract(contract), lambda _: None)
            played["bot"] = play_model(reference, player, args.model, seed=args.seed)
    rates = {name: in_play(episodes) for name, episodes in played.items()}
    forced = teacher_forced(args.run, args.groups / "reference" / "data") if args.run is not None else None
    names = list(rates)
    print("| since in the aim | " + " | ".join(f"{n}: re-acquired /100 (steps)" for n in names)
          + " | turn before toward it: " + " / ".join(names)
          + (" | teacher-forced on people: people / model /100 (steps)" if forced else "") + " |")
    print("|---" * (len(names) + 2 + bool(forced)) + "|")
    for row in ROWS:
        cells = [f"{rates[n][row][1]:.1f} ({rates[n][row][0]})" for n in names]
        cells.append(" / ".join(f"{rates[n][row][2]:.2f}" for n in names))
        if forced:
            n, people, model = forced[row]
            cells.append(f"{people:.1f} / {model:.1f} ({n})")
        print(f"| {row} | " + " | ".join(cells) + " |")
