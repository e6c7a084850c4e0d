"""Does a model expect the settling it should? At each step after an answer in a recording (people's, or a bot's
own rollouts), the swing past the enemy that was played against the one the model's turn head expects there, fed
that recording's history (the answer steps by `botsdk.training.answer.answer_rows`, the evaluation's rule).

    python docs/research/answer_settling.py runs/quickstart/run runs/panel-validation/reference/data
    python docs/research/answer_settling.py runs/quickstart/run runs/bot-rollouts/data --temperature 0.9

Fed people's play, a model that under-predicts their settling shows it here; fed its own rollouts, a model that
plays as it predicts reads the same on both columns (docs/research/human_likeness.md, "Light dropout")."""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

from botsdk.dataset import Dataset
from botsdk.training.answer import answer_layout
from botsdk.training.checkpoint import load_run
from botsdk.training.history import recorded_history
from botsdk.training.tensors import load_dataset_tensors

CLIPS_DEG = (3.0, 10.0)   # the evaluation's clip (habits.SWING_CLIP_DEG), and a looser one


def settling(run: Path, data: Path, temperature: float) -> list[dict[str, float]]:
    loaded = load_run(run)
    policy, dataset = loaded.policy, Dataset.open(data)
    layout = answer_layout(dataset.contract)
    if layout is None or policy.sight is None:
        raise SystemExit("expected a contract with the enemy's bearing and a turn head, and a model with the sight clock")
    rows = load_dataset_tensors(dataset, [e.id for e in dataset.episodes], True, policy.answer is not None)
    answers = recorded_history(rows.actions, rows.obs, rows.episode_start, rows.episode_length, policy.sight.layout,
                               layout)[:, -2:]
    with torch.no_grad():
        logits = policy.logits(rows.obs, rows.style, rows.history)[layout.turn_head]
    probs = torch.softmax(torch.log_softmax(logits, -1) / temperature, -1)
    degrees = torch.tensor(layout.turn_degrees)
    bearing, watched = layout.bearing(rows.obs), layout.visible_now(rows.obs) > 0
    played = degrees[rows.actions[:, layout.turn_head]]
    side = torch.sign(degrees[(answers[:, 1] - 1).clamp(min=0)])
    out = []
    for since in (1, 2):
        at = (answers[:, 0] == since) & watched
        for clip in CLIPS_DEG:
            real = torch.clamp((played[at] - bearing[at]) * side[at], -clip, clip).mean()
            past = torch.clamp((degrees[None] - bearing[at][:, None]) * side[at][:, None], -clip, clip)
            out.append({"steps_after": since, "clip_deg": clip, "steps": int(at.sum()), "played": float(real),
                        "expected": float((probs[at] * past).sum(-1).mean())})
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path)
    parser.add_argument("data", type=Path)
    parser.add_argument("--temperature", type=float, default=1.0, help="the turn head's sampling temperature")
    args = parser.parse_args()
    print("| steps after the answer | clip | steps | swing played | swing the model expects |")
    print("|---|---|---|---|---|")
    for r in settling(args.run, args.data, args.temperature):
        print(f"| {r['steps_after']} | {r['clip_deg']:g}° | {r['steps']} | {r['played']:+.2f}° | {r['expected']:+.2f}° |")
