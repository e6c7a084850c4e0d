"""The on-disk format: round trips, Minari's own API, validation, contract mixing and corrupt files."""

import dataclasses
import os

import numpy as np
import pytest

from botsdk.arena.contract import arena_contract
from botsdk.contract import IncompatibleContractError, load_contract
from botsdk.dataset import CorruptEpisodeError, Dataset, DatasetWriter
from botsdk.dataset.catalog import catalog_path
from botsdk.bench._workloads import synthetic_trajectory

STYLES = ("rusher", "holder", "explorer")


@pytest.fixture(scope="module")
def contract():
    return arena_contract()


def write(root, contract, n=5, steps=40):
    writer = DatasetWriter(root, contract)
    trajs = []
    for i in range(n):
        t = synthetic_trajectory(contract, steps + 7 * i, seed=i, style=STYLES[i % 3], player_id=f"p{i % 2}")
        assert writer.add_episode(t, t["meta"]) == i
        trajs.append(t)
    return trajs


def test_round_trip_keeps_every_array_and_the_metadata(tmp_path, contract):
    trajs = write(tmp_path / "ds", contract)
    ds = Dataset.open(tmp_path / "ds")
    assert len(ds) == 5 and ds.total_steps == sum(len(t["actions"]) for t in trajs)
    for i, t in enumerate(trajs):
        ep = ds.episode(i)
        for key in ("observations", "actions", "rewards", "terminations", "truncations"):
            np.testing.assert_array_equal(ep[key], t[key])
        np.testing.assert_array_equal(ep["infos"]["position"], t["infos"]["position"])
        info = ds.episodes[i]
        assert (info.style, info.player_id, info.seed, info.source) == (STYLES[i % 3], f"p{i % 2}", i, "scripted")
        assert info.contract_hash == contract.content_hash and info.started_at <= info.finished_at
    codes, names = ds.labels("style")
    assert [names[c] for c in codes] == [STYLES[i % 3] for i in range(5)]
    assert load_contract(tmp_path / "ds") == contract


def test_minari_opens_the_dataset_with_its_own_api(tmp_path, contract, monkeypatch):
    root = tmp_path / "botsdk" / "arena-v0"
    trajs = write(root, contract, n=3)
    import minari

    monkeypatch.setenv("MINARI_DATASETS_PATH", str(tmp_path))
    monkeypatch.chdir("/")  # external links must resolve relative to the index, not the working directory
    m = minari.load_dataset("botsdk/arena-v0")
    assert m.total_episodes == 3 and m.total_steps == sum(len(t["actions"]) for t in trajs)
    assert m.observation_space.shape == (contract.observation_size,) and m.observation_space.dtype == np.float32
    assert list(m.action_space.nvec) == list(contract.head_sizes)
    for ep, t in zip(m.iterate_episodes(), trajs):
        np.testing.assert_array_equal(ep.observations, t["observations"])
        np.testing.assert_array_equal(ep.actions, t["actions"])
        np.testing.assert_array_equal(ep.infos["heading"], t["infos"]["heading"])
    meta = list(m.storage.get_episode_metadata([1]))[0]
    assert meta["style"] == "holder" and meta["seed"] == 1
    assert minari.MinariDataset(root / "data").total_episodes == 3


def test_bad_episode_shapes_name_expected_and_received(tmp_path, contract):
    writer = DatasetWriter(tmp_path / "ds", contract)
    t = synthetic_trajectory(contract, 10, seed=0)
    bad = dict(t, observations=t["observations"][:, :100])
    with pytest.raises(ValueError, match=r"observations: expected shape \(11, 484\).*got \(11, 100\)"):
        writer.add_episode(bad, t["meta"])
    actions = t["actions"].copy()
    actions[3, 1] = 99
    with pytest.raises(ValueError, match=r"actions\[3, 1\]: expected 0..14, got 99"):
        writer.add_episode(dict(t, actions=actions), t["meta"])
    assert len(Dataset.open(tmp_path / "ds")) == 0


