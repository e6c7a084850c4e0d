"""The behaviour contract: JSON round trip, a hash other languages reproduce, element definitions, clear errors,
compatibility rule, CLI."""

import hashlib
import json
import math
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from botsdk.arena.contract import arena_contract
from botsdk.contract import (
    ActionHead,
    BehaviourContract,
    ContractError,
    IncompatibleContractError,
    ObservationBlock,
    RaySensorSpec,
    StyleSpec,
    check_compatible,
    contract_differences,
    load_contract,
    schema_path,
)
from botsdk.contract.canonical import CanonicalFormError, jcs
from botsdk.contract.canonical import number as canonical_number
from botsdk.contract.hash_vectors import VECTORS_PATH, build_vectors
from botsdk.contract.render import elements_markdown

names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8)
finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@st.composite
def contracts(draw) -> BehaviourContract:
    tags = tuple(draw(st.lists(names, min_size=1, max_size=5, unique=True)))
    if draw(st.booleans()):
        rays = RaySensorSpec("fan2d", draw(st.floats(0.1, 500)), tags, ray_count=draw(st.integers(1, 64)),
                             fov_deg=draw(st.floats(0, 360)), offset=(draw(finite), draw(finite)))
    else:
        rays = RaySensorSpec("grid3d", draw(st.floats(0.1, 500)), tags, azimuth_count=draw(st.integers(1, 16)),
                             elevation_count=draw(st.integers(1, 16)), azimuth_fov_deg=draw(st.floats(0, 360)),
                             elevation_fov_deg=draw(st.floats(0, 180)), foveation=draw(st.floats(0, 0.99)),
                             offset=(draw(finite), draw(finite), draw(finite)))
    extra = draw(st.lists(names.filter(lambda n: n != "rays"), max_size=3, unique=True))
    blocks = (ObservationBlock("rays", rays.size),) + tuple(ObservationBlock(n, draw(st.integers(1, 50))) for n in extra)
    heads = tuple(ActionHead(n, tuple(draw(st.lists(st.one_of(finite, names, st.integers(-5, 5)), min_size=1, max_size=9))))
                  for n in draw(st.lists(names, min_size=1, max_size=4, unique=True)))
    size = draw(st.integers(1, 8))
    personas = tuple((n, tuple(draw(st.lists(finite, min_size=size, max_size=size))))
                     for n in draw(st.lists(names, max_size=4, unique=True)))
    return BehaviourContract(
        name=draw(names), version=f"{draw(st.integers(0, 9))}.{draw(st.integers(0, 9))}.{draw(st.integers(0, 9))}",
        observation=blocks, rays=rays, actions=heads, style=StyleSpec(size, personas),
        decision_hz=draw(st.floats(0.5, 240)), frame_stack=draw(st.integers(1, 4)),
    )


@settings(max_examples=150, deadline=None)
@given(contracts())
def test_json_round_trip_keeps_contract_and_hash(contract: BehaviourContract) -> None:
    text = contract.to_json()
    again = BehaviourContract.from_json(text)
    assert again == contract
    assert again.content_hash == contract.content_hash
    assert BehaviourContract.from_json(again.to_json(indent=None)).content_hash == contract.content_hash


def test_hash_changes_with_content() -> None:
    base = arena_contract()
    assert replace(base, decision_hz=30.0).content_hash != base.content_hash
    assert replace(base, version="1.0.1").content_hash != base.content_hash


def _arena_doc() -> dict:
    doc = json.loads(arena_contract().to_json())
    del doc["content_hash"]
    return doc


