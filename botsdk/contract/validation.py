"""Parse and validate a contract document; every error names the field, what was expected and what came."""

from __future__ import annotations

import math
from typing import Any

from botsdk.contract.model import (
    ENCODINGS,
    FRAME_FILLS,
    LEGACY_FORMAT,
    RAY_PATTERNS,
    SEMVER,
    SUPPORTED_FORMATS,
    ActionHead,
    BehaviourContract,
    ContractError,
    ElementTransform,
    ObservationBlock,
    ObservationElement,
    RaySensorSpec,
    StyleSpec,
    as_tuple,
    is_finite_number,
    unique,
)

_TOP_LEVEL = {
    "format", "name", "version", "description", "decision_hz", "frame_stack",
    "observation", "rays", "actions", "style", "metadata", "content_hash", "frame_fill",
    "quantities",
}
_FORMAT_2_ONLY = ("frame_fill", "quantities")
_BLOCK_KEYS = {"name", "size", "description", "fields", "repeat", "elements"}
_ELEMENT_KEYS = {"name", "unit", "range", "transform", "description"}
_TRANSFORM_KEYS = {"encoding", "offset", "scale", "clip", "absent", "category"}


def _require(data: dict[str, Any], key: str, path: str) -> Any:
    if key not in data:
        raise ContractError(f"{path}{key}", "a value (field is required)", "<missing>")
    return data[key]


def _string(data: dict[str, Any], key: str, path: str, default: str | None = None, nonempty: bool = True) -> str:
    value = data.get(key, default) if default is not None else _require(data, key, path)
    if not isinstance(value, str) or (nonempty and not value):
        raise ContractError(f"{path}{key}", "a non-empty string" if nonempty else "a string", value)
    return value


def _positive_int(data: dict[str, Any], key: str, path: str, default: int | None = None) -> int:
    value = data.get(key, default) if default is not None else _require(data, key, path)
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ContractError(f"{path}{key}", "a positive integer", value)
    return value


def _positive_number(data: dict[str, Any], key: str, path: str) -> float:
    value = _require(data, key, path)
    if not is_finite_number(value) or value <= 0:
        raise ContractError(f"{path}{key}", "a positive finite number", value)
    return float(value)


