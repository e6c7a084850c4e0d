"""`botsdk score`: agreement and NLL of an exported model on a dataset, through the torch-free runtime."""

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from botsdk.arena.contract import arena_contract
from botsdk.cli import build_app
from botsdk.dataset import Dataset
from botsdk.export.onnx_export import export_run
from botsdk.export.metadata import read_metadata
from botsdk.training.agreement import evaluate_tensors
from botsdk.training.api import train_run
from botsdk.training.checkpoint import load_run
from botsdk.training.config import TrainConfig
from botsdk.training.tensors import load_dataset_tensors
from fixtures.synthetic_dataset import write_synthetic_dataset

C = arena_contract()
SMALL = dict(max_steps=24, batch_size=64, eval_every=8, log_every=8, checkpoint_every=8, progress=False, threads=1,
             style_encoder=False, hidden_sizes=[32, 32], gru_hidden=16, style_embedding=8, window=0)


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("score")
    data = write_synthetic_dataset(root / "data", C, players_per_persona=1, episodes_per_player=2, steps=24)
    held = write_synthetic_dataset(root / "held", C, players_per_persona=1, episodes_per_player=2, steps=20, seed=7)
    out = {"data": data, "held": held}
    for kind in ("mlp", "gru"):
        train_run(data, root / kind, TrainConfig(model=kind, input_features="deltas", **SMALL))
        export_run(root / kind, root / f"{kind}.onnx")
        out[kind] = root / f"{kind}.onnx"
        out[f"{kind}_run"] = root / kind
    return out


def score(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(build_app(), ["score", *args])
    return result.exit_code, result.output


@pytest.mark.parametrize("kind", ["mlp", "gru"])
def test_scores_match_the_trained_models_own_evaluation(models, kind):
    code, out = score("--policy", str(models[kind]), "--data", str(models["held"]), "--json")
    assert code == 0, out
    result = json.loads(out)
    ds = Dataset.open(models["held"])
    assert result["episodes"] == len(ds.episodes) and result["steps"] == ds.total_steps
    # the torch model, every episode run from a zero state with its persona's style, must agree step for step
    loaded = load_run(models[f"{kind}_run"])
    expected = evaluate_tensors(loaded.policy, load_dataset_tensors(ds, [e.id for e in ds.episodes]))
    assert result["joint"]["agreement"] == pytest.approx(expected["agree_joint"], abs=2e-4)
    assert result["joint"]["nll"] == pytest.approx(expected["bc_loss"], abs=5e-4)
    for head in C.head_names:
        assert result["heads"][head]["agreement"] == pytest.approx(expected[f"agree_{head}"], abs=2e-4)
    assert sum(h["nll"] for h in result["heads"].values()) == pytest.approx(result["joint"]["nll"], abs=1e-3)
    assert set(result["by_style"]) == set(C.style.persona_names)
    assert sum(s["steps"] for s in result["by_style"].values()) == result["steps"]


def test_a_recurrent_model_is_scored_with_its_state_carried(models):
    """Scoring each step from a zero state gives another NLL: the state must run through the episode."""
    from botsdk.export.runtime import BotRuntime

    ds = Dataset.open(models["held"])
    rt = BotRuntime(models["gru"], greedy=True)
    nll = []
    for info in ds.episodes:
        ep = ds.episode(info.id)
        obs = np.ascontiguousarray(ep["observations"][: info.steps], np.float32)
        style = np.tile(np.asarray(C.style.persona(info.style), np.float32), (len(obs), 1))
        rt.act([f"row-{i}" for i in range(len(obs))], obs, style, np.ones(len(obs), bool))  # every step stateless
        for h, logits in enumerate(rt.last_logits):
            log_p = logits - np.log(np.exp(logits - logits.max(1, keepdims=True)).sum(1, keepdims=True)) \
                - logits.max(1, keepdims=True)
            nll.append(-log_p[np.arange(len(obs)), ep["actions"][:, h]])
    stateless = float(np.concatenate(nll).sum() / ds.total_steps)
    result = json.loads(score("--policy", str(models["gru"]), "--data", str(models["held"]), "--json")[1])
    assert abs(stateless - result["joint"]["nll"]) > 0.004, (stateless, result["joint"]["nll"])


def test_the_model_version_names_the_step_whose_weights_it_holds(models):
    loaded = load_run(models["gru_run"])
    version = read_metadata(models["gru"])["botsdk.model_version"]
    assert version.endswith(f"@step{loaded.weights_step}")
    assert loaded.weights_step in range(8, 25, 8)


def test_bad_input_is_named(models, tmp_path):
    code, out = score("--policy", str(tmp_path / "model.pt"), "--data", str(models["held"]))
    assert code == 2 and "expected a path ending in .onnx" in out
    code, out = score("--policy", str(models["mlp"]), "--data", str(tmp_path / "nowhere"))
    assert code == 2 and "expected a dataset directory" in out
    code, out = score("--policy", str(models["mlp"]), "--data", str(models["held"]))
    assert code == 0 and "joint" in out and "agreement" in out
