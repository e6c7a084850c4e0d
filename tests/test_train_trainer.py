"""`botsdk train` end to end on a tiny learnable dataset: learning, exact resume, what a checkpoint carries,
and refusal of a dataset whose contract disagrees with the config."""

import dataclasses
import json

import pytest
import torch
from typer.testing import CliRunner

from botsdk.arena.contract import arena_contract
from botsdk.cli import build_app
from botsdk.contract import load_contract
from botsdk.training.api import load_config, train_run
from botsdk.training.checkpoint import load_run, read_checkpoint
from botsdk.training.config import TrainConfig
from botsdk.dataset import Dataset
from fixtures.synthetic_dataset import write_synthetic_dataset

CONTRACT = arena_contract()
TINY = dict(hidden_sizes=[32], style_embedding=8, encoder_hidden=16, encoder_groups=2, encoder_set_size=8,
            batch_size=32, lr=3e-3, eval_every=3, log_every=2, checkpoint_every=1000, progress=False, threads=1,
            style_encoder=True)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    root = tmp_path_factory.mktemp("demos")
    return write_synthetic_dataset(root, CONTRACT, players_per_persona=4, episodes_per_player=2, steps=50, seed=1)


def test_learns_style_dependent_actions(dataset, tmp_path):
    config = TrainConfig(**{**TINY, "hidden_sizes": [128], "batch_size": 128, "max_steps": 400, "eval_every": 100, "lr": 5e-3,
                            "log_every": 40, "val_split": "player", "val_fraction": 0.25, "encoder_groups": 4})
    metrics = train_run(dataset, tmp_path / "run", config)
    val = metrics["val"]
    # move and interact depend on the persona (tests.fixtures.synthetic_dataset): both need the style input
    assert val["val_agree_move"] > 0.8 and val["val_agree_interact"] > 0.9, val
    run = load_run(tmp_path / "run")
    obs = torch.from_numpy(Dataset.open(dataset).episode(0)["observations"][:20])
    styles = [torch.tensor(CONTRACT.style.persona(p)).expand(20, -1) for p in ("rusher", "holder")]
    state, previous = torch.zeros(20, run.policy.state_size), torch.full((20, 4), -1)  # each frame an episode start
    moves = [run.policy(obs, s, state, previous)[0][0].argmax(-1) for s in styles]
    assert (moves[0] != moves[1]).float().mean() > 0.8  # rusher and holder move differently on the same frames


@pytest.mark.parametrize("encoder_every, ema_decay", [(1, 0.0), (2, 0.0), (1, 0.9)])
def test_resume_is_exact(dataset, tmp_path, monkeypatch, encoder_every, ema_decay):
    from botsdk.training.trainer import Trainer

    config = TrainConfig(**{**TINY, "checkpoint_every": 3, "encoder_every": encoder_every, "ema_decay": ema_decay},
                         max_steps=6)
    train_run(dataset, tmp_path / "straight", config)
    save = Trainer.save

    def save_then_die(self):  # the process is killed right after its step-3 checkpoint
        save(self)
        if self.step == 3:
            raise KeyboardInterrupt

    monkeypatch.setattr(Trainer, "save", save_then_die)
    with pytest.raises(KeyboardInterrupt):
        train_run(dataset, tmp_path / "split", config)
    monkeypatch.undo()
    assert read_checkpoint(tmp_path / "split")["step"] == 3
    train_run(dataset, tmp_path / "split", config, resume=True)
    a, b = read_checkpoint(tmp_path / "straight"), read_checkpoint(tmp_path / "split")
    assert b["step"] == 6
    for part in ("policy", "encoder", "best_policy"):
        for key, tensor in a[part].items():
            assert torch.equal(tensor, b[part][key]), (part, key)
    if ema_decay:
        assert a["average"]["updates"] == b["average"]["updates"] == 6
        for key, tensor in a["average"]["weights"].items():
            assert torch.equal(tensor, b["average"]["weights"][key]), ("average", key)
    assert a["best_val"] == b["best_val"]


