"""The evaluation's report.html (verdict first, then figures; plots embedded as PNG so one file travels) and the
report.json beside it, which the page links rather than repeats."""

from __future__ import annotations

import base64
import html
import io
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Targets:
    """What a human-like, style-faithful bot must reach; every check in the report states its target in words."""

    turing_auc_max: float = 0.65        # a discriminator tells the bot from held-out people no better than this
    robotic_auc_min: float = 0.95       # ... while it does catch a bot without human timing and aim
    floor_band: float = 0.08            # people vs other people sit within 0.5 +- this (two-sided)
    style_accuracy_min: float = 0.85    # the persona the bot was asked for is the one a classifier names


TARGETS = Targets()


@dataclass(frozen=True)
class Check:
    """One line of a verdict: what was checked, in words, what was measured, the target, and the outcome."""

    label: str
    measured: str
    target: str
    outcome: str                        # "pass", "fail" or "not measured"


def overall(checks: list[Check]) -> str:
    """PASS when every check passes; a check that could not be measured does not pass."""
    return "PASS" if checks and all(c.outcome == "pass" for c in checks) else "FAIL"


def number(value: Any, digits: int = 2) -> str:
    """A figure as people read it: rounded, thousands separated, `not measured` for a missing one."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "not measured"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value != 0 and abs(value) >= 1000:
            return f"{value:,.0f}"
        return f"{value:,.{digits}f}"
    return str(value)


def auc_with_interval(value: Any) -> tuple[float | None, float | None, float | None]:
    """(auc, lo, hi) from a bare number, a {"auc", "lo", "hi"} mapping or a turing entry with `auc_ci`."""
    if isinstance(value, dict):
        interval = value.get("auc_ci") or [value.get("lo"), value.get("hi")]
        return _finite(value.get("auc")), _finite(interval[0]), _finite(interval[1])
    return _finite(value), None, None


def _finite(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and math.isfinite(value) else None


def _auc_text(auc: float | None, lo: float | None, hi: float | None) -> str:
    if auc is None:
        return "not measured"
    return f"{auc:.2f}" + (f" (95% interval {lo:.2f}–{hi:.2f})" if lo is not None and hi is not None else "")


def _outcome(ok: bool | None) -> str:
    return "not measured" if ok is None else ("pass" if ok else "fail")


def evaluation_checks(result: dict[str, Any], targets: Targets = TARGETS) -> list[Check]:
    """The verdict's lines from an evaluation result (report.json); absent or unmeasured figures are said so."""
    turing = result.get("turing", {})
    policy = auc_with_interval(turing.get("policy") or result.get("turing_auc"))
    floor = auc_with_interval(result.get("turing_auc_floor") if isinstance(result.get("turing_auc_floor"), dict)
                              else turing.get("floor") or result.get("turing_auc_floor"))
    robotic = auc_with_interval(result.get("turing_auc_robotic") if isinstance(result.get("turing_auc_robotic"), dict)
                                else turing.get("robotic") or result.get("turing_auc_robotic"))
    style = _finite(result.get("style_accuracy"))
    checks = [
        Check("Bot told apart from people (discriminator AUC; 0.5 = cannot tell)", _auc_text(*policy),
              f"≤ {targets.turing_auc_max:.2f}", _outcome(None if policy[0] is None
                                                           else policy[0] <= targets.turing_auc_max)),
        Check("People told apart from other people (the test's floor)", _auc_text(*floor),
              f"0.50 ± {targets.floor_band:.2f}",
              _outcome(_floor_ok(floor, targets))),
        Check("A robotic bot is caught (the test's power)", _auc_text(*robotic), f"≥ {targets.robotic_auc_min:.2f}",
              _outcome(None if robotic[0] is None else robotic[0] >= targets.robotic_auc_min)),
        Check("Plays the persona asked for (style classifier accuracy)", number(style),
              f"≥ {targets.style_accuracy_min:.2f}",
              _outcome(None if style is None else style >= targets.style_accuracy_min)),
    ]
    panel = _panel_members(result)
    if panel:
        caught = [_caught(v) for v in panel.values()]
        measured = [c for c in caught if c is not None]
        checks.append(Check("People with one human trait removed are caught (power panel)",
                            f"{sum(measured)} of {len(panel)} caught", "every one: interval excludes 0.50",
                            _outcome(None if len(measured) < len(caught) else all(measured))))
    return checks


