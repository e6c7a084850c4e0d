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

from botsdk.contract.canonical import jcs, legacy_json

FORMAT = "botsdk.contract/2"  # content hash over the RFC 8785 canonical form; element definitions; frame fill
LEGACY_FORMAT = "botsdk.contract/1"  # read and validated with its own hash rule, never written for new contracts
SUPPORTED_FORMATS = (FORMAT, LEGACY_FORMAT)
ENCODINGS = ("linear", "sin", "cos", "flag", "one_hot")
FRAME_FILLS = ("first_frame",)
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
class ElementTransform:
    """How a game quantity becomes one float: encoded, then clipped; `absent` is the value when there is no source.

    linear: (source - offset) / scale; sin / cos: of the source in radians; flag: 1.0 when the condition holds, else
    0.0; one_hot: 1.0 when the source's category is `category`, else 0.0. `offset` and `scale` are numbers or the
    name of a quantity the game supplies (e.g. `map_width`), listed in the contract documentation.
    """

    encoding: str = "linear"
    offset: float | str = 0.0
    scale: float | str = 1.0
    clip: tuple[float, float] | None = None
    absent: float | None = None
    category: str = ""


@dataclass(frozen=True)
class ObservationElement:
    """One float of a block: what it measures (`unit` of the source quantity), the range of the encoded value and
    the transform between them."""

    name: str
    unit: str
    range: tuple[float, float]
    transform: ElementTransform = ElementTransform()
    description: str = ""


@dataclass(frozen=True)
class ObservationBlock:
    """One named slice of the float32 observation vector, in order.

    `elements` define each float; they repeat `repeat` times (e.g. once per ray), so size = len(elements) * repeat.
    """

    name: str
    size: int
    description: str = ""
    fields: tuple[str, ...] = ()  # optional per-element names (e.g. the self block)
    elements: tuple[ObservationElement, ...] = ()
    repeat: int = 1


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
    frame_fill: str = "first_frame"  # at an episode's first decision every frame slot holds that first frame
    quantities: tuple[tuple[str, str], ...] = ()  # game quantities element transforms name: (name, definition)

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

    def newest_fields(self) -> dict[str, int]:
        """Named fields of the newest frame -> their index in the stacked observation (the first of a repeated
        name)."""
        where: dict[str, int] = {}
        start = self.frame_size * (self.frame_stack - 1)
        for block in self.observation:
            for i, name in enumerate(block.fields):
                where.setdefault(name, start + i)
            start += block.size
        return where

    def newest_ray_tag(self, tag: str) -> tuple[int, ...]:
        """Index of every ray's `tag` value in the newest frame of the stacked observation; () when the contract
        has no block named "rays" or no such tag."""
        if tag not in self.rays.tags or not any(b.name == "rays" for b in self.observation):
            return ()
        first = self.frame_size * (self.frame_stack - 1) + self.block_slice("rays").start + self.rays.tags.index(tag)
        return tuple(first + r * self.rays.values_per_ray for r in range(self.rays.total_rays))

    @property
    def major(self) -> int:
        return int(self.version.split(".")[0])

    @property
    def minor(self) -> int:
        return int(self.version.split(".")[1])

    # ---- serialisation -------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Every member, optional ones included: the form botsdk writes and the content hash covers."""
        legacy = self.format == LEGACY_FORMAT
        data = {
            "format": self.format,
            "name": self.name,
            "version": self.version,
            "description": self.description,
            "decision_hz": self.decision_hz,
            "frame_stack": self.frame_stack,
            "observation": [_block_to_dict(b, legacy) for b in self.observation],
            "rays": _ray_spec_to_dict(self.rays),
            "actions": [{"name": h.name, "values": list(h.values), "description": h.description} for h in self.actions],
            "style": {"size": self.style.size, "personas": {n: list(v) for n, v in self.style.personas}},
            "metadata": dict(self.metadata),
        }
        if not legacy:
            data["frame_fill"] = self.frame_fill
            data["quantities"] = dict(self.quantities)
        return data

    def canonical_json(self) -> str:
        """What the content hash covers: the RFC 8785 (JCS) form of `to_dict()`; format 1 keeps its own rule."""
        data = self.to_dict()
        return legacy_json(data) if self.format == LEGACY_FORMAT else jcs(data)

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


def _block_to_dict(block: ObservationBlock, legacy: bool) -> dict[str, Any]:
    data = {"name": block.name, "size": block.size, "description": block.description, "fields": list(block.fields)}
    if not legacy:
        data["repeat"] = block.repeat
        data["elements"] = [_element_to_dict(e) for e in block.elements]
    return data


def _element_to_dict(element: ObservationElement) -> dict[str, Any]:
    t = element.transform
    transform: dict[str, Any] = {"encoding": t.encoding, "offset": t.offset, "scale": t.scale,
                                 "clip": list(t.clip) if t.clip is not None else None, "absent": t.absent}
    if t.encoding == "one_hot":
        transform["category"] = t.category
    return {"name": element.name, "unit": element.unit, "range": list(element.range), "transform": transform,
            "description": element.description}


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
