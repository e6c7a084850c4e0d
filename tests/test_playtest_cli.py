"""`botsdk playtest` exit codes and outputs, driven through the generic hook (fast) and the arena's bad inputs."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parent))

from botsdk.cli import build_app  # noqa: E402

HOOK = "playtest_gridworld:make_hook"


def invoke(*args: str):
    return CliRunner().invoke(build_app(), ["playtest", *args])


def test_gated_finding_exits_1_and_writes_reports(tmp_path):
    junit = tmp_path / "ci" / "playtest.xml"
    junit.parent.mkdir()
    result = invoke("--hook", HOOK, "--personas", "explorer", "--episodes", "4", "--max-steps", "240",
                    "--workers", "2", "--out", str(tmp_path / "out"), "--junit", str(junit),
                    "--fail-on", "out_of_bounds", "--quiet")
    assert result.exit_code == 1, result.output
    assert "FAIL out_of_bounds at (9.50, 3.50)" in result.output
    assert "note stuck" in result.output  # found, reported, but not gating
    data = json.loads((tmp_path / "out" / "playtest.json").read_text())
    assert data["checks"]["out_of_bounds"] == 1 and data["episodes"] == 4
    assert (tmp_path / "out" / "report.html").stat().st_size > 10_000
    assert ET.parse(junit).getroot().get("failures") == "1"


def test_no_gated_finding_exits_0(tmp_path):
    result = invoke("--hook", HOOK, "--personas", "idler", "--episodes", "2", "--max-steps", "40",
                    "--out", str(tmp_path), "--fail-on", "stuck,out_of_bounds", "--quiet")
    assert result.exit_code == 0, result.output  # the idler never moves: only an unreachable note remains
    assert "note unreachable" in result.output


def test_bad_input_exits_2_naming_expected_and_received(tmp_path):
    cases = [
        (("--map", "atlantis"), "unknown map 'atlantis'; expected one of"),
        (("--map", "qa_defects", "--personas", "explorer,sniper"), "unknown persona 'sniper'; expected some of"),
        (("--hook", HOOK, "--fail-on", "stuck,lag"), "unknown check 'lag'; expected some of stuck"),
        (("--hook", "no_such_module:make"), "--hook no_such_module:make"),
        (("--map", "qa_defects", "--policy", str(tmp_path / "missing.onnx")), "expected an .onnx model file"),
        ((), "expected exactly one of --map NAME or --hook"),
    ]
    for args, message in cases:
        result = invoke(*args, "--out", str(tmp_path), "--quiet")
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output, (args, result.output)
