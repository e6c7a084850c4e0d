"""The native engine client in examples/engine_cpp (C++17, CMake, Debian's gRPC) builds and drives a real
`botsdk serve`: 64 agents x 1,000 ticks over one Session stream, every answer checked against the contract."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bridge_support import make_model

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "engine_cpp"
TOOLS = ("cmake", "c++", "protoc", "grpc_cpp_plugin", "pkg-config")


def _toolchain_missing() -> str | None:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if not missing and subprocess.run(["pkg-config", "--exists", "grpc++", "protobuf"]).returncode != 0:
        missing.append("grpc++.pc")
    return ", ".join(missing) or None


@pytest.fixture(scope="module")
def engine_client(tmp_path_factory) -> Path:
    missing = _toolchain_missing()
    if missing:
        pytest.skip(f"needs the C++ gRPC toolchain ({missing}): apt-get install libgrpc++-dev libprotobuf-dev "
                    f"protobuf-compiler-grpc cmake g++ (.ci/run installs it)")
    build = tmp_path_factory.mktemp("engine_cpp_build")
    for step in (["cmake", "-S", str(EXAMPLE), "-B", str(build)],
                 ["cmake", "--build", str(build), "-j", str(min(4, os.cpu_count() or 1))]):
        done = subprocess.run(step, capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return build / "engine_client"


def test_cpp_engine_drives_64_agents_for_1000_ticks_against_botsdk_serve(engine_client, tmp_path):
    model = make_model(tmp_path / "policy.onnx")
    (tmp_path / "token").write_text("engine-secret\n")
    server = subprocess.Popen([sys.executable, "-m", "botsdk.cli", "serve", str(model), "--port", "0",
                               "--token-file", str(tmp_path / "token")],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()
        match = re.search(r"on (127\.0\.0\.1:\d+)", line)
        assert match, line + (server.stderr.read() if server.poll() is not None else "")
        run = subprocess.run([str(engine_client), "--target", match.group(1), "--agents", "64", "--ticks", "1000",
                              "--token-file", str(tmp_path / "token")], capture_output=True, text=True, timeout=300)
        refused = subprocess.run([str(engine_client), "--target", match.group(1), "--ticks", "10"],
                                 capture_output=True, text=True, timeout=60)
    finally:
        server.terminate()
        server.wait(30)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1000 ticks x 64 agents, 64000 decisions, 0 bad answers" in run.stdout
    p50, p99 = map(float, re.search(r"p50_us=([\d.]+) p99_us=([\d.]+)", run.stdout).groups())
    assert 0 < p50 <= p99
    print(run.stdout)
    assert refused.returncode == 2 and "GetSpec" in refused.stderr and "authorization" in refused.stderr
