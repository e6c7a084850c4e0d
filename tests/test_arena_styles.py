"""Scripted demonstrators: four human styles that differ in measured statistics, a robotic bot that differs from
all of them in reaction time and aim error, sampling distributions that are really the ones sampled, and an
explorer that covers the map."""

import numpy as np
import pytest

from botsdk.arena.demonstrators import (DEMONSTRATOR_STYLES, HUMAN_STYLES, ExplorationMemory, make_demonstrator,
                                        player_ids, player_params)
from botsdk.arena.maps import load_map
from botsdk.arena.rollout import play_match
from botsdk.arena.stats import statistics_by, style_statistics

OPPONENTS = ("objective", "holder", "rusher", "explorer")


@pytest.fixture(scope="module")
def trajectories():
    out = []
    for style in DEMONSTRATOR_STYLES:
        for ep in range(6):
            ids = player_ids(style, 3)
            controllers = {f"blue_{i}": make_demonstrator(style, seed=ep * 7 + i, player_id=ids[(ep + i) % 3])
                           for i in range(2)}
            controllers.update({f"red_{i}": make_demonstrator(OPPONENTS[(ep + i) % 4], seed=100 + ep * 7 + i,
                                                              player_id=f"{OPPONENTS[(ep + i) % 4]}-09")
                                for i in range(2)})
            traj = play_match("crossroads", 1000 + ep, controllers, team_size=2, max_steps=320)
            out += [traj["blue_0"], traj["blue_1"]]
    return out


def _route_distance(a: dict, b: dict) -> float:
    keys = set(a) | set(b)
    return 0.5 * sum(abs(a.get(k, 0.0) - b.get(k, 0.0)) for k in keys)


def test_human_styles_differ_in_statistics(trajectories):
    stats = statistics_by(trajectories)
    for style in DEMONSTRATOR_STYLES:
        assert stats[style]["episodes"] == 12
    r, h, e, o = (stats[s] for s in HUMAN_STYLES)
    assert r["mean_speed"] > 1.3 * max(h["mean_speed"], o["mean_speed"])       # rushers never stop
    assert h["stationary_fraction"] > 1.5 * max(r["stationary_fraction"], e["stationary_fraction"])
    assert o["stationary_fraction"] > 1.5 * max(r["stationary_fraction"], e["stationary_fraction"])
    assert r["engagement_distance"] < 0.75 * min(h["engagement_distance"], o["engagement_distance"])
    assert h["engagement_distance"] > max(e["engagement_distance"], o["engagement_distance"])
    assert _route_distance(r["route_shares"], h["route_shares"]) > 0.25
    assert _route_distance(r["route_shares"], o["route_shares"]) > 0.25
    assert r["engagement_distance"] < e["engagement_distance"] < h["engagement_distance"]
    assert _route_distance(e["route_shares"], h["route_shares"]) > 0.25
    # every pair of styles is apart by a clear margin in at least one statistic
    for i, a in enumerate(HUMAN_STYLES):
        for b in HUMAN_STYLES[i + 1:]:
            sa, sb = stats[a], stats[b]
            gaps = [abs(sa[k] - sb[k]) / max(sa[k], sb[k]) for k in ("mean_speed", "stationary_fraction",
                                                                      "engagement_distance")]
            assert max(gaps) > 0.25 or _route_distance(sa["route_shares"], sb["route_shares"]) > 0.3, (a, b)


def test_robotic_bot_differs_from_every_human_style(trajectories):
    stats = statistics_by(trajectories)
    bot = stats["robotic"]
    assert bot["reaction_samples"] >= 5 and bot["aim_samples"] >= 20
    for style in HUMAN_STYLES:
        human = stats[style]
        assert human["reaction_samples"] >= 3, style
        assert bot["reaction_time_s"] < 0.5 * human["reaction_time_s"], style
        assert bot["reaction_time_s"] < 0.15 <= human["reaction_time_s"], style
        assert bot["aim_error_deg"] < 0.5 * human["aim_error_deg"], style


