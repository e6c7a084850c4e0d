"""Minimal pygame widgets for the designer studio: sliders and buttons driven by ordinary pygame events.

Kept tiny on purpose: the studio needs a handful of controls, and plain pygame keeps the studio testable headless
with synthetic events (no GUI toolkit, no window manager).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import pygame

PANEL_BG = (24, 26, 32)
TEXT = (230, 230, 235)
MUTED = (140, 145, 160)
ACCENT = (90, 170, 255)
TRACK = (70, 74, 86)
BUTTON_BG = (52, 56, 68)
BUTTON_ON = (40, 120, 200)


@dataclass
class Slider:
    """A horizontal 0..1 slider; click or drag anywhere on its track to set it."""

    label: str
    rect: pygame.Rect
    value: float = 0.0
    on_change: Callable[[float], None] | None = None
    dragging: bool = field(default=False, repr=False)

    def handle(self, event: pygame.event.Event) -> bool:
        """Update from a mouse event; True when the event was ours."""
        if event.type == pygame.MOUSEBUTTONDOWN and event.button == 1 and self.rect.collidepoint(event.pos):
            self.dragging = True
            self._set_from_x(event.pos[0])
            return True
        if event.type == pygame.MOUSEMOTION and self.dragging:
            self._set_from_x(event.pos[0])
            return True
        if event.type == pygame.MOUSEBUTTONUP and self.dragging:
            self.dragging = False
            return True
        return False

    def set(self, value: float, notify: bool = False) -> None:
        self.value = min(1.0, max(0.0, float(value)))
        if notify and self.on_change:
            self.on_change(self.value)

    def _set_from_x(self, x: int) -> None:
        self.set((x - self.rect.left) / max(1, self.rect.width), notify=True)

    @property
    def knob_x(self) -> int:
        return int(self.rect.left + self.value * self.rect.width)

    def draw(self, surface: pygame.Surface, font: pygame.font.Font) -> None:
        surface.blit(font.render(f"{self.label}  {self.value:.2f}", True, TEXT), (self.rect.left, self.rect.top - 18))
        track = pygame.Rect(self.rect.left, self.rect.centery - 3, self.rect.width, 6)
        pygame.draw.rect(surface, TRACK, track, border_radius=3)
        filled = pygame.Rect(track.left, track.top, self.knob_x - track.left, track.height)
        pygame.draw.rect(surface, ACCENT, filled, border_radius=3)
        pygame.draw.circle(surface, TEXT, (self.knob_x, self.rect.centery), 8)


@dataclass
class Button:
    """A clickable labelled box; `active` draws it highlighted (toggles, the current persona)."""

    label: str
    rect: pygame.Rect
    on_click: Callable[[], None]
    active: bool = False

    def handle(self, event: pygame.event.Event) -> bool:
        if event.type == pygame.MOUSEBUTTONDOWN and event.button == 1 and self.rect.collidepoint(event.pos):
            self.on_click()
            return True
        return False

    def draw(self, surface: pygame.Surface, font: pygame.font.Font) -> None:
        pygame.draw.rect(surface, BUTTON_ON if self.active else BUTTON_BG, self.rect, border_radius=4)
        text = font.render(self.label, True, TEXT)
        surface.blit(text, text.get_rect(center=self.rect.center))
