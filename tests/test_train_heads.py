"""Heads over numbered options as a mixture of discretised Gaussians (botsdk.training.heads)."""

import math

import pytest
import torch

from botsdk.arena.contract import TURN_DEGREES, arena_contract
from botsdk.training.answer import answer_layout
from botsdk.training.config import ConfigError, TrainConfig
from botsdk.training.heads import HeadShapes, OrdinalMixture, ordinal_values
from botsdk.training.models import build_policy

CONTRACT = arena_contract()
TURN = CONTRACT.head_names.index("turn")


def test_only_heads_over_enough_ascending_numbers_are_shaped():
    assert ordinal_values(TURN_DEGREES) == [float(v) for v in TURN_DEGREES]
    assert ordinal_values((0, 1)) is None                      # fire: too few options
    assert ordinal_values(((0.0, 1.0),) * 9) is None           # move: pairs, not numbers
    assert ordinal_values((3, 1, 2, 4, 5)) is None             # not ascending
    assert ordinal_values((True, False, 1, 2, 3)) is None
    shapes = HeadShapes(CONTRACT, components=3)
    assert list(shapes.mixtures) == [str(CONTRACT.head_names.index("turn"))]
    assert HeadShapes(CONTRACT, components=0).raw_sizes == list(CONTRACT.head_sizes)


@pytest.mark.parametrize("leading", [(5,), (2, 3), (0,)])
def test_the_mixture_gives_log_probabilities_on_any_leading_shape(leading):
    mixture = OrdinalMixture(TURN_DEGREES, components=3)
    out = mixture(torch.randn(*leading, mixture.raw_size) * 3)
    assert out.shape == (*leading, len(TURN_DEGREES))
    torch.testing.assert_close(out.exp().sum(-1), torch.ones(leading), atol=1e-4, rtol=0)


def test_one_component_is_a_gaussian_over_the_option_values():
    mixture = OrdinalMixture(TURN_DEGREES, components=1)
    n = len(TURN_DEGREES)
    raw = torch.zeros(mixture.raw_size)
    raw[n:n + 2] = torch.tensor([20.0, -20.0])       # all weight on the component, none on the free logits
    raw[n + 2] = 5.0 / mixture.mu_scale               # intended turn 5 degrees
    raw[n + 3] = 0.0                                  # sigma = floor + range / 2
    sigma = mixture.sigma_floor + 0.5 * mixture.sigma_range
    expected = torch.softmax(torch.tensor([-0.5 * ((v - 5.0) / sigma) ** 2 for v in TURN_DEGREES]), dim=0)
    torch.testing.assert_close(mixture(raw).exp(), expected, atol=1e-5, rtol=1e-4)


def test_the_free_logits_keep_any_distribution_reachable():
    mixture = OrdinalMixture(TURN_DEGREES, components=2)
    n = len(TURN_DEGREES)
    target = torch.softmax(torch.randn(n) * 2, dim=0)
    raw = torch.zeros(mixture.raw_size)
    raw[:n] = target.log()
    raw[n:n + 3] = torch.tensor([-20.0, -20.0, 20.0])  # all weight on the free logits
    torch.testing.assert_close(mixture(raw).exp(), target, atol=1e-5, rtol=1e-4)


def test_a_shaped_head_learns_an_intended_turn_that_follows_the_input():
    """The turn a person intends is a number the input moves: the mixture fits it from a linear layer, as the
    argmax of the target's discretised Gaussian at bearings between the options."""
    torch.manual_seed(0)
    mixture = OrdinalMixture(TURN_DEGREES, components=1)
    layer = torch.nn.Linear(1, mixture.raw_size)
    optimiser = torch.optim.Adam(layer.parameters(), lr=0.05)
    values = torch.tensor(TURN_DEGREES)
    for _ in range(400):
        bearing = torch.rand(256, 1) * 40 - 20
        target = torch.softmax(-0.5 * ((values - 0.55 * bearing) / 2.0) ** 2, dim=-1)
        loss = -(target * mixture(layer(bearing / 20))).sum(-1).mean()
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    bearing = torch.tensor([[-12.0], [-4.0], [4.0], [12.0]])
    target = torch.softmax(-0.5 * ((values - 0.55 * bearing) / 2.0) ** 2, dim=-1)
    learned = mixture(layer(bearing / 20)).exp()
    assert (learned - target).abs().sum(-1).max() < 0.15
    assert not math.isnan(loss.item())


def test_plain_policies_keep_their_weights_layout():
    plain = build_policy(CONTRACT, TrainConfig())
    assert plain.heads.out_features == sum(CONTRACT.head_sizes)
    shaped = build_policy(CONTRACT, TrainConfig(ordinal_mixture=3))
    assert shaped.heads.out_features == sum(CONTRACT.head_sizes) + 3 * 3 + 1
    assert set(plain.state_dict()) == set(shaped.state_dict())


