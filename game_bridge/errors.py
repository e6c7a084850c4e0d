"""The bridge's exceptions: BridgeError (a gRPC status plus a message naming the field) and the startup refusals."""

from __future__ import annotations

import grpc


class BridgeError(Exception):
    """A request the server refuses; `code` becomes the RPC status, the message names the field and both values."""

    def __init__(self, code: grpc.StatusCode, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def invalid(message: str) -> BridgeError:
    return BridgeError(grpc.StatusCode.INVALID_ARGUMENT, message)


def exhausted(message: str) -> BridgeError:
    return BridgeError(grpc.StatusCode.RESOURCE_EXHAUSTED, message)


class InsecureBindError(ValueError):
    """Refusing to listen on a non-loopback address with neither a token nor TLS."""


class PlaintextTokenError(InsecureBindError):
    """Refusing to send a token in clear text beyond loopback (no TLS) without an explicit allowance."""


class InvalidPortError(ValueError):
    """A port outside 0..65535."""


class BindError(OSError):
    """The address could not be bound (the port is in use, or the address is not this machine's)."""
