"""Serving replicas: two real `botsdk serve` processes; the client spreads single decisions over both, and a
session whose replica is killed mid-session resumes on the other within a second, losing only that tick."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time

import grpc
import numpy as np
import pytest
from bridge_support import make_model, observations

from botsdk.game_bridge.replicas import NoHealthyReplica, ReplicaClient

BOTSDK = [sys.executable, "-c", "from botsdk.cli import main; main()"]
AGENTS = ["blue_0", "blue_1", "red_0"]
FIRST = [True] * len(AGENTS)  # episode_start: an agent's first decision on a replica


def _serve(model) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([*BOTSDK, "serve", str(model), "--port", "0", "--grace", "0.5"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    match = re.search(r"on (127\.0\.0\.1:\d+)", line)
    assert match, line + (proc.stderr.read() if proc.poll() is not None else "")
    return proc, match.group(1)


@pytest.fixture
def replicas(tmp_path):
    model = make_model(tmp_path / "p.onnx")
    procs = [_serve(model) for _ in range(2)]
    yield procs
    for proc, _ in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(15)


def test_a_killed_replica_costs_one_tick(replicas):
    (first, a), (second, b) = replicas
    by_target = {a: first, b: second}
    obs = observations(len(AGENTS), seed=1)
    with ReplicaClient([a, b]) as client:
        assert client.healthy() and {client.status(a), client.status(b)} == {"SERVING"}
        served = set()
        for _ in range(4):  # single decisions go round the replicas
            before = client._next
            client.act(AGENTS, obs, episode_start=FIRST)
            served.add(client.targets[before])
        assert served == {a, b}
        with client.session() as refused:  # a wrong request is the caller's error, not a reason to fail over
            with pytest.raises(grpc.RpcError) as info:
                refused.step(AGENTS, np.zeros((len(AGENTS), 3), np.float32), episode_start=FIRST)
            assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT and refused.failovers == []
        with client.session() as session:
            doomed, spare = session.target, b if session.target == a else a
            for tick in range(5):
                actions = session.step(AGENTS, obs, episode_start=FIRST if tick == 0 else None)
                assert actions.shape == (len(AGENTS), 4)
            by_target[doomed].kill()  # no goodbye: the process and its sockets vanish
            by_target[doomed].wait(5)
            started = time.perf_counter()
            actions = session.step(AGENTS, obs)
            recovery = time.perf_counter() - started
            assert actions.shape == (len(AGENTS), 4)
            assert recovery < 1.0, recovery
            print(f"failover answered in {recovery * 1000:.1f} ms")
            assert session.target == spare and len(session.failovers) == 1
            event = session.failovers[0]
            assert (event.tick, event.failed, event.replica) == (6, doomed, spare) and event.seconds < 1.0
            for _ in range(5):  # the rest of the session runs on the survivor without another failover
                assert session.step(AGENTS, obs).shape == (len(AGENTS), 4)
            assert len(session.failovers) == 1 and session.tick == 11
        assert client.status(doomed) == "UNREACHABLE"
        # unary calls skip the dead one
        assert np.asarray(client.act(AGENTS, obs, episode_start=FIRST)).shape == (len(AGENTS), 4)


def test_no_replica_left_is_one_clear_error(replicas):
    (first, a), (second, b) = replicas
    for proc in (first, second):
        proc.kill()
        proc.wait(5)
    with ReplicaClient([a, b]) as client:
        with pytest.raises(NoHealthyReplica, match=rf"expected a SERVING replica, got none \({re.escape(a)}: "
                                                   r"UNREACHABLE"):
            client.session()
    with pytest.raises(ValueError, match="at least one replica"):
        ReplicaClient([])
