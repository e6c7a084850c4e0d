"""How well can any judge of one round tell people from people without the overshoot? An ideal observer that knows
the scripted players' motor model (motor.py) scores each answered enemy appearance by the log-likelihood ratio
of the turns that follow, and a round by the sum over its answers; no training, nothing to overfit. Its AUC is
a ceiling for a learned judge that watches the same round.

    python docs/research/overshoot_ceiling.py runs/panel-validation

Reads the groups `panel_groups.py` recorded. Also prints the AUC of a verdict that averages K rounds (drawn from
the group), the way a judge watching one player for several rounds would read it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from panel_groups import load_groups  # noqa: E402

from botsdk.arena.motor import MotorParams  # noqa: E402
from botsdk.evaluation.events import ANSWER_STEPS, MIN_BEARING_DEG, appearances  # noqa: E402
from botsdk.evaluation.features import Episode, step_turns  # noqa: E402
from botsdk.evaluation.stats import auc  # noqa: E402

WATCHED_STEPS = 4   # the answering turn and the three after it: the overshoot has decayed to 0.45**3 by then
Z_CLIP = 3.0        # a turn this many spreads off is a slip or a miss, not the habit


def answered_turns(episode: Episode) -> list[np.ndarray]:
    """Per answered appearance: rows (steps after the answer, |bearing at the answer|, turn past the enemy toward
    the side it showed on, |bearing then|), for the answering turn and the steps after it while it stays visible."""
    cues, turns = episode.cues[:-1], step_turns(episode)
    visible, in_rays = cues[:, 0] > 0.5, cues[:, 6] > 0.5
    bearing = np.degrees(np.arctan2(cues[:, 1], cues[:, 2]))
    out = []
    for t in appearances(visible, in_rays):
        window = range(t, min(t + ANSWER_STEPS, len(turns)))
        answer = next((k for k in window if visible[k] and abs(bearing[k]) >= MIN_BEARING_DEG
                       and turns[k] * np.sign(bearing[k]) >= 0.5 * abs(bearing[k])), None)
        if answer is None:
            continue
        side, first = np.sign(bearing[answer]), abs(bearing[answer])
        rows = []
        for k in range(answer, min(answer + WATCHED_STEPS, len(turns))):
            if not visible[k]:
                break
            rows.append((k - answer, first, (turns[k] - bearing[k]) * side, abs(bearing[k])))
        out.append(np.array(rows))
    return out


def round_evidence(episode: Episode, motor: MotorParams = MotorParams()) -> float:
    """Sum of log-likelihood ratios (overshoot against none) of every watched turn of the round, with the turn's
    spread as motor.turn_probs draws it (Gaussian, before the bins): the first turn swings past by
    (overshoot - 1) of the bearing, each later one by that times correction**steps."""
    total = 0.0
    for rows in answered_turns(episode):
        after, first, past, now = rows.T
        swing = first * (motor.overshoot - 1.0) * motor.correction ** after
        intended = np.where(after == 0, first * motor.overshoot, now + swing)
        spread = np.hypot(0.8 + motor.turn_spread * np.abs(intended), motor.tracking_noise_deg)
        z = np.clip(past / spread, -Z_CLIP, Z_CLIP)
        total += float(np.sum(swing / spread * z - 0.5 * (swing / spread) ** 2))
    return total


def averaged(scores: np.ndarray, rounds: int, draws: int, rng: np.random.Generator) -> np.ndarray:
    return np.array([scores[rng.choice(len(scores), rounds, replace=False)].mean() for _ in range(draws)])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("groups", type=Path)
    groups = load_groups(parser.parse_args().groups)
    rows = {"people": groups["people"], "other people": groups["others"], **groups["panel"]}
    evidence = {name: np.array([round_evidence(e) for e in eps]) for name, eps in rows.items()}
    print("mean round length (steps):", {name: round(float(np.mean([e.steps for e in eps]))) for name, eps in rows.items()})
    print("| rounds a verdict averages | " + " | ".join(n for n in rows if n != "people") + " |")
    print("|---" * len(rows) + "|")
    rng = np.random.default_rng(0)
    for k in (1, 2, 3, 4):
        people = evidence["people"] if k == 1 else averaged(evidence["people"], k, 2000, rng)
        aucs = [auc(people, evidence[n] if k == 1 else averaged(evidence[n], k, 2000, rng))
                for n in rows if n != "people"]
        print(f"| {k} | " + " | ".join(f"{a:.3f}" for a in aucs) + " |")
