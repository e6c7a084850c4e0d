"""The training loop: tensors in memory, batches by pure index arithmetic, no per-step host syncs.

Losses are accumulated on the device and read back only every `log_every` steps; validation, checkpoints,
TensorBoard and the progress bar run on their own cadences. Resume is exact: sampling is a pure function of the
step (botsdk.training.sampling) and the checkpoint holds weights, optimizer and early-stopping state.
"""

from __future__ import annotations

import copy
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

from botsdk.contract import BehaviourContract
from botsdk.training.averaging import WeightAverage
from botsdk.training.checkpoint import CHECKPOINT_NAME, read_checkpoint, run_weights, save_checkpoint
from botsdk.training.config import TrainConfig
from botsdk.training.distributed import DistInfo, device_for, wrap, write_replica_report
from botsdk.training.models import build_policy
from botsdk.training.objective import BCObjective
from botsdk.training.progress import ProgressReporter
from botsdk.training.sampling import BatchSampler
from botsdk.training.style import StyleEncoder
from botsdk.training.tensors import DemoTensors

if TYPE_CHECKING:
    from botsdk.training.streaming import StreamingDemos


@dataclass
class EarlyStop:
    best_val: float | None = None
    best_step: int = 0
    bad_evals: int = 0
    stopped: bool = False
    best_policy: dict | None = None
    best_encoder: dict | None = None


@dataclass
class TrainResult:
    step: int
    metrics: dict[str, Any] = field(default_factory=dict)


