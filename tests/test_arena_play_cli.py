"""`botsdk play`: bad input exits 2 naming what was expected; a headless round records through DatasetWriter."""

from typer.testing import CliRunner

from botsdk.cli import build_app


def test_play_rejects_unknown_map_and_style():
    runner = CliRunner()
    result = runner.invoke(build_app(), ["play", "--map", "atlantis"])
    assert result.exit_code == 2 and "crossroads" in result.output and "atlantis" in result.output
    result = runner.invoke(build_app(), ["play", "--opponents", "camper"])
    assert result.exit_code == 2 and "rusher" in result.output


def test_headless_round_is_recorded(tmp_path):
    from botsdk import dataset as data
    from botsdk.arena.play import play_human

    results = play_human("duel", team_size=1, opponents="holder", episodes=2, seed=5, max_steps=10,
                         record=str(tmp_path / "ds"), player_id="tester-01")
    assert [r["steps"] for r in results] == [10, 10]
    ds = data.Dataset.open(tmp_path / "ds")
    assert len(ds.episodes) == 2
    info = ds.episodes[0]
    assert info.source == "human" and info.player_id == "tester-01" and info.map == "duel"
    episode = ds.episode(info.id)
    assert episode["observations"].shape == (11, ds.contract.observation_size)