def _panel_members(result: dict[str, Any]) -> dict[str, Any]:
    """name -> {auc, lo, hi} (or a bare AUC) for every power-panel member, from the richest form present."""
    detail = result.get("power_panel_detail")
    if isinstance(detail, dict) and isinstance(detail.get("members"), dict):
        return detail["members"]
    panel = result.get("power_panel")
    return panel if isinstance(panel, dict) else {}


def _floor_ok(floor: tuple[float | None, float | None, float | None], targets: Targets) -> bool | None:
    auc, lo, hi = floor
    if auc is None:
        return None
    return abs(auc - 0.5) <= targets.floor_band


def _caught(entry: Any) -> bool | None:
    """Two-sided: a panel member is caught when its AUC interval lies wholly above or wholly below chance."""
    _, lo, hi = auc_with_interval(entry)
    return None if lo is None or hi is None else (lo > 0.5 or hi < 0.5)


# ---- figures: sized and lettered to be read at the page's width -----------------------------------------------------
def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def heatmap_figure(maps: dict[str, dict[str, list[list[float]]]]) -> str:
    """One row per persona: demonstrators and policy occupancy side by side, on one colour scale per row."""
    plt = _pyplot()
    rows = list(maps)
    cols = max(len(v) for v in maps.values())
    fig, axes = plt.subplots(len(rows), cols, figsize=(3.2 * cols, 3.0 * len(rows)), squeeze=False)
    for r, persona in enumerate(rows):
        vmax = max(float(np.max(m)) for m in maps[persona].values()) or 1.0
        for c, (label, grid) in enumerate(maps[persona].items()):
            ax = axes[r][c]
            ax.imshow(np.asarray(grid), origin="lower", cmap="magma", vmin=0, vmax=vmax)
            ax.set_title(f"{persona}: {label}", fontsize=11)
            ax.set_xticks([]), ax.set_yticks([])
        for c in range(len(maps[persona]), cols):
            axes[r][c].axis("off")
    fig.tight_layout()
    return _png(fig)


