"""`botsdk serve --workers N`: N real server processes on one port, connections spread over them by the kernel,
each connection's agents kept by its worker, dead workers started again, and a clean stop of all of them."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time

import grpc
import numpy as np
import pytest
from bridge_support import eventually, make_model, observations

from botsdk.game_bridge._generated import bridge_pb2 as pb
from botsdk.game_bridge._generated import bridge_pb2_grpc as pb_grpc
from botsdk.game_bridge.client import actions_array, make_batch
from botsdk.game_bridge.tensors import to_tensor

BOTSDK = [sys.executable, "-c", "from botsdk.cli import main; main()"]


class Served:
    """A `botsdk serve` process whose stderr (one JSON event per line) is collected as it arrives."""

    def __init__(self, *args: str):
        self.proc = subprocess.Popen([*BOTSDK, "serve", *args, "--log-json"], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.events: list[dict] = []
        self.other: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        line = self.proc.stdout.readline()
        match = re.search(r"on (127\.0\.0\.1:\d+)", line)
        assert match, line + "".join(self.other)
        self.line, self.target = line, match.group(1)

    def _read(self) -> None:
        for line in self.proc.stderr:
            try:
                self.events.append(json.loads(line))
            except ValueError:
                self.other.append(line)

    def named(self, name: str) -> list[dict]:
        return [e for e in list(self.events) if e["event"] == name]

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(30)


def _connection(target: str) -> tuple[grpc.Channel, pb_grpc.BotBridgeStub]:
    """A channel with its own TCP connection (gRPC otherwise shares one between channels to one address)."""
    channel = grpc.insecure_channel(target, [("grpc.use_local_subchannel_pool", 1)])
    return channel, pb_grpc.BotBridgeStub(channel)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    return make_model(tmp_path_factory.mktemp("workers") / "p.onnx")


def test_workers_share_one_port_and_each_connection_keeps_its_agents(model):
    served = Served(str(model), "--port", "0", "--workers", "2")
    try:
        assert "2 workers" in served.line
        assert eventually(lambda: len(served.named("serving")) == 2, 30)
        pids = {e["worker"]: e["pid"] for e in served.named("serving")}
        assert sorted(pids) == [0, 1]
        ids = [f"a{i}" for i in range(4)]
        for n in range(16):
            channel, stub = _connection(served.target)
            with channel:
                ticks = [pb.Tick(tick=t, batch=make_batch(ids, observations(4, seed=n * 3 + t),
                                                          episode_start=[t == 0] * 4)) for t in range(3)]
                # agents without episode_start after the first tick are known only to the worker that met them
                for reply in stub.Session(iter(ticks)):
                    assert actions_array(reply.actions).shape == (4, 4) and (actions_array(reply.actions) >= 0).all()
                with pytest.raises(grpc.RpcError) as refused:  # logged by the worker that holds this connection
                    stub.Act(pb.ActRequest(batch=pb.AgentBatch(observations=to_tensor(observations(3)))))
                assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert eventually(lambda: len(served.named("refused")) == 16, 10)
        # 16 connections all on one of two workers: odds 1 in 32,768
        assert {e["worker"] for e in served.named("refused")} == {0, 1}
    finally:
        assert served.stop() == 0
    assert not any(_alive(pid) for pid in pids.values())
    assert served.named("shutting_down")[0]["workers"] == 2


def test_a_worker_that_dies_is_started_again_and_the_port_keeps_serving(model):
    from botsdk.game_bridge.client import BridgeClient

    served = Served(str(model), "--port", "0", "--workers", "2", "--grace", "0")
    try:
        assert eventually(lambda: len(served.named("serving")) == 2, 30)
        dead = next(e["pid"] for e in served.named("serving") if e["worker"] == 0)
        os.kill(dead, signal.SIGKILL)
        assert eventually(lambda: served.named("worker_restarted"), 60), served.events
        exited, restarted = served.named("worker_exited")[0], served.named("worker_restarted")[0]
        assert exited["worker"] == 0 and exited["pid"] == dead and exited["exit_code"] == -signal.SIGKILL
        assert restarted["worker"] == 0 and restarted["pid"] != dead and _alive(restarted["pid"])
        for _ in range(6):  # fresh connections land on either worker; all are answered
            channel, stub = _connection(served.target)
            with channel:
                reply = stub.Act(pb.ActRequest(batch=make_batch(["x"], observations(1), episode_start=[True])))
                assert actions_array(reply.actions).shape == (1, 4)
        with BridgeClient(served.target) as client:
            assert client.health() == "SERVING"
    finally:
        assert served.stop() == 0


def test_serve_refuses_workers_it_cannot_run_in_one_line(model, tmp_path):
    from typer.testing import CliRunner

    from botsdk.cli import build_app

    (tmp_path / "admin").write_text("adm\n")
    for args, words in ((["--workers", "0"], "workers: expected a whole number of server processes >= 1, got 0"),
                        (["--workers", "2", "--record-dir", str(tmp_path / "rec")],
                         "record_dir: RecordGameplay needs one worker"),
                        (["--workers", "2", "--admin-token-file", str(tmp_path / "admin"), "--models-dir",
                          str(tmp_path)], "ReloadPolicy needs one worker"),
                        (["--workers", "2", "--host", "0.0.0.0"], "needs a token")):
        result = CliRunner().invoke(build_app(), ["serve", str(model), "--port", "0", *args])
        assert result.exit_code == 2 and words in result.output, (args, result.output)
        assert len(result.output.strip().splitlines()) == 1, result.output
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"x\n")  # parses as an empty protobuf: onnxruntime answers InvalidArgument
    for workers in ("1", "2"):  # the same line and the damaged-data exit code, before any worker starts
        proc = subprocess.run([*BOTSDK, "serve", str(broken), "--port", "0", "--workers", workers],
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 3, proc.stderr
        assert proc.stderr.strip().splitlines() == [f"error: {broken}: not a readable ONNX model (No graph was found "
                                                    f"in the protobuf); export it again with `botsdk export`"]


def test_workers_answer_a_taken_port_in_one_line(model):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = subprocess.Popen([*BOTSDK, "serve", str(model), "--port", str(port), "--workers", "2"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2, err
    assert err.strip().splitlines() == [f"error: cannot listen on 127.0.0.1:{port}: the port is in use; expected a "
                                        f"free port (--port N, or --port 0 to pick one)"]


def test_the_bridge_benchmark_drives_serve_workers(model):
    from botsdk.bench.bridge import _workers_throughput, bench_workers

    assert [bench_workers(c) for c in (1, 2, 4, 16, 64)] == [2, 2, 2, 8, 8]
    assert _workers_throughput(str(model), 2, 0.3) > 0
