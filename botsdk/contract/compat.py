"""Whether a model built for one contract may run on data or an engine described by another.

The rule (documented in docs/contract.md):
- `name` and the MAJOR version must be equal.
- The other side's MINOR may be equal or newer than the model's, never older: a model for 1.2 runs on 1.3 data.
  Minor releases may only add things a model never reads (personas, descriptions, metadata).
- Everything that shapes tensors or their meaning must be identical: observation blocks (names, sizes, order),
  frame stack, the whole ray spec, action heads (names, value tables), style size, decision rate.
- Every persona the model knows must exist on the other side with the same vector.
- Where both sides define a block's elements, their names, ranges and transforms must be equal (one side without
  definitions, such as a format botsdk.contract/1 file, is not a difference); the frame fill rule must be equal.
PATCH versions, the contract format and the content hash never matter by themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

from botsdk.contract.model import BehaviourContract, ObservationBlock, _ray_spec_to_dict


@dataclass(frozen=True)
class Difference:
    field: str
    model: object
    other: object

    def __str__(self) -> str:
        return f"{self.field}: model has {self.model!r}, other side has {self.other!r}"


class IncompatibleContractError(ValueError):
    """Two contracts that must agree do not; the message lists every differing field with both values."""

    def __init__(self, differences: list[Difference], model_label: str = "model", other_label: str = "other"):
        self.differences = differences
        lines = "; ".join(str(d).replace("model has", f"{model_label} has").replace("other side has", f"{other_label} has")
                          for d in differences)
        super().__init__(f"incompatible behaviour contracts ({len(differences)} difference(s)): {lines}")


def contract_differences(model: BehaviourContract, other: BehaviourContract) -> list[Difference]:
    """Every field on which `other` cannot serve `model`; empty when compatible."""
    diffs: list[Difference] = []

    def check(field_name: str, a: object, b: object) -> None:
        if a != b:
            diffs.append(Difference(field_name, a, b))

    check("name", model.name, other.name)
    check("version (major)", model.major, other.major)
    if other.minor < model.minor:
        diffs.append(Difference("version (minor)", model.version, f"{other.version} (older than the model's)"))
    check("observation", [(b.name, b.size) for b in model.observation], [(b.name, b.size) for b in other.observation])
    check("frame_stack", model.frame_stack, other.frame_stack)
    check("frame_fill", model.frame_fill, other.frame_fill)
    other_blocks = {b.name: b for b in other.observation}
    for block in model.observation:
        theirs = other_blocks.get(block.name)
        if theirs is not None and block.elements and theirs.elements:
            check(f"observation.{block.name}.elements", _element_meaning(block), _element_meaning(theirs))
    model_rays, other_rays = _ray_spec_to_dict(model.rays), _ray_spec_to_dict(other.rays)
    for key in sorted(set(model_rays) | set(other_rays)):
        check(f"rays.{key}", model_rays.get(key), other_rays.get(key))
    check("actions (heads)", list(model.head_names), list(other.head_names))
    for head in model.actions:
        if head.name in other.head_names:
            check(f"actions.{head.name}.values", list(head.values), list(other.head(head.name).values))
    check("style.size", model.style.size, other.style.size)
    other_personas = dict(other.style.personas)
    for name, vector in model.style.personas:
        check(f"style.personas.{name}", list(vector), list(other_personas[name]) if name in other_personas else None)
    check("decision_hz", model.decision_hz, other.decision_hz)
    return diffs


def _element_meaning(block: ObservationBlock) -> list[tuple]:
    """What a model reads from element definitions: names, ranges, transforms (not units or descriptions)."""
    return [(e.name, e.range, e.transform) for e in block.elements] + [("repeat", block.repeat)]


def check_compatible(model: BehaviourContract, other: BehaviourContract,
                     model_label: str = "model", other_label: str = "other") -> None:
    """Raise IncompatibleContractError naming every differing field, or return None when `other` can serve `model`."""
    diffs = contract_differences(model, other)
    if diffs:
        raise IncompatibleContractError(diffs, model_label, other_label)
