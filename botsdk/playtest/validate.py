"""How well the playtest finds what is known to be there: recall of a map's seeded defects (listed in its metadata)
over many runs, and the findings that match no defect (false alarms). This is how the default budget is chosen."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from botsdk.playtest.analysis import PlaytestSummary

DEFECT_CHECKS = {"leak": "out_of_bounds", "trap": "stuck", "unreachable_pickup": "unreachable"}
TOLERANCE = 1.0  # metres beyond the defect's own radius


@dataclass(frozen=True)
class Defect:
    name: str
    check: str
    position: tuple[float, float]
    radius: float


def seeded_defects(metadata: dict[str, Any]) -> list[Defect]:
    """The defects a map's metadata declares (`metadata.defects`: kind, name, x, y, radius)."""
    out = []
    for i, d in enumerate(metadata.get("defects", [])):
        if d.get("kind") not in DEFECT_CHECKS:
            raise ValueError(f"metadata.defects[{i}].kind: expected one of {sorted(DEFECT_CHECKS)}, got {d.get('kind')!r}")
        out.append(Defect(str(d.get("name", f"defect_{i}")), DEFECT_CHECKS[d["kind"]], (float(d["x"]), float(d["y"])),
                          float(d.get("radius", 1.0))))
    return out


def match(summary: PlaytestSummary, defects: list[Defect], bot_only: bool = False) -> dict[str, Any]:
    """Which defects a run found (a finding of the defect's check within radius + TOLERANCE), and the findings
    that match none. `bot_only` ignores static (level-analysis) findings."""
    groups = [g for g in summary.groups if not bot_only or g.bot_findings]
    found, matched = {}, set()
    for defect in defects:
        hits = [i for i, g in enumerate(groups) if g.check == defect.check and g.position is not None and
                np.hypot(g.position[0] - defect.position[0], g.position[1] - defect.position[1]) <= defect.radius + TOLERANCE]
        found[defect.name] = bool(hits)
        matched.update(hits)
    extra = [groups[i].to_dict() for i in range(len(groups)) if i not in matched]
    return {"found": found, "false_alarms": extra}
