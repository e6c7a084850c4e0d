"""A scripted player's random choices within one step, enumerated so its reported action probabilities are honest.

A demonstrator decides with a few random choices (stop at a checkpoint or not, which unexplored spot next, whether
it reacts to an enemy yet, how far its first flick overshoots). The imitation ceiling is computed from the
probabilities it reports (`last_probs`), so those must be the action distribution *before* the step's choices are
drawn: the mixture over every way the step could go. `StepChoices` walks that tree depth-first; the player then
draws one path and acts on it, so its behaviour is exactly the mixture it reports.

Durations (how long a pause or a wiggle lasts, how long a reaction takes) are drawn step by step from their
hazards instead of once up front: the same distribution of durations, but the uncertainty shows at every step
instead of being known to the player alone.
"""

from __future__ import annotations

from typing import Any, NamedTuple, Sequence

import numpy as np

MAX_PATHS = 512  # a step has a handful of choice points; more means a decision loops on its choices


class Way(NamedTuple):
    """One way a step could go: its probability, the per-head distributions it samples from, the state it leaves."""

    weight: float
    probs: list[np.ndarray]
    after: tuple | None


class StepChoices:
    """One decision's random choice points: `choose(probs)` follows the current plan (first outcome by default) and
    records the distribution; `next_plan()` gives the next path depth-first, None after the last.

    With `rng` set it draws each choice on the spot instead (one path, nothing recorded): the same behaviour, for
    players whose probabilities nobody reads (playtests, recordings, opponents)."""

    def __init__(self, rng: np.random.Generator | None = None) -> None:
        self.rng = rng
        self.plan: list[int] = []
        self.dists: list[np.ndarray] = []
        self.pos = 0

    def start(self, plan: Sequence[int] = ()) -> None:
        self.plan, self.dists, self.pos = list(plan), [], 0

    def choose(self, probs: Sequence[float]) -> int:
        """An outcome index drawn by `probs` (which must sum to 1); a certain outcome is not a choice point."""
        p = np.asarray(probs, dtype=np.float64)
        support = np.flatnonzero(p > 0.0)
        if support.size == 1:
            return int(support[0])
        if support.size == 0:
            raise ValueError(f"choice probabilities: expected some positive mass, got {p.tolist()}")
        if self.rng is not None:
            return int(self.rng.choice(len(p), p=p / p.sum()))
        if self.pos == len(self.plan):
            self.plan.append(int(support[0]))
        outcome = self.plan[self.pos]
        self.dists.append(p)
        self.pos += 1
        return outcome

    def weight(self) -> float:
        return float(np.prod([d[i] for d, i in zip(self.dists, self.plan)])) if self.dists else 1.0

    def taken(self) -> list[int]:
        return self.plan[: self.pos]

    def next_plan(self) -> list[int] | None:
        plan = self.taken()
        while plan:
            k = len(plan) - 1
            later = np.flatnonzero(self.dists[k] > 0.0)
            later = later[later > plan[k]]
            if later.size:
                plan[k] = int(later[0])
                return plan
            plan.pop()
        return None


