"""Every figure of an evaluation, computed from the rollout groups: a plain dict, ready for JSON and the report."""

from __future__ import annotations

from concurrent.futures import Executor, Future
from typing import Any, Sequence

import numpy as np

from botsdk.evaluation.classifier import SequenceConfig
from botsdk.evaluation.distances import head_js, heatmap_emd, position_heatmap, ratio, windowed_w1
from botsdk.evaluation.distributed import InlineExecutor
from botsdk.evaluation.entropy import Descriptor, competence, paired_entropy
from botsdk.evaluation.features import Episode, FeatureScale
from botsdk.evaluation.plan import Rollouts
from botsdk.evaluation.style import StyleClassifier, confusion_matrix, mean_probabilities, style_accuracy
from botsdk.evaluation.turing import halves, judge_aucs, judges_train_half, mean_auc, turing_test

HEATMAP_BINS = 16


class Geometry:
    """Map bounds and heatmap cells shared by every group."""

    def __init__(self, episodes: Sequence[Episode], bins: int = HEATMAP_BINS) -> None:
        pos = np.concatenate([e.positions for e in episodes])
        lo, hi = pos.min(axis=0), pos.max(axis=0) + 1e-6
        self.bounds = (float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1]))
        self.bins = bins
        self.cell = ((self.bounds[2] - self.bounds[0]) / bins, (self.bounds[3] - self.bounds[1]) / bins)

    def heatmap(self, episodes: Sequence[Episode]) -> np.ndarray:
        return position_heatmap(episodes, self.bounds, self.bins)

    def emd(self, a: Sequence[Episode], b: Sequence[Episode]) -> float:
        return heatmap_emd(self.heatmap(a), self.heatmap(b), self.cell)


def distances(candidate: Sequence[Episode], reference: Sequence[Episode], floor: Sequence[Episode],
              geo: Geometry, head_names: Sequence[str], head_sizes: Sequence[int]) -> dict[str, Any]:
    """Each distance twice (candidate vs reference, floor sample vs reference) and their ratio."""
    js_c, js_f = head_js(candidate, reference, head_names, head_sizes), head_js(floor, reference, head_names, head_sizes)
    w_c, w_f = windowed_w1(candidate, reference), windowed_w1(floor, reference)
    emd_c, emd_f = geo.emd(candidate, reference), geo.emd(floor, reference)
    return {
        "js": {h: {"value": js_c[h], "floor": js_f[h], "ratio": ratio(js_c[h], js_f[h])} for h in head_names},
        "w1": {k: {"value": w_c[k], "floor": w_f[k], "ratio": ratio(w_c[k], w_f[k])} for k in w_c},
        "emd": {"value": emd_c, "floor": emd_f, "ratio": ratio(emd_c, emd_f)},
    }


def turing_figures(r: Rollouts, head_sizes: Sequence[int], scale: FeatureScale, seed: int,
                   config: SequenceConfig, seeds: int = 1, pool: Executor | None = None) -> dict[str, Any]:
    """Every candidate group against the reference people: the floor (other people), the policy (pooled and per
    persona), the robotic bot and each power-panel member. With `seeds` > 1 each AUC is the sharper judge's mean
    over that many discriminators, which take turns judging the two halves (their spread shows in `auc_seeds`,
    each judge's mean in `judges`). `pool` (botsdk.evaluation.distributed.figure_pool) trains the discriminators;
    without one they train here, one after another."""
    people = halves(pooled(r.demo))
    comparisons = {("policy", None): (people, pooled(r.policy)), ("floor", None): (people, pooled(r.floor)),
                   ("robotic", None): (people, r.robotic),
                   **{("panel", name): (people, eps) for name, eps in r.panel.items()},
                   **{("per_persona", p): (halves(r.demo[p]), r.policy[p]) for p in r.policy if r.demo.get(p)}}
    run = pool or InlineExecutor()
    runs = {key: [run.submit(turing_test, reference, halves(candidate), head_sizes, scale, seed + k, config,
                             swap=judges_train_half(k)) for k in range(seeds)]
            for key, (reference, candidate) in comparisons.items()}
    figures: dict[str, Any] = {"panel": {}, "per_persona": {}}
    for (group, name), futures in runs.items():   # submitted first, collected after: a pool trains them together
        if name is None:
            figures[group] = _comparison(futures, seed)
        else:
            figures[group][name] = _comparison(futures, seed)
    return {key: figures[key] for key in ("policy", "floor", "robotic", "panel", "per_persona")}


