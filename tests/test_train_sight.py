"""The sight clock a policy times its reactions by: the recording's rows (training) and the exported step agree,
a sighting survives short gaps, and a contract or config without it leaves the policy as before."""

import torch

from botsdk.arena.contract import arena_contract
from botsdk.training.config import SAVED_BEFORE_KEY_EXISTED, TrainConfig
from botsdk.training.models import build_policy
from botsdk.training.sight import NOT_IN_SIGHT, SIGHT_CAP, SIGHT_GAP, SightLayout, SightTimer, sight_layout, sight_rows

CONTRACT = arena_contract()
HEADS = len(CONTRACT.head_sizes)


LAYOUT = SightLayout(size=3, visible=0, rays=(1, 2))   # a toy observation: [visible, ray 1 enemy tag, ray 2 enemy tag]


def _obs(visible: list[bool], in_rays: list[bool]) -> torch.Tensor:
    return torch.tensor([[float(v), float(r), 0.0] for v, r in zip(visible, in_rays)])


def _stepped(obs: torch.Tensor) -> list[int]:
    timer, memory = SightTimer(LAYOUT), torch.zeros(1, SightTimer.memory_size)
    out = []
    for row in obs:
        elapsed, memory = timer.step(row[None], memory)
        out.append(int(elapsed))
    return out


def _rows(obs: torch.Tensor, start: list[int], length: list[int]) -> torch.Tensor:
    return sight_rows(*LAYOUT.read(obs), torch.tensor(start), torch.tensor(length))


def test_a_sighting_starts_in_the_rays_holds_while_visible_and_ends_after_the_gap():
    visible = [True, True, True, False, True] + [False] * SIGHT_GAP + [True, True]
    in_rays = [False, True, False, False, False] + [False] * SIGHT_GAP + [False, True]
    # visible but not yet in the rays: not noticed; then it holds while visible, through a short gap
    expected = [NOT_IN_SIGHT, 0, 1, 2, 3] + [4 + i for i in range(SIGHT_GAP - 1)] + [NOT_IN_SIGHT]
    expected += [NOT_IN_SIGHT, 0]  # after the gap, visible again but not in the rays: not noticed yet
    obs = _obs(visible, in_rays)
    assert _rows(obs, [0], [len(visible)]).tolist() == expected
    assert _stepped(obs) == expected


def test_the_clock_starts_where_the_evaluation_sees_an_enemy_appear():
    from botsdk.evaluation.events import appearances

    torch.manual_seed(1)
    visible = torch.rand(400) < 0.6
    in_rays = visible & (torch.rand(400) < 0.3)
    rows = _rows(_obs(visible.tolist(), in_rays.tolist()), [0], [400])
    starts = torch.nonzero(rows == 0)[:, 0].tolist()
    assert starts and starts == appearances(visible.numpy(), in_rays.numpy()).tolist()


def test_recorded_rows_equal_the_exported_step_on_random_episodes():
    torch.manual_seed(0)
    visible = torch.rand(300) < 0.5
    obs = _obs(visible.tolist(), (visible & (torch.rand(300) < 0.5)).tolist())
    start, length = [0, 120, 121, 200], [120, 1, 79, 100]
    rows = _rows(obs, start, length)
    for s, n in zip(start, length):  # every episode starts from a zero memory
        assert rows[s:s + n].tolist() == _stepped(obs[s:s + n])
    assert int(rows.max()) > SIGHT_CAP  # long sightings occur and share the last feature
    features = SightTimer(LAYOUT).features(rows)
    assert features.shape == (300, SIGHT_CAP + 2) and torch.all(features.sum(-1) == 1)


def test_the_policy_reads_the_clock_from_the_observation_it_acts_on():
    policy = build_policy(CONTRACT, TrainConfig(hidden_sizes=[32, 16], dropout=0.0, sight_timer=True)).eval()
    layout = sight_layout(CONTRACT)
    assert layout is not None and len(layout.rays) == 32 and policy.state_size == 2 * HEADS + 2
    obs, style = torch.zeros(1, CONTRACT.observation_size), torch.zeros(1, CONTRACT.style.size)
    obs[0, layout.visible] = obs[0, layout.rays[5]] = 1.0
    previous = torch.full((1, HEADS), -1)
    state = torch.zeros(1, policy.state_size)
    first, state = policy(obs, style, state, previous)
    assert state[0, -2:].tolist() == [1.0, 0.0]  # in sight for 0 steps (stored + 1), unseen 0
    for _ in range(4):
        later, state = policy(obs, style, state, previous)
    assert state[0, -2:].tolist() == [5.0, 0.0]
    assert not torch.allclose(first[1], later[1])  # the same frame, four steps later: a different turn


def test_off_by_default_for_runs_saved_before_the_clock_and_without_the_history():
    assert TrainConfig().sight_timer is False and SAVED_BEFORE_KEY_EXISTED["sight_timer"] is False
    assert build_policy(CONTRACT, TrainConfig(hidden_sizes=[16])).state_size == 2 * HEADS
    assert build_policy(CONTRACT, TrainConfig(hidden_sizes=[16], action_history=False, sight_timer=True)
                        ).state_size == 1
