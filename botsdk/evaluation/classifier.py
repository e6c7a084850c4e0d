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

    def __getstate__(self) -> dict[str, Any]:
        """Pickled as its sizes and weights (a classifier trained in a worker process comes back this way): the
        model's class is built on demand, so that torch loads only when a classifier is used."""
        gru = self.model.gru
        return {"sizes": (gru.input_size, self.n_classes, gru.hidden_size), "weights": self.model.state_dict(),
                "mean": self.mean, "std": self.std}

    def __setstate__(self, state: dict[str, Any]) -> None:
        model = _build(*state["sizes"])
        model.load_state_dict(state["weights"])
        self.__init__(model, state["mean"], state["std"], state["sizes"][1])

    def predict_proba(self, x: np.ndarray, batch: int = 1024) -> np.ndarray:
        import torch

        if len(x) == 0:
            return np.zeros((0, self.n_classes), np.float32)
        out = []
        self.model.eval()
        with _one_thread(), torch.no_grad():
            for s in range(0, len(x), batch):
                xb = torch.from_numpy(((x[s:s + batch] - self.mean) / self.std).astype(np.float32))
                out.append(torch.softmax(self.model(xb), dim=1).numpy())
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
    with _one_thread():
        return _fit(x, y, n_classes, rng, config)


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


@dataclass(frozen=True)
class SequenceConfig:
    """The Turing discriminator: a GRU that reads whole episodes and says at every step which side it is on.
    Chosen on the validation split (docs/research/human_likeness.md): wider or longer-trained models did not
    separate the power panel better and moved the floor further from 0.5."""

    hidden: int = 32
    updates: int = 300
    batch: int = 16           # episodes per update
    chunk: int = 64           # steps of each episode per update (a random stretch): ~4 s of play
    lr: float = 3e-3


class SequenceClassifier:
    """GRU over an episode's per-step features -> a log-odds per step; an episode scores the mean of its steps."""

    def __init__(self, model: Any, mean: np.ndarray, std: np.ndarray):
        self.model, self.mean, self.std = model, mean, std

    def episode_scores(self, episodes: list[np.ndarray]) -> np.ndarray:
        import torch

        out = np.zeros(len(episodes), np.float64)
        self.model.eval()
        with _one_thread(), torch.no_grad():
            for i, x in enumerate(episodes):
                xs = torch.from_numpy(((x - self.mean) / self.std).astype(np.float32))[None]
                out[i] = float(self.model(xs)[0].mean())
        return out


def _sequence_model(n_features: int, hidden: int) -> Any:
    from torch import nn

    class StepGru(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.gru = nn.GRU(n_features, hidden, batch_first=True)
            self.out = nn.Linear(hidden, 1)

        def forward(self, x: Any) -> Any:
            y, _ = self.gru(x)
            return self.out(y).squeeze(-1)

    return StepGru()


class _one_thread:
    """Tiny matmuls: one torch thread is fastest and immune to a busy machine."""

    def __enter__(self) -> None:
        import torch

        self.threads = torch.get_num_threads()
        torch.set_num_threads(1)

    def __exit__(self, *exc: Any) -> None:
        import torch

        torch.set_num_threads(self.threads)


def train_sequence_classifier(negative: list[np.ndarray], positive: list[np.ndarray], seed: int,
                              config: SequenceConfig = SequenceConfig()) -> SequenceClassifier:
    """Episodes of two classes (float32[T, F] each) -> per-step binary classifier; classes sampled equally, so
    group sizes do not tilt it. Deterministic for a seed."""
    import torch

    if not negative or not positive:
        raise ValueError(f"a discriminator needs episodes of both classes; received {len(negative)} reference and "
                         f"{len(positive)} candidate episodes")
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    stacked = np.concatenate(negative + positive)
    mean, std = stacked.mean(axis=0), stacked.std(axis=0) + 1e-3
    classes = [[(x - mean) / std for x in negative], [(x - mean) / std for x in positive]]
    model = _sequence_model(stacked.shape[1], config.hidden)
    opt = torch.optim.Adam(model.parameters(), lr=config.lr)
    model.train()
    with _one_thread():
        for _ in range(config.updates):
            x, y, mask = _chunk_batch(classes, config, rng)
            loss = torch.nn.functional.binary_cross_entropy_with_logits(model(x), y, reduction="none")
            opt.zero_grad()
            ((loss * mask).sum() / mask.sum()).backward()
            opt.step()
    return SequenceClassifier(model, mean, std)


def _chunk_batch(classes: list[list[np.ndarray]], config: SequenceConfig, rng: np.random.Generator) -> tuple:
    import torch

    labels = rng.integers(0, 2, config.batch)
    width = classes[0][0].shape[1]
    x = np.zeros((config.batch, config.chunk, width), np.float32)
    mask = np.zeros((config.batch, config.chunk), np.float32)
    for b, label in enumerate(labels):
        episode = classes[label][rng.integers(len(classes[label]))]
        start = int(rng.integers(0, max(1, len(episode) - config.chunk + 1)))
        piece = episode[start:start + config.chunk]
        x[b, :len(piece)], mask[b, :len(piece)] = piece, 1.0
    y = np.repeat(labels[:, None].astype(np.float32), config.chunk, axis=1)
    return torch.from_numpy(x), torch.from_numpy(y), torch.from_numpy(mask)
