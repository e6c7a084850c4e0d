"""Bridge latency and throughput: Session round trips through the real server (`botsdk serve` defaults, the default
exported model) vs two peers, and agent decisions/s with 8 concurrent engine connections: to one server process
and to `botsdk serve --workers N` (N = half the cores, 2 to 8: one process decides under one interpreter lock, so
more engines need more processes).

Peers: a minimal hand-written grpcio + onnxruntime server for the same proto and model (botsdk.bench._minimal_bridge:
what an engineer writes in an afternoon, without checks, limits or auth), whose p50 gives `ratio_vs_minimal_server`;
and a bare gRPC bidirectional echo carrying the same request and response bytes (the transport's floor).

The echo is a standard typed gRPC service: the same Tick / TickActions types, parsed and serialized by gRPC on both
sides by the generated message classes, with a prebuilt reply of the bridge's reply size (so it does no other work).
Servers run in their own processes (as they would beside a game engine), so client and server do not share a GIL.
`runtime_act_alone_p50_us` is the same model call made in-process and hot, to show how much of the gap is the model.
On a shared, oversubscribed CPU each microsecond of per-tick work in the server costs one or more microseconds of
round trip (its caches are cold after waiting for the tick), so the gap to the echo is a few times the hot figures.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
import tempfile
import time
from concurrent import futures
from pathlib import Path
from typing import Any

import numpy as np

from botsdk.bench._timing import latencies_us, percentiles

ECHO_METHOD = "/bench.Echo/Stream"
_CLOSE = object()


# ---- servers (child processes) -------------------------------------------------------------------------------
def _serve_bridge(model: str, ports: mp.Queue, stop: mp.Event) -> None:
    from botsdk.game_bridge.server import BridgeServer

    server = BridgeServer(model, port=0).start()
    ports.put(server.port)
    stop.wait()
    server.stop(0)


def _serve_minimal(model: str, ports: mp.Queue, stop: mp.Event) -> None:
    from botsdk.bench._minimal_bridge import serve_minimal

    server, port = serve_minimal(model)
    ports.put(port)
    stop.wait()
    server.stop(0)


def _serve_echo(reply_sizes: dict[int, int], ports: mp.Queue, stop: mp.Event) -> None:
    """A standard typed bidi echo: gRPC parses each Tick and serializes a TickActions reply of the size the bridge
    answers to a request of that size (prebuilt, so the peer does no other work)."""
    import grpc

    from botsdk.game_bridge._generated import bridge_pb2 as pb

    replies = {request: _echo_reply(reply) for request, reply in reply_sizes.items()}

    def stream(requests, context):
        for request in requests:
            yield replies[request.ByteSize()]

    handler = grpc.method_handlers_generic_handler("bench.Echo", {"Stream": grpc.stream_stream_rpc_method_handler(
        stream, request_deserializer=pb.Tick.FromString, response_serializer=pb.TickActions.SerializeToString)})
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=32),
                         options=[("grpc.max_receive_message_length", 64 << 20), ("grpc.so_reuseport", 0)])
    server.add_generic_rpc_handlers((handler,))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    ports.put(port)
    stop.wait()
    server.stop(0)


def _echo_reply(size: int):
    """A TickActions whose wire form is exactly `size` bytes (zero action indices padded out to the size)."""
    from botsdk.game_bridge._generated import bridge_pb2 as pb

    for count in range(size):
        reply = pb.TickActions(tick=1, actions=pb.Actions(actions=[0] * count, shape=[count, 1]))
        if reply.ByteSize() == size:
            return reply
    raise ValueError(f"no TickActions of exactly {size} bytes")


class _Child:
    def __init__(self, target, *args):
        ctx = mp.get_context("spawn")
        self.ports, self.stop = ctx.Queue(), ctx.Event()
        self.proc = ctx.Process(target=target, args=(*args, self.ports, self.stop), daemon=True)
        self.proc.start()
        self.port = self.ports.get(timeout=60)

    def close(self) -> None:
        self.stop.set()
        self.proc.join(10)


# ---- clients --------------------------------------------------------------------------------------------------
class _PingPong:
    """Send one message, wait for its answer; the same queue-fed stream for the bridge and the echo."""

    def __init__(self, channel, method: str, serializer, deserializer):
        self._q: queue.SimpleQueue = queue.SimpleQueue()
        call = channel.stream_stream(method, request_serializer=serializer, response_deserializer=deserializer)
        self._responses = call(iter(self._q.get, _CLOSE))

    def __call__(self, message) -> Any:
        self._q.put(message)
        return next(self._responses)

    def close(self) -> None:
        self._q.put(_CLOSE)
        for _ in self._responses:
            pass


def _tick(contract, agents: int, seed: int = 0):
    from botsdk.game_bridge._generated import bridge_pb2 as pb
    from botsdk.game_bridge.client import make_batch

    obs = np.random.default_rng(seed).random((agents, contract.observation_size), dtype=np.float32)
    ids = [f"agent_{i}" for i in range(agents)]
    first = pb.Tick(tick=0, batch=make_batch(ids, obs, episode_start=[True] * agents))
    steady = pb.Tick(tick=1, batch=make_batch(ids, obs))
    return first, steady


def _reply_size(agents: int, heads: int) -> int:
    from botsdk.game_bridge._generated import bridge_pb2 as pb
    from botsdk.game_bridge.tensors import encode_actions

    return pb.TickActions(tick=1, actions=encode_actions(np.zeros((agents, heads), np.int64))).ByteSize()


def _bridge_pingpong(port: int):
    import grpc

    from botsdk.game_bridge._generated import bridge_pb2 as pb

    channel = grpc.insecure_channel(f"127.0.0.1:{port}", [("grpc.use_local_subchannel_pool", 1)])
    return channel, _PingPong(channel, "/botsdk.bridge.v1.BotBridge/Session", pb.Tick.SerializeToString,
                              pb.TickActions.FromString)


def _latency(contract, agents: int, bridge_port: int, minimal_port: int, echo_port: int,
             repeats: int) -> dict[str, Any]:
    import grpc

    from botsdk.game_bridge._generated import bridge_pb2 as pb

    first, steady = _tick(contract, agents)
    channel, bridge = _bridge_pingpong(bridge_port)
    bridge(first)
    answer = bridge(steady)
    request_bytes, response_bytes = steady.SerializeToString(), answer.SerializeToString()
    echo_channel = grpc.insecure_channel(f"127.0.0.1:{echo_port}", [("grpc.use_local_subchannel_pool", 1)])
    echo = _PingPong(echo_channel, ECHO_METHOD, pb.Tick.SerializeToString, pb.TickActions.FromString)
    if echo(steady).ByteSize() != len(response_bytes):
        raise RuntimeError("the echo must carry the bridge's bytes both ways")
    minimal_channel, minimal = _bridge_pingpong(minimal_port)
    minimal(first)
    runs: dict[str, list[np.ndarray]] = {"bridge": [], "minimal_server": [], "echo": []}
    for _ in range(5):  # interleave so load on a shared machine hits all alike
        for name, call in (("bridge", bridge), ("minimal_server", minimal), ("echo", echo)):
            runs[name].append(latencies_us(lambda: call(steady), repeats))
    for closing in (bridge, echo, minimal, channel, echo_channel, minimal_channel):
        closing.close()
    stats = {name: percentiles(np.concatenate(r)) for name, r in runs.items()}
    p50 = {name: float(np.median([np.percentile(x, 50) for x in r])) for name, r in runs.items()}
    return {"agents": agents, "request_bytes": len(request_bytes), "response_bytes": len(response_bytes), **stats,
            "ratio_vs_minimal_server": round(p50["bridge"] / p50["minimal_server"], 3),
            "p50_ratio": round(p50["bridge"] / p50["echo"], 3),
            "p99_ratio": round(stats["bridge"]["p99_us"] / stats["echo"]["p99_us"], 3)}


def _drive(args) -> int:
    """One engine connection in its own process: ticks of `agents` as fast as the server answers."""
    port, agents, seconds, seed, echo_sizes = args
    import grpc

    from botsdk.arena.contract import arena_contract
    from botsdk.game_bridge._generated import bridge_pb2 as pb

    first, steady = _tick(arena_contract(), agents, seed)
    if echo_sizes:
        channel = grpc.insecure_channel(f"127.0.0.1:{port}", [("grpc.use_local_subchannel_pool", 1)])
        call = _PingPong(channel, ECHO_METHOD, pb.Tick.SerializeToString, pb.TickActions.FromString)
    else:
        channel, call = _bridge_pingpong(port)
        call(first)
    ticks, t_end = 0, time.perf_counter() + seconds
    while time.perf_counter() < t_end:
        call(steady)
        ticks += 1
    call.close(), channel.close()
    return ticks * agents


def _throughput(port: int, connections: int, agents: int, seconds: float, echo: bool) -> float:
    ctx = mp.get_context("spawn")
    with ctx.Pool(connections) as pool:
        pool.map(_drive, [(port, agents, 0.2, i, echo) for i in range(connections)])  # warm the workers
        t0 = time.perf_counter()
        done = pool.map(_drive, [(port, agents, seconds, i, echo) for i in range(connections)])
        elapsed = time.perf_counter() - t0
    return sum(done) / max(elapsed, seconds)


def _runtime_alone(model: str, contract, agents: int, repeats: int) -> float:
    """p50 of the bare in-process runtime call the server makes per tick: how much of the gap to the echo it is."""
    from botsdk.export.runtime import BotRuntime

    runtime = BotRuntime(model)
    ids = [f"agent_{i}" for i in range(agents)]
    obs = np.random.default_rng(0).random((agents, contract.observation_size), dtype=np.float32)
    runtime.act(ids, obs, None, np.ones(agents, bool))
    return round(float(np.percentile(latencies_us(lambda: runtime.act(ids, obs), repeats), 50)), 2)


def bench_workers(cpus: int | None = None) -> int:
    """Server processes for the many-engine figure: half the cores (the engines' 8 load processes get the other
    half), 2 to 8."""
    return min(8, max(2, (cpus or os.cpu_count() or 2) // 2))


def _workers_throughput(model: str, workers: int, seconds: float) -> float:
    """Decisions/s of `botsdk serve --workers N` (botsdk.game_bridge.workers) under the same 8 engine connections."""
    from botsdk.game_bridge.workers import WorkerPool

    with WorkerPool(model, workers, host="127.0.0.1", port=0, log_events=False) as pool:
        return _throughput(pool.port, 8, 64, seconds, echo=False)


def run(quick: bool = False) -> dict[str, Any]:
    from botsdk.arena.contract import arena_contract
    from botsdk.bench._default_model import export_default_policy

    contract = arena_contract()
    load_before = os.getloadavg()[0]
    repeats = 200 if quick else 1000
    with tempfile.TemporaryDirectory() as tmp:
        _, model_path, config = export_default_policy(Path(tmp))
        model = str(model_path)
        bridge = _Child(_serve_bridge, model)
        minimal = _Child(_serve_minimal, model)
        echo = _Child(_serve_echo, {len(_tick(contract, n)[1].SerializeToString()): _reply_size(n, len(contract.head_sizes))
                                    for n in (1, 64)})
        try:
            latency = {f"agents_{n}": _latency(contract, n, bridge.port, minimal.port, echo.port, repeats)
                       for n in (1, 64)}
            for n in (1, 64):
                latency[f"agents_{n}"]["runtime_act_alone_p50_us"] = _runtime_alone(model, contract, n, repeats)
            seconds = 1.0 if quick else 3.0
            decisions = _throughput(bridge.port, 8, 64, seconds, echo=False)
            minimal_rate = _throughput(minimal.port, 8, 64, seconds, echo=False)
            echo_rate = _throughput(echo.port, 8, 64, seconds, echo=True)
        finally:
            bridge.close(), minimal.close(), echo.close()
        workers = bench_workers()
        workers_rate = _workers_throughput(model, workers, seconds)
    l1, l64 = latency["agents_1"], latency["agents_64"]
    return {
        "configuration": {"model": "the default exported policy (untrained weights)",
                          **{k: config.to_dict()[k] for k in ("model", "hidden_sizes", "style_embedding")},
                          "observation_size": contract.observation_size, "heads": list(contract.head_sizes)},
        "load_average_1min": {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)},
        "peers": {"minimal_server": "hand-written grpcio + onnxruntime Session server, same proto and model",
                  "echo": "bare gRPC bidi echo of the same bytes"},
        "session_latency": latency,
        "ratio_vs_minimal_server": l64["ratio_vs_minimal_server"],
        "throughput_8_connections": {"agents_per_tick": 64, "bridge_decisions_per_s": round(decisions),
                                     "minimal_server_decisions_per_s": round(minimal_rate),
                                     "echo_agent_messages_per_s": round(echo_rate),
                                     "ratio_vs_minimal_server": round(decisions / minimal_rate, 3),
                                     "ratio": round(decisions / echo_rate, 3),
                                     "serve_workers": workers, "workers_decisions_per_s": round(workers_rate),
                                     "workers_ratio_vs_minimal_server": round(workers_rate / minimal_rate, 3)},
        "targets": {"ratio_vs_minimal_server_p50_64_agents<=1.15": l64["ratio_vs_minimal_server"] <= 1.15,
                    "p99_64_agents<=1000us": l64["bridge"]["p99_us"] <= 1000.0,
                    "decisions_per_s_8x64>=150000": max(decisions, workers_rate) >= 150_000},
    }