def _object(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ContractError(path, "a JSON object", value)
    return value


def _list(value: Any, path: str, nonempty: bool = True) -> list[Any]:
    if not isinstance(value, list) or (nonempty and not value):
        raise ContractError(path, "a non-empty list" if nonempty else "a list", value)
    return value


def parse_contract(data: Any) -> BehaviourContract:
    """Build a validated contract from parsed JSON. Raises ContractError on the first problem found."""
    data = _object(data, "<document>")
    unknown = sorted(set(data) - _TOP_LEVEL)
    if unknown:
        raise ContractError(unknown[0], f"one of the known fields {sorted(_TOP_LEVEL)}", unknown[0])
    fmt = _string(data, "format", "")
    if fmt not in SUPPORTED_FORMATS:
        raise ContractError("format", f"one of {list(SUPPORTED_FORMATS)}", fmt)
    version = _string(data, "version", "")
    if not SEMVER.match(version):
        raise ContractError("version", "a semantic version MAJOR.MINOR.PATCH such as '1.2.0'", version)
    decision_hz = _positive_number(data, "decision_hz", "")
    legacy = fmt == LEGACY_FORMAT
    for key in _FORMAT_2_ONLY:
        if legacy and key in data:
            raise ContractError(key, f"no such field in format {LEGACY_FORMAT} (it needs botsdk.contract/2)", data[key])
    frame_fill = data.get("frame_fill", FRAME_FILLS[0])
    if frame_fill not in FRAME_FILLS:
        raise ContractError("frame_fill", f"one of {list(FRAME_FILLS)}", frame_fill)
    contract = BehaviourContract(
        name=_string(data, "name", ""),
        version=version,
        description=_string(data, "description", "", default="", nonempty=False),
        decision_hz=decision_hz,
        frame_stack=_positive_int(data, "frame_stack", "", default=1),
        observation=_parse_observation(_require(data, "observation", ""), legacy),
        rays=_parse_rays(_require(data, "rays", "")),
        actions=_parse_actions(_require(data, "actions", "")),
        style=_parse_style(_require(data, "style", "")),
        metadata=_parse_metadata(data.get("metadata", {})),
        format=fmt,
        frame_fill=frame_fill,
        quantities=_parse_quantities(data.get("quantities", {})),
    )
    _check_ray_block(contract)
    _check_element_counts(contract)
    _check_quantities(contract)
    claimed = data.get("content_hash")
    if claimed is not None and claimed != contract.content_hash:
        rule = "Python's sorted json.dumps" if contract.format == LEGACY_FORMAT else "RFC 8785 canonical JSON"
        raise ContractError("content_hash", f"{contract.content_hash} (sha256 of the {rule} of every other member, "
                                            f"optional members included)", claimed)
    return contract


def _parse_observation(value: Any, legacy: bool) -> tuple[ObservationBlock, ...]:
    blocks = []
    for i, raw in enumerate(_list(value, "observation")):
        path = f"observation[{i}]."
        raw = _object(raw, f"observation[{i}]")
        _no_unknown(raw, _BLOCK_KEYS - ({"repeat", "elements"} if legacy else set()), f"observation[{i}]")
        size = _positive_int(raw, "size", path)
        fields = tuple(raw.get("fields", []))
        if fields and (len(fields) != size or not all(isinstance(f, str) for f in fields)):
            raise ContractError(f"{path}fields", f"{size} field names (one per element) or none", list(fields))
        repeat = _positive_int(raw, "repeat", path, default=1)
        elements = tuple(_parse_element(e, f"{path}elements[{j}]")
                         for j, e in enumerate(_list(raw.get("elements", []), f"{path}elements", nonempty=False)))
        blocks.append(ObservationBlock(_string(raw, "name", path), size, _string(raw, "description", path, "", False),
                                       fields, elements, repeat))
    duplicate = unique(b.name for b in blocks)
    if duplicate:
        raise ContractError("observation", "unique block names", f"duplicate block {duplicate!r}")
    return tuple(blocks)


def _no_unknown(raw: dict[str, Any], known: set[str], path: str) -> None:
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ContractError(f"{path}.{unknown[0]}", f"one of the known fields {sorted(known)}", unknown[0])


def _parse_element(value: Any, path: str) -> ObservationElement:
    raw = _object(value, path)
    _no_unknown(raw, _ELEMENT_KEYS, path)
    bounds = _require(raw, "range", f"{path}.")
    if not (isinstance(bounds, list) and len(bounds) == 2 and all(is_finite_number(v) for v in bounds)
            and bounds[0] <= bounds[1]):
        raise ContractError(f"{path}.range", "[low, high] finite numbers with low <= high", bounds)
    return ObservationElement(_string(raw, "name", f"{path}."), _string(raw, "unit", f"{path}."),
                              (float(bounds[0]), float(bounds[1])),
                              _parse_transform(_require(raw, "transform", f"{path}."), f"{path}.transform"),
                              _string(raw, "description", f"{path}.", "", False))


def _parse_transform(value: Any, path: str) -> ElementTransform:
    raw = _object(value, path)
    _no_unknown(raw, _TRANSFORM_KEYS, path)
    encoding = raw.get("encoding", "linear")
    if encoding not in ENCODINGS:
        raise ContractError(f"{path}.encoding", f"one of {list(ENCODINGS)}", encoding)
    offset, scale = raw.get("offset", 0.0), raw.get("scale", 1.0)
    for key, item in (("offset", offset), ("scale", scale)):
        if not ((is_finite_number(item) and (key == "offset" or item != 0)) or (isinstance(item, str) and item)):
            raise ContractError(f"{path}.{key}", "a finite number (non-zero for scale) or the name of a game quantity",
                                item)
    clip = raw.get("clip")
    if clip is not None and not (isinstance(clip, list) and len(clip) == 2 and all(is_finite_number(v) for v in clip)
                                 and clip[0] <= clip[1]):
        raise ContractError(f"{path}.clip", "null or [low, high] finite numbers with low <= high", clip)
    absent = raw.get("absent")
    if absent is not None and not is_finite_number(absent):
        raise ContractError(f"{path}.absent", "null or a finite number", absent)
    category = raw.get("category", "")
    if (encoding == "one_hot") != (isinstance(category, str) and bool(category)):
        raise ContractError(f"{path}.category", "a category name for one_hot and none for other encodings", category)
    return ElementTransform(encoding, offset if isinstance(offset, str) else float(offset),
                            scale if isinstance(scale, str) else float(scale),
                            None if clip is None else (float(clip[0]), float(clip[1])),
                            None if absent is None else float(absent), category)


def _parse_rays(value: Any) -> RaySensorSpec:
    raw = _object(value, "rays")
    pattern = _string(raw, "pattern", "rays.")
    if pattern not in RAY_PATTERNS:
        raise ContractError("rays.pattern", f"one of {list(RAY_PATTERNS)}", pattern)
    tags = _list(_require(raw, "tags", "rays."), "rays.tags")
    if not all(isinstance(t, str) and t for t in tags):
        raise ContractError("rays.tags", "a list of non-empty strings", tags)
    duplicate = unique(tags)
    if duplicate:
        raise ContractError("rays.tags", "unique tag names", f"duplicate tag {duplicate!r}")
    offset = raw.get("offset", [0.0, 0.0] if pattern == "fan2d" else [0.0, 0.0, 0.0])
    if not isinstance(offset, list) or len(offset) not in (2, 3) or not all(is_finite_number(v) for v in offset):
        raise ContractError("rays.offset", "2 (2D) or 3 (3D) finite numbers", offset)
    common = dict(pattern=pattern, max_distance=_positive_number(raw, "max_distance", "rays."), tags=tuple(tags),
                  offset=tuple(float(v) for v in offset))
    if pattern == "fan2d":
        return RaySensorSpec(**common, ray_count=_positive_int(raw, "ray_count", "rays."),
                             fov_deg=_fov(raw, "fov_deg", 360.0))
    foveation = raw.get("foveation", 0.0)
    if not is_finite_number(foveation) or not 0.0 <= foveation < 1.0:
        raise ContractError("rays.foveation", "a number in [0, 1)", foveation)
    return RaySensorSpec(
        **common,
        azimuth_count=_positive_int(raw, "azimuth_count", "rays."),
        elevation_count=_positive_int(raw, "elevation_count", "rays."),
        azimuth_fov_deg=_fov(raw, "azimuth_fov_deg", 360.0),
        elevation_fov_deg=_fov(raw, "elevation_fov_deg", 180.0),
        foveation=float(foveation),
    )


def _fov(raw: dict[str, Any], key: str, limit: float) -> float:
    value = _require(raw, key, "rays.")
    if not is_finite_number(value) or not 0.0 <= value <= limit:
        raise ContractError(f"rays.{key}", f"degrees in [0, {limit:g}]", value)
    return float(value)


def _parse_actions(value: Any) -> tuple[ActionHead, ...]:
    heads = []
    for i, raw in enumerate(_list(value, "actions")):
        path = f"actions[{i}]."
        raw = _object(raw, f"actions[{i}]")
        values = _list(_require(raw, "values", path), f"{path}values")
        for j, v in enumerate(values):
            if isinstance(v, float) and not math.isfinite(v):
                raise ContractError(f"{path}values[{j}]", "a finite engine command value", v)
        heads.append(ActionHead(_string(raw, "name", path), as_tuple(values), _string(raw, "description", path, "", False)))
    duplicate = unique(h.name for h in heads)
    if duplicate:
        raise ContractError("actions", "unique head names", f"duplicate head {duplicate!r}")
    return tuple(heads)


def _parse_style(value: Any) -> StyleSpec:
    raw = _object(value, "style")
    size = _positive_int(raw, "size", "style.")
    personas_raw = _object(raw.get("personas", {}), "style.personas")
    personas = []
    for name, vector in personas_raw.items():
        path = f"style.personas.{name}"
        if not isinstance(vector, list) or len(vector) != size or not all(is_finite_number(v) for v in vector):
            raise ContractError(path, f"a list of {size} finite numbers (style.size)", vector)
        personas.append((name, tuple(float(v) for v in vector)))
    return StyleSpec(size, tuple(personas))


def _parse_metadata(value: Any) -> tuple[tuple[str, str], ...]:
    raw = _object(value, "metadata")
    for key, item in raw.items():
        if not isinstance(item, str):
            raise ContractError(f"metadata.{key}", "a string", item)
    return tuple(sorted(raw.items()))


def _parse_quantities(value: Any) -> tuple[tuple[str, str], ...]:
    raw = _object(value, "quantities")
    for key, item in raw.items():
        if not isinstance(item, str) or not item:
            raise ContractError(f"quantities.{key}", "a non-empty definition string", item)
    return tuple(raw.items())


def _check_element_counts(contract: BehaviourContract) -> None:
    for i, block in enumerate(contract.observation):
        if block.elements and len(block.elements) * block.repeat != block.size:
            raise ContractError(f"observation[{i}].elements", f"{block.size} elements in all (the block's size) = "
                                f"len(elements) x repeat", f"{len(block.elements)} x {block.repeat}")
        names = tuple(e.name for e in block.elements)
        if block.elements and block.fields and block.repeat == 1 and names != block.fields:
            raise ContractError(f"observation[{i}].elements", f"element names equal to fields {list(block.fields)}",
                                list(names))


def _check_quantities(contract: BehaviourContract) -> None:
    """Every quantity an element transform names must be defined in `quantities`."""
    known = {name for name, _ in contract.quantities}
    for block in contract.observation:
        for element in block.elements:
            for key in ("offset", "scale"):
                value = getattr(element.transform, key)
                if isinstance(value, str) and value not in known:
                    raise ContractError(f"observation[{block.name}].elements[{element.name}].transform.{key}",
                                        f"a number or a quantity defined in `quantities` ({sorted(known) or 'none'})",
                                        value)


def _check_ray_block(contract: BehaviourContract) -> None:
    """If the layout has a `rays` block, its size must be what the ray spec encodes."""
    for block in contract.observation:
        if block.name == "rays" and block.size != contract.rays.size:
            raise ContractError(
                "observation[rays].size",
                f"{contract.rays.size} (= {contract.rays.total_rays} rays x {contract.rays.values_per_ray} values)",
                block.size,
            )
