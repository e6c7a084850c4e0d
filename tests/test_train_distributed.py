"""Two DDP processes (gloo, CPU) train a few steps on disjoint shards and end with identical weights."""

import json
import os
import subprocess
import sys

from botsdk.arena.contract import arena_contract
from botsdk.training.checkpoint import read_checkpoint
from botsdk.training.config import TrainConfig
from fixtures.synthetic_dataset import write_synthetic_dataset


def test_two_replicas_hold_identical_weights(tmp_path):
    data = write_synthetic_dataset(tmp_path / "data", arena_contract(), players_per_persona=1,
                                   episodes_per_player=2, steps=30, seed=2)
    config = tmp_path / "train.toml"
    config.write_text(TrainConfig(hidden_sizes=[16], style_embedding=4, encoder_hidden=8, encoder_groups=2,
                                  encoder_set_size=4, batch_size=16, max_steps=4, eval_every=2, log_every=2,
                                  progress=False, threads=1, input_features="deltas", style_encoder=True).to_toml())
    out = tmp_path / "run"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
           "-m", "botsdk.training.distributed", "--data", str(data), "--out", str(out), "--config", str(config)]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads((out / "replicas.json").read_text())
    assert report["world_size"] == 2 and report["backend"] == "gloo"
    first, second = report["replicas"]
    assert first["param_hash"] == second["param_hash"]  # the input statistics (buffers) included
    assert first["rows_seen"] == second["rows_seen"] == 4 * 16
    assert not set(first["first_rows"]) & set(second["first_rows"])  # disjoint shards of one global batch
    state = read_checkpoint(out)
    assert state["step"] == 4
    assert not (state["policy"]["trunk.features.scale"] == 1.0).all()  # fitted on the data, the same on both ranks
