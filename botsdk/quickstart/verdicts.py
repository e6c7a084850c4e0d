"""The quickstart's headline: each figure against its target, in words, for the report page and the terminal."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from botsdk.evaluation.report import Check, evaluation_checks, number

# Which playtest check should find each kind of defect a map plants on purpose (`metadata["defects"]`).
DEFECT_CHECKS = {"leak": "out_of_bounds", "trap": "stuck", "unreachable_pickup": "unreachable"}
FIND_SLACK_M = 2.0   # a finding this far beyond a defect's radius still counts as finding it


def headline_checks(out: Path, summary: dict[str, Any]) -> list[Check]:
    """Human-likeness and style (from evaluation/report.json), export parity and the playtest's catch."""
    stages = {s["name"]: s for s in summary["stages"]}
    checks: list[Check] = []
    evaluation = out / "evaluation" / "report.json"
    if evaluation.exists():
        checks += evaluation_checks(json.loads(evaluation.read_text(encoding="utf-8")))
    if "export" in stages:
        checks.append(_export_check(stages["export"]["summary"]))
    playtest = out / "playtest" / "playtest.json"
    if playtest.exists():
        check = planted_defects_check(json.loads(playtest.read_text(encoding="utf-8")))
        if check is not None:
            checks.append(check)
    return checks


def _export_check(export: dict[str, Any]) -> Check:
    agreement, floor = export.get("argmax_agreement"), export.get("min_agreement")
    measured = "not measured" if agreement is None else \
        f"{agreement:.1%} of {number(export.get('parity_samples'))} observations decide alike"
    target = "" if floor is None else f"≥ {floor:.1%}"
    ok = None if agreement is None or floor is None else agreement >= floor
    return Check("Exported ONNX model decides as the trained one", measured, target,
                 "not measured" if ok is None else "pass" if ok else "fail")


def planted_defects_check(playtest: dict[str, Any]) -> Check | None:
    """Did the playtest find every defect its map plants on purpose? None for a map that plants none."""
    from botsdk.arena.maps import load_map

    try:
        defects = load_map(playtest["map"]).metadata.get("defects", [])
    except (KeyError, ValueError, OSError):
        return None
    if not defects:
        return None
    found = [d["name"] for d in defects if _found(d, playtest.get("findings", []))]
    missed = [d["name"] for d in defects if d["name"] not in found]
    measured = f"{len(found)} of {len(defects)}" + (f" (missed: {', '.join(missed)})" if missed else "")
    return Check(f"Playtest finds the defects planted in {playtest['map']}", measured, f"all {len(defects)}",
                 "pass" if not missed else "fail")


def _found(defect: dict[str, Any], findings: list[dict[str, Any]]) -> bool:
    check = DEFECT_CHECKS.get(defect.get("kind", ""))
    reach = float(defect.get("radius", 0.0)) + FIND_SLACK_M
    return any(f["check"] == check and f.get("position") is not None
               and math.dist(f["position"], (defect["x"], defect["y"])) <= reach for f in findings)
