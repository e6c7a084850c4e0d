from pathlib import Path
from typing import Optional

import typer

from botsdk.cli.errors import fail


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        model: Path = typer.Argument(..., help="An exported policy (.onnx) with its embedded contract."),
        host: str = typer.Option("127.0.0.1", "--host", help="Address to bind; non-loopback needs a token or TLS."),
        port: int = typer.Option(50051, "--port", help="TCP port (0 picks a free one and prints it)."),
        token_file: Optional[Path] = typer.Option(None, "--token-file", help="File holding the bearer token."),
        tls_cert: Optional[Path] = typer.Option(None, "--tls-cert", help="Server certificate (PEM)."),
        tls_key: Optional[Path] = typer.Option(None, "--tls-key", help="Server private key (PEM)."),
        client_ca: Optional[Path] = typer.Option(None, "--client-ca", help="CA for client certificates (mutual TLS)."),
        record_dir: Optional[Path] = typer.Option(None, "--record-dir", help="Dataset root for RecordGameplay."),
        greedy: bool = typer.Option(False, "--greedy", help="Take each head's most likely action instead of sampling."),
        temperature: Optional[float] = typer.Option(None, "--temperature", help="Sampling temperature (< 1 sharpens the heads); default: the one stored in the model (1.0 if none)."),
        seed: int = typer.Option(0, "--seed", help="Seed of the action sampler."),
        grace: float = typer.Option(5.0, "--grace", help="Seconds open streams get to finish on shutdown."),
    ) -> None:
        """Serve a bot to game engines over gRPC.

        BotBridge, health and reflection services until SIGINT/SIGTERM, which drains open streams."""
        import signal
        import threading

        from botsdk.game_bridge.errors import InsecureBindError
        from botsdk.game_bridge.limits import Limits
        from botsdk.game_bridge.security import TlsFiles, read_token_file
        from botsdk.game_bridge.server import BridgeServer

        if not model.is_file():
            fail(f"model: expected an .onnx file, got {model} (no such file)")
        if (tls_cert is None) != (tls_key is None):
            fail(f"TLS: expected both --tls-cert and --tls-key, got cert={tls_cert} key={tls_key}")
        if client_ca is not None and tls_cert is None:
            fail("--client-ca (mutual TLS): expected --tls-cert and --tls-key as well, got neither")
        try:
            token = read_token_file(token_file) if token_file else None
            tls = TlsFiles(cert=tls_cert, key=tls_key, ca=client_ca) if tls_cert else None
            server = BridgeServer(model, host=host, port=port, token=token, tls=tls, record_dir=record_dir,
                                  limits=Limits(grace_s=grace), seed=seed, greedy=greedy,
                                  temperature=temperature).start()
        except (InsecureBindError, FileNotFoundError, ValueError, OSError) as exc:
            fail(str(exc))
        done = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: done.set())
        auth = ("token" if token else "no token") + (", mutual TLS" if client_ca else ", TLS" if tls else "")
        typer.echo(f"serving {server.policy.contract.name} model {server.policy.model_version} on "
                   f"{server.target} ({auth})", err=False)
        import sys

        sys.stdout.flush()
        done.wait()
        typer.echo("shutting down: draining open streams", err=True)
        server.stop()