def histogram_figure(hists: dict[str, dict[str, Any]]) -> str:
    """Per-step turn and speed: demonstrators against policy and the robotic bot."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(hists), figsize=(6.5 * len(hists), 3.8), squeeze=False)
    for ax, (quantity, data) in zip(axes[0], hists.items()):
        edges = np.asarray(data["edges"])
        for label, counts in data["density"].items():
            ax.stairs(np.asarray(counts), edges, label=label, linewidth=1.6)
        ax.set_title(quantity, fontsize=11)
        ax.set_ylabel("share of steps (density)", fontsize=10)
        ax.legend(fontsize=10)
    fig.tight_layout()
    return _png(fig)


def confusion_figure(styles: list[str], matrix: list[list[float | None]], title: str) -> str:
    plt = _pyplot()
    m = np.array([[np.nan if v is None else v for v in row] for row in matrix], np.float64)
    fig, ax = plt.subplots(figsize=(4.6, 4.2))
    ax.imshow(m, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(styles)), styles, rotation=30, ha="right", fontsize=10)
    ax.set_yticks(range(len(styles)), styles, fontsize=10)
    ax.set_xlabel("style the classifier names", fontsize=10), ax.set_ylabel("style asked for", fontsize=10)
    for (i, j), v in np.ndenumerate(m):
        if not np.isnan(v):
            ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=10, color="white" if v > 0.5 else "black")
    ax.set_title(title, fontsize=11)
    return _png(fig)


def auc_figure(turing: dict[str, Any], targets: Targets = TARGETS) -> str:
    """Player AUC (the sharper judge) with bootstrap 95% intervals: floor, policy (pooled and per persona), robotic bot,
    the target."""
    plt = _pyplot()
    rows = [("people vs people (floor)", turing.get("floor", {})), ("bot, all personas", turing.get("policy", {}))]
    rows += [(f"bot as {p}", v) for p, v in turing.get("per_persona", {}).items()]
    rows += [("robotic bot", turing.get("robotic", {}))]
    rows = [(label, auc_with_interval(t)) for label, t in rows]
    rows = [(label, (a, lo if lo is not None else a, hi if hi is not None else a)) for label, (a, lo, hi) in rows
            if a is not None]
    fig, ax = plt.subplots(figsize=(7.5, 0.5 * len(rows) + 1.4))
    for i, (label, (auc, lo, hi)) in enumerate(rows):
        # a percentile interval may, rarely, miss its own estimate: draw the bar to the estimate, never inverted
        ax.errorbar(auc, i, xerr=[[max(auc - lo, 0.0)], [max(hi - auc, 0.0)]], fmt="o", capsize=4, color="#1d4ed8")
    ax.axvline(0.5, color="grey", linestyle=":", label="chance (0.5)")
    ax.axvline(targets.turing_auc_max, color="#16a34a", linestyle="--", label=f"target for the bot (≤ {targets.turing_auc_max:.2f})")
    ax.set_yticks(range(len(rows)), [r[0] for r in rows], fontsize=10)
    ax.set_xlim(min([0.3] + [lo - 0.02 for _, (_, lo, _) in rows]), 1.02)
    ax.set_xlabel("discriminator AUC (0.5 = cannot tell them apart)", fontsize=10)
    ax.legend(fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=2, frameon=False)
    fig.tight_layout()
    return _png(fig)


# ---- the files ------------------------------------------------------------------------------------------------------
def write_report(result: dict[str, Any], plots: dict[str, Any], out_dir: Path) -> tuple[Path, Path]:
    """report.json (every figure, plot data included) and report.html (verdict, tables, embedded plots)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, html_path = out_dir / "report.json", out_dir / "report.html"
    json_path.write_text(json.dumps({**result, "plots": plots}, indent=2, default=_json_default), encoding="utf-8")
    style = result["style"]
    images = {
        "Turing test: how well a discriminator tells each group from held-out people": auc_figure(result["turing"]),
        "Where they go: occupancy of people and bot per persona": heatmap_figure(plots["heatmaps"]),
        "How they move: turn and speed per step": histogram_figure(plots["histograms"]),
        "Style fidelity: the bot asked for each persona": confusion_figure(style["styles"], style["confusion_policy"],
                                                                           "bot conditioned on each persona"),
        "Style fidelity: held-out people (the best a classifier does)": confusion_figure(
            style["styles"], style["confusion_demonstrators"], "held-out people"),
    }
    html_path.write_text(render_html(result, images, json_path.name), encoding="utf-8")
    return json_path, html_path


STYLE = """
body{font-family:system-ui,sans-serif;max-width:1100px;margin:1.5rem auto;padding:0 1rem;color:#1d2330;
background:#fafbfc;line-height:1.45} h1{font-size:1.6rem;margin:.2rem 0} h2{margin-top:2rem}
.verdict{border-radius:10px;padding:1rem 1.4rem;margin:1rem 0;border:2px solid}
.verdict.pass{background:#ecfdf3;border-color:#16a34a} .verdict.fail{background:#fef2f2;border-color:#dc2626}
.verdict .word{font-size:2rem;font-weight:800;letter-spacing:.05em} .pass .word{color:#15803d}
.fail .word{color:#b91c1c} table{border-collapse:collapse;margin:.6rem 0;background:#fff}
td,th{border:1px solid #d5d9e0;padding:.35rem .7rem;text-align:left;vertical-align:top;font-size:14px}
th{background:#f1f4f8} td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.outcome-pass{color:#15803d;font-weight:700} .outcome-fail{color:#b91c1c;font-weight:700}
.outcome-not{color:#92400e;font-weight:700} .muted{color:#5b6475} .far{background:#fee2e2} .off{background:#fef3c7}
img{max-width:100%;height:auto;background:#fff;border:1px solid #e1e4ea;border-radius:6px}
.pair{display:flex;gap:1rem;flex-wrap:wrap}
"""


def verdict_html(title: str, checks: list[Check], sentence: str) -> str:
    """The banner every report opens with: PASS or FAIL, one sentence, and the checks against their targets."""
    word = overall(checks)
    return (f'<div class="verdict {word.lower()}"><div><span class="word">{word}</span> '
            f"<strong>{html.escape(title)}</strong></div><p>{html.escape(sentence)}</p>"
            + checks_table(checks) + "</div>")


