"""The studio on a real X display (Xvfb), launched as a user would: `botsdk play --spectate` with no SDL settings.

A window opens (a screenshot of the X screen shows the arena), and Ctrl-C ends the studio cleanly (exit code 0)."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from botsdk.arena.contract import arena_contract
from botsdk.arena.render import WALL
from fixtures.synthetic_model import make_random_policy_onnx

XVFB = shutil.which("Xvfb")
pytestmark = pytest.mark.skipif(XVFB is None, reason="Xvfb is not installed (.ci/run installs it)")
ROOT = Path(__file__).resolve().parents[1]


def _free_display() -> int:
    for number in range(90, 400):
        if not Path(f"/tmp/.X11-unix/X{number}").exists() and not Path(f"/tmp/.X{number}-lock").exists():
            return number
    raise RuntimeError("no free X display number between :90 and :399")


@pytest.fixture()
def display():
    number = _free_display()
    server = subprocess.Popen([XVFB, f":{number}", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 20
    while not Path(f"/tmp/.X11-unix/X{number}").exists():
        assert server.poll() is None and time.time() < deadline, "Xvfb did not start"
        time.sleep(0.1)
    yield f":{number}"
    server.terminate()
    server.wait(timeout=10)


def _screenshot(display: str) -> np.ndarray:
    from PIL import ImageGrab

    return np.asarray(ImageGrab.grab(xdisplay=display).convert("RGB"))


def test_studio_opens_a_window_and_ctrl_c_closes_it(display, tmp_path):
    model = tmp_path / "model.onnx"
    make_random_policy_onnx(arena_contract(), model, seed=1)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SDL_")}   # the user's default environment
    env.update(DISPLAY=display, PYTHONPATH=str(ROOT))
    studio = subprocess.Popen([sys.executable, "-m", "botsdk.cli", "play", "--spectate", "--policy", str(model)],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline, pixels = time.time() + 180, _screenshot(display)   # the first run compiles numba kernels
        while not (pixels == WALL).all(axis=-1).any():
            assert studio.poll() is None, f"the studio exited: {studio.communicate()[1][-2000:]}"
            assert time.time() < deadline, "no studio window appeared on the X display"
            time.sleep(0.5)
            pixels = _screenshot(display)
        assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 8, "the screen is (nearly) one colour"
        studio.send_signal(signal.SIGINT)
        _, stderr = studio.communicate(timeout=30)
        assert studio.returncode == 0, f"Ctrl-C: exit code {studio.returncode}: {stderr[-2000:]}"
        assert "Traceback" not in stderr
    finally:
        if studio.poll() is None:
            studio.kill()
