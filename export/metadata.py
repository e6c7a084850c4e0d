"""What an exported model carries besides its weights: the metadata keys and the I/O names every engine relies on.

No torch and no onnxruntime session here: reading a contract from a file must stay cheap (`botsdk contract show`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Mapping, Sequence

from botsdk.contract import BehaviourContract

KEY_CONTRACT = "botsdk.contract"
KEY_MODEL_VERSION = "botsdk.model_version"
KEY_TRAINING_CONFIG = "botsdk.training_config"
KEY_DATASET_HASH = "botsdk.dataset_hash"
KEY_STATE_SIZE = "botsdk.state_size"
KEY_SAMPLING_TEMPERATURE = "botsdk.sampling_temperature"  # optional: the temperature the model was evaluated at
KEY_HEAD_TEMPERATURES = "botsdk.head_temperatures"  # optional: JSON {head name: temperature}, overriding it per head
DEFAULT_TEMPERATURE = 1.0  # for a file without the key
# What `botsdk export` writes when not told otherwise: the temperatures that made the quickstart's model hardest to
# tell from people on the evaluation's validation split (docs/research/human_likeness.md): every head as the model
# gives it, the arena's turn sharpened (a head of that name in another contract gets the same).
EXPORT_TEMPERATURE = 1.0
EXPORT_HEAD_TEMPERATURES = {"turn": 0.9}
REQUIRED_KEYS = (KEY_CONTRACT, KEY_MODEL_VERSION, KEY_TRAINING_CONFIG, KEY_DATASET_HASH, KEY_STATE_SIZE)

INPUT_OBS = "obs"
INPUT_STYLE = "style"
INPUT_STATE = "state_in"
INPUT_PREVIOUS_ACTION = "previous_action"  # int64[batch, heads]: last step's applied indices, -1 at an episode start
NO_PREVIOUS_ACTION = -1
OUTPUT_STATE = "state_out"
STYLE_INPUT_OBS = "obs"
STYLE_INPUT_ACTIONS = "actions_onehot"
STYLE_OUTPUT = "style"
OPSET = 17  # the default; MIN_OPSET..MAX_OPSET on request (Sentis 1.x reads up to 15)
MIN_OPSET = 15
MAX_OPSET = 20


def logits_name(head: str) -> str:
    """Output name of one action head's logits."""
    return f"logits_{head}"


def output_names(contract: BehaviourContract) -> list[str]:
    """Policy outputs in the order the exporter writes them: one logits tensor per head, then the state."""
    return [logits_name(h) for h in contract.head_names] + [OUTPUT_STATE]


def style_path_for(model_path: str | Path) -> Path:
    """`model.onnx` -> `model.style.onnx`: where the style encoder sits next to its policy."""
    model_path = Path(model_path)
    return model_path.with_name(model_path.stem + ".style.onnx")


def build_metadata(contract: BehaviourContract, model_version: str, training_config: Mapping | str,
                   dataset_hash: str, state_size: int, sampling_temperature: float | None = None,
                   head_temperatures: Mapping[str, float] | None = None) -> dict[str, str]:
    """The `metadata_props` of an exported policy (all values are strings, as ONNX requires). `head_temperatures`:
    per-head overrides of `sampling_temperature`; names the contract lacks are left out."""
    heads = {name: float(t) for name, t in (head_temperatures or {}).items() if name in contract.head_names}
    for name, value in heads.items():
        _check_temperature(f"head temperature {name!r}", value, value)
    config_text = training_config if isinstance(training_config, str) else json.dumps(training_config, sort_keys=True,
                                                                                       default=str)
    return {
        KEY_CONTRACT: contract.to_json(indent=None),
        KEY_MODEL_VERSION: str(model_version),
        KEY_TRAINING_CONFIG: config_text,
        KEY_DATASET_HASH: str(dataset_hash),
        KEY_STATE_SIZE: str(int(state_size)),
        **({KEY_SAMPLING_TEMPERATURE: repr(float(sampling_temperature))} if sampling_temperature is not None else {}),
        **({KEY_HEAD_TEMPERATURES: json.dumps(heads, sort_keys=True)} if heads else {}),
    }


def sampling_temperature(metadata: Mapping[str, str]) -> float:
    """The temperature a model was evaluated at, for every head not named in its head temperatures."""
    text = metadata.get(KEY_SAMPLING_TEMPERATURE)
    if text is None:
        return DEFAULT_TEMPERATURE
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    return _check_temperature(f"metadata {KEY_SAMPLING_TEMPERATURE}", value, text)


def head_temperatures(metadata: Mapping[str, str], head_names: Sequence[str]) -> tuple[float, ...]:
    """Each head's sampling temperature (what `serve`, `evaluate`, `play` and the runtime use by default): the
    model's `sampling_temperature`, overridden for the heads its `head_temperatures` name."""
    default = sampling_temperature(metadata)
    text = metadata.get(KEY_HEAD_TEMPERATURES)
    if text is None:
        return tuple(default for _ in head_names)
    try:
        overrides = json.loads(text)
    except json.JSONDecodeError:
        overrides = None
    if not isinstance(overrides, dict) or not set(overrides) <= set(head_names):
        raise ValueError(f"metadata {KEY_HEAD_TEMPERATURES}: expected a JSON object from head names "
                         f"({', '.join(head_names)}) to temperatures, got {text!r}")
    for name, value in overrides.items():
        _check_temperature(f"metadata {KEY_HEAD_TEMPERATURES}[{name!r}]", value, value)
    return tuple(float(overrides.get(name, default)) for name in head_names)


def _check_temperature(label: str, value: object, shown: object) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value < float("inf")
    if not ok:
        raise ValueError(f"{label}: expected a finite number > 0, got {shown!r}")
    return float(value)


def read_metadata(path: str | Path) -> dict[str, str]:
    """All `metadata_props` of an ONNX file (onnx if installed, else onnxruntime's model meta)."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no such ONNX file: {path}")
    try:
        import onnx
    except ImportError:  # a serving install may carry onnxruntime only
        import onnxruntime as ort

        return dict(ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]).get_modelmeta()
                    .custom_metadata_map)
    try:
        model = onnx.load(str(path), load_external_data=False)
    except Exception as exc:  # noqa: BLE001 - protobuf raises its own DecodeError, or others on a garbage file
        from botsdk.export.session import ModelFormatError

        raise ModelFormatError(f"{path}: not a readable ONNX model ({type(exc).__name__}: {exc}); "
                               "export it again with `botsdk export`") from exc
    return {p.key: p.value for p in model.metadata_props}


def contract_from_metadata(metadata: Mapping[str, str], source: str) -> BehaviourContract:
    """Parse the embedded contract; a file without one is an error naming the key that is missing."""
    if KEY_CONTRACT not in metadata:
        raise ValueError(f"{source}: no behaviour contract in the ONNX metadata (expected key {KEY_CONTRACT!r}; "
                         f"found keys {sorted(metadata) or 'none'}); export it with `botsdk export`")
    return BehaviourContract.from_json(metadata[KEY_CONTRACT])


def read_contract_from_onnx(path: str | Path) -> BehaviourContract:
    """The behaviour contract embedded in an exported model (used by `botsdk.contract.load_contract`)."""
    return contract_from_metadata(read_metadata(path), str(path))
