"""Judged self-imitation: the bot plays, a judge trained on people against the bot marks the stretches of its own
play that read most like people, and the model trains on people's rows plus those stretches.

    cp -r runs/quickstart/data runs/judged
    python docs/research/judged_self_play.py record --model runs/quickstart/model.onnx --out runs/judged
    python docs/research/judged_self_play.py judge --data runs/judged --keep 0.3
    python docs/research/judged_self_play.py train --data runs/judged --out runs/judged-run --config CONFIG

`record` appends the bot's matches (every slot the model, asked for the persona the recording's player of that slot
plays; `source` "bot", a player id of its own per episode) to `--out`. `judge` trains the watching judge (the Turing
test's GRU, classifier.py) on the recording's people against the bot's episodes, two folds so that no stretch is
scored by a judge that trained on it, scores every `--stretch`-step stretch of the bot's play by the mean log-odds
the judge gives its steps (read from the stretch's start, as the judge was trained), and keeps the `--keep` share
that reads most like people (`kept.npz`: a row mask per bot episode). `train` is `botsdk train` with the bot's
rows outside the kept stretches left out: people's labels where people played, the bot's own actions, its own
intentions kept, where it read as people. One step of reward-weighted regression with the judge's verdict as the
reward. Results: human_likeness.md, "Judged self-imitation"."""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from own_states import kept_rows, train_with  # noqa: E402

from botsdk.arena.contract import PERSONAS  # noqa: E402
from botsdk.arena.recording import RecordPlan, match_labels, match_seed  # noqa: E402

_RUNTIMES: dict[str, Any] = {}
BOT = "bot"


def play(job: tuple) -> list[tuple[Any, dict[str, Any]]]:
    from botsdk.arena.rollout import play_match
    from botsdk.export.controller import PolicyController
    from botsdk.export.runtime import BotRuntime

    model, match, seed_base, temperature = job
    key = f"{model}@{temperature}"
    runtime = _RUNTIMES.setdefault(key, BotRuntime(model, seed=seed_base + match, temperature=temperature))
    labels = match_labels(RecordPlan("crossroads", PERSONAS, 1, "unused"), match)
    seed = match_seed(seed_base, match)
    controllers = {agent: PolicyController(runtime, np.asarray(runtime.contract.style.persona(label["style"]),
                                                                np.float32), f"policy-{j}",
                                           style_label=label["style"])
                   for j, (agent, label) in enumerate(labels.items())}
    return [(trajectory, {**trajectory.meta, "style": labels[agent]["style"], "skill": labels[agent]["skill"],
                          "player_id": f"{BOT}-{match}-{agent}", "source": BOT, "seed": seed})
            for agent, trajectory in play_match("crossroads", seed, controllers, 2, 480).items()]


def record(args: argparse.Namespace) -> None:
    from botsdk.arena.contract import arena_contract
    from botsdk.dataset.writer import DatasetWriter

    writer = DatasetWriter(args.out, arena_contract())
    jobs = [(str(args.model), m, args.seed_base, args.temperature) for m in range(args.matches)]
    started = time.time()
    count = 0
    with ProcessPoolExecutor(args.workers) as pool:
        for items in pool.map(play, jobs, chunksize=4):
            writer.add_episodes(items)
            count += len(items)
    print(f"{count} bot episodes in {time.time() - started:.0f} s")


def episode_key(info: Any) -> str:
    return f"{info.seed}/{info.agent_id}"


def load_episodes(dataset: Any, infos: list, cues: Any) -> list:
    from botsdk.evaluation.features import as_episode

    return [as_episode(dataset.episode(i.id), cues=cues) for i in infos]


def stretch_scores(model: Any, features: list[np.ndarray], stretch: int) -> list[np.ndarray]:
    """Per episode: the judge's mean log-odds (bot-ness) over each `stretch`-step stretch, read from its start."""
    import torch

    out = []
    model.model.eval()
    with torch.no_grad():
        for x in features:
            steps = len(x) // stretch * stretch
            z = ((x - model.mean) / model.std).astype(np.float32)
            pieces = [z[s:s + stretch] for s in range(0, steps, stretch)]
            tail = z[steps:] if len(x) > steps else None
            scores = model.model(torch.from_numpy(np.stack(pieces))).mean(dim=1).numpy() if pieces else np.zeros(0)
            if tail is not None and len(tail):
                scores = np.append(scores, float(model.model(torch.from_numpy(tail)[None]).mean()))
            out.append(scores)
    return out


def stretch_context(episode: Any, stretch: int) -> np.ndarray:
    """Per stretch: how much of it had an enemy in sight (0: none, 1: under a third, 2: more), so that quiet
    stretches, which read as nobody in particular, do not crowd out the fights."""
    visible = episode.cues[:-1, 0] > 0.5
    shares = np.array([visible[s:s + stretch].mean() for s in range(0, len(visible), stretch)])
    return np.where(shares == 0, 0, np.where(shares < 1 / 3, 1, 2))


