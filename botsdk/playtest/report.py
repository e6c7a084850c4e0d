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
    where = "no position" if group["position"] is None else f"at ({group['position'][0]:.2f}, {group['position'][1]:.2f})"
    rep = group["reproduce"]
    return (f"{group['check']} {where}: seen {group['count']}x, seeds {group['seeds'][:10]}; reproduce with "
            f"seed={rep['seed']} persona={rep['persona']} agent={rep['agent_id']} step={rep['step']}: "
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
    for group in summary.groups:
        if group.position is None:
            continue
        marker, color = MARKERS[group.check]
        ax.scatter([group.position[0]], [group.position[1]], marker=marker, s=160, color=color,
                   edgecolors="white", zorder=5)
        seed = group.to_dict()["reproduce"]["seed"]
        label = f"{group.check} seed {seed}" if seed is not None else f"{group.check} (static)"
        ax.annotate(label, group.position, xytext=(6, 6),
                    textcoords="offset points", fontsize=8, color=color, weight="bold")
    for check, (marker, color) in MARKERS.items():
        ax.scatter([], [], marker=marker, color=color, label=check)
    seen = np.vstack([t.positions for t in tracks] + [np.array([[extent[0], extent[2]], [extent[1], extent[3]]])])
    ax.set_xlim(min(seen[:, 0].min(), x0) - 1, max(seen[:, 0].max(), x1) + 1)
    ax.set_ylim(min(seen[:, 1].min(), y0) - 1, max(seen[:, 1].max(), y1) + 1)
    ax.set_title(f"{world.name}: coverage {cov.final:.1%} of {int(cov.reachable.sum())} reachable cells")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.06), ncol=4, fontsize=8)
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
    ax.legend(fontsize=8)
    return fig


def write_html(summary: PlaytestSummary, path: Path, fail_on: tuple[str, ...] = CHECKS) -> Path:
    import matplotlib.pyplot as plt

    data = summary.to_dict()
    figures = []
    for build in (map_figure, coverage_figure):
        fig = build(summary)
        figures.append(_png(fig))
        plt.close(fig)
    rows = "".join(
        f"<tr class='{'gate' if g['check'] in fail_on else ''}'><td>{g['check']}</td><td>{_pos(g['position'])}</td>"
        f"<td>{g['count']}</td><td>{g['reproduce']['seed']}</td><td>{html.escape(str(g['reproduce']['persona']))}</td>"
        f"<td>{html.escape(str(g['reproduce']['agent_id']))}</td><td>{g['reproduce']['step']}</td>"
        f"<td>{html.escape(', '.join(map(str, g['seeds'][:20])))}</td>"
        f"<td><pre>{html.escape(g['message'])}</pre></td></tr>" for g in data["findings"])
    golden = "".join(f"<li>{html.escape(p)}: {v['completed']}/{v['episodes']} episodes "
                     f"({v['completion_rate']:.0%}), median time {v['median_time_s']} s</li>"
                     for p, v in data["golden_path"].items()) or "<li>no golden path defined</li>"
    coverage = "".join(f"<li>{html.escape(k)}: {v:.1%}</li>" for k, v in data["coverage"].items())
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>playtest {html.escape(summary.world.name)}</title>
<style>body{{font-family:sans-serif;margin:2em}} table{{border-collapse:collapse}} td,th{{border:1px solid #ccc;
padding:4px;vertical-align:top}} tr.gate td:first-child{{color:#c00;font-weight:bold}} pre{{margin:0;max-width:40em;
white-space:pre-wrap;font-size:11px}}</style></head><body>
<h1>Playtest: {html.escape(summary.world.name)}</h1>{_partial_banner(summary)}
<p>{data['episodes']} episodes ({', '.join(summary.plan.personas)}; {summary.plan.episodes} each, seeds from
{summary.plan.seed}, at most {summary.plan.max_steps} steps), {data['agent_tracks']} agent tracks, {data['steps']}
steps, {data['wall_s']} s with {summary.plan.workers} worker(s).</p>
<h2>Findings</h2><p>{', '.join(f'{k}: {v}' for k, v in data['checks'].items())}</p>
<table><tr><th>check</th><th>position</th><th>count</th><th>seed</th><th>persona</th><th>agent</th><th>step</th>
<th>all seeds</th><th>message</th></tr>{rows}</table>
<p>Replay a finding: the same persona, map and seed give the same episode bit for bit; the step is where it
starts. Findings without a seed come from the static analysis of the level (the map file reproduces them).</p>
<h2>Map: coverage, trajectories, findings</h2><img src="data:image/png;base64,{figures[0]}">
<h2>Coverage over time</h2><ul>{coverage}</ul><img src="data:image/png;base64,{figures[1]}">
<h2>Golden path</h2><ul>{golden}</ul>
</body></html>"""
    path.write_text(page, encoding="utf-8")
    return path


def _partial_banner(summary: PlaytestSummary) -> str:
    if not summary.partial:
        return ""
    planned = len(summary.plan.personas) * summary.plan.episodes
    return (f"<p class='partial' style='color:#c00;font-weight:bold'>Partial report: the run was interrupted after "
            f"{len(summary.results)} of {planned} episodes.</p>")


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
