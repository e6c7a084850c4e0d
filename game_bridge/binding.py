"""Where the server listens: the addresses a host stands for, and a clear error before gRPC's own when one is taken.

`localhost` (the default) means both loopbacks, 127.0.0.1 and ::1, on one port: engines that resolve localhost to
IPv6 first reach the server as well as those using IPv4.
"""

from __future__ import annotations

import errno
import ipaddress
import socket

from botsdk.game_bridge.errors import BindError, InvalidPortError

LOOPBACKS = ("127.0.0.1", "::1")


def check_port(port: int) -> int:
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise InvalidPortError(f"port: expected an integer in 0..65535 (0 picks a free port), got {port!r}")
    return port


def addresses_for(host: str) -> list[str]:
    """The addresses to bind for `host`: both loopbacks for 'localhost', else the host itself."""
    return list(LOOPBACKS) if host == "localhost" else [host.strip("[]")]


def grpc_address(address: str, port: int) -> str:
    return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"


def ensure_free(address: str, port: int) -> None:
    """Raise BindError naming the address when `port` cannot be bound there (gRPC would only log it)."""
    if port == 0:
        return
    try:
        family = socket.AF_INET6 if ipaddress.ip_address(address).version == 6 else socket.AF_INET
    except ValueError:
        return  # a host name: gRPC resolves it and reports what fails
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gRPC does: TIME_WAIT is no conflict
        try:
            probe.bind((address, port))
        except OSError as exc:
            raise bind_error(address, port, exc) from None


def bind_error(address: str, port: int, exc: OSError | None = None) -> BindError:
    where = grpc_address(address, port)
    if exc is not None and exc.errno == errno.EADDRINUSE:
        return BindError(f"cannot listen on {where}: the port is in use; expected a free port "
                         f"(--port N, or --port 0 to pick one)")
    if exc is not None and exc.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT):
        return BindError(f"cannot listen on {where}: the address is not one of this machine's; expected "
                         f"a local address such as 127.0.0.1, ::1 or 0.0.0.0")
    reason = f" ({exc.strerror})" if exc is not None and exc.strerror else ""
    return BindError(f"cannot listen on {where}{reason}")
