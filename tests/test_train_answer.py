"""The answer memory a policy settles its aim by: the recording's rows (training) and the exported step agree, the
first turn covering half the enemy's bearing is the answer, it is kept for the sighting and forgotten after, and a
config without the sight clock refuses it."""

import math
from pathlib import Path

import pytest
import torch

from botsdk.arena.contract import TURN_DEGREES, arena_contract
from botsdk.training.answer import ANSWER_CAP, AnswerMemory, answer_layout, answering
from botsdk.training.config import SAVED_BEFORE_KEY_EXISTED, ConfigError, TrainConfig
from botsdk.training.history import recorded_history
from botsdk.training.models import build_policy
from botsdk.training.sight import SIGHT_GAP, sight_layout

CONTRACT = arena_contract()
HEADS = len(CONTRACT.head_sizes)
LAYOUT = answer_layout(CONTRACT)
SIGHT = sight_layout(CONTRACT)
TURN = CONTRACT.head_names.index("turn")
SMALL = dict(hidden_sizes=[32, 16], dropout=0.0, sight_timer=True, answer_memory=True)


def _frames(bearings: list[float | None]) -> torch.Tensor:
    """Observations with an enemy in the rays at each bearing in degrees (None: no enemy visible)."""
    obs = torch.zeros(len(bearings), CONTRACT.observation_size)
    for row, bearing in enumerate(bearings):
        if bearing is not None:
            obs[row, [SIGHT.visible, SIGHT.rays[16], LAYOUT.visible]] = 1.0
            obs[row, LAYOUT.bearing_sin] = math.sin(math.radians(bearing))
            obs[row, LAYOUT.bearing_cos] = math.cos(math.radians(bearing))
    return obs


def _actions(turns: list[float]) -> torch.Tensor:
    actions = torch.zeros(len(turns), HEADS, dtype=torch.int64)
    actions[:, TURN] = torch.tensor([TURN_DEGREES.index(t) for t in turns])
    return actions


def _columns(obs: torch.Tensor, actions: torch.Tensor, starts: list[int], lengths: list[int]) -> torch.Tensor:
    history = recorded_history(actions, obs, torch.tensor(starts), torch.tensor(lengths), SIGHT, LAYOUT)
    return history[:, -2:]


def test_the_first_turn_covering_half_the_bearing_is_kept_for_the_sighting():
    bearings = [40.0, 38.0, 30.0, -4.0, 1.0, 2.0, 1.0, 0.5, 0.0, 0.0, 1.0] + [None] * SIGHT_GAP + [20.0]
    turns = [0.0, 7.0, 30.0, -7.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0] + [0.0] * SIGHT_GAP + [0.0]
    since, option = _columns(_frames(bearings), _actions(turns), [0], [len(turns)]).T.tolist()
    # 7 of 38 degrees is no answer; 30 of 30 is (the step after it reads 1); the later -7 onto -4 is not a second
    assert since[:4] == [0, 0, 0, 1] and option[3] == TURN_DEGREES.index(30.0) + 1
    assert since[3:3 + ANSWER_CAP + 2] == list(range(1, ANSWER_CAP + 1)) + [ANSWER_CAP] * 2
    assert set(option[3:11]) == {TURN_DEGREES.index(30.0) + 1}
    assert since[-1] == 0 and option[-1] == 0  # the sighting ended: a new enemy has not been answered


@pytest.mark.parametrize("turn, bearing, expected", [(30.0, 40.0, 1.0), (15.0, 40.0, 0.0), (-30.0, -40.0, 1.0),
                                                     (-30.0, 40.0, 0.0), (3.0, 2.0, 0.0), (120.0, 40.0, 1.0)])
def test_an_answer_turns_toward_the_enemy_by_half_its_bearing_or_more(turn, bearing, expected):
    assert float(answering(torch.tensor([turn]), torch.tensor([bearing]))[0]) == expected


