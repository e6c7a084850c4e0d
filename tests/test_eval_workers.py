"""Evaluation with worker processes on this machine: the scripted demonstrators' matches play in spawned processes
while the policy plays here, and every group comes back as one process plays it; a failing match names its seed;
what the style classifier learns from does not hang on the order recorder processes committed in."""

from __future__ import annotations

import pytest

from fixtures.evaluation_groups import assert_same_groups, evaluation_groups


def test_evaluation_rollouts_in_worker_processes_are_the_same(tmp_path):
    ticks: dict[str, list[str]] = {"here": [], "pool": []}
    here = evaluation_groups(tmp_path / "here", tick=ticks["here"].append)
    pooled = evaluation_groups(tmp_path / "pool", workers=2, tick=ticks["pool"].append)
    assert_same_groups(here, pooled)
    assert ticks["here"] == ticks["pool"] and ticks["pool"].count("reference people (validation)") == 4


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
