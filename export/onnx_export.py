"""Export a trained policy (and its style encoder) to self-contained ONNX files, refusing when a check fails.

Torch is imported here only: this runs at export time, never in a serving process. Every file is checked by the
full ONNX checker, opened by onnxruntime through the same loader the runtime uses, and compared with torch on
held-out inputs; the file is written only when all checks pass.
"""

from __future__ import annotations

import copy
import io
import json
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import onnx
import torch
from torch import nn

from botsdk.contract import BehaviourContract
from botsdk.export.metadata import (
    DEFAULT_TEMPERATURE, EXPORT_HEAD_TEMPERATURES, EXPORT_TEMPERATURE, INPUT_OBS, INPUT_PREVIOUS_ACTION, INPUT_STATE,
    INPUT_STYLE, MAX_OPSET, MIN_OPSET, NO_PREVIOUS_ACTION, OPSET, OUTPUT_STATE,
    STYLE_INPUT_ACTIONS, STYLE_INPUT_OBS, STYLE_OUTPUT, build_metadata, output_names, style_path_for,
)
from botsdk.export.parity import ParityReport, compare, held_out_styles, random_histories, synthetic_observations
from botsdk.export.session import ModelFormatError, load_policy, load_style_encoder, reads_previous_action

PARITY_ATOL = 1e-4
PARITY_MIN_AGREEMENT = 0.999


class ExportError(RuntimeError):
    """Export refused: a check failed. The message names the check, the measured and the allowed values."""


@dataclass
class ExportReport:
    path: Path
    size_bytes: int
    opset: int
    state_size: int
    parity: ParityReport
    style_path: Path | None = None
    style_parity: ParityReport | None = None
    quantized: dict[str, Any] | None = None
    checks: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "size_bytes": self.size_bytes, "opset": self.opset,
                "state_size": self.state_size, "parity": self.parity.to_dict(),
                "style_path": str(self.style_path) if self.style_path else None,
                "style_parity": self.style_parity.to_dict() if self.style_parity else None,
                "quantized": self.quantized, "checks": self.checks}


class _UnrolledGRU(nn.Module):
    """nn.GRU (one layer, one direction, batch first) written as MatMul, Sigmoid and Tanh, one step at a time.

    The ONNX GRU operator is what engines support least (and onnxruntime aborts on a GRU over an empty batch); these
    elementary operators run everywhere, on any batch size, at every opset from 15. Same gate equations as torch.
    """

    def __init__(self, gru: nn.GRU):
        super().__init__()
        if gru.num_layers != 1 or gru.bidirectional or not gru.batch_first:
            raise ExportError(f"only a one-layer, one-direction, batch-first GRU exports; got {gru}")
        self.hidden = gru.hidden_size
        self.w_ih, self.w_hh = gru.weight_ih_l0, gru.weight_hh_l0
        self.b_ih, self.b_hh = gru.bias_ih_l0, gru.bias_hh_l0

    def forward(self, inputs: torch.Tensor, h0: torch.Tensor):
        h = h0[0]
        outputs = []
        for t in range(inputs.shape[1]):  # the policy steps one decision at a time: one iteration when traced
            gi = inputs[:, t] @ self.w_ih.t() + self.b_ih
            gh = h @ self.w_hh.t() + self.b_hh
            i_r, i_z, i_n = gi.chunk(3, dim=-1)
            h_r, h_z, h_n = gh.chunk(3, dim=-1)
            r, z = torch.sigmoid(i_r + h_r), torch.sigmoid(i_z + h_z)
            n = torch.tanh(i_n + r * h_n)
            h = (1 - z) * n + z * h
            outputs.append(h)
        return torch.stack(outputs, dim=1), h[None]


def _portable(policy: nn.Module) -> nn.Module:
    """A copy of the policy with every nn.GRU replaced by the unrolled one (same weights, same outputs)."""
    policy = copy.deepcopy(policy)
    for name, module in list(policy.named_modules()):
        for child_name, child in list(module.named_children()):
            if isinstance(child, nn.GRU):
                setattr(module, child_name, _UnrolledGRU(child))
    return policy


