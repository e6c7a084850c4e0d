"""Read a contract from wherever it travels: a JSON file, an ONNX model, a dataset directory, a checkpoint.

Readers for formats owned by other packages register themselves in CONTRACT_READERS (suffix -> callable), so this
module stays at the bottom of the import graph.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from botsdk.contract.model import BehaviourContract

ContractReader = Callable[[Path], BehaviourContract]
CONTRACT_READERS: dict[str, str] = {
    # suffix or "dir" -> "module:function", imported lazily so reading JSON needs nothing heavy
    ".onnx": "botsdk.export.metadata:read_contract_from_onnx",
    ".pt": "botsdk.training.checkpoint:read_contract_from_checkpoint",
    "dir": "botsdk.dataset.dataset:read_contract_from_dataset",
}


def schema_path() -> Path:
    """The JSON Schema engine implementers validate against."""
    return Path(__file__).with_name("contract.schema.json")


def load_contract(path: str | Path) -> BehaviourContract:
    """Load the contract carried by a JSON file, a model, a checkpoint or a dataset directory."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no such file or directory: {path}")
    key = "dir" if path.is_dir() else path.suffix.lower()
    if key in CONTRACT_READERS:
        module_name, func_name = CONTRACT_READERS[key].split(":")
        import importlib

        reader: ContractReader = getattr(importlib.import_module(module_name), func_name)
        return reader(path)
    return BehaviourContract.from_json(path.read_text(encoding="utf-8"))
