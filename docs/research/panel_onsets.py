"""Where the reaction delay, the overshoot and the mistakes show: per enemy appearance (events.appearances), the
steps until the first turn toward it and until the first shot, and how far that first turn went; per step, the
slips. Reads the groups `panel_groups.py` recorded.

    python docs/research/panel_onsets.py runs/panel-validation"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from panel_groups import load_groups  # noqa: E402

from botsdk.evaluation.events import ANSWER_STEPS, EVENT_CUES  # noqa: E402
from botsdk.evaluation.features import cue_features, step_turns  # noqa: E402

EVENTS = slice(10, 10 + len(EVENT_CUES))


def summary(episodes: list) -> dict[str, float]:
    x = np.concatenate([cue_features(e.cues[:-1], step_turns(e))[:, EVENTS] for e in episodes])
    appeared = x[x[:, 0] == 1]
    answered = appeared[appeared[:, 1] < 1]
    lag = np.rint(answered[:, 1] * ANSWER_STEPS)
    shots = np.rint(appeared[appeared[:, 2] < 1][:, 2] * ANSWER_STEPS)
    steps = len(x)
    return {"appearances per round": len(appeared) / len(episodes), "answered": len(answered) / len(appeared),
            "answer at once (lag 0-1)": float(np.mean(lag <= 1)), "answer lag median": float(np.median(lag)),
            "shot lag median": float(np.median(shots)) if len(shots) else float("nan"),
            "first turn past the enemy (>1.25 of bearing)": float(np.mean(answered[:, 3] > 1.25)),
            "shots at nothing /1000 steps": 1000 * x[:, 4].sum() / steps,
            "move slips /1000 steps": 1000 * x[:, 5].sum() / steps,
            "turn slips /1000 steps": 1000 * x[:, 6].sum() / steps}


def print_table(table: dict[str, dict[str, float]]) -> None:
    """One markdown row per group, one column per figure."""
    keys = list(next(iter(table.values())))
    print("| group | " + " | ".join(keys) + " |")
    print("|---" * (len(keys) + 1) + "|")
    for name, values in table.items():
        print(f"| {name} | " + " | ".join(f"{values[k]:.2f}" for k in keys) + " |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("groups", type=Path)
    groups = load_groups(parser.parse_args().groups)
    rows = {"people": groups["people"], "other people": groups["others"], **groups["panel"]}
    print_table({name: summary(eps) for name, eps in rows.items()})
