"""The mistakes people make, through the real CLI in a subprocess: each gets the documented exit code, one line
naming the file or flag, no traceback, and leaves the input data exactly as it was."""

import hashlib
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from botsdk.arena.contract import arena_contract
from botsdk.arena.recording import RecordPlan, record
from botsdk.dataset import Dataset
from fixtures.synthetic_model import make_random_policy_onnx, make_random_style_encoder_onnx

ROOT = Path(__file__).resolve().parents[1]
USAGE, FINDINGS, DAMAGED = 2, 1, 3

# (case, argv with {placeholders}, exit code, text the error line must contain)
CASES = [
    # an output folder that cannot be created (a file stands where a folder must go)
    ("record unwritable", "record --episodes 2 --team-size 1 --max-steps 10 --out {blocked}/data", USAGE, "{blocked}"),
    ("split unwritable", "data split {data} --by seed --out {blocked}/split", USAGE, "{blocked}"),
    ("merge unwritable", "data merge {data} --out {blocked}/merged", USAGE, "{blocked}"),
    ("train unwritable", "train --data {data} --out {blocked}/run --max-steps 2", USAGE, "{blocked}"),
    ("export unwritable", "export {inputs} --out {blocked}/model.onnx", USAGE, "{blocked}"),
    ("evaluate unwritable", "evaluate --policy {model} --data {data} --out {blocked}/eval --episodes 2", USAGE,
     "{blocked}"),
    ("playtest unwritable", "playtest --map duel --episodes 1 --max-steps 20 --out {blocked}/qa --quiet", USAGE,
     "{blocked}"),
    ("quickstart unwritable", "quickstart --quick --out {blocked}/qs", USAGE, "{blocked}"),
    ("play --record unwritable", "play --map duel --max-steps 5 --record {blocked}/mine", USAGE, "{blocked}"),
    # garbage and truncated models
    ("serve garbage model", "serve {garbage} --port 0", DAMAGED, "{garbage}"),
    ("serve truncated model", "serve {truncated} --port 0", DAMAGED, "{truncated}"),
    ("evaluate garbage model", "evaluate --policy {garbage} --data {data} --out {outputs}/e1 --episodes 2", DAMAGED,
     "{garbage}"),
    ("contract show garbage", "contract show {garbage}", DAMAGED, "{garbage}"),
    ("contract validate truncated", "contract validate {truncated}", DAMAGED, "{truncated}"),
    ("playtest garbage policy", "playtest --map duel --policy {garbage} --episodes 1 --out {outputs}/qa", DAMAGED,
     "{garbage}"),
    ("spectate garbage model", "play --spectate --policy {garbage} --frames 2", DAMAGED, "{garbage}"),
    ("evaluate garbage style", "evaluate --policy {styled} --data {data} --out {outputs}/e2 --episodes 2", DAMAGED,
     "model.style.onnx"),
    ("spectate garbage style", "play --spectate --policy {styled} --frames 2", DAMAGED, "model.style.onnx"),
    # a damaged episode
    ("train corrupt episode", "train --data {damaged} --out {outputs}/r1 --max-steps 2 --no-progress", DAMAGED,
     "{bad_file}"),
    ("evaluate corrupt episode", "evaluate --policy {model} --data {damaged} --out {outputs}/e3 --episodes 2",
     DAMAGED, "{bad_file}"),
    ("info --verify damage", "data info {damaged} --verify", DAMAGED, "--drop-damaged"),
    ("split damaged", "data split {damaged} --by seed --out {outputs}/s1", DAMAGED, "--skip-damaged"),
    ("merge damaged", "data merge {damaged} --out {outputs}/m1", DAMAGED, "--skip-damaged"),
    ("filter damaged", "data filter {damaged} --out {outputs}/f1", DAMAGED, "--skip-damaged"),
    ("repair leaves damage", "data repair {damaged}", DAMAGED, "--drop-damaged"),
    # data used the wrong way
    ("merge with itself", "data merge {data} {data} --out {outputs}/m2", USAGE, "duplicate"),
    ("train over a run", "train --data {data} --out {run} --max-steps 2", USAGE, "--overwrite"),
    ("missing dataset", "data info {outputs}/nothing", USAGE, "{outputs}/nothing"),
    ("serve port in use", "serve {model} --port {busy_port}", USAGE, "{busy_port}"),
]


