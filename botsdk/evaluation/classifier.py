"""A small GRU over feature windows, trained fresh for each evaluation: the Turing discriminator and the style
classifier share it. Torch is imported here only, lazily, so `import botsdk.evaluation` stays torch-free."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class ClassifierConfig:
    hidden: int = 32
    epochs: int = 8
    min_updates: int = 200          # small sets still get enough optimiser steps
    batch: int = 128
    lr: float = 3e-3
    max_train_windows: int = 6000   # subsampled above this: keeps an evaluation to seconds on 2 cores


class WindowClassifier:
    """GRU(windows) -> last hidden state -> logits over classes; inputs standardised with training statistics."""

    def __init__(self, model: Any, mean: np.ndarray, std: np.ndarray, n_classes: int):
        self.model, self.mean, self.std, self.n_classes = model, mean, std, n_classes

    def predict_proba(self, x: np.ndarray, batch: int = 1024) -> np.ndarray:
        import torch

        if len(x) == 0:
            return np.zeros((0, self.n_classes), np.float32)
        out = []
        self.model.eval()
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        with torch.no_grad():
            for s in range(0, len(x), batch):
                xb = torch.from_numpy(((x[s:s + batch] - self.mean) / self.std).astype(np.float32))
                out.append(torch.softmax(self.model(xb), dim=1).numpy())
        torch.set_num_threads(threads)
        return np.concatenate(out)


def _build(n_features: int, n_classes: int, hidden: int) -> Any:
    import torch
    from torch import nn

    class GruHead(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.gru = nn.GRU(n_features, hidden, batch_first=True)
            self.out = nn.Linear(hidden, n_classes)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            _, h = self.gru(x)
            return self.out(h[-1])

    return GruHead()


def train_classifier(x: np.ndarray, y: np.ndarray, n_classes: int, seed: int,
                     config: ClassifierConfig = ClassifierConfig()) -> WindowClassifier:
    """Class-balanced cross-entropy, Adam, a fixed number of updates; deterministic for a seed."""
    import torch

    if len(x) == 0:
        raise ValueError("train_classifier needs at least one window; received none")
    present = np.unique(y)
    if len(present) < 2:
        raise ValueError(f"train_classifier needs windows of at least 2 classes; received only {present.tolist()}")
    rng = np.random.default_rng(seed)
    if len(x) > config.max_train_windows:
        keep = rng.choice(len(x), config.max_train_windows, replace=False)
        x, y = x[keep], y[keep]
    torch.manual_seed(seed)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)   # tiny matmuls: one thread is fastest and immune to a busy machine
    try:
        return _fit(x, y, n_classes, rng, config)
    finally:
        torch.set_num_threads(threads)


def _fit(x: np.ndarray, y: np.ndarray, n_classes: int, rng: np.random.Generator,
         config: ClassifierConfig) -> WindowClassifier:
    import torch

    mean = x.reshape(-1, x.shape[-1]).mean(axis=0)
    std = x.reshape(-1, x.shape[-1]).std(axis=0) + 1e-3
    model = _build(x.shape[-1], n_classes, config.hidden)
    counts = np.bincount(y, minlength=n_classes).astype(np.float64)
    weights = np.where(counts > 0, len(y) / (n_classes * np.maximum(counts, 1)), 0.0)
    loss_fn = torch.nn.CrossEntropyLoss(weight=torch.tensor(weights, dtype=torch.float32))
    opt = torch.optim.Adam(model.parameters(), lr=config.lr)
    xt = torch.from_numpy(((x - mean) / std).astype(np.float32))
    yt = torch.from_numpy(y.astype(np.int64))
    model.train()
    per_epoch = -(-len(x) // config.batch)
    updates = max(config.epochs * per_epoch, config.min_updates)
    order = np.zeros(0, np.int64)
    for _ in range(updates):
        if len(order) < config.batch:
            order = np.concatenate([order, rng.permutation(len(x))])
        idx, order = torch.from_numpy(order[:config.batch]), order[config.batch:]
        opt.zero_grad()
        loss_fn(model(xt[idx]), yt[idx]).backward()
        opt.step()
    return WindowClassifier(model, mean, std, n_classes)
