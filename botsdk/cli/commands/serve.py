from pathlib import Path
from typing import Optional

import typer

from botsdk.cli.errors import fail


def _defaults():
    from botsdk.game_bridge.limits import Limits

    return Limits()


def register(app: typer.Typer) -> None:
    d = _defaults()

    @app.command("serve")
    def serve(
        model: Path = typer.Argument(..., help="An exported policy (.onnx) with its embedded contract."),
        host: str = typer.Option("localhost", "--host", help="Address to bind; localhost = 127.0.0.1 and ::1; "
                                                             "non-loopback needs a token or TLS."),
        port: int = typer.Option(50051, "--port", help="TCP port 0..65535 (0 picks a free one and prints it)."),
        token_file: Optional[Path] = typer.Option(None, "--token-file", help="File holding the engines' bearer token."),
        admin_token_file: Optional[Path] = typer.Option(None, "--admin-token-file", help="File holding the admin token (ReloadPolicy); must differ from the engines' token."),
        models_dir: Optional[Path] = typer.Option(None, "--models-dir", help="Directory ReloadPolicy may load models from, by file name."),
        allow_plaintext_token: bool = typer.Option(False, "--allow-plaintext-token", help="Accept tokens without TLS on a non-loopback address (prints a warning)."),
        tls_cert: Optional[Path] = typer.Option(None, "--tls-cert", help="Server certificate (PEM)."),
        tls_key: Optional[Path] = typer.Option(None, "--tls-key", help="Server private key (PEM)."),
        client_ca: Optional[Path] = typer.Option(None, "--client-ca", help="CA for client certificates (mutual TLS)."),
        record_dir: Optional[Path] = typer.Option(None, "--record-dir", help="Dataset root for RecordGameplay."),
        greedy: bool = typer.Option(False, "--greedy", help="Take each head's most likely action instead of sampling."),
        temperature: Optional[float] = typer.Option(None, "--temperature", help="Sampling temperature (< 1 sharpens the heads); default: the one stored in the model (1.0 if none)."),
        seed: int = typer.Option(0, "--seed", help="Seed of the action sampler."),
        grace: float = typer.Option(d.grace_s, "--grace", help="Seconds open streams get to finish on shutdown."),
        idle_timeout: float = typer.Option(d.idle_timeout_s, "--idle-timeout", help="Seconds a stream may stay silent before it is closed."),
        keepalive: float = typer.Option(d.keepalive_time_s, "--keepalive", help="Seconds between keepalive pings on a quiet connection."),
        keepalive_timeout: float = typer.Option(d.keepalive_timeout_s, "--keepalive-timeout", help="Seconds a keepalive ping may go unanswered before the connection is dropped."),
        max_streams: int = typer.Option(d.max_streams, "--max-streams", help="Concurrent Session/RecordGameplay streams, all clients."),
        max_streams_per_client: int = typer.Option(d.max_streams_per_client, "--max-streams-per-client", help="Concurrent streams from one client address."),
        act_session_ttl: float = typer.Option(d.act_session_ttl_s, "--act-session-ttl", help="Seconds an unused Act session keeps its agents' state."),
        max_message_bytes: int = typer.Option(d.max_message_bytes, "--max-message-bytes", help="Largest request or reply."),
        max_agents_per_request: int = typer.Option(d.max_agents_per_request, "--max-agents-per-request", help="Agents in one tick or Act request."),
        log_json: bool = typer.Option(False, "--log-json", help="Server events as one JSON object per line on stderr."),
        threads: int = typer.Option(1, "--threads", help="Model threads for ticks under 256 agents (one is fastest for small batches)."),
        large_batch_threads: Optional[int] = typer.Option(None, "--large-batch-threads", help="Model threads for merged ticks of 256 agents or more; default: up to 2 cores."),
        workers: int = typer.Option(1, "--workers", help="Server processes sharing the port (one per few cores for many engines); each connection stays with one. Not with --record-dir or admin reload."),
    ) -> None:
        """Serve a bot to game engines over gRPC.

        BotBridge, health and reflection services until SIGINT/SIGTERM, which drains open streams. Every limit is
        advertised to engines in GetSpec."""
        import signal
        import sys
        import threading

        from botsdk.game_bridge import events
        from botsdk.game_bridge.errors import BindError, InsecureBindError, InvalidPortError
        from botsdk.game_bridge.limits import Limits
        from botsdk.game_bridge.security import TlsFiles, read_token_file
        from botsdk.game_bridge.server import BridgeServer
        from botsdk.game_bridge.workers import WorkerPool, WorkerStartError

        if not 0 <= port <= 65535:
            fail(f"--port: expected an integer in 0..65535 (0 picks a free port), got {port}")
        if not model.is_file():
            fail(f"model: expected an .onnx file, got {model} (no such file)")
        if (tls_cert is None) != (tls_key is None):
            fail(f"TLS: expected both --tls-cert and --tls-key, got cert={tls_cert} key={tls_key}")
        if client_ca is not None and tls_cert is None:
            fail("--client-ca (mutual TLS): expected --tls-cert and --tls-key as well, got neither")
        events.configure(as_json=log_json)
        try:
            limits = Limits(grace_s=grace, idle_timeout_s=idle_timeout, keepalive_time_s=keepalive,
                            keepalive_timeout_s=keepalive_timeout, max_streams=max_streams,
                            max_streams_per_client=max_streams_per_client, act_session_ttl_s=act_session_ttl,
                            max_message_bytes=max_message_bytes, max_agents_per_request=max_agents_per_request)
            token = read_token_file(token_file) if token_file else None
            admin_token = read_token_file(admin_token_file) if admin_token_file else None
            tls = TlsFiles(cert=tls_cert, key=tls_key, ca=client_ca) if tls_cert else None
            options = dict(token=token, tls=tls, record_dir=record_dir, limits=limits, seed=seed, greedy=greedy,
                           temperature=temperature, admin_token=admin_token, models_dir=models_dir,
                           allow_plaintext_token=allow_plaintext_token, threads=threads,
                           large_batch_threads=large_batch_threads)
            if workers == 1:
                server = BridgeServer(model, host=host, port=port, **options).start()  # warnings already logged
                served = server.summary()
            else:
                server = WorkerPool(model, workers, host=host, port=port, log_json=log_json, **options).start()
                served = server.info
        except (InsecureBindError, InvalidPortError, BindError, FileNotFoundError, ValueError, OSError,
                WorkerStartError) as exc:
            fail(str(exc))
        done = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: done.set())
        auth = ("token" if token else "no token") + (", mutual TLS" if client_ca else ", TLS" if tls else "")
        auth += ", admin on" if admin_token else ""
        sampling = "greedy" if greedy else f"temperature {served['temperature']:g}"
        threads_used = f"model threads {served['threads']}, {served['large_batch_threads']} from 256 agents"
        processes = f"; {workers} workers" if workers > 1 else ""
        typer.echo(f"serving {served['contract']} model {served['model_version']} on "
                   f"{', '.join(served['addresses'])} ({auth}; {sampling}; {threads_used}{processes})", err=False)
        sys.stdout.flush()
        if workers == 1:
            done.wait()
            events.event("shutting_down", grace_s=grace, open_streams=len(server.servicer.streams))
        else:
            server.watch(done)
            events.event("shutting_down", grace_s=grace, workers=workers)
        server.stop()
