"""Human play: WASD moves (world frame, W = north), the mouse aims, left click fires, E or space interacts.
The person is a `Controller` like any bot, so their rounds are recorded through the same `play_match` path."""

from __future__ import annotations

import math

import numpy as np

from botsdk.arena.contract import MOVE_VALUES, TURN_DEGREES
from botsdk.arena.view import AgentView

TURN_BINS = np.array(TURN_DEGREES)
MOVE_DIRS = np.array(MOVE_VALUES)


class QuitRequested(Exception):
    """The window was closed or Escape pressed."""


class HumanController:
    style = "human"
    source = "human"

    def __init__(self, renderer, player_id: str = "human-00", skill: float = 0.5, style: str = "human"):
        import pygame

        self.pg = pygame
        self.renderer = renderer
        self.player_id, self.skill, self.style = player_id, skill, style
        self.keys: set[int] = set()
        self.mouse = (0, 0)
        self.firing = False
        self.last_probs = None

    def reset(self, agent_id: str, seed: int) -> None:
        self.agent_id = agent_id
        self.keys.clear()
        self.firing = False

    def poll(self) -> None:
        """Drain pygame's event queue into key / mouse state."""
        pg = self.pg
        for event in pg.event.get():
            if event.type == pg.QUIT or (event.type == pg.KEYDOWN and event.key == pg.K_ESCAPE):
                raise QuitRequested()
            if event.type == pg.KEYDOWN:
                self.keys.add(event.key)
            elif event.type == pg.KEYUP:
                self.keys.discard(event.key)
            elif event.type == pg.MOUSEMOTION:
                self.mouse = event.pos
            elif event.type == pg.MOUSEBUTTONDOWN and event.button == 1:
                self.mouse, self.firing = event.pos, True
            elif event.type == pg.MOUSEBUTTONUP and event.button == 1:
                self.firing = False

    def act(self, observation: np.ndarray, view: AgentView) -> np.ndarray:
        self.poll()
        pg = self.pg
        dx = (pg.K_d in self.keys) - (pg.K_a in self.keys)
        dy = (pg.K_w in self.keys) - (pg.K_s in self.keys)
        move = 0 if dx == 0 and dy == 0 else int(np.argmax(MOVE_DIRS[1:] @ np.array([dx, dy], float))) + 1
        mx, my = self.renderer.to_world(*self.mouse)
        aim = math.degrees(math.atan2(my - view.position[1], mx - view.position[0]) - view.heading)
        aim = (aim + 180.0) % 360.0 - 180.0
        turn = int(np.argmin(np.abs(TURN_BINS - aim)))
        interact = int(pg.K_e in self.keys or pg.K_SPACE in self.keys)
        return np.array([move, turn, int(self.firing), interact], dtype=np.int64)
