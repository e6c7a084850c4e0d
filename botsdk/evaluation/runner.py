"""`evaluate_policy`: plan the held-out matches, record every group through one path, compute every figure,
write the report. The order matters only for speed: rollouts first, then one GRU per comparison."""

from __future__ import annotations

import math
import shutil
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

from botsdk.evaluation.classifier import SequenceConfig
from botsdk.evaluation.distances import step_speeds, step_turns
from botsdk.evaluation.distributed import figure_pool, match_runner
from botsdk.evaluation.entropy import arena_route_descriptor
from botsdk.evaluation.features import CueLayout, FeatureScale, as_episode
from botsdk.evaluation.habits import habit_gaps
from botsdk.evaluation.metrics import (Geometry, behaviour_figures, distances, pooled, power_panel_summary,
                                       style_figures, turing_figures)
from botsdk.evaluation.plan import ROBOTIC, Rollouts, play_plan
from botsdk.evaluation.reference import FOLDS, generate_reference, load_reference
from botsdk.evaluation.rollouts import MatchSetup, Recorder
from botsdk.evaluation.style import train_style_classifier

DEFAULT_EPISODES = 8          # held-out matches per group (each gives one episode per agent slot)
STYLE_TRAIN_EPISODES = 240    # demonstrator episodes per style the style classifier learns from (at most)