def checks_table(checks: list[Check]) -> str:
    rows = "".join(f"<tr><td>{html.escape(c.label)}</td><td>{html.escape(c.measured)}</td>"
                   f"<td>{html.escape(c.target)}</td><td class='outcome-{c.outcome.split()[0]}'>{c.outcome}</td></tr>"
                   for c in checks)
    return f"<table><tr><th>check</th><th>measured</th><th>target</th><th>result</th></tr>{rows}</table>"


def summary_sentence(checks: list[Check]) -> str:
    failed = [c.label.split(" (")[0].lower() for c in checks if c.outcome == "fail"]
    unmeasured = [c.label.split(" (")[0].lower() for c in checks if c.outcome == "not measured"]
    if not failed and not unmeasured:
        return "The bot is hard to tell from held-out people, plays the persona it is asked for, and the test " \
               "itself is sound: it sees no difference between people and catches an obviously robotic bot."
    parts = [f"Failed: {'; '.join(failed)}." if failed else "",
             f"Not measured: {'; '.join(unmeasured)}." if unmeasured else ""]
    return " ".join(p for p in parts if p)


def render_html(result: dict[str, Any], images: dict[str, str], json_name: str = "report.json") -> str:
    checks = evaluation_checks(result)
    parts = [f"<h1>botsdk evaluation</h1><p class='muted'>{html.escape(_setup_line(result))}</p>",
             verdict_html("human-likeness and style", checks, summary_sentence(checks)),
             _power_panel_html(_panel_members(result), result.get("power_panel_detail")),
             _habits_html(result.get("habits") or {})]
    titles = list(images)
    parts += [f"<h2>{html.escape(titles[0])}</h2>", _img(titles[0], images[titles[0]])]
    for title in titles[1:3]:
        parts += [f"<h2>{html.escape(title)}</h2>", _img(title, images[title])]
    parts += [f"<h2>Style fidelity</h2><p>Style accuracy: bot {number(_finite(result.get('style_accuracy')))}, "
              f"held-out people {number(_finite(result['style'].get('accuracy_demonstrators')))} (the best a "
              f"classifier does on these styles); few-shot (a style taken from a few episodes of an unseen player) "
              f"{number(_finite(result.get('fewshot_style_accuracy')))}.</p>",
              "<div class='pair'>" + "".join(_img(t, images[t]) for t in titles[3:]) + "</div>",
              _distances_html(result.get("distances", {})), _behaviour_html(result.get("behaviour", {})),
              _blends_html(result["style"]),
              f"<p class='muted'>Every figure, with the plots' data: <a href='{html.escape(json_name)}'>"
              f"{html.escape(json_name)}</a></p>"]
    return f"<!doctype html><html><head><meta charset='utf-8'><title>botsdk evaluation</title>" \
           f"<style>{STYLE}</style></head><body>{''.join(parts)}</body></html>"


def _img(title: str, b64: str) -> str:
    return f'<img alt="{html.escape(title)}" src="data:image/png;base64,{b64}">'


def _setup_line(result: dict[str, Any]) -> str:
    setup = result.get("setup") or {}
    teams = setup.get("team_size")
    where = ", ".join(x for x in (setup.get("map_name"), f"{teams} v {teams}" if teams else "",
                                  f"up to {setup['max_steps']} steps" if setup.get("max_steps") else "") if x)
    facts = [f"policy {Path(str(result.get('policy', ''))).name}", where,
             f"{number(result.get('matches'))} matches played", f"{len(result.get('seeds', []))} held-out seeds",
             temperature_text(result),
             f"{number(result.get('wall_s'), 0)} s" if result.get("wall_s") else ""]
    return " · ".join(f for f in facts if f)


def temperature_text(result: dict[str, Any]) -> str:
    """'sampling temperature 1.0 (turn 0.9)': the default and the heads sampled otherwise."""
    if not result.get("temperature"):
        return ""
    default = result["temperature"]
    others = [f"{head} {number(t, 2)}" for head, t in (result.get("head_temperatures") or {}).items() if t != default]
    return f"sampling temperature {number(default, 2)}" + (f" ({', '.join(others)})" if others else "")


