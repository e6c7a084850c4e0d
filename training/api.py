"""Train a run from a dataset directory: the one path behind `botsdk train` and `python -m botsdk.training.distributed`.

Everything that can be refused is refused before the first step: a config contract that disagrees with the
dataset's, a resumed checkpoint trained on another contract or another dataset, a run to fine-tune from
(`init_from`) with another contract or another model shape.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botsdk.contract import BehaviourContract, check_compatible
from botsdk.training.config import ARCHITECTURE_KEYS, TrainConfig


class TrainingInputError(ValueError):
    """The inputs of a run disagree (contract, dataset, checkpoint); the message names both sides."""


@dataclass
class PreparedData:
    contract: BehaviourContract
    dataset_hash: str
    train_ids: list[Any]
    val_ids: list[Any]
    dataset: Any


def expected_contract(spec: str) -> BehaviourContract | None:
    """The contract a config pins: '' (none), 'arena' (the built-in arena's) or a path to a contract file."""
    if not spec:
        return None
    if spec == "arena":
        from botsdk.arena.contract import arena_contract

        return arena_contract()
    from botsdk.contract import load_contract

    return load_contract(spec)


def prepare(data_dir: str | Path, config: TrainConfig) -> PreparedData:
    from botsdk.dataset import Dataset
    from botsdk.training.tensors import split_episodes

    dataset = Dataset.open(data_dir)
    pinned = expected_contract(config.contract)
    if pinned is not None:
        check_compatible(pinned, dataset.contract, "config", "dataset")
    train_ids, val_ids = split_episodes(dataset.episodes, config.val_split, config.val_fraction, config.seed)
    if not train_ids:
        raise TrainingInputError(f"dataset {data_dir}: expected at least one training episode, got none "
                                 f"({len(dataset.episodes)} episodes in total)")
    return PreparedData(dataset.contract, dataset.content_hash, train_ids, val_ids, dataset)


def check_resume(checkpoint: Path, data: PreparedData) -> None:
    from botsdk.training.checkpoint import read_checkpoint

    state = read_checkpoint(checkpoint)
    check_compatible(BehaviourContract.from_json(state["contract"]), data.contract, "checkpoint", "dataset")
    if state["dataset_hash"] != data.dataset_hash:
        raise TrainingInputError(f"resume: checkpoint was trained on dataset {state['dataset_hash']}, "
                                 f"this dataset is {data.dataset_hash}")


def check_init_from(config: TrainConfig, data: PreparedData) -> None:
    """A run to fine-tune from must play the dataset's contract with a model of this config's shape."""
    from botsdk.training.checkpoint import read_checkpoint

    state = read_checkpoint(config.init_from)
    check_compatible(BehaviourContract.from_json(state["contract"]), data.contract, "init_from checkpoint", "dataset")
    source = TrainConfig.from_saved(state["config"])
    differing = [f"{key}: this config {getattr(config, key)!r}, checkpoint {getattr(source, key)!r}"
                 for key in ARCHITECTURE_KEYS if getattr(config, key) != getattr(source, key)]
    if differing:
        raise TrainingInputError(f"init_from {config.init_from}: expected a model of the same shape, "
                                 f"got differing keys ({'; '.join(differing)})")


def train_run(data_dir: str | Path, out: str | Path, config: TrainConfig, resume: bool = False) -> dict[str, Any]:
    """Train (or continue) the run in `out` on the dataset in `data_dir`; returns the run's metrics."""
    from botsdk.training.checkpoint import CHECKPOINT_NAME
    from botsdk.training.distributed import init_from_env, shutdown
    from botsdk.training.progress import ProgressReporter
    from botsdk.training.trainer import Trainer

    out = Path(out)
    data = prepare(data_dir, config)
    checkpoint = out / CHECKPOINT_NAME
    resuming = resume and checkpoint.exists()
    if resuming:
        check_resume(checkpoint, data)
    elif config.init_from:
        check_init_from(config, data)
    dist = init_from_env(config.device)
    try:
        train, val = load_splits(data, config)
        trainer = Trainer(data.contract, config, train, val, out, data.dataset_hash, dist)
        if resuming:
            trainer.resume(checkpoint)
        elif config.init_from:
            trainer.initialize_from(config.init_from)
        if dist.is_main:
            out.mkdir(parents=True, exist_ok=True)
            (out / "config.toml").write_text(config.to_toml(), encoding="utf-8")
        with ProgressReporter(config.max_steps, trainer.step, config.progress and dist.is_main) as progress:
            result = trainer.fit(progress)
        result.metrics["train_episodes"], result.metrics["val_episodes"] = len(data.train_ids), len(data.val_ids)
        return result.metrics
    finally:
        shutdown(dist)


def load_splits(data: PreparedData, config: TrainConfig) -> tuple[Any, Any]:
    """(train, val): both in memory, or with `loader = "stream"` the training set streamed from disk and at most a
    buffer's worth of validation rows in memory (botsdk.training.streaming)."""
    from botsdk.training.tensors import load_dataset_tensors

    if config.loader == "stream":
        from botsdk.training.streaming import StreamingDemos

        train = StreamingDemos(data.dataset, data.train_ids, config)
        val = StreamingDemos(data.dataset, data.val_ids, config).bounded() if data.val_ids else None
        return train, val
    clocks = (config.sight_timer, config.answer_memory)
    train = load_dataset_tensors(data.dataset, data.train_ids, *clocks)
    return train, (load_dataset_tensors(data.dataset, data.val_ids, *clocks) if data.val_ids else None)


def load_config(path: str | Path | None, **overrides: Any) -> TrainConfig:
    config = TrainConfig.from_toml(path) if path else TrainConfig()
    changes = {k: v for k, v in overrides.items() if v is not None}
    return config.replace(**changes) if changes else config


def cli_main(argv: list[str] | None = None) -> None:
    """`python -m botsdk.training.distributed --data DIR --out RUN [--config FILE] [--resume] [--max-steps N]`."""
    parser = argparse.ArgumentParser(prog="botsdk.training.distributed", description=cli_main.__doc__)
    parser.add_argument("--data", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--config")
    parser.add_argument("--resume", action="store_true")
    parser.add_argument("--max-steps", type=int)
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    config = load_config(args.config, max_steps=args.max_steps, progress=False if args.no_progress else None)
    train_run(args.data, args.out, config, resume=args.resume)
