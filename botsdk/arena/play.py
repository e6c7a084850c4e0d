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
    results = []
    try:
        for ep in range(episodes):
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
    except QuitRequested:
        pass
    finally:
        renderer.close()
    return results


def _writer(root: str):
    try:
        from botsdk.dataset import DatasetWriter
    except ImportError as error:  # the datasets part is optional for playing
        raise RuntimeError(f"--record needs botsdk.dataset.DatasetWriter, which could not be imported: {error}") from None
    from botsdk.arena.contract import arena_contract

    return DatasetWriter(root, arena_contract())
