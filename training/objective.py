"""The behaviour-cloning loss, as one module so DistributedDataParallel can wrap policy and encoder together.

loss = sum over heads of cross-entropy(policy(obs, persona style), action)
     + encoder_weight * the same BC loss with the style the encoder reads from other steps of the same player
     + encoder_pull * ||encoder style - the player's persona vector||^2
The encoder's two terms come on every `encoder_every`th step, weighted by it, so on average they weigh the same.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from botsdk.training.config import TrainConfig
from botsdk.training.models import PolicyBase
from botsdk.training.style import StyleEncoder, actions_onehot


class BCObjective(nn.Module):
    def __init__(self, policy: PolicyBase, encoder: StyleEncoder | None, config: TrainConfig):
        super().__init__()
        self.policy, self.encoder = policy, encoder
        self.encoder_weight, self.encoder_pull = config.encoder_weight, config.encoder_pull
        self.encoder_every = config.encoder_every

    @property
    def part_names(self) -> list[str]:
        names = [f"bc_{h}" for h in self.policy.head_names]
        if self.encoder is not None:
            names += ["encoder_bc", "encoder_pull"]
        return names

    def forward(self, batch: dict[str, torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
        """-> (scalar loss, detached per-part losses for logging without a device sync)."""
        head_losses = self.head_losses(batch["obs"], batch["actions"], batch["style"], batch.get("loss_weight"),
                                       batch.get("history"))
        loss = head_losses.sum()
        parts = [head_losses]
        if self.encoder is not None and "enc_obs" not in batch:
            parts.append(torch.zeros(2, device=loss.device))  # a step without the encoder's groups: same parts
        elif self.encoder is not None:
            style = self.encoder.encode_sets(batch["enc_obs"],
                                             actions_onehot(batch["enc_actions"], self.policy.head_sizes))
            pull = (style - batch["group_style"]).pow(2).sum(dim=-1).mean()
            groups, steps = batch["tgt_obs"].shape[:2]
            shape = (groups * steps, 1, -1) if self.policy.recurrent else (groups * steps, -1)
            tgt_obs = batch["tgt_obs"].reshape(shape)
            tgt_actions = batch["tgt_actions"].reshape(groups * steps, -1)
            tgt_history = batch["tgt_history"].reshape(shape)
            enc_bc = self.head_losses(tgt_obs, tgt_actions, style.repeat_interleave(steps, dim=0),
                                      history=tgt_history).sum()
            every = self.encoder_every
            loss = loss + every * (self.encoder_weight * enc_bc + self.encoder_pull * pull)
            parts.append(every * torch.stack([enc_bc, pull]))  # logged means stay per-step averages
        return loss, torch.cat(parts).detach()

    def head_losses(self, obs: torch.Tensor, actions: torch.Tensor, style: torch.Tensor,
                    weight: torch.Tensor | None = None, history: torch.Tensor | None = None) -> torch.Tensor:
        """Mean cross-entropy per head; obs[B, O] (or [B, T, O] for a recurrent policy); weight[B, T] (optional)
        leaves out a window's burn-in steps; history: the rows' action history (botsdk.training.history)."""
        logits = self.policy.logits(obs, style, history)
        flat_actions = actions.reshape(-1, actions.shape[-1])
        if weight is None:
            return torch.stack([F.cross_entropy(head.reshape(-1, head.shape[-1]), flat_actions[:, i])
                                for i, head in enumerate(logits)])
        flat_weight = weight.reshape(-1)
        total = flat_weight.sum().clamp_min(1.0)
        return torch.stack([(F.cross_entropy(head.reshape(-1, head.shape[-1]), flat_actions[:, i],
                                             reduction="none") * flat_weight).sum() / total
                            for i, head in enumerate(logits)])
