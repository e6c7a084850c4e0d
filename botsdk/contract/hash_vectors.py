"""Content-hash conformance vectors: contract documents, their canonical text and hash, for other languages to check.

`python -m botsdk.contract.hash_vectors` rewrites `hash_vectors.json` beside this file. Each vector holds a document
as botsdk writes it (every member, `content_hash` included), the RFC 8785 text of its members other than
`content_hash`, and that text's hash. An implementation conforms when, for every vector, it drops `content_hash`,
canonicalises the rest, and gets both `canonical` and `content_hash` back.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from botsdk.contract.model import (
    ActionHead,
    BehaviourContract,
    ElementTransform,
    ObservationBlock,
    ObservationElement,
    RaySensorSpec,
    StyleSpec,
)

VECTORS_PATH = Path(__file__).with_name("hash_vectors.json")


def _small(name: str, **changes: Any) -> BehaviourContract:
    rays = RaySensorSpec("fan2d", 16.0, ("wall", "enemy"), ray_count=3, fov_deg=90.0, offset=(0.5, 0.0))
    base = BehaviourContract(
        name=name, version="1.0.0", observation=(ObservationBlock("rays", rays.size), ObservationBlock("self", 2)),
        rays=rays, actions=(ActionHead("turn", (-15.0, 0.0, 15.0)), ActionHead("fire", (0, 1))),
        style=StyleSpec(2, (("calm", (1.0, 0.0)), ("wild", (0.0, 1.0)))), decision_hz=10.0)
    return replace(base, **changes)


def _numbers() -> BehaviourContract:
    """Doubles whose ECMAScript form differs from a naive print: exponents, tiny and huge values, -0, rounding."""
    values = (1e21, 1e20, 123456789012345680000.0, 1e-7, 1e-6, 0.1, 0.30000000000000004, 5e-324,
              1.7976931348623157e308, -0.0, -1.5, 2.5e-8, 4.35, 9007199254740992.0, 333333333.3333333, 1e300)
    return _small("numbers", actions=(ActionHead("value", values), ActionHead("fire", (0, 1))),
                  decision_hz=59.94, metadata=(("note", "floats and integers are one JSON number"),))


def _strings() -> BehaviourContract:
    """Non-ASCII, astral-plane and control characters in names, keys and values; keys sorted by UTF-16 code units."""
    personas = (("\U0001F600smile", (0.25, 0.75)), ("\uFB01ne", (0.5, 0.5)), ("Zulu", (1.0, 0.0)),
                ("élan", (0.0, 1.0)), ("a\u0001b", (0.125, 0.875)))
    return _small("strings \"quoted\" \\ é \u2028 \t", style=StyleSpec(2, personas),
                  description="line one\nline two\r\u000b\u001f\u007f done",
                  metadata=(("\U0001F600", "astral key"), ("\uFB01", "bmp key above the surrogates"),
                            ("ascii", "</script> & 'single'")))


def _defined() -> BehaviourContract:
    """Element definitions (repeated per ray, linear with a named quantity, flags, angles) and a frame stack."""
    ray = tuple(ObservationElement(f"tag_{tag}", "tag", (0.0, 1.0), ElementTransform("one_hot", absent=0.0,
                                                                                     category=tag))
                for tag in ("wall", "enemy")) + (
        ObservationElement("hit", "condition", (0.0, 1.0), ElementTransform("flag", absent=0.0)),
        ObservationElement("distance", "units", (0.0, 1.0), ElementTransform("linear", 0.0, 16.0, (0.0, 1.0), 1.0)))
    own = (ObservationElement("x", "units", (0.0, 1.0), ElementTransform("linear", "map_min_x", "map_width",
                                                                         (-1.0, 1.0)), "across the map"),
           ObservationElement("heading_sin", "radians", (-1.0, 1.0), ElementTransform("sin")))
    small = _small("defined")
    return replace(small, frame_stack=3, quantities=(("map_min_x", "west edge"), ("map_width", "east - west edge")),
                   observation=(replace(small.observation[0], elements=ray, repeat=3),
                                replace(small.observation[1], elements=own)))


def vector_contracts() -> list[tuple[str, str, BehaviourContract]]:
    return [
        ("defined", "element definitions, quantities and a frame stack of 3", _defined()),
        ("small", "a minimal fan2d contract", _small("small")),
        ("numbers", "numbers whose shortest round-trip form needs the ECMAScript rules", _numbers()),
        ("strings", "escapes, non-ASCII text and member names sorted by UTF-16 code units", _strings()),
    ]


def build_vectors() -> dict[str, Any]:
    vectors = []
    for name, description, contract in vector_contracts():
        vectors.append({"name": name, "description": description, "document": json.loads(contract.to_json()),
                        "canonical": contract.canonical_json(), "content_hash": contract.content_hash})
    return {"format": "botsdk.contract-hash-vectors/1",
            "rule": "content_hash = 'sha256:' + hex(sha256(utf8(RFC 8785 canonical JSON of the document without "
                    "its content_hash member)))",
            "vectors": vectors}


def write_vectors(path: Path = VECTORS_PATH) -> Path:
    path.write_text(json.dumps(build_vectors(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


if __name__ == "__main__":
    print(write_vectors())
