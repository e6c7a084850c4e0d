"""Arena maps: the built-in set loads and is navigable; the QA map's seeded defects really happen in the
simulation; malformed files name the file and the field."""

import json

import numpy as np
import pytest

from botsdk.arena import MapError, list_maps, load_map
from botsdk.arena.batch import ArenaBatch


def test_built_in_maps_have_routes_checkpoints_and_bounds():
    names = list_maps()
    assert {"crossroads", "depot", "qa_defects"} <= set(names)
    for name in names:
        m = load_map(name)
        nav = m.nav()
        assert m.width > 0 and m.height > 0
        for team in ("blue", "red"):
            assert len(m.routes[team]) >= 3
            paths = {tuple(r) for r in m.routes[team].values()}
            assert len(paths) == len(m.routes[team]), "routes must be distinct"
            for route in m.routes[team]:
                for x, y in m.route_points(team, route):
                    assert nav.reachable[nav.cell_of(x, y)], (name, team, route, x, y)
        assert all(c in m.checkpoints for c in m.golden_path)
        assert m.reachable_cells(2.0).sum() > 100


def test_reachable_pickups_on_regular_maps():
    for name in ("crossroads", "depot"):
        m = load_map(name)
        nav = m.nav()
        assert all(nav.reachable[nav.cell_of(p.x, p.y)] for p in m.pickups)


def _defect(kind):
    defects = load_map("qa_defects").metadata["defects"]
    return next(d for d in defects if d["kind"] == kind)


def _drive(batch, moves, steps):
    acts = np.zeros((1, batch.n_agents, 4), dtype=np.int64)
    acts[0, 0, 0] = moves
    acts[0, 0, 1] = 7  # no turn
    trace = []
    for _ in range(steps):
        batch.step(acts)
        trace.append(batch.pos[0, 0].copy())
    return np.array(trace)


def test_qa_leak_lets_an_agent_out_of_bounds():
    leak = _defect("leak")
    batch = ArenaBatch("qa_defects", team_size=1, max_steps=200)
    batch.reset([0])
    batch.pos[0, 0] = (leak["x"], 3.0)
    trace = _drive(batch, 5, 30)  # walk south through the gap
    assert trace[-1, 1] < 0.0
    assert batch.out_of_bounds()[0, 0]
    assert batch.agent_info(0, 0)["out_of_bounds"] is True
    batch.reset([0])
    batch.pos[0, 0] = (leak["x"] + 6.0, 3.0)  # the same walk beside the gap is stopped by the wall
    trace = _drive(batch, 5, 30)
    assert trace[-1, 1] >= 0.5 - 1e-9 and not batch.out_of_bounds()[0, 0]


def test_qa_trap_holds_an_agent_that_walks_in():
    trap = _defect("trap")
    batch = ArenaBatch("qa_defects", team_size=1, max_steps=400)
    batch.reset([0])
    batch.pos[0, 0] = (trap["x"], trap["y"] - 3.0)
    _drive(batch, 1, 20)  # north into the alcove
    inside = batch.pos[0, 0].copy()
    assert np.hypot(*(inside - (trap["x"], trap["y"]))) < trap["radius"]
    for move in range(1, 9):  # every direction: it never gets out
        trace = _drive(batch, move, 12)
        assert np.all(np.hypot(trace[:, 0] - trap["x"], trace[:, 1] - trap["y"]) < 1.5)
        assert batch.commanded[0, 0]


def test_qa_vault_pickup_is_unreachable():
    vault = _defect("unreachable_pickup")
    m = load_map("qa_defects")
    nav = m.nav()
    assert not nav.reachable[nav.cell_of(vault["x"], vault["y"])]
    assert any(p.name == vault["name"] and (p.x, p.y) == (vault["x"], vault["y"]) for p in m.pickups)


def _write(tmp_path, data, name="bad.json"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


@pytest.mark.parametrize("mutate, field", [
    (lambda d: d.pop("bounds"), "bounds"),
    (lambda d: d["walls"].__setitem__(1, [0, 0, 1]), "walls[1]"),
    (lambda d: d["routes"]["red"]["mid"].__setitem__(1, "nowhere"), "routes.red.mid[1]"),
    (lambda d: d.__setitem__("spawnz", {}), "spawnz"),
    (lambda d: d["pickups"][0].__setitem__("kind", "gold"), "pickups[0].kind"),
    (lambda d: d["objective"].__setitem__("radius", "big"), "objective.radius"),
])
def test_malformed_map_names_file_and_field(tmp_path, mutate, field):
    data = json.loads(open(load_map("crossroads").path).read())
    mutate(data)
    path = _write(tmp_path, data)
    with pytest.raises(MapError) as info:
        load_map(path)
    assert str(path) in str(info.value) and f"'{field}'" in str(info.value)
    assert info.value.field == field


def test_invalid_json_and_unknown_name(tmp_path):
    path = _write(tmp_path, "{not json", "broken.json")
    with pytest.raises(MapError, match="broken.json"):
        load_map(path)
    with pytest.raises(FileNotFoundError, match="crossroads"):
        load_map("no_such_map")