def test_the_bearing_read_from_sin_and_cos_covers_the_view_cone():
    degrees = torch.linspace(-120.0, 120.0, 49)
    obs = _frames(degrees.tolist())
    assert torch.allclose(LAYOUT.bearing(obs), degrees, atol=1e-3)
    assert LAYOUT.bearing(_frames([None]))[0] == 0.0


def test_recorded_rows_equal_the_exported_step_on_random_episodes():
    torch.manual_seed(0)
    steps = 400
    bearing = torch.cumsum(torch.randn(steps) * 8.0, 0).clamp(-110.0, 110.0)
    seen = (torch.arange(steps) % 30 < 21) & (torch.rand(steps) < 0.9)  # sightings end every 30 steps
    obs = _frames([float(b) if s else None for b, s in zip(bearing, seen)])
    actions = torch.stack([torch.randint(0, n, (steps,)) for n in CONTRACT.head_sizes], dim=1)
    starts, lengths = [0, 150, 151, 260], [150, 1, 109, 140]
    history = recorded_history(actions, obs, torch.tensor(starts), torch.tensor(lengths), SIGHT, LAYOUT)
    policy = build_policy(CONTRACT, TrainConfig(**SMALL)).eval()
    assert policy.answer is not None
    answered = 0
    for start, length in zip(starts, lengths):
        state, previous = policy.initial_state(1), torch.full((1, HEADS), -1)
        for row in range(start, start + length):
            stepped, state = policy.step_history(previous, state, obs[row:row + 1])
            assert torch.equal(stepped, policy.history_features(history[row:row + 1])), row
            previous = actions[row:row + 1]
        answered += int((history[start:start + length, -2] == 1).sum())
    assert answered >= 5  # the random episodes do answer, so the comparison covers it


def test_features_place_the_answer_size_at_its_step():
    memory = AnswerMemory(LAYOUT)
    features = memory.features(torch.tensor([0.0, 2.0]), torch.tensor([0.0, -30.0]))
    assert features.shape == (2, 2 * ANSWER_CAP + 1)
    assert features[0].tolist() == [1.0] + [0.0] * (2 * ANSWER_CAP)
    assert features[1, 2] == 1.0 and features[1, ANSWER_CAP + 2] == pytest.approx(-0.5)
    assert float(features[1].abs().sum()) == pytest.approx(1.5)


def test_the_policy_carries_the_answer_in_its_state():
    policy = build_policy(CONTRACT, TrainConfig(**SMALL)).eval()
    assert policy.state_size == 2 * HEADS + 2 + AnswerMemory.memory_size
    obs, style = _frames([40.0, 5.0]), torch.zeros(1, CONTRACT.style.size)
    state, previous = policy.initial_state(1), torch.full((1, HEADS), -1)
    _, state = policy(obs[:1], style, state, previous)
    assert state[0, -4:].tolist() == pytest.approx([0.0, 0.0, 40.0, 1.0], abs=1e-4)
    previous = _actions([30.0])
    _, state = policy(obs[1:], style, state, previous)
    assert state[0, -4:].tolist() == pytest.approx([1.0, 30.0, 5.0, 1.0], abs=1e-4)


def test_opt_in_and_only_beside_the_sight_clock():
    assert TrainConfig().answer_memory is False and SAVED_BEFORE_KEY_EXISTED["answer_memory"] is False
    with pytest.raises(ConfigError, match="answer_memory.*sight_timer = true"):
        TrainConfig(answer_memory=True)
    with pytest.raises(ConfigError, match="action_history = false"):
        TrainConfig(answer_memory=True, sight_timer=True, action_history=False)
    plain = build_policy(CONTRACT, TrainConfig(hidden_sizes=[16], sight_timer=True))
    assert plain.answer is None and plain.state_size == 2 * HEADS + 2
    recipe = TrainConfig.from_toml(Path(__file__).resolve().parents[1] / "docs" / "recipes" / "answer_memory.toml")
    assert recipe.answer_memory and recipe.sight_timer and recipe.bearing_lean
