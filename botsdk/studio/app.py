"""The designer studio: watch bots play, blend their styles with sliders, and show a style by playing it.

One arena round runs at the contract's decision rate. Every bot is decided in one batched runtime call with its own
style vector; a designer edits that vector per bot with persona sliders, or replaces it by the style the encoder
infers from the designer's own recorded play.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pygame

from botsdk.arena.batch import ArenaBatch
from botsdk.arena.render import Renderer, display_available, fit_text, wrap_text
from botsdk.studio.human_input import human_action
from botsdk.studio.widgets import MUTED, PANEL_BG, TEXT, Button, Slider
from botsdk.export.runtime import BotRuntime, StyleEncoderRuntime

PANEL_WIDTH = 300
RAY_HIT = (255, 220, 90)
RAY_MISS = (110, 110, 120)
SELECTED = (255, 255, 255)
MY_STYLE = "my style"


@dataclass
class BotStyle:
    """A bot's persona weights (what the sliders show) or a learned vector from a demonstration."""

    weights: np.ndarray
    learned: np.ndarray | None = None
    label: str = ""


@dataclass
class Demonstration:
    """The designer's own play, kept to infer a style from (and optionally saved as dataset episodes)."""

    observations: list[np.ndarray] = field(default_factory=list)
    actions: list[np.ndarray] = field(default_factory=list)
    positions: list[np.ndarray] = field(default_factory=list)
    headings: list[float] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.actions)


