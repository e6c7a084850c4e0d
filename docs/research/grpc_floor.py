"""The round trip that Python gRPC itself costs, before a bridge does any work: the bridge benchmark's bare echo
(`bench.Echo/Stream`, the bridge's own request and reply bytes) served by a sync and by an asyncio grpcio server,
driven by the benchmark's Python client, interleaved so load on a shared machine hits both alike.

    python docs/research/grpc_floor.py --agents 1 64

Prints p50 / p99 in microseconds per server kind and tick size."""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp

import numpy as np

from botsdk.bench import bridge as bench
from botsdk.bench._timing import latencies_us, percentiles


def serve_asyncio(reply_sizes: dict[int, int], ports: mp.Queue, stop: mp.Event) -> None:
    """The benchmark's echo (`bench.bridge._serve_echo`) on grpcio's asyncio server."""
    import grpc

    from botsdk.game_bridge._generated import bridge_pb2 as pb

    replies = {request: bench._echo_reply(reply) for request, reply in reply_sizes.items()}

    async def stream(requests, context):
        async for request in requests:
            yield replies[request.ByteSize()]

    handler = grpc.method_handlers_generic_handler("bench.Echo", {"Stream": grpc.stream_stream_rpc_method_handler(
        stream, request_deserializer=pb.Tick.FromString, response_serializer=pb.TickActions.SerializeToString)})

    async def main() -> None:
        server = grpc.aio.server(options=[("grpc.max_receive_message_length", 64 << 20)])
        server.add_generic_rpc_handlers((handler,))
        ports.put(server.add_insecure_port("127.0.0.1:0"))
        await server.start()
        while not stop.is_set():
            await asyncio.sleep(0.2)
        await server.stop(0)

    asyncio.run(main())


def measure(agents: int, repeats: int = 2000, rounds: int = 5) -> dict[str, dict[str, float]]:
    import grpc

    from botsdk.arena.contract import arena_contract
    from botsdk.game_bridge._generated import bridge_pb2 as pb

    _, steady = bench._tick(arena_contract(), agents)
    reply_sizes = {steady.ByteSize(): bench._reply_size(agents, 4)}
    ctx = mp.get_context("spawn")
    servers, calls = [], {}
    for name, target in (("sync", bench._serve_echo), ("asyncio", serve_asyncio)):
        ports, stop = ctx.Queue(), ctx.Event()
        process = ctx.Process(target=target, args=(reply_sizes, ports, stop), daemon=True)
        process.start()
        channel = grpc.insecure_channel(f"127.0.0.1:{ports.get(timeout=60)}", [("grpc.use_local_subchannel_pool", 1)])
        calls[name] = bench._PingPong(channel, bench.ECHO_METHOD, pb.Tick.SerializeToString, pb.TickActions.FromString)
        servers.append((process, stop, channel))
        for _ in range(200):
            calls[name](steady)
    runs: dict[str, list[np.ndarray]] = {name: [] for name in calls}
    for _ in range(rounds):
        for name, call in calls.items():
            runs[name].append(latencies_us(lambda: call(steady), repeats))
    for call in calls.values():
        call.close()
    for process, stop, channel in servers:
        channel.close()
        stop.set()
        process.join(10)
    return {name: percentiles(np.concatenate(r)) for name, r in runs.items()}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, nargs="+", default=[1, 64])
    args = parser.parse_args()
    for agents in args.agents:
        for name, stats in measure(agents).items():
            print(f"{agents} agents, {name} server: p50 {stats['p50_us']:.0f} us, p99 {stats['p99_us']:.0f} us")
