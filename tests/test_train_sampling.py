"""What a recurrent policy trains on (windows with burn-in, or whole episodes from their first step) and how it is
validated (whole episodes, several per call)."""

import numpy as np
import pytest
import torch

from botsdk.arena.contract import arena_contract
from botsdk.training.config import ConfigError, TrainConfig
from botsdk.training.models import build_policy
from botsdk.training.objective import BCObjective
from botsdk.training.sampling import BatchSampler
from botsdk.training.tensors import build_tensors

CONTRACT = arena_contract()
LENGTHS = (7, 12, 5, 9)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    episodes = []
    for length in LENGTHS:
        obs = rng.random((length, CONTRACT.observation_size), dtype=np.float32)
        obs[:, 0] = np.arange(length)  # a row's step within its episode, to check what the batches hold
        actions = np.stack([rng.integers(0, n, length) for n in CONTRACT.head_sizes], axis=1)
        episodes.append({"observations": obs, "actions": actions})
    styles = ["rusher", "holder", "rusher", "explorer"]
    return build_tensors(CONTRACT, episodes, styles, groups=["a", "b", "a", "c"])


def _config(**changes):
    return TrainConfig(model="gru", style_encoder=False, hidden_sizes=[16], gru_hidden=8, style_embedding=4,
                       **changes)


def test_whole_episode_batches_start_at_step_zero_and_mask_padding(data):
    sampler = BatchSampler(data, _config(window=0, batch_size=3), recurrent=True)
    seen = []
    for step in range(8):
        batch = sampler.batch(step)
        weight = batch["loss_weight"]
        assert batch["obs"].shape[:2] == weight.shape and batch["obs"].shape[0] == 3
        for row, mask in zip(batch["obs"], weight):
            length = int(mask.sum())
            assert length in LENGTHS and bool(mask[:length].all()) and not bool(mask[length:].any())
            torch.testing.assert_close(row[:length, 0], torch.arange(length, dtype=torch.float32))
            seen.append(length)
    assert set(seen) == set(LENGTHS)  # every episode is drawn


def test_burn_in_masks_the_first_steps_unless_the_window_starts_its_episode(data):
    sampler = BatchSampler(data, _config(window=5, burn_in=2, batch_size=16), recurrent=True)
    batch = sampler.batch(0)
    first_step = batch["obs"][:, 0, 0]
    for weight, step in zip(batch["loss_weight"], first_step):
        expected = [1.0] * 5 if step == 0 else [0.0, 0.0, 1.0, 1.0, 1.0]
        assert weight.tolist() == expected
    assert bool((first_step == 0).any()) and bool((first_step > 0).any())


def test_the_loss_ignores_masked_steps(data):
    config = _config(window=0, batch_size=2)
    torch.manual_seed(0)
    objective = BCObjective(build_policy(CONTRACT, config), None, config).eval()  # no dropout: same net twice
    batch = BatchSampler(data, config, recurrent=True).batch(0)
    loss, _ = objective(batch)
    scrambled = dict(batch, actions=batch["actions"].clone())
    scrambled["actions"][batch["loss_weight"] == 0] = 0  # padding targets change: the loss must not
    torch.testing.assert_close(objective(scrambled)[0], loss)


@pytest.mark.parametrize("changes,fragment", [
    (dict(window=-1), "window"), (dict(window=4, burn_in=4), "burn_in"), (dict(burn_in=-1), "burn_in"),
])
def test_bad_window_settings_are_named(changes, fragment):
    with pytest.raises(ConfigError, match=fragment):
        _config(**changes)


def test_validation_logits_of_padded_episode_batches_equal_one_episode_at_a_time(data):
    from botsdk.training.agreement import policy_logits

    torch.manual_seed(1)
    policy = build_policy(CONTRACT, _config(window=0)).eval()
    with torch.no_grad():
        batched = policy_logits(policy, data.obs, data.style, data.episode_start, data.episode_length,
                                data.history, episodes_per_call=3)
        for start, length in zip(data.episode_start.tolist(), data.episode_length.tolist()):
            alone = policy.forward_sequence(data.obs[start:start + length][None], data.style[start:start + 1],
                                            torch.zeros(1, policy.gru_size),
                                            data.history[start:start + length][None])[0]
            for head, reference in zip(batched, alone):
                torch.testing.assert_close(head[start:start + length], reference[0], atol=1e-5, rtol=1e-5)


def _episodes(lengths, width=None):
    rng = np.random.default_rng(1)
    return [{"observations": rng.random((n + 1, width or CONTRACT.observation_size), dtype=np.float32),
             "actions": np.zeros((n, len(CONTRACT.head_sizes)), dtype=np.int64)} for n in lengths]


def test_lazy_episodes_with_known_lengths_fill_the_same_rows():
    episodes, styles, groups = _episodes(LENGTHS), ["rusher"] * 4, ["a", "b", "a", "c"]
    eager = build_tensors(CONTRACT, episodes, styles, groups)
    lazy = build_tensors(CONTRACT, (e for e in episodes), styles, groups, lengths=list(LENGTHS))
    assert torch.equal(eager.obs, lazy.obs) and torch.equal(eager.actions, lazy.actions)
    assert torch.equal(eager.obs[:7], torch.from_numpy(episodes[0]["observations"][:7]))  # the last frame has no action
    assert eager.episode_start.tolist() == [0, 7, 19, 24]


def test_episodes_of_the_wrong_shape_or_length_are_named():
    with pytest.raises(ValueError, match=rf"episode 0 observations: expected \[steps, {CONTRACT.observation_size}\]"
                                         r".*got shape \[8, 3\]"):
        build_tensors(CONTRACT, _episodes([7], width=3), ["rusher"], ["a"])
    with pytest.raises(ValueError, match="episode 1: expected 10 actions .* got 12 actions"):
        build_tensors(CONTRACT, _episodes([7, 12]), ["rusher"] * 2, ["a", "b"], lengths=[7, 10])
    bad = _episodes([7])
    bad[0]["actions"][3, 1] = CONTRACT.head_sizes[1]
    with pytest.raises(ValueError, match=rf"action head 'turn': expected indices in \[0, {CONTRACT.head_sizes[1]}\)"):
        build_tensors(CONTRACT, bad, ["rusher"], ["a"])
