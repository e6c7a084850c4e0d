"""Secure by default: loopback unless told otherwise, bearer tokens checked in constant time, TLS and mutual TLS.

Unity ML-Agents' socket binds every interface without authentication; this bridge refuses to listen on a
non-loopback address unless a token or TLS protects it, and refuses to take a token in clear text there unless the
operator says so. Admin RPCs (ReloadPolicy) answer only to an admin token distinct from the engines' token.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import grpc

from botsdk.game_bridge.errors import InsecureBindError, PlaintextTokenError
from botsdk.game_bridge.events import event

AUTH_HEADER = "authorization"
# Health probes (load balancers, orchestrators) carry no credentials; everything else needs the token.
UNAUTHENTICATED_METHODS = ("/grpc.health.v1.Health/Check", "/grpc.health.v1.Health/Watch")
# RPCs that change what the server serves: only the admin token opens them.
ADMIN_METHODS = ("/botsdk.bridge.v1.BotBridge/ReloadPolicy",)


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


def check_bind(host: str, token: str | None, tls: TlsFiles | None, allow_plaintext_token: bool = False) -> str | None:
    """Refuse a non-loopback host served with neither a token nor TLS, or with a token in clear text (no TLS) unless
    `allow_plaintext_token`; in that case return the warning to show the operator."""
    if is_loopback(host):
        return None
    if not token and tls is None:
        raise InsecureBindError(
            f"refusing to listen on {host!r} without protection: a non-loopback address needs a token "
            f"(--token-file) or TLS (--tls-cert/--tls-key); expected host 127.0.0.1 or ::1 for an unprotected server")
    if token and tls is None:
        if not allow_plaintext_token:
            raise PlaintextTokenError(
                f"refusing to take a token in clear text on {host!r}: anyone on the path can read it; expected TLS "
                f"(--tls-cert/--tls-key) beside the token, or --allow-plaintext-token to accept the risk")
        warning = (f"tokens travel in clear text on {host!r} (no TLS): anyone on the network path can read and "
                   f"reuse them")
        event("plaintext_token_allowed", logging.WARNING, host=host, risk=warning)
        return warning
    return None


def _abort_handler(handler: grpc.RpcMethodHandler, code: grpc.StatusCode, message: str,
                   method: str) -> grpc.RpcMethodHandler:
    """A handler of the same streaming kind as `handler` that answers `code` (and logs who was turned away)."""

    def deny(_request, context: grpc.ServicerContext):
        event("auth_failed", logging.WARNING, method=method, peer=context.peer(), code=code.name, reason=message)
        context.abort(code, message)

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
    """Checks `authorization: Bearer <token>` once per RPC (not per stream message), in constant time: the engine
    token for engine RPCs (when the server has one), the admin token for admin RPCs (which are off without one)."""

    def __init__(self, token: str | None, admin_token: str | None = None):
        if token and admin_token and hmac.compare_digest(token.encode(), admin_token.encode()):
            raise ValueError("admin token: expected a secret distinct from the engine token, got the same one")
        self._expected = f"Bearer {token}".encode() if token else None
        self._admin = f"Bearer {admin_token}".encode() if admin_token else None

    def intercept_service(self, continuation, handler_call_details):
        handler = continuation(handler_call_details)
        method = handler_call_details.method
        if handler is None or method in UNAUTHENTICATED_METHODS:
            return handler
        sent = dict(handler_call_details.invocation_metadata or ()).get(AUTH_HEADER)
        sent_bytes = None if sent is None else sent.encode() if isinstance(sent, str) else bytes(sent)
        if method in ADMIN_METHODS and self._admin is not None:
            refusal = self._admin_refusal(sent_bytes)
        else:
            refusal = self._engine_refusal(sent_bytes)
            if refusal is None and method in ADMIN_METHODS:
                refusal = (grpc.StatusCode.FAILED_PRECONDITION, "admin RPCs are off on this server: start it with "
                           "--admin-token-file FILE and --models-dir DIR to allow ReloadPolicy")
        return handler if refusal is None else _abort_handler(handler, *refusal, method)

    def _engine_refusal(self, sent: bytes | None) -> tuple[grpc.StatusCode, str] | None:
        if self._expected is None:
            return None
        if sent is None:
            return (grpc.StatusCode.UNAUTHENTICATED, "missing 'authorization: Bearer <token>' metadata")
        if not hmac.compare_digest(sent, self._expected):
            return (grpc.StatusCode.UNAUTHENTICATED, "invalid token in 'authorization' metadata")
        return None

    def _admin_refusal(self, sent: bytes | None) -> tuple[grpc.StatusCode, str] | None:
        if sent is None:
            return (grpc.StatusCode.UNAUTHENTICATED, "missing 'authorization: Bearer <admin token>' metadata")
        if hmac.compare_digest(sent, self._admin):
            return None
        if self._expected is not None and hmac.compare_digest(sent, self._expected):
            return (grpc.StatusCode.PERMISSION_DENIED, "the engine token does not open admin RPCs; expected the "
                    "admin token")
        return (grpc.StatusCode.UNAUTHENTICATED, "invalid admin token in 'authorization' metadata")


def auth_metadata(token: str | None) -> tuple[tuple[str, str], ...]:
    return ((AUTH_HEADER, f"Bearer {token}"),) if token else ()
