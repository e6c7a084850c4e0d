"""TrainConfig: TOML round trip, unknown keys and wrong types refused with the key named."""

from pathlib import Path

import pytest

from botsdk.training.config import ARCHITECTURE_KEYS, ConfigError, TrainConfig


def test_toml_round_trip(tmp_path):
    config = TrainConfig(model="gru", hidden_sizes=[64, 32], lr=0.01, val_split="player", contract="arena")
    path = tmp_path / "c.toml"
    path.write_text(config.to_toml())
    assert TrainConfig.from_toml(path) == config


def test_train_table_and_int_for_float(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("[train]\nlr = 1\nmax_steps = 7\n")
    config = TrainConfig.from_toml(path)
    assert config.lr == 1.0 and isinstance(config.lr, float) and config.max_steps == 7


def test_unknown_key_is_named(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("batch_sise = 3\n")
    with pytest.raises(ConfigError, match="batch_sise"):
        TrainConfig.from_toml(path)


@pytest.mark.parametrize("key,value,fragment", [
    ("batch_size", "'big'", "batch_size"), ("model", "'transformer'", "transformer"),
    ("val_fraction", "1.5", "val_fraction"), ("style_encoder", "3", "style_encoder"), ("dropout", "1.0", "dropout"),
])
def test_bad_values_are_named(tmp_path, key, value, fragment):
    path = tmp_path / "c.toml"
    path.write_text(f"{key} = {value}\n")
    with pytest.raises(ConfigError, match=fragment):
        TrainConfig.from_toml(path)


def test_cosine_schedule_decays_from_lr_to_its_final_fraction():
    from botsdk.training.config import TrainConfig

    cfg = TrainConfig(lr=1e-3, lr_final=0.1, max_steps=100)
    rates = [cfg.lr_at(s) for s in range(101)]
    assert rates[0] == pytest.approx(1e-3) and rates[100] == pytest.approx(1e-4)
    assert all(a >= b for a, b in zip(rates, rates[1:]))
    assert rates[50] == pytest.approx(0.55e-3)
    assert TrainConfig(lr=1e-3, lr_schedule="constant", max_steps=100).lr_at(99) == 1e-3
    with pytest.raises(ConfigError, match="lr_schedule.*cosine.*'linear'"):
        TrainConfig(lr_schedule="linear")
    with pytest.raises(ConfigError, match="lr_final"):
        TrainConfig(lr_final=0.0)


def test_split_follows_the_recording_not_the_commit_order():
    """Parallel recorders commit episodes in any order; the same recording must give the same split and row order."""
    import random
    from types import SimpleNamespace

    from botsdk.training.tensors import split_episodes

    def episodes(order_seed):
        rows = [dict(map="duel", seed=s, team=t, agent_id=f"{t}_0", player_id=f"p{s % 3}", style="rusher", steps=50 + s)
                for s in range(12) for t in ("blue", "red")]
        random.Random(order_seed).shuffle(rows)
        return [SimpleNamespace(id=i, **row) for i, row in enumerate(rows)]

    for how in ("player", "seed", "episode"):
        splits = []
        for order_seed in (0, 1):
            eps = episodes(order_seed)
            content = {e.id: (e.seed, e.team) for e in eps}
            train, val = split_episodes(eps, how, 0.25, seed=3)
            splits.append(([content[i] for i in train], [content[i] for i in val]))
        assert splits[0] == splits[1] and splits[0][1], how


def test_quality_recipes_parse_and_each_fine_tune_keeps_the_base_model():
    """docs/recipes: the README's imitation-quality stages; `init_from` refuses a model-shaping difference, and each
    stage starts from the run the previous one writes."""
    recipes = Path(__file__).resolve().parents[1] / "docs" / "recipes"
    base = TrainConfig.from_toml(recipes / "arena_gru.toml")
    assert base.model == "gru" and base.position_grid == 48 and not base.init_from
    previous = "runs/quality/base"
    for name, writes in (("arena_gru_finetune", "tuned"), ("arena_gru_more", "more"), ("arena_gru_fresh", "fresh")):
        stage = TrainConfig.from_toml(recipes / f"{name}.toml")
        assert stage.init_from == previous, name
        assert all(getattr(base, key) == getattr(stage, key) for key in ARCHITECTURE_KEYS), name
        assert stage.lr < base.lr, name
        previous = f"runs/quality/{writes}"


def test_a_run_saved_before_the_action_history_existed_loads_as_it_was_trained():
    saved = TrainConfig(hidden_sizes=[16]).to_dict()
    del saved["action_history"]  # what a checkpoint written before the key existed holds
    assert TrainConfig.from_saved(saved).action_history is False
    assert TrainConfig.from_dict(saved).action_history is True  # a new config gets today's default
    assert TrainConfig.from_saved(TrainConfig().to_dict()).action_history is True
