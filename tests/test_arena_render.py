"""Headless rendering (SDL dummy driver) and the human-play loop driven by synthetic pygame events."""

import numpy as np

import botsdk.arena
from botsdk.arena import render as R


def _pixel(frame, renderer, x, y):
    px, py = renderer.to_screen(x, y)
    return tuple(int(v) for v in frame[py, px])


def test_rgb_array_frame_shows_walls_and_agents():
    env = botsdk.arena.parallel_env(map_name="crossroads", team_size=2, seed=0, render_mode="rgb_array")
    env.reset(seed=4)
    frame = env.render()
    renderer = env._renderer
    assert frame.dtype == np.uint8 and frame.shape == (renderer.size[1], renderer.size[0], 3)
    m = env.batch.map
    for x0, y0, x1, y1 in m.segments[:8]:
        assert _pixel(frame, renderer, (x0 + x1) / 2, (y0 + y1) / 2) == R.WALL
    for a in range(env.batch.n_agents):
        x, y = env.batch.pos[0, a]
        colour = R.TEAM_COLOURS[env.batch.team[a]]
        px, py = renderer.to_screen(x - 0.25, y - 0.25)  # off the heading line, inside the disc
        assert tuple(int(v) for v in frame[py, px]) == colour
    assert (np.all(frame == R.TEAM_COLOURS[0], axis=-1)).sum() > 20
    assert (np.all(frame == R.TEAM_COLOURS[1], axis=-1)).sum() > 20
    env.step({a: np.array([3, 7, 0, 0]) for a in env.agents})
    assert not np.array_equal(env.render(), frame)  # agents moved
    env.close()


def test_human_play_loop_with_synthetic_input(tmp_path):
    import pygame

    from botsdk.arena.human import HumanController
    from botsdk.arena.render import Renderer
    from botsdk.arena.rollout import play_match
    from botsdk.arena.demonstrators import make_demonstrator

    renderer = Renderer(botsdk.arena.load_map("duel"), human=False)
    human = HumanController(renderer)
    posted = {"done": False}

    def on_step(batch):
        renderer.draw(batch, 0)
        if not posted["done"]:  # hold D (east) and click toward the east
            x, y = batch.pos[0, 0]
            pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_d))
            pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=renderer.to_screen(x + 5, y)))
            posted["done"] = True

    controllers = {"blue_0": human, "red_0": make_demonstrator("holder", 1)}
    traj = play_match("duel", 3, controllers, team_size=1, max_steps=12, on_step=on_step)["blue_0"]
    assert traj.meta["source"] == "human" and traj.meta["player_id"] == "human-00"
    assert (traj.actions[:, 0] == 3).all()  # east
    assert traj.actions[:, 2].all()          # firing while the button is held
    assert traj.infos["position"][-1, 0] > traj.infos["position"][0, 0] + 2.0


def test_hud_rings_the_player_and_shows_who_and_how():
    from botsdk.arena.batch import ArenaBatch
    from botsdk.arena.play import hud_lines
    from botsdk.arena.render import Renderer

    batch = ArenaBatch("duel", team_size=1, n_envs=1)
    batch.reset([0])
    renderer = Renderer(batch.map, human=False)
    plain = renderer.draw(batch, 0)
    renderer.you, renderer.hud_lines = 0, hud_lines(0, 2, "runs/mine")
    shown = renderer.draw(batch, 0)
    x, y = renderer.to_screen(*batch.pos[0, 0])
    ring = max(3, int(0.5 * renderer.scale)) + 3   # the ring is 2 px wide, its outer edge 4 px off the disc
    assert tuple(shown[y, x + ring]) == (255, 255, 255) != tuple(plain[y, x + ring])
    bottom = renderer.size[1] - 4
    assert not np.array_equal(shown[bottom - 30:bottom], plain[bottom - 30:bottom]), "HUD text at the bottom"
    assert "recording to runs/mine" in hud_lines(0, 2, "runs/mine")[0] and "not recording" in hud_lines(0, 1, None)[0]