class _FlatPolicy(nn.Module):
    """The policy with flat outputs (logits per head, then state), the order ONNX output names follow."""

    def __init__(self, policy: nn.Module):
        super().__init__()
        self.policy = _portable(policy)

    def forward(self, obs: torch.Tensor, style: torch.Tensor, state: torch.Tensor,
                previous_action: torch.Tensor | None = None):
        logits, new_state = self.policy(obs, style, state, previous_action)
        return (*logits, new_state)


def _reads_previous_action(policy: nn.Module) -> bool:
    return bool(getattr(policy, "reads_previous_action", False))


def _policy_inputs(policy: nn.Module) -> list[str]:
    """The exported file's input names: the previous action only for a policy that reads it."""
    return [INPUT_OBS, INPUT_STYLE, INPUT_STATE] + ([INPUT_PREVIOUS_ACTION] if _reads_previous_action(policy) else [])


class _BatchedStyleEncoder(nn.Module):
    """StyleEncoder returns style[S]; the file's contract is style[1, S], and zeros (no style) for an empty
    demonstration, where the encoder's mean over no steps would be NaN."""

    def __init__(self, encoder: nn.Module):
        super().__init__()
        self.encoder = encoder

    def forward(self, obs: torch.Tensor, actions_onehot: torch.Tensor) -> torch.Tensor:
        steps = self.encoder.step(torch.cat([obs, actions_onehot], dim=-1))
        count = torch.ones_like(obs[:, :1]).sum(dim=0, keepdim=True)  # N as float[1, 1]; 0 for an empty set
        pooled = steps.sum(dim=0, keepdim=True) / count.clamp(min=1.0)
        return self.encoder.out(pooled) * (count > 0).to(obs.dtype)


def _to_onnx(module: nn.Module, args: tuple, inputs: list[str], outputs: list[str], dynamic: dict,
             opset: int) -> onnx.ModelProto:
    """`module` must be in eval mode: the exporter restores its training flag afterwards, recursively, so a
    wrapper left in training mode would switch the wrapped policy's dropout back on for the parity check."""
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(module, args, buffer, input_names=inputs, output_names=outputs, opset_version=opset,
                          dynamic_axes=dynamic, dynamo=False, do_constant_folding=True)
    return onnx.load_model_from_string(buffer.getvalue())


def _finalise(model: onnx.ModelProto, metadata: Mapping[str, str], path: Path, checks: list[str],
              label: str | None = None) -> Path:
    """Embed metadata, run the full checker, write one file (no external data) atomically."""
    onnx.helper.set_model_props(model, dict(metadata))
    try:
        onnx.checker.check_model(model, full_check=True)
    except onnx.checker.ValidationError as exc:
        raise ExportError(f"ONNX checker (full) rejected the exported graph: {exc}") from None
    checks.append(f"onnx.checker full_check passed ({label or path.name})")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    onnx.save_model(model, str(tmp), save_as_external_data=False)
    os.replace(tmp, path)
    return path


def policy_parity(policy: nn.Module, path: Path, contract: BehaviourContract, obs: np.ndarray, state_size: int,
                  seed: int, atol: float = PARITY_ATOL, min_agreement: float = PARITY_MIN_AGREEMENT) -> ParityReport:
    """Torch vs onnxruntime on the same held-out inputs (random recurrent states included)."""
    session, _, _ = load_policy(path)
    rng = np.random.default_rng(seed + 1)
    style = held_out_styles(contract, len(obs), seed)
    state = np.zeros((len(obs), state_size), np.float32)
    if getattr(policy, "recurrent", False):
        state = rng.normal(0.0, 0.5, state.shape).astype(np.float32)
    feeds = {INPUT_OBS: obs, INPUT_STYLE: style, INPUT_STATE: state}
    previous = None
    if _reads_previous_action(policy):
        answer = getattr(policy, "answer", None)
        previous, memory = random_histories(contract, len(obs), seed, getattr(policy, "sight", None) is not None,
                                            None if answer is None else answer.layout.turn_degrees)
        state[:, state_size - memory.shape[1]:] = memory
        feeds[INPUT_PREVIOUS_ACTION] = previous
    with torch.no_grad():
        ref_logits, ref_state = policy(torch.from_numpy(obs), torch.from_numpy(style), torch.from_numpy(state),
                                       None if previous is None else torch.from_numpy(previous))
    reference = [t.numpy() for t in ref_logits] + [ref_state.numpy()]
    exported = session.run(output_names(contract), feeds)
    return compare(reference, exported, len(contract.head_sizes), atol, min_agreement)


