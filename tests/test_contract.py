"""The behaviour contract: JSON round trip, stable hash, clear errors, compatibility rule, CLI."""

import json
import subprocess
import sys
from dataclasses import replace

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
    schema_path,
)

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
