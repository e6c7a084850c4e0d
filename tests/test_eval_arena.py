"""The metrics on the real arena, through the real recording path: the discriminator catches the robotic bot and
cannot tell demonstrators from held-out demonstrators; `botsdk evaluate` runs end to end on a random ONNX policy."""

import json

import pytest
from typer.testing import CliRunner

from botsdk.arena.contract import arena_contract
from botsdk.evaluation.features import FeatureScale
from botsdk.evaluation.plan import ROBOTIC, EvalPlan, LineupPlayer
from botsdk.evaluation.rollouts import MatchSetup, Recorder
from botsdk.evaluation.turing import turing_test

PERSONAS = ("rusher", "holder", "explorer", "objective")
MATCHES = 14
HEADS = arena_contract().head_sizes


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    root = tmp_path_factory.mktemp("arena_demos")
    plan = EvalPlan(PERSONAS, tuple(range(100, 100 + MATCHES)), tuple(range(200, 200 + MATCHES)),
                    {p: [(f"{p}-{k}", 0.5 + 0.2 * k) for k in range(3)] for p in PERSONAS}, (), {})
    recorder = Recorder(root, arena_contract(), MatchSetup("duel", 2, 300))
    player = LineupPlayer(plan, recorder, lambda _: None)
    demos = player.play("demonstrators", plan.seeds, player.demonstrator)
    floor = player.play("demonstrators", plan.floor_seeds, player.demonstrator)
    robotic = player.play("robotic", plan.seeds[: MATCHES // 2],
                          lambda p, j, m, s: player.make_demo(ROBOTIC, seed=s * 10 + j, player_id="robotic-0"))
    return root, demos, floor, robotic


def test_recording_path_is_identical_for_every_group(recorded):
    _, demos, _, robotic = recorded
    # same dtypes and the same termination bookkeeping for bots and demonstrators
    for e in demos[:4] + robotic[:4]:
        assert e.positions.dtype == robotic[0].positions.dtype and e.actions.dtype == robotic[0].actions.dtype
    assert {e.meta["style"] for e in demos} == set(PERSONAS)


def test_discriminator_catches_the_robotic_bot(recorded):
    _, demos, floor, robotic = recorded
    scale = FeatureScale.fit(demos + floor + robotic)
    result = turing_test(demos, robotic, HEADS, seed=0, scale=scale, resamples=100)
    assert result.auc >= 0.9, result


def test_demonstrators_against_held_out_demonstrators_stay_near_chance(recorded):
    _, demos, floor, robotic = recorded
    scale = FeatureScale.fit(demos + floor + robotic)
    result = turing_test(demos, floor, HEADS, seed=0, scale=scale, resamples=100)
    assert result.auc <= 0.6, result


def test_cli_evaluate_writes_report_and_headline_json(recorded, tmp_path):
    from botsdk.cli import build_app
    from fixtures.synthetic_model import make_random_policy_onnx, make_random_style_encoder_onnx

    root = recorded[0]
    policy = make_random_policy_onnx(arena_contract(), tmp_path / "random.onnx")
    make_random_style_encoder_onnx(arena_contract(), tmp_path / "random.style.onnx")
    out = tmp_path / "report"
    result = CliRunner().invoke(build_app(), ["evaluate", "--policy", str(policy), "--data", str(root),
                                              "--out", str(out), "--episodes", "2", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    for key in ("turing_auc", "turing_auc_floor", "turing_auc_robotic", "style_accuracy"):
        assert key in data
    assert 0.0 <= data["turing_auc"] <= 1.0 and 0.0 <= data["style_accuracy"] <= 1.0
    assert set(data["style"]["fewshot"]) <= set(PERSONAS) and data["style"]["fewshot"]
    assert (out / "report.html").stat().st_size > 10_000
    assert json.loads((out / "report.json").read_text())["turing_auc"] == data["turing_auc"]


def test_cli_evaluate_rejects_bad_input(tmp_path):
    from botsdk.cli import build_app

    missing = CliRunner().invoke(build_app(), ["evaluate", "--policy", str(tmp_path / "none.onnx"), "--data",
                                               str(tmp_path), "--out", str(tmp_path / "r")])
    assert missing.exit_code == 2 and "expected an existing .onnx file" in missing.output
