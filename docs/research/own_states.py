"""Training on the bot's own states: the bot plays, and the training players it stands for supply the labels.

    python docs/research/own_states.py record --model runs/quickstart/model.onnx --out runs/extra --mode takeover
    python docs/research/own_states.py record --model runs/quickstart/model.onnx --out runs/extra --mode shadow
    python docs/research/own_states.py train --data runs/extra --out runs/union --config run/config.toml

`record` appends matches to `--out` (copy the training recording there first to train on the union): every agent
is the model asked for its persona, shadowed by the recording's player for that slot (recording.py's
`match_labels`; the player sees every step and keeps its own intentions). `takeover`: at a step drawn from
`--from`..`--to` the player takes over for `--keep` steps (the steps before are the bot's and stay in the episode as
the history, not as labels; `takeovers.json`). `shadow` (DAgger): the bot plays throughout and the player's action
at each of its states is the label (`labels.npz`); the history stays what the bot did. `train` is `botsdk train`
with those tables applied to the loaded rows. Results: human_likeness.md, "Training on the bot's own states"."""

from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from botsdk.arena.contract import PERSONAS
from botsdk.arena.recording import RecordPlan, match_labels, match_seed

_RUNTIMES: dict[str, Any] = {}


class ShadowedBot:
    """The bot plays until `takeover_at` (never: None), then the player; the player acts at every step."""

    def __init__(self, bot: Any, player: Any, takeover_at: int | None):
        self.bot, self.player, self.takeover_at = bot, player, takeover_at
        self.style, self.player_id, self.skill = player.style, player.player_id, player.skill
        self.source, self.last_probs = "scripted", None

    def reset(self, agent_id: str, seed: int) -> None:
        self.bot.reset(agent_id, seed)
        self.player.reset(agent_id, seed)
        self.labels: list[np.ndarray] = []

    def act(self, observation: np.ndarray, view: Any) -> np.ndarray:
        mine = np.asarray(self.player.act(observation, view), np.int64)
        self.labels.append(mine)
        if self.takeover_at is not None and len(self.labels) > self.takeover_at:
            return mine
        return self.bot.act(observation, view)


def play(job: tuple) -> list[tuple[Any, dict[str, Any], np.ndarray, int]]:
    from botsdk.arena.demonstrators import make_demonstrator
    from botsdk.arena.rollout import play_match
    from botsdk.export.controller import PolicyController
    from botsdk.export.runtime import BotRuntime

    model, mode, match, seed_base, window = job
    runtime = _RUNTIMES.setdefault(model, BotRuntime(model, seed=seed_base))
    labels = match_labels(RecordPlan("crossroads", PERSONAS, 1, "unused"), match)
    seed, rng = match_seed(seed_base, match), np.random.default_rng([seed_base, match])
    controllers = {}
    for j, (agent, label) in enumerate(labels.items()):
        player = make_demonstrator(label["style"], match_seed(seed, j), skill=label["skill"],
                                   player_id=label["player_id"], report_probs=False)
        bot = PolicyController(runtime, np.asarray(runtime.contract.style.persona(label["style"]), np.float32),
                               f"policy-{j}", style_label=label["style"])
        at = int(rng.integers(window[0], window[1])) if mode == "takeover" else None
        controllers[agent] = ShadowedBot(bot, player, at)
    out = []
    for agent, trajectory in play_match("crossroads", seed, controllers, 2, 480).items():
        at = controllers[agent].takeover_at
        if at is not None:
            if len(trajectory) <= at:
                continue
            _cut(trajectory, min(len(trajectory), at + window[2]))
        meta = {**trajectory.meta, **labels[agent], "source": "scripted", "seed": seed}
        out.append((trajectory, meta, np.stack(controllers[agent].labels)[:len(trajectory)], at or 0))
    return out


def _cut(trajectory: Any, steps: int) -> None:
    """Keep the first `steps` steps; the episode then ends by truncation."""
    if steps >= len(trajectory):
        return
    t = trajectory
    t.observations, t.actions, t.rewards = t.observations[:steps + 1], t.actions[:steps], t.rewards[:steps]
    t.terminations, t.truncations = t.terminations[:steps], t.truncations[:steps].copy()
    t.truncations[-1] = True
    t.infos = {k: v[:steps + 1] for k, v in t.infos.items()}


