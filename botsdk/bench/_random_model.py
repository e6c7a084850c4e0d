"""Random but valid policy and style-encoder ONNX files, built with onnx.helper (no torch).

They have exactly the I/O and metadata of an exported model, so the runtime, the bridge and engine-side tests can run
without training anything. `recurrent=True` makes the logits depend on the state and the state evolve (GRU-like
blend), so per-agent state handling is observable.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from botsdk.contract import BehaviourContract
from botsdk.export.metadata import (
    INPUT_OBS, INPUT_STATE, INPUT_STYLE, OPSET, OUTPUT_STATE, STYLE_INPUT_ACTIONS, STYLE_INPUT_OBS, STYLE_OUTPUT,
    build_metadata, logits_name,
)

SYNTHETIC_VERSION = "synthetic-1"


def _init(name: str, array: np.ndarray):
    from onnx import numpy_helper

    return numpy_helper.from_array(np.ascontiguousarray(array, dtype=np.float32), name)


def _policy_nodes(contract: BehaviourContract, hidden: int, state_size: int, recurrent: bool,
                  rng: np.random.Generator) -> tuple[list, list]:
    from onnx import helper

    in_size = contract.observation_size + contract.style.size + state_size
    nodes = [helper.make_node("Concat", [INPUT_OBS, INPUT_STYLE, INPUT_STATE], ["x"], axis=1),
             helper.make_node("Gemm", ["x", "w1", "b1"], ["h_pre"]),
             helper.make_node("Relu", ["h_pre"], ["h"])]
    inits = [_init("w1", rng.normal(0, 1 / np.sqrt(in_size), (in_size, hidden))),
             _init("b1", rng.normal(0, 0.1, hidden))]
    for head, size in zip(contract.head_names, contract.head_sizes):
        nodes.append(helper.make_node("Gemm", ["h", f"w_{head}", f"b_{head}"], [logits_name(head)]))
        inits += [_init(f"w_{head}", rng.normal(0, 2 / np.sqrt(hidden), (hidden, size))),
                  _init(f"b_{head}", rng.normal(0, 0.5, size))]
    if recurrent:  # state_out = 0.5 * state_in + 0.5 * tanh(h @ ws + bs)
        nodes += [helper.make_node("Gemm", ["h", "ws", "bs"], ["s_pre"]),
                  helper.make_node("Tanh", ["s_pre"], ["s_new"]),
                  helper.make_node("Add", [INPUT_STATE, "s_new"], ["s_sum"]),
                  helper.make_node("Mul", ["s_sum", "half"], [OUTPUT_STATE])]
        inits += [_init("ws", rng.normal(0, 1 / np.sqrt(hidden), (hidden, state_size))),
                  _init("bs", rng.normal(0, 0.1, state_size)), _init("half", np.array([0.5]))]
    else:  # a feed-forward policy carries a one-wide state of zeros
        nodes.append(helper.make_node("Mul", [INPUT_STATE, "zero"], [OUTPUT_STATE]))
        inits.append(_init("zero", np.array([0.0])))
    return nodes, inits


def _tensor(name: str, *dims: int | str):
    from onnx import TensorProto, helper

    return helper.make_tensor_value_info(name, TensorProto.FLOAT, list(dims))


def _save(graph, path: Path, metadata: dict[str, str]) -> Path:
    import onnx
    from onnx import helper

    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="botsdk.synthetic")
    model.ir_version = min(model.ir_version, 10)  # readable by older onnxruntime builds in engines
    helper.set_model_props(model, metadata)
    onnx.checker.check_model(model, full_check=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(path))
    return path


def make_random_policy_onnx(contract: BehaviourContract, path: str | Path, recurrent: bool = False, seed: int = 0,
                            hidden: int = 64, state_size: int = 16) -> Path:
    """Write a random policy with the exported I/O and metadata; returns the path."""
    from onnx import helper

    rng = np.random.default_rng(seed)
    h = state_size if recurrent else 1
    nodes, inits = _policy_nodes(contract, hidden, h, recurrent, rng)
    inputs = [_tensor(INPUT_OBS, "batch", contract.observation_size), _tensor(INPUT_STYLE, "batch", contract.style.size),
              _tensor(INPUT_STATE, "batch", h)]
    outputs = [_tensor(logits_name(n), "batch", s) for n, s in zip(contract.head_names, contract.head_sizes)]
    outputs.append(_tensor(OUTPUT_STATE, "batch", h))
    graph = helper.make_graph(nodes, "botsdk_synthetic_policy", inputs, outputs, initializer=inits)
    meta = build_metadata(contract, SYNTHETIC_VERSION, {"synthetic": True, "recurrent": recurrent, "hidden": hidden,
                                                        "seed": seed}, "none", h)
    return _save(graph, Path(path), meta)


def make_random_style_encoder_onnx(contract: BehaviourContract, path: str | Path, seed: int = 0,
                                   hidden: int = 32) -> Path:
    """Write a random style encoder: style = tanh(mean_N(relu([obs, actions] @ w1)) @ w2)."""
    from onnx import helper

    rng = np.random.default_rng(seed)
    n_actions = sum(contract.head_sizes)
    in_size = contract.observation_size + n_actions
    nodes = [helper.make_node("Concat", [STYLE_INPUT_OBS, STYLE_INPUT_ACTIONS], ["x"], axis=1),
             helper.make_node("Gemm", ["x", "w1", "b1"], ["h_pre"]),
             helper.make_node("Relu", ["h_pre"], ["h"]),
             helper.make_node("ReduceMean", ["h"], ["pooled"], axes=[0], keepdims=1),
             helper.make_node("Gemm", ["pooled", "w2", "b2"], ["s_pre"]),
             helper.make_node("Tanh", ["s_pre"], [STYLE_OUTPUT])]
    inits = [_init("w1", rng.normal(0, 1 / np.sqrt(in_size), (in_size, hidden))), _init("b1", np.zeros(hidden)),
             _init("w2", rng.normal(0, 1 / np.sqrt(hidden), (hidden, contract.style.size))),
             _init("b2", np.zeros(contract.style.size))]
    inputs = [_tensor(STYLE_INPUT_OBS, "n", contract.observation_size), _tensor(STYLE_INPUT_ACTIONS, "n", n_actions)]
    graph = helper.make_graph(nodes, "botsdk_synthetic_style_encoder", inputs,
                              [_tensor(STYLE_OUTPUT, 1, contract.style.size)], initializer=inits)
    meta = build_metadata(contract, SYNTHETIC_VERSION, {"synthetic": True, "seed": seed}, "none", 0)
    return _save(graph, Path(path), meta)
