"""The quickstart's report.html: the verdict first, then the findings, the key plots, and one line per stage that
links its artefacts. Figures are worded and rounded; the raw figures stay in quickstart.json, linked."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from botsdk.evaluation.report import STYLE, number, overall, summary_sentence, temperature_text, verdict_html
from botsdk.quickstart.verdicts import headline_checks

CHECK_WORDS = {"stuck": "stuck", "out_of_bounds": "out of bounds", "unreachable": "unreachable", "exception": "crash"}
# The plots this page shows, found by the alt text their own report gives them: (folder, alt starts with, heading).
KEY_PLOTS = (("evaluation", "Turing test", "Turing test: can a discriminator tell the bot from people?"),
             ("evaluation", "Style fidelity: the bot", "Style fidelity: the persona asked for and the one played"),
             ("playtest", "map with coverage", "Playtest map: coverage, trajectories and findings"),
             ("playtest", "coverage over time", "Playtest coverage over time"))


def write_quickstart_report(out: Path, summary: dict[str, Any]) -> Path:
    """Write out/report.html from the quickstart summary and the stages' own reports beside it."""
    checks = headline_checks(out, summary)
    playtest = _read_json(out / "playtest" / "playtest.json")
    parts = [f"<h1>botsdk quickstart</h1><p class='muted'>record → train → export → serve → evaluate → playtest on "
             f"the {html.escape(str(summary['plan'].get('map_name', 'arena')))} map, "
             f"{_duration(summary['total_seconds'])} in all. Everything below was measured in this run.</p>",
             verdict_html("the bot and the pipeline", checks, summary_sentence(checks)),
             "<h2>Playtest findings</h2>", _findings_html(playtest),
             "<h2>Stages</h2>", _stages_html(summary["stages"]),
             "<h2>Key plots</h2>", _key_plots(out),
             "<p class='muted'>Raw figures: <a href='quickstart.json'>quickstart.json</a></p>"]
    page = (f"<!doctype html><html><head><meta charset='utf-8'><title>botsdk quickstart: {overall(checks)}</title>"
            f"<style>{STYLE}</style></head><body>{''.join(parts)}</body></html>")
    path = out / "report.html"
    path.write_text(page, encoding="utf-8")
    return path


def _read_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


def _findings_html(playtest: dict[str, Any]) -> str:
    findings = playtest.get("findings", [])
    if not findings:
        return "<p>No findings.</p>" if playtest else "<p>The playtest did not run.</p>"
    items = "".join(f"<li><strong>{html.escape(CHECK_WORDS.get(f['check'], f['check']))}</strong>"
                    f"{_where(f.get('position'))}: {html.escape(f['message'].splitlines()[0])}"
                    f"{_how_to_reproduce(f['reproduce'])}</li>" for f in findings)
    return (f"<p>The persona bots played {number(playtest.get('episodes'))} episodes on "
            f"{html.escape(str(playtest.get('map')))} and saw {playtest['coverage']['all']:.0%} of its reachable "
            f"cells. They found:</p><ol>{items}</ol><p><a href='playtest/report.html'>The playtest report</a> has the "
            "map with every finding.</p>")


def _where(position: Any) -> str:
    return "" if position is None else f" at ({position[0]:.1f}, {position[1]:.1f})"


def _how_to_reproduce(rep: dict[str, Any]) -> str:
    if rep.get("seed") is None:
        return " <span class='muted'>(found by the level analysis)</span>"
    who = ", ".join(f"{label} {rep[key]}" for key, label in (("persona", "persona"), ("agent_id", "agent"),
                                                             ("step", "step")) if rep.get(key) is not None)
    return f" <span class='muted'>(seed {rep['seed']}{', ' + html.escape(who) if who else ''})</span>"


def _stages_html(stages: list[dict[str, Any]]) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(s['name'])}</td><td class='num'>{_duration(s['seconds'])}</td>"
        f"<td>{html.escape(stage_sentence(s['name'], s['summary']))}</td><td>"
        + " · ".join(f'<a href="{html.escape(href)}">{html.escape(label)}</a>' for label, href in s["links"].items())
        + "</td></tr>" for s in stages)
    return f"<table><tr><th>stage</th><th>time</th><th>what happened</th><th>artefacts</th></tr>{rows}</table>"


