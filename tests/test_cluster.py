"""Rollouts on Ray (botsdk.cluster): one local Ray instance with 2 CPUs shared by the module, a few tiny episodes.

Episodes keyed by seed come back identical to the local worker processes' ones, a worker killed mid-task has its
task replayed and committed once, and bad addresses are refused before anything starts."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from botsdk.cluster import ClusterError, check_address, cluster_session, run_tasks

ray = pytest.importorskip("ray")  # the `cluster` extra; `make test` installs it, so CI always runs these
TESTS = str(Path(__file__).resolve().parent)


@pytest.fixture(scope="module")
def local_ray():
    from botsdk.cluster.tasks import WORKER_ENV

    env = {**WORKER_ENV, "PYTHONPATH": os.pathsep.join([TESTS, os.environ.get("PYTHONPATH", "")])}
    for attempt in range(3):  # Ray gives its raylet a fixed 30 s to start; a loaded 2-core CI machine can miss it
        try:
            ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, runtime_env={"env_vars": env})
            break
        except Exception:  # noqa: BLE001 (Ray raises a bare Exception on a start timeout)
            ray.shutdown()
            if attempt == 2:
                raise
    yield
    ray.shutdown()


def _die_once(marker_dir: str, job: int) -> int:
    """Kill this worker process the first time job 1 runs (a lost node or an out-of-memory kill)."""
    marker = Path(marker_dir) / f"tried-{job}"
    if job == 1 and not marker.exists():
        marker.write_text("x")
        os._exit(1)
    return job * 10


def _raise_on_two(_: object, job: int) -> int:
    if job == 2:
        raise ValueError("seed 2 breaks the game loop")
    return job


def test_addresses_are_checked_before_anything_starts():
    assert check_address("local") == "local" and check_address("auto") == "auto"
    assert check_address("ray://head.example:10001") == "ray://head.example:10001"
    for bad in ("", "localhost", "ray://head", "http://head:10001", "ray://head:port"):
        with pytest.raises(ClusterError, match="expected 'local', 'auto' or 'ray://host:port'"):
            check_address(bad)


def test_run_tasks_needs_an_open_cluster():
    if ray.is_initialized():
        pytest.skip("a Ray connection is open in this process")
    with pytest.raises(ClusterError, match="expected an open cluster"):
        list(run_tasks(_raise_on_two, [1]))


def test_a_lost_worker_is_replayed_and_a_failing_job_is_reported(local_ray, tmp_path):
    with cluster_session("local") as info:
        assert info["cpus"] == 2
        outcomes = {o.index: o for o in run_tasks(_die_once, [0, 1, 2, 3], shared=str(tmp_path))}
    assert (tmp_path / "tried-1").exists()  # job 1 really killed its first worker
    assert {i: o.value for i, o in outcomes.items()} == {0: 0, 1: 10, 2: 20, 3: 30}
    assert all(o.error is None for o in outcomes.values())
    failed = {o.index: o for o in run_tasks(_raise_on_two, [0, 1, 2, 3])}  # index == job
    assert failed[2].value is None and "seed 2 breaks the game loop" in failed[2].error
    assert not failed[2].lost_worker and [failed[i].value for i in (0, 1, 3)] == [0, 1, 3]


def test_playtest_on_ray_matches_local_workers(local_ray):
    from botsdk.playtest.analysis import run_playtest
    from botsdk.playtest.arena import ArenaPlaytest

    adapter = ArenaPlaytest("qa_defects")
    args = (adapter, ("explorer", "rusher"), 2, 160)
    local = run_playtest(*args, workers=2, seed=3)
    remote = run_playtest(*args, workers=2, seed=3, cluster="local")
    assert remote.plan.cluster == "local"
    keys = lambda summary: [(r.persona, r.seed, r.steps) for r in summary.results]
    assert keys(remote) == keys(local)
    for a, b in zip(local.results, remote.results):
        assert len(a.tracks) == len(b.tracks) > 0
        for ta, tb in zip(a.tracks, b.tracks):
            assert np.array_equal(ta.positions, tb.positions)
    local_dict, remote_dict = local.to_dict(), remote.to_dict()
    assert remote_dict["coverage"] == local_dict["coverage"]
    assert remote_dict["findings"] == local_dict["findings"]


def _episode_arrays(root: Path) -> dict[tuple, dict[str, np.ndarray]]:
    from botsdk.dataset import Dataset

    ds = Dataset.open(root)
    keyed = {}
    for info in ds.episodes:
        episode = ds.episode(info.id)
        keyed[(info.seed, info.agent_id, info.player_id, info.style)] = {
            k: episode[k] for k in ("observations", "actions", "rewards", "terminations", "truncations")}
    return keyed


def test_record_on_ray_writes_the_same_episodes_as_local_workers(local_ray, tmp_path):
    from botsdk.arena.recording import RecordPlan, record

    plans = [RecordPlan("duel", ("rusher", "holder"), 6, str(tmp_path / name), seed=4, team_size=1, max_steps=40)
             for name in ("local", "ray")]
    seen = []
    local = record(plans[0], workers=1)
    remote = record(plans[1], workers=2, cluster="local", on_match=lambda e, s: seen.append(e))
    assert remote == local and sum(seen) == 6
    a, b = _episode_arrays(tmp_path / "local"), _episode_arrays(tmp_path / "ray")
    assert sorted(a) == sorted(b) and len(a) == 6
    for key in a:
        for name, array in a[key].items():
            assert np.array_equal(array, b[key][name]), (key, name)


def _record_or_die(plan, match: int):
    from botsdk.arena.recording import play_recorded_match

    marker = Path(plan.out).parent / f"died-{match}"
    if match == 1 and not marker.exists():
        items = play_recorded_match(plan, match)  # killed after playing, before anything comes back
        marker.write_text(str(len(items)))
        os._exit(1)
    return play_recorded_match(plan, match)


def test_a_match_whose_worker_dies_is_committed_once(local_ray, tmp_path):
    from botsdk.arena.contract import arena_contract
    from botsdk.arena.recording import RecordPlan, commit_match
    from botsdk.dataset import Dataset, DatasetWriter

    plan = RecordPlan("duel", ("rusher", "holder"), 6, str(tmp_path / "ds"), seed=5, team_size=1, max_steps=30)
    writer = DatasetWriter(plan.out, arena_contract())
    for outcome in run_tasks(_record_or_die, list(range(plan.matches)), shared=plan):
        assert outcome.error is None
        commit_match(writer, outcome.value)
    assert (tmp_path / "died-1").exists()
    ds = Dataset.open(plan.out)
    assert len(ds) == 6 and len({(e.seed, e.agent_id) for e in ds.episodes}) == 6
    assert not ds.verify()


def test_evaluation_rollouts_on_ray_are_the_same(local_ray, tmp_path):
    """The reference, the power panel and the robotic bot played as Ray tasks, the policy here: every group's
    episodes equal the one-process run's, in the same order."""
    from fixtures.evaluation_groups import assert_same_groups, evaluation_groups

    ticks: dict[str, list[str]] = {"here": [], "ray": []}
    here = evaluation_groups(tmp_path / "here", tick=ticks["here"].append)
    remote = evaluation_groups(tmp_path / "ray", cluster="local", tick=ticks["ray"].append)
    assert_same_groups(here, remote)
    assert ticks["here"] == ticks["ray"] and ticks["ray"].count("reference people (validation)") == 4