def _style_parity(encoder: nn.Module, path: Path, contract: BehaviourContract, obs: np.ndarray,
                  atol: float) -> ParityReport:
    session, _ = load_style_encoder(path)
    rng = np.random.default_rng(0)
    onehot = np.zeros((len(obs), sum(contract.head_sizes)), np.float32)
    offset = 0
    for size in contract.head_sizes:
        onehot[np.arange(len(obs)), offset + rng.integers(0, size, len(obs))] = 1.0
        offset += size
    refs, outs = [], []
    for chunk in np.array_split(np.arange(len(obs)), 8):  # several demonstration sets of different sizes
        with torch.no_grad():
            refs.append(encoder(torch.from_numpy(obs[chunk]), torch.from_numpy(onehot[chunk])).reshape(1, -1).numpy())
        outs.append(session.run(None, {STYLE_INPUT_OBS: obs[chunk], STYLE_INPUT_ACTIONS: onehot[chunk]})[0])
    ref, out = np.concatenate(refs), np.concatenate(outs)
    diff = float(np.max(np.abs(ref - out)))
    return ParityReport(len(refs), 0.0, diff, 1.0, atol, 0.0)


def _empty_batch_check(path: Path, contract: BehaviourContract, state_size: int) -> str:
    """An engine may have no agent deciding on a tick: a batch of 0 rows must give 0-row outputs."""
    session, _, _ = load_policy(path)
    feeds = {INPUT_OBS: np.zeros((0, contract.observation_size), np.float32),
             INPUT_STYLE: np.zeros((0, contract.style.size), np.float32),
             INPUT_STATE: np.zeros((0, state_size), np.float32)}
    if reads_previous_action(session):
        feeds[INPUT_PREVIOUS_ACTION] = np.zeros((0, len(contract.head_sizes)), np.int64)
    got = [tuple(a.shape) for a in session.run(output_names(contract), feeds)]
    want = [(0, n) for n in contract.head_sizes] + [(0, state_size)]
    if got != want:
        raise ExportError(f"an empty batch should give outputs {want}, the exported file gave {got}")
    return "empty batch: 0-row outputs"


def _empty_set_check(path: Path, contract: BehaviourContract) -> str:
    session, _ = load_style_encoder(path)
    (style,) = session.run(None, {STYLE_INPUT_OBS: np.zeros((0, contract.observation_size), np.float32),
                                  STYLE_INPUT_ACTIONS: np.zeros((0, sum(contract.head_sizes)), np.float32)})
    if style.shape != (1, contract.style.size) or np.any(style != 0.0):
        raise ExportError(f"an empty demonstration should give the zero style float32[1, {contract.style.size}], "
                          f"the exported encoder gave {style.dtype}{list(style.shape)} {style.ravel()[:4].tolist()}")
    return "style encoder on an empty demonstration: the zero style"


def _check_policy_shapes(policy: nn.Module, contract: BehaviourContract) -> int:
    """The policy must produce the contract's heads; returns its state size."""
    state_size = int(getattr(policy, "state_size", 1))
    obs = torch.zeros(2, contract.observation_size)
    heads = len(getattr(policy, "head_sizes", contract.head_sizes))  # the policy's own: a mismatch is reported below
    previous = torch.full((2, heads), NO_PREVIOUS_ACTION) if _reads_previous_action(policy) else None
    with torch.no_grad():
        logits, state = policy(obs, torch.zeros(2, contract.style.size), torch.zeros(2, state_size), previous)
    got = [tuple(t.shape) for t in logits]
    want = [(2, n) for n in contract.head_sizes]
    if got != want or tuple(state.shape) != (2, state_size):
        raise ExportError(f"policy outputs do not match the contract: expected logits {want} (heads "
                          f"{list(contract.head_names)}) and state (2, {state_size}), got {got} and "
                          f"{tuple(state.shape)}")
    return state_size