class Studio:
    """State and drawing of the studio; `run()` is the interactive loop, `frame()` one iteration (tests drive it)."""

    def __init__(self, model_path: str | Path, map_name: str = "crossroads", team_size: int = 2, seed: int = 0,
                 style_encoder_path: str | Path | None = None, human_agent: str = "blue_0",
                 record_dir: str | Path | None = None):
        self.runtime = BotRuntime(model_path, seed=seed)
        self.contract = self.runtime.contract
        self.personas = list(self.contract.style.persona_names)
        if not self.personas:
            raise ValueError(f"{model_path}: the model's contract names no personas; the studio needs at least one")
        self.encoder = _open_encoder(Path(model_path), style_encoder_path)
        self.batch = ArenaBatch(map_name, team_size=team_size, n_envs=1)
        self.seed = seed
        self.batch.reset([seed])
        self.human_agent = human_agent
        self.record_dir = Path(record_dir) if record_dir else None
        self.styles = [BotStyle(_one_hot(i % len(self.personas), len(self.personas)), label=self.personas[i % len(self.personas)])
                       for i in range(self.batch.n_agents)]
        self.selected = 0
        self.paused = False
        self.step_requested = False
        self.show_rays = True
        self.recording: Demonstration | None = None
        self.last_demo: Demonstration | None = None
        self.message = "space: pause  n: step  r: rays  tab: next bot  1-9: persona  F5: record my play"
        self.keys_down: set[str] = set()
        self.firing = False
        self.mouse_pos: tuple[int, int] | None = None
        self._starts = np.ones(self.batch.n_agents, dtype=bool)
        _warn_without_display()
        self.renderer = Renderer(self.batch.map, human=False)
        width, height = self.renderer.size
        pygame.init()
        self.screen = pygame.display.set_mode((width + PANEL_WIDTH, max(height, 560)))
        pygame.display.set_caption("botsdk studio")
        self.font = pygame.font.Font(None, 20)
        self.clock = pygame.time.Clock()
        self._build_panel(width)
        self._sync_sliders()

    # ---- panel ---------------------------------------------------------------------------------------------
    def _build_panel(self, left: int) -> None:
        x, w = left + 16, PANEL_WIDTH - 32
        self.sliders = [Slider(name, pygame.Rect(x, 90 + 46 * i, w, 16), on_change=self._slider_changed(i))
                        for i, name in enumerate(self.personas)]
        y = 100 + 46 * len(self.personas)
        half = (w - 8) // 2
        self.persona_buttons = [Button(name, pygame.Rect(x + (i % 2) * (half + 8), y + 30 * (i // 2), half, 24),
                                       self._persona_clicked(name)) for i, name in enumerate(self.personas)]
        y += 30 * ((len(self.personas) + 1) // 2) + 10
        self.pause_button = Button("pause", pygame.Rect(x, y, half, 26), self.toggle_pause)
        self.step_button = Button("step", pygame.Rect(x + half + 8, y, half, 26), self.request_step)
        self.rays_button = Button("rays", pygame.Rect(x, y + 34, half, 26), self.toggle_rays, active=True)
        self.next_button = Button("next bot", pygame.Rect(x + half + 8, y + 34, half, 26), self.select_next)
        self.record_button = Button("record my play", pygame.Rect(x, y + 68, w, 26), self.toggle_recording)
        self.playback_button = Button("bots play my style", pygame.Rect(x, y + 102, w, 26), self.apply_my_style)
        self.buttons = [*self.persona_buttons, self.pause_button, self.step_button, self.rays_button,
                        self.next_button, self.record_button, self.playback_button]

    def _slider_changed(self, index: int):
        def changed(value: float) -> None:
            style = self.styles[self.selected]
            style.weights[index] = value
            style.learned = None
            style.label = "blend"

        return changed

    def _persona_clicked(self, name: str):
        return lambda: self.set_persona(self.selected, name)

    def _sync_sliders(self) -> None:
        for slider, weight in zip(self.sliders, self.styles[self.selected].weights):
            slider.set(weight)
        label = self.styles[self.selected].label
        for button in self.persona_buttons:
            button.active = button.label == label
        self.pause_button.active = self.paused
        self.rays_button.active = self.show_rays
        self.record_button.active = self.recording is not None
        self.record_button.label = "stop recording" if self.recording is not None else "record my play"

    # ---- actions a designer takes ----------------------------------------------------------------------------
    def set_persona(self, bot: int, name: str) -> None:
        self.styles[bot] = BotStyle(_one_hot(self.personas.index(name), len(self.personas)), label=name)
        self._sync_sliders()

    def set_weights(self, bot: int, weights: dict[str, float]) -> None:
        vector = np.array([float(weights.get(name, 0.0)) for name in self.personas])
        self.styles[bot] = BotStyle(vector, label="blend")
        self._sync_sliders()

    def toggle_pause(self) -> None:
        self.paused = not self.paused
        self._sync_sliders()

    def request_step(self) -> None:
        self.paused = True
        self.step_requested = True
        self._sync_sliders()

    def toggle_rays(self) -> None:
        self.show_rays = not self.show_rays
        self._sync_sliders()

    def select_next(self) -> None:
        self.selected = (self.selected + 1) % self.batch.n_agents
        self._sync_sliders()

    def toggle_recording(self) -> None:
        """Start: the designer takes over `human_agent`. Stop: keep the demonstration for `apply_my_style`."""
        if self.recording is None:
            self.recording = Demonstration()
            self.selected = self.batch.agents.index(self.human_agent)   # the panel shows the agent you control
            self.message = f"recording: you play {self.human_agent} (WASD, mouse aim, click fire, E interact)"
        else:
            self.last_demo, self.recording = self.recording, None
            self._save_demo(self.last_demo)
            self.message = f"recorded {len(self.last_demo)} steps; click 'bots play my style'"
        self._sync_sliders()

    def apply_my_style(self) -> None:
        """Infer a style vector from the last demonstration and give it to every bot."""
        if self.last_demo is None or len(self.last_demo) == 0:
            self.message = "record some play first (F5)"
            return
        if self.encoder is None:
            self.message = "this model has no style encoder file (<model>.style.onnx)"
            return
        vector = self.encoder.encode(np.stack(self.last_demo.observations), np.stack(self.last_demo.actions))
        weights = persona_weights(self.contract, vector)
        for style in self.styles:
            style.learned = vector.astype(np.float32)
            style.weights = weights.copy()
            style.label = MY_STYLE
        self.message = "bots now play your style"
        self._sync_sliders()

    def style_vector(self, bot: int) -> np.ndarray:
        style = self.styles[bot]
        if style.learned is not None:
            return style.learned
        if style.weights.sum() <= 0:
            return np.zeros(self.contract.style.size, np.float32)
        blend = dict(zip(self.personas, style.weights.tolist()))
        return np.asarray(self.contract.style.blend(blend), np.float32)

    # ---- the loop ----------------------------------------------------------------------------------------------
    def handle(self, event: pygame.event.Event) -> bool:
        """Apply one event; False when the studio should close."""
        if event.type == pygame.QUIT:
            return False
        if any(widget.handle(event) for widget in [*self.sliders, *self.buttons]):
            self._sync_sliders()
            return True
        if event.type == pygame.KEYDOWN:
            return self._key(event)
        if event.type == pygame.KEYUP and event.key in _KEY_NAMES:
            self.keys_down.discard(_KEY_NAMES[event.key])
        elif event.type == pygame.MOUSEMOTION:
            self.mouse_pos = event.pos
        elif event.type == pygame.MOUSEBUTTONDOWN and event.button == 1 and event.pos[0] < self.renderer.size[0]:
            self.firing = True
        elif event.type == pygame.MOUSEBUTTONUP and event.button == 1:
            self.firing = False
        return True

    def _key(self, event: pygame.event.Event) -> bool:
        if event.key == pygame.K_ESCAPE:
            return False
        if event.key in _KEY_NAMES:
            self.keys_down.add(_KEY_NAMES[event.key])
        if event.key == pygame.K_SPACE:
            self.toggle_pause()
        elif event.key == pygame.K_n:
            self.request_step()
        elif event.key == pygame.K_r:
            self.toggle_rays()
        elif event.key == pygame.K_TAB:
            self.select_next()
        elif event.key == pygame.K_F5:
            self.toggle_recording()
        elif event.key == pygame.K_p:
            self.apply_my_style()
        elif pygame.K_1 <= event.key <= pygame.K_9 and event.key - pygame.K_1 < len(self.personas):
            self.set_persona(self.selected, self.personas[event.key - pygame.K_1])
        return True

    def advance(self) -> None:
        """One decision step for every agent: bots in one runtime call, the designer from the keyboard."""
        batch = self.batch
        if batch.done[0]:
            self.seed += 1
            batch.reset([self.seed])
            self.runtime.end([a for a in batch.agents if a in self.runtime.agents])
            self._starts[:] = True
        alive = np.flatnonzero(batch.alive[0])
        human = batch.agents.index(self.human_agent) if self.recording is not None else -1
        bots = [int(a) for a in alive if a != human]
        actions = np.zeros((1, batch.n_agents, len(self.contract.head_sizes)), dtype=np.int64)
        if bots:
            obs = batch.obs[0, bots]
            styles = np.stack([self.style_vector(a) for a in bots])
            ids = [batch.agents[a] for a in bots]
            actions[0, bots] = self.runtime.act(ids, obs, styles, self._starts[bots])
            self._starts[bots] = False
        if human >= 0 and batch.alive[0, human]:
            mouse = self.renderer.to_world(*self.mouse_pos) if self.mouse_pos else None
            act = human_action(self.keys_down, mouse, batch.pos[0, human], float(batch.heading[0, human]), self.firing)
            self.recording.observations.append(batch.obs[0, human].copy())
            self.recording.actions.append(act)
            self.recording.positions.append(batch.pos[0, human].astype(np.float32))
            self.recording.headings.append(float(batch.heading[0, human]))
            actions[0, human] = act
        batch.step(actions)

    def frame(self, events: list[pygame.event.Event] | None = None) -> bool:
        """Handle events, advance unless paused, draw. False when the studio should close."""
        for event in pygame.event.get() if events is None else events:
            if not self.handle(event):
                return False
        if not self.paused or self.step_requested:
            self.advance()
            self.step_requested = False
        self.draw()
        return True

    def run(self, max_frames: int | None = None) -> None:
        """The interactive loop; the window's close button, Escape and Ctrl-C all end it and close the window."""
        frames = 0
        interrupted = []
        previous = _on_sigint(lambda *_: interrupted.append(True))
        try:
            while not interrupted and self.frame():
                pygame.display.flip()
                self.clock.tick(self.contract.decision_hz)
                frames += 1
                if max_frames is not None and frames >= max_frames:
                    break
        except KeyboardInterrupt:
            pass
        finally:
            _on_sigint(previous)
            pygame.quit()

    # ---- drawing -------------------------------------------------------------------------------------------------
    def draw(self) -> pygame.Surface:
        self.renderer.draw(self.batch, 0)
        canvas = self.renderer.canvas
        if self.show_rays:
            self._draw_rays(canvas, self.selected)
        x, y = self.renderer.to_screen(*self.batch.pos[0, self.selected])
        pygame.draw.circle(canvas, SELECTED, (x, y), max(6, int(0.9 * self.renderer.scale)), 2)
        self.screen.fill(PANEL_BG)
        self.screen.blit(canvas, (0, 0))
        self._draw_panel()
        return self.screen

    def ray_endpoints(self, bot: int) -> list[tuple[tuple[float, float], bool]]:
        """World end point of each ray of `bot` and whether it hit, read back from its latest observation."""
        from botsdk.sensors import ray_angles

        spec = self.contract.rays
        frame = self.batch.obs[0, bot, -self.contract.frame_size:]
        rays = frame[self.contract.block_slice("rays")].reshape(spec.total_rays, spec.values_per_ray)
        px, py = self.batch.pos[0, bot]
        heading = float(self.batch.heading[0, bot])
        ends = []
        for angle, ray in zip(ray_angles(spec), rays):
            dist = float(ray[-1]) * spec.max_distance
            ends.append(((px + math.cos(heading + angle) * dist, py + math.sin(heading + angle) * dist), ray[-2] > 0.5))
        return ends

    def _draw_rays(self, canvas: pygame.Surface, bot: int) -> None:
        start = self.renderer.to_screen(*self.batch.pos[0, bot])
        for (end, hit) in self.ray_endpoints(bot):
            pygame.draw.line(canvas, RAY_HIT if hit else RAY_MISS, start, self.renderer.to_screen(*end), 1)

    def _draw_panel(self) -> None:
        left = self.renderer.size[0] + 16
        agent = self.batch.agents[self.selected]
        style = self.styles[self.selected]
        who = "you" if self.recording is not None and agent == self.human_agent else "bot"
        self._text(fit_text(self.font, f"{who} {agent}  style: {style.label}", PANEL_WIDTH - 32), (left, 16))
        self._text("PAUSED" if self.paused else "playing", (left, 40), MUTED)
        if self.recording is not None:
            self._text(f"REC {len(self.recording)} steps", (left + 120, 40), (255, 80, 80))
        for widget in [*self.sliders, *self.buttons]:
            widget.draw(self.screen, self.font)
        lines = wrap_text(self.font, self.message, PANEL_WIDTH - 32)[:3]
        bottom = self.screen.get_height() - 8 - 18 * len(lines)
        for i, line in enumerate(lines):
            self._text(line, (left, bottom + 18 * i), MUTED)

    def _text(self, text: str, pos: tuple[int, int], colour=TEXT) -> None:
        self.screen.blit(self.font.render(text, True, colour), pos)

    def _save_demo(self, demo: Demonstration) -> None:
        """Append the designer's play to `record_dir` as one human episode (it becomes training data)."""
        if self.record_dir is None or len(demo) == 0:
            return
        from botsdk.studio.recording import save_demonstration

        save_demonstration(self.record_dir, self.contract, demo.observations, demo.actions, demo.positions,
                           demo.headings, self.batch.map.name, self.seed)
        self.message = f"saved {len(demo)} steps to {self.record_dir}"


def persona_weights(contract, vector: np.ndarray) -> np.ndarray:
    """Slider positions for a learned style: the non-negative persona mix nearest to it, largest weight at 1."""
    personas = np.array([contract.style.persona(name) for name in contract.style.persona_names], np.float64)
    weights, *_ = np.linalg.lstsq(personas.T, np.asarray(vector, np.float64), rcond=None)
    weights = np.clip(weights, 0.0, None)
    return weights / weights.max() if weights.max() > 0 else np.full(len(personas), 1.0)


def _warn_without_display() -> None:
    """Say why no window appears on a machine without a display (unless a video driver was chosen on purpose)."""
    import os
    import sys

    if not display_available() and not os.environ.get("SDL_VIDEODRIVER"):
        print("botsdk studio: no display found (DISPLAY and WAYLAND_DISPLAY are unset), so it runs without a window; "
              "use a desktop session or `xvfb-run`", file=sys.stderr)


def _on_sigint(handler):
    """Install `handler` for Ctrl-C where signals can be set (the main thread); returns the one it replaced."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread() or handler is None:
        return None
    return signal.signal(signal.SIGINT, handler)


_KEY_NAMES = {pygame.K_w: "w", pygame.K_a: "a", pygame.K_s: "s", pygame.K_d: "d", pygame.K_e: "e"}


def _one_hot(index: int, size: int) -> np.ndarray:
    vector = np.zeros(size)
    vector[index] = 1.0
    return vector


def _open_encoder(model_path: Path, explicit: str | Path | None) -> StyleEncoderRuntime | None:
    path = Path(explicit) if explicit else model_path.with_suffix(".style.onnx")
    return StyleEncoderRuntime(path) if path.exists() else None
