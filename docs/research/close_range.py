"""The close-range fight: how far from an enemy each persona spends its steps, and which way a rusher's move key
points relative to the enemy: people, other people and a bot in play, the model fed people's own play
(teacher-forced), and the probabilities the model itself gives in its own play. With `--oracle fight`, only the
AUC of the bot whose rusher move key is its training player's whenever that player would be fighting (how much the
fight's geometry is worth to the judges); with `--oracle moves`, every persona's move key at every step.

    python docs/research/close_range.py runs/panel-validation --model runs/quickstart/model.onnx \
        --run runs/quickstart/run --data runs/quickstart/data --seed 1
    python docs/research/close_range.py runs/panel-validation --model runs/quickstart/model.onnx --oracle fight \
        --seeds 1 2 3

A rusher walks straight at an enemy it is fighting until it is 5 m away (1/6 of the rays' 30 m), then strafes
around it (demonstrators.py, `_fight_move`); the move keys are world directions, so the key's angle to the
enemy's world direction (heading + bearing) says which of the two it is doing. Distances are the observation's
`enemy_distance` (the rays' range = 1). Reads the groups `panel_groups.py` recorded; `--run`/`--data`: the
model's training run and a recording to feed it (its rushers' first `--episodes` episodes)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from panel_groups import load_groups  # noqa: E402

from botsdk.arena.contract import PERSONAS, arena_contract  # noqa: E402
from botsdk.arena.motor import MOVE_DIRS  # noqa: E402
from botsdk.evaluation.features import Episode  # noqa: E402

BANDS = ((0.0, 0.1), (0.1, 0.15), (0.15, 0.2), (0.2, 0.3), (0.3, 0.5))
ANGLE_EDGES = (0.0, 22.5, 67.5, 112.5, 157.5, 180.1)   # classes 0, 45, 90, 135, 180 degrees
ANGLES = ("0", "45", "90", "135", "180")
KEY_DEG = np.degrees(np.arctan2(MOVE_DIRS[:, 1], MOVE_DIRS[:, 0]))  # index 0 (no key) is never used


def key_classes(heading_deg: float, bearing_deg: float) -> np.ndarray:
    """int[9]: each move key's angle class to the enemy's world direction."""
    off = np.abs((KEY_DEG - (heading_deg + bearing_deg) + 180.0) % 360.0 - 180.0)
    return np.digitize(off, ANGLE_EDGES) - 1


def band_of(distance: float) -> int | None:
    return next((i for i, (lo, hi) in enumerate(BANDS) if lo <= distance < hi), None)


def distance_shares(episodes: Sequence[Episode], style: str) -> np.ndarray:
    """float[len(BANDS)]: the share of a persona's steps with an enemy visible in each distance band."""
    chosen = [e for e in episodes if e.meta.get("style") == style]
    cues = np.concatenate([e.cues[:-1] for e in chosen])
    visible, distance = cues[:, 0] > 0.5, cues[:, 4]
    return np.array([np.mean(visible & (distance >= lo) & (distance < hi)) for lo, hi in BANDS])


def move_angles(episodes: Sequence[Episode], style: str = "rusher") -> tuple[np.ndarray, np.ndarray]:
    """float[bands, 5] each: the share of enemy-visible steps by the move key's angle class, and by the angle class
    of the way the player was moving when it chose (its last step's displacement; standing still counts in none)."""
    keys, moving = np.zeros((len(BANDS), len(ANGLES))), np.zeros((len(BANDS), len(ANGLES)))
    steps = np.zeros(len(BANDS))
    for e in (e for e in episodes if e.meta.get("style") == style):
        cues = e.cues[:-1]
        bearing = np.degrees(np.arctan2(cues[:, 1], cues[:, 2]))
        heading = np.degrees(e.headings[:-1])
        moved = np.diff(e.positions, axis=0)
        for t in np.flatnonzero(cues[:, 0] > 0.5):
            band = band_of(cues[t, 4])
            if band is None:
                continue
            steps[band] += 1
            classes = key_classes(heading[t], bearing[t])
            if e.actions[t, 0] > 0:
                keys[band, classes[e.actions[t, 0]]] += 1
            if t > 0 and np.hypot(*moved[t - 1]) > 1e-3:
                way = np.degrees(np.arctan2(moved[t - 1, 1], moved[t - 1, 0]))
                off = abs((way - (heading[t] + bearing[t]) + 180.0) % 360.0 - 180.0)
                moving[band, np.digitize(off, ANGLE_EDGES) - 1] += 1
    return keys / np.maximum(steps, 1)[:, None], moving / np.maximum(steps, 1)[:, None]


def teacher_forced_moves(run_dir: Path, data: Path, style: str, episodes: int) -> tuple[np.ndarray, np.ndarray]:
    """(model's probability mass by angle class [bands, 5], what people did [bands, 5]) on recorded steps."""
    import torch

    from answer_hazard import teacher_forced

    where = arena_contract().newest_fields()
    model, people = np.zeros((len(BANDS), len(ANGLES))), np.zeros((len(BANDS), len(ANGLES)))
    steps = np.zeros(len(BANDS))
    for obs, actions, logits in teacher_forced(run_dir, data, episodes, style):
        p_move = torch.softmax(logits[0], -1).numpy()
        for t in np.flatnonzero(obs[:, where["enemy_visible"]] > 0.5):
            band = band_of(float(obs[t, where["enemy_distance"]]))
            if band is None:
                continue
            classes = key_classes(*_heading_and_bearing(obs[t], where))
            steps[band] += 1
            np.add.at(model[band], classes[1:], p_move[t, 1:])
            if actions[t, 0] > 0:
                people[band, classes[actions[t, 0]]] += 1
    return model / np.maximum(steps, 1)[:, None], people / np.maximum(steps, 1)[:, None]


