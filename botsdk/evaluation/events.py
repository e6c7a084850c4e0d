"""Event cues: the few moments of a round that show a player's motor habits, marked step by step.

Most steps of a round say little about how a player's hands work; a few say a lot. When an enemy appears after
being out of view, a person keeps doing what they were doing for a reaction time, then turns toward it (often
past it) and fires once the aim has settled; between fights their hands slip now and then (a move key tapped for
one step, a shot at nothing). Averaged over a round those moments drown, so each is written out where it
happens: at the step an enemy appears, how long the player took to turn toward it and to fire, and how far that
first turn went; at every step, whether it was a slip. Everything is read off the observation cues, the turn
and the actions, as a judge watching the round would.
"""

from __future__ import annotations

import numpy as np

UNSEEN_STEPS = 7          # an enemy out of view this long (0.44 s) is lost: when it shows again, it *appears*
ANSWER_STEPS = 8          # how long after it appeared a turn toward it or a shot is looked for (0.5 s)
MIN_BEARING_DEG = 3.0     # an enemy this close to dead ahead needs no turn
SLIP_TURN_DEG = 20.0      # a one-step turn this far from the turns either side is a slip ...
AGREE_TURN_DEG = 5.0      # ... when those two agree within this
EVENT_CUES = ("appeared", "answer_latency", "shot_latency", "first_turn", "shot_at_nothing", "move_slip",
              "turn_slip")


def appearances(visible: np.ndarray, in_rays: np.ndarray, unseen_steps: int = UNSEEN_STEPS) -> np.ndarray:
    """Steps at which an enemy is noticed: it shows in the rays while none is noticed (at the start, or after the
    one noticed was not visible at all for `unseen_steps` steps). A noticed enemy stays noticed while the rays
    miss it but it is visible (a person keeps track of what they saw)."""
    out, noticed, unseen = [], False, 0
    for t in range(len(visible)):
        if not (visible[t] and (noticed or in_rays[t])):
            unseen += 1
            noticed = noticed and unseen < unseen_steps
            continue
        if not noticed:
            out.append(t)
        noticed, unseen = True, 0
    return np.array(out, np.int64)


def event_cues(visible: np.ndarray, in_rays: np.ndarray, bearing_deg: np.ndarray, turns_deg: np.ndarray,
               fired: np.ndarray, moves: np.ndarray) -> np.ndarray:
    """float32[T, len(EVENT_CUES)] for T steps (each array is per step, bools or numbers). At each step an enemy
    appeared: 1, then the steps until the first turn toward it that covers at least half its bearing and until
    the first shot (as a fraction of ANSWER_STEPS; 1: none within it), and that turn as a fraction of the bearing
    (0..2; 1: exactly onto it). At every step: a shot with no enemy visible, a move key held for one step between
    two that agree, a turn that breaks for one step from the turns either side."""
    steps = len(turns_deg)
    visible, fired = np.asarray(visible, bool), np.asarray(fired, bool)
    out = np.zeros((steps, len(EVENT_CUES)), np.float32)
    for t in appearances(visible, np.asarray(in_rays, bool)):
        window = range(t, min(t + ANSWER_STEPS, steps))
        answer = next((k for k in window if visible[k] and abs(bearing_deg[k]) >= MIN_BEARING_DEG
                       and turns_deg[k] * np.sign(bearing_deg[k]) >= 0.5 * abs(bearing_deg[k])), None)
        shot = next((k for k in window if fired[k]), None)
        out[t, 0] = 1.0
        out[t, 1] = 1.0 if answer is None else (answer - t) / ANSWER_STEPS
        out[t, 2] = 1.0 if shot is None else (shot - t) / ANSWER_STEPS
        out[t, 3] = 0.0 if answer is None else min(turns_deg[answer] / bearing_deg[answer], 2.0)
    out[:, 4] = fired & ~visible
    out[1:-1, 5] = (moves[1:-1] != moves[:-2]) & (moves[2:] == moves[:-2])
    before, after = turns_deg[:-2], turns_deg[2:]
    out[1:-1, 6] = (np.abs(turns_deg[1:-1] - before) >= SLIP_TURN_DEG) & (np.abs(after - before) < AGREE_TURN_DEG)
    return out