class ChoosingPlayer:
    """A player whose steps draw random choices through `self.choices`. Subclasses provide `_decide` (one way the
    step goes, returning per-head distributions), `_save`/`_restore` (their mutable state) and `rng`, `player_id`,
    `report_probs`; `_decide_step` turns them into honest `last_probs` / `last_joint` / `last_joint_max`."""

    choices: StepChoices
    rng: np.random.Generator
    player_id: str
    report_probs: bool
    last_probs: list[np.ndarray] | None
    last_joint: np.ndarray | None  # the joint distribution over the heads (float[n_0, n_1, ...])
    last_joint_max: float | None
    last_ways: int

    def _decide(self, observation: np.ndarray, view: Any) -> list[np.ndarray]:
        raise NotImplementedError

    def _save(self) -> tuple:
        raise NotImplementedError

    def _restore(self, saved: tuple) -> None:
        raise NotImplementedError

    def ways(self, observation: np.ndarray, view: Any) -> list[Way]:
        """Every way this step could go (its random choices enumerated): its probability, per-head distributions and
        the state it leaves behind (`after`; None for the last way, which is the state the player is left in)."""
        saved = self._save()
        found: list[Way] = []
        plan: list[int] | None = []
        while plan is not None:
            if found:
                found[-1] = Way(found[-1].weight, found[-1].probs, self._save())
                self._restore(saved)
            self.choices.start(plan)
            probs = self._decide(observation, view)
            found.append(Way(self.choices.weight(), probs, None))
            if len(found) > MAX_PATHS:
                raise RuntimeError(f"{self.player_id}: more than {MAX_PATHS} ways to take one step")
            plan = self.choices.next_plan()
        return found

    def _decide_step(self, observation: np.ndarray, view: Any) -> list[np.ndarray]:
        """Enumerate the ways this step could go, report their mixture in `last_probs`, draw one way and act on it;
        returns that way's per-head distributions (the actions are sampled from them)."""
        if not self.report_probs:
            self.last_probs = self.last_joint = self.last_joint_max = None
            self.choices.start()
            return self._decide(observation, view)
        found = self.ways(observation, view)
        self.last_ways = len(found)
        k = 0
        if len(found) > 1:
            weights = np.array([w.weight for w in found])
            k = int(self.rng.choice(len(found), p=weights / weights.sum()))
            if found[k].after is not None:  # the state holds the last way enumerated: go the drawn way instead
                self._restore(found[k].after)
        self.last_probs, self.last_joint = mixture([(w.weight, w.probs) for w in found])
        self.last_joint_max = float(self.last_joint.max())
        return found[k].probs


def continue_prob(pmf: np.ndarray, done: int) -> float:
    """P(D > done | D >= done) for a duration D with pmf[d] = P(D = d): whether a pause (or wiggle) that has
    lasted `done` steps goes on for another."""
    survive = pmf[done:].sum()
    return float(pmf[done + 1:].sum() / survive) if survive > 0.0 else 0.0


def onset_prob(pmf: np.ndarray, before: int, now: int) -> float:
    """P(D <= now | D > before): whether an event due after a delay D happens by `now`, not having happened by
    `before` (checks can skip steps, e.g. while an enemy is out of sight)."""
    survive = pmf[before + 1:].sum()
    return float(pmf[before + 1: now + 1].sum() / survive) if survive > 0.0 else 1.0


def uniform_pmf(lo: int, hi: int) -> np.ndarray:
    pmf = np.zeros(hi + 1)
    pmf[lo: hi + 1] = 1.0 / (hi - lo + 1)
    return pmf


def mixture(paths: Sequence[tuple[float, Sequence[np.ndarray]]]) -> tuple[list[np.ndarray], np.ndarray]:
    """Per-head marginal distributions of a weighted mixture of per-head distributions, and its joint distribution
    over the heads (float[n_0, n_1, ...]: the heads of one path are independent; across paths they are not)."""
    weights = np.array([w for w, _ in paths], dtype=np.float64)
    weights /= weights.sum()
    heads = len(paths[0][1])
    marginal = [sum(w * np.asarray(p[h], np.float64) for w, (_, p) in zip(weights, paths)) for h in range(heads)]
    joint = 0.0
    for w, (_, probs) in zip(weights, paths):
        joint = joint + w * _outer(probs)
    return marginal, joint


def joint_max(probs: Sequence[np.ndarray]) -> float:
    """The most likely joint action's probability when the heads are drawn independently."""
    return float(np.prod([np.max(p) for p in probs]))


def _outer(probs: Sequence[np.ndarray]) -> np.ndarray:
    out = np.asarray(probs[0], np.float64)
    for p in probs[1:]:
        out = np.multiply.outer(out, np.asarray(p, np.float64))
    return out
