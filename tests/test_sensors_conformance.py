"""The shipped conformance vectors are reproduced by the kernels and match the reference that wrote them; `botsdk
sensors check` verifies copies and engine outputs; the epsilon rule agrees with the misses beyond max distance."""

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest

from botsdk.sensors import ray_angles, reference
from botsdk.sensors.conformance import GUIDE_PATH, load_vector, mismatches, replay, spec_from_dict, vector_paths
from botsdk.sensors.conformance.cases import CASES_2D, CASES_3D, expected

PATHS = vector_paths()


def test_every_case_has_a_vector_file():
    assert sorted(p.stem for p in PATHS) == sorted(c["name"] for c in CASES_2D + CASES_3D)
    guide = GUIDE_PATH.read_text()
    for path in PATHS:
        assert path.name in guide or path.stem in {"miss", "many_agents", "grid3d_foveated"}, path.name


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_kernels_reproduce_vector(path):
    vector = load_vector(path)
    assert mismatches(vector, replay(vector)) == []


@pytest.mark.parametrize("case", CASES_2D + CASES_3D, ids=[c["name"] for c in CASES_2D + CASES_3D])
def test_vector_files_are_current(case):
    stored = load_vector(next(p for p in PATHS if p.stem == case["name"]))
    assert json.loads(json.dumps(case)) == {k: v for k, v in stored.items() if k != "expected"}
    np.testing.assert_allclose(stored["expected"], expected(case), atol=1e-12)


def test_mismatches_reports_a_wrong_tag():
    vector = load_vector(PATHS[0])
    got = replay(vector).copy()
    width = len(vector["spec"]["tags"]) + 2
    got[0, :width - 2] = np.roll(got[0, :width - 2], 1)
    assert mismatches(vector, got) and "agent 0 ray 0" in mismatches(vector, got)[0]


EDGE_CASES = ("heading_half_pi_wall_along_ray", "heading_pi_wall_along_ray", "origin_on_circle_edge_facing_away",
              "zero_radius_circle_ignored", "zero_length_segment", "tie_between_walls_lower_index",
              "tie_between_circles_lower_index", "circle_at_exactly_max_distance", "wall_just_beyond_max_distance",
              "grid3d_zero_radius_sphere_ignored", "grid3d_yaw_half_pi_along_box_face")


def test_suite_has_at_least_40_cases_covering_the_edges():
    assert len(PATHS) >= 40
    assert set(EDGE_CASES) <= {p.stem for p in PATHS}


def _sensors_check(*args: str):
    from typer.testing import CliRunner

    from botsdk.cli import build_app

    return CliRunner().invoke(build_app(), ["sensors", "check", *map(str, args)])


def test_cli_check_exits_0_on_the_vectors_1_on_a_perturbed_copy_and_writes_nothing(tmp_path):
    copy = tmp_path / "vectors"
    shutil.copytree(PATHS[0].parent, copy, ignore=shutil.ignore_patterns("*.py", "*.md", "__pycache__"))
    before = {p.name: p.read_bytes() for p in copy.iterdir()}
    result = _sensors_check(copy)
    assert result.exit_code == 0, result.output
    assert f"all {len(PATHS)} vectors" in result.output
    assert {p.name: p.read_bytes() for p in copy.iterdir()} == before  # verified, not regenerated

    vector = load_vector(copy / "heading_pi_wall_along_ray.json")
    vector["expected"][0][-1] += 0.01  # the distance of the only ray
    (copy / "heading_pi_wall_along_ray.json").write_text(json.dumps(vector))
    result = _sensors_check(copy)
    assert result.exit_code == 1
    assert "MISMATCH heading_pi_wall_along_ray.json" in result.output and "agent 0 ray 0" in result.output

    (copy / "broken.json").write_text("{not json")
    assert _sensors_check(copy).exit_code == 2
    assert _sensors_check(tmp_path / "nowhere").exit_code == 2


def _engine_outputs(out: Path, epsilon: float, clamp: bool) -> None:
    """A 2D engine that casts to max_distance * (1 + epsilon): hits beyond max are clamped to 1.0 or dropped."""
    for path in PATHS:
        vector = load_vector(path)
        spec = spec_from_dict(vector["spec"])
        if spec.pattern != "fan2d":
            (out / path.name).write_text(json.dumps(vector["expected"]))
            continue
        scene, rows = vector["scene"], []
        for agent in vector["agents"]:
            (px, py), h = agent["position"], agent["heading"]
            ch, sh = math.cos(h), math.sin(h)
            o = (px + spec.offset[0] * ch - spec.offset[1] * sh, py + spec.offset[0] * sh + spec.offset[1] * ch)
            hits = []
            for angle in ray_angles(spec):
                hit = reference.nearest_2d(o, reference.direction_2d(ch, sh, float(angle)),
                                           spec.max_distance * (1 + epsilon), scene["segments"],
                                           scene["segment_tags"], scene["circles"], scene["circle_tags"],
                                           agent["owner"])
                if hit is not None and hit[0] > spec.max_distance:
                    hit = (spec.max_distance, hit[1]) if clamp else None
                hits.append(hit)
            rows.append(reference.encode(hits, len(spec.tags), spec.max_distance))
        (out / path.name).write_text(json.dumps(rows))


@pytest.mark.parametrize("epsilon, clamp, conforms", [(1e-4, True, True), (1e-2, True, False), (1e-2, False, True)])
def test_epsilon_rule_is_consistent_with_misses_beyond_max_distance(tmp_path, epsilon, clamp, conforms):
    _engine_outputs(tmp_path, epsilon, clamp)
    result = _sensors_check(PATHS[0].parent, "--got", tmp_path)
    assert result.exit_code == (0 if conforms else 1), result.output
    if not conforms:
        assert "MISMATCH wall_just_beyond_max_distance.json" in result.output
        assert "MISMATCH circle_just_beyond_max_distance.json" in result.output


def test_unsnapped_directions_miss_walls_along_axis_rays():
    """Why the snap rule exists: with the raw rotation, a ray at heading pi/2 misses the wall it runs along."""
    vector = load_vector(next(p for p in PATHS if p.stem == "heading_half_pi_wall_along_ray"))
    raw = (math.cos(math.pi / 2), math.sin(math.pi / 2))
    assert raw[0] != 0.0 and reference.ray_segment((0.0, 0.0), raw, (0, 2, 0, 6), 10.0) is None
    assert reference.direction_2d(math.cos(math.pi / 2), math.sin(math.pi / 2), 0.0) == (0.0, 1.0)
    assert vector["expected"][0][3] == 1.0
