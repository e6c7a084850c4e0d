"""The Turing discriminator on constructed trajectories: it catches a mechanical walker and stays near chance
on two samples of one stochastic walker; the event cues mark an appearing enemy's answer and the slips."""

import numpy as np
import pytest

from botsdk.evaluation.classifier import SequenceConfig
from botsdk.evaluation.events import ANSWER_STEPS, EVENT_CUES, UNSEEN_STEPS, appearances, event_cues
from botsdk.evaluation.features import Episode, FeatureScale
from botsdk.evaluation.stats import auc, bootstrap_ci
from botsdk.evaluation.turing import TuringResult, halves, mean_auc, turing_test

HEADS = (9, 15, 2, 2)
CONFIG = SequenceConfig(updates=200)


def _walker(seed: int, robotic: bool, steps: int = 192) -> Episode:
    rng = np.random.default_rng(seed)
    pos, head, rate = np.zeros((steps + 1, 2)), np.zeros(steps + 1), 0.0
    pos[0] = rng.uniform(0, 20, 2)
    acts = np.zeros((steps, 4), np.int64)
    for t in range(steps):
        if robotic:   # constant speed, turns only by a fixed 30 degrees every 24 steps
            turn, speed = (np.radians(30) if t % 24 == 23 else 0.0), 0.5
        else:         # smooth random turn rate, variable speed
            rate = 0.85 * rate + rng.normal(0, 0.06)
            turn, speed = rate, abs(rng.normal(0.4, 0.15))
        head[t + 1] = head[t] + turn
        pos[t + 1] = pos[t] + speed * np.array([np.cos(head[t + 1]), np.sin(head[t + 1])])
        acts[t] = [rng.integers(0, 9), int(np.clip(7 + np.degrees(turn) / 4, 0, 14)), rng.random() < 0.1, 0]
    return Episode(pos, head, acts, np.zeros(steps), {"seed": seed})


def test_auc_known_values():
    assert auc(np.array([2.0, 3.0]), np.array([0.0, 1.0])) == 1.0
    assert auc(np.array([0.0, 1.0]), np.array([2.0, 3.0])) == 0.0
    assert auc(np.array([1.0, 1.0]), np.array([1.0, 1.0])) == 0.5
    lo, hi = bootstrap_ci(lambda i, j: float(np.mean(i)), 10, 10, seed=0)
    assert 0 <= lo <= 4.5 <= hi <= 9


def _halves(episodes: list[Episode], group: str) -> tuple[list[Episode], list[Episode]]:
    for k, e in enumerate(episodes):
        e.meta["fold"] = f"{group}/{'train' if k % 2 == 0 else 'test'}"
    return halves(episodes)


def test_halves_follow_the_folds():
    eps = [_walker(s, False, steps=16) for s in range(6)]
    train, test = _halves(eps, "people")
    assert len(train) == len(test) == 3 and not {id(e) for e in train} & {id(e) for e in test}


def test_discriminator_catches_a_mechanical_walker():
    humans = _halves([_walker(s, False) for s in range(48)], "people")
    robots = _halves([_walker(100 + s, True) for s in range(24)], "others")
    scale = FeatureScale.fit([*humans[0], *humans[1], *robots[0], *robots[1]])
    result = turing_test(humans, robots, HEADS, scale, seed=0, config=CONFIG, resamples=100)
    assert result.auc >= 0.9
    assert result.auc_ci[0] <= result.auc <= result.auc_ci[1]
    assert result.episode_accuracy >= 0.9


def test_discriminator_stays_near_chance_on_one_walker_against_itself():
    """Two-sided: one stochastic walker against itself lands near 0.5, neither above nor below."""
    a = _halves([_walker(s, False) for s in range(0, 96, 2)], "people")
    b = _halves([_walker(s, False) for s in range(1, 96, 2)], "others")
    scale = FeatureScale.fit([*a[0], *a[1], *b[0], *b[1]])
    aucs = [turing_test(a, b, HEADS, scale, seed=k, config=CONFIG, resamples=50).auc for k in range(3)]
    assert abs(float(np.mean(aucs)) - 0.5) <= 0.08, aucs


def _scored(reference: np.ndarray, candidate: np.ndarray, seed: int) -> TuringResult:
    value = auc(candidate, reference)
    return TuringResult(value, (value, value), 0.5, (0.5, 0.5), (0, 0), (len(reference), len(candidate)), seed,
                        scores=(reference, candidate))


def test_mean_auc_of_several_discriminators_has_its_own_interval():
    """The figure reported for several discriminators is their mean, and its interval resamples episodes for all
    of them at once, so it is the mean's interval (one discriminator's interval need not hold the mean)."""
    rng = np.random.default_rng(0)
    reference = [rng.normal(0.0, 1.0, 40) for _ in range(3)]
    candidate = [rng.normal(shift, 1.0, 30) for shift in (0.2, 0.9, 1.6)]   # three judges that disagree
    runs = [_scored(r, c, k) for k, (r, c) in enumerate(zip(reference, candidate))]
    value, (lo, hi) = mean_auc(runs, seed=0)
    assert value == pytest.approx(np.mean([auc(c, r) for r, c in zip(reference, candidate)]), abs=1e-4)
    assert lo < value < hi and hi - lo < 0.3
    alone = mean_auc(runs[:1], seed=0)
    assert alone[0] == pytest.approx(runs[0].auc, abs=1e-4)
    assert alone[1] == tuple(round(v, 4) for v in bootstrap_ci(lambda ic, ir: auc(candidate[0][ic], reference[0][ir]),
                                                               30, 40, 0, 300))
    with pytest.raises(ValueError, match="different test episodes"):
        mean_auc([runs[0], _scored(reference[1][:10], candidate[1], 1)], seed=0)
    assert "scores" not in runs[0].to_dict()


