"""Export of models trained for a few steps: file format, metadata, parity gate, int8, refusals, CLI."""

import json
from pathlib import Path

import numpy as np
import onnx
import pytest
import torch
from typer.testing import CliRunner

from botsdk.arena.contract import arena_contract
from botsdk.cli import build_app
from botsdk.contract import load_contract
from botsdk.export.metadata import REQUIRED_KEYS, read_metadata
from botsdk.export.onnx_export import ExportError, export_policy
from botsdk.export.runtime import BotRuntime, StyleEncoderRuntime
from botsdk.training.api import train_run
from botsdk.training.checkpoint import load_run
from botsdk.training.config import TrainConfig
from fixtures.synthetic_dataset import write_synthetic_dataset

C = arena_contract()
SMALL = dict(max_steps=4, batch_size=64, eval_every=4, log_every=4, checkpoint_every=4, progress=False, threads=1,
             encoder_set_size=16, encoder_groups=2, hidden_sizes=[64, 64], gru_hidden=16, style_embedding=8,
             encoder_hidden=32, window=4, style_encoder=True)


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("export")
    data = write_synthetic_dataset(root / "data", C, players_per_persona=1, episodes_per_player=2, steps=32)
    runs = {"data": data}
    for kind in ("mlp", "gru"):
        train_run(data, root / kind, TrainConfig(model=kind, **SMALL))
        runs[kind] = root / kind
    # standardized inputs with frame deltas, aim, distance and position octaves and a position grid: statistics,
    # sin/cos and the grid's interpolation the ONNX graph must carry
    train_run(data, root / "gru_deltas", TrainConfig(model="gru", input_features="deltas", position_encoding=3,
                                                     aim_encoding=4, distance_encoding=3, position_grid=5,
                                                     position_grid_channels=3, **SMALL))
    runs["gru_deltas"] = root / "gru_deltas"
    # dropout: the graph and the parity reference must both run the policy as in play (dropout off); without the
    # action history: the file has no previous_action input
    train_run(data, root / "mlp_dropout", TrainConfig(model="mlp", dropout=0.5, action_history=False, **SMALL))
    runs["mlp_dropout"] = root / "mlp_dropout"
    # the sight clock and the answer memory (botsdk.training.sight, .answer): their memory is stepped inside the
    # graph from the observation and the previous action; the turn head as a mixture of discretised Gaussians
    # leaning relative to the enemy's bearing (botsdk.training.heads)
    train_run(data, root / "gru_sight", TrainConfig(model="gru", sight_timer=True, answer_memory=True,
                                                    ordinal_mixture=2, bearing_lean=True, **SMALL))
    runs["gru_sight"] = root / "gru_sight"
    return runs


def _feeds(rng, batch: int, state_size: int, history: bool = True, sight: bool = False) -> dict:
    """Random inputs as play produces them: for a history policy, a previous action and a matching memory."""
    from botsdk.export.parity import random_histories

    feeds = {"obs": rng.random((batch, C.observation_size), dtype=np.float32),
             "style": rng.random((batch, C.style.size), dtype=np.float32),
             "state_in": rng.normal(0.0, 0.5, (batch, state_size)).astype(np.float32)}
    if history:
        previous, memory = random_histories(C, batch, int(rng.integers(1000)), sight)
        feeds["state_in"][:, state_size - memory.shape[1]:] = memory
        feeds["previous_action"] = previous
    return feeds


