"""Turn a person's keyboard and mouse into arena actions: WASD moves in world directions, the mouse aims."""

from __future__ import annotations

import math

import numpy as np

from botsdk.arena.contract import MOVE_VALUES, TURN_DEGREES

_TURN_RAD = np.radians(np.array(TURN_DEGREES))


def move_index(up: bool, down: bool, left: bool, right: bool) -> int:
    """Index into the `move` head for the pressed keys (opposite keys cancel)."""
    dx, dy = float(right) - float(left), float(up) - float(down)
    if dx == 0.0 and dy == 0.0:
        return 0
    norm = math.hypot(dx, dy)
    target = np.array([dx / norm, dy / norm])
    values = np.array(MOVE_VALUES[1:])
    return 1 + int(np.argmax(values @ target))


def turn_index(heading: float, aim_heading: float) -> int:
    """The `turn` bin that brings `heading` closest to `aim_heading` (radians) in one decision."""
    gap = (aim_heading - heading + math.pi) % (2.0 * math.pi) - math.pi
    return int(np.argmin(np.abs(_TURN_RAD - gap)))


def human_action(keys_down: set[str], mouse_world: tuple[float, float] | None, position: np.ndarray, heading: float,
                 firing: bool) -> np.ndarray:
    """int64[4] action (move, turn, fire, interact) from the keys held, the mouse position in world units."""
    move = move_index("w" in keys_down, "s" in keys_down, "a" in keys_down, "d" in keys_down)
    turn = TURN_DEGREES.index(0.0)
    if mouse_world is not None:
        dx, dy = mouse_world[0] - float(position[0]), mouse_world[1] - float(position[1])
        if dx * dx + dy * dy > 0.25:
            turn = turn_index(heading, math.atan2(dy, dx))
    return np.array([move, turn, int(firing), int("e" in keys_down)], dtype=np.int64)
