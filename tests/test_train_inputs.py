"""What a policy's first layer reads: the observation raw, standardized, or with what changed since the last frame."""

import pytest
import torch

from botsdk.arena.contract import SELF_FIELDS, arena_contract
from training.config import ConfigError, TrainConfig
from training.inputs import InputFeatures, angle_pairs
from training.models import build_policy

C = arena_contract()
FRAME = C.frame_size


def test_deltas_are_the_newest_frame_minus_the_previous_one():
    features = InputFeatures(C, "deltas")
    obs = torch.rand(4, C.observation_size)
    expanded = features.expand(obs)
    assert expanded.shape == (4, C.observation_size + FRAME)
    torch.testing.assert_close(expanded[:, C.observation_size:], obs[:, FRAME:] - obs[:, :FRAME])


def test_angle_deltas_are_the_wrapped_turn_of_each_sin_cos_pair():
    pairs = angle_pairs(C)
    names = {i: n for n, i in ((n, C.block_slice("self").start + SELF_FIELDS.index(n)) for n in SELF_FIELDS)}
    assert (C.block_slice("self").start + SELF_FIELDS.index("heading_sin"),
            C.block_slice("self").start + SELF_FIELDS.index("heading_cos")) in pairs and len(pairs) == 2
    assert all(names.get(s, "enemy_bearing_sin").endswith("_sin") for s, _ in pairs)
    features = InputFeatures(C, "deltas_angles")
    before, after = torch.tensor([179.0, 10.0, -3.0]), torch.tensor([-178.0, 13.0, -1.0])  # degrees
    obs = torch.zeros(3, C.observation_size)
    for (si, ci), frame, angle in ((pairs[0], 0, before), (pairs[0], 1, after)):
        obs[:, frame * FRAME + si] = torch.sin(torch.deg2rad(angle))
        obs[:, frame * FRAME + ci] = torch.cos(torch.deg2rad(angle))
    turned = torch.rad2deg(features.expand(obs)[:, -len(pairs)])
    torch.testing.assert_close(turned, torch.tensor([3.0, 3.0, 2.0]), atol=1e-3, rtol=0)


def test_fit_standardizes_every_varying_feature_and_leaves_constant_ones_alone():
    features = InputFeatures(C, "deltas")
    torch.manual_seed(0)
    obs = torch.rand(5000, C.observation_size) * 0.01 + 3.0  # tiny spread: what small turns and steps look like
    obs[:, 7] = 0.5  # a feature that never varies (in both frames, so its delta never varies either)
    obs[:, FRAME + 7] = 0.5
    features.fit(obs, chunk=777)  # chunking gives the same statistics as one pass
    out = features(obs)
    varying = torch.ones(out.shape[1], dtype=torch.bool)
    varying[[7, FRAME + 7, C.observation_size + 7]] = False
    torch.testing.assert_close(out[:, varying].mean(0), torch.zeros(int(varying.sum())), atol=1e-3, rtol=0)
    torch.testing.assert_close(out[:, varying].std(0), torch.ones(int(varying.sum())), atol=1e-2, rtol=0)
    assert features.scale[7] == 1.0 and features.scale[C.observation_size + 7] == 1.0
    obs[0, 3] = 1000.0  # a rare event far outside the spread is held at the clip
    assert features(obs)[0, 3] == features.clip == 10.0


def test_raw_inputs_pass_through_and_fit_changes_nothing():
    features = InputFeatures(C, "raw")
    obs = torch.rand(10, C.observation_size)
    features.fit(obs)
    assert torch.equal(features(obs), obs) and features.out_features == C.observation_size


def test_trainer_statistics_travel_in_the_state_dict():
    config = TrainConfig(model="gru", hidden_sizes=[16], gru_hidden=8, input_features="standardized")
    policy = build_policy(C, config)
    policy.trunk.features.fit(torch.rand(100, C.observation_size) * 5)
    again = build_policy(C, config)
    again.load_state_dict(policy.state_dict())
    assert torch.equal(again.trunk.features.scale, policy.trunk.features.scale)


def test_an_unknown_input_kind_is_refused_with_the_choices():
    with pytest.raises(ConfigError, match="input_features.*deltas"):
        TrainConfig(input_features="delta")
