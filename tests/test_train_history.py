"""The action history a policy reads: computed from a recording for training, stepped one decision at a time when
playing (the exported model), the two must agree exactly."""

import torch

from botsdk.training.history import NO_ACTION, ActionHistory, history_rows

SIZES = [9, 15, 2, 2]


def _episodes(lengths, seed=0):
    g = torch.Generator().manual_seed(seed)
    # few distinct values so actions repeat (holds) and change
    actions = torch.stack([torch.randint(0, 3, (sum(lengths),), generator=g) for _ in SIZES], dim=1)
    length = torch.tensor(lengths)
    return actions, torch.cumsum(length, 0) - length, length


def test_rows_give_previous_before_and_hold_within_each_episode():
    actions = torch.tensor([[4, 7, 0, 0], [4, 7, 1, 0], [4, 2, 1, 0], [5, 2, 1, 0], [1, 1, 1, 1]])
    rows = history_rows(actions, torch.tensor([0, 4]), torch.tensor([4, 1]))
    previous, before, held = rows.split(4, dim=1)
    assert previous.tolist() == [[-1] * 4, [4, 7, 0, 0], [4, 7, 1, 0], [4, 2, 1, 0], [-1] * 4]
    assert before.tolist() == [[-1] * 4, [-1] * 4, [4, 7, 0, 0], [4, 7, 1, 0], [-1] * 4]
    assert held.tolist() == [[0] * 4, [1, 1, 1, 1], [2, 2, 1, 2], [3, 1, 2, 3], [0] * 4]  # no carry across episodes


def test_stepping_reproduces_the_recorded_rows_exactly():
    lengths = [7, 1, 12, 3]
    actions, start, length = _episodes(lengths)
    rows = history_rows(actions, start, length)
    history = ActionHistory(SIZES)
    for s, n in zip(start.tolist(), length.tolist()):
        memory, previous = torch.zeros(1, 2 * len(SIZES)), torch.full((1, len(SIZES)), NO_ACTION)
        for t in range(n):
            stepped, memory = history.step(previous, memory)
            assert stepped[0].tolist() == rows[s + t].float().tolist()
            torch.testing.assert_close(history.features(stepped), history.features(rows[s + t][None]))
            previous = actions[s + t][None]


def test_features_are_one_hot_per_head_and_a_bounded_hold():
    history = ActionHistory(SIZES)
    assert history.out_features == 2 * sum(SIZES) + len(SIZES)
    row = torch.tensor([[8, 14, 1, 0, -1, 14, 1, 0, 3, 1, 200, 0]])
    f = history.features(row)[0]
    onehots, held = f[: 2 * sum(SIZES)], f[2 * sum(SIZES):]
    assert onehots[:sum(SIZES)].sum() == 4 and onehots[sum(SIZES):].sum() == 3  # -1 (none) is all zeros
    assert onehots[8] == 1 and onehots[9 + 14] == 1
    assert 0.0 == held[3] < held[1] < held[0] < held[2] < 1.0
