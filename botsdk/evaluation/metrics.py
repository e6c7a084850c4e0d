"""Every figure of an evaluation, computed from the rollout groups: a plain dict, ready for JSON and the report."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from botsdk.evaluation.classifier import ClassifierConfig
from botsdk.evaluation.distances import head_js, heatmap_emd, position_heatmap, ratio, windowed_w1
from botsdk.evaluation.entropy import Descriptor, competence, paired_entropy
from botsdk.evaluation.features import Episode, FeatureScale
from botsdk.evaluation.plan import Rollouts
from botsdk.evaluation.style import StyleClassifier, confusion_matrix, mean_probabilities, style_accuracy
from botsdk.evaluation.turing import turing_test

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
                   config: ClassifierConfig) -> dict[str, Any]:
    """Policy, floor and robotic bot against the held-out demonstrators (pooled), and the policy per persona."""
    pooled = lambda groups: [e for g in groups.values() for e in g]
    demo, floor, policy = pooled(r.demo), pooled(r.floor), pooled(r.policy)

    def test(reference: list[Episode], candidate: list[Episode]) -> dict[str, Any]:
        try:
            return turing_test(reference, candidate, head_sizes, seed, scale, config=config).to_dict()
        except ValueError as exc:   # too few episodes for a split: say so in the report instead of failing it
            return {"auc": float("nan"), "auc_ci": (float("nan"), float("nan")), "episode_accuracy": float("nan"),
                    "episode_accuracy_ci": (float("nan"), float("nan")), "error": str(exc)}

    return {"policy": test(demo, policy), "floor": test(demo, floor), "robotic": test(demo, r.robotic),
            "per_persona": {p: test(r.demo[p], r.policy[p]) for p in r.policy}}


def style_figures(clf: StyleClassifier, r: Rollouts) -> dict[str, Any]:
    policy_cm, demo_cm = confusion_matrix(clf, r.policy), confusion_matrix(clf, r.floor)
    blends = {}
    for name, eps in r.blends.items():
        belief = mean_probabilities(clf, eps)
        a, b = name.split("+")
        blends[name] = {"belief": belief, "mass_on_parents": belief.get(a, 0.0) + belief.get(b, 0.0)}
    fewshot = {}
    for p, eps in r.fewshot.items():
        belief = mean_probabilities(clf, eps)
        fewshot[p] = {"belief": belief, "predicted": max(belief, key=lambda k: belief[k]),
                      "style_vector": r.fewshot_style.get(p)}
    hits = [v["predicted"] == p for p, v in fewshot.items()]
    return {
        "styles": list(clf.styles),
        "confusion_policy": _listify(policy_cm), "confusion_demonstrators": _listify(demo_cm),
        "accuracy_policy": style_accuracy(policy_cm), "accuracy_demonstrators": style_accuracy(demo_cm),
        "blends": blends, "fewshot": fewshot,
        "fewshot_accuracy": float(np.mean(hits)) if hits else None,
    }


def behaviour_figures(r: Rollouts, geo: Geometry, descriptor: Descriptor | None = None) -> dict[str, Any]:
    """Route entropy (D3IL) and competence per persona, policy next to its demonstrators."""
    out = {}
    for p in r.policy:
        h_demo, h_policy = paired_entropy(r.demo[p], r.policy[p], geo.bounds, descriptor)
        c_demo, c_policy = competence(r.demo[p]), competence(r.policy[p])
        out[p] = {"entropy_demonstrators": h_demo, "entropy_policy": h_policy,
                  "competence_demonstrators": c_demo, "competence_policy": c_policy}
    return out


def _listify(matrix: np.ndarray) -> list[list[float | None]]:
    return [[None if np.isnan(v) else round(float(v), 4) for v in row] for row in matrix]
