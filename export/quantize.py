"""Dynamic int8 quantisation of an exported policy, reporting decision agreement with the float model and size.

The quantised file replaces `path`; the float model is kept beside it as `<stem>.fp32.onnx`. Refused (float model
left in place) when argmax agreement falls below `min_agreement`.
"""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path
from typing import Any

import numpy as np
import onnx

from botsdk.export.metadata import INPUT_OBS, INPUT_STATE, INPUT_STYLE, output_names
from botsdk.export.parity import held_out_styles, synthetic_observations
from botsdk.export.session import load_policy

MODES = ("int8",)
MIN_INT8_AGREEMENT = 0.95


@contextlib.contextmanager
def _quiet_root_logger():
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        yield
    finally:
        root.setLevel(level)


def _agreement(float_path: Path, quant_path: Path, obs: np.ndarray, seed: int) -> tuple[float, float]:
    """(argmax agreement over all heads and rows, max |logit diff|)."""
    ref, contract, state_size = load_policy(float_path)
    quant, _, _ = load_policy(quant_path)
    feeds = {INPUT_OBS: obs, INPUT_STYLE: held_out_styles(contract, len(obs), seed),
             INPUT_STATE: np.zeros((len(obs), state_size), np.float32)}
    names = output_names(contract)[:-1]
    a, b = ref.run(names, feeds), quant.run(names, feeds)
    same = np.stack([x.argmax(1) == y.argmax(1) for x, y in zip(a, b)])
    return float(same.mean()), max(float(np.abs(x - y).max()) for x, y in zip(a, b))


def quantize_policy(path: Path, mode: str = "int8", held_out: np.ndarray | None = None, seed: int = 0,
                    min_agreement: float = MIN_INT8_AGREEMENT) -> dict[str, Any]:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from botsdk.export.onnx_export import ExportError

    if mode not in MODES:
        raise ExportError(f"unknown quantisation {mode!r}; expected one of {MODES}")
    path = Path(path)
    float_path = path.with_name(path.stem + ".fp32.onnx")
    quant_path = path.with_name(path.stem + ".int8.tmp.onnx")
    os.replace(path, float_path)
    try:
        with _quiet_root_logger():  # onnxruntime logs a pre-processing hint on the root logger
            quantize_dynamic(str(float_path), str(quant_path), weight_type=QuantType.QInt8)
        model = onnx.load(str(quant_path))
        meta = {p.key: p.value for p in onnx.load(str(float_path), load_external_data=False).metadata_props}
        onnx.helper.set_model_props(model, {**meta, "botsdk.quantization": mode})
        onnx.checker.check_model(model, full_check=True)
        onnx.save_model(model, str(quant_path), save_as_external_data=False)
        contract = load_policy(float_path)[1]
        obs = held_out if held_out is not None else synthetic_observations(contract, 2048, seed)
        agreement, diff = _agreement(float_path, quant_path, np.ascontiguousarray(obs, np.float32), seed)
        if agreement < min_agreement:
            raise ExportError(f"int8 model refused: argmax agreement with the float model {agreement:.4%} < required "
                              f"{min_agreement:.2%} (max |logit diff| {diff:.3g}); the float model stays at {path}")
        os.replace(quant_path, path)
    except BaseException:
        quant_path.unlink(missing_ok=True)
        os.replace(float_path, path)
        raise
    return {"mode": mode, "path": str(path), "float_path": str(float_path), "size_bytes": path.stat().st_size,
            "float_size_bytes": float_path.stat().st_size, "argmax_agreement": agreement,
            "max_abs_logit_diff": diff, "min_agreement": min_agreement}
