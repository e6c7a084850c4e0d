"""The Turing test on the real arena, through the real recording path, tested in both directions: people against
other people sit at chance; a demonstrator with every motor trait removed, one without its reaction delay, one
without its mistakes, one without its aim overshoot, and the robotic bot are caught, each player judged over its
six rounds; and judges that learned nothing fail that power check. `botsdk evaluate --reference` runs end to end
on a dataset of human play recorded through the studio's recording path."""

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from botsdk.arena.contract import PERSONAS, arena_contract
from botsdk.evaluation.features import CueLayout, FeatureScale
from botsdk.evaluation.habits import HABITS, habit_gaps
from botsdk.evaluation.plan import PANEL, ROBOTIC, MatchPlayer
from botsdk.evaluation.reference import FOLDS, generate_reference, load_reference, rounds_per_player
from botsdk.evaluation.rollouts import MatchSetup, Recorder
from botsdk.evaluation.turing import halves, turing_test

CONTRACT = arena_contract()
HEADS = CONTRACT.head_sizes
SETUP = MatchSetup("crossroads", 2, 480)
MATCHES_PER_FOLD = 24   # each player plays 6 of them: 16 players a fold
CAUGHT_ALONE = ("no reaction delay", "no mistakes", "no overshoot")
pooled = lambda eps: [e for e in eps]


@pytest.fixture(scope="module")
def groups(tmp_path_factory):
    from botsdk.arena.demonstrators import make_demonstrator
    from botsdk.evaluation.distributed import match_runner

    root = tmp_path_factory.mktemp("people")
    with match_runner(None, workers=2) as play_matches:   # the demonstrators' matches play as in one process
        generate_reference(root / "reference", CONTRACT, SETUP, PERSONAS, "validation", MATCHES_PER_FOLD,
                           play_matches=play_matches)
        reference = load_reference(root / "reference", CONTRACT, PERSONAS, SETUP)
        player = MatchPlayer(reference, Recorder(root / "rollouts", CONTRACT, SETUP, play_matches=play_matches),
                             CueLayout.from_contract(CONTRACT), lambda _: None)
        started = {name: player.start(name, reference.matches, player.demonstrator(PANEL[name]))
                   for name in ("no motor traits", *CAUGHT_ALONE)}
        robotic = player.play("robotic", reference.matches, lambda m, a, j: make_demonstrator(
            ROBOTIC, m.seed * 10 + j, player_id="robotic-0", report_probs=False))
        played = {name: finish() for name, finish in started.items()}
    motorless, alone = played.pop("no motor traits"), played
    everything = reference.people + reference.others + motorless + robotic + [e for g in alone.values() for e in g]
    return root, reference, motorless, robotic, FeatureScale.fit(everything), alone


def _auc(groups, candidate, swapped: bool = False, **kwargs) -> float:
    """`swapped`: train on the test halves and score the train halves."""
    _, reference, _, _, scale, _ = groups
    people, others = halves(reference.people), halves(candidate)
    if swapped:
        people, others = people[::-1], others[::-1]
    return turing_test(people, others, HEADS, scale, seed=0, resamples=50, **kwargs).auc


def test_reference_folds_share_no_player_and_no_match(groups):
    _, reference, _, _, _, _ = groups
    assert reference.split_by == "player" and not reference.notes
    players = [{e.meta["player_id"] for e in fold} for fold in reference.folds]
    seeds = [{e.meta["seed"] for e in fold} for fold in reference.folds]
    for i in range(len(FOLDS)):
        for j in range(i + 1, len(FOLDS)):
            assert not players[i] & players[j] and not seeds[i] & seeds[j], (FOLDS[i], FOLDS[j])
    assert all(len(fold) == MATCHES_PER_FOLD * 4 for fold in reference.folds)
    assert all(e.cues is not None and e.cues.shape[0] == e.steps + 1 for e in reference.people)
    assert len(reference.matches) == 2 * MATCHES_PER_FOLD


def test_each_reference_player_plays_several_rounds(groups):
    _, reference, _, _, _, _ = groups
    rounds = rounds_per_player(MATCHES_PER_FOLD, len(SETUP.agent_ids()), len(PERSONAS))
    played = Counter(e.meta["player"] for e in reference.people + reference.others)
    assert rounds == 6 and set(played.values()) == {rounds}
    assert all(len({e.meta["player_id"] for e in fold}) == 16 for fold in reference.folds)


