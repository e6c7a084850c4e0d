"""Policies and the style encoder follow the shapes in docs/interfaces.md; blends are linear in style space."""

import torch

from botsdk.arena.contract import arena_contract
from botsdk.training.config import TrainConfig
from botsdk.training.models import build_policy, sample_actions
from botsdk.training.style import StyleEncoder, actions_onehot, style_vector

CONTRACT = arena_contract()


HEADS = len(CONTRACT.head_sizes)


def _inputs(policy, batch=5):
    torch.manual_seed(0)
    previous = torch.full((batch, HEADS), -1) if policy.reads_previous_action else None
    return (torch.rand(batch, CONTRACT.observation_size), torch.rand(batch, CONTRACT.style.size),
            torch.zeros(batch, policy.state_size), previous)


def test_mlp_shapes_and_state_passthrough():
    policy = build_policy(CONTRACT, TrainConfig(hidden_sizes=[32, 16], action_history=False))
    assert policy.state_size == 1 and not policy.recurrent and not policy.reads_previous_action
    logits, state = policy(*_inputs(policy))
    assert [tuple(h.shape) for h in logits] == [(5, n) for n in CONTRACT.head_sizes]
    assert state.shape == (5, 1)


def test_mlp_with_action_history_keeps_the_history_memory_as_state():
    policy = build_policy(CONTRACT, TrainConfig(hidden_sizes=[32, 16])).eval()
    assert policy.reads_previous_action and policy.state_size == 2 * HEADS and not policy.recurrent
    obs, style, state, _ = _inputs(policy, batch=2)
    previous = torch.tensor([[1, 7, 0, 0], [1, 7, 0, 0]])
    logits, state = policy(obs, style, state, previous)
    assert state.tolist() == [[2.0, 8.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]] * 2  # the action + 1, held once
    _, again = policy(obs, style, state, previous)
    assert again[:, HEADS:].tolist() == [[2.0] * HEADS] * 2  # the same action again: held twice
    other = policy(obs, style, state, torch.tensor([[3, 7, 0, 0], [3, 7, 0, 0]]))[0]
    assert not torch.allclose(other[0], policy(obs, style, state, previous)[0][0])  # the history is read
    try:
        policy(obs, style, state)
    except ValueError as exc:
        assert "previous_action" in str(exc) and "-1 at an episode start" in str(exc)
    else:
        raise AssertionError("a history policy without previous_action must say what it expects")


def test_dropout_acts_while_training_only_and_adds_no_weights():
    policy = build_policy(CONTRACT, TrainConfig(hidden_sizes=[32, 16], dropout=0.5))
    inputs = _inputs(policy)
    torch.manual_seed(1)
    assert not torch.allclose(policy(*inputs)[0][0], policy(*inputs)[0][0])  # training: a new mask per call
    policy.eval()
    torch.testing.assert_close(policy(*inputs)[0][0], policy(*inputs)[0][0])
    plain = build_policy(CONTRACT, TrainConfig(hidden_sizes=[32, 16], dropout=0.0))
    assert list(policy.state_dict()) == list(plain.state_dict())  # runs with any rate load into each other


def test_gru_carries_state_and_matches_sequence_forward():
    from botsdk.training.history import recorded_history
    from botsdk.training.sight import sight_layout

    # with the sight clock (botsdk.training.sight), whose memory follows the history's
    policy = build_policy(CONTRACT, TrainConfig(model="gru", hidden_sizes=[32], gru_hidden=24,
                                                sight_timer=True)).eval()
    assert policy.state_size == 24 + 2 * HEADS + 2 and policy.recurrent
    obs = torch.rand(3, 6, CONTRACT.observation_size)
    style = torch.rand(3, CONTRACT.style.size)
    actions = torch.stack([torch.randint(0, 2, (3, 6)) for _ in CONTRACT.head_sizes], dim=-1)  # repeats likely
    history = recorded_history(actions.reshape(18, HEADS), obs.reshape(18, -1), torch.tensor([0, 6, 12]),
                               torch.tensor([6, 6, 6]), sight_layout(CONTRACT))
    seq_logits, seq_hidden = policy.forward_sequence(obs, style, torch.zeros(3, 24), history.reshape(3, 6, -1))
    state, previous = torch.zeros(3, policy.state_size), torch.full((3, HEADS), -1)
    for t in range(6):  # step-by-step use (the runtime's) equals the sequence form (training's)
        step_logits, state = policy(obs[:, t], style, state, previous)
        previous = actions[:, t]
        for h in range(len(step_logits)):
            torch.testing.assert_close(step_logits[h], seq_logits[h][:, t], atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(state[:, :24], seq_hidden)
    assert not torch.allclose(seq_logits[0][:, 0], seq_logits[0][:, 5])


def test_style_changes_output_and_blend_is_midpoint_in_embedding():
    policy = build_policy(CONTRACT, TrainConfig(hidden_sizes=[32]))
    a, b = style_vector(CONTRACT, "rusher"), style_vector(CONTRACT, "holder")
    mid = style_vector(CONTRACT, {"rusher": 1.0, "holder": 1.0})
    torch.testing.assert_close(mid, (a + b) / 2)
    torch.testing.assert_close(policy.style_proj(mid), (policy.style_proj(a) + policy.style_proj(b)) / 2)
    obs, _, state, previous = _inputs(policy, batch=1)
    la = policy(obs, a[None], state, previous)[0][0]
    lb = policy(obs, b[None], state, previous)[0][0]
    assert not torch.allclose(la, lb)


def test_encoder_signature_and_permutation_invariance():
    encoder = StyleEncoder(CONTRACT, TrainConfig(encoder_hidden=16))
    obs = torch.rand(10, CONTRACT.observation_size)
    actions = torch.stack([torch.randint(0, n, (10,)) for n in CONTRACT.head_sizes], dim=1)
    onehot = actions_onehot(actions, list(CONTRACT.head_sizes))
    assert onehot.shape == (10, sum(CONTRACT.head_sizes)) and torch.all(onehot.sum(1) == len(CONTRACT.head_sizes))
    style = encoder(obs, onehot)
    assert style.shape == (CONTRACT.style.size,)
    perm = torch.randperm(10)
    torch.testing.assert_close(encoder(obs[perm], onehot[perm]), style)


def test_sampling_is_seeded_and_greedy_is_argmax():
    logits = [torch.randn(4, n) for n in CONTRACT.head_sizes]
    greedy = sample_actions(logits, greedy=True)
    assert torch.equal(greedy[:, 1], logits[1].argmax(-1))
    draw = lambda: sample_actions(logits, torch.Generator().manual_seed(3))  # noqa: E731
    assert torch.equal(draw(), draw())


def test_mlp_checkpoints_from_before_the_shared_trunk_still_load():
    config = TrainConfig(hidden_sizes=[32, 16])
    torch.manual_seed(3)
    trained = build_policy(CONTRACT, config)
    def old_name(key):
        if key.startswith(("trunk.input.", "trunk.film.")):
            return key[len("trunk."):]
        return key.replace("trunk.layers.", "trunk.")
    old_state = {old_name(k): v for k, v in trained.state_dict().items()}
    assert "input.weight" in old_state and "trunk.0.weight" in old_state  # the layout earlier runs wrote
    fresh = build_policy(CONTRACT, config)
    fresh.load_state_dict(old_state)
    for (name, a), b in zip(trained.state_dict().items(), fresh.state_dict().values()):
        torch.testing.assert_close(a, b, msg=name)
