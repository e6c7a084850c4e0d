"""Run directories and checkpoints: everything needed to resume exactly, export, or check compatibility.

`checkpoint.pt` holds the model and encoder weights (current and best-on-validation), the optimizer, the step,
early-stopping state, torch's RNG state, the config, the contract JSON and the dataset hash. It loads with
`torch.load(weights_only=True)`: plain containers and tensors only.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from botsdk.contract import BehaviourContract
from botsdk.training.config import TrainConfig
from botsdk.training.models import PolicyBase, build_policy
from botsdk.training.style import StyleEncoder

FORMAT = "botsdk.checkpoint/1"
CHECKPOINT_NAME = "checkpoint.pt"


@dataclass
class LoadedRun:
    """A trained run, ready for export or rollouts (models in eval mode, best-on-validation weights)."""

    policy: PolicyBase
    style_encoder: StyleEncoder | None
    contract: BehaviourContract
    config: TrainConfig
    dataset_hash: str
    step: int
    path: Path
    weights_step: int = 0  # the step whose weights the policy holds (the best-on-validation one when loaded so)


def checkpoint_path(run: str | Path) -> Path:
    run = Path(run)
    return run / CHECKPOINT_NAME if run.is_dir() else run


def save_checkpoint(path: Path, state: dict[str, Any]) -> None:
    """Write atomically: a crash mid-write leaves the previous checkpoint intact."""
    tmp = path.with_suffix(".pt.tmp")
    torch.save({"format": FORMAT, **state}, tmp)
    os.replace(tmp, path)


def read_checkpoint(path: str | Path) -> dict[str, Any]:
    path = checkpoint_path(path)
    if not path.exists():
        raise FileNotFoundError(f"no checkpoint at {path}: expected a run directory holding {CHECKPOINT_NAME} or a .pt file")
    state = torch.load(path, map_location="cpu", weights_only=True)
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        got = state.get("format") if isinstance(state, dict) else type(state).__name__
        raise ValueError(f"{path}: expected a botsdk checkpoint (format {FORMAT!r}), got {got!r}")
    return state


def read_contract_from_checkpoint(path: str | Path) -> BehaviourContract:
    """The contract a checkpoint was trained for (the `.pt` reader of `botsdk.contract.load_contract`)."""
    return BehaviourContract.from_json(read_checkpoint(path)["contract"])


def run_weights(state: dict[str, Any], best: bool = True) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The policy and style-encoder weights of a checkpoint: best-on-validation where there are any and `best`;
    else the averaged weights of a run that kept an average (`ema_decay`), else the last ones."""
    use_best = best and state.get("best_policy") is not None
    average = state.get("average")
    if not use_best and average is not None:   # the average of the whole objective: its policy and encoder parts
        part = lambda name: {k[len(name) + 1:]: v for k, v in average["weights"].items() if k.startswith(f"{name}.")}
        return part("policy"), (part("encoder") if state.get("encoder") is not None else None)
    prefix = "best_" if use_best else ""
    encoder = state.get(f"{prefix}encoder") if state.get("encoder") is not None else None
    return state[f"{prefix}policy"], encoder


def load_run(run: str | Path, best: bool = True) -> LoadedRun:
    """Rebuild the policy and style encoder of a run directory (or checkpoint file), weights loaded, eval mode."""
    state = read_checkpoint(run)
    contract = BehaviourContract.from_json(state["contract"])
    config = TrainConfig.from_saved(state["config"])
    policy = build_policy(contract, config)
    policy_weights, encoder_weights = run_weights(state, best)
    policy.load_state_dict(policy_weights)
    encoder = None
    if encoder_weights is not None:
        encoder = StyleEncoder(contract, config)
        encoder.load_state_dict(encoder_weights)
        encoder.eval()
    policy.eval()
    weights_step = int(state.get("best_step") or 0) if best and state.get("best_policy") is not None \
        else int(state["step"])
    return LoadedRun(policy, encoder, contract, config, state["dataset_hash"], int(state["step"]),
                     checkpoint_path(run), weights_step)