def judge(args: argparse.Namespace) -> None:
    from botsdk.arena.contract import arena_contract
    from botsdk.dataset.dataset import Dataset
    from botsdk.evaluation.classifier import SequenceConfig, train_sequence_classifier
    from botsdk.evaluation.features import CueLayout, FeatureScale, step_features
    from botsdk.evaluation.habit_judge import HabitJudge, habit_matrix

    contract = arena_contract()
    dataset = Dataset.open(args.data)
    cues = CueLayout.from_contract(contract)
    bots = [i for i in dataset.episodes if i.source == BOT]
    people = [i for i in dataset.episodes if i.source != BOT]
    rng = np.random.default_rng(args.seed)
    people = [people[k] for k in rng.choice(len(people), min(len(people), args.people), replace=False)]
    started = time.time()
    bot_eps, people_eps = load_episodes(dataset, bots, cues), load_episodes(dataset, people, cues)
    scale = FeatureScale.fit(people_eps + bot_eps)
    feats = lambda eps: [step_features(e, scale, contract.head_sizes, True) for e in eps]
    bot_x, people_x = feats(bot_eps), feats(people_eps)
    bot_fold = np.array([i.seed % 2 for i in bots])
    people_fold = np.arange(len(people)) % 2
    scores: list[np.ndarray] = [np.zeros(0)] * len(bots)
    round_scores = np.zeros(len(bots))
    config = SequenceConfig(updates=args.updates)
    bot_habits, people_habits = habit_matrix(bot_eps), habit_matrix(people_eps)
    for fold in (0, 1):
        train_bots = [x for x, f in zip(bot_x, bot_fold) if f != fold]
        train_people = [x for x, f in zip(people_x, people_fold) if f != fold]
        model = train_sequence_classifier(train_people, train_bots, args.seed + fold, config)
        scored = [k for k in range(len(bots)) if bot_fold[k] == fold]
        for k, s in zip(scored, stretch_scores(model, [bot_x[k] for k in scored], args.stretch)):
            scores[k] = s
        held = [x for x, f in zip(people_x, people_fold) if f == fold]
        people_scores = np.concatenate(stretch_scores(model, held, args.stretch))
        fold_scores = np.concatenate([scores[k] for k in scored])
        habits = HabitJudge.fit(people_habits[people_fold != fold], bot_habits[bot_fold != fold])
        round_scores[bot_fold == fold] = habits.scores(bot_habits[bot_fold == fold])
        held_rounds = habits.scores(people_habits[people_fold == fold])
        print(f"fold {fold}: round habit AUC {_auc(held_rounds, round_scores[bot_fold == fold]):.3f}")
        print(f"fold {fold}: stretch log-odds people {np.mean(people_scores):+.3f}, bot {np.mean(fold_scores):+.3f}; "
              f"stretch AUC {_auc(people_scores, fold_scores):.3f}", flush=True)
    if args.habits:
        spread = np.std(np.concatenate(scores))
        round_z = (round_scores - round_scores.mean()) / (round_scores.std() + 1e-9)
        scores = [s + args.habits * spread * z for s, z in zip(scores, round_z)]
    context = [stretch_context(e, args.stretch) for e in bot_eps]
    everything, contexts = np.concatenate(scores), np.concatenate(context)
    thresholds = {c: float(np.quantile(everything[contexts == c], args.keep)) for c in np.unique(contexts)}
    threshold = np.mean(list(thresholds.values()))
    kept = {}
    for info, s, c, x in zip(bots, scores, context, bot_x):
        limit = np.array([thresholds[k] for k in c]) if args.by_context else threshold
        mask = np.repeat(s <= limit, args.stretch)[:len(x)]
        kept[episode_key(info)] = mask
    np.savez(Path(args.data, args.mask), **kept)
    share = np.mean(np.concatenate(list(kept.values())))
    print(f"kept {share:.3f} of {sum(len(x) for x in bot_x)} bot rows (threshold {threshold:+.3f}) "
          f"in {time.time() - started:.0f} s")


def _auc(negative: np.ndarray, positive: np.ndarray) -> float:
    from botsdk.evaluation.stats import auc

    return float(auc(positive, negative))


def train(argv: list[str]) -> None:
    """`botsdk train` with the bot's rows outside its kept stretches left out."""
    def with_kept(dataset: Any, ids: list, data: Any) -> Any:
        kept = np.load(Path(dataset.root) / os.environ.get("KEPT_MASK", "kept.npz"))
        infos = {i.id: i for i in dataset.episodes}
        keys = [episode_key(infos[i]) for i in ids]
        return kept_rows(data, [kept[key] if key in kept.files else None for key in keys])

    train_with(with_kept, argv)


if __name__ == "__main__":
    if sys.argv[1:2] == ["train"]:
        train(sys.argv[2:])
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["record", "judge"])
    parser.add_argument("--model", type=Path)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--data", type=Path)
    parser.add_argument("--matches", type=int, default=480)
    parser.add_argument("--seed-base", type=int, default=881, help="match seeds no recording of the split uses")
    parser.add_argument("--temperature", type=float, default=1.0, help="every head's (the model's own: none)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", type=float, default=0.3, help="share of the bot's stretches kept")
    parser.add_argument("--stretch", type=int, default=48)
    parser.add_argument("--people", type=int, default=1200, help="people's episodes the judge reads")
    parser.add_argument("--updates", type=int, default=600)
    parser.add_argument("--habits", type=float, default=0.0,
                        help="weight of the habit judge's verdict on the stretch's round, in the watcher's spread")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--by-context", action="store_true",
                        help="keep the --keep share within each context (how much of the stretch saw an enemy)")
    parser.add_argument("--mask", default="kept.npz", help="file (in --data) for the kept rows; train reads "
                        "the one KEPT_MASK names")
    args = parser.parse_args()
    (record if args.command == "record" else judge)(args)
