"""The playtest hook on an env that is not the arena: a tiny grid world (Gymnasium and PettingZoo) with a border
gap, a trap cell and a sealed pickup. Each seeded defect must be found at its true cell; the clean layout must
give no findings; reports must be written."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))
import playtest_gridworld as gw  # noqa: E402

from botsdk.playtest.analysis import run_playtest  # noqa: E402
from botsdk.playtest.hooks import GymnasiumHook, PettingZooHook  # noqa: E402
from botsdk.playtest.report import write_reports  # noqa: E402

CLEAN = ("##########",
         "#S.......#",
         "#.###....#",
         "#.#.#....#",
         "#.#.##...#",
         "#........#",
         "#.......G#",
         "##########")


def centre(char: str, layout=gw.LAYOUT) -> np.ndarray:
    x, y = gw.cell(char, layout)
    return np.array([x + 0.5, y + 0.5])


def gym_hook(layout=gw.LAYOUT, **kwargs) -> GymnasiumHook:
    return GymnasiumHook("gridworld", lambda: gw.GridWorldEnv(layout), gw.world(layout),
                         {"explorer": lambda seed: gw.explorer(seed, layout), "idler": gw.idler}, **kwargs)


@pytest.fixture(scope="module")
def defect_run():
    return run_playtest(gym_hook(), ["explorer"], episodes=6, max_steps=240, workers=2)


def only(summary, check):
    groups = summary.groups_of(check)
    assert len(groups) == 1, f"expected one {check} finding, got {[g.to_dict() for g in groups]}"
    return groups[0]


def test_each_seeded_defect_is_found_at_its_true_position(defect_run):
    trap = only(defect_run, "stuck")
    assert np.linalg.norm(np.asarray(trap.position) - centre("T")) <= 0.5
    gap = only(defect_run, "out_of_bounds")
    assert tuple(gap.position) == (9.5, 3.5)  # the last in-bounds cell: the hole in the border
    sealed = only(defect_run, "unreachable")
    assert np.allclose(sealed.position, centre("P"))
    assert not defect_run.groups_of("exception")


def test_findings_carry_a_seed_that_reproduces_them(defect_run):
    hook = gym_hook()
    for group in (only(defect_run, "stuck"), only(defect_run, "out_of_bounds")):
        first = group.findings[0]
        replay = run_playtest(hook, ["explorer"], episodes=1, max_steps=240, seed=first.seed)
        again = replay.groups_of(group.check)
        assert again and np.allclose(again[0].position, group.position, atol=0.5)
        assert again[0].findings[0].step == first.step  # the same seed replays the same episode


def test_coverage_and_golden_path(defect_run):
    cov = defect_run.coverage["explorer"]
    assert cov.reachable.sum() == 39 + 1  # 39 interior cells reachable from S, plus the gap cell in the border
    assert not cov.reachable[gw.cell("P")[1], gw.cell("P")[0]]
    assert cov.final >= 0.9
    assert np.all(np.diff(cov.fraction) >= 0) and cov.fraction[0] < 0.1
    golden = defect_run.golden["explorer"]
    assert golden.episodes == 6 and 0 < golden.completed <= 6
    assert all(t > 0 for t in golden.times_s)


def test_clean_layout_gives_no_findings():
    summary = run_playtest(gym_hook(CLEAN), ["explorer"], episodes=4, max_steps=240, workers=2)
    assert summary.groups == []
    assert summary.coverage["all"].final == 1.0


def test_idle_bot_is_not_stuck_and_leaves_cells_unvisited():
    summary = run_playtest(gym_hook(CLEAN), ["idler"], episodes=2, max_steps=60)
    assert summary.groups_of("stuck") == []  # no movement commanded, so standing still is not "stuck"
    assert summary.coverage["idler"].final < 0.1


def test_pettingzoo_hook_reports_every_agent(tmp_path):
    hook = PettingZooHook("gridworld", lambda: gw.GridWorldParallel(), gw.world(),
                          {"explorer": lambda seed, agent: gw.explorer(seed + (agent == "a_1"))})
    summary = run_playtest(hook, ["explorer"], episodes=3, max_steps=200, workers=1)
    assert {t.agent_id for r in summary.results for t in r.tracks} == {"a_0", "a_1"}
    assert {g.check for g in summary.groups} == {"stuck", "out_of_bounds", "unreachable"}


def test_game_loop_exception_is_a_finding_with_its_seed():
    def crashing(seed):
        policy = gw.explorer(seed)
        return lambda obs, info: 99 if seed == 3 and info["position"][0] > 4 else policy(obs, info)

    hook = GymnasiumHook("gridworld", gw.GridWorldEnv, gw.world(), {"explorer": crashing})
    summary = run_playtest(hook, ["explorer"], episodes=4, max_steps=100, workers=2)
    crash = only(summary, "exception")
    assert crash.seeds == [3]
    assert "ValueError: action must be in 0..4, got 99" in crash.findings[0].message
    assert crash.position is not None and crash.position[0] > 4
    assert len(summary.results) == 4  # the crash did not stop the other episodes


def test_missing_position_key_is_a_clear_error():
    hook = gym_hook(position_key="pos")
    summary = run_playtest(hook, ["explorer"], episodes=1, max_steps=10)
    message = only(summary, "exception").findings[0].message
    assert "no 'pos' key" in message and "'position'" in message


def test_unknown_persona_names_the_known_ones():
    with pytest.raises(ValueError, match="unknown persona 'sniper'.*explorer, idler"):
        run_playtest(gym_hook(), ["sniper"], episodes=1, max_steps=10)


def test_reports_html_json_junit(defect_run, tmp_path):
    paths = write_reports(defect_run, tmp_path / "out", fail_on=("stuck", "out_of_bounds"))
    data = json.loads(paths["json"].read_text())
    assert data["checks"] == {"stuck": 1, "out_of_bounds": 1, "unreachable": 1, "exception": 0}
    assert data["findings"][0]["reproduce"]["seed"] in data["findings"][0]["seeds"]
    suite = ET.parse(paths["junit"]).getroot()
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert set(cases) == {"stuck", "out_of_bounds", "unreachable", "exception"}
    assert cases["stuck"].find("failure") is not None and cases["out_of_bounds"].find("failure") is not None
    assert cases["unreachable"].find("failure") is None  # not gating: listed, not failed
    assert "sealed" in cases["unreachable"].find("system-out").text
    assert cases["exception"].find("failure") is None and suite.get("failures") == "2"
    page = paths["html"].read_text()
    assert page.count("data:image/png;base64,") == 2 and "(9.50, 3.50)" in page


def test_a_worker_process_that_dies_is_pinned_on_its_seed():
    import os

    def dying(seed):
        policy = gw.explorer(seed)
        return lambda obs, info: os._exit(3) if seed == 2 and info["position"][0] > 4 else policy(obs, info)

    hook = GymnasiumHook("gridworld", gw.GridWorldEnv, gw.world(), {"explorer": dying})
    summary = run_playtest(hook, ["explorer"], episodes=4, max_steps=100, workers=2)
    crash = only(summary, "exception")
    assert crash.seeds == [2] and "worker process died" in crash.findings[0].message
    assert sorted(r.seed for r in summary.results) == [0, 1, 2, 3]
    assert all(r.error is None for r in summary.results if r.seed != 2)


def test_ctrl_c_gives_a_partial_report_of_the_finished_episodes(tmp_path):
    def interrupted_explorer(seed):
        if seed == 2:  # Ctrl-C arrives while the third episode starts
            raise KeyboardInterrupt
        return gw.explorer(seed)

    hook = GymnasiumHook("gridworld", lambda: gw.GridWorldEnv(gw.LAYOUT), gw.world(gw.LAYOUT),
                         {"explorer": interrupted_explorer})
    summary = run_playtest(hook, ["explorer"], episodes=5, max_steps=60, workers=1)
    assert summary.partial and [r.seed for r in summary.results] == [0, 1]
    paths = write_reports(summary, tmp_path / "qa")
    data = json.loads(paths["json"].read_text())
    assert data["partial"] is True and data["episodes"] == 2
    assert "Partial report" in paths["html"].read_text() and "2 of 5 episodes" in paths["html"].read_text()
    complete = run_playtest(gym_hook(), ["explorer"], episodes=1, max_steps=60, workers=1)
    assert not complete.partial and json.loads(write_reports(complete, tmp_path / "full")["json"].read_text())[
        "partial"] is False