def _export(run: Path, out: Path, *extra: str) -> dict:
    result = CliRunner().invoke(build_app(), ["export", str(run), "--out", str(out), "--json", *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("kind", ["mlp", "gru", "gru_deltas", "mlp_dropout", "gru_sight"])
def test_cli_export_writes_a_checked_self_contained_file(trained, tmp_path, kind):
    out = tmp_path / f"{kind}.onnx"
    report = _export(trained[kind], out, "--data", str(trained["data"]))
    assert report["parity"]["passed"] and report["parity"]["max_abs_logit_diff"] <= 1e-4
    assert report["parity"]["argmax_agreement"] >= 0.999
    assert any("full_check passed" in c for c in report["checks"])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([out.name, f"{kind}.style.onnx"])
    model = onnx.load(str(out))
    assert max(o.version for o in model.opset_import if o.domain in ("", "ai.onnx")) >= 17
    assert not any(t.data_location == onnx.TensorProto.EXTERNAL for t in model.graph.initializer)
    for tensor in list(model.graph.input) + list(model.graph.output):
        assert tensor.type.tensor_type.shape.dim[0].dim_param, f"{tensor.name} has no dynamic batch axis"
    history = kind != "mlp_dropout"
    assert [i.name for i in model.graph.input] == ["obs", "style", "state_in"] + (["previous_action"] if history else [])
    assert [o.name for o in model.graph.output] == [f"logits_{h}" for h in C.head_names] + ["state_out"]
    meta = read_metadata(out)
    assert set(REQUIRED_KEYS) <= set(meta)
    loaded = load_run(trained[kind])
    assert load_contract(out).content_hash == C.content_hash
    assert meta["botsdk.dataset_hash"] == loaded.dataset_hash
    assert json.loads(meta["botsdk.training_config"])["model"] == kind.split("_")[0]
    assert int(meta["botsdk.state_size"]) == loaded.policy.state_size


@pytest.mark.parametrize("kind", ["gru", "gru_deltas", "gru_sight"])
def test_runtime_matches_torch_on_a_trained_gru_over_several_steps(trained, tmp_path, kind):
    out = tmp_path / "gru.onnx"
    _export(trained[kind], out)
    loaded = load_run(trained[kind])
    rt = BotRuntime(out, greedy=True)
    obs = np.random.default_rng(0).random((5, 3, C.observation_size), dtype=np.float32)
    style = np.tile(np.asarray(C.style.persona("rusher"), np.float32), (3, 1))
    state, previous = torch.zeros(3, loaded.policy.state_size), torch.full((3, len(C.head_sizes)), -1)
    for t in range(5):
        with torch.no_grad():
            logits, state = loaded.policy(torch.from_numpy(obs[t]), torch.from_numpy(style), state, previous)
        actions = rt.act(["x", "y", "z"], obs[t], style)  # the runtime feeds back the action it chose
        for h, head in enumerate(logits):
            np.testing.assert_allclose(rt.last_logits[h], head.numpy(), atol=1e-4)
            np.testing.assert_array_equal(actions[:, h], head.argmax(1).numpy())
        previous = torch.from_numpy(actions)


def test_runtime_feeds_back_its_own_action_unless_told_what_was_applied(trained, tmp_path):
    out = tmp_path / "mlp.onnx"
    _export(trained["mlp"], out)
    loaded = load_run(trained["mlp"])
    rt = BotRuntime(out, greedy=True)
    obs = np.random.default_rng(4).random((3, 2, C.observation_size), dtype=np.float32)
    first = rt.act(["a", "b"], obs[0])
    applied = np.array([[3, 1, 1, 0], [0, 14, 0, 1]], np.int64)  # e.g. a person took over for a step
    rt.applied(["a", "b"], applied)
    rt.act(["a", "b"], obs[1])
    state = torch.zeros(2, loaded.policy.state_size)
    with torch.no_grad():
        _, state = loaded.policy(torch.from_numpy(obs[0]), torch.zeros(2, C.style.size), state, torch.full((2, 4), -1))
        want, _ = loaded.policy(torch.from_numpy(obs[1]), torch.zeros(2, C.style.size), state, torch.from_numpy(applied))
        mine, _ = loaded.policy(torch.from_numpy(obs[1]), torch.zeros(2, C.style.size), state, torch.from_numpy(first))
    np.testing.assert_allclose(rt.last_logits[0], want[0].numpy(), atol=1e-4)
    assert not np.allclose(want[0].numpy(), mine[0].numpy())
    rt.act(["a", "b"], obs[2], episode_start=np.array([True, False]))  # a new episode forgets the last action
    assert rt._states.gather_actions(rt._states.rows(["a"]), np.empty((1, 4), np.int64))[0].tolist() != [-1] * 4
    rt.reset(["a"])
    assert rt._states.gather_actions(rt._states.rows(["a"]), np.empty((1, 4), np.int64))[0].tolist() == [-1] * 4
    with pytest.raises(ValueError, match=r"applied actions\[1, 1\] = 15 is outside head 'turn' \(expected -1 or "
                                         r"0..14\)"):
        rt.applied(["a", "b"], np.array([[0, 0, 0, 0], [0, 15, 0, 0]]))
    with pytest.raises(ValueError, match=r"applied actions: expected int64\[2, 4\]"):
        rt.applied(["a", "b"], np.zeros((2, 3), np.int64))
    with pytest.raises(KeyError, match="unknown agent"):
        rt.applied(["nobody"], np.zeros((1, 4), np.int64))


def test_style_encoder_export_matches_torch(trained, tmp_path):
    out = tmp_path / "mlp.onnx"
    _export(trained["mlp"], out)
    loaded = load_run(trained["mlp"])
    obs = np.random.default_rng(1).random((20, C.observation_size), dtype=np.float32)
    actions = np.stack([np.random.default_rng(2).integers(0, n, 20) for n in C.head_sizes], axis=1)
    with torch.no_grad():
        expected = loaded.style_encoder.encode_actions(torch.from_numpy(obs), torch.from_numpy(actions)).numpy()
    got = StyleEncoderRuntime(tmp_path / "mlp.style.onnx").encode(obs, actions)
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_int8_is_written_beside_the_untouched_float_model(trained, tmp_path):
    out = tmp_path / "q.onnx"
    report = _export(trained["gru"], out, "--quantize", "int8", "--data", str(trained["data"]))
    q = report["quantized"]
    assert q["path"] == str(tmp_path / "q.int8.onnx") and q["float_path"] == str(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["q.int8.onnx", "q.onnx", "q.style.onnx"]
    assert "botsdk.quantization" not in read_metadata(out)  # the float file is the plain export
    assert set(q["head_agreement"]) == set(C.head_names) and min(q["head_agreement"].values()) >= 0.95
    assert q["batch_1_vs_64_flips"] == 0 and q["gate_steps"] > 0 and q["calibration_steps"] > 0
    assert q["size_bytes"] < q["float_size_bytes"]
    rt = BotRuntime(tmp_path / "q.int8.onnx")  # the quantised file keeps the contract and runs
    assert rt.contract.content_hash == C.content_hash
    assert rt.metadata["botsdk.quantization"] == "int8"
    ops = {n.op_type for n in onnx.load(str(tmp_path / "q.int8.onnx")).graph.node}
    assert {"QuantizeLinear", "DequantizeLinear"} <= ops and "DynamicQuantizeLinear" not in ops  # static ranges


@pytest.mark.parametrize("kind", ["mlp", "gru"])
def test_int8_decisions_do_not_depend_on_the_batch(trained, tmp_path, kind):
    from botsdk.export.quantize import decide_in_batches, int8_path_for, quantize_policy, recorded_sequences, \
        run_sequences
    from botsdk.export.session import load_policy

    out = tmp_path / f"{kind}.onnx"
    _export(trained[kind], out)
    quantize_policy(out, trained["data"])
    session, contract, state_size = load_policy(int8_path_for(out))
    _, gate = recorded_sequences(trained["data"], contract)
    _, inputs = run_sequences(session, contract, state_size, gate)  # recorded steps with the int8 model's own state
    assert len(inputs["obs"]) >= 128 and np.abs(inputs["state_in"]).max() > (0 if kind == "gru" else -1)
    single = decide_in_batches(session, contract, inputs, 1)
    np.testing.assert_array_equal(decide_in_batches(session, contract, inputs, 64), single)
    np.testing.assert_array_equal(decide_in_batches(session, contract, inputs, 37), single)


def test_int8_is_refused_with_each_heads_agreement_and_nothing_written(trained, tmp_path):
    from botsdk.export.quantize import QuantizationRefused, quantize_policy

    out = tmp_path / "m.onnx"
    _export(trained["mlp"], out)
    before = out.read_bytes()
    with pytest.raises(QuantizationRefused, match=r"per-head argmax agreement with the float model on \d+ recorded "
                                                  r"steps .*move \d+\.\d+%, turn .*below the required 101%"):
        quantize_policy(out, trained["data"], min_agreement=1.01)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.onnx", "m.style.onnx"] and out.read_bytes() == before


def test_cli_int8_needs_recorded_data(trained, tmp_path):
    result = CliRunner().invoke(build_app(), ["export", str(trained["mlp"]), "--out", str(tmp_path / "m.onnx"),
                                              "--quantize", "int8"])
    assert result.exit_code == 2 and "--quantize int8 needs --data" in result.output


@pytest.mark.parametrize("opset", [15, 17])
@pytest.mark.parametrize("kind", ["mlp", "gru"])
def test_opset_passes_the_checker_parity_and_a_second_runtime(trained, tmp_path, kind, opset):
    import onnxruntime as ort
    from onnx.reference import ReferenceEvaluator

    out = tmp_path / f"{kind}{opset}.onnx"
    report = _export(trained[kind], out, "--opset", str(opset), "--data", str(trained["data"]))
    model = onnx.load(str(out))
    onnx.checker.check_model(model, full_check=True)
    assert report["opset"] == opset
    assert [o.version for o in model.opset_import if o.domain in ("", "ai.onnx")] == [opset]
    assert report["parity"]["passed"] and report["parity"]["max_abs_logit_diff"] <= 1e-4
    assert "GRU" not in {n.op_type for n in model.graph.node}  # the recurrent cell is elementary operators
    assert max(o.version for o in onnx.load(str(tmp_path / f"{kind}{opset}.style.onnx")).opset_import) == opset
    rng = np.random.default_rng(3)
    state_size = int(read_metadata(out)["botsdk.state_size"])
    feeds = _feeds(rng, 32, state_size)
    for got, want in zip(ReferenceEvaluator(model).run(None, feeds), ort.InferenceSession(str(out)).run(None, feeds)):
        np.testing.assert_allclose(got, want, atol=1e-5)


def test_fp32_files_use_only_the_operators_the_engine_guide_lists(trained, tmp_path):
    guide = (Path(__file__).parents[1] / "docs" / "engine_guide.md").read_text()
    listed = set(guide.split("use only these operators:\n`")[1].split("`")[0].split())
    used = set()
    for kind in ("mlp", "gru", "gru_deltas", "gru_sight"):
        out = tmp_path / f"{kind}.onnx"
        _export(trained[kind], out, "--opset", "15")
        for path in (out, tmp_path / f"{kind}.style.onnx"):
            used |= {n.op_type for n in onnx.load(str(path)).graph.node}
    assert used <= listed, f"operators missing from docs/engine_guide.md section 10: {sorted(used - listed)}"
    assert not {"GRU", "LSTM", "Loop", "If"} & used


def test_cli_refuses_an_opset_outside_the_supported_range(trained, tmp_path):
    for opset in ("14", "21"):
        result = CliRunner().invoke(build_app(), ["export", str(trained["mlp"]), "--out", str(tmp_path / "m.onnx"),
                                                  "--opset", opset])
        assert result.exit_code == 2 and "--opset: expected 15 to 20" in result.output


@pytest.mark.parametrize("kind", ["mlp", "gru", "gru_deltas", "gru_sight"])
def test_empty_batches_work_for_every_model_kind(trained, tmp_path, kind):
    import onnxruntime as ort

    out = tmp_path / f"{kind}.onnx"
    report = _export(trained[kind], out)
    assert any("empty batch" in c for c in report["checks"]) and any("empty demonstration" in c
                                                                     for c in report["checks"])
    state_size = int(read_metadata(out)["botsdk.state_size"])
    outputs = ort.InferenceSession(str(out)).run(None, {
        "obs": np.zeros((0, C.observation_size), np.float32), "style": np.zeros((0, C.style.size), np.float32),
        "state_in": np.zeros((0, state_size), np.float32), "previous_action": np.zeros((0, 4), np.int64)})
    assert [o.shape for o in outputs] == [(0, n) for n in C.head_sizes] + [(0, state_size)]
    rt = BotRuntime(out)
    assert rt.act([], np.zeros((0, C.observation_size), np.float32)).shape == (0, len(C.head_sizes))
    assert rt.decode(np.zeros((0, len(C.head_sizes)), np.int64)) == []
    style_path = tmp_path / f"{kind}.style.onnx"
    (style,) = ort.InferenceSession(str(style_path)).run(None, {
        "obs": np.zeros((0, C.observation_size), np.float32), "actions_onehot": np.zeros((0, 28), np.float32)})
    np.testing.assert_array_equal(style, np.zeros((1, C.style.size), np.float32))
    encoder = StyleEncoderRuntime(style_path)
    np.testing.assert_array_equal(encoder.encode(np.zeros((0, C.observation_size), np.float32),
                                                 np.zeros((0, len(C.head_sizes)), np.int64)), np.zeros(C.style.size))


class _BranchyPolicy(torch.nn.Module):
    """Export-unfriendly: a data-dependent Python branch is frozen by tracing, so ONNX and torch disagree."""

    def __init__(self, inner: torch.nn.Module):
        super().__init__()
        self.inner = inner
        self.state_size, self.reads_previous_action = inner.state_size, inner.reads_previous_action

    def forward(self, obs, style, state, previous_action=None):
        logits, state = self.inner(obs, style, state, previous_action)
        if float(obs.abs().sum()) > 0.0:  # traced with zeros: this branch is never exported
            logits = [-2.0 * head for head in logits]
        return logits, state


def test_export_refuses_when_parity_fails_and_writes_nothing(trained, tmp_path):
    loaded = load_run(trained["mlp"])
    out = tmp_path / "broken.onnx"
    with pytest.raises(ExportError, match=r"parity with torch failed on 2048 held-out observations: max \|logit "
                                          r"difference\| .* > allowed 0.0001"):
        export_policy(_BranchyPolicy(loaded.policy), C, out, model_version="x", training_config={},
                      dataset_hash="none")
    assert list(tmp_path.iterdir()) == []


def test_export_refuses_a_policy_that_does_not_match_the_contract(trained, tmp_path):
    from botsdk.contract import ActionHead, BehaviourContract

    loaded = load_run(trained["mlp"])
    wider = BehaviourContract(**{**C.__dict__, "actions": C.actions + (ActionHead("crouch", (0, 1)),)})
    with pytest.raises(ExportError, match=r"policy outputs do not match the contract: expected logits .*\(2, 2\)\]"
                                          r" \(heads \['move', 'turn', 'fire', 'interact', 'crouch'\]\)"):
        export_policy(loaded.policy, wider, tmp_path / "x.onnx", model_version="x", training_config={},
                      dataset_hash="none")


def test_cli_reports_bad_arguments(tmp_path):
    runner = CliRunner()
    result = runner.invoke(build_app(), ["export", str(tmp_path / "nope"), "--out", str(tmp_path / "m.onnx")])
    assert result.exit_code == 2 and "no such run directory" in result.output
    result = runner.invoke(build_app(), ["export", str(tmp_path), "--out", str(tmp_path / "m.pt")])
    assert result.exit_code == 2 and "expected a path ending in .onnx" in result.output


def test_export_writes_per_head_temperatures_the_runtime_samples_at(trained, tmp_path):
    from botsdk.export.runtime import BotRuntime

    turn = C.head_names.index("turn")
    _export(trained["mlp"], tmp_path / "default.onnx")
    meta = read_metadata(tmp_path / "default.onnx")
    assert float(meta["botsdk.sampling_temperature"]) == 1.0
    assert json.loads(meta["botsdk.head_temperatures"]) == {"turn": 0.9}
    assert BotRuntime(tmp_path / "default.onnx").temperatures == tuple(0.9 if i == turn else 1.0
                                                                       for i in range(len(C.head_names)))
    _export(trained["mlp"], tmp_path / "flat.onnx", "--temperature", "0.8")
    assert "botsdk.head_temperatures" not in read_metadata(tmp_path / "flat.onnx")
    assert BotRuntime(tmp_path / "flat.onnx").temperatures == (0.8,) * len(C.head_names)
    _export(trained["mlp"], tmp_path / "fire.onnx", "--head-temperature", "fire=0.5", "--head-temperature", "turn=0.7")
    assert json.loads(read_metadata(tmp_path / "fire.onnx")["botsdk.head_temperatures"]) == {"fire": 0.5, "turn": 0.7}
    runner = CliRunner()
    for bad, fragment in (("trun=0.9", "head names from move, turn"), ("turn=0", "finite number > 0"),
                          ("turn", "HEAD=T")):
        result = runner.invoke(build_app(), ["export", str(trained["mlp"]), "--out", str(tmp_path / "bad.onnx"),
                                             "--head-temperature", bad])
        assert result.exit_code in (1, 2) and fragment in result.output, result.output
        assert not (tmp_path / "bad.onnx").exists()


def test_hot_swap_between_models_with_and_without_the_action_history(trained, tmp_path):
    with_history, without = tmp_path / "h.onnx", tmp_path / "p.onnx"
    _export(trained["mlp"], with_history)
    _export(trained["mlp_dropout"], without)
    obs = np.random.default_rng(5).random((2, C.observation_size), dtype=np.float32)
    rt = BotRuntime(with_history, greedy=True)
    rt.act(["a", "b"], obs)
    rt.swap(without)
    assert rt.state_size == 1 and rt.act(["a", "b"], obs).shape == (2, 4)
    rt.swap(with_history)  # every agent starts afresh: no previous action yet
    fresh = BotRuntime(with_history, greedy=True)
    np.testing.assert_array_equal(rt.act(["a", "b"], obs), fresh.act(["a", "b"], obs))
    np.testing.assert_allclose(rt.last_logits[1], fresh.last_logits[1])