def stage_sentence(name: str, s: dict[str, Any]) -> str:
    """One plain sentence per stage from its summary; figures rounded, missing ones left out."""
    if name == "record":
        styles = ", ".join(f"{k} {number(v)}" for k, v in (s.get("styles") or {}).items())
        return f"Recorded {number(s.get('episodes'))} agent-episodes ({number(s.get('steps'))} steps) of scripted " \
               f"demonstrators: {styles}."
    if name == "train":
        stop = " (stopped early: validation loss no longer improved)" if s.get("stopped_early") else ""
        return f"Trained {number(s.get('step'))} steps{stop}; best validation loss " \
               f"{number(s.get('best_val_bc_loss'))} at step {number(s.get('best_step'))}; " \
               f"{number(s.get('train_episodes'))} training and {number(s.get('val_episodes'))} validation " \
               f"episodes; {number(s.get('train_samples_per_s'), 0)} samples/s."
    if name == "export":
        facts = ["One ONNX file"]
        if s.get("size_bytes") is not None:
            facts.append(f"of {s['size_bytes'] / 1e6:.1f} MB")
        if s.get("opset") is not None:
            facts.append(f"(opset {s['opset']})")
        parity = "" if s.get("argmax_agreement") is None else \
            f"; {s['argmax_agreement']:.1%} of {number(s.get('parity_samples'))} held-out observations decide as " \
            "the trained model"
        return " ".join(facts) + f" with a style encoder beside it{parity}."
    if name == "serve":
        return f"Played {number(s.get('matches'))} match(es) ({number(s.get('steps'))} steps) with the arena as a " \
               f"remote engine over gRPC; round trip per tick median {number(s.get('tick_ms_p50'))} ms, 99th " \
               f"percentile {number(s.get('tick_ms_p99'))} ms."
    if name == "evaluate":
        return f"Discriminator AUC {number(s.get('turing_auc'))} (people vs people {number(_auc(s, 'floor'))}, " \
               f"robotic bot {number(_auc(s, 'robotic'))}); style accuracy {number(s.get('style_accuracy'))} " \
               f"(held-out people {number(s.get('style_accuracy_demonstrators'))}); " \
               f"{temperature_text(s) or 'sampling temperature 1'}." + _habits_line(s.get("habits_differ"))
    if name == "playtest":
        checks = s.get("checks") or {}
        found = ", ".join(f"{n} {CHECK_WORDS.get(c, c)}" for c, n in checks.items() if n) or "none"
        coverage = (s.get("coverage") or {}).get("all")
        seen = "not measured" if coverage is None else f"{coverage:.0%}"
        return f"{number(s.get('episodes'))} episodes; coverage {seen} of the level; findings: {found}."
    return ""


def _habits_line(differ: Any) -> str:
    """The habits where the bot differs from people (evaluation/habits.py), in a sentence."""
    if not isinstance(differ, dict):
        return ""
    if not differ:
        return " Every habit read about as people show it."
    return " Differs from people in: " + ", ".join(f"{name} ({way})" for name, way in differ.items()) + "."


def _auc(summary: dict[str, Any], which: str) -> Any:
    value = summary.get(f"turing_auc_{which}")
    return value.get("auc") if isinstance(value, dict) else value


def _key_plots(out: Path) -> str:
    """The stages' own plots, full width: the Turing test, style fidelity, the playtest map and its coverage."""
    images = []
    for folder, alt, heading in KEY_PLOTS:
        page = out / folder / "report.html"
        if not page.exists():
            continue
        found = [tag for tag in re.findall(r"<img\b[^>]*>", page.read_text(encoding="utf-8"))
                 if re.search(r'alt="' + re.escape(alt), tag)]
        images += [f"<h3>{html.escape(heading)}</h3>{found[0]}"] if found else []
    return "".join(images) or "<p>No plots: the evaluation and playtest did not run.</p>"
