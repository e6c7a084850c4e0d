"""onnxruntime sessions tuned for tiny models, and the check that a file's tensors match its embedded contract.

Options follow RESEARCH.md: one intra-op thread, sequential execution, all graph optimisations, explicit CPU provider.
"""

from __future__ import annotations

from pathlib import Path

import onnxruntime as ort

from botsdk.contract import BehaviourContract
from botsdk.export.metadata import (
    INPUT_OBS, INPUT_PREVIOUS_ACTION, INPUT_STATE, INPUT_STYLE, KEY_STATE_SIZE, OUTPUT_STATE, STYLE_INPUT_ACTIONS, STYLE_INPUT_OBS,
    STYLE_OUTPUT, contract_from_metadata, logits_name,
)

PROVIDERS = ["CPUExecutionProvider"]


class ModelFormatError(ValueError):
    """An ONNX file whose tensors or metadata do not match what botsdk exports; names expected and found."""


def session_options(threads: int = 1) -> ort.SessionOptions:
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.log_severity_level = 3
    if threads > 1:  # worker threads that spin steal the core from a game's own threads (and from each other)
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return opts


def make_session(path: str | Path, threads: int = 1) -> ort.InferenceSession:
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no such ONNX file: {path}")
    return ort.InferenceSession(str(path), sess_options=session_options(threads), providers=PROVIDERS)


def load_policy(path: str | Path, threads: int = 1) -> tuple[ort.InferenceSession, BehaviourContract, int]:
    """Open a policy file, parse its contract and check every tensor against it; returns (session, contract, H)."""
    session = make_session(path, threads)
    meta = session.get_modelmeta().custom_metadata_map
    contract = contract_from_metadata(meta, str(path))
    state_size = _check_policy_io(session, contract, str(path))
    if KEY_STATE_SIZE in meta and int(meta[KEY_STATE_SIZE]) != state_size:
        raise ModelFormatError(f"{path}: metadata {KEY_STATE_SIZE}={meta[KEY_STATE_SIZE]} but tensor "
                               f"{INPUT_STATE} has width {state_size}")
    return session, contract, state_size


def reads_previous_action(session: ort.InferenceSession) -> bool:
    """Whether the policy reads the action applied last step (`previous_action`, botsdk.training.history)."""
    return any(a.name == INPUT_PREVIOUS_ACTION for a in session.get_inputs())


def _io_map(args) -> dict[str, list]:
    return {a.name: list(a.shape) for a in args}


def _check_width(found: dict[str, list], name: str, width: int | None, kind: str, source: str) -> int:
    if name not in found:
        raise ModelFormatError(f"{source}: missing {kind} {name!r}; expected {kind}s "
                               f"{sorted(found)} to include it (found {sorted(found)})")
    shape = found[name]
    if len(shape) != 2 or (width is not None and shape[1] != width) or not isinstance(shape[1], int):
        raise ModelFormatError(f"{source}: {kind} {name!r} has shape {shape}, expected [batch, {width or 'H'}]")
    return int(shape[1])


def _check_policy_io(session: ort.InferenceSession, contract: BehaviourContract, source: str) -> int:
    inputs, outputs = _io_map(session.get_inputs()), _io_map(session.get_outputs())
    _check_width(inputs, INPUT_OBS, contract.observation_size, "input", source)
    _check_width(inputs, INPUT_STYLE, contract.style.size, "input", source)
    state_size = _check_width(inputs, INPUT_STATE, None, "input", source)
    if INPUT_PREVIOUS_ACTION in inputs:
        _check_width(inputs, INPUT_PREVIOUS_ACTION, len(contract.head_sizes), "input", source)
        kind = next(a.type for a in session.get_inputs() if a.name == INPUT_PREVIOUS_ACTION)
        if kind != "tensor(int64)":
            raise ModelFormatError(f"{source}: input {INPUT_PREVIOUS_ACTION!r} is {kind}, expected tensor(int64)")
    for head, size in zip(contract.head_names, contract.head_sizes):
        _check_width(outputs, logits_name(head), size, "output", source)
    _check_width(outputs, OUTPUT_STATE, state_size, "output", source)
    return state_size


def load_style_encoder(path: str | Path) -> tuple[ort.InferenceSession, BehaviourContract]:
    session = make_session(path)
    contract = contract_from_metadata(session.get_modelmeta().custom_metadata_map, str(path))
    inputs, outputs = _io_map(session.get_inputs()), _io_map(session.get_outputs())
    _check_width(inputs, STYLE_INPUT_OBS, contract.observation_size, "input", str(path))
    _check_width(inputs, STYLE_INPUT_ACTIONS, sum(contract.head_sizes), "input", str(path))
    _check_width(outputs, STYLE_OUTPUT, contract.style.size, "output", str(path))
    return session, contract