def _heading_and_bearing(obs: np.ndarray, where: dict[str, int]) -> tuple[float, float]:
    heading = np.degrees(np.arctan2(obs[where["heading_sin"]], obs[where["heading_cos"]]))
    bearing = np.degrees(np.arctan2(obs[where["enemy_bearing_sin"]], obs[where["enemy_bearing_cos"]]))
    return float(heading), float(bearing)


def own_probabilities(groups_dir: Path, model_path: Path, seed: int, style: str = "rusher") -> np.ndarray:
    """float[bands, 5]: in the model's own play on the reference matches, the probability mass its move head gives
    each angle class (before sampling)."""
    from turn_jerks import play

    from botsdk.export.controller import PolicyController

    where = arena_contract().newest_fields()
    mass, steps = np.zeros((len(BANDS), len(ANGLES))), np.zeros(len(BANDS))

    class Logged(PolicyController):
        def act(self, observation: np.ndarray, view: object = None) -> np.ndarray:
            action = super().act(observation, view)
            band = band_of(float(observation[where["enemy_distance"]]))
            if self.style == style and observation[where["enemy_visible"]] > 0.5 and band is not None:
                classes = key_classes(*_heading_and_bearing(observation, where))
                steps[band] += 1
                np.add.at(mass[band], classes[1:], self.runtime.probabilities()[0][0, 1:])
            return action

    play(groups_dir, model_path, seed, controller=Logged)
    return mass / np.maximum(steps, 1)[:, None]


def oracle_auc(groups_dir: Path, model_path: Path, seed: int, which: str = "fight", discriminators: int = 3
               ) -> tuple[float, dict]:
    """The bot on the reference matches with one change: the move key is its shadow's (a training player of the
    slot's persona seeing every step), while a rusher's shadow tracks a visible enemy (`which` "fight") or always
    ("moves"), and the runtime is told (`applied`). Judged as sampling_seeds.py judges."""
    from sampling_seeds import judge
    from turn_jerks import play

    from botsdk.arena.demonstrators import make_demonstrator, player_ids
    from botsdk.export.controller import PolicyController

    class FightsAsPeople(PolicyController):
        def reset(self, agent_id: str, seed: int) -> None:
            super().reset(agent_id, seed)
            self.shadow = make_demonstrator(self.style, seed, player_id=player_ids(self.style, 3)[0],
                                            report_probs=False)
            self.shadow.reset(agent_id, seed)

        def act(self, observation: np.ndarray, view: object = None) -> np.ndarray:
            action = super().act(observation, view)
            shadow = self.shadow.act(observation, view)
            fighting = self.style == "rusher" and self.shadow.motor.tracking and view.enemy_visible
            if which == "moves" or fighting:
                action = action.copy()
                action[0] = shadow[0]
                self.runtime.applied([self._key], action[None])
            return action

    return judge(load_groups(groups_dir), play(groups_dir, model_path, seed, controller=FightsAsPeople),
                 discriminators)


def _band_name(i: int) -> str:
    lo, hi = BANDS[i]
    return f"{lo * 30:.1f}-{hi * 30:.1f} m"


def print_table(title: str, rows: dict[str, np.ndarray]) -> None:
    print(f"\n{title}\n| distance | " + " | ".join(rows) + " |\n|---|" + "---|" * len(rows))
    for i in range(len(BANDS)):
        print(f"| {_band_name(i)} | " + " | ".join(
            " / ".join(f"{v:.2f}" for v in table[i]) for table in rows.values()) + " |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("groups", type=Path)
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--run", type=Path, default=None, help="the model's training run (teacher-forced rows)")
    parser.add_argument("--data", type=Path, default=None, help="a recording to feed it (teacher-forced rows)")
    parser.add_argument("--episodes", type=int, default=150)
    parser.add_argument("--seed", type=int, default=1, help="the model's sampling seed")
    parser.add_argument("--oracle", choices=["fight", "moves"], default=None,
                        help="only the AUC of the bot with a training player's move keys (a rusher's fights, or all)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3], help="sampling seeds for --oracle")
    args = parser.parse_args()
    if args.oracle:
        for seed in args.seeds:
            value, judges = oracle_auc(args.groups, args.model, seed, args.oracle)
            print(f"seed {seed}: AUC {value:.3f} judges {judges}", flush=True)
        sys.exit(0)
    from turn_jerks import play

    loaded = load_groups(args.groups)
    groups = {"people": loaded["people"], "other people": loaded["others"], "bot": play(args.groups, args.model,
                                                                                        args.seed)}
    print("| share of steps with an enemy visible | " + " | ".join(_band_name(i) for i in range(len(BANDS))) + " |")
    print("|---|" + "---|" * len(BANDS))
    for style in PERSONAS:
        for name, episodes in groups.items():
            print(f"| {style}, {name} | " + " | ".join(f"{v:.3f}" for v in distance_shares(episodes, style)) + " |")
    measured = {name: move_angles(episodes) for name, episodes in groups.items()}
    print_table("Which way a rusher was moving when it chose, vs the enemy's direction (0 / 45 / 90 / 135 / 180 "
                "degrees; share of steps with the enemy visible)", {name: m[1] for name, m in measured.items()})
    angles = {name: m[0] for name, m in measured.items()}
    angles["bot's own probabilities"] = own_probabilities(args.groups, args.model, args.seed)
    if args.run is not None and args.data is not None:
        model, people = teacher_forced_moves(args.run, args.data, "rusher", args.episodes)
        angles["recording (teacher-forced rows)"], angles["model on them"] = people, model
    print_table("Rusher's move key vs the enemy's direction (0 / 45 / 90 / 135 / 180 degrees; share of steps with "
                "the enemy visible; no key is the rest)", angles)
