"""pygame rendering of an arena env: `rgb_array` frames and a `human` window (pygame loads here, never earlier)."""

from __future__ import annotations

import math
import os

import numpy as np

from botsdk.arena.maps import ArenaMap

BACKGROUND = (24, 26, 30)
OUT_OF_BOUNDS = (60, 20, 20)
FLOOR = (44, 48, 54)
WALL = (200, 200, 205)
ONE_SIDED_WALL = (230, 140, 60)
OBJECTIVE = (230, 200, 40)
PICKUP = {"ammo": (120, 220, 120), "health": (240, 110, 180)}
TEAM_COLOURS = ((60, 140, 255), (240, 70, 60))
SPAWN_TINT = ((36, 52, 80), (80, 40, 40))
MARGIN = 3.0


class Renderer:
    """Draws one env of an ArenaBatch; y points up in the world and down on screen."""

    def __init__(self, arena_map: ArenaMap, human: bool = False, pixels_per_metre: float = 14.0):
        if not human and not display_available():
            os.environ.setdefault("SDL_VIDEODRIVER", "dummy")   # off-screen frames on a machine without a display
        os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
        import pygame

        self.pg = pygame
        pygame.init()
        self.map = arena_map
        self.scale = pixels_per_metre
        b = arena_map.bounds
        self.x0, self.y0 = b[0] - MARGIN, b[1] - MARGIN
        self.size = (int((b[2] - b[0] + 2 * MARGIN) * self.scale), int((b[3] - b[1] + 2 * MARGIN) * self.scale))
        self.human = human
        self.window = pygame.display.set_mode(self.size) if human else None
        if human:
            pygame.display.set_caption(f"botsdk arena - {arena_map.name}")
        self.canvas = pygame.Surface(self.size)
        self.clock = pygame.time.Clock() if human else None
        self.font = pygame.font.Font(None, 18)
        self.you: int | None = None          # the agent a person controls: ringed on the map
        self.hud_lines: list[str] = []       # shown at the bottom of a human window (who you are, controls, recording)

    def to_screen(self, x: float, y: float) -> tuple[int, int]:
        return int((x - self.x0) * self.scale), int(self.size[1] - (y - self.y0) * self.scale)

    def to_world(self, px: int, py: int) -> tuple[float, float]:
        return px / self.scale + self.x0, (self.size[1] - py) / self.scale + self.y0

    def _rect(self, r, colour) -> None:
        left, top = self.to_screen(r[0], r[3])
        right, bottom = self.to_screen(r[2], r[1])
        self.pg.draw.rect(self.canvas, colour, (left, top, right - left, bottom - top))

    def draw_map(self, pickups_active: np.ndarray | None = None) -> None:
        pg, m = self.pg, self.map
        self.canvas.fill(OUT_OF_BOUNDS)
        self._rect(m.bounds, FLOOR)
        for r in m.out_of_bounds:
            self._rect(r, OUT_OF_BOUNDS)
        for t, team in enumerate(("blue", "red")):
            self._rect(m.spawns[team], SPAWN_TINT[t])
        pg.draw.circle(self.canvas, OBJECTIVE, self.to_screen(*m.objective), max(2, int(m.objective_radius * self.scale)), 2)
        for i, p in enumerate(m.pickups):
            if pickups_active is None or pickups_active[i]:
                pg.draw.circle(self.canvas, PICKUP[p.kind], self.to_screen(p.x, p.y), max(2, int(0.4 * self.scale)))
        width = max(2, int(0.15 * self.scale))
        for seg, one in zip(m.segments, m.one_sided):
            pg.draw.line(self.canvas, ONE_SIDED_WALL if one else WALL, self.to_screen(seg[0], seg[1]),
                         self.to_screen(seg[2], seg[3]), width)

    def draw(self, batch, env: int = 0) -> np.ndarray | None:
        """Render env `env`; returns uint8[H, W, 3] (rgb_array) or shows the frame (human) and returns None."""
        pg = self.pg
        self.draw_map(batch.pickup_active[env])
        r = max(3, int(0.5 * self.scale))
        for a in range(batch.n_agents):
            x, y = batch.pos[env, a]
            centre = self.to_screen(x, y)
            colour = TEAM_COLOURS[batch.team[a]]
            if not batch.alive[env, a]:
                pg.draw.line(self.canvas, colour, (centre[0] - r, centre[1] - r), (centre[0] + r, centre[1] + r), 2)
                pg.draw.line(self.canvas, colour, (centre[0] - r, centre[1] + r), (centre[0] + r, centre[1] - r), 2)
                continue
            pg.draw.circle(self.canvas, colour, centre, r)
            h = batch.heading[env, a]
            tip = self.to_screen(x + math.cos(h) * 1.2, y + math.sin(h) * 1.2)
            pg.draw.line(self.canvas, (255, 255, 255), centre, tip, 2)
            if batch.fired[env, a]:
                end = self.to_screen(x + math.cos(h) * 6.0, y + math.sin(h) * 6.0)
                pg.draw.line(self.canvas, (255, 240, 150), tip, end, 1)
            frac = batch.health[env, a] / 100.0
            pg.draw.rect(self.canvas, (20, 200, 60), (centre[0] - r, centre[1] - r - 5, int(2 * r * frac), 3))
        label = f"{self.map.name}  step {int(batch.steps[env])}/{batch.max_steps}"
        self.canvas.blit(self.font.render(label, True, (230, 230, 230)), (6, 6))
        self._draw_hud(batch, env, r)
        if self.human:
            pg.event.pump()
            self.window.blit(self.canvas, (0, 0))
            pg.display.flip()
            self.clock.tick(16)
            return None
        return np.transpose(pg.surfarray.array3d(self.canvas), (1, 0, 2)).copy()

    def _draw_hud(self, batch, env: int, radius: int) -> None:
        pg = self.pg
        if self.you is not None:
            centre = self.to_screen(*batch.pos[env, self.you])
            pg.draw.circle(self.canvas, (255, 255, 255), centre, radius + 4, 2)
            self.canvas.blit(self.font.render("you", True, (255, 255, 255)), (centre[0] + radius + 4, centre[1] - 6))
        lines = [part for line in self.hud_lines for part in wrap_text(self.font, line, self.size[0] - 12)]
        if lines:
            height = 16 * len(lines) + 6
            panel = pg.Surface((self.size[0], height), pg.SRCALPHA)
            panel.fill((0, 0, 0, 170))
            self.canvas.blit(panel, (0, self.size[1] - height))
            for i, line in enumerate(lines):
                self.canvas.blit(self.font.render(line, True, (235, 235, 235)),
                                 (6, self.size[1] - height + 4 + 16 * i))

    def close(self) -> None:
        if self.human:
            self.pg.display.quit()


def display_available() -> bool:
    """Whether a window can open here: a display on Linux/BSD, or a desktop OS, or a video driver chosen already."""
    import sys

    if os.environ.get("SDL_VIDEODRIVER"):
        return os.environ["SDL_VIDEODRIVER"] not in ("dummy", "offscreen")
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def wrap_text(font, text: str, width: int) -> list[str]:
    """Lines of `text` that each fit `width` pixels, broken between words."""
    lines: list[str] = []
    for word in text.split():
        if lines and font.size(f"{lines[-1]} {word}")[0] <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(fit_text(font, word, width))
    return lines


def fit_text(font, text: str, width: int) -> str:
    """`text`, cut with an ellipsis only if it is wider than `width` pixels."""
    if font.size(text)[0] <= width:
        return text
    while text and font.size(text + "…")[0] > width:
        text = text[:-1]
    return text + "…"
