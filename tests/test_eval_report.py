"""Every figure and the HTML/JSON report from constructed groups, with the style classifier trained on a real
on-disk dataset written by the project's DatasetWriter."""

import json

import numpy as np
import pytest

from botsdk.arena.contract import arena_contract
from botsdk.evaluation.classifier import SequenceConfig
from botsdk.evaluation.features import Episode
from botsdk.evaluation.plan import PANEL, Rollouts
from botsdk.evaluation.report import write_report
from botsdk.evaluation.runner import _clean, _figures

PERSONAS = ("rusher", "holder")
SPEED = {"rusher": 0.7, "holder": 0.15, "robotic": 0.5}


def _walk(style: str, seed: int, steps: int = 96) -> Episode:
    rng = np.random.default_rng(seed)
    if style == "robotic":
        head = np.repeat(np.arange(steps // 24 + 1) * np.radians(30), 24)[: steps + 1]
        speed = np.full(steps, SPEED[style])
    else:
        head = np.cumsum(rng.normal(0, 0.15, steps + 1))
        speed = np.abs(rng.normal(SPEED[style], 0.1, steps))
    pos = np.vstack([rng.uniform(10, 20, 2), speed[:, None] * np.column_stack([np.cos(head[1:]), np.sin(head[1:])])])
    acts = np.column_stack([rng.integers(0, 9, steps), rng.integers(0, 15, steps), rng.random(steps) < 0.1,
                            np.zeros(steps)]).astype(np.int64)
    return Episode(pos.cumsum(axis=0), head, acts, rng.normal(0.1, 1, steps), {"seed": seed, "team": "blue"})


def _as_trajectory(ep: Episode, obs_size: int) -> dict:
    t = ep.steps
    return {"observations": np.zeros((t + 1, obs_size), np.float32), "actions": ep.actions,
            "rewards": ep.rewards.astype(np.float32), "terminations": np.zeros(t, bool),
            "truncations": np.r_[np.zeros(t - 1, bool), True],
            "infos": {"position": ep.positions.astype(np.float32), "heading": ep.headings.astype(np.float32)}}


def _folded(episodes: list[Episode], group: str) -> list[Episode]:
    for k, e in enumerate(episodes):
        e.meta["fold"] = f"{group}/{'train' if k % 2 == 0 else 'test'}"
    return episodes


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    from botsdk.dataset import Dataset, DatasetWriter

    contract = arena_contract()
    root = tmp_path_factory.mktemp("demos")
    writer = DatasetWriter(root, contract)
    for p in PERSONAS:
        for s in range(12):
            writer.add_episode(_as_trajectory(_walk(p, 500 + s + 100 * PERSONAS.index(p)), contract.observation_size),
                               {"style": p, "player_id": f"{p}-0", "source": "scripted", "seed": s, "map": "duel",
                                "skill": 1.0})
    seeds, floor = tuple(range(24)), tuple(range(24, 48))
    r = Rollouts()
    for p in PERSONAS:
        r.demo[p] = _folded([_walk(p, s) for s in seeds], "people")
        r.floor[p] = _folded([_walk(p, s) for s in floor], "others")
        r.policy[p] = _folded([_walk(p, 1000 + s) for s in floor], "others")   # plays each persona like its people
    r.robotic = _folded([_walk("robotic", s) for s in floor], "others")
    r.panel = {name: _folded([_walk("robotic", 2000 + s) for s in floor], "others") for name in PANEL}
    r.blends["rusher+holder"] = [_walk("rusher", s) for s in seeds[:3]] + [_walk("holder", s) for s in seeds[3:6]]
    result, plots = _figures(r, Dataset.open(root), list(PERSONAS), 0, SequenceConfig(updates=150), 2,
                             lambda _: None, workers=2)   # two discriminators: every AUC a mean with its interval
    out = tmp_path_factory.mktemp("report")
    result.update(policy="constructed", data=str(root), setup={}, seeds=list(seeds), matches=0, wall_s=0)
    write_report(_clean(result), _clean(plots), out)
    return out, result


def test_headline_figures_show_a_faithful_policy_and_a_caught_robot(report):
    _, result = report
    # tiny constructed groups: the power check proper runs on the arena (test_eval_arena.py); here the wiring
    assert result["turing_auc_robotic"] >= max(result["turing_auc"], result["turing_auc_floor"]) + 0.15
    assert result["turing_auc"] <= 0.7
    assert set(result["power_panel"]) == {*PANEL, "robotic"} and min(result["power_panel"].values()) >= 0.8
    assert result["power_panel_detail"]["policy_more_human_than"] == sorted(result["power_panel"])
    assert result["style_accuracy"] >= 0.9
    assert result["distances"]["robotic"]["w1"]["turn_w32"]["ratio"] > result["distances"]["rusher"]["w1"]["turn_w32"]["ratio"]
    blend = result["style"]["blends"]["rusher+holder"]["belief"]
    assert 0.2 < blend["rusher"] < 0.8


def test_report_files_hold_every_figure(report):
    out, result = report
    data = json.loads((out / "report.json").read_text())   # strict JSON: no NaN
    for key in ("turing_auc", "turing_auc_floor", "turing_auc_robotic", "style_accuracy", "distances", "behaviour",
                "power_panel", "power_panel_detail"):
        assert key in data
    assert len(data["plots"]["heatmaps"]["rusher"]["policy"]) == 16
    page = (out / "report.html").read_text()
    assert page.count("data:image/png;base64,") == 5
    assert "Turing" in page and "EMD positions" in page


def test_each_auc_is_the_mean_of_its_discriminators_inside_its_interval(report):
    _, result = report
    turing = result["turing"]
    entries = [turing["policy"], turing["floor"], turing["robotic"], *turing["panel"].values()]
    for entry in entries:
        assert len(entry["auc_seeds"]) == 2
        assert entry["auc"] == pytest.approx(np.mean(entry["auc_seeds"]), abs=1e-4)
        assert entry["auc_ci"][0] <= entry["auc"] <= entry["auc_ci"][1], entry