def test_a_failed_evaluation_match_names_its_seed(local_ray, tmp_path):
    from botsdk.evaluation.distributed import play_on_ray
    from botsdk.evaluation.rollouts import DemonstratorSpec, MatchSetup

    broken = {"blue_0": DemonstratorSpec("no-such-style", 70, "p-0"), "red_0": DemonstratorSpec("holder", 71, "p-1")}
    with pytest.raises(ClusterError, match=r"(?s)seed 7\).*no-such-style"):
        list(play_on_ray(MatchSetup("duel", 1, 10), [(7, broken)]))


@pytest.mark.parametrize("command", [["playtest", "--map", "duel"], ["record", "--out", "{tmp}/unused"],
                                     ["evaluate", "--policy", "{tmp}/p.onnx", "--data", "{tmp}", "--out", "{tmp}/r"]])
def test_cli_refuses_a_bad_cluster_address(command, tmp_path):
    from typer.testing import CliRunner

    from botsdk.cli import build_app

    (tmp_path / "p.onnx").write_bytes(b"")
    args = [part.format(tmp=tmp_path) for part in command]
    result = CliRunner().invoke(build_app(), [*args, "--cluster", "head:6379"])
    assert result.exit_code == 2
    assert "--cluster: expected 'local', 'auto' or 'ray://host:port', got 'head:6379'" in result.output