def test_encoder_every_second_step(dataset, tmp_path):
    """At encoder_every = 2 the encoder's groups come on even steps only, the encoder moves on those steps only,
    and the logged encoder terms stay per-step averages."""
    from botsdk.training.sampling import BatchSampler
    from botsdk.training.tensors import load_dataset_tensors

    demos = Dataset.open(dataset)
    config = TrainConfig(**{**TINY, "eval_every": 1000}, encoder_every=2, lr_schedule="constant")
    sampler = BatchSampler(load_dataset_tensors(demos, [e.id for e in demos.episodes]), config, recurrent=False)
    assert ["enc_obs" in sampler.batch(step) for step in range(4)] == [True, False, True, False]
    encoders = {}
    for steps in (2, 3, 4):
        train_run(dataset, tmp_path / f"run{steps}", config.replace(max_steps=steps))
        encoders[steps] = read_checkpoint(tmp_path / f"run{steps}")["encoder"]
    moved = lambda a, b: any(not torch.equal(a[k], b[k]) for k in a)
    assert moved(encoders[2], encoders[3]) and not moved(encoders[3], encoders[4])  # step 2 has it, step 3 not
    logged = [h for h in read_checkpoint(tmp_path / "run4")["history"] if "encoder_bc" in h]
    assert logged and all(0.0 < h["encoder_bc"] < 20.0 for h in logged), logged
    with pytest.raises(ValueError, match="encoder_every"):
        TrainConfig(**TINY, encoder_every=0)


