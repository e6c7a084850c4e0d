"""Static int8 quantisation of an exported policy, calibrated and gated on recorded episodes.

Every activation range is fixed at export time from recorded observations (and the recurrent states the float model
reaches on them), so an int8 decision depends on its own row only: batch 1 and batch 64 decide alike. The int8 file
is written beside the float one (`model.onnx` -> `model.int8.onnx`, the float file untouched) only when, on recorded
episodes the calibration did not see, each model stepping its own recurrent state, every head's argmax agrees with
the float model's at least `min_agreement` of the time, and batch 1 and batch 64 give identical decisions.
"""

from __future__ import annotations

import contextlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import onnx

from botsdk.contract import BehaviourContract
from botsdk.export.metadata import INPUT_OBS, INPUT_PREVIOUS_ACTION, INPUT_STATE, INPUT_STYLE, output_names
from botsdk.export.session import load_policy, reads_previous_action

MODES = ("int8",)
MIN_INT8_AGREEMENT = 0.95
CALIBRATION_ROWS = 4096   # recorded steps the activation ranges are measured on
GATE_STEPS = 8192         # recorded steps the agreement is measured on
INVARIANCE_BATCH = 64


class QuantizationRefused(ValueError):
    """The int8 model does not decide like the float one; the message names each head's agreement."""


@dataclass
class RecordedSequences:
    """Episodes as the model met them: observations per step and the episode's style vector."""

    observations: list[np.ndarray]
    styles: list[np.ndarray]

    @property
    def steps(self) -> int:
        return int(sum(len(o) for o in self.observations))


def int8_path_for(model_path: str | Path) -> Path:
    """`model.onnx` -> `model.int8.onnx`."""
    model_path = Path(model_path)
    return model_path.with_name(model_path.stem + ".int8.onnx")


def recorded_sequences(dataset_path: str | Path, contract: BehaviourContract) -> tuple[RecordedSequences,
                                                                                        RecordedSequences]:
    """(calibration, gate): alternate episodes of the dataset, oldest first, so the gate is episodes never
    calibrated on (with a single episode, both use it)."""
    from botsdk.dataset.dataset import Dataset

    ds = Dataset.open(dataset_path)
    if not ds.episodes:
        raise QuantizationRefused(f"dataset {dataset_path} has no episodes to calibrate int8 on")
    personas = dict(contract.style.personas)
    zero = np.zeros(contract.style.size, np.float32)
    halves: tuple[RecordedSequences, RecordedSequences] = (RecordedSequences([], []), RecordedSequences([], []))
    budgets = (CALIBRATION_ROWS, GATE_STEPS)
    for i, info in enumerate(ds.episodes):
        part = i % 2
        if halves[part].steps >= budgets[part]:
            continue
        obs = np.ascontiguousarray(ds.episode(info.id)["observations"], np.float32)
        halves[part].observations.append(obs[: budgets[part] - halves[part].steps])
        halves[part].styles.append(np.asarray(personas.get(info.style, zero), np.float32))
    calibration, gate = halves
    return calibration, (gate if gate.observations else calibration)


def synthetic_sequences(contract: BehaviourContract, seed: int = 0) -> tuple[RecordedSequences, RecordedSequences]:
    """(calibration, gate) of synthetic episodes, for a model with no recording at hand (benchmarks); the CLI always
    calibrates on recorded data."""
    from botsdk.export.parity import held_out_styles, synthetic_observations

    parts = []
    for offset in (0, 1):
        obs = synthetic_observations(contract, 1024, seed + offset).reshape(32, 32, -1)
        styles = held_out_styles(contract, 32, seed + offset)
        parts.append(RecordedSequences(list(obs), list(styles)))
    return parts[0], parts[1]


