"""How well a trained run imitates the arena demonstrators: agreement against its ceilings and style, reproducible.

    python -m botsdk.training.quality record --out DATA --matches 120 --seed 0
    python -m botsdk.training.quality evaluate --run RUN --matches 24 --seed 50000 [--temperature 0.8] [--out FILE]

- agreement: on held-out match seeds, the model's top-1 action (conditioned on the episode's persona) vs the
  demonstrator's action, next to two ceilings (botsdk.training.agreement): the oracle's (the demonstrator's own mean max
  probability, which knows its private draws) and the observer's (the best possible imitator's: a Bayes filter
  over those draws from what it was seen to do, botsdk.arena.posterior).
- style: the model conditioned on each persona plays in the arena; its style statistics (speed, time stationary,
  engagement distance, route shares) are compared with every persona's held-out demonstrator statistics, and a
  50/50 blend with its parents.
- encoder: held-out players' episodes are encoded; the nearest persona vector should be the player's persona.

Recording rotates styles over agent slots (match m, slot j plays styles[(m + j) % 4]) so a style is never tied to
one spawn point.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import torch

from botsdk.arena.contract import PERSONAS
from botsdk.arena.lineups import demonstrator_match, match_seeds, observed_match, record_lineups

STAT_KEYS = ("mean_speed", "stationary_fraction", "engagement_distance")


# ---- agreement ---------------------------------------------------------------------------------------------------
def scored(trajectories: Iterable[Any]) -> list[Any]:
    """The trajectories agreement is scored on: those with steps and the demonstrator's probabilities."""
    return [t for t in trajectories if len(t) and t.action_probs is not None]


def step_matches(trajectories: Iterable[Any]) -> np.ndarray:
    """The match seed of every step `greedy_predictions` scores, in its order (for intervals over matches)."""
    return np.concatenate([np.full(len(t), t.meta["seed"], np.int64) for t in scored(trajectories)])


@torch.no_grad()
def greedy_predictions(policy, contract, trajectories: Iterable[Any]
                       ) -> tuple[np.ndarray, np.ndarray, list, np.ndarray | None]:
    """Model argmax per step (conditioned on each episode's persona), the actions taken, the demonstrator probs and
    its most likely joint action's probability per step (None unless every trajectory has it)."""
    from botsdk.training.history import recorded_history
    from botsdk.training.style import label_style

    sight = policy.sight.layout if getattr(policy, "sight", None) is not None else None
    answer = policy.answer.layout if getattr(policy, "answer", None) is not None else None
    predicted, actions, probs, joint = [], [], [], []
    for traj in scored(trajectories):
        steps = len(traj)
        obs = torch.from_numpy(traj.observations[:steps])
        style = label_style(contract, traj.meta["style"])[None]
        taken = torch.as_tensor(np.asarray(traj.actions), dtype=torch.int64)
        history = recorded_history(taken, obs, torch.tensor([0]), torch.tensor([steps]), sight, answer)
        if policy.recurrent:
            logits = [h[0] for h in policy.logits(obs[None], style, history[None])]
        else:
            logits = policy.logits(obs, style.expand(steps, -1), history)
        predicted.append(torch.stack([h.argmax(-1) for h in logits], -1).numpy())
        actions.append(traj.actions)
        probs.append(traj.action_probs)
        joint.append(traj.joint_max)
    heads = len(probs[0])
    joint_max = None if any(j is None for j in joint) else np.concatenate(joint)
    return (np.concatenate(predicted), np.concatenate(actions),
            [np.concatenate([p[h] for p in probs]) for h in range(heads)], joint_max)