def evaluate_policy(policy_path: str | Path, data_dir: str | Path, out_dir: str | Path,
                    episodes: int = DEFAULT_EPISODES, seed: int = 0,
                    tick: Callable[[str], None] = lambda _: None, config: SequenceConfig = SequenceConfig(),
                    temperature: float | None = None, reference: str | Path | None = None,
                    split: str = "final", discriminator_seeds: int = 1,
                    reference_source: str | None = None, cluster: str | None = None, workers: int = 1
                    ) -> dict[str, Any]:
    """Evaluate `policy_path` (ONNX) against people; writes report.html/report.json into `out_dir` and returns the
    JSON dict (headline keys: turing_auc, turing_auc_floor, turing_auc_robotic, power_panel, style_accuracy).

    `reference`: a dataset of people (any source: the studio, an engine's RecordGameplay, scripted
    demonstrators); without one, the scripted demonstrators are recorded for `split` ("validation" to choose
    settings on, "final" to report) with player identities no training set holds. `data_dir` is the training
    data: it teaches the style classifier what each persona looks like. `temperature`: the sampling temperature
    the bot is deployed with (default: the model's own). `cluster` (a Ray address, see botsdk.cluster): the matches
    only scripted demonstrators play run as Ray tasks (botsdk.evaluation.distributed); without one, `workers` > 1
    plays them in that many processes here while the policy plays; the report is the same either way."""
    from botsdk.contract import check_compatible
    from botsdk.dataset import Dataset
    from botsdk.export.runtime import BotRuntime

    started = time.perf_counter()
    if episodes < 2:
        raise ValueError(f"episodes: expected >= 2 held-out matches (a train and a test half), received {episodes}")
    if workers < 1:
        raise ValueError(f"workers: expected at least 1 process, received {workers}")
    out_dir = Path(out_dir)
    dataset = Dataset.open(data_dir)
    runtime = BotRuntime(policy_path, seed=seed, temperature=temperature)
    check_compatible(runtime.contract, dataset.contract, model_label=f"model {policy_path}",
                     other_label=f"dataset {data_dir}")
    personas = _personas(dataset, runtime.contract)
    setup = MatchSetup.from_dataset(dataset)
    with match_runner(cluster, workers) as play_matches:
        if reference is None:
            reference = out_dir / "reference"
            shutil.rmtree(reference, ignore_errors=True)
            generate_reference(reference, dataset.contract, setup, personas, split, max(1, -(-episodes // 2)), tick,
                               play_matches)
        else:
            check_compatible(runtime.contract, Dataset.open(reference).contract, model_label=f"model {policy_path}",
                             other_label=f"reference {reference}")
        people = load_reference(reference, dataset.contract, personas, setup, reference_source)
        rollout_dir = out_dir / "rollouts"
        shutil.rmtree(rollout_dir, ignore_errors=True)
        recorder = Recorder(rollout_dir, dataset.contract, people.setup, play_matches=play_matches)
        cues = CueLayout.from_contract(dataset.contract)
        rollouts = play_plan(people, recorder, runtime, _encoder(Path(policy_path)), cues, tick)
    result, plots = _figures(rollouts, dataset, personas, seed, config, discriminator_seeds, tick, workers)
    result.update(policy=str(policy_path), data=str(data_dir), setup=vars(people.setup), episodes=episodes,
                  seed=seed, temperature=runtime.temperature,
                  head_temperatures=dict(zip(runtime.contract.head_names, runtime.temperatures)),
                  discriminator_seeds=discriminator_seeds,
                  reference={"path": str(reference), "sources": people.sources, "generated_split":
                             None if reference != out_dir / "reference" else split, "split_by": people.split_by,
                             "notes": people.notes, "episodes": {f: len(people.folds[i]) for i, f in enumerate(FOLDS)}},
                  matches=len(people.matches), wall_s=round(time.perf_counter() - started, 1))
    result = _clean(result)
    from botsdk.evaluation.report import write_report

    write_report(result, _clean(plots), out_dir)
    return result


def _personas(dataset: Any, contract: Any) -> list[str]:
    named = [p for p in contract.style.persona_names if p != ROBOTIC]
    present = {e.style for e in dataset.episodes}
    personas = [p for p in named if p in present]
    if not personas:
        raise ValueError(f"the dataset's styles {sorted(present)} name none of the model's personas {named}")
    return personas


def _encoder(policy_path: Path) -> Any | None:
    """The style encoder exported beside the policy (`<name>.style.onnx`), if there is one."""
    path = policy_path.with_suffix(".style.onnx")
    if not path.exists():
        return None
    from botsdk.export.runtime import StyleEncoderRuntime

    return StyleEncoderRuntime(path)


def _style_training_set(dataset: Any, personas: list[str], seed: int) -> tuple[list, list[str]]:
    rng = np.random.default_rng(seed)
    episodes, labels = [], []
    for p in personas:  # by (match seed, agent): the ids follow the order recorders committed in, which varies
        ordered = sorted((e for e in dataset.episodes if e.style == p), key=lambda e: (e.seed, e.agent_id))
        for k in sorted(rng.choice(len(ordered), min(len(ordered), STYLE_TRAIN_EPISODES), replace=False).tolist()):
            episodes.append(as_episode(dataset.episode(ordered[k].id)))
            labels.append(p)
    return episodes, labels


def _figures(r: Rollouts, dataset: Any, personas: list[str], seed: int, config: SequenceConfig,
             discriminator_seeds: int, tick: Callable[[str], None], workers: int = 1
             ) -> tuple[dict[str, Any], dict[str, Any]]:
    """Every figure; the style classifier and the discriminators train in `workers` processes (figure_pool)."""
    contract = dataset.contract
    heads, names = contract.head_sizes, contract.head_names
    train_eps, train_labels = _style_training_set(dataset, personas, seed)
    scale = FeatureScale.fit(r.everything() + train_eps)
    geo = Geometry(r.everything())
    with figure_pool(workers) as pool:
        tick("style classifier")   # the longest single job goes first, so the pool's processes finish together
        classifier = pool.submit(train_style_classifier, train_eps, train_labels, scale, heads, seed)
        tick("Turing test")
        turing = turing_figures(r, heads, scale, seed, config, discriminator_seeds, pool)
        clf = classifier.result()
    panel = power_panel_summary(turing)
    style = style_figures(clf, r)
    shared = [p for p in personas if r.demo.get(p) and r.floor.get(p) and r.policy.get(p)]
    dist = {p: distances(r.policy[p], r.demo[p], r.floor[p], geo, names, heads) for p in shared}
    dist["robotic"] = distances(r.robotic, pooled(r.demo), pooled(r.floor), geo, names, heads)
    result = {
        "turing_auc": turing["policy"]["auc"], "turing_auc_ci": turing["policy"]["auc_ci"],
        "turing_auc_floor": turing["floor"]["auc"], "turing_auc_robotic": turing["robotic"]["auc"],
        "power_panel": {name: v["auc"] for name, v in panel["members"].items()},
        "power_panel_detail": panel,
        "episode_accuracy": turing["policy"]["episode_accuracy"],
        "style_accuracy": style["accuracy_policy"], "style_accuracy_demonstrators": style["accuracy_demonstrators"],
        "fewshot_style_accuracy": style["fewshot_accuracy"], "fewshot_style_accuracy_ci": style["fewshot_accuracy_ci"],
        "emd_ratio": float(np.mean([dist[p]["emd"]["ratio"] for p in shared])) if shared else float("nan"),
        "habits": habit_gaps(pooled(r.demo), pooled(r.policy), pooled(r.floor), seed),
        "turing": turing, "style": style, "distances": dist,
        "behaviour": behaviour_figures(r, geo, arena_route_descriptor(_map_of(r))),
    }
    return result, _plot_data(r, geo, personas)


def _map_of(r: Rollouts) -> str:
    return str(next(iter(r.robotic or r.everything())).meta.get("map", ""))


def _plot_data(r: Rollouts, geo: Geometry, personas: list[str]) -> dict[str, Any]:
    maps = {p: {"people": geo.heatmap(r.demo[p]).round(5).tolist(),
                "policy": geo.heatmap(r.policy[p]).round(5).tolist()} for p in personas if r.demo.get(p) and r.policy.get(p)}
    maps["robotic"] = {"robotic bot": geo.heatmap(r.robotic).round(5).tolist()}
    groups = {"people": pooled(r.demo), "policy": pooled(r.policy), "robotic bot": r.robotic}
    hists = {}
    for quantity, fn, edges in (("turn per step (degrees)", step_turns, np.linspace(-130, 130, 53)),
                                ("speed per step (units)", step_speeds, None)):
        values = {k: np.concatenate([fn(e) for e in v]) for k, v in groups.items()}
        if edges is None:
            edges = np.linspace(0, max(float(np.percentile(np.concatenate(list(values.values())), 99.5)), 1e-3), 41)
        hists[quantity] = {"edges": edges.round(4).tolist(),
                           "density": {k: np.histogram(v, edges, density=True)[0].round(5).tolist()
                                       for k, v in values.items()}}
    return {"heatmaps": maps, "histograms": hists, "heatmap_bounds": geo.bounds}


def _clean(value: Any) -> Any:
    """JSON-safe: tuples to lists, numpy scalars to Python, NaN/inf to None."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, (np.floating, float)):
        v = float(value)
        return None if not math.isfinite(v) else round(v, 5)
    if isinstance(value, np.integer):
        return int(value)
    return value