def run_sequences(session, contract: BehaviourContract, state_size: int, sequences: RecordedSequences,
                  follow: np.ndarray | None = None) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Step every episode from a zero state, all episodes in one batch per step, the model feeding its own state
    back (and, for a policy that reads it, its own previous decision, or the one `follow` made: the decisions another
    model returned here, so both are compared on the same history). Returns (int64[steps, heads] argmax decisions,
    the inputs of each step) in (step, episode) order."""
    names = output_names(contract)
    episodes = sequences.observations
    states = [np.zeros(state_size, np.float32) for _ in episodes]
    previous = [np.full(len(contract.head_sizes), -1, np.int64) for _ in episodes]
    decisions, fed = [], {INPUT_OBS: [], INPUT_STYLE: [], INPUT_STATE: []}
    if reads_previous_action(session):
        fed[INPUT_PREVIOUS_ACTION] = []
    done = 0
    for t in range(max(len(o) for o in episodes)):
        live = [e for e, o in enumerate(episodes) if t < len(o)]
        feeds = {INPUT_OBS: np.stack([episodes[e][t] for e in live]),
                 INPUT_STYLE: np.stack([sequences.styles[e] for e in live]),
                 INPUT_STATE: np.stack([states[e] for e in live])}
        if INPUT_PREVIOUS_ACTION in fed:
            feeds[INPUT_PREVIOUS_ACTION] = np.stack([previous[e] for e in live])
        *logits, new_state = session.run(names, feeds)
        decided = np.stack([head.argmax(1) for head in logits], axis=1)
        fed_back = decided if follow is None else follow[done:done + len(live)]
        for row, e in enumerate(live):
            states[e], previous[e] = new_state[row], fed_back[row]
        decisions.append(decided)
        done += len(live)
        for key, value in feeds.items():
            fed[key].append(value)
    return np.concatenate(decisions), {k: np.concatenate(v) for k, v in fed.items()}


def decide_in_batches(session, contract: BehaviourContract, inputs: dict[str, np.ndarray], batch: int) -> np.ndarray:
    """int64[N, heads] argmax decisions for the given rows, run `batch` rows per call."""
    names = output_names(contract)[:-1]
    chunks = []
    for start in range(0, len(inputs[INPUT_OBS]), batch):
        logits = session.run(names, {k: v[start:start + batch] for k, v in inputs.items()})
        chunks.append(np.stack([head.argmax(1) for head in logits], axis=1))
    return np.concatenate(chunks)


class _CalibrationReader:
    """onnxruntime's CalibrationDataReader protocol over recorded steps (with the float model's own states)."""

    def __init__(self, inputs: dict[str, np.ndarray], batch: int = 256):
        self._batches: Iterator[dict[str, np.ndarray]] = iter(
            [{k: v[s:s + batch] for k, v in inputs.items()} for s in range(0, len(inputs[INPUT_OBS]), batch)])

    def get_next(self) -> dict[str, np.ndarray] | None:
        return next(self._batches, None)

    def rewind(self) -> None:  # called by some onnxruntime versions; one pass is all MinMax needs
        pass


@contextlib.contextmanager
def _quiet_root_logger():
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # onnxruntime logs a pre-processing hint on the root logger
    try:
        yield
    finally:
        root.setLevel(level)


def _quantize_file(float_path: Path, out: Path, calibration_inputs: dict[str, np.ndarray]) -> None:
    """QDQ int8: per-channel symmetric int8 weights, uint8 activations with calibrated (MinMax) ranges. MatMul and
    Gemm outputs stay float (integer products, rescaled per element), so the logits keep their float resolution."""
    from onnxruntime.quantization import CalibrationMethod, QuantFormat, QuantType, quantize_static

    with _quiet_root_logger():
        quantize_static(str(float_path), str(out), _CalibrationReader(calibration_inputs),
                        quant_format=QuantFormat.QDQ, op_types_to_quantize=["MatMul", "Gemm"], per_channel=True,
                        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                        calibrate_method=CalibrationMethod.MinMax,
                        extra_options={"OpTypesToExcludeOutputQuantization": ["MatMul", "Gemm"]})


def quantize_policy(path: str | Path, dataset: str | Path | None, mode: str = "int8",
                    min_agreement: float = MIN_INT8_AGREEMENT) -> dict[str, Any]:
    """Write `<stem>.int8.onnx` beside `path` (left untouched) or raise QuantizationRefused naming the failed check.
    `dataset` None: synthetic episodes stand in for recorded ones (benchmarks only)."""
    if mode not in MODES:
        raise QuantizationRefused(f"unknown quantisation {mode!r}; expected one of {MODES}")
    path = Path(path)
    out = int8_path_for(path)
    reference, contract, state_size = load_policy(path)
    calibration, gate = recorded_sequences(dataset, contract) if dataset is not None else \
        synthetic_sequences(contract)
    _, calibration_inputs = run_sequences(reference, contract, state_size, calibration)
    tmp = out.with_name(out.stem + ".tmp.onnx")
    try:
        _quantize_file(path, tmp, calibration_inputs)
        model = onnx.load(str(tmp))
        meta = {p.key: p.value for p in onnx.load(str(path), load_external_data=False).metadata_props}
        onnx.helper.set_model_props(model, {**meta, "botsdk.quantization": mode})
        onnx.checker.check_model(model, full_check=True)
        onnx.save_model(model, str(tmp), save_as_external_data=False)
        quantized = load_policy(tmp)[0]
        report = _gate(reference, quantized, contract, state_size, gate, min_agreement)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return {"mode": mode, "path": str(out), "float_path": str(path), "size_bytes": out.stat().st_size,
            "float_size_bytes": path.stat().st_size, "calibration_steps": len(calibration_inputs[INPUT_OBS]),
            **report}


def _gate(reference, quantized, contract: BehaviourContract, state_size: int, gate: RecordedSequences,
          min_agreement: float) -> dict[str, Any]:
    float_decisions, _ = run_sequences(reference, contract, state_size, gate)
    int8_decisions, int8_inputs = run_sequences(quantized, contract, state_size, gate, follow=float_decisions)
    agreement = {name: float(np.mean(float_decisions[:, h] == int8_decisions[:, h]))
                 for h, name in enumerate(contract.head_names)}
    single = decide_in_batches(quantized, contract, int8_inputs, 1)
    batched = decide_in_batches(quantized, contract, int8_inputs, INVARIANCE_BATCH)
    flips = int(np.sum(single != batched))
    summary = ", ".join(f"{name} {value:.2%}" for name, value in agreement.items())
    low = [name for name, value in agreement.items() if value < min_agreement]
    where = (f"{gate.steps} recorded steps of {len(gate.observations)} episode(s), each model stepping its own state"
             + (" after the float model's decisions" if INPUT_PREVIOUS_ACTION in int8_inputs else ""))
    if low:
        raise QuantizationRefused(f"int8 model refused: per-head argmax agreement with the float model on {where}: "
                                  f"{summary}; heads {low} are below the required {min_agreement:.0%}. The float "
                                  f"model is unchanged; serve it, or record more varied data and retrain")
    if flips:
        raise QuantizationRefused(f"int8 model refused: {flips} decisions differ between batch 1 and batch "
                                  f"{INVARIANCE_BATCH} on {where}")
    return {"head_agreement": agreement, "min_agreement": min_agreement, "gate_steps": gate.steps,
            "gate_episodes": len(gate.observations), "batch_1_vs_64_flips": flips}
