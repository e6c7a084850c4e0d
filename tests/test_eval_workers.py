"""Evaluation with worker processes on this machine: the scripted demonstrators' matches play in spawned processes
while the policy plays here, and every group comes back as one process plays it; the discriminators and the style
classifier train in worker processes with the same figures; a failing match names its seed; what the style
classifier learns from does not hang on the order recorder processes committed in."""

from __future__ import annotations

import pytest

from fixtures.evaluation_groups import assert_same_groups, evaluation_groups, evaluation_rollouts, rollout_groups


@pytest.fixture(scope="module")
def played_here(tmp_path_factory) -> tuple:
    """Every group played in this process, the ticks it gave and where its reference people are."""
    root, ticks = tmp_path_factory.mktemp("here"), []
    return evaluation_rollouts(root, tick=ticks.append), ticks, root / "reference"


def test_evaluation_rollouts_in_worker_processes_are_the_same(tmp_path, played_here):
    here, here_ticks, _ = played_here
    pool_ticks: list[str] = []
    pooled = evaluation_groups(tmp_path / "pool", workers=2, tick=pool_ticks.append)
    assert_same_groups(rollout_groups(here), pooled)
    assert here_ticks == pool_ticks and pool_ticks.count("reference people (validation)") == 4


def test_figures_trained_in_worker_processes_are_the_same(played_here, monkeypatch):
    import json
    import math
    from functools import partial

    from botsdk.dataset import Dataset
    from botsdk.evaluation import runner
    from botsdk.evaluation.classifier import ClassifierConfig, SequenceConfig
    from botsdk.evaluation.runner import _figures
    from botsdk.evaluation.style import train_style_classifier

    small = ClassifierConfig(hidden=8, epochs=1, min_updates=10)   # a partial of a module function still pickles
    monkeypatch.setattr(runner, "train_style_classifier", partial(train_style_classifier, config=small))
    rollouts, _, reference = played_here
    dataset, config = Dataset.open(reference), SequenceConfig(updates=20)
    ticks: dict[int, list[str]] = {1: [], 2: []}
    figures = {workers: _figures(rollouts, dataset, ["rusher", "holder"], 3, config, 1, ticks[workers].append,
                                 workers)[0] for workers in (1, 2)}
    assert json.dumps(figures[1], sort_keys=True) == json.dumps(figures[2], sort_keys=True)
    assert ticks[1] == ticks[2] == ["style classifier", "Turing test"]
    turing = figures[2]["turing"]
    assert math.isfinite(turing["policy"]["auc"]) and len(turing["policy"]["auc_seeds"]) == 1
    assert set(turing["panel"]) and math.isfinite(figures[2]["style_accuracy"])


def test_a_failed_match_in_a_worker_names_its_seed():
    from botsdk.evaluation.distributed import match_runner
    from botsdk.evaluation.rollouts import DemonstratorSpec, MatchSetup

    broken = {"blue_0": DemonstratorSpec("no-such-style", 70, "p-0"), "red_0": DemonstratorSpec("holder", 71, "p-1")}
    with match_runner(None, workers=2) as play_matches:
        with pytest.raises(RuntimeError, match=r"(?s)seed 7\).*no-such-style"):
            list(play_matches(MatchSetup("duel", 1, 10), [(7, broken)]))


def test_evaluate_refuses_no_workers(tmp_path):
    from botsdk.evaluation.runner import evaluate_policy

    with pytest.raises(ValueError, match="workers: expected at least 1 process, received 0"):
        evaluate_policy(tmp_path / "p.onnx", tmp_path, tmp_path / "out", episodes=2, workers=0)


def test_cli_evaluate_refuses_no_workers(tmp_path):
    from typer.testing import CliRunner

    from botsdk.cli import build_app

    policy = tmp_path / "p.onnx"
    policy.write_bytes(b"")
    result = CliRunner().invoke(build_app(), ["evaluate", "--policy", str(policy), "--data", str(tmp_path),
                                              "--out", str(tmp_path / "r"), "--workers", "0"])
    assert result.exit_code == 2 and "--workers: expected at least 1, received 0" in result.output


def test_the_style_classifier_learns_from_the_same_episodes_whatever_order_they_were_committed_in(tmp_path,
                                                                                                    monkeypatch):
    """Recorder processes commit matches in the order they finish: the evaluation picks by (match seed, agent)."""
    from botsdk.arena.contract import arena_contract
    from botsdk.bench._workloads import synthetic_episode
    from botsdk.dataset import Dataset, DatasetWriter
    from botsdk.evaluation import runner

    contract = arena_contract()
    items = [(synthetic_episode(contract, "rusher", 16, seed),
              {"player_id": f"p-{seed % 3}", "source": "scripted", "style": "rusher", "skill": 1.0,
               "map": "duel", "seed": seed, "team": "blue", "agent_id": "blue_0"}) for seed in range(8)]
    picked = []
    for name, order in (("forward", items), ("reversed", items[::-1])):
        DatasetWriter(tmp_path / name, contract).add_episodes(order)
        monkeypatch.setattr(runner, "STYLE_TRAIN_EPISODES", 3)
        episodes, labels = runner._style_training_set(Dataset.open(tmp_path / name), ["rusher"], seed=5)
        picked.append([e.meta.get("seed") for e in episodes])   # the same episodes, in the same order
        assert labels == ["rusher"] * 3
    assert picked[0] == picked[1]