def _snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != ".lock"}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    base = tmp_path_factory.mktemp("mistakes")
    inputs, outputs = base / "inputs", base / "outputs"
    inputs.mkdir()
    outputs.mkdir()
    contract = arena_contract()
    data = inputs / "data"
    record(RecordPlan("duel", ("rusher", "holder"), 8, str(data), seed=3, team_size=1, max_steps=40))
    damaged = inputs / "damaged"
    shutil.copytree(data, damaged)
    bad_file = Dataset.open(damaged).episode_path(1)
    with open(bad_file, "r+b") as f:
        f.truncate(bad_file.stat().st_size // 2)
    (inputs / "good").mkdir()
    model = make_random_policy_onnx(contract, inputs / "good" / "model.onnx")
    make_random_style_encoder_onnx(contract, inputs / "good" / "model.style.onnx")
    (inputs / "styled").mkdir()
    styled = shutil.copy(model, inputs / "styled" / "model.onnx")
    (inputs / "styled" / "model.style.onnx").write_bytes(b"this is not a model\n" * 8)
    garbage = inputs / "garbage.onnx"
    garbage.write_bytes(b"\x00\xffnot onnx at all" * 64)
    truncated = inputs / "truncated.onnx"
    truncated.write_bytes(Path(model).read_bytes()[:1000])
    blocked = inputs / "a-file"
    blocked.write_text("a file where a folder would have to be\n")
    run = inputs / "run"
    run.mkdir()
    (run / "checkpoint.pt").write_bytes(b"a run lives here")
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    paths = {"inputs": inputs, "outputs": outputs, "data": data, "damaged": damaged, "bad_file": bad_file.name,
             "model": model, "styled": styled, "garbage": garbage, "truncated": truncated, "blocked": blocked,
             "run": run, "busy_port": busy.getsockname()[1]}
    yield {k: str(v) for k, v in paths.items()}
    busy.close()


@pytest.mark.parametrize("case, argv, code, named", CASES, ids=[c[0] for c in CASES])
def test_a_mistake_gets_one_line_and_its_exit_code(world, case, argv, code, named):
    inputs = Path(world["inputs"])
    before = _snapshot(inputs)
    env = dict(os.environ, PYTHONPATH=str(ROOT), SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    env.pop("BOTSDK_DEBUG", None)
    args = [a.format(**world) for a in argv.split()]
    result = subprocess.run([sys.executable, "-m", "botsdk.cli", *args], cwd=world["outputs"], env=env,
                            capture_output=True, text=True, timeout=300)
    output = result.stdout + result.stderr
    assert result.returncode == code, output
    assert "Traceback" not in output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, result.stderr
    assert named.format(**world) in errors[0], errors[0]
    assert _snapshot(inputs) == before, "the command changed its input data"


def test_debug_shows_the_traceback(world):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-m", "botsdk.cli", "--debug", "contract", "show", world["garbage"]],
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == DAMAGED
    assert "Traceback" in result.stderr and result.stderr.rstrip().splitlines()[-1].startswith("error: ")


def test_click_usage_errors_and_version_keep_their_codes(world):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-m", "botsdk.cli", "record", "--no-such-flag"], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == USAGE and "--no-such-flag" in result.stderr
    version = subprocess.run([sys.executable, "-m", "botsdk.cli", "--version"], env=env, capture_output=True,
                             text=True, timeout=120)
    assert version.returncode == 0 and version.stdout.startswith("botsdk ")