def test_a_swapped_discriminator_judges_the_train_half():
    """Discriminators take turns: a swapped one learns from the test halves and judges the train halves, so the
    episodes it scores are ones it never saw, and both halves end up judged."""
    people = _halves([_walker(s, False) for s in range(0, 60, 2)], "people")          # 15 train, 15 test
    robots = _halves([_walker(100 + s, True) for s in range(20)], "others")           # 10 train, 10 test
    people = (people[0] + people[1][:5], people[1][5:])                               # 20 train, 10 test
    scale = FeatureScale.fit([*people[0], *people[1], *robots[0], *robots[1]])
    plain = turing_test(people, robots, HEADS, scale, seed=0, config=CONFIG, resamples=50)
    swapped = turing_test(people, robots, HEADS, scale, seed=1, config=CONFIG, resamples=50, swap=True)
    assert (plain.scored_half, plain.test_episodes, plain.train_episodes) == ("test", (10, 10), (20, 10))
    assert (swapped.scored_half, swapped.test_episodes, swapped.train_episodes) == ("train", (20, 10), (10, 10))
    assert swapped.auc >= 0.9
    value, (lo, hi) = mean_auc([plain, swapped], seed=0, resamples=100)
    assert value == pytest.approx((plain.auc + swapped.auc) / 2, abs=1e-4)
    assert lo <= value <= hi


def test_judging_both_halves_narrows_the_interval():
    """Two discriminators that judged different halves give a mean whose interval is narrower than one half's:
    twice the episodes stand behind it."""
    rng = np.random.default_rng(3)
    halves_scored = [(rng.normal(0.0, 1.0, 48), rng.normal(0.5, 1.0, 48)) for _ in range(2)]
    runs = [_scored(r, c, k) for k, (r, c) in enumerate(halves_scored)]
    runs[1].scored_half = "train"
    one = mean_auc(runs[:1], seed=0)[1]
    both = mean_auc(runs, seed=0)[1]
    assert both[1] - both[0] < 0.85 * (one[1] - one[0]), (one, both)
    with pytest.raises(ValueError, match="different test episodes"):
        mean_auc([runs[0], _scored(halves_scored[1][0][:10], halves_scored[1][1], 2)], seed=0)


def test_a_blind_discriminator_cannot_catch_the_mechanical_walker():
    humans = _halves([_walker(s, False) for s in range(48)], "people")
    robots = _halves([_walker(100 + s, True) for s in range(24)], "others")
    scale = FeatureScale.fit([*humans[0], *humans[1], *robots[0], *robots[1]])
    result = turing_test(humans, robots, HEADS, scale, seed=0, config=CONFIG, resamples=50, blind=True)
    assert result.auc == 0.5, result


def _appearing_enemy(answer_at: int, steps: int = 40, appear: int = 10, bearing: float = 30.0) -> dict:
    """An enemy in view (and in the rays) from `appear` on at `bearing`; the player turns onto it at `answer_at`."""
    visible = np.arange(steps) >= appear
    turns = np.zeros(steps)
    turns[answer_at] = bearing * 1.3
    bearings = np.where(visible, bearing, 0.0)
    fired = np.zeros(steps, bool)
    fired[answer_at + 2] = True
    return dict(visible=visible, in_rays=visible.copy(), bearing_deg=bearings, turns_deg=turns, fired=fired,
                moves=np.ones(steps))


def test_event_cues_mark_how_long_an_appearing_enemy_waited_for_an_answer():
    for answer_at in (10, 14):
        cues = event_cues(**_appearing_enemy(answer_at))
        appeared = np.flatnonzero(cues[:, EVENT_CUES.index("appeared")])
        assert appeared.tolist() == [10]
        row = cues[10]
        assert row[EVENT_CUES.index("answer_latency")] == pytest.approx((answer_at - 10) / ANSWER_STEPS)
        assert row[EVENT_CUES.index("shot_latency")] == pytest.approx((answer_at + 2 - 10) / ANSWER_STEPS)
        assert row[EVENT_CUES.index("first_turn")] == pytest.approx(1.3)
    never = _appearing_enemy(10)
    never["turns_deg"][:] = 0.0
    never["fired"][:] = False
    row = event_cues(**never)[10]
    assert row[EVENT_CUES.index("answer_latency")] == row[EVENT_CUES.index("shot_latency")] == 1.0


def test_an_enemy_appears_again_only_after_it_was_lost():
    visible = np.ones(60, bool)
    visible[20:23] = False          # a blink: still the same encounter
    visible[30:30 + UNSEEN_STEPS] = False   # out of view long enough: lost
    in_rays = visible.copy()
    in_rays[23:26] = False          # the rays miss it while it stays visible: still noticed
    assert appearances(visible, in_rays).tolist() == [0, 30 + UNSEEN_STEPS]


def test_event_cues_mark_slips():
    steps = 12
    moves = np.full(steps, 3.0)
    moves[5] = 4.0                  # one step on the neighbouring key, then back
    moves[8:] = 6.0                 # a change of key that stays is no slip
    turns = np.zeros(steps)
    turns[3] = 60.0                 # a one-step jerk between two calm steps
    fired = np.zeros(steps, bool)
    fired[6] = True                 # a shot with no enemy in view
    cues = event_cues(np.zeros(steps, bool), np.zeros(steps, bool), np.zeros(steps), turns, fired, moves)
    assert np.flatnonzero(cues[:, EVENT_CUES.index("move_slip")]).tolist() == [5]
    assert np.flatnonzero(cues[:, EVENT_CUES.index("turn_slip")]).tolist() == [3]
    assert np.flatnonzero(cues[:, EVENT_CUES.index("shot_at_nothing")]).tolist() == [6]