def test_mixing_contracts_names_the_differing_fields(tmp_path, contract):
    write(tmp_path / "ds", contract, n=1)
    other = dataclasses.replace(contract, decision_hz=contract.decision_hz * 2)
    with pytest.raises(IncompatibleContractError, match="decision_hz"):
        DatasetWriter(tmp_path / "ds", other)


def test_a_truncated_episode_file_is_named_and_the_rest_stays_readable(tmp_path, contract):
    write(tmp_path / "ds", contract, n=4)
    ds = Dataset.open(tmp_path / "ds")
    bad = ds.episode_path(2)
    with open(bad, "r+b") as f:
        f.truncate(os.path.getsize(bad) // 2)
    ds = Dataset.open(tmp_path / "ds")
    with pytest.raises(CorruptEpisodeError, match=bad.name):
        ds.episode(2)
    for i in (0, 1, 3):
        assert ds.episode(i)["observations"][0, 0] == i
    assert [e.path.name for e in ds.verify()] == [bad.name]


def test_garbage_in_an_episode_file_is_named(tmp_path, contract):
    write(tmp_path / "ds", contract, n=2)
    ds = Dataset.open(tmp_path / "ds")
    bad = ds.episode_path(0)
    size = os.path.getsize(bad)
    with open(bad, "r+b") as f:
        f.write(b"\0" * 512)  # wipe the HDF5 superblock, keep the size
    assert os.path.getsize(bad) == size
    with pytest.raises(CorruptEpisodeError, match=bad.name):
        ds.episode(0)
    assert ds.episode(1)["actions"].shape[1] == 4


def test_a_torn_catalog_line_is_ignored_then_cut_by_the_next_writer(tmp_path, contract):
    write(tmp_path / "ds", contract, n=2)
    with open(catalog_path(tmp_path / "ds"), "ab") as f:
        f.write(b'{"file": "half-writ')
    assert len(Dataset.open(tmp_path / "ds")) == 2
    t = synthetic_trajectory(contract, 12, seed=9)
    assert DatasetWriter(tmp_path / "ds", contract).add_episode(t, t["meta"]) == 2
    ds = Dataset.open(tmp_path / "ds")
    assert len(ds) == 3 and ds.episode(2)["observations"][0, 0] == 9 and ds.minari_consistent


def test_repair_relists_a_file_committed_by_a_writer_killed_before_its_catalog_line(tmp_path, contract):
    """Simulates a SIGKILL between the rename into episodes/ and the catalog append."""
    from botsdk.dataset import repair

    write(tmp_path / "ds", contract, n=3)
    path = catalog_path(tmp_path / "ds")
    lines = path.read_bytes().split(b"\n")
    path.write_bytes(b"\n".join(lines[:2]) + b"\n")  # the third episode's line never made it
    assert len(Dataset.open(tmp_path / "ds")) == 2
    assert len(repair(tmp_path / "ds")) == 1
    ds = Dataset.open(tmp_path / "ds")
    assert len(ds) == 3 and ds.minari_consistent
    info = ds.episodes[2]
    assert (info.seed, info.style, info.steps) == (2, "explorer", 40 + 14)
    assert ds.episode(2)["observations"][0, 0] == 2


def test_a_garbled_catalog_is_named_and_repair_rebuilds_it_from_the_files(tmp_path, contract):
    from botsdk.dataset import DatasetError, repair

    write(tmp_path / "ds", contract, n=3)
    path = catalog_path(tmp_path / "ds")
    lines = path.read_bytes().split(b"\n")
    path.write_bytes(lines[0] + b"\n" + b"#garbage#\n" + b"\n".join(lines[2:]))
    with pytest.raises(DatasetError, match="catalog.jsonl line 2"):
        Dataset.open(tmp_path / "ds")
    assert len(repair(tmp_path / "ds")) == 3
    ds = Dataset.open(tmp_path / "ds")
    assert [e.seed for e in ds.episodes] == [0, 1, 2] and ds.minari_consistent
