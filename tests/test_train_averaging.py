"""Averaged weights (`ema_decay`): the average warms up and follows the trained weights, validation judges it and
the run keeps it (exact resume and fine-tuning with an average: tests/test_train_trainer.py)."""

import pytest
import torch
from torch import nn

from botsdk.arena.contract import arena_contract
from botsdk.training.api import train_run
from botsdk.training.averaging import WeightAverage
from botsdk.training.checkpoint import load_run, read_checkpoint, run_weights
from botsdk.training.config import ConfigError, TrainConfig
from fixtures.synthetic_dataset import write_synthetic_dataset

CONTRACT = arena_contract()
TINY = dict(hidden_sizes=[32], style_embedding=8, encoder_hidden=16, encoder_groups=2, encoder_set_size=8,
            batch_size=32, lr=3e-3, eval_every=4, log_every=2, checkpoint_every=1000, progress=False, threads=1,
            style_encoder=True, ema_decay=0.9)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    root = tmp_path_factory.mktemp("demos")
    return write_synthetic_dataset(root, CONTRACT, players_per_persona=3, episodes_per_player=2, steps=40, seed=2)


def test_the_average_warms_up_then_follows_at_its_decay():
    trained = nn.Linear(1, 1, bias=False)
    nn.init.zeros_(trained.weight)
    average = WeightAverage(trained, decay=0.9)
    with torch.no_grad():
        trained.weight.fill_(1.0)
    average.update(trained)                          # n = 1: decay min(0.9, 2 / 11), mostly the new weights
    assert average.module.weight.item() == pytest.approx(1.0 - 2.0 / 11.0)
    for _ in range(200):
        average.update(trained)
    assert average.module.weight.item() == pytest.approx(1.0, abs=1e-6) and average.updates == 201
    with torch.no_grad():
        trained.weight.fill_(3.0)
    average.update(trained)                          # warmed up: a tenth of the way
    assert average.module.weight.item() == pytest.approx(1.2, abs=1e-5)
    restored = WeightAverage(trained, decay=0.9)
    restored.load_state_dict(average.state_dict())
    assert restored.updates == 202 and restored.module.weight.item() == pytest.approx(1.2, abs=1e-5)
    average.reset(trained)
    assert average.updates == 0 and average.module.weight.item() == 3.0
    assert not any(p.requires_grad for p in average.module.parameters())


@pytest.mark.parametrize("decay", [-0.1, 1.0, 1.5])
def test_a_decay_outside_zero_to_one_is_refused(decay):
    with pytest.raises(ConfigError, match="ema_decay"):
        TrainConfig(ema_decay=decay)


def test_validation_judges_the_average_and_the_run_keeps_it(dataset, tmp_path):
    from botsdk.training.agreement import evaluate_tensors
    from botsdk.training.api import prepare
    from botsdk.training.tensors import load_dataset_tensors

    config = TrainConfig(**TINY, max_steps=8, patience=0)
    metrics = train_run(dataset, tmp_path / "run", config)
    state = read_checkpoint(tmp_path / "run")
    averaged = state["average"]["weights"]
    assert any(not torch.equal(t, averaged[f"policy.{k}"]) for k, t in state["policy"].items())  # not the last
    best_policy, best_encoder = run_weights(state)
    last_policy, last_encoder = run_weights(state, best=False)
    assert last_policy.keys() == state["policy"].keys() and last_encoder.keys() == state["encoder"].keys()
    assert all(torch.equal(t, averaged[f"policy.{k}"]) for k, t in last_policy.items())
    assert all(torch.equal(t, averaged[f"encoder.{k}"]) for k, t in last_encoder.items())
    run = load_run(tmp_path / "run", best=False)
    data = prepare(dataset, config)
    val = load_dataset_tensors(data.dataset, data.val_ids)
    assert evaluate_tensors(run.policy, val, config.window)["bc_loss"] == \
        pytest.approx(metrics["val"]["val_bc_loss"], abs=1e-5)   # the last validation judged the average
    if state["best_step"] == state["step"]:
        assert all(torch.equal(t, best_policy[k]) for k, t in last_policy.items())

