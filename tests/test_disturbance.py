"""Disturbed demonstrations: recorded with the real arena and demonstrators, marked per step, kept in the history
and left out of everything training learns or judges."""

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

from botsdk.arena.contract import arena_contract
from botsdk.arena.disturbance import BURST_STEPS, DISTURBED_INFO, DisturbedPlayer
from botsdk.arena.recording import RecordPlan, record
from botsdk.cli import build_app
from botsdk.dataset import Dataset
from botsdk.training.agreement import evaluate_tensors
from botsdk.training.config import TrainConfig
from botsdk.training.models import build_policy
from botsdk.training.sampling import BatchSampler
from botsdk.training.tensors import build_tensors, load_dataset_tensors

CONTRACT = arena_contract()


class SteadyPlayer:
    """Always the same keys, so every changed action is the disturbance's."""

    style, player_id, skill, source, last_probs = "rusher", "steady", 0.5, "scripted", None

    def reset(self, agent_id, seed):
        pass

    def act(self, observation, view):
        return np.array([3, 7, 0, 1])


def test_a_disturbance_overrides_a_few_steps_and_flags_exactly_those():
    player = DisturbedPlayer(SteadyPlayer(), chance=0.05, seed=1)
    actions = np.array([player.act(None, None) for _ in range(4000)])
    flags = player.info()
    assert len(flags) == 4001 and flags[-1] == 0
    changed = (actions != [3, 7, 0, 1]).any(axis=1)
    assert not changed[flags[:-1] == 0].any()          # undisturbed steps are the player's own
    assert (actions[:, 2:] == [0, 1]).all()            # fire and interact are never touched
    edges = np.flatnonzero(np.diff(np.r_[0, flags[:-1], 0]))
    bursts = edges[1::2] - edges[::2]
    assert bursts.min() >= BURST_STEPS[0] and bursts.max() <= 2 * BURST_STEPS[1]  # back-to-back bursts may touch
    assert 0.08 < flags.mean() < 0.25                  # about chance x mean burst length / (1 + that)


def test_a_chance_outside_zero_to_one_is_refused_naming_it():
    with pytest.raises(ValueError, match=r"disturbance chance: expected a number in \[0, 1\), got 1.5"):
        DisturbedPlayer(SteadyPlayer(), chance=1.5, seed=0)
    with pytest.raises(ValueError, match=r"disturbance: expected a chance per step in \[0, 1\), got -0.1"):
        RecordPlan("duel", ("rusher",), 2, "unused", disturbance=-0.1)


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    base = tmp_path_factory.mktemp("disturbed")
    for name, chance in (("plain", 0.0), ("disturbed", 0.1)):
        record(RecordPlan("duel", ("rusher", "holder"), 4, str(base / name), seed=3, team_size=1, max_steps=120,
                          disturbance=chance))
    return Dataset.open(base / "plain"), Dataset.open(base / "disturbed")


def test_a_disturbed_recording_marks_its_steps_and_a_plain_one_has_no_marks(recorded):
    plain, disturbed = recorded
    assert all(DISTURBED_INFO not in plain.episode(e.id)["infos"] for e in plain.episodes)
    flags = [disturbed.episode(e.id)["infos"][DISTURBED_INFO] for e in disturbed.episodes]
    assert all(len(f) == e.steps + 1 and f[-1] == 0 for f, e in zip(flags, disturbed.episodes))
    assert 0.05 < np.concatenate(flags).mean() < 0.5


def test_training_tensors_keep_disturbed_steps_as_history_but_never_as_labels(recorded):
    _, disturbed = recorded
    ids = [e.id for e in disturbed.episodes]
    data = load_dataset_tensors(disturbed, ids)
    flags = np.concatenate([disturbed.episode(i)["infos"][DISTURBED_INFO][:-1] for i in ids])
    assert data.learn.tolist() == (flags == 0).tolist()
    unmarked = build_tensors(CONTRACT, [{k: v for k, v in disturbed.episode(i).items() if k != "infos"} for i in ids],
                             [e.style for e in disturbed.episodes], [e.player_id for e in disturbed.episodes])
    assert unmarked.learn is None
    torch.testing.assert_close(data.history, unmarked.history)  # what the player did, disturbances included
    assert bool(data.learn[data.group_order].all())             # the style encoder reads own choices only
    assert int(data.group_length.sum()) == int(data.learn.sum())

    mlp = BatchSampler(data, TrainConfig(style_encoder=False, batch_size=64), recurrent=False)
    drawn = torch.cat([mlp.learned[mlp.rows(step)] for step in range(40)])
    assert bool(data.learn[drawn].all()) and len(set(drawn.tolist())) == int(data.learn.sum())

    gru = TrainConfig(model="gru", style_encoder=False, window=0, batch_size=2)
    batch = BatchSampler(data, gru, recurrent=True).batch(0)
    assert float(batch["loss_weight"].sum()) < batch["loss_weight"].numel()
    windows = BatchSampler(data, gru.replace(window=16), recurrent=True).batch(0)
    assert 0 < float(windows["loss_weight"].sum()) < windows["loss_weight"].numel()


def test_validation_judges_only_the_players_own_choices(recorded):
    _, disturbed = recorded
    data = load_dataset_tensors(disturbed, [e.id for e in disturbed.episodes])
    policy = build_policy(CONTRACT, TrainConfig(style_encoder=False, hidden_sizes=[16])).eval()
    before = evaluate_tensors(policy, data)
    scrambled = data.actions.clone()
    scrambled[~data.learn] = (scrambled[~data.learn] + 1) % torch.tensor(CONTRACT.head_sizes)
    data.actions = scrambled
    assert evaluate_tensors(policy, data) == before


def test_streamed_training_refuses_a_disturbed_recording(recorded):
    from botsdk.training.streaming import StreamingDemos

    _, disturbed = recorded
    with pytest.raises(ValueError, match="loader 'stream': expected a recording without disturbed steps"):
        StreamingDemos(disturbed, [e.id for e in disturbed.episodes], TrainConfig(loader="stream"))


def test_record_cli_names_a_disturbance_out_of_range(tmp_path):
    result = CliRunner().invoke(build_app(), ["record", "--out", str(tmp_path / "d"), "--disturbance", "0.5"])
    assert result.exit_code == 2
    assert "--disturbance: expected a chance per step in [0, 0.2], got 0.5" in result.output


def test_score_steps_through_disturbed_steps_but_scores_only_the_players_own(recorded, tmp_path):
    from botsdk.evaluation.scoring import score_model
    from botsdk.export.onnx_export import export_run
    from botsdk.training.api import train_run
    from botsdk.training.checkpoint import load_run

    _, disturbed = recorded
    config = TrainConfig(max_steps=8, batch_size=32, eval_every=8, log_every=8, checkpoint_every=8, progress=False,
                         threads=1, style_encoder=False, hidden_sizes=[16], val_fraction=0.0)
    train_run(disturbed.root, tmp_path / "run", config)
    export_run(tmp_path / "run", tmp_path / "model.onnx")
    result = score_model(tmp_path / "model.onnx", disturbed.root)
    data = load_dataset_tensors(disturbed, [e.id for e in disturbed.episodes])
    expected = evaluate_tensors(load_run(tmp_path / "run").policy, data)
    assert result["steps"] == int(data.learn.sum()) < data.size
    assert result["joint"]["agreement"] == pytest.approx(expected["agree_joint"], abs=2e-4)
    assert result["joint"]["nll"] == pytest.approx(expected["bc_loss"], abs=5e-4)