# ---- style statistics --------------------------------------------------------------------------------------------
def stats_vector_distance(a: Mapping[str, Any], b: Mapping[str, Any], scale: Mapping[str, float]) -> float:
    """Scalar statistics in units of their spread across personas, plus the L1 distance of route shares."""
    total = 0.0
    for key in STAT_KEYS:
        x, y = a[key], b[key]
        if math.isfinite(x) and math.isfinite(y) and scale[key] > 0:
            total += ((x - y) / scale[key]) ** 2
    routes = set(a["route_shares"]) | set(b["route_shares"])
    l1 = sum(abs(a["route_shares"].get(r, 0.0) - b["route_shares"].get(r, 0.0)) for r in routes)
    return math.sqrt(total + l1 ** 2)


def spread(reference: Mapping[str, Mapping[str, Any]]) -> dict[str, float]:
    out = {}
    for key in STAT_KEYS:
        values = [r[key] for r in reference.values() if math.isfinite(r[key])]
        out[key] = float(np.std(values)) if len(values) > 1 else 0.0
    return out


def model_rollouts(model: Path, style, seeds: Sequence[int], map_name: str = "duel",
                   temperature: float = 1.0) -> list:
    """The exported model (conditioned on `style`, sampling at `temperature`) plays blue_0 and red_0 through the
    runtime controller every other part uses; demonstrators play the other slots."""
    from botsdk.export.controller import PolicyController
    from botsdk.export.runtime import BotRuntime

    out = []
    for m, seed in enumerate(seeds):
        runtime = BotRuntime(model, seed=seed, temperature=temperature)
        replace = {agent: PolicyController(runtime, style, f"model-{i}") for i, agent in enumerate(("blue_0", "red_0"))}
        trajectories = demonstrator_match(map_name, seed, m, replace=replace)
        out += [trajectories["blue_0"], trajectories["red_0"]]
    return out


def _clean(stats: Mapping[str, Any]) -> dict[str, Any]:
    return {k: stats[k] for k in ("episodes", "steps", *STAT_KEYS, "route_shares", "fire_rate", "interact_rate")}


def style_report(model: Path, demos: list, seeds: Sequence[int], blend: tuple[str, str],
                 temperature: float = 1.0) -> dict[str, Any]:
    from botsdk.arena.stats import style_statistics

    reference = {p: style_statistics([t for t in demos if t.meta["style"] == p]) for p in PERSONAS}
    scale = spread(reference)
    played = {p: style_statistics(model_rollouts(model, p, seeds, temperature=temperature)) for p in PERSONAS}
    distances = {p: {q: round(stats_vector_distance(played[p], reference[q], scale), 4) for q in PERSONAS}
                 for p in PERSONAS}
    closest = {p: min(distances[p], key=distances[p].get) for p in PERSONAS}
    a, b = blend
    mixed = style_statistics(model_rollouts(model, {a: 0.5, b: 0.5}, seeds, temperature=temperature))
    d_ab = stats_vector_distance(played[a], played[b], scale)
    d_a, d_b = stats_vector_distance(mixed, played[a], scale), stats_vector_distance(mixed, played[b], scale)
    return {
        "reference": {p: _clean(s) for p, s in reference.items()}, "model": {p: _clean(s) for p, s in played.items()},
        "distance_model_to_reference": distances, "closest_reference": closest,
        "all_closest_to_own": all(closest[p] == p for p in PERSONAS),
        "blend": {"parents": [a, b], "stats": _clean(mixed), "d_parents": round(d_ab, 4),
                  f"d_to_{a}": round(d_a, 4), f"d_to_{b}": round(d_b, 4),
                  "between": bool(d_a < d_ab and d_b < d_ab)},
    }


