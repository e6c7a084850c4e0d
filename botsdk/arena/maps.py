"""Arena maps: JSON files in botsdk/arena/maps/, validated on load so a malformed file names the file and field.

Format (units are metres; x east, y north):
  name, description, bounds [x0, y0, x1, y1],
  walls [[x0, y0, x1, y1], ...]                  two-sided segments
  one_sided_walls [[x0, y0, x1, y1], ...]        collide only with centres left of x0->x1 (optional)
  boxes [[x0, y0, x1, y1], ...]                  axis-aligned solid blocks, expanded into four walls (optional)
  spawns {"blue": [x0, y0, x1, y1], "red": [...]}
  objective {"x", "y", "radius", "capture_steps"}
  pickups [{"name", "kind": "ammo" | "health", "x", "y"}]
  checkpoints {name: [x, y]}                     named golden-path checkpoints
  routes {"blue": {route: [checkpoint, ...]}, "red": {...}}   >= 3 routes per team, spawn -> objective
  golden_path [checkpoint, ...]
  out_of_bounds [[x0, y0, x1, y1], ...]          regions inside the bounds that are out of bounds too
  metadata {...}                                 free form; the QA map lists its seeded defects here
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

MAPS_DIR = Path(__file__).parent / "maps"
TEAMS = ("blue", "red")
PICKUP_KINDS = ("ammo", "health")


class MapError(ValueError):
    """A map file is malformed; names the file, the field, what was expected and what was found."""

    def __init__(self, path: str, field_path: str, expected: str, received: Any):
        self.path = path
        self.field = field_path
        super().__init__(f"map file {path}: field '{field_path}': expected {expected}, got {received!r}")


@dataclass(frozen=True)
class Pickup:
    name: str
    kind: str
    x: float
    y: float


@dataclass(frozen=True)
class ArenaMap:
    """A loaded, validated map. `segments` holds every wall (boxes expanded); `one_sided[i]` marks one-sided ones."""

    name: str
    path: str
    description: str
    bounds: tuple[float, float, float, float]
    segments: np.ndarray
    one_sided: np.ndarray
    spawns: dict[str, tuple[float, float, float, float]]
    objective: tuple[float, float]
    objective_radius: float
    capture_steps: int
    pickups: tuple[Pickup, ...]
    checkpoints: dict[str, tuple[float, float]]
    routes: dict[str, dict[str, tuple[str, ...]]]
    golden_path: tuple[str, ...]
    out_of_bounds: tuple[tuple[float, float, float, float], ...]
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def width(self) -> float:
        return self.bounds[2] - self.bounds[0]

    @property
    def height(self) -> float:
        return self.bounds[3] - self.bounds[1]

    @property
    def diagonal(self) -> float:
        return math.hypot(self.width, self.height)

    def route_points(self, team: str, route: str) -> np.ndarray:
        """float64[K, 2]: the route's checkpoints in order, from the team's spawn toward the objective."""
        return np.array([self.checkpoints[c] for c in self.routes[team][route]], dtype=np.float64)

    def is_out_of_bounds(self, x: float, y: float) -> bool:
        x0, y0, x1, y1 = self.bounds
        if not (x0 <= x <= x1 and y0 <= y <= y1):
            return True
        return any(r[0] <= x <= r[2] and r[1] <= y <= r[3] for r in self.out_of_bounds)

    def nav(self, cell: float = 0.5) -> "NavGrid":
        """The navigation grid built from the simulation's own collision (cached per map and cell size)."""
        from botsdk.arena.nav import nav_grid

        return nav_grid(self.path, cell)

    def reachable_cells(self, cell_size: float = 2.0) -> np.ndarray:
        """bool[ny, nx] over the bounds: coarse cells an agent can stand in, reached from a spawn, in bounds."""
        return self.nav().coverage_mask(cell_size)


def list_maps() -> list[str]:
    return sorted(p.stem for p in MAPS_DIR.glob("*.json"))


def load_map(name_or_path: str | Path) -> ArenaMap:
    """Load a built-in map by name or any map file by path."""
    text = str(name_or_path)
    path = Path(text)
    if not (text.endswith(".json") or path.exists()):
        path = MAPS_DIR / f"{text}.json"
        if not path.exists():
            raise FileNotFoundError(f"unknown map {text!r}; expected one of {', '.join(list_maps())} or a .json path")
    return _load(str(path.resolve()))


@lru_cache(maxsize=32)
def _load(path: str) -> ArenaMap:
    try:
        data = json.loads(Path(path).read_text())
    except json.JSONDecodeError as error:
        raise MapError(path, "<file>", "valid JSON", f"{error.msg} at line {error.lineno}") from None
    return _parse(path, data)


class _Reader:
    def __init__(self, path: str):
        self.path = path

    def fail(self, field_path: str, expected: str, received: Any) -> MapError:
        return MapError(self.path, field_path, expected, received)

    def number(self, value: Any, field_path: str) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise self.fail(field_path, "a finite number", value)
        return float(value)

    def quad(self, value: Any, field_path: str) -> tuple[float, float, float, float]:
        if not isinstance(value, list) or len(value) != 4:
            raise self.fail(field_path, "[x0, y0, x1, y1]", value)
        return tuple(self.number(v, f"{field_path}[{i}]") for i, v in enumerate(value))  # type: ignore[return-value]

    def rect(self, value: Any, field_path: str) -> tuple[float, float, float, float]:
        x0, y0, x1, y1 = self.quad(value, field_path)
        if x1 <= x0 or y1 <= y0:
            raise self.fail(field_path, "x1 > x0 and y1 > y0", value)
        return x0, y0, x1, y1

    def point(self, value: Any, field_path: str) -> tuple[float, float]:
        if not isinstance(value, list) or len(value) != 2:
            raise self.fail(field_path, "[x, y]", value)
        return self.number(value[0], f"{field_path}[0]"), self.number(value[1], f"{field_path}[1]")

    def require(self, data: dict, key: str, kind: type, prefix: str = "") -> Any:
        name = f"{prefix}{key}"
        if key not in data:
            raise self.fail(name, f"a {kind.__name__}", "missing")
        if not isinstance(data[key], kind):
            raise self.fail(name, f"a {kind.__name__}", data[key])
        return data[key]