def test_panel_replays_the_others_matches_with_the_same_players(groups):
    _, reference, motorless, _, _, _ = groups
    by_key = {(e.meta["seed"], e.meta["agent_id"]): e for e in reference.others}
    for e in motorless:
        twin = by_key[(e.meta["seed"], e.meta["agent_id"])]
        assert e.meta["player_id"] == twin.meta["player_id"] and e.meta["style"] == twin.meta["style"]
        assert e.meta["fold"] == twin.meta["fold"]


FLOOR_BAND = 0.08   # people against other people: 0.5 +- this


def test_people_against_other_people_sit_at_chance(groups):
    """Two-sided: a judge that tells people from other people (by a recording artefact, by knowing individuals)
    lands outside 0.5 +- 0.08. The floor is cross-fitted (trained on the train halves and scored on the test
    halves, then the other way round, and averaged), which halves the chance spread a test of this size has."""
    reference = groups[1]
    forward, backward = _auc(groups, reference.others), _auc(groups, reference.others, swapped=True)
    floor = (forward + backward) / 2.0
    assert abs(floor - 0.5) <= FLOOR_BAND, (forward, backward)


def test_a_demonstrator_without_motor_traits_and_the_robotic_bot_are_caught(groups):
    assert _auc(groups, groups[2]) >= 0.75
    assert _auc(groups, groups[3]) >= 0.95


@pytest.mark.parametrize("member", CAUGHT_ALONE)
def test_a_demonstrator_without_one_trait_is_caught(groups, member):
    auc = _auc(groups, groups[5][member])
    assert auc >= 0.75, (member, auc)


def test_a_blinded_discriminator_fails_the_power_check(groups):
    for candidate in (groups[2], groups[5]["no reaction delay"], groups[5]["no overshoot"]):
        auc = _auc(groups, candidate, blind=True)
        assert auc < 0.75, auc


def test_the_overshoot_is_read_from_the_habits(groups):
    """What one round hides, the habits of six rounds show: the judge that watches step by step does not catch
    the overshoot, the habit judge does, and the figure is the sharper judge's."""
    _, reference, _, _, scale, alone = groups
    result = turing_test(halves(reference.people), halves(alone["no overshoot"]), HEADS, scale, seed=0, resamples=50)
    assert result.judges["habits"] >= 0.75 and result.judges["watch"] < 0.7, result.judges
    assert result.auc == max(result.judges.values()) and result.test_players == (16, 16)


@pytest.mark.parametrize("member, habit, fewer", [("no mistakes", "one-step move taps", True),
                                                  ("no reaction delay", "enemies answered at once", False),
                                                  ("no overshoot", "aim swing after the answer", True)])
def test_habits_name_the_trait_a_panel_member_lacks(groups, member, habit, fewer):
    """The overshoot, which no judge of one round catches, still shows as the habit it takes away."""
    _, reference, _, _, _, alone = groups
    gaps = habit_gaps(reference.people, alone[member], reference.others)
    assert gaps[habit]["differs"] and (gaps[habit]["auc"] < 0.4 if fewer else gaps[habit]["auc"] > 0.6), gaps[habit]
    untouched = "enemies answered at once" if member == "no mistakes" else "one-step move taps"
    assert not gaps[untouched]["differs"], gaps[untouched]


def test_people_show_the_habits_other_people_do(groups):
    """Two-sided: one half of the people against the other half marks at most one habit of eight."""
    _, reference, _, _, _, _ = groups
    train, test = halves(reference.people)
    gaps = habit_gaps(train, test, reference.others)
    assert sum(g["differs"] for g in gaps.values()) <= 1, {k: (g["auc"], g["auc_floor"]) for k, g in gaps.items()}


