"""Every command the README (and the research report it links) shows runs, at a small size, so the docs cannot rot.

Sizes are shrunk by the rewrites below (documented per command); nothing else about a command changes.
"""

import json
import os
import re
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BOTSDK = [sys.executable, "-m", "botsdk.cli"]

# (pattern, replacement) applied to each command line: the README shows real sizes, the test runs small ones.
SHRINK = [
    (r"--episodes \d+ --workers 2 --out runs/tour/data", "--episodes 16 --workers 2 --out runs/tour/data --max-steps 160"),
    (r"^train (.*)$", r"train \1 --max-steps 20 --no-progress"),
    (r"^evaluate (.*)$", r"evaluate \1 --episodes 2"),
    (r"^playtest (.*)--episodes \d+(.*)$", r"playtest \1--episodes 1 --max-steps 160 --quiet\2"),
    (r"^play --remote (\S+) (.*)$", r"play --remote \1 \2 --max-steps 40"),
    (r"^play --spectate (.*)$", r"play --spectate \1 --frames 20"),
    (r"^play --map (.*)$", r"play --map \1 --max-steps 24"),
    (r"^bench all --json$", "bench all --quick --json"),
    (r"(evaluate .*)--matches \d+", r"\1--matches 1"),
    (r"--matches \d+", "--matches 2"),
    (r"docs/recipes/", str(ROOT / "docs" / "recipes") + "/"),
]
PYTHON_MODULES = ("python -m botsdk.training.quality ",)  # lines run as `python -m` besides the botsdk CLI
DOCUMENTS = ("README.md", "docs/research/imitation.md")   # the docs whose ```bash blocks run, in this order


def playtest_gate_code(args: list[str], cwd: Path) -> int:
    """The exit code the playtest gate owes: 1 if its report holds a finding of a --fail-on check, else 0."""
    out = cwd / args[args.index("--out") + 1]
    gated = args[args.index("--fail-on") + 1].split(",") if "--fail-on" in args else None
    report = json.loads((out / "playtest.json").read_text())
    return int(any(gated is None or f["check"] in gated for f in report["findings"]))


def readme_commands() -> list[str]:
    text = "\n".join((ROOT / name).read_text(encoding="utf-8") for name in DOCUMENTS)
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            line = line.split("#")[0].strip()
            if line.startswith("botsdk "):
                commands.append(line[len("botsdk "):])
            elif line.startswith(PYTHON_MODULES):
                commands.append(line)
    return commands


def shrink(command: str, port: int) -> str:
    for pattern, replacement in SHRINK:
        command = re.sub(pattern, replacement, command)
    return command.replace("50051", str(port))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port: int, server: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"botsdk serve exited early: {server.stderr.read()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("botsdk serve never opened its port")


def command_line(args: list[str]) -> list[str]:
    """A README command's argv: `python -m ...` runs in this interpreter, anything else is the botsdk CLI."""
    return [sys.executable] + args[1:] if args[0] == "python" else BOTSDK + args


def test_readme_lists_the_pipeline() -> None:
    names = {c.split()[0] for c in readme_commands() if not c.startswith("python ")}
    assert {"record", "train", "export", "serve", "play", "evaluate", "playtest", "bench", "data", "contract"} <= names


@pytest.mark.slow
def test_every_readme_command_runs(tmp_path: Path) -> None:
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy", "PYTHONPATH": str(ROOT)}
    port = _free_port()
    server = None
    try:
        for raw in readme_commands():
            command = shrink(raw, port)
            args = shlex.split(command)
            if args[0] == "serve":
                server = subprocess.Popen(BOTSDK + args, cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                                          stderr=subprocess.PIPE, text=True)
                _wait_for_port(port, server)
                continue
            stdout = subprocess.PIPE
            if args[0] == "contract" and ">" in args:
                target = args[args.index(">") + 1]
                args = args[:args.index(">")]
                stdout = open(tmp_path / target, "w")
            argv = command_line(args)
            result = subprocess.run(argv, cwd=tmp_path, env=env, stdout=stdout, stderr=subprocess.PIPE, text=True,
                                    timeout=600)
            expected = playtest_gate_code(args, tmp_path) if args[0] == "playtest" else 0
            assert result.returncode == expected, f"{shlex.join(argv)} exited {result.returncode}: {result.stderr[-2000:]}"
            if "--json" in args:
                assert isinstance(json.loads(result.stdout), dict), f"botsdk {command}: stdout is not one JSON object"
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
    assert (tmp_path / "runs/tour/model.onnx").exists()
    assert (tmp_path / "runs/tour/eval/report.html").exists()
    assert (tmp_path / "runs/tour/qa/junit.xml").exists()