def test_checkpoint_carries_contract_config_and_dataset_hash(dataset, tmp_path):
    config = TrainConfig(**TINY, max_steps=4)
    run_dir, config_file = tmp_path / "run", tmp_path / "train.toml"
    config_file.write_text(config.replace(max_steps=99).to_toml())
    result = CliRunner().invoke(build_app(), ["train", "--data", str(dataset), "--out", str(run_dir), "--config",
                                              str(config_file), "--max-steps", "4", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output[result.output.index("{"):])["step"] == 4
    state = read_checkpoint(run_dir)
    assert state["dataset_hash"] == Dataset.open(dataset).content_hash
    assert TrainConfig.from_dict(state["config"]) == config
    assert load_contract(run_dir / "checkpoint.pt") == CONTRACT  # the .pt reader of botsdk.contract
    assert load_config(run_dir / "config.toml") == config
    assert any(p.name.startswith("events.out.tfevents") for p in (run_dir / "tb").iterdir())
    assert json.loads((run_dir / "metrics.json").read_text())["step"] == 4
    run = load_run(run_dir)
    assert run.contract == CONTRACT and run.style_encoder is not None and not run.policy.training


def test_early_stopping_stops_when_validation_stalls(dataset, tmp_path):
    config = TrainConfig(**{**TINY, "lr": 0.0, "max_steps": 200, "eval_every": 2, "patience": 2})
    metrics = train_run(dataset, tmp_path / "run", config)
    assert metrics["stopped_early"] and metrics["step"] == 6  # best at 2, then two evaluations without progress


def test_contract_mismatch_refused_before_training(dataset, tmp_path):
    other = dataclasses.replace(CONTRACT, decision_hz=30.0, frame_stack=3)
    contract_file = tmp_path / "engine.json"
    contract_file.write_text(other.to_json())
    config_file = tmp_path / "train.toml"
    config_file.write_text(TrainConfig(**TINY, contract=str(contract_file)).to_toml())
    out = tmp_path / "run"
    result = CliRunner().invoke(build_app(), ["train", "--data", str(dataset), "--out", str(out),
                                              "--config", str(config_file)])
    assert result.exit_code == 2
    assert "decision_hz" in result.output and "frame_stack" in result.output and "refused" in result.output
    assert not (out / "checkpoint.pt").exists()


def test_cli_rejects_unknown_config_key(dataset, tmp_path):
    config_file = tmp_path / "train.toml"
    config_file.write_text("lerning_rate = 0.1\n")
    result = CliRunner().invoke(build_app(), ["train", "--data", str(dataset), "--out", str(tmp_path / "r"),
                                              "--config", str(config_file)])
    assert result.exit_code == 2 and "lerning_rate" in result.output


def test_gru_policy_trains_on_windows_and_reloads(dataset, tmp_path):
    config = TrainConfig(**{**TINY, "model": "gru", "gru_hidden": 16, "window": 8, "max_steps": 4})
    metrics = train_run(dataset, tmp_path / "run", config)
    assert metrics["step"] == 4 and metrics["val"]["val_bc_loss"] > 0
    run = load_run(tmp_path / "run")
    assert run.policy.recurrent and run.policy.state_size == 16 + 2 * 4  # GRU hidden, then the action history


@pytest.mark.parametrize("ema_decay", [0.0, 0.9])
def test_init_from_fine_tunes_from_a_runs_best_weights(dataset, tmp_path, ema_decay):
    from botsdk.training.api import prepare
    from botsdk.training.tensors import load_dataset_tensors
    from botsdk.training.trainer import Trainer

    base = TrainConfig(**TINY, max_steps=40, ema_decay=ema_decay)
    train_run(dataset, tmp_path / "base", base)
    config = base.replace(init_from=str(tmp_path / "base"), max_steps=3)
    data = prepare(dataset, config)
    trainer = Trainer(data.contract, config, load_dataset_tensors(data.dataset, data.train_ids), None,
                      tmp_path / "unused", data.dataset_hash)
    trainer.initialize_from(config.init_from)
    loaded = load_run(tmp_path / "base")
    averaged = (trainer.average.module.policy, trainer.average.module.encoder) if ema_decay else ()
    for mine, theirs in zip((trainer.policy, trainer.encoder, *averaged), 2 * (loaded.policy, loaded.style_encoder)):
        for key, tensor in theirs.state_dict().items():
            assert torch.equal(tensor, mine.state_dict()[key]), key   # an average starts at the loaded run
    fine_tuned = train_run(dataset, tmp_path / "fine", config)
    fresh = train_run(dataset, tmp_path / "fresh", base.replace(max_steps=3))
    assert fine_tuned["val"]["val_bc_loss"] < fresh["val"]["val_bc_loss"]
    assert read_checkpoint(tmp_path / "fine")["config"]["init_from"] == str(tmp_path / "base")


def test_init_from_refuses_another_model_shape_or_a_missing_run(dataset, tmp_path):
    from botsdk.training.api import TrainingInputError

    train_run(dataset, tmp_path / "base", TrainConfig(**TINY, max_steps=2))
    other = TrainConfig(**{**TINY, "hidden_sizes": [16]}, max_steps=2, init_from=str(tmp_path / "base"))
    with pytest.raises(TrainingInputError, match=r"hidden_sizes: this config \[16\], checkpoint \[32\]"):
        train_run(dataset, tmp_path / "fine", other)
    with pytest.raises(FileNotFoundError, match="no checkpoint"):
        train_run(dataset, tmp_path / "fine", TrainConfig(**TINY, max_steps=2, init_from=str(tmp_path / "nope")))
    assert not (tmp_path / "fine").exists()


def test_the_batched_optimizer_computes_what_the_per_tensor_one_does(dataset, tmp_path, monkeypatch):
    """Adam runs with foreach (a few batched ops per step): the weights after training are bit for bit those of
    torch's per-tensor loop, so the speed costs nothing in what a recipe learns."""
    adam = torch.optim.Adam
    config = TrainConfig(**TINY, max_steps=12, ordinal_mixture=3, sight_timer=True, answer_memory=True,
                         bearing_lean=True)
    train_run(dataset, tmp_path / "batched", config)
    monkeypatch.setattr(torch.optim, "Adam", lambda *a, foreach=None, **k: adam(*a, foreach=False, **k))
    train_run(dataset, tmp_path / "per-tensor", config)
    batched, per_tensor = read_checkpoint(tmp_path / "batched"), read_checkpoint(tmp_path / "per-tensor")
    for part in ("policy", "encoder"):
        for key, tensor in batched[part].items():
            assert torch.equal(tensor, per_tensor[part][key]), (part, key)
