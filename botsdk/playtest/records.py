"""The data playtesting works on: a world description, per-agent tracks, and findings.

Everything here is plain data (numpy arrays and dataclasses) so worker processes can send it back cheaply and any
environment -- the built-in arena or a studio's own Gymnasium/PettingZoo env -- can be described the same way.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

CHECKS = ("stuck", "out_of_bounds", "unreachable", "exception")
POINT_KINDS = ("objective", "pickup", "checkpoint")


@dataclass(frozen=True)
class PointOfInterest:
    """A place some bot should reach: an objective, a pickup, or a golden-path checkpoint."""

    name: str
    kind: str
    position: tuple[float, float]
    radius: float

    def __post_init__(self) -> None:
        if self.kind not in POINT_KINDS:
            raise ValueError(f"point {self.name!r}: kind must be one of {POINT_KINDS}, got {self.kind!r}")


@dataclass(frozen=True)
class PlaytestWorld:
    """What the detectors and coverage need to know about a level.

    `walkable[row, col]` is True for cells an agent may stand in; cell (row, col) spans
    x in [x0 + col*cell, x0 + (col+1)*cell) and y in [y0 + row*cell, ...), with (x0, y0, x1, y1) = `bounds`.
    `walls` (optional, float64[S, 4] segments) lets the flood fill refuse to cross thin walls between cells and lets
    the out-of-bounds detector see a step that passes through a wall. `out_of_bounds` lists extra forbidden
    rectangles (x0, y0, x1, y1) inside `bounds`; anywhere outside `bounds` is out of bounds too. A game whose own
    navigation knows better (one-way walls, finer collision) may pass `reachable` (bool, same shape as
    `walkable`) and coverage uses it instead of the built-in flood fill.
    """

    name: str
    bounds: tuple[float, float, float, float]
    cell_size: float
    walkable: np.ndarray
    spawns: tuple[tuple[float, float], ...]
    points: tuple[PointOfInterest, ...] = ()
    golden_path: tuple[str, ...] = ()
    walls: np.ndarray | None = None
    out_of_bounds: tuple[tuple[float, float, float, float], ...] = ()
    dt: float = 1.0
    agent_radius: float = 0.0
    reachable: np.ndarray | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        walkable = np.asarray(self.walkable, dtype=bool)
        if walkable.ndim != 2:
            raise ValueError(f"world {self.name!r}: walkable must be a 2-D grid, got shape {walkable.shape}")
        object.__setattr__(self, "walkable", walkable)
        if self.reachable is not None:
            reachable = np.asarray(self.reachable, dtype=bool)
            if reachable.shape != walkable.shape:
                raise ValueError(f"world {self.name!r}: reachable must have the walkable grid's shape "
                                 f"{walkable.shape}, got {reachable.shape}")
            object.__setattr__(self, "reachable", reachable)
        if not self.spawns:
            raise ValueError(f"world {self.name!r}: at least one spawn is needed for the reachability flood fill")
        names = {p.name for p in self.points}
        missing = [n for n in self.golden_path if n not in names]
        if missing:
            raise ValueError(f"world {self.name!r}: golden path names unknown points {missing}; known: {sorted(names)}")
        if self.dt <= 0 or self.cell_size <= 0:
            raise ValueError(f"world {self.name!r}: dt and cell_size must be > 0, got {self.dt}, {self.cell_size}")

    @property
    def shape(self) -> tuple[int, int]:
        return self.walkable.shape  # type: ignore[return-value]

    def cell_of(self, xy: np.ndarray) -> np.ndarray:
        """int64[N, 2] (row, col) of positions float[N, 2]; may lie outside the grid."""
        xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
        col = np.floor((xy[:, 0] - self.bounds[0]) / self.cell_size).astype(np.int64)
        row = np.floor((xy[:, 1] - self.bounds[1]) / self.cell_size).astype(np.int64)
        return np.stack([row, col], axis=1)

    def cell_center(self, row: np.ndarray, col: np.ndarray) -> np.ndarray:
        x = self.bounds[0] + (np.asarray(col) + 0.5) * self.cell_size
        y = self.bounds[1] + (np.asarray(row) + 0.5) * self.cell_size
        return np.stack([x, y], axis=-1)

    def outside(self, xy: np.ndarray) -> np.ndarray:
        """bool[N]: True where a position is out of bounds (outside `bounds` or inside a forbidden rectangle)."""
        xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
        x0, y0, x1, y1 = self.bounds
        out = (xy[:, 0] < x0) | (xy[:, 0] > x1) | (xy[:, 1] < y0) | (xy[:, 1] > y1)
        for rx0, ry0, rx1, ry1 in self.out_of_bounds:
            out |= (xy[:, 0] >= rx0) & (xy[:, 0] <= rx1) & (xy[:, 1] >= ry0) & (xy[:, 1] <= ry1)
        return out


@dataclass
class AgentTrack:
    """One agent's path through one episode. `moving[t]` is True when movement was commanded at step t."""

    agent_id: str
    persona: str
    seed: int
    positions: np.ndarray  # float32[T+1, 2]
    moving: np.ndarray  # bool[T]

    def __post_init__(self) -> None:
        self.positions = np.asarray(self.positions, dtype=np.float32).reshape(-1, 2)
        self.moving = np.asarray(self.moving, dtype=bool).reshape(-1)
        if len(self.moving) != max(len(self.positions) - 1, 0):
            raise ValueError(f"track {self.agent_id!r} seed {self.seed}: moving needs {len(self.positions) - 1} "
                             f"flags (positions - 1), got {len(self.moving)}")


@dataclass
class EpisodeResult:
    """What one worker sends back for one episode; `error` holds the traceback if the game loop raised."""

    persona: str
    seed: int
    tracks: list[AgentTrack]
    steps: int
    wall_s: float
    error: str | None = None


@dataclass(frozen=True)
class Finding:
    """One defect seen once: where, when, and the seed that reproduces it. `source` is "bot" for what a bot ran
    into and "static" for what an analysis of the level itself shows (no seed needed to reproduce)."""

    check: str
    message: str
    position: tuple[float, float] | None = None
    seed: int | None = None
    persona: str | None = None
    agent_id: str | None = None
    step: int | None = None
    source: str = "bot"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
