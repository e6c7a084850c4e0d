"""Distances between how two groups play: Jensen-Shannon per action head, Wasserstein-1 of turn and speed over
windows of several lengths (timing, not just marginals), and a true 2D earth mover's distance between position
heatmaps with the Euclidean ground distance between cell centres (a 1D Wasserstein over flattened bins would
ignore the map's geometry)."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from botsdk.evaluation.features import Episode, step_speeds, step_turns
from botsdk.evaluation.transport import earth_movers_distance

W1_WINDOWS = (1, 16, 32)


def js_divergence(p: np.ndarray, q: np.ndarray) -> float:
    """Jensen-Shannon divergence in bits (0 = identical, 1 = disjoint) between two count or probability vectors."""
    p, q = np.asarray(p, np.float64), np.asarray(q, np.float64)
    if p.shape != q.shape or p.sum() <= 0 or q.sum() <= 0:
        raise ValueError(f"JS needs two non-empty distributions of one shape; received {p.shape} and {q.shape}")
    p, q = p / p.sum(), q / q.sum()
    mid = (p + q) / 2

    def kl(x: np.ndarray) -> float:
        nz = x > 0
        return float(np.sum(x[nz] * np.log2(x[nz] / mid[nz])))

    return max(0.0, (kl(p) + kl(q)) / 2)


def head_js(a: Sequence[Episode], b: Sequence[Episode], head_names: Sequence[str],
            head_sizes: Sequence[int]) -> dict[str, float]:
    """JS (base 2) between the two groups' action frequencies, one figure per head."""
    acts_a = np.concatenate([e.actions for e in a])
    acts_b = np.concatenate([e.actions for e in b])
    return {name: js_divergence(np.bincount(acts_a[:, i], minlength=n)[:n], np.bincount(acts_b[:, i], minlength=n)[:n])
            for i, (name, n) in enumerate(zip(head_names, head_sizes))}


def wasserstein_1d(u: np.ndarray, v: np.ndarray) -> float:
    """Exact W1 between two empirical distributions: the integral of |F_u - F_v|."""
    u, v = np.sort(np.asarray(u, np.float64)), np.sort(np.asarray(v, np.float64))
    if u.size == 0 or v.size == 0:
        raise ValueError(f"W1 needs samples on both sides; received {u.size} and {v.size}")
    allv = np.sort(np.concatenate([u, v]))
    deltas = np.diff(allv)
    cdf_u = np.searchsorted(u, allv[:-1], side="right") / u.size
    cdf_v = np.searchsorted(v, allv[:-1], side="right") / v.size
    return float(np.sum(np.abs(cdf_u - cdf_v) * deltas))


def window_sums(series: Sequence[np.ndarray], k: int) -> np.ndarray:
    """Sums over consecutive non-overlapping windows of k steps, pooled over episodes."""
    out = [s[: len(s) // k * k].reshape(-1, k).sum(axis=1) for s in series if len(s) >= k]
    return np.concatenate(out) if out else np.zeros(0)


def windowed_w1(a: Sequence[Episode], b: Sequence[Episode], windows: Sequence[int] = W1_WINDOWS) -> dict[str, float]:
    """W1 of per-step turn (degrees) and speed (units per step), each summed over windows of 1, 16, 32 steps."""
    out = {}
    for name, fn in (("turn", step_turns), ("speed", step_speeds)):
        sa, sb = [fn(e) for e in a], [fn(e) for e in b]
        for k in windows:
            wa, wb = window_sums(sa, k), window_sums(sb, k)
            out[f"{name}_w{k}"] = wasserstein_1d(wa, wb) if wa.size and wb.size else float("nan")
    return out


def position_heatmap(episodes: Sequence[Episode], bounds: tuple[float, float, float, float],
                     bins: int = 12) -> np.ndarray:
    """float64[bins, bins] occupancy (row = y, column = x), normalised to sum 1."""
    x0, y0, x1, y1 = bounds
    pos = np.concatenate([e.positions for e in episodes])
    hist, _, _ = np.histogram2d(pos[:, 1], pos[:, 0], bins=bins, range=[[y0, y1], [x0, x1]])
    total = hist.sum()
    if total <= 0:
        raise ValueError(f"no positions fall inside bounds {bounds}")
    return hist / total


def heatmap_emd(h_a: np.ndarray, h_b: np.ndarray, cell: tuple[float, float] = (1.0, 1.0)) -> float:
    """Exact 2D EMD between two heatmaps; ground distance = Euclidean distance between cell centres (world units).

    Mass common to both maps stays put (valid for a metric ground distance), which shrinks the problem."""
    if h_a.shape != h_b.shape:
        raise ValueError(f"heatmaps must share a shape; received {h_a.shape} and {h_b.shape}")
    a, b = h_a / h_a.sum(), h_b / h_b.sum()
    common = np.minimum(a, b)
    ra, rb = (a - common).ravel(), (b - common).ravel()
    moved = ra.sum()
    if moved <= 1e-12:
        return 0.0
    rows, cols = np.indices(h_a.shape)
    centres = np.column_stack([cols.ravel() * cell[0], rows.ravel() * cell[1]])
    ia, ib = np.flatnonzero(ra > 1e-15), np.flatnonzero(rb > 1e-15)
    cost = np.linalg.norm(centres[ia][:, None, :] - centres[ib][None, :, :], axis=2)
    return moved * earth_movers_distance(ra[ia], rb[ib], cost)


def ratio(value: float, floor: float) -> float:
    """value / floor, the headline of every distance; inf when the floor is zero and the value is not."""
    if floor > 0:
        return float(value / floor)
    return 1.0 if value == 0 else float("inf")
