"""The behaviour contract: what goes in and out of a bot, shared by every part of botsdk.

This module sits at the bottom of the import graph: it imports nothing of ours and nothing heavy.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

FORMAT = "botsdk.contract/1"
SUPPORTED_FORMATS = (FORMAT,)
SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
RAY_PATTERNS = ("fan2d", "grid3d")

JsonValue = Any


class ContractError(ValueError):
    """A contract field holds a value that is not allowed; names the field, the expected and the received value."""

    def __init__(self, field_path: str, expected: str, received: Any):
        self.field = field_path
        self.expected = expected
        self.received = received
        super().__init__(f"contract field '{field_path}': expected {expected}, got {received!r}")


@dataclass(frozen=True)
class ObservationBlock:
    """One named slice of the float32 observation vector, in order."""

    name: str
    size: int
    description: str = ""
    fields: tuple[str, ...] = ()  # optional per-element names (e.g. the self block)


@dataclass(frozen=True)
class RaySensorSpec:
    """Ray pattern and encoding. Per ray: one-hot over `tags`, then hit (1/0), then distance/max_distance (1 on miss).

    fan2d: `ray_count` rays spread evenly over `fov_deg`, ordered from the agent's left (+angle, counter-clockwise)
    to its right; a single ray points straight ahead. grid3d: `azimuth_count` x `elevation_count` rays, row-major
    from top-left; `foveation` > 0 packs rays closer to the centre.
    """

    pattern: str
    max_distance: float
    tags: tuple[str, ...]
    ray_count: int = 0
    fov_deg: float = 0.0
    offset: tuple[float, ...] = (0.0, 0.0)
    azimuth_count: int = 0
    elevation_count: int = 0
    azimuth_fov_deg: float = 0.0
    elevation_fov_deg: float = 0.0
    foveation: float = 0.0

    @property
    def total_rays(self) -> int:
        return self.ray_count if self.pattern == "fan2d" else self.azimuth_count * self.elevation_count

    @property
    def values_per_ray(self) -> int:
        return len(self.tags) + 2

    @property
    def size(self) -> int:
        return self.total_rays * self.values_per_ray


@dataclass(frozen=True)
class ActionHead:
    """A factorised categorical head; `values[i]` is the engine command for index i."""

    name: str
    values: tuple[JsonValue, ...]
    description: str = ""

    @property
    def size(self) -> int:
        return len(self.values)


@dataclass(frozen=True)
class StyleSpec:
    """Style vector size and the named personas (vectors of that size); blends are weighted sums."""

    size: int
    personas: tuple[tuple[str, tuple[float, ...]], ...] = ()

    @property
    def persona_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.personas)

    def persona(self, name: str) -> tuple[float, ...]:
        for persona_name, vector in self.personas:
            if persona_name == name:
                return vector
        raise KeyError(f"unknown persona {name!r}; known personas: {', '.join(self.persona_names) or 'none'}")

    def blend(self, weights: Mapping[str, float]) -> tuple[float, ...]:
        """Weighted mix of persona vectors; weights are normalised to sum to one."""
        total = float(sum(weights.values()))
        if total <= 0:
            raise ValueError(f"style blend weights must sum to a positive number, got {dict(weights)}")
        mixed = [0.0] * self.size
        for name, weight in weights.items():
            for i, value in enumerate(self.persona(name)):
                mixed[i] += value * weight / total
        return tuple(mixed)


@dataclass(frozen=True)
class BehaviourContract:
    """Everything an engine, dataset, model or server must agree on."""

    name: str
    version: str
    observation: tuple[ObservationBlock, ...]
    rays: RaySensorSpec
    actions: tuple[ActionHead, ...]
    style: StyleSpec
    decision_hz: float
    frame_stack: int = 1
    description: str = ""
    format: str = FORMAT
    metadata: tuple[tuple[str, str], ...] = field(default=())

    # ---- derived sizes -------------------------------------------------------------------------------------
    @property
    def frame_size(self) -> int:
        return sum(block.size for block in self.observation)

    @property
    def observation_size(self) -> int:
        """Length of the float32 vector a model sees: `frame_stack` frames, oldest first."""
        return self.frame_size * self.frame_stack

    @property
    def head_sizes(self) -> tuple[int, ...]:
        return tuple(head.size for head in self.actions)

    @property
    def head_names(self) -> tuple[str, ...]:
        return tuple(head.name for head in self.actions)

    def head(self, name: str) -> ActionHead:
        for head in self.actions:
            if head.name == name:
                return head
        raise KeyError(f"unknown action head {name!r}; heads: {', '.join(self.head_names)}")

    def block_slice(self, name: str) -> slice:
        """Where block `name` lives inside one frame."""
        start = 0
        for block in self.observation:
            if block.name == name:
                return slice(start, start + block.size)
            start += block.size
        raise KeyError(f"unknown observation block {name!r}; blocks: {[b.name for b in self.observation]}")

    @property
    def major(self) -> int:
        return int(self.version.split(".")[0])

    @property
    def minor(self) -> int:
        return int(self.version.split(".")[1])

    # ---- serialisation -------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "name": self.name,
            "version": self.version,
            "description": self.description,
            "decision_hz": self.decision_hz,
            "frame_stack": self.frame_stack,
            "observation": [
                {"name": b.name, "size": b.size, "description": b.description, "fields": list(b.fields)}
                for b in self.observation
            ],
            "rays": _ray_spec_to_dict(self.rays),
            "actions": [{"name": h.name, "values": list(h.values), "description": h.description} for h in self.actions],
            "style": {"size": self.style.size, "personas": {n: list(v) for n, v in self.style.personas}},
            "metadata": dict(self.metadata),
        }

    def canonical_json(self) -> str:
        """Deterministic JSON (sorted keys, no whitespace): what the content hash covers."""
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"), allow_nan=False)

    @property
    def content_hash(self) -> str:
        return "sha256:" + hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()

    def to_json(self, indent: int | None = 2) -> str:
        data = self.to_dict()
        data["content_hash"] = self.content_hash
        return json.dumps(data, indent=indent, allow_nan=False)

    @classmethod
    def from_json(cls, text: str) -> "BehaviourContract":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ContractError("<document>", "a JSON object", f"invalid JSON: {exc}") from None
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: Any) -> "BehaviourContract":
        from botsdk.contract.validation import parse_contract

        return parse_contract(data)


def _ray_spec_to_dict(spec: RaySensorSpec) -> dict[str, Any]:
    common = {"pattern": spec.pattern, "max_distance": spec.max_distance, "tags": list(spec.tags)}
    if spec.pattern == "fan2d":
        return {**common, "ray_count": spec.ray_count, "fov_deg": spec.fov_deg, "offset": list(spec.offset)}
    return {
        **common,
        "azimuth_count": spec.azimuth_count,
        "elevation_count": spec.elevation_count,
        "azimuth_fov_deg": spec.azimuth_fov_deg,
        "elevation_fov_deg": spec.elevation_fov_deg,
        "foveation": spec.foveation,
        "offset": list(spec.offset),
    }


def is_finite_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def unique(names: Iterable[str]) -> str | None:
    """The first duplicated name, or None."""
    seen: set[str] = set()
    for name in names:
        if name in seen:
            return name
        seen.add(name)
    return None


def as_tuple(values: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(tuple(v) if isinstance(v, list) else v for v in values)
