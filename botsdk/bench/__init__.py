"""The code behind `botsdk bench NAME`. Each module NAME.py defines `run(quick: bool) -> dict`: it measures botsdk
and its peer in the same run and returns both figures and their ratio."""

from __future__ import annotations

import importlib
import pkgutil
import platform
import os
import time
from typing import Any


def available() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))


VERSIONED = ("numpy", "numba", "onnxruntime", "torch", "grpcio", "pymunk", "h5py")
EXTRA_FOR = {"torch": "train", "onnx": "train", "pymunk": "dev", "matplotlib": "train", "ray": "cluster"}


def machine() -> dict[str, Any]:
    """Where a run was measured: cores, load, Python and the versions of what the benchmarks time."""
    from importlib import metadata

    versions = {}
    for package in VERSIONED:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "load_average_1min": round(os.getloadavg()[0], 2), "versions": versions}


def run_benchmark(name: str, quick: bool = False) -> dict[str, Any]:
    """One benchmark's JSON. A missing optional dependency of botsdk's own side skips the benchmark with the
    install line; a missing peer is reported by the benchmark itself in `skipped_peers` (its botsdk figures stand)."""
    started = time.perf_counter()
    try:
        module = importlib.import_module(f"botsdk.bench.{name}")
        result = module.run(quick=quick)
    except ModuleNotFoundError as exc:
        missing = (exc.name or "").split(".")[0]
        extra = EXTRA_FOR.get(missing)
        how = f"pip install 'botsdk[{extra}]'" if extra else f"pip install {missing}"
        result = {"skipped": f"needs {missing}, which is not installed ({how})"}
    result.setdefault("benchmark", name)
    result.setdefault("quick", quick)
    result.setdefault("skipped_peers", [])
    result["machine"] = machine()
    result["wall_s"] = round(time.perf_counter() - started, 3)
    return result


def skip_lines(results: dict[str, dict[str, Any]]) -> list[str]:
    """One line per benchmark or peer that did not run, saying how to add it."""
    lines = [f"{name}: skipped: {r['skipped']}" for name, r in results.items() if "skipped" in r]
    lines += [f"{name}: peer skipped: {peer}" for name, r in results.items() for peer in r.get("skipped_peers", [])]
    return lines