def test_last_probs_are_the_sampling_distributions(trajectories):
    for traj in trajectories:
        probs = traj.action_probs
        assert probs is not None and [p.shape[1] for p in probs] == [9, 15, 2, 2]
        for head, p in enumerate(probs):
            assert np.allclose(p.sum(axis=1), 1.0, atol=1e-5)
            chosen = p[np.arange(len(traj)), traj.actions[:, head]]
            assert (chosen > 0).all()
        if traj.meta["style"] == "robotic":
            assert all(np.isin(p, (0.0, 1.0)).all() for p in probs)
        else:
            assert any((p.max(axis=1) < 1.0).mean() > 0.5 for p in probs)


def test_players_of_a_style_differ_and_are_reproducible():
    ids = player_ids("holder", 3)
    assert len(set(ids)) == 3
    params = [player_params("holder", pid, 0.7) for pid in ids]
    assert len({p.route_weights for p in params}) == 3
    assert player_params("holder", ids[0], 0.7) == params[0]
    low, high = player_params("rusher", "rusher-00", 0.1), player_params("rusher", "rusher-00", 0.9)
    assert low.motor.reaction_median_s > high.motor.reaction_median_s
    assert low.motor.tracking_noise_deg > high.motor.tracking_noise_deg
    with pytest.raises(ValueError, match="style: expected one of"):
        make_demonstrator("camper", 0)


def test_explorer_covers_the_map():
    m = load_map("crossroads")
    mask = m.reachable_cells(2.0)
    seen = np.zeros_like(mask)
    memory = ExplorationMemory()
    names = ["blue_0", "blue_1", "red_0", "red_1"]
    for ep in range(8):
        controllers = {a: make_demonstrator("explorer", seed=ep * 4 + i, player_id=f"explorer-{i:02d}", memory=memory)
                       for i, a in enumerate(names)}
        for traj in play_match("crossroads", ep, controllers, team_size=2, max_steps=480).values():
            p = traj.infos["position"]
            i = np.clip(((p[:, 0] - m.bounds[0]) // 2.0).astype(int), 0, mask.shape[1] - 1)
            j = np.clip(((p[:, 1] - m.bounds[1]) // 2.0).astype(int), 0, mask.shape[0] - 1)
            seen[j, i] = True
        if (seen & mask).sum() >= 0.9 * mask.sum():
            break
    assert (seen & mask).sum() >= 0.9 * mask.sum()


def test_style_statistics_on_a_known_trajectory():
    class T:
        pass

    t = T()
    t.actions = np.zeros((4, 4), dtype=np.int64)
    t.actions[2, 2] = 1
    t.infos = {"position": np.array([[0, 0], [0, 0], [1, 0], [2, 0], [2, 0]], np.float32),
               "enemy_distance": np.array([-1, 10, 10, 10, 10], np.float32),
               "aim_error": np.array([-1, 0.1, 0.1, np.radians(3), 0.1], np.float32)}
    t.meta = {}
    s = style_statistics([t])
    assert s["mean_speed"] == pytest.approx(8.0)  # 2 m over 4 steps at 16 Hz
    assert s["stationary_fraction"] == pytest.approx(0.5)
    assert s["engagement_distance"] == pytest.approx(10.0)
    assert s["aim_error_deg"] == pytest.approx(3.0, abs=1e-4)
    assert s["reaction_time_s"] == pytest.approx(1 / 16)  # seen in obs 1, fired at step 2


def test_explorers_walk_into_the_qa_defects():
    m = load_map("qa_defects")
    defects = {d["kind"]: d for d in m.metadata["defects"]}
    trap = defects["trap"]
    memory = ExplorationMemory()
    names = ["blue_0", "blue_1", "red_0", "red_1"]
    leaked = trapped = False
    for ep in range(6):
        controllers = {a: make_demonstrator("explorer", seed=ep * 4 + i, player_id=f"explorer-{i:02d}", memory=memory)
                       for i, a in enumerate(names)}
        for traj in play_match("qa_defects", ep, controllers, team_size=2, max_steps=480).values():
            leaked |= bool(traj.infos["out_of_bounds"].any())
            p = traj.infos["position"]
            inside = np.hypot(p[:, 0] - trap["x"], p[:, 1] - trap["y"]) < trap["radius"]
            if inside.any():  # once in, it stays in for the rest of the round while still commanding moves
                first = int(np.argmax(inside))
                assert inside[first:].all() and traj.infos["commanded_move"][first:].mean() > 0.5
                trapped = True
        if leaked and trapped:
            break
    assert leaked and trapped
