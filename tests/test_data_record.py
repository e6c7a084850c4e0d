"""`botsdk record` with real worker processes and the real arena: counts, style balance, determinism."""

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from botsdk.cli import build_app
from botsdk.dataset import Dataset

ROOT = Path(__file__).resolve().parents[1]
STYLES = ["rusher", "holder", "explorer"]
ARGS = ["--map", "duel", "--styles", ",".join(STYLES), "--episodes", "5", "--team-size", "1", "--max-steps", "40",
        "--seed", "7", "--json"]


def expected_styles(episodes, agents_per_match):
    """The documented rule: slot i of match m plays styles[(i + m) % len(styles)]."""
    out = []
    for slot in range(episodes):
        m = slot // agents_per_match
        out.append(STYLES[(slot + m) % len(STYLES)])
    return Counter(out)


def key(ds, info):
    return (info.seed, info.agent_id)


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    base = tmp_path_factory.mktemp("record")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-m", "botsdk.cli", "record", *ARGS, "--workers", "2",
                           "--out", str(base / "parallel")], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    serial = CliRunner().invoke(build_app(), ["record", *ARGS, "--workers", "1", "--out", str(base / "serial")])
    assert serial.exit_code == 0, serial.output
    return json.loads(proc.stdout), base


def test_info_counts_match_what_was_recorded(recorded):
    totals, base = recorded
    info = json.loads(CliRunner().invoke(build_app(), ["data", "info", str(base / "parallel"), "--json"]).output)
    assert info["episodes"] == totals["episodes"] == 5 and info["steps"] == totals["steps"]
    assert info["per_style"] == dict(sorted(expected_styles(5, 2).items()))
    assert sum(info["per_player"].values()) == 5 and info["per_map"] == {"duel": 5}
    assert info["minari_consistent"] is True
    ds = Dataset.open(base / "parallel")
    for e in ds.episodes:
        assert e.source == "scripted" and e.player_id.startswith(e.style) and e.map == "duel"
        ep = ds.episode(e.id)
        assert ep["observations"].shape == (e.steps + 1, ds.contract.observation_size)
        assert set(ep["infos"]) >= {"position", "heading"}


def test_same_seed_gives_the_same_episodes_whatever_the_worker_count(recorded):
    _, base = recorded
    a, b = Dataset.open(base / "parallel"), Dataset.open(base / "serial")
    by_key = {key(b, e): e for e in b.episodes}
    assert sorted(by_key) == sorted(key(a, e) for e in a.episodes)
    for e in a.episodes:
        other = by_key[key(a, e)]
        assert (e.style, e.player_id, e.skill) == (other.style, other.player_id, other.skill)
        np.testing.assert_array_equal(a.episode(e.id)["observations"], b.episode(other.id)["observations"])
        np.testing.assert_array_equal(a.episode(e.id)["actions"], b.episode(other.id)["actions"])


def test_unknown_style_is_rejected_with_the_allowed_names(tmp_path):
    result = CliRunner().invoke(build_app(), ["record", "--styles", "rusher,sniper", "--out", str(tmp_path / "x")])
    assert result.exit_code == 2 and "sniper" in result.output and "explorer" in result.output


def test_the_same_command_again_records_nothing_new(recorded):
    _, base = recorded
    result = CliRunner().invoke(build_app(), ["record", *ARGS, "--out", str(base / "serial")])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["episodes"] == 0 and json.loads(result.stdout)["already_recorded"] == 5
    assert len(Dataset.open(base / "serial")) == 5


def test_the_same_seed_with_other_settings_is_refused(recorded):
    _, base = recorded
    other = [a if a != ",".join(STYLES) else "objective,holder" for a in ARGS]
    result = CliRunner().invoke(build_app(), ["record", *other, "--out", str(base / "serial")])
    assert result.exit_code == 2 and "--seed 7" in result.output and "other settings" in result.output
    assert len(Dataset.open(base / "serial")) == 5
