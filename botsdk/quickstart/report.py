"""The quickstart's report.html: one page that links every artefact and shows the plots of every stage."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#1d2330;background:#fafbfc}
h1{margin-bottom:.2rem} .muted{color:#667} table{border-collapse:collapse;margin:.5rem 0}
td,th{border:1px solid #d5d9e0;padding:.3rem .6rem;text-align:left;vertical-align:top}
.stage{background:#fff;border:1px solid #e1e4ea;border-radius:8px;padding:1rem 1.2rem;margin:1rem 0}
img{max-width:100%;border:1px solid #e1e4ea;border-radius:4px;margin:.3rem 0} code{background:#eef1f5;padding:0 .2rem}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(320px,1fr));gap:.6rem}
"""


def _timing_plot(out: Path, stages: list[dict[str, Any]]) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 2.6))
    names = [s["name"] for s in stages][::-1]
    ax.barh(names, [s["seconds"] for s in stages][::-1], color="#3b82f6")
    ax.set_xlabel("seconds")
    ax.set_title("time per stage")
    fig.tight_layout()
    path = out / "quickstart_timing.png"
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path.name


def _images_of_report(out: Path, folder: str) -> list[str]:
    """The <img> tags of a stage's own report (they embed their PNGs), so this page shows every plot too."""
    import re

    page = out / folder / "report.html"
    if not page.exists():
        return []
    return re.findall(r"<img\b[^>]*>", page.read_text(encoding="utf-8"))


def _value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (dict, list)):
        return html.escape(json.dumps(value, default=str))
    return html.escape(str(value))


def _stage_html(out: Path, stage: dict[str, Any]) -> str:
    rows = "".join(f"<tr><th>{html.escape(str(k))}</th><td>{_value(v)}</td></tr>" for k, v in stage["summary"].items())
    links = " · ".join(f'<a href="{html.escape(href)}">{html.escape(label)}</a>' for label, href in stage["links"].items())
    folder = {"evaluate": "evaluation", "playtest": "playtest"}.get(stage["name"])
    images = "".join(_images_of_report(out, folder)) if folder else ""
    return (f'<div class="stage"><h2>{html.escape(stage["name"])} <span class="muted">{stage["seconds"]} s</span></h2>'
            f"<p>{links}</p><table>{rows}</table>"
            + (f'<div class="grid">{images}</div>' if images else "") + "</div>")


def write_quickstart_report(out: Path, summary: dict[str, Any]) -> Path:
    """Write out/report.html from the quickstart summary; images are files beside it (relative links)."""
    stages = summary["stages"]
    timing = _timing_plot(out, stages)
    body = "".join(_stage_html(out, s) for s in stages)
    page = (f"<!doctype html><html><head><meta charset='utf-8'><title>botsdk quickstart</title>"
            f"<style>{_STYLE}</style></head><body><h1>botsdk quickstart</h1>"
            f"<p class='muted'>record → train → export → serve → evaluate → playtest, "
            f"{summary['total_seconds']} s in total. Everything below was measured in this run.</p>"
            f'<img src="{timing}" alt="time per stage">{body}'
            f"<p class='muted'>Raw figures: <a href='quickstart.json'>quickstart.json</a></p></body></html>")
    path = out / "report.html"
    path.write_text(page, encoding="utf-8")
    return path
