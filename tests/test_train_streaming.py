"""Training that streams from disk (`loader = "stream"`): the same batches as in-memory loading when the set fits
in one buffer, a close loss curve when it needs many, every episode once per epoch, and bounded buffers."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from botsdk.arena.contract import arena_contract
from botsdk.dataset import Dataset, EpisodeStream
from botsdk.dataset.streaming import episode_rows
from botsdk.training.api import train_run
from botsdk.training.checkpoint import read_checkpoint
from botsdk.training.config import ConfigError, TrainConfig
from botsdk.training.streaming import StreamingDemos, buffer_steps
from fixtures.synthetic_dataset import write_synthetic_dataset

CONTRACT = arena_contract()
TINY = dict(hidden_sizes=[32], style_embedding=8, encoder_hidden=16, encoder_groups=2, encoder_set_size=8,
            batch_size=32, lr=3e-3, eval_every=10, log_every=5, checkpoint_every=1000, progress=False, threads=1,
            input_features="standardized")
SMALL_BUFFER_MB = 2  # ~260 rows of the arena contract per buffer: the set below needs several


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    root = tmp_path_factory.mktemp("demos")
    return write_synthetic_dataset(root, CONTRACT, players_per_persona=2, episodes_per_player=2, steps=40, seed=3)


def _losses(metrics_dir) -> list[float]:
    return [h["train_bc_loss"] for h in read_checkpoint(metrics_dir)["history"] if "train_bc_loss" in h]


@pytest.mark.parametrize("extra", [{}, {"model": "gru", "window": 8}, {"model": "gru", "window": 0}],
                         ids=["mlp", "gru-windows", "gru-episodes"])
def test_a_set_that_fits_trains_exactly_as_in_memory(dataset, tmp_path, extra):
    config = TrainConfig(**TINY, **extra, max_steps=20)
    train_run(dataset, tmp_path / "memory", config)
    train_run(dataset, tmp_path / "stream", config.replace(loader="stream"))
    memory, stream = read_checkpoint(tmp_path / "memory"), read_checkpoint(tmp_path / "stream")
    assert _losses(tmp_path / "memory") == _losses(tmp_path / "stream")
    for name, tensor in memory["policy"].items():
        assert torch.equal(tensor, stream["policy"][name]), name


def test_many_buffers_give_a_close_loss_curve(dataset, tmp_path):
    config = TrainConfig(**{**TINY, "log_every": 10, "eval_every": 40}, max_steps=120, patience=0)
    assert buffer_steps(CONTRACT, SMALL_BUFFER_MB) * 2 < Dataset.open(dataset).total_steps
    memory = train_run(dataset, tmp_path / "memory", config)
    stream = train_run(dataset, tmp_path / "stream", config.replace(loader="stream", stream_memory_mb=SMALL_BUFFER_MB))
    a, b = np.array(_losses(tmp_path / "memory")), np.array(_losses(tmp_path / "stream"))
    assert stream["train_rows"] == memory["train_rows"] and stream["val_rows"] == memory["val_rows"]
    assert not np.array_equal(a, b)  # other batches ...
    assert a[-1] < 0.8 * a[0] and b[-1] < 0.8 * b[0]  # ... the same learning
    val = [[h["val_bc_loss"] for h in read_checkpoint(tmp_path / run)["history"] if "val_bc_loss" in h]
           for run in ("memory", "stream")]
    assert np.allclose(val[0], val[1], rtol=0.1)


def test_every_episode_once_per_epoch_in_bounded_buffers(dataset):
    ds = Dataset.open(dataset)
    stream = EpisodeStream(ds, [e.id for e in ds.episodes], buffer_steps=130, seed=7)
    plans = [stream.plan(epoch) for epoch in range(3)]
    for plan in plans:
        members = sorted(i for b in plan.buffers for i in b)
        assert members == list(range(len(ds.episodes)))
        assert all(sum(stream.steps[list(b)]) <= 130 for b in plan.buffers)
        assert len(plan.buffers) > 4
    assert plans[0].buffers != plans[1].buffers  # reshuffled each epoch ...
    assert EpisodeStream(ds, [e.id for e in ds.episodes], 130, seed=7).plan(1) == plans[1]  # ... reproducibly
    episode = ds.episode(3)
    obs, act = episode_rows(ds, ds.info(3))
    assert np.array_equal(obs, episode["observations"][:-1]) and np.array_equal(act, episode["actions"])


def test_batches_are_a_pure_function_of_the_step(dataset):
    ds = Dataset.open(dataset)
    config = TrainConfig(**TINY, loader="stream", stream_memory_mb=SMALL_BUFFER_MB)
    ids = [e.id for e in ds.episodes]
    straight = StreamingDemos(ds, ids, config).sampler(config, recurrent=False)
    resumed = StreamingDemos(ds, ids, config).sampler(config, recurrent=False)
    steps_per_epoch = ds.total_steps // config.batch_size
    wanted = [0, 1, steps_per_epoch - 1, steps_per_epoch, steps_per_epoch + 2]
    first = {s: straight.batch(s) for s in range(max(wanted) + 1)}
    for s in reversed(wanted):  # out of order, as a resumed run would start mid-stream
        batch = resumed.batch(s)
        assert all(torch.equal(batch[k], first[s][k]) for k in ("obs", "actions", "style"))
    rows = torch.cat([first[s]["obs"] for s in range(steps_per_epoch)])
    assert len(torch.unique(rows, dim=0)) == len(rows)  # within an epoch no row twice


def test_bad_loader_is_refused():
    with pytest.raises(ConfigError, match="'loader': expected one of"):
        TrainConfig(loader="disk")
    with pytest.raises(ConfigError, match="stream_memory_mb"):
        TrainConfig(stream_memory_mb=0)


def test_two_torchrun_ranks_stream_disjoint_shards_to_identical_weights(dataset, tmp_path):
    import json
    import os
    import subprocess
    import sys

    config = tmp_path / "train.toml"
    config.write_text(TrainConfig(**TINY, max_steps=4, loader="stream", stream_memory_mb=SMALL_BUFFER_MB).to_toml())
    out = tmp_path / "run"
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
           "-m", "botsdk.training.distributed", "--data", str(dataset), "--out", str(out), "--config", str(config)]
    done = subprocess.run(cmd, env={**os.environ, "OMP_NUM_THREADS": "1"}, capture_output=True, text=True,
                          timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads((out / "replicas.json").read_text())
    first, second = report["replicas"]
    assert report["backend"] == "gloo" and first["param_hash"] == second["param_hash"]
    assert not set(first["first_rows"]) & set(second["first_rows"])  # disjoint positions of one stream
