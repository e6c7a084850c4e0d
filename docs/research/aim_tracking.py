"""How a player keeps a seen enemy in its sights: per group, how often the enemy drops out of the rays and shows
again while it stays visible (re-entries per 1,000 steps, by the enemy's bearing when it shows again), and what
the player turns while the enemy is 4-8 degrees off its aim (the turn as a fraction of the bearing: about 0 leaves
it off-centre, about 1 turns onto it).

    python docs/research/aim_tracking.py runs/panel-validation

Reads the groups `panel_groups.py` recorded (with `--model`, the groups hold the model's rollouts as "bot")."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from flick_settling import bearings  # noqa: E402
from panel_groups import load_groups  # noqa: E402

from botsdk.evaluation.features import Episode, cue_features, step_turns  # noqa: E402

REENTRY_BEARINGS = (0, 2, 4, 8, 15, 30, 60, 120)
TURN_RATIOS = (-10.0, -0.25, 0.25, 0.75, 1.25, 2.0, 10.0)


def reentries(episodes: list[Episode]) -> tuple[float, np.ndarray]:
    """Re-entries per 1,000 steps, and their count in each REENTRY_BEARINGS band of |bearing|."""
    found, steps = [], 0
    for e in episodes:
        cues, bearing = cue_features(e.cues[:-1], step_turns(e)), bearings(e)
        visible, newly = cues[:, 0] > 0, cues[:, 2] > 0
        steps += len(visible)
        found += [abs(bearing[t]) for t in np.flatnonzero(newly & visible) if t and visible[t - 1]]
    return 1000.0 * len(found) / max(steps, 1), np.histogram(found, REENTRY_BEARINGS)[0]


def turns_near_aim(episodes: list[Episode], low: float = 4.0, high: float = 8.0) -> np.ndarray:
    """Share of the steps with a visible enemy `low`-`high` degrees off the aim in each TURN_RATIOS band."""
    ratios = []
    for e in episodes:
        bearing = bearings(e)
        near = (e.cues[:-1, 0] > 0.5) & (np.abs(bearing) >= low) & (np.abs(bearing) < high)
        ratios += list(step_turns(e)[near] / bearing[near])
    counts = np.histogram(ratios, TURN_RATIOS)[0]
    return counts / max(counts.sum(), 1)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("groups", type=Path)
    groups = load_groups(parser.parse_args().groups)
    rows = {"people": groups["people"], "other people": groups["others"],
            **({"bot": groups["bot"]} if groups.get("bot") else {})}
    bands = " | ".join(f"{a}-{b}°" for a, b in zip(REENTRY_BEARINGS, REENTRY_BEARINGS[1:]))
    print(f"| group | re-entries /1000 steps | {bands} | turn/bearing at 4-8°: <-0.25 | ~0 | 0.25-0.75 | ~1 | "
          f"1.25-2 | >2 |")
    for name, episodes in rows.items():
        rate, counts = reentries(episodes)
        shares = turns_near_aim(episodes)
        print(f"| {name} | {rate:.1f} | " + " | ".join(str(c) for c in counts) + " | "
              + " | ".join(f"{s:.3f}" for s in shares) + " |")
