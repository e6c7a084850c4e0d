"""Habits: where a bot's play differs from people's, one human habit at a time.

The Turing test says whether a bot can be told from people; it does not say by what. Each habit here is one
figure per round that people show and a bot can lack (a key tapped for one step, standing still, answering an
enemy at once, the aim swinging on past an enemy after the turn onto it), read off the same observation cues and
actions the discriminator sees. Nothing is trained: every figure is the bot's rounds against people's, by the AUC
of that figure alone (0.5: the same; above: the bot shows more of it), next to the same figure for other people,
which is how far two crowds of people differ by chance.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from botsdk.evaluation.events import ANSWER_STEPS, EVENT_CUES
from botsdk.evaluation.features import Episode, cue_features, step_speeds, step_turns
from botsdk.evaluation.stats import auc, bootstrap_ci

SWING_STEPS = 2            # steps after the turn onto an enemy in which the aim is watched settling
SWING_CLIP_DEG = 3.0       # a settling turn this far off is a miss, not a habit
STILL_UNITS = 1e-6         # a step that moves less than this stands still
_EVENTS = 10               # where the event cues start in cue_features' columns
_EVENT = {name: _EVENTS + i for i, name in enumerate(EVENT_CUES)}


Tally = tuple[float, int]   # (sum over what was counted, how many were counted): a figure is sum / count


def _per_100(column: str) -> Callable[[Episode, np.ndarray], Tally]:
    return lambda episode, cues: (100.0 * float(cues[:, _EVENT[column]].sum()), episode.steps)


def _standing_still(episode: Episode, cues: np.ndarray) -> Tally:
    still = step_speeds(episode) < STILL_UNITS
    return float(still.sum()), len(still)


def _move_key_changes(episode: Episode, cues: np.ndarray) -> Tally:
    keys = episode.cues[:-1, 8]
    return 100.0 * float(np.sum(keys[1:] != keys[:-1])), max(len(keys) - 1, 0)


def _answers(cues: np.ndarray) -> np.ndarray:
    """The answered appearances' answer latency in steps (events.py marks it at the appearance)."""
    appeared = cues[:, _EVENT["appeared"]] > 0.5
    latency = cues[appeared, _EVENT["answer_latency"]]
    return np.rint(latency[latency < 1.0] * ANSWER_STEPS)


def _answered_at_once(episode: Episode, cues: np.ndarray) -> Tally:
    lags = _answers(cues)
    return float(np.sum(lags <= 1)), len(lags)


def _answer_lag(episode: Episode, cues: np.ndarray) -> Tally:
    lags = _answers(cues)
    return float(np.sum(lags)), len(lags)


def _aim_swing(episode: Episode, cues: np.ndarray) -> Tally:
    """How far the turns of the SWING_STEPS steps after each answer went past the enemy's bearing, toward the side
    it first showed on (degrees, each clipped to SWING_CLIP_DEG), over the round's answers."""
    raw, turns = episode.cues[:-1], step_turns(episode)
    visible = raw[:, 0] > 0.5
    bearing = np.degrees(np.arctan2(raw[:, 1], raw[:, 2]))
    swings = []
    for t in np.flatnonzero(cues[:, _EVENT["appeared"]] > 0.5):
        latency = cues[t, _EVENT["answer_latency"]]
        if latency >= 1.0:
            continue
        answer = t + int(round(latency * ANSWER_STEPS))
        side = np.sign(bearing[answer])
        after = [k for k in range(answer + 1, min(answer + 1 + SWING_STEPS, len(turns))) if visible[k]]
        swings += [float(np.clip((turns[k] - bearing[k]) * side, -SWING_CLIP_DEG, SWING_CLIP_DEG)) for k in after]
    return float(np.sum(swings)), len(swings)


