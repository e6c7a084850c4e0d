"""Ctrl-C in `botsdk record` with worker processes: a prompt exit 130, a whole dataset, and the same command
finishes the run to the exact count without recording a seed twice."""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from botsdk.arena.recording import RecordPlan, match_seed
from botsdk.dataset import Dataset

ROOT = Path(__file__).resolve().parents[1]
EPISODES = 100   # long enough that a loaded machine cannot finish it before the interrupt
ARGS = ["record", "--map", "duel", "--styles", "rusher,holder", "--episodes", str(EPISODES), "--team-size", "1",
        "--max-steps", "200", "--workers", "2", "--seed", "11"]


def botsdk(*args, **kwargs):
    env = dict(os.environ, PYTHONPATH=str(ROOT), SDL_VIDEODRIVER="dummy")
    return subprocess.Popen([sys.executable, "-m", "botsdk.cli", *args], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)


def committed(out: Path) -> int:
    try:
        return len(Dataset.open(out))
    except Exception:  # noqa: BLE001 - the dataset may not exist yet
        return 0


def test_sigint_stops_record_promptly_and_the_same_command_finishes_the_run(tmp_path):
    out = tmp_path / "data"
    proc = botsdk(*ARGS, "--out", str(out))
    deadline = time.time() + 120
    while committed(out) < 2 and time.time() < deadline and proc.poll() is None:
        time.sleep(0.02)
    assert proc.poll() is None, "the run ended before it could be interrupted"
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=30)
    elapsed = time.monotonic() - sent
    assert proc.returncode == 130, stderr
    assert elapsed < 2.0, f"exit took {elapsed:.2f} s after SIGINT"
    assert "Traceback" not in stderr + stdout
    kept = len(Dataset.open(out))
    assert 2 <= kept < EPISODES
    assert f"holds {kept} of the {EPISODES} episodes" in stderr and "run the same command again" in stderr

    check = botsdk("data", "info", str(out), "--verify")
    check.communicate(timeout=60)
    assert check.returncode == 0

    again = botsdk(*ARGS, "--out", str(out))
    stdout, stderr = again.communicate(timeout=180)
    assert again.returncode == 0, stderr
    assert f"{kept} were already there" in stdout
    ds = Dataset.open(out)
    assert len(ds) == EPISODES and ds.minari_consistent
    pairs = Counter((e.seed, e.agent_id) for e in ds.episodes)
    assert max(pairs.values()) == 1, "an episode was recorded twice"
    plan = RecordPlan("duel", ("rusher", "holder"), EPISODES, str(out), seed=11, team_size=1)
    assert {e.seed for e in ds.episodes} == {match_seed(11, m) for m in range(plan.matches)}
    assert ds.verify() == []
