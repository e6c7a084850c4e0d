"""Style statistics measured from trajectories alone (positions, headings, actions, infos): what tells a rusher from
a holder, and a person from the robotic bot. Training and evaluation reuse these.

Definitions (decision rate 16 Hz):
  mean_speed            m/s, mean over steps of |position[t+1] - position[t]| * 16
  stationary_fraction   share of steps moving slower than 0.5 m/s
  engagement_distance   mean distance to the nearest visible enemy at the steps the agent fires with one in view
  route_shares          share of trajectories per route: the route whose checkpoints (between spawn and objective)
                        were passed within 3 m the furthest in order; "none" when no route's first one was
  reaction_time_s       from an enemy coming into view (after >= 8 steps with none) to the first shot, averaged
                        over such onsets where the enemy stayed in view until the shot
  aim_error_deg         mean angle between the heading and the nearest visible enemy right after each shot
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any, Iterable, Mapping

import numpy as np

DECISION_HZ = 16.0
STATIONARY_SPEED = 0.5
ROUTE_PASS_DISTANCE = 3.0
ONSET_GAP = 8


def _get(traj: Any, name: str) -> Any:
    return traj[name] if isinstance(traj, Mapping) else getattr(traj, name)


def route_taken(positions: np.ndarray, arena_map, team: str) -> str:
    """The route whose checkpoints (after the spawn, before the objective) the agent passed most of, in order from
    the first; ties go to the closer fit. "none" when no route's first checkpoint was passed."""
    best, best_key = "none", (0, -math.inf)
    for name in arena_map.routes[team]:
        pts = arena_map.route_points(team, name)[1:-1]
        if len(pts) == 0:
            continue
        d = np.min(np.hypot(positions[None, :, 0] - pts[:, None, 0], positions[None, :, 1] - pts[:, None, 1]), axis=1)
        passed = int(np.argmin(np.append(d <= ROUTE_PASS_DISTANCE, False)))  # leading run of passed checkpoints
        key = (passed, -float(d[:max(passed, 1)].mean()))
        if passed > 0 and key > best_key:
            best, best_key = name, key
    return best


def _reaction_steps(visible: np.ndarray, fire: np.ndarray) -> list[int]:
    """visible[t]: enemy in view in observation t; fire[t]: shot commanded at step t (acting on observation t)."""
    out = []
    gap = ONSET_GAP
    t = 0
    n = len(fire)
    while t < n:
        if visible[t] and gap >= ONSET_GAP:
            onset = t
            k = t
            while k < n and visible[k] and not fire[k]:
                k += 1
            if k < n and visible[k] and fire[k]:
                out.append(k - onset)
            gap = 0
            t = k + 1
            continue
        gap = 0 if visible[t] else gap + 1
        t += 1
    return out


def style_statistics(trajectories: Iterable[Any]) -> dict[str, Any]:
    """Aggregate statistics over trajectories (Trajectory objects or dicts with the same fields and `meta`)."""
    from botsdk.arena.maps import load_map

    speeds, distances, aims, reactions = [], [], [], []
    routes: Counter[str] = Counter()
    fires = interacts = steps = 0
    n = 0
    for traj in trajectories:
        infos = _get(traj, "infos")
        actions = np.asarray(_get(traj, "actions"))
        pos = np.asarray(infos["position"], dtype=np.float64)
        if len(actions) == 0:
            continue
        n += 1
        speeds.append(np.hypot(*np.diff(pos, axis=0).T) * DECISION_HZ)
        fire = actions[:, 2] == 1
        fires += int(fire.sum())
        interacts += int((actions[:, 3] == 1).sum())
        steps += len(actions)
        if "enemy_distance" in infos:
            dist = np.asarray(infos["enemy_distance"], dtype=np.float64)
            aim = np.asarray(infos["aim_error"], dtype=np.float64)
            visible = dist >= 0.0  # -1 marks "no enemy in view"
            shot_seen = fire & visible[1:]
            distances.append(dist[1:][shot_seen])
            aims.append(np.degrees(aim[1:][shot_seen]))
            reactions += _reaction_steps(visible[:-1], fire)
        meta = _get(traj, "meta") or {}
        if meta.get("map") and meta.get("team"):
            routes[route_taken(pos, load_map(meta["map"]), meta["team"])] += 1
    speed = np.concatenate(speeds) if speeds else np.zeros(0)
    dist_all = np.concatenate(distances) if distances else np.zeros(0)
    aim_all = np.concatenate(aims) if aims else np.zeros(0)
    total_routes = sum(routes.values())
    return {
        "episodes": n,
        "steps": steps,
        "mean_speed": _mean(speed),
        "stationary_fraction": _mean(speed < STATIONARY_SPEED),
        "engagement_distance": _mean(dist_all),
        "route_shares": {k: v / total_routes for k, v in sorted(routes.items())} if total_routes else {},
        "reaction_time_s": _mean(np.asarray(reactions, dtype=np.float64)) / DECISION_HZ if reactions else float("nan"),
        "reaction_samples": len(reactions),
        "aim_error_deg": _mean(aim_all),
        "aim_samples": int(aim_all.size),
        "fire_rate": fires / steps if steps else float("nan"),
        "interact_rate": interacts / steps if steps else float("nan"),
    }


def _mean(x: np.ndarray) -> float:
    x = np.asarray(x, dtype=np.float64)
    return float(x.mean()) if x.size else float("nan")


def statistics_by(trajectories: Iterable[Any], key: str = "style") -> dict[str, dict[str, Any]]:
    """style_statistics per value of meta[key] (style, player_id, source, ...)."""
    groups: dict[str, list] = {}
    for traj in trajectories:
        groups.setdefault(str((_get(traj, "meta") or {}).get(key)), []).append(traj)
    return {k: style_statistics(v) for k, v in sorted(groups.items())}
