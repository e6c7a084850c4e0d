"""The wheel installs one import name, `botsdk`, with the bridge's .proto inside it; nothing generic lands on a
user's sys.path (a `training.py` of theirs must not shadow ours, nor ours theirs)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    source = out / "source"  # a copy, so no build/ folder with stale files is left in (or taken from) the checkout
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "dist", "runs", "*.egg-info", "__pycache__", ".pytest_cache", ".hypothesis"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out),
                    str(source)], check=True, capture_output=True, timeout=300)
    return next(out.glob("botsdk-*.whl"))


def test_the_wheel_holds_only_botsdk_at_top_level(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    top = {name.split("/")[0] for name in names}
    assert top == {"botsdk", next(t for t in top if t.endswith(".dist-info"))}, sorted(top)
    assert "botsdk/proto/botsdk/bridge/v1/bridge.proto" in names
    assert "botsdk/sensors/conformance/miss.json" in names
    assert "botsdk/arena/maps/crossroads.json" in names
    assert not any("/tests/" in n or n.startswith("tests/") for n in names)


def test_installed_botsdk_imports_by_one_name_only(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                   check=True, capture_output=True, timeout=300)
    user = tmp_path / "user_project"
    user.mkdir()
    (user / "training.py").write_text("MINE = True\n")  # a user's own module with a generic name
    code = ("import importlib, importlib.resources as r, botsdk.sensors, botsdk.dataset, training\n"
            "assert training.MINE\n"
            "assert botsdk.sensors.__file__.startswith(%r), botsdk.sensors.__file__\n"
            "assert (r.files('botsdk.proto') / 'botsdk/bridge/v1/bridge.proto').is_file()\n"
            "for name in ('export', 'sensors', 'game_bridge', 'benchmarks'):\n"
            "    try:\n"
            "        importlib.import_module(name)\n"
            "    except ModuleNotFoundError:\n"
            "        continue\n"
            "    raise AssertionError(name + ' is importable')\n"
            "print('ok')\n") % str(target)
    env = {"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], cwd=user, env=env, capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "ok", out.stdout + out.stderr