def test_bad_component_counts_are_named():
    with pytest.raises(ConfigError, match="ordinal_mixture"):
        TrainConfig(ordinal_mixture=-1)


LEAN = dict(hidden_sizes=[32, 16], dropout=0.0, sight_timer=True, bearing_lean=True)


def _enemy_at(bearings: list[float]) -> torch.Tensor:
    layout = answer_layout(CONTRACT)
    obs = torch.zeros(len(bearings), CONTRACT.observation_size)
    obs[:, layout.visible] = 1.0
    obs[:, layout.bearing_sin] = torch.sin(torch.deg2rad(torch.tensor(bearings)))
    obs[:, layout.bearing_cos] = torch.cos(torch.deg2rad(torch.tensor(bearings)))
    return obs


def test_the_bearing_lean_starts_as_the_head_without_it():
    policy = build_policy(CONTRACT, TrainConfig(**LEAN)).eval()
    assert build_policy(CONTRACT, TrainConfig(hidden_sizes=[16])).lean is None      # opt-in
    obs = _enemy_at([-20.0, 0.0, 35.0])
    features = torch.randn(3, policy.heads.in_features)
    assert policy.lean(features, obs).abs().max() == 0.0
    torch.testing.assert_close(policy.split_heads(features, obs), policy.head_shapes(policy.heads(features)))


def test_the_lean_moves_the_turn_relative_to_the_enemy_not_to_the_aim():
    """A lean "near the enemy, past it" favours the options just beyond the bearing, wherever the bearing is."""
    policy = build_policy(CONTRACT, TrainConfig(**LEAN)).eval()
    with torch.no_grad():
        policy.lean.coefficients.bias.copy_(torch.tensor([2.0, 0.0, 0.0, 0.0]))   # tanh(past / 3): lean past it
    degrees = torch.tensor(TURN_DEGREES)
    for bearing in (-14.0, 2.0, 29.0):
        lean = policy.lean(torch.zeros(1, policy.heads.in_features), _enemy_at([bearing]))[0]
        assert torch.all(lean[degrees > bearing] > 0) and torch.all(lean[degrees < bearing] < 0)
        assert torch.all(lean.diff() >= 0)                                     # further past, no less


def test_a_lean_learns_a_swing_past_the_enemy_plain_logits_blur():
    """People's aim after a flick goes on a few degrees past the enemy. Fed features linear in the bearing, the
    same head layer fits that turn distribution much closer with the lean than with its plain logits."""
    degrees = torch.tensor(TURN_DEGREES)

    def batch(n: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        bearing = torch.rand(n) * 40 - 20
        features = torch.zeros(n, 16)
        features[:, 0], features[:, 1] = bearing / 20, 1.0
        target = torch.softmax(-0.5 * ((degrees - (bearing[:, None] + 2.5)) / 2.0) ** 2, dim=-1)
        return features, _enemy_at(bearing.tolist()), target

    def fit(lean: bool) -> float:
        torch.manual_seed(0)
        policy = build_policy(CONTRACT, TrainConfig(**{**LEAN, "bearing_lean": lean}))
        optimiser = torch.optim.Adam(policy.parameters(), lr=0.05)
        for _ in range(200):
            features, obs, target = batch(256)
            loss = -(target * torch.log_softmax(policy.split_heads(features, obs)[TURN], -1)).sum(-1).mean()
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
        features, obs, target = batch(512)
        with torch.no_grad():
            probs = torch.softmax(policy.split_heads(features, obs)[TURN], -1)
        return float((probs - target).abs().sum(-1).mean())

    with_lean, without = fit(True), fit(False)
    assert with_lean < 0.4 * without, (with_lean, without)   # about 0.17 against 0.83 (L1 distance)


def test_the_bearing_lean_is_kept_in_the_exported_file(tmp_path):
    """Parity of the exported graph with torch at random bearings, with a lean that moves the turn."""
    from botsdk.export.onnx_export import export_policy

    torch.manual_seed(0)
    policy = build_policy(CONTRACT, TrainConfig(**LEAN)).eval()
    with torch.no_grad():
        policy.lean.coefficients.weight.normal_(0.0, 0.5)
        policy.lean.coefficients.bias.copy_(torch.tensor([1.5, -1.0, 0.5, 2.0]))
    held_out = _enemy_at((torch.rand(64) * 80 - 40).tolist()).numpy()
    report = export_policy(policy, CONTRACT, tmp_path / "lean.onnx", model_version="test", training_config="{}",
                           dataset_hash="test", held_out=held_out)
    assert (tmp_path / "lean.onnx").exists() and report is not None
