"""The three HTML reports in a real browser (headless Chromium): each renders, opens with its verdict above the fold,
and reads as figures for people: no `None`, no Python reprs, no raw field names, no unrounded numbers."""

import html
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from fixtures.reports import build_reports

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (.ci/run installs it)")
VIEWPORT = (1280, 800)
VERDICT_BACKGROUNDS = {"PASS": (0xEC, 0xFD, 0xF3), "FAIL": (0xFE, 0xF2, 0xF2)}   # the banners' CSS backgrounds
REPRS = [r"\bNone\b", r"\bTrue\b", r"\bFalse\b", r"\bnan\b", r"[{\[]\s*['\"]", r"object at 0x", r"\barray\(",
         r"\bnp\.", r"\d+\.\d{5,}", r"\bturing_auc", r"\bstyle_accuracy", r"median_time_s", r"completion_rate",
         r"size_bytes"]


def _chromium(*args: str, profile: Path) -> subprocess.CompletedProcess:
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
             f"--window-size={VIEWPORT[0]},{VIEWPORT[1]}", "--hide-scrollbars"]
    return subprocess.run([CHROMIUM, *flags, *args], capture_output=True, text=True, timeout=120)


def visible_text(dom: str) -> str:
    """The words a reader sees: no style or script blocks, no tags (an image's data URL is not text)."""
    dom = re.sub(r"<(style|script)\b.*?</\1>", " ", dom, flags=re.S | re.I)
    return html.unescape(re.sub(r"<[^>]+>", " ", dom))


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    return build_reports(tmp_path_factory.mktemp("reports"))


@pytest.mark.parametrize("name", ["quickstart", "evaluation", "playtest"])
def test_report_renders_with_a_verdict_above_the_fold(pages, name, tmp_path):
    from PIL import Image

    page = pages[name].resolve().as_uri()
    dom = _chromium("--dump-dom", page, profile=tmp_path / "dom")
    assert dom.returncode == 0 and "</body>" in dom.stdout, dom.stderr[-2000:]
    text = visible_text(dom.stdout)
    verdict = re.search(r"\b(PASS|FAIL)\b", text)
    assert verdict, f"{name}: no PASS/FAIL verdict"
    for pattern in REPRS:
        found = re.search(pattern, text)
        assert found is None, f"{name}: {pattern!r} shows: ...{text[max(0, found.start() - 80):found.end() + 80]}..."
    shot = tmp_path / "page.png"
    _chromium(f"--screenshot={shot}", page, profile=tmp_path / "shot")
    pixels = np.asarray(Image.open(shot).convert("RGB"))
    assert pixels.shape[:2] == (VIEWPORT[1], VIEWPORT[0])
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 50, f"{name}: the page looks blank"
    banner = (pixels == VERDICT_BACKGROUNDS[verdict.group(1)]).all(axis=-1)
    assert banner.sum() > 20_000, f"{name}: the {verdict.group(1)} banner is not on the first screen"


def test_evaluation_page_states_targets_and_what_was_not_measured(pages):
    page = pages["evaluation"].read_text(encoding="utf-8")
    text = visible_text(page)
    assert "0.58 (95% interval 0.52–0.64)" in text and "≤ 0.65" in text
    assert "1 of 2 caught" in text, "the power panel's verdict"
    assert "not measured" in text, "a missing figure is named, not printed as None"
    assert "href='report.json'" in page and "<pre" not in page, "raw JSON linked, not dumped"
    assert "style_vector" not in text and "confusion_policy" not in text


def test_quickstart_page_lists_the_playtest_findings(pages):
    text = visible_text(pages["quickstart"].read_text(encoding="utf-8"))
    assert "Playtest findings" in text
    assert re.search(r"(stuck|out of bounds|unreachable)\s+at \(\d+\.\d, \d+\.\d\)", text)
    assert "Playtest finds the defects planted in qa_defects" in text