@pytest.mark.parametrize(
    "mutate, field",
    [
        (lambda d: d.pop("actions"), "actions"),
        (lambda d: d.pop("decision_hz"), "decision_hz"),
        (lambda d: d.__setitem__("decision_hz", "fast"), "decision_hz"),
        (lambda d: d["observation"][1].__setitem__("size", -3), "observation[1].size"),
        (lambda d: d["rays"].__setitem__("tags", ["wall", "enemy", "wall"]), "rays.tags"),
        (lambda d: d["rays"].__setitem__("ray_count", 0), "rays.ray_count"),
        (lambda d: d["rays"].__setitem__("fov_deg", 400), "rays.fov_deg"),
        (lambda d: d["rays"].__setitem__("max_distance", 0), "rays.max_distance"),
        (lambda d: d.__setitem__("format", "botsdk.contract/9"), "format"),
        (lambda d: d.__setitem__("version", "1.2"), "version"),
        (lambda d: d["style"]["personas"].__setitem__("rusher", [1.0]), "style.personas.rusher"),
        (lambda d: d["observation"][0].__setitem__("size", 5), "observation[rays].size"),
        (lambda d: d.__setitem__("colour", "red"), "colour"),
        (lambda d: d["actions"].append(dict(d["actions"][0])), "actions"),
    ],
)
def test_malformed_contracts_name_the_field(mutate, field) -> None:
    doc = _arena_doc()
    mutate(doc)
    with pytest.raises(ContractError) as err:
        BehaviourContract.from_dict(doc)
    assert err.value.field == field
    assert f"'{field}'" in str(err.value) and "expected" in str(err.value)


def test_tampered_hash_is_refused() -> None:
    doc = json.loads(arena_contract().to_json())
    doc["decision_hz"] = 8.0
    with pytest.raises(ContractError, match="content_hash"):
        BehaviourContract.from_dict(doc)


def test_compatibility_rule() -> None:
    model = replace(arena_contract(), version="1.2.0")
    check_compatible(model, replace(model, version="1.3.5"))          # newer minor data: safe
    check_compatible(model, replace(model, version="1.2.9", description="patched"))
    extra = replace(model.style, personas=model.style.personas + (("sniper", (0.0,) * 7 + (1.0,)),))
    check_compatible(model, replace(model, version="1.3.0", style=extra))  # a minor may add personas
    with pytest.raises(IncompatibleContractError, match=r"version \(minor\)"):
        check_compatible(model, replace(model, version="1.1.0"))
    with pytest.raises(IncompatibleContractError, match=r"version \(major\)"):
        check_compatible(model, replace(model, version="2.2.0"))
    with pytest.raises(IncompatibleContractError, match="rays.ray_count: model has 32, data has 16") as err:
        other_rays = replace(model.rays, ray_count=16)
        other = replace(model, rays=other_rays,
                        observation=(ObservationBlock("rays", other_rays.size),) + model.observation[1:])
        check_compatible(model, other, "model", "data")
    assert "observation" in str(err.value)
    turned = replace(model, actions=(model.actions[0], replace(model.actions[1], values=(0.0, 1.0)),) + model.actions[2:])
    assert [d.field for d in contract_differences(model, turned)] == ["actions.turn.values"]


def test_schema_file_describes_every_top_level_field() -> None:
    schema = json.loads(schema_path().read_text())
    assert set(json.loads(arena_contract().to_json())) <= set(schema["properties"])


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "botsdk.cli", *args], capture_output=True, text=True, timeout=60)


