"""Is it the bot's flicks or its settling? The swing a scripted person would show in each player's own states.

At every answer in a group's rounds (the evaluation's rule) the demonstrators' motor model (botsdk.arena.motor)
is put where that player stood: the overshoot a person would have drawn for that bearing (the five gain slices,
the recorded players' skills 0.4 / 0.65 / 0.9, equally likely) decays as it does for people, and its turn
distribution on the next two steps gives the swing past the enemy a person would show there (clipped at 3
degrees, as the habit is). On people's own rounds it must read what they played; on a bot's rounds it says what a
person would have done after the bot's own flicks, so a gap there is the bot's settling, not its flicks.

    python docs/research/settling_in_play.py runs/panel-validation

Reads the groups `panel_groups.py` recorded (with `--model`, the groups hold the model's rollouts as "bot")."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from flick_settling import answers, bearings  # noqa: E402
from panel_groups import load_groups  # noqa: E402

from botsdk.arena.motor import GAIN_SLICES_Z, TURN_BINS, Motor, MotorParams, skilled  # noqa: E402
from botsdk.evaluation.features import Episode, step_turns  # noqa: E402
from botsdk.evaluation.habits import SWING_CLIP_DEG, SWING_STEPS  # noqa: E402

SKILLS = (0.4, 0.65, 0.9)   # the recorded players' skills spread over [0.4, 0.9] (botsdk.arena.recording)


def person_swing(motors: list[Motor], first_bearing: float, bearing: float, side: float, steps_after: int) -> float:
    """The swing a person expects `steps_after` steps after answering an enemy at `first_bearing`, now at
    `bearing`: the mean over skills and gain slices of the clipped turn past the enemy."""
    total, count = 0.0, 0
    for motor in motors:
        p = motor.p
        for z in GAIN_SLICES_Z:
            offset = first_bearing * (p.overshoot + p.overshoot_sd * z - 1.0) * p.correction ** steps_after
            probs = motor.turn_probs(bearing + offset)
            total += float(probs @ np.clip((TURN_BINS - bearing) * side, -SWING_CLIP_DEG, SWING_CLIP_DEG))
            count += 1
    return total / count


def in_play(episodes: list[Episode]) -> dict[int, tuple[int, float, float]]:
    """Per step after the answer: (steps, swing played, swing a person would show in the same states)."""
    motors = [Motor(skilled(MotorParams(), s), np.random.default_rng(0)) for s in SKILLS]
    played: dict[int, list[float]] = {k: [] for k in range(1, SWING_STEPS + 1)}
    person: dict[int, list[float]] = {k: [] for k in played}
    for e in episodes:
        turns, bearing, visible = step_turns(e), bearings(e), e.cues[:-1, 0] > 0.5
        for step, side in answers(e):
            for k in played:
                t = step + k
                if t < len(turns) and visible[t]:
                    played[k].append(float(np.clip((turns[t] - bearing[t]) * side, -SWING_CLIP_DEG, SWING_CLIP_DEG)))
                    person[k].append(person_swing(motors, bearing[step], bearing[t], side, k))
    return {k: (len(played[k]), float(np.mean(played[k])), float(np.mean(person[k]))) for k in played}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("groups", type=Path)
    args = parser.parse_args()
    groups = load_groups(args.groups)
    rows = {"people": groups["people"], "other people": groups["others"],
            **({"bot": groups["bot"]} if groups.get("bot") else {})}
    print("| group | step after the answer | steps | swing played | a person in the same states |")
    print("|---|---|---|---|---|")
    for name, episodes in rows.items():
        for k, (n, played, person) in in_play(episodes).items():
            print(f"| {name} | {k} | {n} | {played:+.2f}° | {person:+.2f}° |")
