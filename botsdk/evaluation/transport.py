"""Exact optimal transport (earth mover's distance) between two discrete distributions with any ground cost,
in numpy only: successive shortest paths with Johnson potentials on the dense bipartite residual graph.

scipy / POT are not dependencies of botsdk; the problems evaluation solves are small (position heatmaps of at
most a few hundred occupied cells), where this is exact and takes well under a second."""

from __future__ import annotations

import numpy as np

_EPS = 1e-12


def earth_movers_distance(a: np.ndarray, b: np.ndarray, cost: np.ndarray) -> float:
    """min over plans P >= 0 with P 1 = a, P^T 1 = b of <P, cost>; a and b are rescaled to sum 1."""
    a, b, cost = _check(a, b, cost)
    flow = transport_plan(a, b, cost)
    return float((flow * cost).sum())


def transport_plan(a: np.ndarray, b: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """The optimal plan float64[n, m] (successive shortest paths; each augmentation empties a source, fills a
    sink or cancels a flow, so it terminates; reduced costs stay >= 0 so every path is a shortest one)."""
    n, m = cost.shape
    excess, deficit = a.astype(np.float64).copy(), b.astype(np.float64).copy()
    flow = np.zeros((n, m))
    pot = np.zeros(n + m)   # pot[:n] sources, pot[n:] sinks; reduced cost c + pot[u] - pot[v] >= 0
    tol = _EPS * max(1.0, float(a.sum()))
    while excess.sum() > tol:
        dist, parent, target = _dijkstra(cost, flow, pot, excess > tol, deficit > tol, tol)
        if target < 0:
            raise RuntimeError("transport: no augmenting path although supply remains (unbalanced input)")
        pot += np.minimum(dist, dist[n + target])
        _augment(flow, excess, deficit, parent, n, target)
    return flow


def _dijkstra(cost: np.ndarray, flow: np.ndarray, pot: np.ndarray, sources: np.ndarray, sinks: np.ndarray,
              tol: float) -> tuple[np.ndarray, np.ndarray, int]:
    """Multi-source dense Dijkstra on reduced costs; stops at the first sink that still needs mass."""
    n, m = cost.shape
    dist = np.full(n + m, np.inf)
    parent = np.full(n + m, -1, dtype=np.int64)
    dist[:n][sources] = 0.0
    done = np.zeros(n + m, dtype=bool)
    while True:
        masked = np.where(done, np.inf, dist)
        u = int(np.argmin(masked))
        if not np.isfinite(masked[u]):
            return dist, parent, -1
        done[u] = True
        if u >= n and sinks[u - n]:
            return np.where(done, dist, dist[u]), parent, u - n
        if u < n:   # forward arcs source u -> every sink
            cand = dist[u] + cost[u] + pot[u] - pot[n:]
            better = (cand < dist[n:]) & ~done[n:]
            dist[n:][better] = cand[better]
            parent[n:][better] = u
        else:       # reverse arcs sink j -> sources that send it flow
            j = u - n
            has = flow[:, j] > tol
            cand = dist[u] - cost[:, j] + pot[u] - pot[:n]
            better = has & (cand < dist[:n]) & ~done[:n]
            dist[:n][better] = cand[better]
            parent[:n][better] = u


def _augment(flow: np.ndarray, excess: np.ndarray, deficit: np.ndarray, parent: np.ndarray, n: int,
             target: int) -> None:
    path = []   # (source, sink, forward?) arcs from the target back to a root source
    v = n + target
    while parent[v] >= 0:
        u = int(parent[v])
        path.append((u, v - n, True) if u < n else (v, u - n, False))
        v = u
    root = v
    amount = min(excess[root], deficit[target])
    for i, j, forward in path:
        if not forward:
            amount = min(amount, flow[i, j])
    for i, j, forward in path:
        flow[i, j] += amount if forward else -amount
    excess[root] -= amount
    deficit[target] -= amount


def _check(a: np.ndarray, b: np.ndarray, cost: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    a, b, cost = np.asarray(a, np.float64), np.asarray(b, np.float64), np.asarray(cost, np.float64)
    if cost.shape != (a.size, b.size):
        raise ValueError(f"cost must be [{a.size}, {b.size}] for {a.size} sources and {b.size} sinks; "
                         f"received {cost.shape}")
    if (a < 0).any() or (b < 0).any() or a.sum() <= 0 or b.sum() <= 0:
        raise ValueError(f"masses must be non-negative with a positive total; received sums {a.sum()} and {b.sum()}")
    if (cost < 0).any() or not np.isfinite(cost).all():
        raise ValueError("ground costs must be finite and non-negative")
    return a / a.sum(), b / b.sum(), cost