def _power_panel_html(panel: Any, detail: Any = None) -> str:
    if not isinstance(panel, dict) or not panel:
        return ""
    standing = ""
    if isinstance(detail, dict):
        more, less = detail.get("policy_more_human_than") or [], detail.get("policy_less_human_than") or []
        standing = (f"<p>The bot is harder to tell from people than: {html.escape(', '.join(more) or 'none of them')}."
                    f" It is easier to tell from people than: {html.escape(', '.join(less) or 'none of them')}.</p>")
    rows = []
    for name, entry in panel.items():
        auc, lo, hi = auc_with_interval(entry)
        caught = _caught(entry)
        rows.append(f"<tr><td>{html.escape(str(name))}</td><td class='num'>{html.escape(_auc_text(auc, lo, hi))}</td>"
                    f"<td class='num'>{html.escape(_judges_text(entry))}</td>"
                    f"<td class='outcome-{_outcome(caught).split()[0]}'>"
                    f"{'caught' if caught else 'not caught' if caught is False else 'not measured'}</td></tr>")
    return ("<h2>Power panel: people with a human trait removed</h2><p>Each row replays the other people's matches "
            "with the same players, except for the traits named. A test that can fail catches every one: its 95% "
            "interval lies away from 0.5. Two judges score each player over its rounds: one watches the play step "
            "by step, one reads the habits below; the AUC is the sharper one's.</p>"
            f"{standing}<table><tr><th>trait removed</th><th>AUC</th><th>watch / habits</th><th>caught</th></tr>"
            f"{''.join(rows)}</table>")


def _judges_text(entry: Any) -> str:
    judges = entry.get("judges") if isinstance(entry, dict) else None
    if not isinstance(judges, dict) or not judges:
        return "–"
    return " / ".join(number(_finite(judges.get(name))) for name in ("watch", "habits") if name in judges)


def _habits_html(habits: dict[str, Any]) -> str:
    """One row per habit: people, other people, the bot, the bot's AUC on that figure alone; rows where the bot
    differs from people by more than other people do are marked."""
    if not habits:
        return ""
    rows, differs = [], []
    for name, h in habits.items():
        auc, lo, hi = (_finite(h.get("auc")), *(_finite(v) for v in (h.get("auc_ci") or (None, None))))
        mark = "off" if h.get("differs") else ""
        if h.get("differs"):
            differs.append(f"{name} ({'more' if auc is not None and auc > 0.5 else 'less'} than people)")
        rows.append(f"<tr><td title='{html.escape(str(h.get('meaning', '')))}'>{html.escape(name)}</td>"
                    + "".join(f"<td class='num'>{number(_finite(h.get(k)), 3)}</td>"
                              for k in ("people", "other_people", "bot"))
                    + f"<td class='num {mark}'>{html.escape(_auc_text(auc, lo, hi))}</td>"
                    f"<td class='num'>{number(_finite(h.get('auc_floor')))}</td></tr>")
    summary = (f"The bot differs from people in: {html.escape('; '.join(differs))}." if differs
               else "The bot shows every habit about as people do.")
    return ("<h2>Habits: where the bot differs from people</h2><p>One figure per round for each habit, read off the "
            "same cues and actions the discriminator sees; the AUC is the bot's rounds against people's on that "
            "figure alone (0.5: the same; above: the bot shows more of it), and other people's AUC is how far two "
            f"crowds of people differ by chance. {summary}</p>"
            "<table><tr><th>habit</th><th>people</th><th>other people</th><th>bot</th><th>bot AUC (95%)</th>"
            f"<th>other people AUC</th></tr>{''.join(rows)}</table>")


def _ratio_cell(entry: dict[str, Any]) -> str:
    ratio = _finite(entry.get("ratio"))
    tip = f"distance {number(_finite(entry.get('value')), 4)}, floor {number(_finite(entry.get('floor')), 4)}"
    if ratio is None:
        return f"<td class='num' title='{tip}'>–</td>"
    css = "far" if ratio > 10 else "off" if ratio > 3 else ""
    text = "> 100×" if ratio > 100 else f"{ratio:.1f}×"
    return f"<td class='num {css}' title='{tip}'>{text}</td>"


