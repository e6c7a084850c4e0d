"""The designer studio, driven headless with synthetic pygame events; checks state and pixels on screen."""

import numpy as np
import pygame
import pytest

from botsdk.arena.contract import arena_contract
from fixtures.synthetic_model import make_random_policy_onnx, make_random_style_encoder_onnx


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    from botsdk.studio.app import Studio

    root = tmp_path_factory.mktemp("studio")
    model = root / "model.onnx"
    make_random_policy_onnx(arena_contract(), model, seed=1)
    make_random_style_encoder_onnx(arena_contract(), root / "model.style.onnx", seed=2)
    app = Studio(model, map_name="crossroads", seed=3, record_dir=root / "mine")
    yield app
    pygame.quit()


def _click(pos):
    return [pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=pos),
            pygame.event.Event(pygame.MOUSEBUTTONUP, button=1, pos=pos)]


def _key(key):
    return [pygame.event.Event(pygame.KEYDOWN, key=key, mod=0, unicode=""), pygame.event.Event(pygame.KEYUP, key=key, mod=0)]


def test_match_plays_and_screen_shows_arena_and_panel(studio):
    before = studio.batch.pos.copy()
    for _ in range(8):
        assert studio.frame([])
    assert not np.allclose(before, studio.batch.pos), "bots should move while the match plays"
    pixels = pygame.surfarray.array3d(studio.screen)
    arena_w = studio.renderer.size[0]
    assert (pixels[:arena_w] == (200, 200, 205)).all(axis=-1).any(), "walls drawn"
    assert (pixels[:arena_w] == (60, 140, 255)).all(axis=-1).any(), "blue agents drawn"
    assert (pixels[arena_w:] == (90, 170, 255)).all(axis=-1).any(), "slider fill drawn in the panel"


