"""The peer baseline: `imitation`'s behaviour cloning (bc.BC, MultiDiscrete heads) on a botsdk dataset split.

Two steps, each in its own environment, because `imitation` pins an older gymnasium than botsdk:

    # botsdk's environment: the splits as plain arrays (observations with their episode's persona vector appended,
    # so the peer sees what botsdk's style conditioning sees)
    .venv/bin/python docs/research/peer_bc.py dump --data runs/peer/train --out runs/peer/train.npz
    .venv/bin/python docs/research/peer_bc.py dump --data runs/peer/final --out runs/peer/final.npz
    # the peer's environment (torch 2.13.0 CPU, imitation): train and score, one JSON line per seed
    .venv-peer/bin/python docs/research/peer_bc.py train --train runs/peer/train.npz --score runs/peer/final.npz \
        --steps 2000 --batch-size 512 --hidden 256 256 --seed 0 --out runs/peer/peer-s0.json

Scores match `botsdk score`: per-head and joint top-1 agreement of the argmax, NLL of the recorded action.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np


def dump(data: str, out: str) -> None:
    """Observations (+ persona vector) and actions of every episode, in recording order, to one .npz file."""
    from botsdk.dataset import Dataset

    ds = Dataset.open(data)
    style = ds.contract.style
    obs, actions = [], []
    for info in ds.episodes:
        episode = ds.episode(info.id)
        steps = len(episode["actions"])
        vector = np.asarray(style.persona(info.style) if info.style in style.persona_names
                            else np.zeros(style.size), np.float32)
        obs.append(np.hstack([episode["observations"][:steps], np.tile(vector, (steps, 1))]).astype(np.float32))
        actions.append(np.asarray(episode["actions"], np.int64))
    np.savez(out, obs=np.concatenate(obs), actions=np.concatenate(actions),
             head_sizes=np.asarray(ds.contract.head_sizes), head_names=np.asarray(ds.contract.head_names))
    print(json.dumps({"out": out, "rows": int(sum(len(a) for a in actions)), "episodes": len(ds.episodes)}))


def train(train_path: str, score_paths: list[str], steps: int, batch_size: int, hidden: list[int], seed: int,
          lr: float, threads: int) -> dict:
    import gymnasium as gym
    import torch
    from imitation.algorithms import bc
    from imitation.data.types import Transitions
    from stable_baselines3.common.policies import ActorCriticPolicy

    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    data = np.load(train_path)
    obs, actions, head_sizes = data["obs"], data["actions"], data["head_sizes"]
    observation_space = gym.spaces.Box(-np.inf, np.inf, shape=(obs.shape[1],), dtype=np.float32)
    action_space = gym.spaces.MultiDiscrete(head_sizes)
    transitions = Transitions(obs=obs, acts=actions, infos=np.array([{}] * len(obs)),
                              next_obs=obs, dones=np.zeros(len(obs), bool))
    policy = ActorCriticPolicy(observation_space, action_space, lr_schedule=lambda _: lr,
                               net_arch=list(hidden), activation_fn=torch.nn.ReLU)
    trainer = bc.BC(observation_space=observation_space, action_space=action_space, demonstrations=transitions,
                    rng=np.random.default_rng(seed), policy=policy, batch_size=batch_size,
                    optimizer_kwargs={"lr": lr}, device="cpu")
    started = time.perf_counter()
    trainer.train(n_batches=steps, log_interval=10**9, progress_bar=False)
    wall = time.perf_counter() - started
    result = {"library": "imitation", "seed": seed, "steps": steps, "batch_size": batch_size, "hidden": hidden,
              "lr": lr, "threads": threads, "train_rows": int(len(obs)), "train_wall_s": round(wall, 2),
              "samples_per_s": round(steps * batch_size / wall, 1), "scores": {}}
    for path in score_paths:
        result["scores"][path] = score(trainer.policy, np.load(path))
    return result


def score(policy, data) -> dict:
    """Per-head and joint agreement and NLL, in the same form as `botsdk score`."""
    import torch

    obs, actions, names = data["obs"], data["actions"], [str(n) for n in data["head_names"]]
    hits, nll = [], []
    policy.eval()
    with torch.no_grad():
        for first in range(0, len(obs), 8192):
            x = torch.as_tensor(obs[first:first + 8192])
            heads = policy.get_distribution(x).distribution  # one Categorical per head
            a = torch.as_tensor(actions[first:first + 8192])
            hits.append(torch.stack([d.probs.argmax(-1) == a[:, h] for h, d in enumerate(heads)], 1).numpy())
            nll.append(torch.stack([-d.log_prob(a[:, h]) for h, d in enumerate(heads)], 1).double().numpy())
    hits, nll = np.concatenate(hits), np.concatenate(nll)
    return {"steps": int(len(obs)),
            "heads": {n: {"agreement": round(float(hits[:, h].mean()), 4), "nll": round(float(nll[:, h].mean()), 4)}
                      for h, n in enumerate(names)},
            "joint": {"agreement": round(float(hits.all(1).mean()), 4), "nll": round(float(nll.sum(1).mean()), 4)}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("dump", help="botsdk dataset -> .npz (run with botsdk's Python)")
    d.add_argument("--data", required=True)
    d.add_argument("--out", required=True)
    t = sub.add_parser("train", help="train imitation's BC and score it (run with the peer's Python)")
    t.add_argument("--train", required=True)
    t.add_argument("--score", nargs="+", default=[])
    t.add_argument("--steps", type=int, default=2000)
    t.add_argument("--batch-size", type=int, default=512)
    t.add_argument("--hidden", type=int, nargs="+", default=[256, 256])
    t.add_argument("--lr", type=float, default=1e-3)
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--threads", type=int, default=1)
    t.add_argument("--out", required=True)
    args = parser.parse_args()
    if args.command == "dump":
        dump(args.data, args.out)
        return
    result = train(args.train, args.score, args.steps, args.batch_size, args.hidden, args.seed, args.lr, args.threads)
    Path(args.out).write_text(json.dumps(result, indent=2))
    print(json.dumps({k: v for k, v in result.items() if k != "scores"}
                     | {p: s["joint"] for p, s in result["scores"].items()}))


if __name__ == "__main__":
    main()
