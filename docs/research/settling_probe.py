"""What a model lacks to settle its aim as people do after a flick: capacity, or the shape of the rule?

On the steps after each answer (the evaluation's rule, `botsdk.training.answer`) of a recording, two additions to
a trained model's turn log-probabilities are fitted while the model stays frozen, and read on the steps after the
answers of `settling_oracle.py`'s matches (which the model never saw, with the demonstrators' own probabilities):

- a residual head, a 64-unit MLP on the model's trunk features and the answer (steps since, the flick's size and
  bearing, the bearing now and a step before, all toward the flick's side);
- a lean, three numbers for each of the two steps after the answer:
  logits += a tanh(past / 3) + b [past >= 3] + c [past < -3], `past` each option's degrees beyond the enemy.

    python docs/research/settling_probe.py runs/quickstart/run runs/quickstart/data runs/settling-oracle

Prints, per probe, the swing past the enemy played and expected (clipped at 3 degrees, as the habit is) and the
NLL of the turns played there."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch
from torch import nn

from botsdk.dataset import Dataset
from botsdk.training.answer import answer_layout
from botsdk.training.checkpoint import load_run
from botsdk.training.history import recorded_history
from botsdk.training.tensors import load_dataset_tensors

CLIP_DEG = 3.0
Rows = dict[str, torch.Tensor]


def settling_rows(policy: nn.Module, data: Path) -> Rows:
    """The steps after each answer (1 or 2 steps on, the enemy in view) with what the probes read."""
    dataset = Dataset.open(data)
    layout = answer_layout(dataset.contract)
    rows = load_dataset_tensors(dataset, [e.id for e in dataset.episodes], True, False)
    answer = recorded_history(rows.actions, rows.obs, rows.episode_start, rows.episode_length, policy.sight.layout,
                              layout)[:, -2:]
    with torch.no_grad():
        features = policy.trunk(rows.obs, policy.style_proj(rows.style), policy.history_features(rows.history))
        base = torch.log_softmax(policy.split_heads(features, rows.obs)[layout.turn_head], -1)
    degrees, bearing = torch.tensor(layout.turn_degrees), layout.bearing(rows.obs)
    at = torch.nonzero(((answer[:, 0] == 1) | (answer[:, 0] == 2)) & (layout.visible_now(rows.obs) > 0))[:, 0]
    since = answer[at, 0]
    flick = degrees[(answer[at, 1] - 1).clamp(min=0)]
    side = torch.sign(flick)
    previous_turn = degrees[rows.actions[at - 1, layout.turn_head]]
    answer_features = torch.stack([since.float() - 1.5, bearing[at - since] / 30 * side, flick / 30 * side,
                                   bearing[at] / 10 * side, previous_turn / 30 * side, bearing[at - 1] / 10 * side], -1)
    return {"at": at, "since": since, "features": features[at], "answer": answer_features, "base": base[at],
            "taken": rows.actions[at, layout.turn_head], "past": (degrees[None] - bearing[at][:, None]) * side[:, None]}


class ResidualHead(nn.Module):
    def __init__(self, features: int, answer: int, options: int):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(features + answer, 64), nn.ReLU(), nn.Linear(64, options))
        nn.init.zeros_(self.net[-1].weight)
        nn.init.zeros_(self.net[-1].bias)

    def forward(self, rows: Rows) -> torch.Tensor:
        return torch.log_softmax(rows["base"] + self.net(torch.cat([rows["features"], rows["answer"]], -1)), -1)


class Lean(nn.Module):
    def __init__(self):
        super().__init__()
        self.weights = nn.Parameter(torch.zeros(2, 3))

    def forward(self, rows: Rows) -> torch.Tensor:
        past = rows["past"]
        shapes = torch.stack([torch.tanh(past / CLIP_DEG), (past >= CLIP_DEG).float(), (past < -CLIP_DEG).float()], -1)
        weights = self.weights[rows["since"] - 1]
        return torch.log_softmax(rows["base"] + (shapes * weights[:, None, :]).sum(-1), -1)


def nll(log_probs: torch.Tensor, rows: Rows) -> torch.Tensor:
    return -log_probs.gather(1, rows["taken"][:, None]).mean()


def fit_residual(train: Rows, stop: Rows) -> nn.Module:
    """Adam on the fitting rows, kept at its best NLL on the stopping rows (patience 15 epochs)."""
    torch.manual_seed(0)
    head = ResidualHead(train["features"].shape[1], train["answer"].shape[1], train["base"].shape[1])
    optimiser = torch.optim.AdamW(head.parameters(), lr=1e-3, weight_decay=1e-3)
    best, best_state, best_epoch = float("inf"), None, 0
    for epoch in range(200):
        for batch in torch.randperm(len(train["taken"])).split(256):
            loss = nll(head(subset(train, batch)), subset(train, batch))
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
        with torch.no_grad():
            value = float(nll(head(stop), stop))
        if value < best:
            best, best_state, best_epoch = value, {k: t.clone() for k, t in head.state_dict().items()}, epoch
        elif epoch - best_epoch > 15:
            break
    head.load_state_dict(best_state)
    return head


def fit_lean(train: Rows) -> nn.Module:
    lean = Lean()
    optimiser = torch.optim.LBFGS(lean.parameters(), max_iter=200)

    def closure() -> torch.Tensor:
        optimiser.zero_grad()
        loss = nll(lean(train), train)
        loss.backward()
        return loss

    optimiser.step(closure)
    return lean


def subset(rows: Rows, index: torch.Tensor) -> Rows:
    return {k: v[index] for k, v in rows.items()}


def line(name: str, log_probs: torch.Tensor, rows: Rows) -> str:
    past = rows["past"].clamp(-CLIP_DEG, CLIP_DEG)
    played = float(past.gather(1, rows["taken"][:, None]).mean())
    expected = float((log_probs.exp() * past).sum(-1).mean())
    score = float(nll(log_probs, rows))
    return f"| {name} | {len(rows['taken'])} | {played:+.2f}° | {expected:+.2f}° | {score:.3f} |"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path, help="a training run of a model with the sight clock")
    parser.add_argument("data", type=Path, help="the recording it learned from")
    parser.add_argument("oracle", type=Path, help="settling_oracle.py's output directory")
    args = parser.parse_args()
    policy = load_run(args.run).policy.eval()
    recording, test = settling_rows(policy, args.data), settling_rows(policy, args.oracle / "data")
    demonstrators = torch.from_numpy(np.load(args.oracle / "turn_probs.npy"))[test["at"]]
    order = torch.randperm(len(recording["taken"]), generator=torch.Generator().manual_seed(0))
    cut = int(0.85 * len(order))
    train, stop = subset(recording, order[:cut]), subset(recording, order[cut:])
    residual, lean = fit_residual(train, stop), fit_lean(train)
    print("| on the oracle's matches | steps | swing played | expected | NLL |")
    print("|---|---|---|---|---|")
    with torch.no_grad():
        print(line("demonstrators", (demonstrators + 1e-9).log(), test))
        print(line("the model", test["base"], test))
        print(line("+ residual head", residual(test), test))
        print(line("+ lean", lean(test), test))
