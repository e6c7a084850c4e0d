"""The torch-free runtime on synthetic ONNX policies: state per agent, sampling, decoding, swap, bad input."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

from botsdk.arena.contract import arena_contract
from botsdk.contract import BehaviourContract, IncompatibleContractError, StyleSpec
from botsdk.export.metadata import output_names
from botsdk.export.runtime import BotRuntime, RuntimeInputError, StyleEncoderRuntime, UnknownAgentError
from botsdk.export.sampling import HeadSampler
from fixtures.synthetic_model import make_random_policy_onnx, make_random_style_encoder_onnx

ROOT = Path(__file__).resolve().parents[1]
C = arena_contract()
O, S = C.observation_size, C.style.size


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("rt")
    return {"mlp": make_random_policy_onnx(C, d / "mlp.onnx", recurrent=False, seed=1),
            "gru": make_random_policy_onnx(C, d / "gru.onnx", recurrent=True, seed=2),
            "gru_b": make_random_policy_onnx(C, d / "gru_b.onnx", recurrent=True, seed=3, state_size=8),
            "style": make_random_style_encoder_onnx(C, d / "mlp.style.onnx", seed=4), "dir": d}


def _obs(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).random((n, O), dtype=np.float32)


def _bare_logits(path: Path, obs: np.ndarray, style: np.ndarray, state: np.ndarray) -> list[np.ndarray]:
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(output_names(C), {"obs": obs, "style": style, "state_in": state})


def test_importing_and_running_the_runtime_leaves_torch_unloaded(models):
    code = ("import sys, numpy as np\nfrom botsdk.export.runtime import BotRuntime\n"
            f"rt = BotRuntime({str(models['gru'])!r})\n"
            f"rt.act(['a'], np.zeros((1, {O}), np.float32))\n"
            "assert 'torch' not in sys.modules, 'torch was imported'\nprint('ok')")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def test_greedy_actions_are_the_argmax_of_bare_onnxruntime(models):
    obs, style = _obs(5), np.tile(C.style.persona("holder"), (5, 1)).astype(np.float32)
    rt = BotRuntime(models["gru"], greedy=True)
    actions = rt.act([f"a{i}" for i in range(5)], obs, style)
    logits = _bare_logits(models["gru"], obs, style, np.zeros((5, rt.state_size), np.float32))
    assert actions.dtype == np.int64 and actions.shape == (5, 4)
    np.testing.assert_array_equal(actions, np.stack([l.argmax(1) for l in logits[:4]], axis=1))


def test_recurrent_state_is_per_agent_and_resets_on_episode_start(models):
    rt = BotRuntime(models["gru"], greedy=True)
    solo = BotRuntime(models["gru"], greedy=True)
    obs = _obs(3, 1)
    for step in range(3):  # agent "b" alone vs inside a batch (in another position) must see the same state
        rt.act(["a", "b", "c"], obs)
        batched = rt.last_logits
        solo.act(["b"], obs[1:2])
        np.testing.assert_allclose(batched[0][1], solo.last_logits[0][0], atol=1e-6)
    first = BotRuntime(models["gru"], greedy=True)
    first.act(["b"], obs[1:2])
    assert not np.allclose(rt.last_logits[0][1], first.last_logits[0][0])  # state changed the logits
    rt.act(["c", "b"], obs[[2, 1]], episode_start=np.array([False, True]))
    np.testing.assert_allclose(rt.last_logits[0][1], first.last_logits[0][0], atol=1e-6)
    rt.reset(["b"])
    rt.act(["b"], obs[1:2])
    np.testing.assert_allclose(rt.last_logits[0][0], first.last_logits[0][0], atol=1e-6)


def test_end_forgets_an_agent_and_unknown_agents_are_named(models):
    rt = BotRuntime(models["gru"])
    rt.act(["a", "b"], _obs(2))
    rt.end(["a"])
    assert rt.agents == ["b"]
    with pytest.raises(UnknownAgentError, match=r"unknown agent\(s\) \['ghost'\].*known agents: b"):
        rt.reset(["ghost"])
    with pytest.raises(UnknownAgentError, match="'a'"):
        rt.end(["a"])


def test_same_seed_same_actions_and_sampling_follows_the_softmax(models):
    obs = np.repeat(_obs(1, 3), 4000, axis=0)
    ids = [f"a{i}" for i in range(4000)]
    a1 = BotRuntime(models["mlp"], seed=7).act(ids, obs)
    a2 = BotRuntime(models["mlp"], seed=7).act(ids, obs)
    a3 = BotRuntime(models["mlp"], seed=8).act(ids, obs)
    np.testing.assert_array_equal(a1, a2)
    assert (a1 != a3).any()
    rt = BotRuntime(models["mlp"], seed=7, temperature=2.0)
    actions = rt.act(ids, obs)
    probs = rt.probabilities()
    for h, n in enumerate(C.head_sizes):
        freq = np.bincount(actions[:, h], minlength=n) / len(actions)
        assert np.abs(freq - probs[h][0]).max() < 0.03, (h, freq, probs[h][0])  # ~4 sigma at 4000 draws


def test_temperature_sharpens_and_greedy_is_deterministic(models):
    obs = np.repeat(_obs(1, 5), 2000, axis=0)
    ids = list(range(2000))
    greedy = BotRuntime(models["mlp"], greedy=True).act(ids, obs)
    assert (greedy == greedy[0]).all()
    cold = BotRuntime(models["mlp"], temperature=0.05).act(ids, obs)
    hot = BotRuntime(models["mlp"], temperature=5.0).act(ids, obs)
    assert (cold == greedy).mean() > (hot == greedy).mean()
    with pytest.raises(ValueError, match="temperature must be"):
        BotRuntime(models["mlp"], temperature=0.0)


def test_decode_maps_indices_through_the_value_tables(models):
    rt = BotRuntime(models["mlp"])
    decoded = rt.decode(np.array([[3, 14, 1, 0], [0, 0, 0, 1]]))
    assert decoded[0] == {"move": C.head("move").values[3], "turn": 120.0, "fire": 1, "interact": 0}
    assert decoded[1]["turn"] == -120.0 and decoded[1]["interact"] == 1
    with pytest.raises(RuntimeInputError, match=r"outside head 'turn' \(expected 0..14\)"):
        rt.decode(np.array([[0, 15, 0, 0]]))


@pytest.mark.parametrize("bad, pattern", [
    (np.zeros((1, O - 1), np.float32), rf"expected float32\[batch, {O}\] = 2 frame\(s\).*rays 224 \+ self 13.*"
                                       rf"got float32\[1, {O - 1}\]"),
    (np.zeros((1, O), np.float64), r"got float64\[1, 484\]"),
    (np.zeros(O, np.float32), r"got float32\[484\]"),
    ([0.0] * O, r"got list"),
])
def test_bad_observations_name_the_expected_layout(models, bad, pattern):
    with pytest.raises(RuntimeInputError, match=pattern):
        BotRuntime(models["mlp"]).act(["a"], bad)


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_non_finite_observations_are_located(models, value):
    obs = _obs(2)
    obs[1, 237 + 230] = value  # second frame, self block
    with pytest.raises(RuntimeInputError, match=r"obs\[1, 467\] is .*frame 1, block 'self'"):
        BotRuntime(models["mlp"]).act(["a", "b"], obs)


def test_bad_style_ids_and_starts(models):
    rt = BotRuntime(models["mlp"])
    with pytest.raises(RuntimeInputError, match=r"style: expected float32\[batch, 8\] or float32\[8\]"):
        rt.act(["a"], _obs(1), np.zeros((1, 7), np.float32))
    with pytest.raises(RuntimeInputError, match="style.*not finite"):
        rt.act(["a"], _obs(1), np.full(8, np.nan, np.float32))
    with pytest.raises(RuntimeInputError, match=r"one id per obs row \(2\), got 1"):
        rt.act(["a"], _obs(2))
    with pytest.raises(ValueError, match="unique"):
        rt.act(["a", "a"], _obs(2))
    with pytest.raises(RuntimeInputError, match=r"episode_start: expected bool\[1\]"):
        rt.act(["a"], _obs(1), episode_start=np.array([1]))


def test_style_for_personas_blends_and_vectors(models):
    rt = BotRuntime(models["mlp"])
    np.testing.assert_array_equal(rt.style_for("rusher"), np.eye(8, dtype=np.float32)[0])
    np.testing.assert_allclose(rt.style_for({"rusher": 1, "holder": 3}), [0.25, 0.75, 0, 0, 0, 0, 0, 0])
    with pytest.raises(KeyError, match="unknown persona 'sniper'"):
        rt.style_for("sniper")
    one_style = rt.act(["a", "b"], _obs(2), rt.style_for("explorer"))  # a 1-D style is broadcast
    assert one_style.shape == (2, 4)


def test_swap_accepts_compatible_models_and_refuses_others(models, tmp_path):
    rt = BotRuntime(models["gru"], greedy=True)
    rt.act(["a"], _obs(1))
    rt.swap(models["gru_b"])  # same contract, other state width: agents restart from zeros
    assert rt.state_size == 8 and rt.path == models["gru_b"]
    rt.act(["a"], _obs(1))
    fresh = BotRuntime(models["gru_b"], greedy=True)
    fresh.act(["a"], _obs(1))
    np.testing.assert_allclose(rt.last_logits[0], fresh.last_logits[0], atol=1e-6)
    other = BehaviourContract(**{**C.__dict__, "style": StyleSpec(4, ())})
    bad = make_random_policy_onnx(other, tmp_path / "other.onnx")
    with pytest.raises(IncompatibleContractError, match=r"style.size: new model other.onnx has 4, running model "
                                                        r"gru_b.onnx has 8"):
        rt.swap(bad)
    assert rt.path == models["gru_b"]  # nothing changed


def test_a_file_without_a_contract_is_refused(models, tmp_path):
    import onnx

    model = onnx.load(str(models["mlp"]))
    del model.metadata_props[:]
    onnx.save(model, str(tmp_path / "bare.onnx"))
    with pytest.raises(ValueError, match="no behaviour contract in the ONNX metadata.*'botsdk.contract'"):
        BotRuntime(tmp_path / "bare.onnx")


def test_style_encoder_runtime_matches_bare_session(models):
    enc = StyleEncoderRuntime(models["style"])
    obs, actions = _obs(6), np.array([[1, 2, 0, 1]] * 6)
    style = enc.encode(obs, actions)
    onehot = np.zeros((6, 28), np.float32)
    onehot[:, [1, 9 + 2, 24 + 0, 26 + 1]] = 1.0
    ref = ort.InferenceSession(str(models["style"])).run(None, {"obs": obs, "actions_onehot": onehot})[0]
    assert style.shape == (8,) and style.dtype == np.float32
    np.testing.assert_allclose(style, ref[0], atol=1e-6)
    with pytest.raises(RuntimeInputError, match=r"actions: expected int64\[6, 4\]"):
        enc.encode(obs, actions[:, :3])


def test_head_sampler_batches_match_a_single_stream():
    """Noise is consumed row by row: one call of 6 rows equals six calls of one row."""
    logits = [np.random.default_rng(0).normal(size=(6, n)).astype(np.float32) for n in (9, 15, 2, 2)]
    batched = HeadSampler((9, 15, 2, 2), seed=3).sample(logits)
    single = HeadSampler((9, 15, 2, 2), seed=3)
    rows = np.concatenate([single.sample([l[i:i + 1] for l in logits]) for i in range(6)])
    np.testing.assert_array_equal(batched, rows)


def test_large_batches_bound_in_place_match_bare_onnxruntime_and_reject_nan(models):
    rt = BotRuntime(models["gru"], greedy=True)
    obs, style = _obs(300, 9), np.zeros((300, S), np.float32)
    ids = [f"a{i}" for i in range(300)]
    for step in range(2):  # the same array object again, new contents: the bound pointer must see them
        obs[:] = _obs(300, 10 + step)
        actions = rt.act(ids, obs, style, episode_start=np.full(300, True))
        logits = _bare_logits(models["gru"], obs, style, np.zeros((300, rt.state_size), np.float32))
        np.testing.assert_array_equal(actions, np.stack([l.argmax(1) for l in logits[:4]], axis=1))
    obs[299, 3] = np.nan
    with pytest.raises(RuntimeInputError, match=r"obs\[299, 3\] is nan \(frame 0, block 'rays'\)"):
        rt.act([f"new{i}" for i in range(300)], obs)
    assert not any(str(a).startswith("new") for a in rt.agents)  # a refused call registers nobody


def test_the_runtime_samples_at_the_models_evaluated_temperature(tmp_path) -> None:
    import onnx

    from botsdk.arena import arena_contract
    from botsdk.export.metadata import KEY_SAMPLING_TEMPERATURE

    plain = make_random_policy_onnx(arena_contract(), tmp_path / "plain.onnx")
    assert BotRuntime(plain).temperature == 1.0
    model = onnx.load(str(plain))
    onnx.helper.set_model_props(model, {**{p.key: p.value for p in model.metadata_props},
                                        KEY_SAMPLING_TEMPERATURE: "0.7"})
    onnx.save(model, str(tmp_path / "tuned.onnx"))
    assert BotRuntime(tmp_path / "tuned.onnx").temperature == 0.7
    assert BotRuntime(tmp_path / "tuned.onnx", temperature=1.3).temperature == 1.3


def test_head_temperatures_override_the_models_temperature_per_head(tmp_path) -> None:
    import onnx

    from botsdk.arena import arena_contract
    from botsdk.export.metadata import KEY_HEAD_TEMPERATURES, KEY_SAMPLING_TEMPERATURE

    contract = arena_contract()
    plain = make_random_policy_onnx(contract, tmp_path / "plain.onnx")

    def with_props(name: str, props: dict) -> Path:
        model = onnx.load(str(plain))
        onnx.helper.set_model_props(model, {**{p.key: p.value for p in model.metadata_props}, **props})
        onnx.save(model, str(tmp_path / name))
        return tmp_path / name

    tuned = with_props("tuned.onnx", {KEY_SAMPLING_TEMPERATURE: "1.0", KEY_HEAD_TEMPERATURES: '{"turn": 0.5}'})
    rt = BotRuntime(tuned)
    turn = contract.head_names.index("turn")
    assert rt.temperature == 1.0
    assert rt.temperatures == tuple(0.5 if i == turn else 1.0 for i in range(len(contract.head_names)))
    assert BotRuntime(tuned, temperature=1.3).temperatures == (1.3,) * len(contract.head_names)
    rng = np.random.default_rng(0)
    obs = rng.random((64, contract.observation_size), dtype=np.float32)
    rt.act([f"a{i}" for i in range(64)], obs)
    logits, probs = rt.last_logits, rt.probabilities()
    for head, (z, p) in enumerate(zip(logits, probs)):
        scaled = np.exp((z - z.max(1, keepdims=True)) / rt.temperatures[head])
        np.testing.assert_allclose(p, scaled / scaled.sum(1, keepdims=True), rtol=1e-4, atol=1e-6)
    for bad, fragment in (('{"trun": 0.5}', "head names"), ('{"turn": -1}', "finite number"), ("[0.5]", "JSON")):
        with pytest.raises(ValueError, match=fragment):
            BotRuntime(with_props("bad.onnx", {KEY_HEAD_TEMPERATURES: bad}))


def test_a_head_at_a_lower_temperature_samples_its_mode_more_often() -> None:
    from botsdk.export.sampling import HeadSampler

    logits = [np.tile(np.log(np.array([[0.5, 0.3, 0.2]], np.float32)), (20000, 1))] * 2
    sampler = HeadSampler((3, 3), seed=0, temperature=(1.0, 0.5))
    actions = sampler.sample(logits)
    share = (actions == 0).mean(axis=0)
    sharp = np.array([0.5, 0.3, 0.2]) ** 2
    assert abs(share[0] - 0.5) < 0.015 and abs(share[1] - sharp[0] / sharp.sum()) < 0.015
    with pytest.raises(ValueError, match="one per head"):
        HeadSampler((3, 3), temperature=(1.0, 0.5, 0.2))
    with pytest.raises(ValueError, match="finite number"):
        HeadSampler((3, 3), temperature=(1.0, 0.0))
