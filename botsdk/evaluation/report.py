"""The HTML report (matplotlib figures embedded as base64 PNG, so one file travels) and the JSON beside it."""

from __future__ import annotations

import base64
import html
import io
import json
import math
from pathlib import Path
from typing import Any

import numpy as np


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def heatmap_figure(maps: dict[str, dict[str, list[list[float]]]]) -> str:
    """One row per persona: demonstrators and policy occupancy side by side, on one colour scale per row."""
    import matplotlib.pyplot as plt

    rows = list(maps)
    cols = max(len(v) for v in maps.values())
    fig, axes = plt.subplots(len(rows), cols, figsize=(2.6 * cols, 2.4 * len(rows)), squeeze=False)
    for r, persona in enumerate(rows):
        vmax = max(np.max(m) for m in maps[persona].values())
        for c, (label, grid) in enumerate(maps[persona].items()):
            ax = axes[r][c]
            ax.imshow(np.asarray(grid), origin="lower", cmap="magma", vmin=0, vmax=vmax)
            ax.set_title(f"{persona}: {label}", fontsize=8)
            ax.set_xticks([]), ax.set_yticks([])
        for c in range(len(maps[persona]), cols):
            axes[r][c].axis("off")
    return _png(fig)


def histogram_figure(hists: dict[str, dict[str, Any]]) -> str:
    """Per-step turn and speed: demonstrators against policy and the robotic bot."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(hists), figsize=(4.2 * len(hists), 3), squeeze=False)
    for ax, (quantity, data) in zip(axes[0], hists.items()):
        edges = np.asarray(data["edges"])
        for label, counts in data["density"].items():
            ax.stairs(np.asarray(counts), edges, label=label)
        ax.set_title(quantity, fontsize=9)
        ax.legend(fontsize=7)
    return _png(fig)


def confusion_figure(styles: list[str], matrix: list[list[float | None]], title: str) -> str:
    import matplotlib.pyplot as plt

    m = np.array([[np.nan if v is None else v for v in row] for row in matrix], np.float64)
    fig, ax = plt.subplots(figsize=(3.6, 3.2))
    ax.imshow(m, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(styles)), styles, rotation=45, fontsize=8)
    ax.set_yticks(range(len(styles)), styles, fontsize=8)
    ax.set_xlabel("predicted style"), ax.set_ylabel("style asked for")
    for (i, j), v in np.ndenumerate(m):
        if not np.isnan(v):
            ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=7, color="white" if v > 0.5 else "black")
    ax.set_title(title, fontsize=9)
    return _png(fig)


def auc_figure(turing: dict[str, Any]) -> str:
    """Window AUC with bootstrap 95% intervals: floor, policy (pooled and per persona), robotic bot."""
    import matplotlib.pyplot as plt

    rows = [("demonstrators (floor)", turing["floor"]), ("policy", turing["policy"])]
    rows += [(f"policy {p}", v) for p, v in turing["per_persona"].items()] + [("robotic bot", turing["robotic"])]
    rows = [(label, t) for label, t in rows if t.get("auc") is not None and t.get("auc_ci", [None])[0] is not None]
    fig, ax = plt.subplots(figsize=(6, 0.45 * len(rows) + 1))
    for i, (label, t) in enumerate(rows):
        lo, hi = t["auc_ci"]
        ax.errorbar(t["auc"], i, xerr=[[t["auc"] - lo], [hi - t["auc"]]], fmt="o", capsize=3)
    ax.axvline(0.5, color="grey", linestyle=":")
    ax.set_yticks(range(len(rows)), [r[0] for r in rows], fontsize=8)
    ax.set_xlim(min([0.3] + [t["auc_ci"][0] - 0.02 for _, t in rows]), 1.02)
    ax.set_xlabel("discriminator window AUC (0.5 = indistinguishable)")
    return _png(fig)


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return "n/a" if math.isnan(v) else f"{v:.3f}"
    return html.escape(str(v))


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{_fmt(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def write_report(result: dict[str, Any], plots: dict[str, Any], out_dir: Path) -> tuple[Path, Path]:
    """report.json (every figure, plot data included) and report.html (summary, tables, embedded plots)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, html_path = out_dir / "report.json", out_dir / "report.html"
    json_path.write_text(json.dumps({**result, "plots": plots}, indent=2, default=_json_default), encoding="utf-8")
    images = {
        "Turing test": auc_figure(result["turing"]),
        "Where bots go": heatmap_figure(plots["heatmaps"]),
        "Turn and speed": histogram_figure(plots["histograms"]),
        "Style fidelity (policy)": confusion_figure(result["style"]["styles"], result["style"]["confusion_policy"],
                                                    "policy conditioned on each persona"),
        "Style fidelity (demonstrators)": confusion_figure(result["style"]["styles"],
                                                           result["style"]["confusion_demonstrators"],
                                                           "held-out demonstrators (ceiling)"),
    }
    html_path.write_text(_html(result, images), encoding="utf-8")
    return json_path, html_path


