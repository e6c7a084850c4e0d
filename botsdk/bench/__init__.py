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


def run_benchmark(name: str, quick: bool = False) -> dict[str, Any]:
    module = importlib.import_module(f"botsdk.bench.{name}")
    started = time.perf_counter()
    result = module.run(quick=quick)
    result.setdefault("benchmark", name)
    result.setdefault("quick", quick)
    result.setdefault("machine", {"cpus": os.cpu_count(), "python": platform.python_version()})
    result["wall_s"] = round(time.perf_counter() - started, 3)
    return result
