"""Data-parallel training across processes: `torchrun --nproc_per_node=N -m botsdk.training.distributed --data D --out R`
(or `torchrun --nproc_per_node=N .venv/bin/botsdk train ...`). gloo on CPU, nccl when training on CUDA.

Each rank reads the same dataset and takes its own shard of every global batch (see botsdk.training.sampling); DDP
averages gradients, so all replicas hold identical weights. Only rank 0 writes logs and checkpoints.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn


@dataclass(frozen=True)
class DistInfo:
    rank: int = 0
    world: int = 1
    local_rank: int = 0

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def enabled(self) -> bool:
        return self.world > 1


def init_from_env(device: str) -> DistInfo:
    """Join the process group torchrun describes in the environment; a single process when there is none."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        return DistInfo()
    import torch.distributed as dist

    backend = "nccl" if device.startswith("cuda") and torch.cuda.is_available() else "gloo"
    if not dist.is_initialized():
        dist.init_process_group(backend=backend)
    return DistInfo(dist.get_rank(), dist.get_world_size(), int(os.environ.get("LOCAL_RANK", "0")))


def device_for(config_device: str, info: DistInfo) -> torch.device:
    if config_device.startswith("cuda") and info.enabled:
        torch.cuda.set_device(info.local_rank)
        return torch.device("cuda", info.local_rank)
    return torch.device(config_device)


def wrap(module: nn.Module, info: DistInfo, device: torch.device) -> nn.Module:
    if not info.enabled:
        return module
    from torch.nn.parallel import DistributedDataParallel

    ids = [device.index] if device.type == "cuda" else None
    return DistributedDataParallel(module, device_ids=ids)


def parameter_hash(module: nn.Module) -> str:
    digest = hashlib.sha256()
    for name, tensor in sorted(module.state_dict().items()):
        digest.update(name.encode())
        digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()


def write_replica_report(module: nn.Module, info: DistInfo, run_dir: Path, rows_seen: int,
                         first_rows: list[int]) -> None:
    """Every rank's weight hash, rows trained on and its first batch's rows, gathered to rank 0 and written to replicas.json (the DDP test reads it)."""
    if not info.enabled:
        return
    import torch.distributed as dist

    mine = {"rank": info.rank, "param_hash": parameter_hash(module), "rows_seen": rows_seen, "first_rows": first_rows}
    gathered: list[dict] = [{} for _ in range(info.world)]
    dist.all_gather_object(gathered, mine)
    if info.is_main:
        report = {"world_size": info.world, "backend": dist.get_backend(), "replicas": gathered}
        (run_dir / "replicas.json").write_text(json.dumps(report, indent=2), encoding="utf-8")


def shutdown(info: DistInfo) -> None:
    if info.enabled:
        import torch.distributed as dist

        dist.barrier()
        dist.destroy_process_group()


def main() -> None:
    from botsdk.training.api import cli_main

    cli_main()


if __name__ == "__main__":
    main()
