"""Habit figures of one round, on a round built by hand: each figure counts what it says it counts."""

import numpy as np
import pytest

from botsdk.evaluation.features import Episode
from botsdk.evaluation.habits import HABITS, habit_gaps, pooled_habits, round_habits, round_tallies

STEPS = 40


def _round(swing: float = 2.0) -> Episode:
    """An enemy appears at step 10 at 30 degrees; the player turns onto it (past it) at step 13, then settles
    with two turns that go `swing` degrees past the enemy's bearing. One move key is tapped for one step (20),
    and the player stands still for the last 10 steps."""
    turns = np.zeros(STEPS)
    bearing = np.zeros(STEPS)
    visible = np.zeros(STEPS, bool)
    visible[10:30] = True
    bearing[10:14] = 30.0
    turns[13] = 39.0
    bearing[14], turns[14] = -9.0, -9.0 + swing
    bearing[15], turns[15] = -2.0, -2.0 + swing
    headings = np.concatenate([[0.0], np.cumsum(np.radians(turns))])
    speed = np.where(np.arange(STEPS) < 30, 0.3, 0.0)
    positions = np.column_stack([np.concatenate([[0.0], np.cumsum(speed)]), np.zeros(STEPS + 1)])
    moves = np.where(np.arange(STEPS) < 30, 3, 0)
    moves[20] = 4
    cues = np.zeros((STEPS + 1, 9), np.float32)
    cues[:-1, 0], cues[:-1, 6] = visible, visible
    cues[:-1, 1], cues[:-1, 2] = np.sin(np.radians(bearing)), np.cos(np.radians(bearing))
    cues[:-1, 5] = 1.0
    cues[:-1, 8] = moves
    actions = np.column_stack([moves, np.full(STEPS, 7), np.zeros(STEPS), np.zeros(STEPS)]).astype(np.int64)
    return Episode(positions, headings, actions, np.zeros(STEPS), {}, None, cues)


def test_round_habits_count_what_they_name():
    h = round_habits(_round())
    assert set(h) == set(HABITS)
    assert h["aim swing after the answer"] == pytest.approx(2.0)
    assert h["answer lag"] == 3.0 and h["enemies answered at once"] == 0.0
    assert h["one-step move taps"] == pytest.approx(100.0 / STEPS)
    assert h["standing still"] == pytest.approx(10 / STEPS)
    assert h["move key changes"] == pytest.approx(100.0 * 3 / (STEPS - 1))   # 3->4, 4->3, 3->0
    assert h["shots at nothing"] == 0.0


def test_a_round_without_an_answered_enemy_has_no_answer_figures():
    episode = _round()
    episode.cues[:-1, 0] = episode.cues[:-1, 6] = 0.0
    h = round_habits(episode)
    assert np.isnan(h["answer lag"]) and np.isnan(h["aim swing after the answer"])


def test_habit_gaps_mark_a_habit_the_candidate_lacks():
    people = [_round(2.0 + 0.1 * k) for k in range(12)]
    others = [_round(2.0 - 0.1 * k) for k in range(12)]
    flat = [_round(-1.0 - 0.1 * k) for k in range(12)]
    gaps = habit_gaps(people, flat, others, resamples=50)
    assert gaps["aim swing after the answer"]["auc"] == 0.0 and gaps["aim swing after the answer"]["differs"]
    assert not gaps["one-step move taps"]["differs"]   # every round taps alike


def test_habit_gaps_need_observation_cues():
    bare = _round()
    bare.cues = None
    assert habit_gaps([bare], [bare], [bare]) == {}
    with pytest.raises(ValueError, match="no observation cues"):
        round_habits(bare)


def test_a_players_habits_pool_what_its_rounds_counted():
    """Over several rounds a figure is everything counted, together: a round with no answered enemy adds nothing
    to the answer figures, and each swing counts once wherever it happened."""
    silent = _round()
    silent.cues[:-1, 0] = silent.cues[:-1, 6] = 0.0
    rounds = [round_tallies(_round(2.0)), round_tallies(_round(-1.0)), round_tallies(silent)]
    pooled = pooled_habits(rounds)
    assert pooled["aim swing after the answer"] == pytest.approx(0.5)
    assert pooled["one-step move taps"] == pytest.approx(100.0 / STEPS)
    assert pooled_habits(rounds[2:])["answer lag"] != pooled_habits(rounds[2:])["answer lag"]   # NaN: no answers