def test_slider_blends_personas_live(studio):
    studio.frame(_key(pygame.K_1))                        # persona 1 (rusher) for bot 0
    np.testing.assert_allclose(studio.style_vector(0), arena_contract().style.persona("rusher"))
    holder = studio.sliders[1]
    studio.frame(_click((holder.rect.left + holder.rect.width // 2, holder.rect.centery)))
    vector = studio.style_vector(0)
    expected = arena_contract().style.blend({"rusher": 1.0, "holder": 0.5})
    np.testing.assert_allclose(vector, expected, atol=0.02)
    assert studio.styles[0].label == "blend"
    knob = (holder.knob_x, holder.rect.centery)
    assert tuple(studio.screen.get_at(knob))[:3] == (230, 230, 235), "slider knob drawn where the value is"


def test_switch_persona_and_next_bot(studio):
    studio.frame(_key(pygame.K_TAB))
    assert studio.selected == 1
    studio.frame(_click(studio.persona_buttons[2].rect.center))   # explorer button
    np.testing.assert_allclose(studio.style_vector(1), arena_contract().style.persona("explorer"))
    assert studio.persona_buttons[2].active


def test_pause_and_step(studio):
    studio.frame(_key(pygame.K_SPACE))
    assert studio.paused
    frozen = studio.batch.steps[0]
    studio.frame([])
    studio.frame([])
    assert studio.batch.steps[0] == frozen
    studio.frame(_key(pygame.K_n))
    assert studio.batch.steps[0] == frozen + 1
    studio.frame(_key(pygame.K_SPACE))
    assert not studio.paused


def test_rays_toggle_changes_screen(studio):
    studio.show_rays = True
    studio.paused = True
    studio.frame([])
    with_rays = pygame.surfarray.array3d(studio.screen).copy()
    ends = studio.ray_endpoints(studio.selected)
    assert len(ends) == arena_contract().rays.ray_count
    studio.frame(_key(pygame.K_r))
    without = pygame.surfarray.array3d(studio.screen)
    ray_colours = [(255, 220, 90), (110, 110, 120)]
    count = lambda px: sum(int((px == c).all(axis=-1).sum()) for c in ray_colours)
    assert count(with_rays) > count(without) + 20
    studio.frame(_key(pygame.K_SPACE))


def test_record_my_play_and_bots_play_it_back(studio):
    from botsdk.dataset import Dataset

    studio.frame(_key(pygame.K_TAB))
    studio.frame(_key(pygame.K_F5))
    assert studio.recording is not None
    human = studio.batch.agents.index("blue_0")
    assert studio.selected == human, "the panel shows the agent the designer now controls"
    start = studio.batch.pos[0, human].copy()
    studio.frame([pygame.event.Event(pygame.KEYDOWN, key=pygame.K_d, mod=0, unicode="d")])
    for _ in range(12):
        studio.frame([])
    studio.frame([pygame.event.Event(pygame.KEYUP, key=pygame.K_d, mod=0)])
    assert studio.batch.pos[0, human, 0] > start[0] + 0.5 or not studio.batch.alive[0, human], "D moves east"
    studio.frame(_key(pygame.K_F5))
    assert studio.recording is None and len(studio.last_demo) >= 12
    before = [slider.value for slider in studio.sliders]
    studio.frame(_click(studio.playback_button.rect.center))
    assert all(s.label == "my style" for s in studio.styles)
    from botsdk.studio.app import persona_weights

    shown = [slider.value for slider in studio.sliders]
    np.testing.assert_allclose(shown, persona_weights(studio.contract, studio.style_vector(studio.selected)))
    assert shown != before and max(shown) == 1.0, "the sliders read the learned style, not the old persona"
    learned = studio.style_vector(0)
    assert learned.shape == (arena_contract().style.size,) and np.isfinite(learned).all()
    ds = Dataset.open(studio.record_dir)
    assert len(ds.episodes) == 1 and ds.episodes[0].source == "human"
    assert ds.episodes[0].steps == len(studio.last_demo)


def test_footer_text_wraps_between_words_inside_the_panel(studio):
    from botsdk.arena.render import wrap_text
    from botsdk.studio.app import PANEL_WIDTH

    message = "recording: you play blue_0 (WASD, mouse aim, click fire, E interact) and then some more words"
    lines = wrap_text(studio.font, message, PANEL_WIDTH - 32)
    assert len(lines) > 1 and " ".join(lines) == message
    assert all(studio.font.size(line)[0] <= PANEL_WIDTH - 32 for line in lines)


def test_window_close_ends_the_studio(studio):
    assert studio.frame([pygame.event.Event(pygame.QUIT)]) is False
def _move_histogram(moves, options: int) -> np.ndarray:
    counts = np.bincount(np.concatenate(moves).astype(np.int64), minlength=options).astype(float)
    return counts / counts.sum()


def test_bots_play_my_style_moves_their_actions_toward_the_players(tmp_path, monkeypatch):
    """With a model whose style carries a movement habit, the style taken from the designer's demonstration makes
    the bots move the way the designer moved, where before they moved any way."""
    from botsdk.studio.app import Studio
    from fixtures.synthetic_model import make_style_following_onnx

    contract = arena_contract()
    policy, _ = make_style_following_onnx(contract, tmp_path / "model")
    app = Studio(policy, map_name="crossroads", seed=5, record_dir=tmp_path / "mine")
    moves: list[np.ndarray] = []
    act = app.runtime.act

    def watched_act(*args, **kwargs):
        actions = act(*args, **kwargs)
        moves.append(np.asarray(actions)[:, 0].copy())
        return actions

    monkeypatch.setattr(app.runtime, "act", watched_act)
    for bot in range(app.batch.n_agents):
        app.set_weights(bot, {})  # a neutral style: no persona at all
    for _ in range(20):
        app.frame([])
    options = contract.head_sizes[0]
    before = _move_histogram(moves, options)

    app.frame(_key(pygame.K_F5))
    app.frame([pygame.event.Event(pygame.KEYDOWN, key=pygame.K_d, mod=0, unicode="d")])
    for _ in range(20):
        app.frame([])
    app.frame([pygame.event.Event(pygame.KEYUP, key=pygame.K_d, mod=0)])
    app.frame(_key(pygame.K_F5))
    player = _move_histogram([np.stack(app.last_demo.actions)[:, 0]], options)
    assert player.max() > 0.8, "the demonstration holds D: one move dominates"

    app.frame(_click(app.playback_button.rect.center))
    assert all(s.label == "my style" for s in app.styles)
    moves.clear()
    for _ in range(20):
        app.frame([])
    after = _move_histogram(moves, options)
    distance = lambda p, q: 0.5 * float(np.abs(p - q).sum())  # total variation
    assert distance(before, player) > 0.6, (before, player)
    assert distance(after, player) < 0.25, (after, player)
    pygame.quit()