def _comparison(runs: list[Future], seed: int) -> dict[str, Any]:
    """One comparison's figures from its discriminators' runs (the first run's detail, every run's AUC)."""
    try:
        done = [run.result() for run in runs]
    except ValueError as exc:   # too few episodes for a split: say so in the report instead of failing it
        return {"auc": float("nan"), "auc_ci": (float("nan"), float("nan")), "episode_accuracy": float("nan"),
                "episode_accuracy_ci": (float("nan"), float("nan")), "error": str(exc)}
    out = done[0].to_dict()
    out["auc_seeds"] = [run.auc for run in done]
    out["auc"], out["auc_ci"] = mean_auc(done, seed)
    out["judges"] = judge_aucs(done)
    return out


def power_panel_summary(turing: dict[str, Any]) -> dict[str, Any]:
    """name -> {auc, lo, hi} for every panel member and the robotic bot, and which of them the policy is more
    human-like than (a lower AUC) and less human-like than."""
    members = {**turing["panel"], "robotic": turing["robotic"]}
    panel = {name: {"auc": t["auc"], "lo": t["auc_ci"][0], "hi": t["auc_ci"][1], "judges": t.get("judges", {})}
             for name, t in members.items()}
    policy = turing["policy"]["auc"]
    finite = {n: v for n, v in panel.items() if np.isfinite(v["auc"])}
    return {"members": panel,
            "policy_more_human_than": sorted(n for n, v in finite.items() if np.isfinite(policy) and policy < v["auc"]),
            "policy_less_human_than": sorted(n for n, v in finite.items() if np.isfinite(policy) and policy >= v["auc"])}


def pooled(groups: dict[str, list[Episode]]) -> list[Episode]:
    return [e for g in groups.values() for e in g]


def style_figures(clf: StyleClassifier, r: Rollouts) -> dict[str, Any]:
    policy_cm, demo_cm = confusion_matrix(clf, r.policy), confusion_matrix(clf, r.floor)
    blends = {}
    for name, eps in r.blends.items():
        belief = mean_probabilities(clf, eps)
        a, b = name.split("+")
        blends[name] = {"belief": belief, "mass_on_parents": belief.get(a, 0.0) + belief.get(b, 0.0)}
    fewshot = fewshot_figures(clf, r.fewshot)
    return {
        "styles": list(clf.styles),
        "confusion_policy": _listify(policy_cm), "confusion_demonstrators": _listify(demo_cm),
        "accuracy_policy": style_accuracy(policy_cm), "accuracy_demonstrators": style_accuracy(demo_cm),
        "blends": blends, "fewshot": fewshot,
        "fewshot_accuracy": fewshot["accuracy"], "fewshot_accuracy_ci": fewshot["accuracy_ci"],
    }


def fewshot_figures(clf: StyleClassifier, episodes: Sequence[Episode]) -> dict[str, Any]:
    """One trial per episode: did the classifier read, in the model's play, the persona of the player whose few
    episodes styled it? Accuracy with a Wilson 95% interval, and per persona."""
    probs = clf.episode_probabilities(episodes) if episodes else np.zeros((0, len(clf.styles)))
    trials = [(str(e.meta.get("style")), clf.styles[int(np.argmax(row))])
              for e, row in zip(episodes, probs) if not np.isnan(row).any()]
    hits = np.array([shown == read for shown, read in trials], dtype=bool)
    per_style = {s: {"trials": int(sum(1 for shown, _ in trials if shown == s)),
                     "correct": int(sum(1 for shown, read in trials if shown == s and read == s))}
                 for s in sorted({shown for shown, _ in trials})}
    return {"trials": int(len(hits)), "correct": int(hits.sum()),
            "accuracy": float(hits.mean()) if len(hits) else None,
            "accuracy_ci": wilson_interval(int(hits.sum()), len(hits)) if len(hits) else None,
            "per_style": per_style}


def wilson_interval(successes: int, trials: int, z: float = 1.96) -> tuple[float, float]:
    """95% interval of a success rate that stays inside [0, 1] and is honest at small counts."""
    p = successes / trials
    centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z * np.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / (1 + z * z / trials)
    return round(float(centre - half), 4), round(float(centre + half), 4)


def behaviour_figures(r: Rollouts, geo: Geometry, descriptor: Descriptor | None = None) -> dict[str, Any]:
    """Route entropy (D3IL) and competence per persona, policy next to its demonstrators."""
    out = {}
    for p in (p for p in r.policy if r.demo.get(p)):
        h_demo, h_policy = paired_entropy(r.demo[p], r.policy[p], geo.bounds, descriptor)
        c_demo, c_policy = competence(r.demo[p]), competence(r.policy[p])
        out[p] = {"entropy_demonstrators": h_demo, "entropy_policy": h_policy,
                  "competence_demonstrators": c_demo, "competence_policy": c_policy}
    return out


def _listify(matrix: np.ndarray) -> list[list[float | None]]:
    return [[None if np.isnan(v) else round(float(v), 4) for v in row] for row in matrix]