def _record_human_play(root: Path, players: int = 4, rounds: int = 2) -> Path:
    """Human play through the studio's recording path, the keys pressed by a scripted player."""
    from botsdk.arena.demonstrators import make_demonstrator
    from botsdk.arena.rollout import play_match
    from botsdk.studio.recording import save_demonstration

    for k in range(players):
        for r in range(rounds):
            seed = 900 + 10 * k + r
            team = {a: make_demonstrator(PERSONAS[j], seed * 10 + j, player_id=f"tester-{k}-{a}", report_probs=False)
                    for j, a in enumerate(("blue_0", "blue_1", "red_0", "red_1"))}
            play = play_match("crossroads", seed, team, 2, 160)["blue_0"]
            steps = len(play.actions)
            save_demonstration(root, CONTRACT, list(play.observations[:steps]), list(play.actions),
                               list(np.asarray(play.infos["position"])[:steps]),
                               [float(h) for h in np.asarray(play.infos["heading"])[:steps]], "crossroads", seed,
                               player_id=f"tester-{k}")
    return root


def test_cli_evaluate_against_recorded_human_play(groups, tmp_path):
    from botsdk.cli import build_app
    from botsdk.dataset import Dataset
    from fixtures.synthetic_model import make_random_policy_onnx, make_random_style_encoder_onnx

    humans = _record_human_play(tmp_path / "humans")
    assert {e.source for e in Dataset.open(humans).episodes} == {"human"}
    policy = make_random_policy_onnx(CONTRACT, tmp_path / "random.onnx")
    make_random_style_encoder_onnx(CONTRACT, tmp_path / "random.style.onnx")
    out = tmp_path / "report"
    result = CliRunner().invoke(build_app(), ["evaluate", "--policy", str(policy), "--data",
                                              str(groups[0] / "reference"), "--reference", str(humans),
                                              "--out", str(out), "--workers", "2", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["reference"]["sources"] == ["human"] and data["reference"]["split_by"] == "player"
    assert data["reference"]["episodes"] == {fold: 2 for fold in FOLDS}
    for key in ("turing_auc", "turing_auc_floor", "turing_auc_robotic", "style_accuracy"):
        assert key in data
    assert set(data["power_panel"]) == {*PANEL, "robotic"}
    assert set(data["habits"]) == set(HABITS) and "Habits: where the bot differs" in (out / "report.html").read_text()
    assert data["style"]["fewshot"]["trials"] == 0   # no persona to show: the people play as themselves
    assert (out / "report.html").stat().st_size > 10_000
    assert json.loads((out / "report.json").read_text())["turing_auc"] == data["turing_auc"]


def test_fewshot_plays_at_least_forty_trials(groups):
    from botsdk.evaluation.plan import FEWSHOT_TRIALS, _enough_matches

    matches = _enough_matches(groups[1].matches, FEWSHOT_TRIALS)
    assert sum(len(m.slots) for m in matches) >= FEWSHOT_TRIALS >= 40
    assert len({id(m) for m in matches}) == len(matches)


def test_a_reference_without_people_is_refused(groups, tmp_path):
    with pytest.raises(ValueError, match="expected episodes of people"):
        load_reference(groups[0] / "reference", CONTRACT, PERSONAS, SETUP, source="human")


def test_cli_evaluate_rejects_bad_input(tmp_path):
    from botsdk.cli import build_app

    missing = CliRunner().invoke(build_app(), ["evaluate", "--policy", str(tmp_path / "none.onnx"), "--data",
                                               str(tmp_path), "--out", str(tmp_path / "r")])
    assert missing.exit_code == 2 and "expected an existing .onnx file" in missing.output


def test_the_round_length_is_the_recordings_clock_not_its_longest_round(groups, tmp_path):
    """Rounds that all ended before the clock still replay with the arena's 480 steps, so the people of a split
    are the same whatever data a model learned from; rounds cut by a shorter clock replay with that clock."""
    from botsdk.dataset import Dataset
    from botsdk.evaluation.rollouts import round_limit

    reference = Dataset.open(groups[0] / "reference")
    assert max(e.steps for e in reference.episodes) < 480 and round_limit(reference) == 480
    short = MatchSetup("crossroads", 2, 40)
    generate_reference(tmp_path / "short", CONTRACT, short, PERSONAS, "validation", 1)
    assert round_limit(Dataset.open(tmp_path / "short")) == 40
    assert MatchSetup.from_dataset(Dataset.open(tmp_path / "short")) == short