KNOWN_FIELDS = {"name", "description", "bounds", "walls", "one_sided_walls", "boxes", "spawns", "objective",
                "pickups", "checkpoints", "routes", "golden_path", "out_of_bounds", "metadata"}


def _parse(path: str, data: Any) -> ArenaMap:
    r = _Reader(path)
    if not isinstance(data, dict):
        raise r.fail("<file>", "a JSON object", type(data).__name__)
    unknown = sorted(set(data) - KNOWN_FIELDS)
    if unknown:
        raise r.fail(unknown[0], f"one of {sorted(KNOWN_FIELDS)}", "an unknown field")
    bounds = r.rect(r.require(data, "bounds", list), "bounds")
    walls = [r.quad(w, f"walls[{i}]") for i, w in enumerate(r.require(data, "walls", list))]
    one_sided = [r.quad(w, f"one_sided_walls[{i}]") for i, w in enumerate(data.get("one_sided_walls", []))]
    for i, b in enumerate(data.get("boxes", [])):
        x0, y0, x1, y1 = r.rect(b, f"boxes[{i}]")
        walls += [(x0, y0, x1, y0), (x1, y0, x1, y1), (x1, y1, x0, y1), (x0, y1, x0, y0)]
    segments = np.array(walls + one_sided, dtype=np.float64).reshape(-1, 4)
    flags = np.array([False] * len(walls) + [True] * len(one_sided), dtype=np.bool_)
    spawns_raw = r.require(data, "spawns", dict)
    spawns = {}
    for team in TEAMS:
        if team not in spawns_raw:
            raise r.fail(f"spawns.{team}", "a spawn rectangle", "missing")
        spawns[team] = r.rect(spawns_raw[team], f"spawns.{team}")
    objective = r.require(data, "objective", dict)
    ox = r.number(objective.get("x"), "objective.x")
    oy = r.number(objective.get("y"), "objective.y")
    radius = r.number(objective.get("radius"), "objective.radius")
    capture = objective.get("capture_steps", 24)
    if isinstance(capture, bool) or not isinstance(capture, int) or capture <= 0:
        raise r.fail("objective.capture_steps", "a positive integer", capture)
    pickups = _pickups(r, data.get("pickups", []))
    checkpoints = {str(k): r.point(v, f"checkpoints.{k}") for k, v in r.require(data, "checkpoints", dict).items()}
    routes = _routes(r, r.require(data, "routes", dict), checkpoints)
    golden = tuple(r.require(data, "golden_path", list))
    for i, name in enumerate(golden):
        if name not in checkpoints:
            raise r.fail(f"golden_path[{i}]", f"a checkpoint name ({', '.join(sorted(checkpoints))})", name)
    oob = tuple(r.rect(v, f"out_of_bounds[{i}]") for i, v in enumerate(data.get("out_of_bounds", [])))
    return ArenaMap(name=str(data.get("name", Path(path).stem)), path=path, description=str(data.get("description", "")),
                    bounds=bounds, segments=segments, one_sided=flags, spawns=spawns, objective=(ox, oy),
                    objective_radius=radius, capture_steps=capture, pickups=pickups, checkpoints=checkpoints,
                    routes=routes, golden_path=golden, out_of_bounds=oob, metadata=dict(data.get("metadata", {})))


def _pickups(r: _Reader, raw: Any) -> tuple[Pickup, ...]:
    if not isinstance(raw, list):
        raise r.fail("pickups", "a list", raw)
    out = []
    for i, p in enumerate(raw):
        if not isinstance(p, dict):
            raise r.fail(f"pickups[{i}]", "an object with name, kind, x, y", p)
        kind = p.get("kind")
        if kind not in PICKUP_KINDS:
            raise r.fail(f"pickups[{i}].kind", f"one of {list(PICKUP_KINDS)}", kind)
        out.append(Pickup(str(p.get("name", f"pickup_{i}")), kind, r.number(p.get("x"), f"pickups[{i}].x"),
                          r.number(p.get("y"), f"pickups[{i}].y")))
    return tuple(out)


def _routes(r: _Reader, raw: dict, checkpoints: dict) -> dict[str, dict[str, tuple[str, ...]]]:
    routes: dict[str, dict[str, tuple[str, ...]]] = {}
    for team in TEAMS:
        team_routes = raw.get(team)
        if not isinstance(team_routes, dict) or len(team_routes) < 3:
            raise r.fail(f"routes.{team}", "an object with at least 3 named routes", team_routes)
        routes[team] = {}
        for name, points in team_routes.items():
            if not isinstance(points, list) or not points:
                raise r.fail(f"routes.{team}.{name}", "a non-empty list of checkpoint names", points)
            for i, c in enumerate(points):
                if c not in checkpoints:
                    raise r.fail(f"routes.{team}.{name}[{i}]", f"a checkpoint name ({', '.join(sorted(checkpoints))})", c)
            routes[team][str(name)] = tuple(points)
    return routes
