"""Write the playtest's three outputs: an HTML page for people, a JSON for tools, a JUnit XML for CI."""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path
from xml.etree import ElementTree as ET

import numpy as np

from botsdk.playtest.analysis import PlaytestSummary
from botsdk.playtest.records import CHECKS

MARKERS = {"stuck": ("X", "#d62728"), "out_of_bounds": ("^", "#ff7f0e"), "unreachable": ("s", "#9467bd"),
           "exception": ("*", "#000000")}
MAX_TRAJECTORIES = 48


def write_json(summary: PlaytestSummary, path: Path) -> Path:
    path.write_text(json.dumps(summary.to_dict(), indent=2) + "\n", encoding="utf-8")
    return path


def write_junit(summary: PlaytestSummary, path: Path, fail_on: tuple[str, ...] = CHECKS) -> Path:
    """One test case per check. Gated checks (`fail_on`) with findings fail; the others list theirs as output."""
    data = summary.to_dict()
    suite = ET.Element("testsuite", name=f"botsdk.playtest.{summary.world.name}", tests=str(len(CHECKS)),
                       failures=str(sum(1 for c in CHECKS if c in fail_on and summary.groups_of(c))),
                       errors="0", skipped="0", time=f"{summary.wall_s:.3f}")
    for check in CHECKS:
        case = ET.SubElement(suite, "testcase", classname=f"playtest.{summary.world.name}", name=check,
                             time=f"{summary.wall_s / len(CHECKS):.3f}")
        groups = summary.groups_of(check)
        lines = [_finding_line(g.to_dict()) for g in groups]
        if groups and check in fail_on:
            failure = ET.SubElement(case, "failure", message=f"{len(groups)} {check} finding(s)", type=check)
            failure.text = "\n".join(lines)
        elif groups:
            ET.SubElement(case, "system-out").text = "not gating:\n" + "\n".join(lines)
    props = ET.SubElement(suite, "properties")
    for key in ("episodes", "steps", "reachable_cells"):
        ET.SubElement(props, "property", name=key, value=str(data[key]))
    ET.SubElement(props, "property", name="coverage_all", value=str(data["coverage"]["all"]))
    ET.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)
    return path


def _finding_line(group: dict) -> str:
    where = "no position" if group["position"] is None else f"at {_pos(group['position'])}"
    return (f"{group['check']} {where}: seen {group['count']}x; reproduce: {_reproduce_text(group)}: "
            f"{group['message'].splitlines()[0]}")


