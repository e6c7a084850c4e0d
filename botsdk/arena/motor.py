"""A human motor model for scripted players: log-normal reaction delay, aim that overshoots then corrects, tracking
noise, occasional slips, all scaled by skill. Every head's action is *sampled* from an explicit distribution that
is kept (`probs`), so the imitation ceiling of a dataset can be computed from the demonstrator itself; the random
choices behind the distributions (whether it reacts yet, how far the first flick overshoots) are drawn through the
player's `StepChoices` (see choices.py), so the reported probabilities are the mixture over them."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Callable, Sequence

import numpy as np

from botsdk.arena.choices import onset_prob
from botsdk.arena.contract import MOVE_VALUES, TURN_DEGREES

TURN_BINS = np.array(TURN_DEGREES, dtype=np.float64)
MOVE_DIRS = np.array(MOVE_VALUES, dtype=np.float64)
DECISION_DT = 1.0 / 16.0
REACTION_CLIP_S = (0.15, 0.40)
# the overshoot gain's normal distribution in five equally likely slices, each at its mean (in standard deviations)
GAIN_SLICES_Z = (-1.400, -0.532, 0.0, 0.532, 1.400)
Choose = Callable[[Sequence[float]], int]


@dataclass(frozen=True)
class MotorParams:
    reaction_median_s: float = 0.25    # log-normal median, clipped to [0.15, 0.40] s
    reaction_sigma: float = 0.25
    overshoot: float = 1.2             # first flick = error * gain, gain ~ N(overshoot, overshoot_sd)
    overshoot_sd: float = 0.12
    correction: float = 0.45           # fraction of the remaining overshoot kept each step
    tracking_noise_deg: float = 1.5
    fire_cone_deg: float = 6.0         # fires when the post-turn aim error is inside this cone
    turn_spread: float = 0.2           # spread of the turn distribution relative to the intended turn
    move_slip: float = 0.04            # probability mass on the neighbouring move directions
    mistake_rate: float = 0.02         # per-step chance of a random action on a head
    perfect: bool = False              # the robotic bot: no delay, no overshoot, no noise, deterministic


# The human traits of the motor model that a Turing test must be able to notice when one is missing.
HUMAN_TRAITS = ("reaction_delay", "overshoot", "tracking_noise", "mistakes")


def without_traits(params: MotorParams, traits: Sequence[str]) -> MotorParams:
    """The same player with some human traits switched off: what the evaluation's power panel plays, so the
    panel's demonstrators differ from the reference people by exactly those traits."""
    unknown = sorted(set(traits) - set(HUMAN_TRAITS))
    if unknown:
        raise ValueError(f"traits: expected names from {', '.join(HUMAN_TRAITS)}, got {', '.join(unknown)}")
    off = set(traits)
    return replace(
        params,
        reaction_median_s=0.0 if "reaction_delay" in off else params.reaction_median_s,
        overshoot=1.0 if "overshoot" in off else params.overshoot,
        overshoot_sd=0.0 if "overshoot" in off else params.overshoot_sd,
        tracking_noise_deg=0.0 if "tracking_noise" in off else params.tracking_noise_deg,
        turn_spread=0.0 if "tracking_noise" in off else params.turn_spread,
        mistake_rate=0.0 if "mistakes" in off else params.mistake_rate,
        move_slip=0.0 if "mistakes" in off else params.move_slip,
    )


def skilled(params: MotorParams, skill: float) -> MotorParams:
    """Scale the motor model by skill in [0, 1] (0.5 leaves it as is)."""
    k = 1.0 - skill
    return MotorParams(
        reaction_median_s=params.reaction_median_s * (0.8 + 0.4 * k),
        reaction_sigma=params.reaction_sigma,
        overshoot=1.0 + (params.overshoot - 1.0) * (0.5 + k),
        overshoot_sd=params.overshoot_sd * (0.5 + k),
        correction=params.correction,
        tracking_noise_deg=params.tracking_noise_deg * (0.5 + k),
        fire_cone_deg=params.fire_cone_deg * (0.6 + 0.8 * k),
        turn_spread=params.turn_spread,
        move_slip=params.move_slip * (0.5 + k),
        mistake_rate=params.mistake_rate * (0.5 + k),
        perfect=params.perfect,
    )


def wrap_deg(a: float) -> float:
    return (a + 180.0) % 360.0 - 180.0


