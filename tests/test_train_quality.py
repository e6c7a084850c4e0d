"""The imitation measurements (`python -m botsdk.training.quality`), end to end at toy size: a real
demonstrator recording, a few training steps, then agreement against the demonstrators' own ceiling, persona
statistics of the model's rollouts, and the style encoder's few-shot check."""

import json

import numpy as np
import pytest

from botsdk.training.agreement import ratio_interval
from botsdk.training.api import train_run
from botsdk.training.config import TrainConfig
from botsdk.training.quality import main as quality_main


@pytest.fixture(scope="module")
def quality_report(tmp_path_factory):
    root = tmp_path_factory.mktemp("quality")
    quality_main(["record", "--out", str(root / "data"), "--matches", "4", "--seed", "0"])
    config = TrainConfig(hidden_sizes=[32], style_embedding=8, encoder_hidden=16, encoder_groups=2,
                         encoder_set_size=8, batch_size=64, max_steps=40, eval_every=20, progress=False, threads=1,
                         style_encoder=True)
    train_run(root / "data", root / "run", config)
    out = root / "quality.json"
    quality_main(["evaluate", "--run", str(root / "run"), "--matches", "1", "--seed", "900", "--temperature", "0.8",
                  "--out", str(out)])
    return json.loads(out.read_text())


def test_agreement_is_reported_against_the_demonstrators_ceiling(quality_report):
    agreement = quality_report["agreement"]
    assert set(agreement) == {"move", "turn", "fire", "interact", "joint"}
    for head, entry in agreement.items():
        assert 0.0 < entry["ceiling"] <= 1.0, head
        assert 0.0 <= entry["agreement"] <= 1.0
        assert entry["ratio"] == pytest.approx(entry["agreement"] / entry["ceiling"], abs=1e-3)
    assert agreement["joint"]["ceiling"] <= min(agreement[h]["ceiling"] for h in ("move", "turn"))
    assert quality_report["heldout_steps"] > 200 and quality_report["temperature"] == 0.8
    joint = agreement["joint"]
    for ratio, interval in (("ratio", "ratio_95"), ("observer_ratio", "observer_ratio_95")):
        low, high = joint[interval]
        assert low - 1e-3 <= joint[ratio] <= high + 1e-3  # one held-out match: the interval is the point


def test_ratio_interval_resamples_whole_matches():
    rng = np.random.default_rng(1)
    ceiling = rng.uniform(0.2, 0.6, 4000)
    groups = np.repeat(np.arange(40), 100)
    hits = rng.random(4000) < ceiling * np.repeat(rng.uniform(0.7, 1.0, 40), 100)  # matches differ in difficulty
    low, high = ratio_interval(hits, ceiling, groups)
    assert low < hits.sum() / ceiling.sum() < high < 1.0
    narrow_low, narrow_high = ratio_interval(hits, ceiling, np.arange(4000))  # steps as if independent
    assert narrow_high - narrow_low < high - low
    same = ratio_interval(np.ones(300), np.full(300, 0.5), np.repeat(np.arange(3), 100))
    assert same == [2.0, 2.0]


def test_persona_statistics_and_blend_are_compared(quality_report):
    style = quality_report["style"]
    personas = set(style["reference"])
    assert personas == {"rusher", "holder", "explorer", "objective"} == set(style["model"])
    for persona, row in style["distance_model_to_reference"].items():
        assert set(row) == personas and all(d >= 0 for d in row.values())
        assert style["closest_reference"][persona] == min(row, key=row.get)
    assert style["blend"]["parents"] == ["rusher", "holder"] and style["blend"]["stats"]["steps"] > 0
    assert quality_report["encoder"]["enabled"] and quality_report["encoder"]["players"] >= 4