class Trainer:
    def __init__(self, contract: BehaviourContract, config: TrainConfig, train: "DemoTensors | StreamingDemos",
                 val: DemoTensors | None, run_dir: str | Path, dataset_hash: str, dist: DistInfo = DistInfo()):
        self.contract, self.config, self.dist = contract, config, dist
        self.run_dir, self.dataset_hash = Path(run_dir), dataset_hash
        self.device = device_for(config.device, dist)
        if config.threads:
            torch.set_num_threads(config.threads)
        torch.manual_seed(config.seed)
        self.policy = build_policy(contract, config)
        if not config.init_from:  # a fine-tuned run takes its statistics from that run (`initialize_from`)
            self.policy.trunk.features.fit(train.statistics_rows())  # (a resumed run loads the same ones back)
        self.policy.to(self.device)
        self.encoder = StyleEncoder(contract, config).to(self.device) if config.style_encoder else None
        self.objective = BCObjective(self.policy, self.encoder, config)
        self.model = wrap(self.objective, dist, self.device)
        # foreach: all tensors in a few batched ops per step (on CPU torch defaults to one op per tensor); the
        # numbers are the same, bit for bit (tests/test_train_trainer.py)
        self.optimizer = torch.optim.Adam(self.objective.parameters(), lr=config.lr, weight_decay=config.weight_decay,
                                          foreach=True)
        self.train, self.val = train.to(self.device), (val.to(self.device) if val is not None else None)
        self.sampler = (BatchSampler(self.train, config, self.policy.recurrent, dist.rank, dist.world)
                        if isinstance(self.train, DemoTensors)
                        else self.train.sampler(config, self.policy.recurrent, dist.rank, dist.world))
        self.step, self.early, self.history = 0, EarlyStop(), []
        self.average = WeightAverage(self.objective, config.ema_decay) if config.ema_decay > 0 else None

    # ---- checkpoints -----------------------------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        e = self.early
        return {
            "step": self.step, "policy": self.policy.state_dict(),
            "encoder": self.encoder.state_dict() if self.encoder is not None else None,
            "best_policy": e.best_policy, "best_encoder": e.best_encoder, "best_val": e.best_val,
            "best_step": e.best_step, "bad_evals": e.bad_evals, "stopped_early": e.stopped,
            "optimizer": self.optimizer.state_dict(), "config": self.config.to_dict(),
            "contract": self.contract.to_json(), "dataset_hash": self.dataset_hash,
            "rng": torch.get_rng_state(), "history": self.history,
            "average": self.average.state_dict() if self.average is not None else None,
        }

    def save(self) -> None:
        if self.dist.is_main:
            self.run_dir.mkdir(parents=True, exist_ok=True)
            save_checkpoint(self.run_dir / CHECKPOINT_NAME, self.state())

    def initialize_from(self, path: str | Path) -> None:
        """Start from another run's best weights (fine-tuning; the caller has checked contract and architecture).
        Its input statistics come along, so step 0 plays exactly like the loaded model; the optimizer, the step
        and the schedule start fresh."""
        policy_weights, encoder_weights = run_weights(read_checkpoint(path))
        self.policy.load_state_dict(policy_weights)
        if self.encoder is not None and encoder_weights is not None:
            self.encoder.load_state_dict(encoder_weights)
        if self.average is not None:
            self.average.reset(self.objective)

    def resume(self, path: str | Path) -> None:
        """Continue from a checkpoint (the caller has already checked its contract and dataset)."""
        state = read_checkpoint(path)
        self.policy.load_state_dict(state["policy"])
        if self.encoder is not None:
            self.encoder.load_state_dict(state["encoder"])
        self.optimizer.load_state_dict(state["optimizer"])
        if self.average is not None:
            if state.get("average") is not None:
                self.average.load_state_dict(state["average"])
            else:  # saved without an average: it starts here
                self.average.reset(self.objective)
        torch.set_rng_state(state["rng"])
        self.step, self.history = int(state["step"]), list(state["history"])
        self.early = EarlyStop(state["best_val"], int(state["best_step"]), int(state["bad_evals"]),
                               bool(state["stopped_early"]), state["best_policy"], state["best_encoder"])

    # ---- the loop --------------------------------------------------------------------------------------------
    def fit(self, progress: ProgressReporter | None = None) -> TrainResult:
        cfg = self.config
        writer = self._tensorboard()
        running = torch.zeros(len(self.objective.part_names), device=self.device)
        since_log, started, start_step = 0, time.perf_counter(), self.step
        self.model.train()
        while self.step < cfg.max_steps and not self.early.stopped:
            batch = self.sampler.batch(self.step)
            loss, parts = self.model(batch)
            self.optimizer.zero_grad(set_to_none=True)
            loss.backward()
            lr = cfg.lr_at(self.step)
            for group in self.optimizer.param_groups:
                group["lr"] = lr
            self.optimizer.step()
            if self.average is not None:
                self.average.update(self.objective)
            running += parts
            since_log += 1
            self.step += 1
            if self.step % cfg.log_every == 0 or self.step == cfg.max_steps:
                self._log(writer, running / since_log, progress)
                running.zero_()
                since_log = 0
            if self.val is not None and (self.step % cfg.eval_every == 0 or self.step == cfg.max_steps):
                self._evaluate(writer)
            if self.step % cfg.checkpoint_every == 0:
                self.save()
        elapsed = time.perf_counter() - started
        self.save()
        rows = (self.step - start_step) * cfg.batch_size
        write_replica_report(self.objective, self.dist, self.run_dir, rows, self.sampler.rows(0).tolist())
        result = TrainResult(self.step, self._summary(rows / max(elapsed, 1e-9)))
        if self.dist.is_main:
            (self.run_dir / "metrics.json").write_text(json.dumps(result.metrics, indent=2), encoding="utf-8")
        if writer is not None:
            writer.close()
        return result

    def _tensorboard(self):
        if not self.dist.is_main:
            return None
        from torch.utils.tensorboard import SummaryWriter

        self.run_dir.mkdir(parents=True, exist_ok=True)
        return SummaryWriter(log_dir=str(self.run_dir / "tb"), purge_step=self.step or None)

    def _log(self, writer, mean_parts: torch.Tensor, progress: ProgressReporter | None) -> None:
        values = dict(zip(self.objective.part_names, mean_parts.tolist()))  # the one host sync per log_every
        total = sum(v for k, v in values.items() if k.startswith("bc_"))
        if writer is not None:
            writer.add_scalar("train/bc_loss", total, self.step)
            for name, value in values.items():
                writer.add_scalar(f"train/{name}", value, self.step)
        self.history.append({"step": self.step, "train_bc_loss": total, **values})
        if progress is not None:
            progress.update(self.step, total)

    @torch.no_grad()
    def _evaluate(self, writer) -> None:
        from botsdk.training.agreement import evaluate_tensors

        self.model.eval()
        metrics = evaluate_tensors(self._judged().policy, self.val, self.config.window)
        self.model.train()
        if writer is not None:
            for name, value in metrics.items():
                writer.add_scalar(f"val/{name}", value, self.step)
        self.history.append({"step": self.step, **{f"val_{k}": v for k, v in metrics.items()}})
        self._early_stopping(metrics["bc_loss"])

    def _judged(self) -> BCObjective:
        """The weights validation judges and the run keeps: the average where there is one."""
        return self.average.module if self.average is not None else self.objective

    def _early_stopping(self, val_loss: float) -> None:
        e = self.early
        if e.best_val is None or val_loss < e.best_val - 1e-4:
            e.best_val, e.best_step, e.bad_evals = val_loss, self.step, 0
            judged = self._judged()
            e.best_policy = copy.deepcopy(judged.policy.state_dict())
            e.best_encoder = copy.deepcopy(judged.encoder.state_dict()) if judged.encoder is not None else None
        else:
            e.bad_evals += 1
            e.stopped = self.config.patience > 0 and e.bad_evals >= self.config.patience

    def _summary(self, samples_per_s: float) -> dict[str, Any]:
        last_train = next((h for h in reversed(self.history) if "train_bc_loss" in h), {})
        last_val = next((h for h in reversed(self.history) if "val_bc_loss" in h), {})
        return {"step": self.step, "stopped_early": self.early.stopped, "best_val_bc_loss": self.early.best_val,
                "best_step": self.early.best_step, "train_samples_per_s": round(samples_per_s, 1),
                "train": last_train, "val": last_val, "world_size": self.dist.world,
                "train_rows": self.train.size, "val_rows": self.val.size if self.val is not None else 0,
                "dataset_hash": self.dataset_hash, "contract_hash": self.contract.content_hash}