class Motor:
    """Per-agent motor state: when a target appeared, whether the agent has reacted, and the current aim offset."""

    def __init__(self, params: MotorParams, rng: np.random.Generator):
        self.p = params
        self.rng = rng
        self.reaction = reaction_pmf(params)
        self.seen_at: int | None = None
        self.checked = -1  # the last elapsed step at which the reaction had not come yet
        self.tracking = False
        self.lost = 0
        self.offset_deg = 0.0

    def perceive(self, step: int, bearing_deg: float | None, choose: Choose) -> None:
        """Update reaction state from the nearest visible enemy's bearing (None when none is visible). The reaction
        comes after a log-normal delay, drawn step by step from its hazard; the first flick's overshoot with it."""
        if bearing_deg is None:
            self.lost += 1
            if self.lost > 6:
                self.seen_at, self.tracking = None, False
            return
        self.lost = 0
        if self.seen_at is None:
            self.seen_at, self.checked = step, -1
        if self.tracking:
            return
        elapsed = step - self.seen_at
        react = onset_prob(self.reaction, self.checked, elapsed)
        self.checked = elapsed
        gains = (1.0,) if self.p.perfect else tuple(self.p.overshoot + self.p.overshoot_sd * z for z in GAIN_SLICES_Z)
        outcome = choose([1.0 - react] + [react / len(gains)] * len(gains))
        if outcome == 0:
            return
        self.tracking = True
        self.offset_deg = bearing_deg * (gains[outcome - 1] - 1.0)

    def aim_turn(self, bearing_deg: float) -> float:
        """Intended turn (degrees) toward a tracked target: error + decaying overshoot (tracking noise lives in
        turn_probs, where the ceiling sees it)."""
        if self.p.perfect:
            return bearing_deg
        turn = bearing_deg + self.offset_deg
        self.offset_deg *= self.p.correction
        return turn

    # ---- distributions ----------------------------------------------------------------------------------------
    def turn_probs(self, intended_deg: float) -> np.ndarray:
        if self.p.perfect:
            return one_hot(int(np.argmin(np.abs(TURN_BINS - intended_deg))), len(TURN_BINS))
        sigma = math.hypot(0.8 + self.p.turn_spread * abs(intended_deg), self.p.tracking_noise_deg)
        logits = -0.5 * ((TURN_BINS - intended_deg) / sigma) ** 2
        probs = np.exp(logits - logits.max())
        return self._with_mistakes(probs / probs.sum())

    def move_probs(self, direction: np.ndarray | None) -> np.ndarray:
        """Around the 8-way move closest to `direction` (None = stand still)."""
        n = len(MOVE_DIRS)
        if direction is None or not np.any(direction):
            intended = 0
        else:
            intended = int(np.argmax(MOVE_DIRS[1:] @ direction)) + 1
        if self.p.perfect:
            return one_hot(intended, n)
        probs = np.zeros(n)
        probs[intended] = 1.0 - self.p.move_slip
        if intended == 0:
            probs[1:] = self.p.move_slip / (n - 1)
        else:
            left = (intended - 1 + 1) % 8 + 1
            right = (intended - 1 - 1) % 8 + 1
            probs[left] += self.p.move_slip * 0.45
            probs[right] += self.p.move_slip * 0.45
            probs[0] += self.p.move_slip * 0.1
        return self._with_mistakes(probs)

    def binary_probs(self, p_one: float) -> np.ndarray:
        if self.p.perfect:
            return one_hot(int(p_one >= 0.5), 2)
        p = min(1.0, max(0.0, p_one))
        return np.array([1.0 - p, p])

    def _with_mistakes(self, probs: np.ndarray) -> np.ndarray:
        m = self.p.mistake_rate
        return (1.0 - m) * probs + m / len(probs)

    def sample(self, probs: np.ndarray) -> int:
        """The draw `rng.choice(len(probs), p=probs)` makes (same uniform, same cumulative search, so recordings
        stay identical), without its argument checks: it runs four times per agent step."""
        cdf = np.cumsum(probs)
        cdf /= cdf[-1]
        return int(cdf.searchsorted(self.rng.random(), side="right"))


def reaction_pmf(params: MotorParams) -> np.ndarray:
    """P(reaction after d decision steps): median * exp(N(0, sigma)) seconds, clipped, rounded to steps."""
    lo_s, hi_s = REACTION_CLIP_S
    last = int(round(hi_s / DECISION_DT))
    pmf = np.zeros(last + 1)
    if params.perfect or params.reaction_median_s <= 0.0:   # no reaction delay: reacts on the step it sees
        pmf[0] = 1.0
        return pmf
    first = int(round(lo_s / DECISION_DT))

    def below(steps: float) -> float:  # P(delay < steps * dt)
        z = math.log(steps * DECISION_DT / params.reaction_median_s) / params.reaction_sigma
        return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))

    for d in range(first, last + 1):
        upper = 1.0 if d == last else below(d + 0.5)
        lower = 0.0 if d == first else below(d - 0.5)
        pmf[d] = upper - lower
    return pmf


def one_hot(i: int, n: int) -> np.ndarray:
    v = np.zeros(n)
    v[i] = 1.0
    return v
