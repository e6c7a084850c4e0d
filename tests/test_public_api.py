"""The small public API: `import botsdk` is cheap and names what a user calls first."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

import botsdk
from botsdk.arena import arena_contract
from fixtures.synthetic_model import make_random_policy_onnx
from botsdk.bench._workloads import synthetic_trajectory


def test_import_botsdk_loads_nothing_heavy() -> None:
    code = "import sys, botsdk; print(sorted(m for m in ('torch', 'numba', 'onnxruntime', 'grpc') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_make_env_plays_the_arena() -> None:
    env = botsdk.make_env("duel")
    obs, _ = env.reset(seed=3)
    assert obs.shape == (arena_contract().observation_size,)
    obs, reward, terminated, truncated, _ = env.step(env.action_space.sample())
    assert np.isfinite(obs).all() and isinstance(terminated, bool)


def test_load_bot_and_open_dataset(tmp_path: Path) -> None:
    contract = arena_contract()
    model = make_random_policy_onnx(contract, tmp_path / "model.onnx")
    bot = botsdk.load_bot(model, seed=0)
    obs = np.zeros((3, contract.observation_size), np.float32)
    actions = bot.act(["a", "b", "c"], obs, np.repeat(bot.style_for("rusher")[None], 3, axis=0))
    assert actions.shape == (3, len(contract.head_sizes))
    assert botsdk.load_contract(model).content_hash == contract.content_hash

    from botsdk.dataset import DatasetWriter

    episode = synthetic_trajectory(contract, 5, seed=1)
    DatasetWriter(tmp_path / "data", contract).add_episode(episode, episode["meta"])
    assert len(botsdk.open_dataset(tmp_path / "data").episodes) == 1