def _distances_html(distances: dict[str, Any]) -> str:
    if not distances:
        return ""
    first = next(iter(distances.values()))
    columns = [("js", k, f"JS {k}") for k in first.get("js", {})]
    columns += [("w1", k, "W1 " + k.replace("_w", ", window ")) for k in first.get("w1", {})]
    head = "".join(f"<th>{html.escape(label)}</th>" for _, _, label in columns) + "<th>EMD positions</th>"
    rows = "".join(f"<tr><td>{html.escape(group)}</td>"
                   + "".join(_ratio_cell(d.get(kind, {}).get(key, {})) for kind, key, _ in columns)
                   + _ratio_cell(d.get("emd", {})) + "</tr>" for group, d in distances.items())
    return ("<h2>Distances to held-out people, as multiples of the people-to-people floor</h2>"
            "<p>1× means the bot is as close to people as people are to each other. Shaded: over 3× "
            "(<span class='off'>&nbsp;amber&nbsp;</span>) and over 10× (<span class='far'>&nbsp;red&nbsp;</span>); "
            "hover a cell for the distance and its floor. JS: Jensen–Shannon divergence of each action head; "
            "W1: Wasserstein-1 of turn or speed over windows of steps; EMD: earth mover's distance between position "
            "heatmaps. The robotic row shows what a bot without human timing looks like.</p>"
            f"<table><tr><th>group</th>{head}</tr>{rows}</table>")


def _behaviour_html(behaviour: dict[str, Any]) -> str:
    if not behaviour:
        return ""
    rows = "".join(
        f"<tr><td>{html.escape(p)}</td><td class='num'>{number(_finite(b.get('entropy_demonstrators')))}</td>"
        f"<td class='num'>{number(_finite(b.get('entropy_policy')))}</td>"
        f"<td class='num'>{number(_finite(b.get('competence_demonstrators', {}).get('mean_return')))}</td>"
        f"<td class='num'>{number(_finite(b.get('competence_policy', {}).get('mean_return')))}</td></tr>"
        for p, b in behaviour.items())
    return ("<h2>Route variety and competence</h2><p>Route entropy (higher: more varied routes) and mean return "
            "per episode, people against the bot.</p><table><tr><th>persona</th><th>route entropy, people</th>"
            "<th>route entropy, bot</th><th>mean return, people</th><th>mean return, bot</th></tr>"
            f"{rows}</table>")


def _blends_html(style: dict[str, Any]) -> str:
    blends = style.get("blends") or {}
    fewshot = style.get("fewshot") or {}
    parts = []
    if blends:
        rows = "".join(
            f"<tr><td>{html.escape(name)}</td><td class='num'>{number(_finite(b.get('mass_on_parents')))}</td>"
            f"<td>{html.escape(_belief_text(b.get('belief', {})))}</td></tr>" for name, b in blends.items())
        parts.append("<h2>Blends</h2><p>A bot given two personas at once should read as those two: the share the "
                     "classifier puts on the parents.</p><table><tr><th>blend</th><th>share on the parents</th>"
                     f"<th>classifier's belief</th></tr>{rows}</table>")
    if fewshot.get("trials"):
        per_style = fewshot.get("per_style") or {}
        rows = "".join(f"<tr><td>{html.escape(p)}</td><td class='num'>{v.get('correct', 0)} of {v.get('trials', 0)}"
                       f"</td></tr>" for p, v in per_style.items())
        lo, hi = (fewshot.get("accuracy_ci") or [None, None])[:2]
        parts.append("<h2>A style shown by an unseen player</h2><p>The style encoder reads a few episodes of a "
                     "player it never saw; the bot then plays that style, and the classifier names it. "
                     f"{fewshot.get('correct', 0)} of {fewshot['trials']} trials named the player's persona "
                     f"({_auc_text(_finite(fewshot.get('accuracy')), _finite(lo), _finite(hi))}).</p>"
                     f"<table><tr><th>player's persona</th><th>trials named right</th></tr>{rows}</table>")
    return "".join(parts)


def _belief_text(belief: dict[str, Any]) -> str:
    ranked = sorted(((k, _finite(v) or 0.0) for k, v in belief.items()), key=lambda kv: -kv[1])
    return ", ".join(f"{k} {v:.0%}" for k, v in ranked)


def _json_default(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    return str(value)
