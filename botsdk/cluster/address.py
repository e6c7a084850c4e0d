"""What `--cluster` accepts, checked before anything starts (no Ray import)."""

from __future__ import annotations

import re

LOCAL, AUTO = "local", "auto"
_CLIENT = re.compile(r"^ray://[A-Za-z0-9_.\-\[\]:]+:\d{1,5}$")


class ClusterError(RuntimeError):
    """The cluster cannot be used: a malformed address, Ray missing, or a task that kept losing its worker."""


def check_address(address: str) -> str:
    """The address itself if it is `local`, `auto` or `ray://host:port`; a ClusterError naming all three if not."""
    text = address.strip()
    if text in (LOCAL, AUTO) or _CLIENT.match(text):
        return text
    raise ClusterError(f"--cluster: expected 'local', 'auto' or 'ray://host:port', got {address!r}")