def _html(result: dict[str, Any], images: dict[str, str]) -> str:
    t = result["turing"]
    summary = _table(["figure", "value", "95% interval"], [
        ["Turing AUC, policy vs held-out demonstrators", t["policy"]["auc"], t["policy"]["auc_ci"]],
        ["Turing AUC, demonstrators vs demonstrators (floor)", t["floor"]["auc"], t["floor"]["auc_ci"]],
        ["Turing AUC, robotic bot (power check)", t["robotic"]["auc"], t["robotic"]["auc_ci"]],
        ["Episode accuracy, policy", t["policy"]["episode_accuracy"], t["policy"]["episode_accuracy_ci"]],
        ["Style accuracy, policy", result["style_accuracy"], ""],
        ["Style accuracy, demonstrators (ceiling)", result["style"]["accuracy_demonstrators"], ""],
    ])
    dist_rows = []
    for persona, d in result["distances"].items():
        for head, v in d["js"].items():
            dist_rows.append([persona, f"JS {head}", v["value"], v["floor"], v["ratio"]])
        for key, v in d["w1"].items():
            dist_rows.append([persona, f"W1 {key}", v["value"], v["floor"], v["ratio"]])
        dist_rows.append([persona, "EMD positions", d["emd"]["value"], d["emd"]["floor"], d["emd"]["ratio"]])
    beh_rows = [[p, b["entropy_demonstrators"], b["entropy_policy"], b["competence_demonstrators"]["mean_return"],
                 b["competence_policy"]["mean_return"]] for p, b in result["behaviour"].items()]
    parts = [f"<h1>botsdk evaluation: {html.escape(str(result['policy']))}</h1>",
             f"<p>data {html.escape(str(result['data']))}; {result['setup']}; {result['matches']} matches; "
             f"held-out seeds {len(result['seeds'])}; {result['wall_s']} s</p>", "<h2>Summary</h2>", summary]
    for title, b64 in images.items():
        parts += [f"<h2>{html.escape(title)}</h2>", f'<img alt="{html.escape(title)}" src="data:image/png;base64,{b64}">']
    parts += ["<h2>Distances (value, floor = demonstrators vs held-out demonstrators, ratio)</h2>",
              _table(["group", "distance", "value", "floor", "ratio"], dist_rows),
              "<h2>Behaviour entropy and competence</h2>",
              _table(["persona", "entropy demos", "entropy policy", "return demos", "return policy"], beh_rows),
              "<h2>Blends and styles shown by an unseen demonstrator</h2>",
              f"<pre>{html.escape(json.dumps({'blends': result['style']['blends'], 'fewshot': result['style']['fewshot']}, indent=1, default=_json_default))}</pre>"]
    style = "body{font-family:sans-serif;max-width:1100px;margin:auto}table{border-collapse:collapse}" \
            "td,th{border:1px solid #ccc;padding:2px 8px;font-size:13px}"
    return f"<!doctype html><html><head><meta charset='utf-8'><title>botsdk evaluation</title><style>{style}</style>" \
           f"</head><body>{''.join(parts)}</body></html>"


def _json_default(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    return str(value)
