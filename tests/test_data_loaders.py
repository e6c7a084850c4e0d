"""BatchLoader and WindowLoader: every transition exactly once, correct pairing, seeded shuffles, padding masks."""

import numpy as np
import pytest

from botsdk.arena.contract import arena_contract
from botsdk.dataset import BatchLoader, Dataset, DatasetWriter, WindowLoader
from botsdk.bench._workloads import synthetic_trajectory

LENGTHS = (37, 64, 5, 100, 23)


@pytest.fixture(scope="module")
def ds(tmp_path_factory):
    root = tmp_path_factory.mktemp("loaders") / "ds"
    c = arena_contract()
    writer = DatasetWriter(root, c)
    for i, n in enumerate(LENGTHS):
        t = synthetic_trajectory(c, n, seed=i, style=("rusher", "holder")[i % 2])
        writer.add_episode(t, t["meta"])
    return Dataset.open(root)


def collect(loader):
    return [{k: v.copy() for k, v in b.items()} for b in loader]


def test_batches_cover_every_transition_once_with_matching_actions(ds):
    loader = BatchLoader(ds, batch_size=16, block=8, buffer_steps=40, seed=1)
    batches = collect(loader)
    assert len(batches) == len(loader) and all(len(b["obs"]) == 16 for b in batches[:-1])
    obs = np.concatenate([b["obs"] for b in batches])
    actions = np.concatenate([b["actions"] for b in batches])
    epi = np.concatenate([b["episode_index"] for b in batches])
    assert len(obs) == sum(LENGTHS)
    np.testing.assert_array_equal(obs[:, 0], epi)  # synthetic rows carry their episode's seed (== its id here)
    pairs = set(zip(epi.tolist(), obs[:, 1].astype(int).tolist()))
    assert pairs == {(e, t) for e, n in enumerate(LENGTHS) for t in range(n)}
    episodes = [ds.episode(i) for i in range(len(LENGTHS))]
    for row in range(0, len(obs), 7):
        e, t = int(epi[row]), int(obs[row, 1])
        np.testing.assert_array_equal(obs[row], episodes[e]["observations"][t])
        np.testing.assert_array_equal(actions[row], episodes[e]["actions"][t])
    assert not np.all(np.diff(epi) >= 0), "expected shuffled order"


def test_shuffle_is_seeded_and_changes_per_epoch(ds):
    first = np.concatenate([b["obs"][:, :2] for b in BatchLoader(ds, 32, seed=5, block=8, buffer_steps=64)])
    again = np.concatenate([b["obs"][:, :2] for b in BatchLoader(ds, 32, seed=5, block=8, buffer_steps=64)])
    np.testing.assert_array_equal(first, again)
    loader = BatchLoader(ds, 32, seed=5, block=8, buffer_steps=64)
    epoch0 = np.concatenate([b["obs"][:, :2] for b in loader])
    epoch1 = np.concatenate([b["obs"][:, :2] for b in loader])
    assert not np.array_equal(epoch0, epoch1)


def test_unshuffled_subset_is_in_order(ds):
    batches = collect(BatchLoader(ds, 10, episode_ids=[3, 1], shuffle=False, drop_last=True, block=16, buffer_steps=32))
    epi = np.concatenate([b["episode_index"] for b in batches])
    steps = np.concatenate([b["obs"][:, 1] for b in batches]).astype(int)
    expected = [(3, t) for t in range(100)] + [(1, t) for t in range(64)]
    assert list(zip(epi.tolist(), steps.tolist())) == expected[: len(epi)] and len(epi) == 160


def test_windows_are_contiguous_with_padding_masked(ds):
    loader = WindowLoader(ds, window=16, batch_size=4, seed=0)
    batches = collect(loader)
    windows = sum(len(b["obs"]) for b in batches)
    assert windows == sum(-(-n // 16) for n in LENGTHS) and len(batches) == len(loader)
    for b in batches:
        assert b["obs"].shape[1:] == (16, 484) and b["actions"].shape[1:] == (16, 4)
        for row in range(len(b["obs"])):
            e, start = int(b["episode_index"][row]), int(b["start"][row])
            n = min(16, LENGTHS[e] - start)
            assert b["mask"][row].sum() == n and b["mask"][row, :n].all()
            np.testing.assert_array_equal(b["obs"][row, :n, 1], np.arange(start, start + n))
            np.testing.assert_array_equal(b["actions"][row, :n], ds.episode(e)["actions"][start:start + n])
            assert not b["obs"][row, n:].any()


def test_style_labels_per_transition(ds):
    codes, names = ds.labels("style")
    batch = next(iter(BatchLoader(ds, 50, seed=2)))
    styles = [names[c] for c in codes[batch["episode_index"]]]
    assert styles == [("rusher", "holder")[e % 2] for e in batch["episode_index"]]


def test_bad_loader_arguments_are_named(ds):
    with pytest.raises(ValueError, match="batch_size"):
        BatchLoader(ds, 0)
    with pytest.raises(ValueError, match="window"):
        WindowLoader(ds, 0, 4)