def export_policy(policy: nn.Module, contract: BehaviourContract, path: str | Path, *, model_version: str,
                  training_config: Mapping | str, dataset_hash: str, held_out: np.ndarray | None = None,
                  style_encoder: nn.Module | None = None, seed: int = 0, opset: int = OPSET,
                  atol: float = PARITY_ATOL, min_agreement: float = PARITY_MIN_AGREEMENT,
                  sampling_temperature: float | None = None,
                  head_temperatures: Mapping[str, float] | None = None) -> ExportReport:
    """Write `path` (and `<stem>.style.onnx` when an encoder is given) or raise ExportError with the reason.
    `head_temperatures` override `sampling_temperature` for the heads they name (metadata.head_temperatures)."""
    if not MIN_OPSET <= opset <= MAX_OPSET:
        raise ExportError(f"opset: expected {MIN_OPSET} to {MAX_OPSET} (15 for Unity Sentis 1.x, 17 by default), "
                          f"got {opset}")
    path, checks = Path(path), []
    policy = policy.eval()
    state_size = _check_policy_shapes(policy, contract)
    obs = held_out if held_out is not None else synthetic_observations(contract, 2048, seed)
    if obs.ndim != 2 or obs.shape[1] != contract.observation_size:
        raise ExportError(f"held-out observations: expected float32[N, {contract.observation_size}], "
                          f"got {obs.dtype}{list(obs.shape)}")
    obs = np.ascontiguousarray(obs, np.float32)
    names, inputs = output_names(contract), _policy_inputs(policy)
    dynamic = {n: {0: "batch"} for n in [*inputs, *names]}
    example = (torch.zeros(1, contract.observation_size), torch.zeros(1, contract.style.size),
               torch.zeros(1, state_size))
    if _reads_previous_action(policy):
        example += (torch.full((1, len(contract.head_sizes)), NO_PREVIOUS_ACTION),)
    model = _to_onnx(_FlatPolicy(policy).eval(), example, inputs, names, dynamic, opset)
    meta = build_metadata(contract, model_version, training_config, dataset_hash, state_size, sampling_temperature,
                          head_temperatures)
    tmp = path.with_name(path.stem + ".checking.onnx")
    try:
        _finalise(model, meta, tmp, checks, label=path.name)
        try:
            parity = policy_parity(policy, tmp, contract, obs, state_size, seed, atol, min_agreement)
        except ModelFormatError as exc:
            raise ExportError(f"the exported file does not match the contract: {exc}") from None
        if not parity.passed:
            raise ExportError(f"parity with torch failed on {parity.samples} held-out observations: "
                              f"{parity.failure()}")
        checks.append(f"parity with torch on {parity.samples} held-out observations: max |diff| "
                      f"{parity.max_abs_logit_diff:.2e}, argmax agreement {parity.argmax_agreement:.4%}")
        checks.append(_empty_batch_check(tmp, contract, state_size))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    report = ExportReport(path, path.stat().st_size, opset, state_size, parity, checks=checks)
    if style_encoder is not None:
        _export_style_encoder(style_encoder.eval(), contract, path, meta, obs, opset, atol, report)
    return report


def _export_style_encoder(encoder: nn.Module, contract: BehaviourContract, policy_path: Path, meta: Mapping[str, str],
                          obs: np.ndarray, opset: int, atol: float, report: ExportReport) -> None:
    path = style_path_for(policy_path)
    example = (torch.zeros(4, contract.observation_size), torch.zeros(4, sum(contract.head_sizes)))
    dynamic = {STYLE_INPUT_OBS: {0: "n"}, STYLE_INPUT_ACTIONS: {0: "n"}}
    model = _to_onnx(_BatchedStyleEncoder(encoder).eval(), example, [STYLE_INPUT_OBS, STYLE_INPUT_ACTIONS], [STYLE_OUTPUT],
                     dynamic, opset)
    _finalise(model, meta, path, report.checks)
    parity = _style_parity(encoder, path, contract, obs[:512], atol)
    if not parity.passed:
        path.unlink(missing_ok=True)
        raise ExportError(f"style encoder parity with torch failed: {parity.failure()}")
    report.checks.append(f"style encoder parity: max |diff| {parity.max_abs_state_diff:.2e}")
    try:
        report.checks.append(_empty_set_check(path, contract))
    except ExportError:
        path.unlink(missing_ok=True)
        raise
    report.style_path, report.style_parity = path, parity


