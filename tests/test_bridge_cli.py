"""`botsdk serve` as a real process: prints its address, answers health checks, stops cleanly on SIGTERM."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

from bridge_support import make_model

from botsdk.game_bridge.client import BridgeClient

BOTSDK = [sys.executable, "-c", "from botsdk.cli import main; main()"]


def test_serve_answers_and_stops_on_sigterm(tmp_path):
    model = make_model(tmp_path / "p.onnx")
    (tmp_path / "token").write_text("tok\n")
    proc = subprocess.Popen([*BOTSDK, "serve", str(model), "--port", "0", "--token-file", str(tmp_path / "token"),
                             "--grace", "1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        match = re.search(r"on (127\.0\.0\.1:\d+) \(token\)", line)
        assert match, line + proc.stderr.read() if proc.poll() is not None else line
        with BridgeClient(match.group(1), token="tok") as client:
            assert client.health() == "SERVING"
            assert client.get_spec().model_version == "synthetic-1"
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) == 0


def test_serve_refuses_open_address_and_bad_input(tmp_path):
    from typer.testing import CliRunner

    from botsdk.cli import build_app

    model = make_model(tmp_path / "p.onnx")
    runner, app = CliRunner(), build_app()
    for args, words in ((["--host", "0.0.0.0"], "needs a token"),
                        (["--tls-cert", str(tmp_path / "c.pem")], "both --tls-cert and --tls-key"),
                        (["--client-ca", str(tmp_path / "ca.pem")], "mutual TLS"),
                        (["--token-file", str(tmp_path / "none")], "none")):
        result = runner.invoke(app, ["serve", str(model), "--port", "0", *args])
        assert result.exit_code == 2 and words in result.output, result.output
    result = runner.invoke(app, ["serve", str(Path(tmp_path) / "missing.onnx")])
    assert result.exit_code == 2 and "missing.onnx" in result.output