def test_cli_validate_and_show(tmp_path) -> None:
    good = tmp_path / "good.json"
    good.write_text(arena_contract().to_json())
    ok = _cli("contract", "validate", str(good))
    assert ok.returncode == 0, ok.stderr
    assert arena_contract().content_hash in ok.stdout
    shown = _cli("contract", "show", str(good))
    assert BehaviourContract.from_json(shown.stdout) == arena_contract()
    doc = _arena_doc()
    doc["rays"]["tags"] = ["wall", "wall"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    result = _cli("contract", "validate", str(bad))
    assert result.returncode == 2
    assert "rays.tags" in result.stderr and "duplicate tag 'wall'" in result.stderr


def test_cli_help_lists_commands_and_version() -> None:
    help_text = _cli("--help").stdout
    for command in ("version", "contract", "bench"):
        assert command in help_text
    assert "botsdk 0.1.0" in _cli("version").stdout


def test_import_botsdk_is_cheap_and_torch_free() -> None:
    code = "import sys, botsdk, botsdk.arena.contract; print(sorted(m for m in ('torch','numba','onnxruntime','grpc') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_every_command_has_a_one_line_summary() -> None:
    import typer.main

    from botsdk.cli import build_app

    group = typer.main.get_command(build_app())
    for name, command in group.commands.items():
        summary = (command.help or "").strip().split("\n\n")[0]
        assert summary and "\n" not in summary and len(summary) <= 60, f"{name}: {summary!r}"


def test_serving_side_packages_never_import_torch() -> None:
    code = ("import sys, botsdk.sensors, botsdk.arena, botsdk.arena.rollout, botsdk.export.runtime, botsdk.game_bridge.server, "
            "botsdk.dataset, botsdk.playtest.detectors; from botsdk.arena import parallel_env; "
            "parallel_env().reset(seed=0); print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "False", out.stdout + out.stderr


# ---- canonical form and hash portability -------------------------------------------------------------------------

FIXTURES = Path(__file__).parent / "fixtures" / "contracts"
NODE_SCRIPT = Path(__file__).parent / "node" / "contract_hash.mjs"


def _reshaped(value, reverse: bool = True):
    """The same JSON content written differently: whole floats as integers, object members in reverse order."""
    if isinstance(value, dict):
        items = list(value.items())[::-1] if reverse else list(value.items())
        return {k: _reshaped(v, reverse) for k, v in items}
    if isinstance(value, list):
        return [_reshaped(v, reverse) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def test_integers_vs_floats_and_reordered_keys_give_one_hash(tmp_path) -> None:
    contract = arena_contract()
    doc = json.loads(contract.to_json())
    rewritten = _reshaped(doc)
    text = json.dumps(rewritten)
    assert '"decision_hz": 16,' in text and list(rewritten)[0] != list(doc)[0]  # really written differently
    again = BehaviourContract.from_dict(rewritten)  # its claimed hash validates
    assert again.content_hash == contract.content_hash
    path = tmp_path / "rewritten.json"
    path.write_text(text)
    result = _cli("contract", "validate", str(path))
    assert result.returncode == 0 and contract.content_hash in result.stdout, result.stderr


def test_canonical_form_follows_rfc8785() -> None:
    assert jcs({"b": [1.0, 2.5, -0.0], "a": {"z": None, "y": True}, "\u00e9": "\n"}) == \
        '{"a":{"y":true,"z":null},"b":[1,2.5,0],"é":"\\n"}'
    assert [canonical_number(x) for x in (1e21, 1e20, 1e-7, 1e-6, 123e-20, 5e-324, 0.1 + 0.2)] == \
        ["1e+21", "100000000000000000000", "1e-7", "0.000001", "1.23e-18", "5e-324", "0.30000000000000004"]
    assert jcs({"\U0001F600": 1, "\uFB01": 2}) == '{"\U0001F600":1,"\uFB01":2}'  # UTF-16 order: D83D < FB01
    for bad in (float("nan"), float("inf"), 2 ** 60, {1: "x"}, "\ud800"):
        with pytest.raises(CanonicalFormError):
            jcs(bad)


def test_hash_vectors_are_current() -> None:
    stored = json.loads(VECTORS_PATH.read_text(encoding="utf-8"))
    assert stored == json.loads(json.dumps(build_vectors(), ensure_ascii=False))
    for vector in stored["vectors"]:
        content = {k: v for k, v in vector["document"].items() if k != "content_hash"}
        assert jcs(content) == vector["canonical"]
        assert "sha256:" + hashlib.sha256(vector["canonical"].encode()).hexdigest() == vector["content_hash"]
        assert BehaviourContract.from_dict(vector["document"]).content_hash == vector["content_hash"]


def _node(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["node", str(NODE_SCRIPT), *args], capture_output=True, text=True, timeout=60)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_node_reproduces_the_hash_vectors_and_rejects_a_perturbed_copy(tmp_path) -> None:
    result = _node(str(VECTORS_PATH))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("ok ") == len(json.loads(VECTORS_PATH.read_text())["vectors"]) >= 4
    perturbed = json.loads(VECTORS_PATH.read_text())
    perturbed["vectors"][0]["document"]["decision_hz"] += 1
    path = tmp_path / "perturbed.json"
    path.write_text(json.dumps(perturbed))
    result = _node(str(path))
    assert result.returncode == 1 and "MISMATCH defined" in result.stdout


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_node_writes_every_number_as_the_python_canonical_form(tmp_path) -> None:
    rng = np.random.default_rng(0)
    values = np.concatenate([rng.standard_normal(300) * 10.0 ** rng.integers(-30, 30, 300),
                             rng.integers(-10 ** 6, 10 ** 6, 100).astype(float), [1e21, 1e-7, 2.0 ** 53, 5e-324]])
    path = tmp_path / "numbers.json"
    path.write_text(json.dumps(values.tolist()))  # repr round-trips every double exactly
    result = _node("--canonical", str(path))
    assert result.returncode == 0 and result.stdout == jcs(values.tolist())


def test_format_1_files_still_validate_under_their_own_rule() -> None:
    path = FIXTURES / "arena_format1.json"  # written by a botsdk.contract/1 release
    legacy = load_contract(path)
    claimed = json.loads(path.read_text())["content_hash"]
    assert legacy.format == "botsdk.contract/1" and legacy.content_hash == claimed
    assert json.loads(legacy.to_json()) == json.loads(path.read_text())  # re-written unchanged
    check_compatible(legacy, arena_contract())  # an old model runs on data described by the current contract
    check_compatible(arena_contract(), legacy)
    doc = json.loads(path.read_text())
    doc["frame_fill"] = "first_frame"
    with pytest.raises(ContractError, match="needs botsdk.contract/2"):
        BehaviourContract.from_dict(doc)


# ---- observation element definitions ----------------------------------------------------------------------------

def test_arena_defines_every_observation_element_and_docs_render_them() -> None:
    contract = arena_contract()
    assert all(block.elements for block in contract.observation)
    assert sum(len(b.elements) * b.repeat for b in contract.observation) == contract.frame_size
    for block in contract.observation:
        for element in block.elements:
            assert element.unit and element.range[0] <= element.range[1]
    docs = (Path(__file__).parents[1] / "docs" / "contract.md").read_text()
    assert elements_markdown(contract) in docs, "docs/contract.md: paste `botsdk contract doc` output for the arena"


def test_arena_scales_are_the_simulation_constants() -> None:
    from botsdk.arena import contract as arena, sim

    assert (arena.SCALE_HEALTH, arena.SCALE_AMMO, arena.SCALE_SPEED) == (sim.MAX_HEALTH, sim.MAGAZINE, sim.MAX_SPEED)


def _encode(element, source, quantities) -> float:
    """An engine's encoder written from docs/contract.md alone: one element from its source quantity."""
    t = element["transform"]
    if source is None:
        return t["absent"]
    value = {"sin": lambda: math.sin(source), "cos": lambda: math.cos(source),
             "flag": lambda: 1.0 if source else 0.0,
             "one_hot": lambda: 1.0 if source == t["category"] else 0.0}.get(t["encoding"], lambda: None)()
    if value is None:
        number = lambda v: quantities[v] if isinstance(v, str) else v  # noqa: E731
        value = (source - number(t["offset"])) / number(t["scale"])
    return min(max(value, t["clip"][0]), t["clip"][1]) if t["clip"] else value


def test_element_definitions_rebuild_the_arena_self_and_enemy_blocks() -> None:
    from botsdk.arena.batch import ArenaBatch

    doc = json.loads(arena_contract().to_json())
    batch = ArenaBatch("crossroads", team_size=2, max_steps=200)
    batch.reset([3])
    rng = np.random.default_rng(0)
    m = batch.map
    quantities = {"map_min_x": m.bounds[0], "map_min_y": m.bounds[1], "map_width": m.width, "map_height": m.height,
                  "map_diagonal": m.diagonal, "max_steps": batch.max_steps}
    seen_enemy = False
    for _ in range(40):
        batch.step(np.stack([rng.integers(0, n, (1, batch.n_agents)) for n in batch.contract.head_sizes], -1))
        for a in range(batch.n_agents):
            sources = _arena_sources(batch, a)
            seen_enemy |= sources["enemy_visible"]
            elements = [e for block in doc["observation"][1:] for e in block["elements"]]
            want = np.float32([_encode(e, sources[e["name"]], quantities) for e in elements])
            got = batch.obs[0, a, -len(elements):]
            np.testing.assert_allclose(got, want, atol=2e-7, err_msg=f"agent {a} step {int(batch.steps[0])}")
    assert seen_enemy


def _arena_sources(batch, a: int) -> dict:
    """The raw quantities the element definitions name, read from the simulation state."""
    h, (x, y), (vx, vy) = batch.heading[0, a], batch.pos[0, a], batch.vel[0, a]
    ox, oy = np.subtract(batch.map.objective, (x, y))
    dist = math.hypot(ox, oy)
    ux, uy = ox / dist, oy / dist
    bearing, visible = batch.enemy_bearing[0, a], not np.isnan(batch.enemy_bearing[0, a])
    return {"health": batch.health[0, a], "ammo": batch.ammo[0, a],
            "velocity_forward": vx * math.cos(h) + vy * math.sin(h),
            "velocity_right": vx * math.sin(h) - vy * math.cos(h), "heading_sin": h, "heading_cos": h,
            "position_x": x, "position_y": y, "objective_forward": ux * math.cos(h) + uy * math.sin(h),
            "objective_right": ux * math.sin(h) - uy * math.cos(h), "objective_distance": dist,
            "on_objective": dist <= batch.map.objective_radius, "round_time": batch.steps[0],
            "enemy_visible": visible, "enemy_bearing_sin": bearing if visible else None,
            "enemy_bearing_cos": bearing if visible else None,
            "enemy_aim": math.degrees(bearing) if visible else None,
            "enemy_distance": batch.enemy_distance[0, a] if visible else None}


@pytest.mark.parametrize("mutate, field, message", [
    (lambda d: d["observation"][1]["elements"].pop(), "observation[1].elements", "13 elements in all"),
    (lambda d: d["observation"][1]["elements"][0]["transform"].__setitem__("encoding", "log"),
     "observation[1].elements[0].transform.encoding", "one of"),
    (lambda d: d["observation"][1]["elements"][0]["transform"].__setitem__("scale", 0),
     "observation[1].elements[0].transform.scale", "non-zero"),
    (lambda d: d["observation"][1]["elements"][6]["transform"].__setitem__("scale", "map_size"),
     "observation[self].elements[position_x].transform.scale", "quantity defined in `quantities`"),
    (lambda d: d["observation"][1]["elements"][0].__setitem__("range", [1, 0]),
     "observation[1].elements[0].range", "low <= high"),
    (lambda d: d["observation"][0].__setitem__("repeat", 16), "observation[0].elements", "len(elements) x repeat"),
    (lambda d: d.__setitem__("frame_fill", "zeros"), "frame_fill", "first_frame"),
])
def test_malformed_element_definitions_name_the_field(mutate, field, message) -> None:
    doc = _arena_doc()
    mutate(doc)
    with pytest.raises(ContractError) as err:
        BehaviourContract.from_dict(doc)
    assert err.value.field == field and message in str(err.value)


def test_differing_element_transforms_are_incompatible() -> None:
    model = arena_contract()
    block = model.observation[1]
    rescaled = replace(block.elements[0], transform=replace(block.elements[0].transform, scale=150.0))
    other = replace(model, observation=(model.observation[0], replace(block, elements=(rescaled,) + block.elements[1:]),
                                        model.observation[2]))
    assert [d.field for d in contract_differences(model, other)] == ["observation.self.elements"]
    undefined = replace(model, observation=tuple(replace(b, elements=()) for b in model.observation))
    assert contract_differences(model, undefined) == []  # a side without definitions is no difference


def test_cli_doc_prints_the_element_tables(tmp_path) -> None:
    path = tmp_path / "arena.json"
    path.write_text(arena_contract().to_json())
    result = _cli("contract", "doc", str(path))
    assert result.returncode == 0 and result.stdout.strip() == elements_markdown(arena_contract()).strip()
