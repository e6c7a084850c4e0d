"""Held-out inputs and the parity check between a reference (torch) and an exported ONNX model. No torch import:
the reference arrives as numpy arrays."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Sequence

import numpy as np

from botsdk.contract import BehaviourContract


@dataclass(frozen=True)
class ParityReport:
    """How far the exported outputs are from the reference: what the export gate decides on."""

    samples: int
    max_abs_logit_diff: float
    max_abs_state_diff: float
    argmax_agreement: float          # fraction of (row, head) decisions with the same argmax
    atol: float
    min_agreement: float

    @property
    def passed(self) -> bool:
        return (self.max_abs_logit_diff <= self.atol and self.max_abs_state_diff <= self.atol
                and self.argmax_agreement >= self.min_agreement)

    def failure(self) -> str:
        """Why the check failed, naming measured and allowed values ('' when it passed)."""
        reasons = []
        if not self.max_abs_logit_diff <= self.atol:
            reasons.append(f"max |logit difference| {self.max_abs_logit_diff:.3g} > allowed {self.atol:g}")
        if not self.max_abs_state_diff <= self.atol:
            reasons.append(f"max |state difference| {self.max_abs_state_diff:.3g} > allowed {self.atol:g}")
        if not self.argmax_agreement >= self.min_agreement:
            reasons.append(f"argmax agreement {self.argmax_agreement:.4%} < required {self.min_agreement:.2%}")
        return "; ".join(reasons)

    def to_dict(self) -> dict:
        return {**asdict(self), "passed": self.passed}


def synthetic_observations(contract: BehaviourContract, n: int, seed: int = 0) -> np.ndarray:
    """Observations that respect the ray encoding (one tag or a miss per ray, distance in (0, 1]) and a self block
    in [-1, 1]: used when no dataset is given for the held-out set."""
    rng = np.random.default_rng(seed)
    frames = []
    for _ in range(contract.frame_stack):
        parts = []
        for block in contract.observation:
            if block.name == "rays" and block.size == contract.rays.size:
                parts.append(_ray_block(contract, n, rng))
            else:
                parts.append(rng.uniform(-1.0, 1.0, (n, block.size)))
        frames.append(np.concatenate(parts, axis=1))
    return np.concatenate(frames, axis=1).astype(np.float32)


def _ray_block(contract: BehaviourContract, n: int, rng: np.random.Generator) -> np.ndarray:
    rays, tags = contract.rays.total_rays, len(contract.rays.tags)
    out = np.zeros((n, rays, tags + 2))
    hit = rng.random((n, rays)) < 0.6
    tag = rng.integers(0, tags, (n, rays))
    rows, cols = np.nonzero(hit)
    out[rows, cols, tag[rows, cols]] = 1.0
    out[..., tags] = hit
    out[..., tags + 1] = np.where(hit, rng.uniform(0.02, 1.0, (n, rays)), 1.0)
    return out.reshape(n, rays * (tags + 2))


def held_out_styles(contract: BehaviourContract, n: int, seed: int = 0) -> np.ndarray:
    """Personas, zero vectors and random blends: the style inputs an engine will send."""
    rng = np.random.default_rng(seed)
    personas = np.array([v for _, v in contract.style.personas] or [[0.0] * contract.style.size], np.float32)
    weights = rng.dirichlet(np.ones(len(personas)), n).astype(np.float32)
    styles = weights @ personas
    styles[rng.random(n) < 0.2] = 0.0
    return styles.astype(np.float32)


def compare(reference: Sequence[np.ndarray], exported: Sequence[np.ndarray], n_heads: int,
            atol: float, min_agreement: float) -> ParityReport:
    """reference/exported: per-head logits then the state, as the policy's outputs."""
    logit_diff = max(float(np.max(np.abs(r - e))) for r, e in zip(reference[:n_heads], exported[:n_heads]))
    state_diff = float(np.max(np.abs(reference[n_heads] - exported[n_heads])))
    same = [np.argmax(r, axis=1) == np.argmax(e, axis=1) for r, e in zip(reference[:n_heads], exported[:n_heads])]
    agreement = float(np.mean(np.stack(same)))
    return ParityReport(int(reference[0].shape[0]), logit_diff, state_diff, agreement, atol, min_agreement)


def random_histories(contract: BehaviourContract, n: int, seed: int, sight: bool = False,
                     answer_degrees: Sequence[float] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(previous_action int64[n, H], history memory float32[n, 2H (+ 2 (+ 4))]) as play produces them: indices or
    -1 (an episode start), the action before as index + 1 (0: none), hold counts 0..60; with `sight`, the sight
    clock's memory after them (botsdk.training.sight: steps in sight + 1, 0 for none, and steps unseen 0..7); with
    `answer_degrees` (the turn head's options), the answer memory's last (botsdk.training.answer: steps since the
    answer 0..6, its degrees, the enemy's bearing, whether it was watched)."""
    rng = np.random.default_rng(seed + 2)
    sizes = np.asarray(contract.head_sizes)
    previous = (rng.random((n, len(sizes))) * (sizes + 1)).astype(np.int64) - 1
    before = (rng.random((n, len(sizes))) * (sizes + 1)).astype(np.int64)
    same = rng.random((n, len(sizes))) < 0.5
    before = np.where(same & (previous >= 0), previous + 1, before)
    held = np.where(before > 0, rng.integers(1, 61, (n, len(sizes))), 0)
    parts = [before, held]
    if sight:
        parts += [rng.integers(0, 21, (n, 1)), rng.integers(0, 8, (n, 1))]
    if sight and answer_degrees is not None:
        since = rng.integers(0, 7, (n, 1))
        degrees = np.where(since > 0, rng.choice(np.asarray(answer_degrees), (n, 1)), 0.0)
        parts += [since, degrees, rng.uniform(-120.0, 120.0, (n, 1)), rng.integers(0, 2, (n, 1))]
    return previous, np.concatenate(parts, axis=1).astype(np.float32)