def held_out_from_dataset(dataset_path: str | Path, n: int = 2048) -> np.ndarray:
    """Observations from the dataset's last episodes (newest recordings), at most `n` rows."""
    from botsdk.dataset.dataset import Dataset

    ds = Dataset.open(dataset_path)
    rows, total = [], 0
    for info in reversed(ds.episodes):
        obs = ds.episode(info.id)["observations"]
        rows.append(obs[: n - total])
        total += len(rows[-1])
        if total >= n:
            break
    if not rows:
        raise ExportError(f"dataset {dataset_path} has no episodes to draw held-out observations from")
    return np.concatenate(rows).astype(np.float32)


def _temperatures(temperature: float | None, heads: Mapping[str, float] | None) -> dict:
    if temperature is None and heads is None:
        return {"sampling_temperature": EXPORT_TEMPERATURE, "head_temperatures": EXPORT_HEAD_TEMPERATURES}
    return {"sampling_temperature": DEFAULT_TEMPERATURE if temperature is None else temperature,
            "head_temperatures": heads}


def export_run(run: str | Path, out: str | Path, quantize: str | None = None, dataset: str | Path | None = None,
               seed: int = 0, temperature: float | None = None, opset: int = OPSET,
               head_temperatures: Mapping[str, float] | None = None) -> ExportReport:
    """`botsdk export`: load a run directory, export policy + style encoder at `opset`, optionally add an int8 model
    (`<stem>.int8.onnx`, calibrated and gated on `dataset`'s episodes) beside the float one.
    `temperature`: the sampling temperature the model is deployed with, written into its metadata, and
    `head_temperatures` its per-head overrides (default, when neither is given: the ones chosen on the evaluation's
    validation split, `metadata.EXPORT_TEMPERATURE` and `EXPORT_HEAD_TEMPERATURES`)."""
    from botsdk.training.checkpoint import load_run

    if quantize is not None and dataset is None:
        raise ExportError(f"--quantize {quantize} needs --data DATASET: int8 ranges are calibrated on, and the int8 "
                          f"model is checked against, recorded episodes")
    try:
        loaded = load_run(run)
    except RuntimeError as exc:  # weights that no longer fit the model code (trained by another version)
        raise ExportError(f"{run}: the checkpoint does not load into this version's model: {exc}") from None
    unknown = sorted(set(head_temperatures or ()) - set(loaded.contract.head_names))
    if unknown:
        raise ExportError(f"head temperatures: expected head names from {', '.join(loaded.contract.head_names)}, "
                          f"got {', '.join(unknown)}")
    held_out = held_out_from_dataset(dataset) if dataset is not None else None
    version = f"{Path(loaded.path).parent.name or 'run'}@step{loaded.weights_step}"
    report = export_policy(loaded.policy, loaded.contract, out, model_version=version,
                           training_config=json.dumps(loaded.config.to_dict(), sort_keys=True),
                           dataset_hash=loaded.dataset_hash, held_out=held_out, style_encoder=loaded.style_encoder,
                           seed=seed, opset=opset, **_temperatures(temperature, head_temperatures))
    if quantize is not None:
        from botsdk.export.quantize import QuantizationRefused, quantize_policy

        try:
            report.quantized = quantize_policy(Path(out), dataset, quantize)
        except QuantizationRefused as exc:
            raise ExportError(f"{exc} (the float model {out} was written and checked)") from None
        agreement = ", ".join(f"{k} {v:.2%}" for k, v in report.quantized["head_agreement"].items())
        report.checks.append(f"{quantize} {report.quantized['path']}: per-head agreement with the float model on "
                             f"{report.quantized['gate_steps']} recorded steps ({agreement}); batch 1 and batch 64 "
                             f"decide alike; {report.quantized['size_bytes']} bytes")
    return report
