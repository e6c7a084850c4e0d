"""The human-play loop behind `botsdk play`: a pygame window, the person as blue_0, scripted players for the rest,
and optional recording through the datasets part's DatasetWriter (the same path bots are recorded through)."""

from __future__ import annotations

from typing import Any

from botsdk.arena.batch import agent_names


def play_human(map_name: str, team_size: int = 2, opponents: str = "objective", teammates: str = "objective",
               episodes: int = 1, seed: int = 0, max_steps: int = 480, record: str | None = None,
               player_id: str = "human-00", style: str = "human") -> list[dict[str, Any]]:
    from botsdk.arena.demonstrators import make_demonstrator
    from botsdk.arena.human import HumanController, QuitRequested
    from botsdk.arena.maps import load_map
    from botsdk.arena.render import Renderer
    from botsdk.arena.rollout import play_match

    arena_map = load_map(map_name)
    renderer = Renderer(arena_map, human=True)
    human = HumanController(renderer, player_id=player_id, style=style)
    writer = _writer(record) if record else None
    renderer.you = 0   # blue_0
    results = []
    try:
        for ep in range(episodes):
            renderer.hud_lines = hud_lines(ep, episodes, record)
            controllers: dict[str, Any] = {"blue_0": human}
            for i, agent in enumerate(agent_names(team_size)):
                if agent != "blue_0":
                    s = teammates if agent.startswith("blue") else opponents
                    controllers[agent] = make_demonstrator(s, seed=seed + ep + i, player_id=f"{s}-{i:02d}",
                                                           report_probs=False)
            trajectories = play_match(map_name, seed + ep, controllers, team_size, max_steps,
                                      on_step=lambda batch: renderer.draw(batch, 0))
            mine = trajectories["blue_0"]
            result = {"seed": seed + ep, "steps": len(mine), "winner": mine.meta["winner"], "episode_id": None}
            if writer is not None and len(mine) > 0:
                result["episode_id"] = writer.add_episode(mine, mine.meta)
            results.append(result)
    except (QuitRequested, KeyboardInterrupt):   # window closed, Escape or Ctrl-C: keep the rounds played
        pass
    finally:
        renderer.close()
    return results


def hud_lines(episode: int, episodes: int, record: str | None) -> list[str]:
    """What the person needs on screen: who they are, the controls, and whether their play is being recorded."""
    recording = f"recording to {record}" if record else "not recording (--record DIR to keep your play)"
    return [f"you: blue_0 (blue team, ringed)  -  round {episode + 1} of {episodes}  -  {recording}",
            "WASD move  -  mouse aim  -  click fire  -  E interact  -  Esc quit"]


def _writer(root: str):
    try:
        from botsdk.dataset import DatasetWriter
    except ImportError as error:  # the datasets part is optional for playing
        raise RuntimeError(f"--record needs botsdk.dataset.DatasetWriter, which could not be imported: {error}") from None
    from botsdk.arena.contract import arena_contract

    return DatasetWriter(root, arena_contract())