# ---- encoder -----------------------------------------------------------------------------------------------------
@torch.no_grad()
def encoder_report(encoder, contract, demos: list, episodes_per_player: int = 3) -> dict[str, Any]:
    """Encode a few episodes per (held-out) player; is the nearest persona vector the player's persona?"""
    if encoder is None:
        return {"enabled": False}
    from botsdk.training.style import label_style

    by_player: dict[str, list] = {}
    for t in demos:
        if len(t):
            by_player.setdefault(t.meta["player_id"], []).append(t)
    personas = torch.stack([label_style(contract, p) for p in PERSONAS])
    hits, rows = 0, []
    for player, trajs in sorted(by_player.items()):
        chosen = trajs[:episodes_per_player]
        obs = torch.from_numpy(np.concatenate([t.observations[:len(t)] for t in chosen]))
        actions = torch.from_numpy(np.concatenate([t.actions for t in chosen]))
        style = encoder.encode_actions(obs, actions)
        nearest = PERSONAS[int(torch.cdist(style[None], personas)[0].argmin())]
        hits += nearest == chosen[0].meta["style"]
        rows.append({"player": player, "style": chosen[0].meta["style"], "nearest": nearest, "steps": len(obs)})
    return {"enabled": True, "players": len(rows), "accuracy": round(hits / max(1, len(rows)), 4), "rows": rows}


def evaluate(run: str | Path, matches: int, seed: int, blend: tuple[str, str] = ("rusher", "holder"),
             temperature: float = 1.0) -> dict:
    from botsdk.training.agreement import agreement_vs_ceiling
    from botsdk.training.checkpoint import load_run

    loaded = load_run(run)
    demos, observer_joint, observer_heads = [], [], []
    for m, s in enumerate(match_seeds(seed, matches)):
        trajectories, seen = observed_match("duel", s, m)
        for agent, trajectory in trajectories.items():
            if len(trajectory):
                demos.append(trajectory)
                observer_joint.append(seen[agent][0])
                observer_heads.append(seen[agent][1])
    predicted, actions, probs, joint_max = greedy_predictions(loaded.policy, loaded.contract, demos)
    observer = (np.concatenate(observer_joint), np.concatenate(observer_heads))
    return {
        "run": str(run), "heldout_seeds": [seed, seed + matches - 1], "heldout_steps": int(len(actions)),
        "agreement": agreement_vs_ceiling(predicted, actions, probs, loaded.contract.head_names, joint_max,
                                          observer, groups=step_matches(demos)),
        "encoder": encoder_report(loaded.style_encoder, loaded.contract, demos),
        "style": style_report(_exported(loaded, demos), demos, match_seeds(seed + 10_000, matches), blend, temperature),
        "temperature": temperature,
    }


def _exported(loaded: Any, demos: list) -> Path:
    """The run as the ONNX file a game would play, exported next to its checkpoint and parity-checked on the
    held-out demonstrators' own observations (the inputs it will meet)."""
    from botsdk.export.onnx_export import export_policy

    path = Path(loaded.path).parent / "quality_model.onnx"
    observations = np.concatenate([t.observations[:len(t)] for t in demos])[:2048]
    export_policy(loaded.policy, loaded.contract, path, model_version=f"quality@step{loaded.step}",
                  training_config=json.dumps(loaded.config.to_dict(), sort_keys=True),
                  dataset_hash=loaded.dataset_hash, held_out=np.ascontiguousarray(observations, np.float32))
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="botsdk.training.quality")
    sub = parser.add_subparsers(dest="command", required=True)
    rec = sub.add_parser("record")
    rec.add_argument("--out", required=True)
    rec.add_argument("--matches", type=int, default=120)
    rec.add_argument("--seed", type=int, default=0)
    ev = sub.add_parser("evaluate")
    ev.add_argument("--run", required=True)
    ev.add_argument("--matches", type=int, default=24)
    ev.add_argument("--seed", type=int, default=50_000)
    ev.add_argument("--out")
    ev.add_argument("--temperature", type=float, default=1.0, help="sampling temperature of the style rollouts")
    args = parser.parse_args(argv)
    if args.command == "record":
        print(json.dumps(record_lineups(args.out, args.matches, args.seed)))
        return
    report = evaluate(args.run, args.matches, args.seed, temperature=args.temperature)
    text = json.dumps(report, indent=2, default=float)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
