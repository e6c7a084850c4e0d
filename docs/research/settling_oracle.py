"""How people's aim settles after an answer, by the demonstrators' own probabilities, against a model's.

Plays matches of the scripted people with `report_probs` on (each step's turn distribution given everything the
player knows, its overshoot draw included), keeps them as a dataset, and at the steps after each answer (the
evaluation's rule, `botsdk.training.answer`) compares three swings past the enemy (clipped at 3 degrees as the
habit is): the one played, the one the demonstrators expect (the oracle, which knows the draw) and the one each
model expects teacher-forced on the same history; also how each spreads its turns around the enemy's bearing and
its NLL on those steps. An imitator that is calibrated on those steps expects, on average, what was played.

    python docs/research/settling_oracle.py runs/settling-oracle --matches 100 --runs runs/quickstart/run
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch

from botsdk.arena.contract import PERSONAS, arena_contract
from botsdk.arena.demonstrators import make_demonstrator
from botsdk.arena.recording import RecordPlan, match_labels, match_seed
from botsdk.arena.rollout import play_match
from botsdk.dataset import Dataset
from botsdk.dataset.writer import DatasetWriter
from botsdk.training.answer import answer_layout
from botsdk.training.checkpoint import load_run
from botsdk.training.history import recorded_history
from botsdk.training.tensors import load_dataset_tensors

CLIP_DEG = 3.0                            # the habit's clip (botsdk.evaluation.habits.SWING_CLIP_DEG)
RANGES = ((-999, -3), (-3, -1), (-1, 1), (1, 3), (3, 999))   # turn minus bearing, toward the answer's side


def record(out: Path, matches: int, seed: int) -> np.ndarray:
    """Play the matches, commit them to out/data and return the turn head's probabilities of every step, in the
    dataset's row order (also saved as out/turn_probs.npy, so a second call only reads)."""
    saved = out / "turn_probs.npy"
    if saved.exists():
        return np.load(saved)
    contract = arena_contract()
    turn = contract.head_names.index("turn")
    plan = RecordPlan("crossroads", tuple(PERSONAS), matches * 4, str(out / "data"), seed=seed)
    writer = DatasetWriter(out / "data", contract, "botsdk/settling-oracle-v0")
    probs = []
    for match in range(matches):
        match_at, labels = match_seed(plan.seed, match), match_labels(plan, match)
        players = {agent: make_demonstrator(label["style"], match_seed(match_at, j), skill=label["skill"],
                                            player_id=label["player_id"], report_probs=True)
                   for j, (agent, label) in enumerate(labels.items())}
        played = play_match(plan.map_name, match_at, players, plan.team_size, plan.max_steps)
        items = [(t, {**dict(t.meta or {}), **labels[agent], "map": plan.map_name, "seed": match_at,
                      "agent_id": agent, "source": "scripted"}) for agent, t in played.items()]
        writer.add_episodes(items)
        probs += [t.action_probs[turn] for t, _ in items]
    stacked = np.concatenate(probs).astype(np.float32)
    np.save(saved, stacked)
    return stacked


def compare(data: Path, oracle: np.ndarray, run: Path) -> list[str]:
    policy = load_run(run).policy
    dataset = Dataset.open(data)
    layout = answer_layout(dataset.contract)
    rows = load_dataset_tensors(dataset, [e.id for e in dataset.episodes], True, policy.answer is not None)
    answers = recorded_history(rows.actions, rows.obs, rows.episode_start, rows.episode_length, policy.sight.layout,
                               layout)[:, -2:]
    with torch.no_grad():
        model = torch.softmax(policy.logits(rows.obs, rows.style, rows.history)[layout.turn_head], -1)
    people = torch.from_numpy(oracle)
    degrees = torch.tensor(layout.turn_degrees)
    bearing, watched = layout.bearing(rows.obs), layout.visible_now(rows.obs) > 0
    taken = rows.actions[:, layout.turn_head]
    side = torch.sign(degrees[(answers[:, 1] - 1).clamp(min=0)])
    lines = []
    for since in (1, 2):
        at = (answers[:, 0] == since) & watched
        past = (degrees[None] - bearing[at][:, None]) * side[at][:, None]        # each option's turn past the enemy
        played = past.gather(1, taken[at][:, None])[:, 0]
        expect = lambda p: float((p[at] * past.clamp(-CLIP_DEG, CLIP_DEG)).sum(-1).mean())  # noqa: E731
        nll = lambda p: float(-(p[at].gather(1, taken[at][:, None]) + 1e-9).log().mean())  # noqa: E731
        spread = lambda p: " / ".join(f"{float((p[at] * ((past >= lo) & (past < hi))).sum(-1).mean()):.2f}"  # noqa: E731
                                      for lo, hi in RANGES)
        shares = " / ".join(f"{float(((played >= lo) & (played < hi)).float().mean()):.2f}" for lo, hi in RANGES)
        lines.append(f"| {run} | {since} | {int(at.sum())} | {float(played.clamp(-CLIP_DEG, CLIP_DEG).mean()):+.2f}° "
                     f"| {expect(people):+.2f}° | {expect(model):+.2f}° | {nll(people):.3f} | {nll(model):.3f} "
                     f"| {shares} | {spread(people)} | {spread(model)} |")
    return lines


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--matches", type=int, default=100)
    parser.add_argument("--seed", type=int, default=777)
    parser.add_argument("--runs", type=Path, nargs="+", required=True, help="training run directories")
    args = parser.parse_args()
    oracle = record(args.out, args.matches, args.seed)
    print("| run | steps after the answer | steps | swing played | demonstrators expect | model expects "
          "| NLL, demonstrators | NLL, model | turn past the enemy (<-3 / -3..-1 / -1..1 / 1..3 / >=3°): played "
          "| demonstrators | model |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for run in args.runs:
        print("\n".join(compare(args.out / "data", oracle, run)))
