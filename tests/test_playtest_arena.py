"""Playtesting the built-in arena at the default budget: the QA map's seeded defects (true positions in its
metadata) must be found where they are, the defect-free twin map must give no findings, the explorer must cover
the level; a trained ONNX policy can play the personas."""

from __future__ import annotations

import json

import numpy as np
import pytest

from botsdk.arena.maps import list_maps, load_map
from botsdk.playtest.analysis import run_playtest
from botsdk.playtest.arena import ArenaPlaytest
from botsdk.playtest.arena_static import static_findings
from botsdk.playtest.budget import DEFAULT_EPISODES, DEFAULT_MAX_STEPS, DEFAULT_PERSONAS, DEFAULT_WORKERS
from botsdk.playtest.validate import match, seeded_defects

QA = "qa_defects"


def default_run(map_name: str, seed: int = 0):
    return run_playtest(ArenaPlaytest(map_name), DEFAULT_PERSONAS, DEFAULT_EPISODES, DEFAULT_MAX_STEPS,
                        workers=DEFAULT_WORKERS, seed=seed)


@pytest.fixture(scope="module")
def qa_run():
    return default_run(QA)


def test_qa_map_declares_its_defects():
    defects = {d.name: d for d in seeded_defects(load_map(QA).metadata)}
    assert {d.check for d in defects.values()} == {"out_of_bounds", "stuck", "unreachable"}


def test_static_checks_find_the_leak_and_the_trap_only_where_they_are():
    defects = {d.check: d for d in seeded_defects(load_map(QA).metadata)}
    found = static_findings(load_map(QA))
    assert sorted(f.check for f in found) == ["out_of_bounds", "stuck"]
    for finding in found:
        truth = defects[finding.check]
        assert np.hypot(*(np.subtract(finding.position, truth.position))) <= truth.radius, finding
        assert finding.source == "static" and finding.seed is None
    for name in list_maps():
        if name != QA:
            assert static_findings(load_map(name)) == [], name


def test_every_qa_defect_is_found_at_its_position_and_nothing_else(qa_run):
    defects = seeded_defects(load_map(QA).metadata)
    result = match(qa_run, defects)
    assert all(result["found"].values()), result["found"]
    assert result["false_alarms"] == []
    bots = match(qa_run, defects, bot_only=True)["found"]
    assert all(bots.values()), bots  # the bots themselves find every defect, without the level analysis


def test_explorers_alone_get_caught_in_the_one_way_trap():
    """Most explorer episodes on their own end up stuck in the one-way alcove (they walk into what they came to
    see, then keep pressing for the way out), so a default run of DEFAULT_EPISODES episodes misses it only if
    every one of them does."""
    trap = next(d for d in seeded_defects(load_map(QA).metadata) if d.name == "nw_alcove")
    episodes = 12
    summary = run_playtest(ArenaPlaytest(QA), ("explorer",), episodes, DEFAULT_MAX_STEPS,
                           workers=DEFAULT_WORKERS, seed=DEFAULT_EPISODES, static_checks=False)
    caught = {f.seed for g in summary.groups if g.check == "stuck" for f in g.bot_findings
              if np.hypot(*np.subtract(f.position, trap.position)) <= trap.radius + 1.0}
    assert len(caught) >= episodes // 2, sorted(caught)
    assert match(summary, seeded_defects(load_map(QA).metadata))["false_alarms"] == []


def test_findings_reproduce_from_their_seed(qa_run):
    leak = next(g for g in qa_run.groups if g.check == "out_of_bounds")
    first = leak.bot_findings[0]
    replay = ArenaPlaytest(QA).play(first.persona, first.seed, DEFAULT_MAX_STEPS)
    track = next(t for t in replay if t.agent_id == first.agent_id)
    assert ArenaPlaytest(QA).world().outside(track.positions[first.step])[0]
    assert not ArenaPlaytest(QA).world().outside(track.positions[first.step - 1])[0]


def test_explorer_covers_the_reachable_level(qa_run):
    cov = qa_run.coverage["explorer"]
    assert cov.final >= 0.9, cov.final
    assert cov.reachable.sum() > 300 and not cov.reachable[18, 18]  # the sealed vault's cell is not reachable
    assert qa_run.coverage["explorer"].final > qa_run.coverage["objective"].final


def test_defect_free_twin_map_gives_no_findings():
    summary = default_run("crossroads")
    assert summary.groups == [], [g.to_dict() for g in summary.groups]
    assert summary.golden["objective"].episodes == DEFAULT_EPISODES


def test_trained_policy_plays_the_personas(tmp_path):
    from typer.testing import CliRunner

    from botsdk.arena.contract import arena_contract
    from botsdk.cli import build_app
    from fixtures.synthetic_model import make_random_policy_onnx

    model = make_random_policy_onnx(arena_contract(), tmp_path / "model.onnx", recurrent=True, seed=1)
    out = tmp_path / "out"
    result = CliRunner().invoke(build_app(), [
        "playtest", "--map", "duel", "--policy", str(model), "--personas", "explorer,rusher", "--episodes", "1",
        "--max-steps", "48", "--workers", "1", "--out", str(out), "--fail-on", "exception", "--quiet"])
    assert result.exit_code == 0, result.output
    data = json.loads((out / "playtest.json").read_text())
    assert data["episodes"] == 2 and data["agent_tracks"] == 8 and data["checks"]["exception"] == 0
    assert data["steps"] == 2 * 48
