"""How a player turns onto an appearing enemy and settles after: the answering turn as a fraction of the enemy's
bearing, the bearing one step later (toward the side the enemy first showed on: negative is past it), and the
aim's swing on the two steps after (habits.py's figure), per group; and, with `--teacher-forced MODEL`, the same
model fed people's own play (their recorded history), what its turn head expects at people's answers and after.

    python docs/research/flick_settling.py runs/panel-validation [--teacher-forced runs/quickstart/model.onnx]

Reads the groups `panel_groups.py` recorded (with `--model`, the groups hold the model's rollouts as "bot")."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from panel_groups import load_groups  # noqa: E402

from botsdk.arena.contract import TURN_DEGREES  # noqa: E402
from botsdk.evaluation.events import ANSWER_STEPS  # noqa: E402
from botsdk.evaluation.features import Episode, cue_features, step_turns  # noqa: E402
from botsdk.evaluation.habits import _EVENT, SWING_CLIP_DEG, SWING_STEPS  # noqa: E402

Answer = tuple[int, float]   # (step of the answering turn, the side the enemy showed on: +1 or -1)


def answers(episode: Episode) -> list[Answer]:
    cues = cue_features(episode.cues[:-1], step_turns(episode))
    bearing = bearings(episode)
    out = []
    for t in np.flatnonzero(cues[:, _EVENT["appeared"]] > 0.5):
        latency = cues[t, _EVENT["answer_latency"]]
        if latency < 1.0:
            step = t + int(round(latency * ANSWER_STEPS))
            out.append((step, float(np.sign(bearing[step]))))
    return out


def bearings(episode: Episode) -> np.ndarray:
    raw = episode.cues[:-1]
    return np.degrees(np.arctan2(raw[:, 1], raw[:, 2]))


def settling(episodes: list[Episode]) -> dict[str, float]:
    gains, after, swings = [], [], {1: [], 2: []}
    for e in episodes:
        turns, bearing, visible = step_turns(e), bearings(e), e.cues[:-1, 0] > 0.5
        for step, side in answers(e):
            gains.append(turns[step] / bearing[step])
            for k in swings:
                if step + k < len(turns) and visible[step + k]:
                    swings[k].append(np.clip((turns[step + k] - bearing[step + k]) * side, -SWING_CLIP_DEG,
                                             SWING_CLIP_DEG))
                    if k == 1:
                        after.append(bearing[step + 1] * side)
    return {"answers": len(gains), "gain_median": float(np.median(gains)), "bearing_after": float(np.mean(after)),
            "swing_1": float(np.mean(swings[1])), "swing_2": float(np.mean(swings[2]))}


def teacher_forced(model: Path, people: list[Episode], reference_root: Path) -> dict[str, float]:
    """The model stepped through people's recorded rounds with their own history (as `botsdk score` steps it):
    at each answer, the mean gain of the turns its head would flick with (those covering half the bearing or
    more, at its temperature), and after it, the swing it expects."""
    from botsdk.dataset import Dataset
    from botsdk.evaluation.scoring import _log_softmax, _read_episode, _style_vector
    from botsdk.export.runtime import BotRuntime

    runtime, dataset, bins = BotRuntime(model), Dataset.open(reference_root), np.asarray(TURN_DEGREES)
    turn_head = runtime.contract.head_names.index("turn")
    gains, people_gains, swing, people_swing = [], [], [], []
    for e in people:
        style, obs, actions = _read_episode(dataset, int(e.meta["episode_id"]), runtime.contract)
        agent = f"episode-{e.meta['episode_id']}"
        probs = []
        for t in range(len(actions)):
            if t:
                runtime.applied([agent], actions[t - 1:t])
            runtime.act([agent], obs[t:t + 1], _style_vector(runtime.contract, style)[None], np.array([t == 0]))
            logits = runtime.last_logits[turn_head].astype(np.float64)
            p = np.exp(_log_softmax(logits)[0] / runtime.temperatures[turn_head])
            probs.append(p / p.sum())
        runtime.end([agent])
        turns, bearing, visible = step_turns(e), bearings(e), e.cues[:-1, 0] > 0.5
        for step, side in answers(e):
            flick = bins * side >= 0.5 * abs(bearing[step])
            if flick.any() and probs[step][flick].sum() > 0:
                gains.append(probs[step][flick] @ (bins[flick] / bearing[step]) / probs[step][flick].sum())
                people_gains.append(turns[step] / bearing[step])
            for k in range(step + 1, min(step + 1 + SWING_STEPS, len(turns))):
                if visible[k]:
                    past = np.clip((bins - bearing[k]) * side, -SWING_CLIP_DEG, SWING_CLIP_DEG)
                    swing.append(probs[k] @ past)
                    people_swing.append(np.clip((turns[k] - bearing[k]) * side, -SWING_CLIP_DEG, SWING_CLIP_DEG))
    return {"answers": len(gains), "model_flick_gain": float(np.mean(gains)),
            "people_gain": float(np.mean(people_gains)), "steps_after": len(swing),
            "model_expected_swing": float(np.mean(swing)), "people_swing": float(np.mean(people_swing))}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("groups", type=Path)
    parser.add_argument("--teacher-forced", type=Path, default=None, metavar="MODEL")
    args = parser.parse_args()
    groups = load_groups(args.groups)
    rows = {"people": groups["people"], "other people": groups["others"],
            "no overshoot": groups["panel"]["no overshoot"], **({"bot": groups["bot"]} if groups.get("bot") else {})}
    print("| group | answers | answer gain, median | bearing after the answer | swing, first / second step after |")
    print("|---|---|---|---|---|")
    for name, episodes in rows.items():
        r = settling(episodes)
        print(f"| {name} | {r['answers']} | {r['gain_median']:.2f} | {r['bearing_after']:+.2f} | "
              f"{r['swing_1']:+.2f} / {r['swing_2']:+.2f} |")
    if args.teacher_forced:
        print(teacher_forced(args.teacher_forced, groups["people"], args.groups / "reference"))
