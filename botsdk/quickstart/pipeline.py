"""`botsdk quickstart`: the whole story on the built-in arena, one stage after another.

record demonstrators -> train a style-conditioned policy -> export ONNX -> serve it over gRPC and play matches
with the arena as a remote engine -> evaluate (Turing test, style fidelity) -> playtest the QA map -> report.html.
Each stage writes into its own folder under `out` and returns a small summary that the report links.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

from botsdk.arena.contract import PERSONAS


@dataclass(frozen=True)
class QuickstartPlan:
    """Sizes of every stage. `quick()` fits in about two minutes on 2 cores; the default in under eight."""

    out: Path
    map_name: str = "crossroads"
    record_episodes: int = 2880         # agent-episodes (4 per 2v2 match); more data beats more steps here
    disturbance: float = 0.0            # disturbed demonstrations (botsdk.arena.disturbance): 0.05 read lower on the
                                        # validation split but not on the final one (human_likeness.md), so off
    workers: int = 2
    train_steps: int = 16000            # cosine schedule; early stopping ends it sooner if validation stalls
    train_threads: int = 1              # one torch thread: on 2 shared cores, 2 threads can run several times slower
    position_octaves: int = 8           # sin/cos of the position at 8 octaves (botsdk.training.inputs)
    sight_clock: bool = True            # the steps since the enemy came into sight: people's wait before reacting
    aim_octaves: int = 6                # sin/cos of the enemy's fine aim at 6 octaves: aim within a degree or two
    turn_mixture: int = 3               # the turn head as 3 discretised Gaussians and free logits (training.heads)
    dropout: float = 0.05               # light dropout: at 0.2 the model smooths away how people's aim settles
    answer_memory: bool = True          # the steps since its own flick onto the enemy and the flick's size ...
    bearing_lean: bool = True           # ... and turn logits that lean relative to the enemy's bearing: together
                                        # they let the aim settle past the enemy after a flick as people's does
    eval_episodes: int = 48             # held-out matches per group: six rounds for each of 16 players a fold (fewer
                                        # rounds hide the overshoot, fewer players leave the floor too noisy to read)
    remote_matches: int = 2
    playtest_map: str = "qa_defects"
    playtest_personas: tuple[str, ...] = ("explorer", "objective", "rusher")
    playtest_episodes: int = 3
    playtest_max_steps: int = 960
    seed: int = 0

    @classmethod
    def quick(cls, out: Path) -> "QuickstartPlan":
        return cls(out=out, record_episodes=96, train_steps=300, eval_episodes=2, remote_matches=1,
                   playtest_episodes=1, playtest_max_steps=480)


@dataclass
class StageResult:
    name: str
    seconds: float
    summary: dict[str, Any] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)


class StageProgress:
    """What a stage reports while it runs. This base shows nothing (library use); a terminal display overrides it.

    `library_bars`: the stages whose own libraries draw a progress bar (training steps, playtest episodes) may draw
    it, because no other live display is on screen."""

    library_bars: bool = False

    def stage(self, label: str, index: int, total: int) -> None:
        """A stage starts."""

    def begin(self, total: int | None, unit: str) -> None:
        """The stage's work in countable units (None: not known in advance)."""

    def advance(self, amount: int = 1, note: str = "") -> None:
        """`amount` more units done; `note` says what is being done now."""

    def finished(self, result: StageResult) -> None:
        """The stage is over; its summary is filled in."""


Stage = Callable[[QuickstartPlan, StageProgress], StageResult]


def record_stage(plan: QuickstartPlan, progress: StageProgress) -> StageResult:
    from botsdk.dataset import Dataset
    from botsdk.arena.recording import RecordPlan, record

    data = plan.out / "data"
    if data.exists():
        import shutil

        shutil.rmtree(data)
    progress.begin(plan.record_episodes, "episodes")
    record(RecordPlan(plan.map_name, PERSONAS, plan.record_episodes, str(data), seed=plan.seed,
                      disturbance=plan.disturbance), workers=plan.workers,
           on_match=lambda episodes, steps: progress.advance(episodes))
    info = Dataset.open(data).summary()
    return StageResult("record", 0.0, {"episodes": info["episodes"], "steps": info["steps"], "styles": info["per_style"]},
                       {"dataset": "data/"})


def train_stage(plan: QuickstartPlan, progress: StageProgress) -> StageResult:
    from botsdk.training.api import load_config, train_run

    # the style encoder is opt-in; the quickstart shows few-shot styling, so it turns it on. With thousands of
    # episodes, position octaves pay (routes turn at fixed places), the sight clock lets the model wait as people
    # do before answering an enemy, and aim octaves with a shaped turn head let it keep the enemy in its sights as
    # people do, light dropout, the answer memory and the bearing lean let its aim settle after a flick as people's
    # does; each chosen on the evaluation's validation split (docs/research/human_likeness.md)
    config = load_config(None, max_steps=plan.train_steps, seed=plan.seed, progress=progress.library_bars,
                         threads=plan.train_threads, style_encoder=True, position_encoding=plan.position_octaves,
                         sight_timer=plan.sight_clock, aim_encoding=plan.aim_octaves,
                         ordinal_mixture=plan.turn_mixture, dropout=plan.dropout,
                         answer_memory=plan.answer_memory, bearing_lean=plan.bearing_lean)
    metrics = train_run(plan.out / "data", plan.out / "run", config)
    keep = {k: metrics[k] for k in ("step", "stopped_early", "best_val_bc_loss", "best_step", "train_samples_per_s",
                                    "train_episodes", "val_episodes") if k in metrics}
    return StageResult("train", 0.0, keep, {"run": "run/", "metrics": "run/metrics.json"})


