"""`botsdk quickstart --quick` runs the whole story and writes a report whose every image is really there."""

import base64
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _image_bytes(src: str, base: Path) -> bytes:
    if src.startswith("data:image/png;base64,"):
        return base64.b64decode(src.split(",", 1)[1])
    return (base / src).read_bytes()


@pytest.mark.slow
def test_quickstart_quick_writes_a_report_with_every_plot(tmp_path: Path) -> None:
    out = tmp_path / "qs"
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "botsdk.cli", "quickstart", "--quick", "--out", str(out)],
                            capture_output=True, text=True, env=env, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"report: {(out / 'report.html').resolve()}" in result.stdout
    summary = json.loads((out / "quickstart.json").read_text())
    assert [s["name"] for s in summary["stages"]] == ["record", "train", "export", "serve", "evaluate", "playtest"]
    evaluation = summary["stages"][4]["summary"]
    for key in ("turing_auc", "turing_auc_floor", "turing_auc_robotic", "style_accuracy"):
        assert 0.0 <= evaluation[key] <= 1.0
    assert set(evaluation["habits_differ"].values()) <= {"more", "less"}
    page = (out / "report.html").read_text()
    assert "Differs from people in:" in page or "Every habit read about as people show it." in page
    sources = re.findall(r'<img\b[^>]*\bsrc="([^"]+)"', page)
    assert len(sources) >= 4, "timing plot plus the evaluation and playtest plots"
    for src in sources:
        assert _image_bytes(src, out).startswith(PNG_MAGIC), f"{src[:60]} is not a PNG"
    for href in re.findall(r'href="([^"#]+)"', page):
        assert (out / href).exists(), f"report links to missing {href}"
    for artefact in ("model.onnx", "model.style.onnx", "evaluation/report.html", "playtest/report.html",
                     "playtest/junit.xml", "run/checkpoint.pt"):
        assert (out / artefact).exists(), artefact
    recipe = (out / "run" / "config.toml").read_text()
    for line in ("style_encoder = true", "sight_timer = true", "position_encoding = 8"):
        assert line in recipe, f"the quickstart's recipe (chosen on the validation split) lacks {line!r}"


def test_terminal_shows_progress_inside_a_stage_and_a_closing_table_of_verdicts(tmp_path: Path) -> None:
    from io import StringIO

    from rich.console import Console

    from botsdk.quickstart.pipeline import StageResult
    from botsdk.quickstart.terminal import TerminalProgress, headline_table
    from fixtures.reports import build_reports

    screen = StringIO()
    console = Console(file=screen, width=140, force_terminal=False)
    progress = TerminalProgress(console)
    progress.stage("record demonstrators", 0, 6)
    progress.begin(96, "episodes")
    for _ in range(24):
        progress.advance(4)
    assert progress._bar.tasks[0].completed == 96
    progress.finished(StageResult("record", 12.3, {"episodes": 96, "steps": 14182, "styles": {"rusher": 96}}))
    pages = build_reports(tmp_path)
    console.print(headline_table(tmp_path))
    shown = screen.getvalue()
    assert "[1/6] record demonstrators" in shown
    assert "done in 12.3 s: Recorded 96 agent-episodes (14,182 steps)" in shown
    assert "botsdk quickstart: FAIL" in shown, "the fixture's power panel does not catch one of its two traits"
    assert "0.58 (95% interval 0.52–0.64)" in shown and "≤ 0.65" in shown
