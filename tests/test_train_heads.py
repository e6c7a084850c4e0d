"""Heads over numbered options as a mixture of discretised Gaussians (botsdk.training.heads)."""

import math

import pytest
import torch

from botsdk.arena.contract import TURN_DEGREES, arena_contract
from botsdk.training.config import ConfigError, TrainConfig
from botsdk.training.heads import HeadShapes, OrdinalMixture, ordinal_values
from botsdk.training.models import build_policy

CONTRACT = arena_contract()


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