def export_stage(plan: QuickstartPlan, progress: StageProgress) -> StageResult:
    from botsdk.export.onnx_export import export_run

    # the default sampling temperatures (chosen on the validation split; turn 0.9, the rest 1.0) go into its metadata
    report = export_run(plan.out / "run", plan.out / "model.onnx", dataset=plan.out / "data", seed=plan.seed)
    parity = report.parity
    return StageResult("export", 0.0, {"size_bytes": int(report.size_bytes), "opset": report.opset,
                                       "parity_samples": parity.samples,
                                       "argmax_agreement": float(parity.argmax_agreement),
                                       "min_agreement": float(parity.min_agreement),
                                       "max_abs_logit_diff": float(parity.max_abs_logit_diff),
                                       "checks": list(report.checks)},
                       {"model": "model.onnx", "style encoder": "model.style.onnx"})


def serve_stage(plan: QuickstartPlan, progress: StageProgress) -> StageResult:
    """Serve the model on loopback and let the arena, as a remote engine, play matches through the bridge."""
    import numpy as np

    from botsdk.game_bridge.remote_play import play_remote
    from botsdk.game_bridge.server import BridgeServer

    progress.begin(plan.remote_matches, "matches")
    server = BridgeServer(plan.out / "model.onnx", host="127.0.0.1", port=0, seed=plan.seed).start()  # its temperature
    matches = []
    try:
        for i in range(plan.remote_matches):
            matches.append(play_remote(server.target, plan.map_name, plan.seed + 100 + i,
                                       personas=PERSONAS[i % len(PERSONAS)], timeout=30.0))
            progress.advance(1)
    finally:
        server.stop(grace=1.0)
    ticks = np.concatenate([np.asarray(m.tick_ms) for m in matches]) if matches else np.zeros(1)
    summary = {"matches": len(matches), "steps": int(sum(m.steps for m in matches)),
               "tick_ms_p50": round(float(np.percentile(ticks, 50)), 3),
               "tick_ms_p99": round(float(np.percentile(ticks, 99)), 3),
               "model_version": matches[0].model_version if matches else ""}
    return StageResult("serve", 0.0, summary)


def evaluate_stage(plan: QuickstartPlan, progress: StageProgress) -> StageResult:
    from botsdk.evaluation.runner import evaluate_policy

    progress.begin(None, "matches")
    result = evaluate_policy(plan.out / "model.onnx", plan.out / "data", plan.out / "evaluation",
                             episodes=plan.eval_episodes, seed=plan.seed, split="final",  # the model's temperature
                             workers=plan.workers, tick=lambda label: progress.advance(1, label))
    headline = {k: result.get(k) for k in ("turing_auc", "turing_auc_ci", "turing_auc_floor", "turing_auc_robotic",
                                           "power_panel", "style_accuracy", "style_accuracy_demonstrators",
                                           "fewshot_style_accuracy", "fewshot_style_accuracy_ci", "temperature",
                                           "head_temperatures")}
    headline["habits_differ"] = {name: "more" if h["auc"] > 0.5 else "less"
                                 for name, h in (result.get("habits") or {}).items() if h.get("differs")}
    return StageResult("evaluate", 0.0, headline, {"evaluation report": "evaluation/report.html",
                                                   "evaluation json": "evaluation/report.json"})


def playtest_stage(plan: QuickstartPlan, progress: StageProgress) -> StageResult:
    from botsdk.playtest import ArenaPlaytest, run_playtest, write_reports

    summary = run_playtest(ArenaPlaytest(plan.playtest_map), list(plan.playtest_personas), plan.playtest_episodes,
                           plan.playtest_max_steps, workers=plan.workers, seed=plan.seed,
                           progress=progress.library_bars)
    write_reports(summary, plan.out / "playtest")
    found = json.loads((plan.out / "playtest" / "playtest.json").read_text())
    keep = {k: found[k] for k in ("episodes", "coverage", "checks", "golden_path") if k in found}
    return StageResult("playtest", 0.0, keep, {"playtest report": "playtest/report.html",
                                               "playtest json": "playtest/playtest.json",
                                               "junit": "playtest/junit.xml"})


STAGES: tuple[tuple[str, Stage], ...] = (
    ("record demonstrators", record_stage),
    ("train style-conditioned policy", train_stage),
    ("export ONNX", export_stage),
    ("serve over gRPC + remote matches", serve_stage),
    ("evaluate human-likeness and style", evaluate_stage),
    ("playtest the QA map", playtest_stage),
)


def run_quickstart(plan: QuickstartPlan, on_stage: Callable[[str, int, int], None] | None = None,
                   progress: StageProgress | None = None) -> Path:
    """Run every stage, write quickstart.json and report.html into `plan.out`; returns the report's path."""
    from botsdk.quickstart.report import write_quickstart_report

    progress = progress or StageProgress()
    plan.out.mkdir(parents=True, exist_ok=True)
    results: list[StageResult] = []
    started = time.perf_counter()
    for index, (label, stage) in enumerate(STAGES):
        if on_stage:
            on_stage(label, index, len(STAGES))
        progress.stage(label, index, len(STAGES))
        t0 = time.perf_counter()
        result = stage(plan, progress)
        result.seconds = round(time.perf_counter() - t0, 1)
        progress.finished(result)
        results.append(result)
    total = round(time.perf_counter() - started, 1)
    summary = {"plan": {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(plan).items()},
               "total_seconds": total, "stages": [asdict(r) for r in results]}
    (plan.out / "quickstart.json").write_text(json.dumps(summary, indent=2, default=str), encoding="utf-8")
    return write_quickstart_report(plan.out, summary)