# name -> (what it measures, per-round tally)
HABITS: dict[str, tuple[str, Callable[[Episode, np.ndarray], Tally]]] = {
    "one-step move taps": ("a move key pressed for one step between two that agree, per 100 steps",
                           _per_100("move_slip")),
    "one-step turn jerks": ("a turn that breaks for one step from the turns either side, per 100 steps",
                            _per_100("turn_slip")),
    "shots at nothing": ("shots with no enemy in view, per 100 steps", _per_100("shot_at_nothing")),
    "move key changes": ("steps whose move key differs from the step before, per 100 steps", _move_key_changes),
    "standing still": ("share of steps that do not move", _standing_still),
    "enemies answered at once": ("share of answered enemies turned onto within a step of appearing",
                                 _answered_at_once),
    "answer lag": ("steps from an enemy appearing to the turn onto it, answered enemies", _answer_lag),
    "aim swing after the answer": (f"degrees the {SWING_STEPS} turns after the turn onto an enemy go past it",
                                   _aim_swing),
}


def round_tallies(episode: Episode) -> dict[str, Tally]:
    """Every habit's (sum, count) for one round: rounds add up to a player's figures."""
    if episode.cues is None:
        raise ValueError("round_habits: the episode carries no observation cues (as_episode(..., cues=))")
    cues = cue_features(episode.cues[:-1], step_turns(episode))
    return {name: measure(episode, cues) for name, (_, measure) in HABITS.items()}


def round_habits(episode: Episode) -> dict[str, float]:
    """Every habit's figure for one round (NaN where the round shows none of it, e.g. no enemy answered)."""
    return {name: _ratio(tally) for name, tally in round_tallies(episode).items()}


def pooled_habits(rounds: Sequence[dict[str, Tally]]) -> dict[str, float]:
    """Every habit's figure over several rounds of one player: what they counted, together (a round with three
    answers weighs three times one with one; a round with none adds nothing to the answer figures)."""
    return {name: _ratio((sum(r[name][0] for r in rounds), sum(r[name][1] for r in rounds))) for name in HABITS}


def _ratio(tally: Tally) -> float:
    total, count = tally
    return total / count if count else float("nan")


def habit_gaps(people: Sequence[Episode], candidate: Sequence[Episode], others: Sequence[Episode],
               seed: int = 0, resamples: int = 300) -> dict[str, dict[str, Any]]:
    """Per habit: the mean per round of people, other people and the candidate; the candidate's AUC against people
    on that figure alone with a round-bootstrap 95% interval, the same for other people (the chance level), and
    `differs`: the candidate's interval excludes 0.5 and it lies further from 0.5 than other people's. Rounds
    without the figure (NaN) are left out. Episodes without cues give {}."""
    if not all(e.cues is not None for e in (*people, *candidate, *others)) or not people:
        return {}
    figures = [[round_habits(e) for e in group] for group in (people, candidate, others)]
    out = {}
    for name, (meaning, _) in HABITS.items():
        ref, cand, floor = (_finite([row[name] for row in rows]) for rows in figures)
        out[name] = {"meaning": meaning, "people": _mean(ref), "bot": _mean(cand), "other_people": _mean(floor),
                     **_against(cand, ref, seed, resamples, "auc"), **_against(floor, ref, seed, resamples, "auc_floor")}
        auc_value, (lo, hi) = out[name]["auc"], out[name]["auc_ci"]
        out[name]["differs"] = bool(np.isfinite(auc_value) and (lo > 0.5 or hi < 0.5)
                                    and abs(auc_value - 0.5) > abs(out[name]["auc_floor"] - 0.5))
    return out


def _finite(values: list[float]) -> np.ndarray:
    array = np.asarray(values, np.float64)
    return array[np.isfinite(array)]


def _mean(values: np.ndarray) -> float:
    return float(values.mean()) if len(values) else float("nan")


def _against(group: np.ndarray, people: np.ndarray, seed: int, resamples: int, key: str) -> dict[str, Any]:
    if len(group) == 0 or len(people) == 0:
        return {key: float("nan"), f"{key}_ci": (float("nan"), float("nan"))}
    value = auc(group, people)
    interval = bootstrap_ci(lambda i, j: auc(group[i], people[j]), len(group), len(people), seed, resamples)
    return {key: value, f"{key}_ci": interval}
