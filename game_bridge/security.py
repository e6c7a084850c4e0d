"""Secure by default: loopback unless told otherwise, a bearer token checked in constant time, TLS and mutual TLS.

Unity ML-Agents' socket binds every interface without authentication; this bridge refuses to listen on a
non-loopback address unless a token or TLS protects it.
"""

from __future__ import annotations

import hmac
import ipaddress
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import grpc

from botsdk.game_bridge.errors import InsecureBindError

AUTH_HEADER = "authorization"
# Health probes (load balancers, orchestrators) carry no credentials; everything else needs the token.
UNAUTHENTICATED_METHODS = ("/grpc.health.v1.Health/Check", "/grpc.health.v1.Health/Watch")


@dataclass(frozen=True)
class TlsFiles:
    """PEM files. Server side: cert + key (+ client_ca for mutual TLS). Client side: ca (+ cert + key for mTLS)."""

    cert: Path | None = None
    key: Path | None = None
    ca: Path | None = None

    def server_credentials(self) -> grpc.ServerCredentials:
        if self.cert is None or self.key is None:
            raise ValueError(f"TLS needs both a certificate and a key, got cert={self.cert} key={self.key}")
        ca = _read(self.ca) if self.ca else None
        return grpc.ssl_server_credentials([(_read(self.key), _read(self.cert))], root_certificates=ca,
                                           require_client_auth=ca is not None)

    def channel_credentials(self) -> grpc.ChannelCredentials:
        return grpc.ssl_channel_credentials(root_certificates=_read(self.ca) if self.ca else None,
                                            private_key=_read(self.key) if self.key else None,
                                            certificate_chain=_read(self.cert) if self.cert else None)


def _read(path: Path | str) -> bytes:
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"TLS file not found: {path}")
    return path.read_bytes()


def read_token_file(path: str | Path) -> str:
    """The token is the file's content without surrounding whitespace; an empty file is an error."""
    token = Path(path).read_text(encoding="utf-8").strip()
    if not token:
        raise ValueError(f"token file {path} is empty; expected a non-empty secret")
    return token


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        try:
            return all(ipaddress.ip_address(info[4][0]).is_loopback for info in socket.getaddrinfo(host, None))
        except OSError:
            return False


def check_bind(host: str, token: str | None, tls: TlsFiles | None) -> None:
    """Raise InsecureBindError when a non-loopback host would be served with neither a token nor TLS."""
    if not is_loopback(host) and not token and tls is None:
        raise InsecureBindError(
            f"refusing to listen on {host!r} without protection: a non-loopback address needs a token "
            f"(--token-file) or TLS (--tls-cert/--tls-key); expected host 127.0.0.1 or ::1 for an unprotected server")


def _abort_handler(handler: grpc.RpcMethodHandler, message: str) -> grpc.RpcMethodHandler:
    """A handler of the same streaming kind as `handler` that answers UNAUTHENTICATED."""

    def deny(_request, context: grpc.ServicerContext):
        context.abort(grpc.StatusCode.UNAUTHENTICATED, message)

    kinds: dict[tuple[bool, bool], Callable] = {
        (False, False): grpc.unary_unary_rpc_method_handler,
        (False, True): grpc.unary_stream_rpc_method_handler,
        (True, False): grpc.stream_unary_rpc_method_handler,
        (True, True): grpc.stream_stream_rpc_method_handler,
    }
    make = kinds[(handler.request_streaming, handler.response_streaming)]
    return make(deny, request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer)


class TokenAuthInterceptor(grpc.ServerInterceptor):
    """Checks `authorization: Bearer <token>` once per RPC (not per stream message), in constant time."""

    def __init__(self, token: str):
        self._expected = f"Bearer {token}".encode()

    def intercept_service(self, continuation, handler_call_details):
        handler = continuation(handler_call_details)
        if handler is None or handler_call_details.method in UNAUTHENTICATED_METHODS:
            return handler
        sent = dict(handler_call_details.invocation_metadata or ()).get(AUTH_HEADER)
        if sent is None:
            return _abort_handler(handler, "missing 'authorization: Bearer <token>' metadata")
        sent_bytes = sent.encode() if isinstance(sent, str) else bytes(sent)
        if not hmac.compare_digest(sent_bytes, self._expected):
            return _abort_handler(handler, "invalid token in 'authorization' metadata")
        return handler


def auth_metadata(token: str | None) -> tuple[tuple[str, str], ...]:
    return ((AUTH_HEADER, f"Bearer {token}"),) if token else ()
