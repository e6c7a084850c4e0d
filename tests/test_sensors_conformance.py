"""The shipped conformance vectors are reproduced by the kernels and match the reference that wrote them."""

import json

import numpy as np
import pytest

from botsdk.sensors.conformance import GUIDE_PATH, load_vector, mismatches, replay, vector_paths
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
