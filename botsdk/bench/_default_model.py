"""The model users get by default, exported through the real export path (untrained weights, seeded): what the
runtime and bridge benchmarks serve, so their figures are the default model's cost."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def export_default_policy(directory: Path) -> tuple[Any, Path, Any]:
    import torch

    from botsdk.arena.contract import arena_contract
    from botsdk.export.onnx_export import export_policy
    from botsdk.training.config import TrainConfig
    from botsdk.training.models import build_policy

    contract, config = arena_contract(), TrainConfig()
    torch.manual_seed(0)
    policy = build_policy(contract, config).eval()
    path = directory / "policy.onnx"
    export_policy(policy, contract, path, model_version="bench", training_config=config.to_dict(), dataset_hash="none")
    return policy, path, config