def record(args: argparse.Namespace) -> None:
    from botsdk.arena.contract import arena_contract
    from botsdk.dataset.writer import DatasetWriter

    writer = DatasetWriter(args.out, arena_contract())
    takeovers, labels = {}, {}
    window = (args.from_step, args.to_step, args.keep)
    jobs = [(str(args.model), args.mode, m, args.seed_base, window) for m in range(args.matches)]
    started = time.time()
    with ProcessPoolExecutor(args.workers) as pool:
        for items in pool.map(play, jobs, chunksize=4):
            writer.add_episodes([(t, meta) for t, meta, _, _ in items])
            for _, meta, label, at in items:
                key = f"{meta['seed']}/{meta['agent_id']}"
                if args.mode == "takeover":
                    takeovers[key] = at
                else:
                    labels[key] = label
    if args.mode == "takeover":
        Path(args.out, "takeovers.json").write_text(json.dumps(takeovers))
    else:
        np.savez(Path(args.out, "labels.npz"), **labels)
    print(f"{len(takeovers) or len(labels)} episodes in {time.time() - started:.0f} s")


def kept_rows(data: Any, masks: list[np.ndarray | None]) -> Any:
    """DemoTensors keeping, per episode, the rows its mask keeps (None: all of them)."""
    import torch

    from botsdk.training.tensors import DemoTensors

    keep = []
    for s, n, mask in zip(data.episode_start.tolist(), data.episode_length.tolist(), masks):
        rows = torch.arange(s, s + n)
        keep.append(rows if mask is None else rows[torch.from_numpy(mask[:n].astype(bool))])
    rows = torch.cat(keep)
    lengths = torch.tensor([len(k) for k in keep])
    row_group = torch.empty(data.size, dtype=torch.int64)
    for g, (s, n) in enumerate(zip(data.group_start.tolist(), data.group_length.tolist())):
        row_group[data.group_order[s:s + n]] = g
    groups = row_group[rows]
    group_length = torch.bincount(groups, minlength=len(data.group_length))
    return DemoTensors(obs=data.obs[rows], actions=data.actions[rows], style=data.style[rows],
                       episode_index=torch.repeat_interleave(torch.arange(len(keep)), lengths),
                       episode_start=torch.cumsum(lengths, 0) - lengths,
                       episode_length=lengths, group_order=torch.argsort(groups, stable=True),
                       group_start=torch.cumsum(group_length, 0) - group_length, group_length=group_length,
                       group_style=data.group_style, episode_ids=data.episode_ids, history=data.history[rows],
                       sight=data.sight, answer=data.answer)


def labelled_rows(data: Any, first: list[int]) -> Any:
    """DemoTensors keeping each episode's rows from `first[e]` on (the history was computed over the whole
    episode, so the kept rows still see the bot's steps before them)."""
    return kept_rows(data, [np.arange(n) >= f for n, f in zip(data.episode_length.tolist(), first)])


def train_with(transform: Any, argv: list[str]) -> None:
    """`botsdk train` with `transform(dataset, episode_ids, tensors)` applied to every set of rows it loads."""
    import botsdk.training.tensors as tensors
    from botsdk.cli import main

    load = tensors.load_dataset_tensors

    def transformed(dataset: Any, episode_ids: Any, sight: bool = False, answer: bool = False) -> Any:
        ids = list(episode_ids)
        return transform(dataset, ids, load(dataset, ids, sight, answer))

    tensors.load_dataset_tensors = transformed
    sys.argv = ["botsdk", "train", *argv]
    main()


def train(argv: list[str]) -> None:
    """`botsdk train` with the takeover and shadow tables applied to the rows it loads."""
    import torch

    def with_own_states(dataset: Any, ids: list, data: Any) -> Any:
        root, infos = Path(dataset.root), {i.id: i for i in dataset.episodes}
        keys = [f"{infos[i].seed}/{infos[i].agent_id}" for i in ids]
        if (root / "labels.npz").exists():
            labels = np.load(root / "labels.npz")
            for e, key in enumerate(keys):
                if key in labels.files:
                    start, steps = int(data.episode_start[e]), int(data.episode_length[e])
                    data.actions[start:start + steps] = torch.from_numpy(labels[key])
        if (root / "takeovers.json").exists():
            takeovers = json.loads((root / "takeovers.json").read_text())
            data = labelled_rows(data, [int(takeovers.get(key, 0)) for key in keys])
        return data

    train_with(with_own_states, argv)


if __name__ == "__main__":
    if sys.argv[1:2] == ["train"]:
        train(sys.argv[2:])
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["record"])
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--mode", choices=["takeover", "shadow"], default="takeover")
    parser.add_argument("--matches", type=int, default=480)
    parser.add_argument("--seed-base", type=int, default=777, help="match seeds no recording of the split uses")
    parser.add_argument("--from-step", type=int, default=8)
    parser.add_argument("--to-step", type=int, default=200)
    parser.add_argument("--keep", type=int, default=48)
    parser.add_argument("--workers", type=int, default=2)
    record(parser.parse_args())
