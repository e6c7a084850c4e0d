"""`botsdk data info|split|merge|filter` on real datasets, through the real CLI app."""

import dataclasses
import json

from typer.testing import CliRunner

from botsdk.arena.contract import arena_contract
from botsdk.cli import build_app
from botsdk.dataset import Dataset, DatasetWriter
from botsdk.bench._workloads import synthetic_trajectory

RECORDED = [  # (style, player, steps)
    ("rusher", "ann", 30), ("rusher", "bob", 41), ("holder", "ann", 25), ("holder", "cid", 60),
    ("explorer", "bob", 12), ("rusher", "cid", 33), ("objective", "dee", 50),
]


def record(root, contract=None, rows=RECORDED, seed0=0):
    c = contract or arena_contract()
    writer = DatasetWriter(root, c)
    for i, (style, player, steps) in enumerate(rows):
        t = synthetic_trajectory(c, steps, seed=seed0 + i, style=style, player_id=player)
        writer.add_episode(t, t["meta"])


def run(*args):
    result = CliRunner().invoke(build_app(), list(args))
    return result.exit_code, result.output


def test_info_json_counts_match_what_was_recorded(tmp_path):
    record(tmp_path / "ds")
    code, out = run("data", "info", str(tmp_path / "ds"), "--json")
    assert code == 0, out
    info = json.loads(out)
    assert info["episodes"] == len(RECORDED) and info["steps"] == sum(s for _, _, s in RECORDED)
    assert info["per_style"] == {"explorer": 1, "holder": 2, "objective": 1, "rusher": 3}
    assert info["per_player"] == {"ann": 2, "bob": 2, "cid": 2, "dee": 1}
    assert info["steps_per_style"]["rusher"] == 30 + 41 + 33
    assert info["contract"]["hash"] == arena_contract().content_hash and info["minari_consistent"] is True


def test_split_by_player_keeps_each_player_on_one_side(tmp_path):
    record(tmp_path / "ds")
    code, out = run("data", "split", str(tmp_path / "ds"), "--by", "player", "--out", str(tmp_path / "sp"),
                    "--val-fraction", "0.25", "--seed", "1", "--json")
    assert code == 0, out
    train, val = Dataset.open(tmp_path / "sp" / "train"), Dataset.open(tmp_path / "sp" / "val")
    players_train = {e.player_id for e in train.episodes}
    players_val = {e.player_id for e in val.episodes}
    assert not players_train & players_val and len(players_val) == 1
    assert len(train) + len(val) == len(RECORDED)
    ep = val.episode(0)  # files are usable in the new dataset
    assert ep["observations"].shape[0] == val.episodes[0].steps + 1


def test_split_by_seed_and_bad_key(tmp_path):
    record(tmp_path / "ds")
    code, out = run("data", "split", str(tmp_path / "ds"), "--by", "seed", "--out", str(tmp_path / "sp"))
    assert code == 0, out
    code, out = run("data", "split", str(tmp_path / "ds"), "--by", "colour", "--out", str(tmp_path / "sp2"))
    assert code == 2 and "expected one of player" in out and "'colour'" in out


def test_merge_and_filter(tmp_path):
    record(tmp_path / "a", rows=RECORDED[:3])
    record(tmp_path / "b", rows=RECORDED[3:], seed0=100)
    code, out = run("data", "merge", str(tmp_path / "a"), str(tmp_path / "b"), "--out", str(tmp_path / "m"), "--json")
    assert code == 0, out
    merged = Dataset.open(tmp_path / "m")
    assert [e.seed for e in merged.episodes] == [0, 1, 2, 100, 101, 102, 103] and merged.minari_consistent
    code, out = run("data", "filter", str(tmp_path / "m"), "--style", "rusher,holder", "--min-steps", "30",
                    "--out", str(tmp_path / "f"), "--json")
    assert code == 0, out
    kept = Dataset.open(tmp_path / "f")
    assert sorted((e.style, e.steps) for e in kept.episodes) == [("holder", 60), ("rusher", 30), ("rusher", 33),
                                                                  ("rusher", 41)]
    code, out = run("data", "filter", str(tmp_path / "m"), "--player", "nobody", "--out", str(tmp_path / "g"))
    assert code == 2 and "matched 0 of 7" in out


def test_merging_different_contracts_is_an_error_naming_the_fields(tmp_path):
    c = arena_contract()
    record(tmp_path / "a", rows=RECORDED[:2])
    record(tmp_path / "b", contract=dataclasses.replace(c, decision_hz=c.decision_hz + 5), rows=RECORDED[:2])
    code, out = run("data", "merge", str(tmp_path / "a"), str(tmp_path / "b"), "--out", str(tmp_path / "m"))
    assert code == 2 and "decision_hz" in out and str(tmp_path / "b") in out
    assert not (tmp_path / "m").exists()


def test_info_on_a_non_dataset_names_the_expected_file(tmp_path):
    code, out = run("data", "info", str(tmp_path))
    assert code == 2 and "botsdk.json" in out


def test_info_verify_names_a_truncated_file_and_still_counts_the_rest(tmp_path):
    record(tmp_path / "ds")
    ds = Dataset.open(tmp_path / "ds")
    bad = ds.episode_path(4)
    with open(bad, "r+b") as f:
        f.truncate(1000)
    result = CliRunner().invoke(build_app(), ["data", "info", str(tmp_path / "ds"), "--verify", "--json"])
    assert result.exit_code == 3, result.output  # damaged data
    info = json.loads(result.stdout)
    assert info["episodes"] == len(RECORDED) and [c["file"] for c in info["corrupt"]] == [str(bad)]
    assert "expected" in info["corrupt"][0]["reason"]


def test_split_by_player_holds_out_players_of_every_style_the_same_way_for_a_seed(tmp_path):
    rows = [(style, f"{style}-{p}", 10 + p) for style in ("rusher", "holder", "explorer", "objective")
            for p in range(5)]
    record(tmp_path / "ds", rows=rows)
    held = []
    for name in ("a", "b"):
        code, out = run("data", "split", str(tmp_path / "ds"), "--by", "player", "--out", str(tmp_path / name),
                        "--val-fraction", "0.2", "--seed", "3")
        assert code == 0, out
        val = Dataset.open(tmp_path / name / "val")
        held.append(sorted(e.player_id for e in val.episodes))
    assert held[0] == held[1]
    styles = [player.split("-")[0] for player in held[0]]
    assert sorted(styles) == ["explorer", "holder", "objective", "rusher"]  # one unseen player per style
    train = Dataset.open(tmp_path / "a" / "train")
    assert {e.style for e in train.episodes} == {"rusher", "holder", "explorer", "objective"}
    code, out = run("data", "split", str(tmp_path / "ds"), "--by", "player", "--out", str(tmp_path / "c"),
                    "--val-fraction", "0.2", "--seed", "4")
    assert code == 0, out
    assert sorted(e.player_id for e in Dataset.open(tmp_path / "c" / "val").episodes) != held[0]
