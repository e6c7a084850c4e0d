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
        match = re.search(r"on (127\.0\.0\.1:\d+), (\[::1\]:\d+) \(token; temperature 1; model threads 1, \d+ from 256 agents\)", line)
        assert match, line + proc.stderr.read() if proc.poll() is not None else line
        with BridgeClient(match.group(2), token="tok") as over_ipv6:
            assert over_ipv6.health() == "SERVING"
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
    (tmp_path / "t").write_text("secret\n")
    runner, app = CliRunner(), build_app()
    for args, words in ((["--host", "0.0.0.0"], "needs a token"),
                        (["--host", "0.0.0.0", "--token-file", str(tmp_path / "t")], "--allow-plaintext-token"),
                        (["--idle-timeout", "0"], "limit idle_timeout_s"),
                        (["--admin-token-file", str(tmp_path / "t")], "models directory"),
                        (["--tls-cert", str(tmp_path / "c.pem")], "both --tls-cert and --tls-key"),
                        (["--client-ca", str(tmp_path / "ca.pem")], "mutual TLS"),
                        (["--token-file", str(tmp_path / "none")], "none"),
                        (["--threads", "0"], "threads: expected a whole number of threads >= 1, got 0"),
                        (["--large-batch-threads", "-2"], "large_batch_threads: expected a whole number")):
        result = runner.invoke(app, ["serve", str(model), "--port", "0", *args])
        assert result.exit_code == 2 and words in result.output, result.output
    result = runner.invoke(app, ["serve", str(Path(tmp_path) / "missing.onnx")])
    assert result.exit_code == 2 and "missing.onnx" in result.output


def _serve(*args: str) -> subprocess.Popen:
    return subprocess.Popen([*BOTSDK, "serve", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _address(proc: subprocess.Popen) -> str:
    line = proc.stdout.readline()
    match = re.search(r"on (127\.0\.0\.1:\d+), \[::1\]:\d+ ", line)
    assert match, line + (proc.stderr.read() if proc.poll() is not None else "")
    return match.group(1)


def _stop(proc: subprocess.Popen) -> str:
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(15) == 0
    return proc.stderr.read()


def test_serve_logs_auth_failures_refusals_and_reloads_as_json_lines(tmp_path):
    import grpc
    import hashlib
    import json

    from botsdk.game_bridge._generated import bridge_pb2 as pb
    from botsdk.game_bridge.tensors import to_tensor
    from bridge_support import observations

    models = tmp_path / "models"
    models.mkdir()
    model = make_model(models / "p.onnx")
    (tmp_path / "token").write_text("tok\n")
    (tmp_path / "admin").write_text("adm\n")
    proc = _serve(str(model), "--port", "0", "--token-file", str(tmp_path / "token"), "--admin-token-file",
                  str(tmp_path / "admin"), "--models-dir", str(models), "--log-json", "--grace", "0")
    try:
        target = _address(proc)
        with BridgeClient(target, token="wrong") as intruder, BridgeClient(target, token="tok", admin_token="adm") as ok:
            try:
                intruder.get_spec()
            except grpc.RpcError:
                pass
            try:
                ok.stub.Act(pb.ActRequest(batch=pb.AgentBatch(observations=to_tensor(observations(3)))), metadata=ok.metadata)
            except grpc.RpcError:
                pass
            ok.reload("p.onnx")
    finally:
        stderr = _stop(proc)
    lines = [json.loads(line) for line in stderr.splitlines()]  # every line is one JSON object
    by_event = {line["event"]: line for line in lines}
    assert by_event["serving"]["model_version"] == "synthetic-1" and by_event["serving"]["admin"] is True
    assert by_event["auth_failed"]["method"].endswith("/GetSpec") and by_event["auth_failed"]["code"] == "UNAUTHENTICATED"
    assert by_event["auth_failed"]["peer"].startswith("ipv4:127.0.0.1:")
    assert by_event["refused"]["code"] == "INVALID_ARGUMENT" and "batch.agent_ids" in by_event["refused"]["message"]
    assert by_event["reload"]["sha256"] == hashlib.sha256(model.read_bytes()).hexdigest()
    assert "shutting_down" in by_event and all(line["ts"].endswith("Z") for line in lines)


def test_serve_uses_the_models_evaluated_temperature(tmp_path):
    import numpy as np

    from botsdk.export.runtime import BotRuntime
    from bridge_support import observations, with_temperature

    model = with_temperature(make_model(tmp_path / "p.onnx"), 0.5)
    proc = _serve(str(model), "--port", "0")
    ids, obs, start = [f"r{i}" for i in range(16)], observations(16, seed=7), [True] * 16
    try:
        with BridgeClient(_address(proc)) as client:
            assert client.get_spec().sampling_temperature == 0.5
            served = client.act(ids, obs, episode_start=start)
    finally:
        _stop(proc)
    np.testing.assert_array_equal(served, BotRuntime(model, seed=0, temperature=0.5).act(ids, obs, None, np.array(start)))
    assert not np.array_equal(served, BotRuntime(model, seed=0, temperature=1.0).act(ids, obs, None, np.array(start)))


def test_serve_answers_a_taken_port_in_one_line(tmp_path):
    import socket

    model = make_model(tmp_path / "p.onnx")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = _serve(str(model), "--port", str(port))
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2, err
    assert err.strip().splitlines() == [f"error: cannot listen on 127.0.0.1:{port}: the port is in use; expected a "
                                        f"free port (--port N, or --port 0 to pick one)"]


def test_serve_refuses_ports_out_of_range_in_one_line(tmp_path):
    from typer.testing import CliRunner

    from botsdk.cli import build_app

    model = make_model(tmp_path / "p.onnx")
    for port in ("-1", "70000", "65536"):
        result = CliRunner().invoke(build_app(), ["serve", str(model), "--port", port])
        assert result.exit_code == 2
        assert result.output.strip().splitlines() == [
            f"error: --port: expected an integer in 0..65535 (0 picks a free port), got {port}"], result.output


def test_serve_runs_the_model_on_the_threads_it_is_given(tmp_path):
    """More model threads change the speed, never the decisions: a tick of 300 agents (the large-batch session)
    and one of 16 decide as a one-thread runtime with the same seed does."""
    import numpy as np

    from botsdk.export.runtime import BotRuntime
    from bridge_support import observations

    model = make_model(tmp_path / "p.onnx")
    proc = _serve(str(model), "--port", "0", "--threads", "2", "--large-batch-threads", "3")
    line = proc.stdout.readline()
    assert "model threads 2, 3 from 256 agents" in line, line
    reference = BotRuntime(model, seed=0, threads=1, large_batch_threads=1)
    try:
        address = re.search(r"on (127\.0\.0\.1:\d+)", line).group(1)
        with BridgeClient(address) as client:
            for rows, seed in ((300, 1), (16, 2)):
                ids, obs, start = [f"a{i}" for i in range(rows)], observations(rows, seed=seed), [True] * rows
                served = client.act(ids, obs, episode_start=start)
                np.testing.assert_array_equal(served, reference.act(ids, obs, None, np.array(start)))
    finally:
        _stop(proc)
