"""The house's imports only run downward: a module may import its own layer or any layer below, never above.

    1 contract
    2 sensors · dataset format · torch-free runtime · cluster (Ray tasks)
    3 arena (and its demonstrator recording) · bridge · runtime controller
    4 training (torch) · export (torch)
    5 evaluation · playtest · studio
    6 cli · quickstart · bench · the public API (botsdk/__init__)

Lazy imports inside functions count too: they run just the same.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIRS = {"botsdk": "botsdk", "botsdk.sensors": "sensors", "botsdk.training": "training",
               "botsdk.export": "export", "botsdk.game_bridge": "game_bridge"}
LAYERS = {
    "botsdk.contract": 1,
    "botsdk.sensors": 2, "botsdk.dataset": 2, "botsdk.export": 2, "botsdk.cluster": 2,
    "botsdk.arena": 3, "botsdk.game_bridge": 3, "botsdk.export.controller": 3,
    "botsdk.training": 4, "botsdk.export.onnx_export": 4, "botsdk.export.quantize": 4, "botsdk.export.parity": 4,
    "botsdk.evaluation": 5, "botsdk.playtest": 5, "botsdk.studio": 5,
    "botsdk.cli": 6, "botsdk.quickstart": 6, "botsdk.bench": 6, "botsdk": 6,
}


def layer_of(module: str) -> int:
    """The layer of the longest LAYERS prefix of `module` (a name inside a module, e.g. a function, counts as it)."""
    parts = module.split(".")
    for n in range(len(parts), 0, -1):
        if ".".join(parts[:n]) in LAYERS:
            return LAYERS[".".join(parts[:n])]
    raise KeyError(module)


def package_modules() -> list[tuple[str, Path]]:
    found = []
    for package, folder in SOURCE_DIRS.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            parts = [p for p in path.relative_to(ROOT / folder).with_suffix("").parts if p != "__init__"]
            found.append((".".join([package, *parts]), path))
    return found


def imported_names(module: str, path: Path) -> list[tuple[str, int]]:
    """Every `botsdk...` name the module imports, with the line, relative imports resolved."""
    is_package = path.name == "__init__.py"
    names = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".") if is_package else module.split(".")[:-1]
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            names += [(f"{base}.{alias.name}", node.lineno) for alias in node.names]
    return [(name, line) for name, line in names if name.split(".")[0] in ("botsdk", "tests", "fixtures")]


def upward_imports(modules: list[tuple[str, Path]]) -> list[str]:
    problems = []
    for module, path in modules:
        own, where = layer_of(module), path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        for name, line in imported_names(module, path):
            if name.split(".")[0] != "botsdk":
                problems.append(f"{where}:{line} imports test code {name}")
            elif layer_of(name) > own:
                problems.append(f"{where}:{line} ({module}, layer {own}) imports {name} "
                                f"(layer {layer_of(name)})")
    return problems


def test_imports_only_run_downward() -> None:
    problems = upward_imports(package_modules())
    assert not problems, "upward imports:\n" + "\n".join(problems)


@pytest.mark.parametrize("module, planted", [
    ("botsdk.contract.model", "from botsdk.arena.maps import load_map"),
    ("botsdk.sensors.cast2d", "import botsdk.training.models"),
    ("botsdk.dataset.writer", "from botsdk.arena import recording"),
    ("botsdk.arena.sim", "from ..evaluation import turing"),
])
def test_a_planted_upward_import_is_caught(tmp_path: Path, module: str, planted: str) -> None:
    path = tmp_path / "planted.py"
    path.write_text(f"def f():\n    {planted}\n")
    assert upward_imports([(module, path)]), planted


def test_every_module_has_a_layer() -> None:
    for module, _ in package_modules():
        layer_of(module)
