"""botsdk's default training recipe against `imitation`'s behaviour cloning (bc.BC), side by side.

Both learn from the same training split and are scored on the same held-out split (players neither trained on,
one unseen player per persona), with the same per-head and joint measures (`botsdk score`). Per seed: botsdk
trains with its defaults (only the seed and one torch thread set); the peer trains for the same
number of samples seen, and again for botsdk's training time (the samples the peer processes in it, from both sides
throughput measured in back-to-back short runs). Intervals are 95% t-intervals over seeds.

    # one recording, split twice by player (every persona keeps held-out players in each split):
    # train (both learn from it), val (recipe choices were made on it), final (the figures below; nothing tuned on)
    botsdk record --map crossroads --episodes 960 --players-per-style 5 --out runs/peer/all
    botsdk data split runs/peer/all --by player --val-fraction 0.5 --out runs/peer/s1
    botsdk data split runs/peer/s1/val --by player --val-fraction 0.5 --out runs/peer/s2
    mv runs/peer/s1/train runs/peer/train; mv runs/peer/s2/train runs/peer/val; mv runs/peer/s2/val runs/peer/final
    # the peer's own environment (imitation pins an older gymnasium; torch pinned to the CPU build botsdk uses)
    python -m venv .venv-peer
    echo "torch==2.13.0" > /tmp/peer-constraints.txt
    .venv-peer/bin/pip install -c /tmp/peer-constraints.txt --index-url https://download.pytorch.org/whl/cpu torch
    .venv-peer/bin/pip install -c /tmp/peer-constraints.txt imitation==1.0.1
    # the comparison (writes WORK/compare-<split>.json and prints the markdown table)
    nice -n 10 .venv/bin/python docs/research/imitation_vs_peer.py --work runs/peer --split final --seeds 0 1 2
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
PEER_SCRIPT = HERE / "peer_bc.py"
BOTSDK = str(Path(sys.executable).parent / "botsdk")
T95 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571}  # two-sided 95% t quantiles by degrees of freedom


def _run(argv: list[str]) -> str:
    done = subprocess.run(argv, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{done.stderr[-2000:]}")
    return done.stdout


def _json_tail(text: str) -> dict:
    return json.loads(text[text.index("{"):])


def botsdk_seed(work: Path, split: str, seed: int, config: Path | None) -> dict:
    """Train with the defaults, export the best step, score it on `split` through the torch-free runtime."""
    run = work / "cmp" / f"botsdk-s{seed}"
    model, scored = run.with_suffix(".onnx"), run.with_suffix(f".{split}.json")
    if not (run / "metrics.json").exists():
        overrides = run.with_suffix(".toml")  # one torch thread, like the peer; no progress bar; plus --config's
        overrides.write_text("threads = 1\nprogress = false\n" + (config.read_text() if config else ""))
        _run([BOTSDK, "train", "--data", str(work / "train"), "--out", str(run), "--seed", str(seed), "--config",
              str(overrides), "--json"])
        model.unlink(missing_ok=True)
    if not model.exists():
        _run([BOTSDK, "export", str(run), "--out", str(model), "--data", str(work / "val"), "--json"])
        scored.unlink(missing_ok=True)
    if not scored.exists():
        scored.write_text(_run([BOTSDK, "score", "--policy", str(model), "--data", str(work / split), "--json"]))
    metrics, score, used = json.loads((run / "metrics.json").read_text()), _json_tail(scored.read_text()), _config(run)
    batches = int(metrics["step"]) * int(used["batch_size"])  # rows (MLP) or windows (GRU)
    train_s = batches / float(metrics["train_samples_per_s"])  # the training loop's own time, evaluations included
    samples = batches * (int(used["window"]) if used["model"] == "gru" else 1)
    return {"seed": seed, "samples": samples, "train_wall_s": round(train_s, 2), "best_step": metrics["best_step"],
            "config": used, "joint": score["joint"], "heads": score["heads"]}


def _config(run: Path) -> dict:
    import tomllib

    return tomllib.loads((run / "config.toml").read_text())


def peer_seed(work: Path, split: str, seed: int, steps: int, batch: int, peer_python: str, tag: str) -> dict:
    out = work / "cmp" / f"peer-{tag}-{split}-s{seed}.json"
    score_file = work / f"{split}.npz"
    if not _done(out, steps, str(score_file)):
        _run([peer_python, str(PEER_SCRIPT), "train", "--train", str(work / "train.npz"), "--score", str(score_file),
              "--steps", str(steps), "--batch-size", str(batch), "--seed", str(seed), "--threads", "1", "--out",
              str(out)])
    result = json.loads(out.read_text())
    score = result["scores"][str(score_file)]
    return {"seed": seed, "samples": steps * batch, "steps": steps, "train_wall_s": result["train_wall_s"],
            "joint": score["joint"], "heads": score["heads"]}


def paired_throughput(work: Path, pairs: int, samples: int, batch: int, peer_python: str,
                      config: Path | None) -> dict:
    """Training samples per second of both, measured in back-to-back short runs (machine-load drift hits both
    sides of a pair alike); the equal wall-clock comparison gives the peer botsdk's time at this ratio."""
    ours, peer = [], []
    for pair in range(pairs):
        run = work / "cmp" / f"throughput-botsdk-{pair}"
        overrides = run.with_suffix(".toml")
        overrides.write_text("threads = 1\nprogress = false\n" + (config.read_text() if config else ""))
        batch_ours = int(_config_from(overrides).batch_size)
        _run([BOTSDK, "train", "--data", str(work / "train"), "--out", str(run), "--config", str(overrides),
              "--max-steps", str(samples // batch_ours), "--json"])
        ours.append(float(json.loads((run / "metrics.json").read_text())["train_samples_per_s"]))
        out = work / "cmp" / f"throughput-peer-{pair}.json"
        _run([peer_python, str(PEER_SCRIPT), "train", "--train", str(work / "train.npz"), "--steps",
              str(samples // batch), "--batch-size", str(batch), "--threads", "1", "--out", str(out)])
        peer.append(float(json.loads(out.read_text())["samples_per_s"]))
    ratios = [a / b for a, b in zip(ours, peer)]
    return {"botsdk_samples_per_s": ours, "peer_samples_per_s": peer, "pair_ratios": [round(r, 3) for r in ratios],
            "ratio": round(float(np.median(ratios)), 3)}


def _config_from(path: Path):
    from botsdk.training.config import TrainConfig

    return TrainConfig.from_toml(path)


def _done(out: Path, steps: int, score_file: str) -> bool:
    """A run of the same length scored on the same split is already there (the comparison resumes)."""
    if not out.exists():
        return False
    result = json.loads(out.read_text())
    return result["steps"] == steps and score_file in result["scores"]


def interval(values: list[float]) -> tuple[float, float]:
    """Mean and half-width of the 95% t-interval."""
    mean = float(np.mean(values))
    if len(values) < 2:
        return mean, float("nan")
    return mean, T95.get(len(values) - 1, 1.96) * float(np.std(values, ddof=1)) / math.sqrt(len(values))


def summarise(runs: list[dict]) -> dict:
    out = {}
    for key in ("agreement", "nll"):
        mean, half = interval([r["joint"][key] for r in runs])
        out[key] = {"mean": round(mean, 4), "ci95": round(half, 4), "seeds": [r["joint"][key] for r in runs]}
    for head in runs[0]["heads"]:
        out[f"{head}_agreement"] = round(float(np.mean([r["heads"][head]["agreement"] for r in runs])), 4)
    out["samples"] = int(np.mean([r["samples"] for r in runs]))
    out["train_wall_s"] = round(float(np.mean([r["train_wall_s"] for r in runs])), 1)
    return out


def table(summary: dict) -> str:
    rows = ["| run | samples seen | train wall (s) | joint agreement (95% CI) | summed NLL (95% CI) | "
            "move | turn | fire | interact |", "|---|---|---|---|---|---|---|---|---|"]
    for name, s in summary.items():
        a, n = s["agreement"], s["nll"]
        rows.append(f"| {name} | {s['samples']:,} | {s['train_wall_s']} | {a['mean']:.4f} ± {a['ci95']:.4f} | "
                    f"{n['mean']:.4f} ± {n['ci95']:.4f} | {s['move_agreement']:.4f} | {s['turn_agreement']:.4f} | "
                    f"{s['fire_agreement']:.4f} | {s['interact_agreement']:.4f} |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", default="runs/peer", help="holds train/, val/ and the scored split")
    parser.add_argument("--split", default="final", help="the split scored (not the one choices were made on)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--config", help="a TOML of botsdk overrides (default: none, botsdk's defaults)")
    parser.add_argument("--peer-python", default=".venv-peer/bin/python")
    parser.add_argument("--peer-batch", type=int, default=512)
    parser.add_argument("--pairs", type=int, default=3, help="back-to-back throughput pairs")
    args = parser.parse_args()
    work = Path(args.work)
    (work / "cmp").mkdir(parents=True, exist_ok=True)
    for name in ("train", args.split):
        if not (work / f"{name}.npz").exists():
            _run([sys.executable, str(PEER_SCRIPT), "dump", "--data", str(work / name), "--out",
                  str(work / f"{name}.npz")])
    config = Path(args.config) if args.config else None
    speed = paired_throughput(work, args.pairs, 153_600, args.peer_batch, args.peer_python, config)
    ours, equal_samples, equal_wall = [], [], []
    for seed in args.seeds:
        mine = botsdk_seed(work, args.split, seed, config)
        ours.append(mine)
        peer = peer_seed(work, args.split, seed, mine["samples"] // args.peer_batch, args.peer_batch,
                         args.peer_python, "samples")
        equal_samples.append(peer)
        steps = max(1, round(mine["samples"] / speed["ratio"] / args.peer_batch))  # botsdk's time at peer speed
        equal_wall.append(peer_seed(work, args.split, seed, steps, args.peer_batch, args.peer_python, "wall"))
        print(json.dumps({"seed": seed, "botsdk": mine["joint"], "peer_equal_samples": peer["joint"],
                          "peer_equal_wall": equal_wall[-1]["joint"]}), file=sys.stderr)
    summary = {"botsdk (defaults)": summarise(ours), "imitation bc.BC, equal samples": summarise(equal_samples),
               "imitation bc.BC, equal wall-clock": summarise(equal_wall)}
    result = {"split": args.split, "seeds": args.seeds, "botsdk_config": ours[0]["config"], "summary": summary,
              "throughput": speed,
              "runs": {"botsdk": ours, "peer_equal_samples": equal_samples, "peer_equal_wall": equal_wall}}
    (work / f"compare-{args.split}.json").write_text(json.dumps(result, indent=2))
    print(table(summary))


if __name__ == "__main__":
    main()
