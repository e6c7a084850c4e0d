"""What a policy's first layer reads: the observation raw, standardized, with what changed since the last frame, and
the position at several octaves or through a learned grid of place features."""

import pytest
import torch

import math
from dataclasses import replace

from botsdk.arena.contract import arena_contract
from botsdk.training.config import ConfigError, TrainConfig
from botsdk.training.inputs import InputFeatures, PositionGrid
from botsdk.training.models import build_policy

C = arena_contract()
FRAME = C.frame_size


def test_deltas_are_the_newest_frame_minus_the_previous_one():
    features = InputFeatures(C, "deltas")
    obs = torch.rand(4, C.observation_size)
    expanded = features.expand(obs)
    assert expanded.shape == (4, C.observation_size + FRAME)
    torch.testing.assert_close(expanded[:, C.observation_size:], obs[:, FRAME:] - obs[:, :FRAME])


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


def test_position_octaves_are_sin_and_cos_of_the_newest_position():
    features = InputFeatures(C, "raw", position_octaves=3)
    newest = C.observation_size - FRAME
    x_index, y_index = features.position_index
    names = [f for b in C.observation for f in (b.fields or ("",) * b.size)]
    assert names[x_index - newest] == "position_x" and names[y_index - newest] == "position_y"
    obs = torch.zeros(2, C.observation_size)
    obs[:, x_index], obs[:, y_index] = torch.tensor([0.25, 0.6]), torch.tensor([0.5, 0.1])
    obs[:, x_index - FRAME] = 0.9  # the older frame's position is not encoded
    out = features(obs)
    assert out.shape == (2, C.observation_size + 12) and torch.equal(out[:, :C.observation_size], obs)
    for row, (x, y) in enumerate([(0.25, 0.5), (0.6, 0.1)]):
        angles = [math.pi * 2 ** k * v for v in (x, y) for k in range(3)]
        expected = [math.sin(a) for a in angles] + [math.cos(a) for a in angles]
        torch.testing.assert_close(out[row, C.observation_size:], torch.tensor(expected), atol=1e-5, rtol=0)


def test_position_octaves_need_position_fields_and_a_sane_count():
    blocks = tuple(replace(b, fields=()) for b in C.observation)
    with pytest.raises(ValueError, match="position_x.*missing"):
        InputFeatures(replace(C, observation=blocks), "raw", position_octaves=2)
    with pytest.raises(ConfigError, match="position_encoding.*got -1"):
        TrainConfig(position_encoding=-1)


def test_aim_octaves_are_sin_and_cos_of_the_newest_fine_aim_after_the_position_ones():
    features = InputFeatures(C, "raw", position_octaves=1, aim_octaves=4)
    newest = C.observation_size - FRAME
    names = [f for b in C.observation for f in (b.fields or ("",) * b.size)]
    assert names[features.aim_index - newest] == "enemy_aim"
    obs = torch.zeros(3, C.observation_size)
    obs[:, features.aim_index] = torch.tensor([0.0, 0.1, -0.7])
    obs[:, features.aim_index - FRAME] = 0.5  # the older frame's aim is not encoded
    out = features(obs)
    assert out.shape == (3, C.observation_size + 8 + 4) == (3, features.out_features)
    for row, aim in enumerate([0.0, 0.1, -0.7]):
        assert_octaves(out[row, C.observation_size:C.observation_size + 8], aim, 4)


@pytest.mark.parametrize("key, argument, field", [("aim_encoding", "aim_octaves", "enemy_aim"),
                                                  ("distance_encoding", "distance_octaves", "enemy_distance")])
def test_field_octaves_need_their_field_and_a_sane_count(key: str, argument: str, field: str):
    blocks = tuple(replace(b, fields=()) for b in C.observation)
    with pytest.raises(ValueError, match=f"{key}.*{field}"):
        InputFeatures(replace(C, observation=blocks), "raw", **{argument: 2})
    with pytest.raises(ConfigError, match=f"{key}.*got 13"):
        TrainConfig(**{key: 13})
    assert build_policy(C, TrainConfig(**{key: 3})).trunk.features.out_features == C.observation_size + 6


def test_position_grid_reads_its_corners_exactly_and_interpolates_between_them():
    grid = PositionGrid(cells=3, channels=2)
    table = grid.table.detach().view(3, 3, 2)  # [row y, column x, channel]
    at = lambda x, y: grid(torch.tensor([[x, y]]))[0].detach()  # noqa: E731
    torch.testing.assert_close(at(0.0, 0.0), table[0, 0])
    torch.testing.assert_close(at(1.0, 0.5), table[1, 2])
    torch.testing.assert_close(at(0.25, 1.0), (table[2, 0] + table[2, 1]) / 2)
    torch.testing.assert_close(at(1.7, -3.0), table[0, 2])  # off the map: the nearest edge
    grid(torch.tensor([[0.1, 0.9]])).sum().backward()
    touched = (grid.table.grad.abs().sum(1) > 0).nonzero().flatten().tolist()
    assert touched == [3, 4, 6, 7]  # the four corners around (0.1, 0.9): rows 1-2, columns 0-1


def test_position_grid_features_follow_the_newest_position_and_sizes_are_checked():
    features = InputFeatures(C, "raw", grid_cells=4, grid_channels=5)
    x_index, y_index = features.position_index
    obs = torch.zeros(2, C.observation_size)
    obs[:, x_index], obs[:, y_index] = torch.tensor([0.0, 1.0]), torch.tensor([0.0, 1.0])
    out = features(obs)
    assert out.shape == (2, C.observation_size + 5) == (2, features.out_features)
    torch.testing.assert_close(out[:, C.observation_size:], features.grid.table.detach()[[0, 15]])
    with pytest.raises(ConfigError, match="position_grid.*got 1"):
        TrainConfig(position_grid=1)
    with pytest.raises(ConfigError, match="position_grid_channels.*got 0"):
        TrainConfig(position_grid_channels=0)
    policy = build_policy(C, TrainConfig(model="gru", position_grid=6, position_grid_channels=4))
    assert policy.trunk.features.grid.table.shape == (36, 4)


def test_distance_octaves_are_sin_and_cos_of_the_newest_enemy_distance_after_the_aim_ones():
    features = InputFeatures(C, "raw", aim_octaves=2, distance_octaves=3)
    newest = C.observation_size - FRAME
    names = [f for b in C.observation for f in (b.fields or ("",) * b.size)]
    assert names[features.distance_index - newest] == "enemy_distance"
    obs = torch.zeros(2, C.observation_size)
    obs[:, features.distance_index] = torch.tensor([1.0, 5.0 / 30.0])  # none seen; the rusher's 5 m
    obs[:, features.distance_index - FRAME] = 0.5  # the older frame's distance is not encoded
    out = features(obs)
    assert out.shape == (2, C.observation_size + 4 + 6) == (2, features.out_features)
    for row, distance in enumerate([1.0, 5.0 / 30.0]):
        assert_octaves(out[row, C.observation_size + 4:], distance, 3)


def assert_octaves(features: torch.Tensor, value: float, octaves: int) -> None:
    """`features` are sin, then cos, of `value` at pi * 2^k, k < octaves."""
    angles = [math.pi * 2 ** k * value for k in range(octaves)]
    expected = [math.sin(a) for a in angles] + [math.cos(a) for a in angles]
    torch.testing.assert_close(features, torch.tensor(expected), atol=1e-5, rtol=0)