def _png(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def map_figure(summary: PlaytestSummary):
    """Coverage heatmap over the walkable grid, walls, sample trajectories and every finding, labelled by seed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    world = summary.world
    x0, y0, x1, y1 = world.bounds
    extent = (x0, x0 + world.shape[1] * world.cell_size, y0, y0 + world.shape[0] * world.cell_size)
    fig, ax = plt.subplots(figsize=(8, 8 * (extent[3] - extent[2]) / max(extent[1] - extent[0], 1e-9) + 0.5))
    cov = summary.coverage["all"]
    ax.imshow(np.where(world.walkable, 0.9, 0.35), origin="lower", extent=extent, cmap="gray", vmin=0, vmax=1)
    heat = np.ma.masked_where(cov.visits == 0, np.log1p(cov.visits))
    image = ax.imshow(heat, origin="lower", extent=extent, cmap="viridis", alpha=0.75)
    fig.colorbar(image, ax=ax, fraction=0.04, label="log(1 + tracks entering the cell)")
    unseen = np.ma.masked_where(~(cov.reachable & (cov.visits == 0)), np.ones(world.shape))
    ax.imshow(unseen, origin="lower", extent=extent, cmap="Reds", alpha=0.35, vmin=0, vmax=1.5)
    if world.walls is not None:
        for wx0, wy0, wx1, wy1 in np.asarray(world.walls):
            ax.plot([wx0, wx1], [wy0, wy1], color="black", linewidth=1.5)
    for rx0, ry0, rx1, ry1 in world.out_of_bounds:
        ax.add_patch(plt.Rectangle((rx0, ry0), rx1 - rx0, ry1 - ry0, fill=False, hatch="//", color="#7f7f7f"))
    colors = plt.get_cmap("tab10")
    tracks = [t for r in summary.results for t in r.tracks]
    for track in tracks[:: max(1, len(tracks) // MAX_TRAJECTORIES)]:
        color = colors(summary.plan.personas.index(track.persona) % 10) if track.persona in summary.plan.personas else "w"
        ax.plot(track.positions[:, 0], track.positions[:, 1], color=color, linewidth=0.6, alpha=0.6)
    for persona in summary.plan.personas:
        ax.plot([], [], color=colors(summary.plan.personas.index(persona) % 10), label=f"trajectory: {persona}")
    for number, group in enumerate(summary.groups, 1):   # numbered as in the report's findings table
        if group.position is None:
            continue
        marker, color = MARKERS[group.check]
        ax.scatter([group.position[0]], [group.position[1]], marker=marker, s=160, color=color,
                   edgecolors="white", zorder=5)
        ax.annotate(str(number), group.position, xytext=(8, 8), textcoords="offset points", fontsize=12,
                    color=color, weight="bold", annotation_clip=False,
                    bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": color, "alpha": 0.9})
    for check, (marker, color) in MARKERS.items():
        ax.scatter([], [], marker=marker, color=color, label=check)
    seen = np.vstack([t.positions for t in tracks] + [np.array([[extent[0], extent[2]], [extent[1], extent[3]]])])
    ax.set_xlim(min(seen[:, 0].min(), x0) - 1, max(seen[:, 0].max(), x1) + 1)
    ax.set_ylim(min(seen[:, 1].min(), y0) - 1, max(seen[:, 1].max(), y1) + 1)
    ax.set_title(f"{world.name}: coverage {cov.final:.1%} of {int(cov.reachable.sum())} reachable cells")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.06), ncol=3, fontsize=10)
    ax.set_aspect("equal")
    return fig


def coverage_figure(summary: PlaytestSummary):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3.5))
    for name, cov in summary.coverage.items():
        ax.plot(cov.times_s, cov.fraction, label=name, linewidth=2 if name == "all" else 1)
    ax.set_xlabel("episode time (s)")
    ax.set_ylabel("reachable cells visited")
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=10)
    return fig


CHECK_WORDS = {"stuck": "stuck", "out_of_bounds": "out of bounds", "unreachable": "unreachable",
               "exception": "crash"}
STYLE = """
body{font-family:system-ui,sans-serif;max-width:1100px;margin:1.5rem auto;padding:0 1rem;color:#1d2330;
background:#fafbfc;line-height:1.45} h1{font-size:1.6rem;margin:.2rem 0} h2{margin-top:2rem}
.verdict{border-radius:10px;padding:1rem 1.4rem;margin:1rem 0;border:2px solid}
.verdict.pass{background:#ecfdf3;border-color:#16a34a} .verdict.fail{background:#fef2f2;border-color:#dc2626}
.verdict .word{font-size:2rem;font-weight:800;letter-spacing:.05em} .pass .word{color:#15803d}
.fail .word{color:#b91c1c} .muted{color:#5b6475} table{border-collapse:collapse;margin:.6rem 0;background:#fff}
td,th{border:1px solid #d5d9e0;padding:.35rem .7rem;text-align:left;vertical-align:top;font-size:14px}
th{background:#f1f4f8} td.num{text-align:right;white-space:nowrap} tr.gate td.check{color:#b91c1c;font-weight:700}
img{max-width:100%;height:auto;background:#fff;border:1px solid #e1e4ea;border-radius:6px}
"""


def verdict_of(data: dict, fail_on: tuple[str, ...]) -> tuple[str, str]:
    """("PASS" | "FAIL", one sentence): the build fails on any finding of a gated check, as the exit code does."""
    gating = {c: n for c, n in data["checks"].items() if c in fail_on and n}
    others = {c: n for c, n in data["checks"].items() if c not in fail_on and n}
    gates = ", ".join(CHECK_WORDS.get(c, c) for c in fail_on) or "nothing"
    if gating:
        found = ", ".join(f"{n} {CHECK_WORDS.get(c, c)}" for c, n in gating.items())
        return "FAIL", f"Found {found}: findings of checks that gate the build ({gates})."
    extra = ("; not gating: " + ", ".join(f"{n} {CHECK_WORDS.get(c, c)}" for c, n in others.items())) if others else ""
    return "PASS", f"No finding of the checks that gate the build ({gates}){extra}."


def write_html(summary: PlaytestSummary, path: Path, fail_on: tuple[str, ...] = CHECKS) -> Path:
    import matplotlib.pyplot as plt

    data = summary.to_dict()
    figures = []
    for build in (map_figure, coverage_figure):
        fig = build(summary)
        figures.append(_png(fig))
        plt.close(fig)
    word, sentence = verdict_of(data, fail_on)
    plan = summary.plan
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>playtest {html.escape(summary.world.name)}</title>
<style>{STYLE}</style></head><body>
<h1>Playtest: {html.escape(summary.world.name)}</h1>{_partial_banner(summary)}
<p class="muted">{data['episodes']} episodes ({html.escape(', '.join(plan.personas))}; {plan.episodes} each, seeds from
{plan.seed}, at most {plan.max_steps} steps) · {data['agent_tracks']} agent tracks · {data['steps']:,} steps ·
{data['wall_s']:.1f} s with {plan.workers} worker(s)</p>
<div class="verdict {word.lower()}"><div><span class="word">{word}</span> <strong>level checks</strong></div>
<p>{html.escape(sentence)}</p><p>Coverage: {data['coverage']['all']:.0%} of {data['reachable_cells']} reachable cells
visited. {_golden_sentence(data['golden_path'])}</p></div>
<h2>Findings</h2>{_findings_table(data['findings'], fail_on)}
<p>Replay a finding: the same persona, map and seed give the same episode bit for bit; the step is where it
starts. Findings of the level analysis need no run: the map file reproduces them.</p>
<h2>Map: coverage, trajectories, findings (numbered as in the table)</h2>
<img alt="map with coverage and findings" src="data:image/png;base64,{figures[0]}">
<h2>Coverage over time</h2><ul>{''.join(f"<li>{html.escape(k)}: {v:.1%}</li>" for k, v in data['coverage'].items())}</ul>
<img alt="coverage over time" src="data:image/png;base64,{figures[1]}">
<h2>Golden path</h2><ul>{_golden_items(data['golden_path'])}</ul>
<p class="muted">For tools: <a href="playtest.json">playtest.json</a> · for CI: the JUnit file.</p>
</body></html>"""
    path.write_text(page, encoding="utf-8")
    return path



def _partial_banner(summary: PlaytestSummary) -> str:
    if not summary.partial:
        return ""
    planned = len(summary.plan.personas) * summary.plan.episodes
    return (f"<p class='partial' style='color:#c00;font-weight:bold'>Partial report: the run was interrupted after "
            f"{len(summary.results)} of {planned} episodes.</p>")

def _findings_table(findings: list[dict], fail_on: tuple[str, ...]) -> str:
    if not findings:
        return "<p>No findings.</p>"
    rows = "".join(
        f"<tr class='{'gate' if g['check'] in fail_on else ''}'><td class='num'>{i}</td>"
        f"<td class='check'>{html.escape(CHECK_WORDS.get(g['check'], g['check']))}"
        f"{' (gates the build)' if g['check'] in fail_on else ''}</td><td class='num'>{_pos(g['position'])}</td>"
        f"<td class='num'>{g['count']}</td><td>{html.escape(_reproduce_text(g))}</td>"
        f"<td>{html.escape(g['message'].splitlines()[0])}</td></tr>" for i, g in enumerate(findings, 1))
    return ("<table><tr><th>#</th><th>check</th><th>where (x, y)</th><th>times seen</th><th>how to reproduce</th>"
            f"<th>what happened</th></tr>{rows}</table>")


def _reproduce_text(group: dict) -> str:
    rep = group["reproduce"]
    if rep["seed"] is None:
        return "found by the level analysis (no run needed)"
    parts = [f"seed {rep['seed']}"]
    parts += [f"{label} {rep[key]}" for key, label in (("persona", "persona"), ("agent_id", "agent"), ("step", "step"))
              if rep.get(key) is not None]
    seeds = group["seeds"]
    if len(seeds) > 1:
        parts.append(f"also seeds {', '.join(map(str, seeds[1:10]))}" + (" ..." if len(seeds) > 10 else ""))
    elif rep.get("persona") is None:
        parts.append("over every bot of the run")
    return "; ".join(parts)


def _golden_items(golden: dict) -> str:
    if not golden:
        return "<li>this level defines no golden path</li>"
    return "".join(f"<li>{html.escape(p)}: {v['completed']} of {v['episodes']} episodes completed "
                   f"({v['completion_rate']:.0%}){_median_text(v['median_time_s'])}</li>" for p, v in golden.items())


def _median_text(seconds: float | None) -> str:
    return "" if seconds is None else f", median time {seconds:.1f} s"


def _golden_sentence(golden: dict) -> str:
    if not golden:
        return ""
    done = sum(v["completed"] for v in golden.values())
    total = sum(v["episodes"] for v in golden.values())
    return f"Golden path completed in {done} of {total} episodes."


def _pos(position) -> str:
    return "-" if position is None else f"({position[0]:.2f}, {position[1]:.2f})"


def write_reports(summary: PlaytestSummary, out_dir: Path, junit: Path | None = None,
                  fail_on: tuple[str, ...] = CHECKS) -> dict[str, Path]:
    """report.html, playtest.json and (default junit.xml in out_dir) the JUnit file."""
    out_dir.mkdir(parents=True, exist_ok=True)
    if junit is not None:
        junit.parent.mkdir(parents=True, exist_ok=True)
    return {"html": write_html(summary, out_dir / "report.html", fail_on),
            "json": write_json(summary, out_dir / "playtest.json"),
            "junit": write_junit(summary, junit or out_dir / "junit.xml", fail_on)}
