"""The `--cluster ADDRESS` option shared by `record`, `playtest` and `evaluate` (see botsdk.cluster)."""

from __future__ import annotations

import importlib.util
from typing import Optional

import typer

from botsdk.cli.errors import fail

HELP = ("Run each episode as a Ray task: 'local' (start Ray here with --workers CPUs), 'auto' (join this "
        "machine's Ray cluster) or 'ray://host:port'. Needs `pip install 'botsdk[cluster]'`.")


def cluster_option() -> Optional[str]:
    return typer.Option(None, "--cluster", help=HELP)


def checked_cluster(address: Optional[str]) -> Optional[str]:
    """The address, checked before any work starts; None runs on local processes as before."""
    if address is None:
        return None
    from botsdk.cluster import ClusterError, check_address

    try:
        address = check_address(address)
    except ClusterError as exc:
        fail(str(exc))
    if importlib.util.find_spec("ray") is None:
        fail(f"--cluster {address}: expected Ray to be installed (pip install 'botsdk[cluster]'), got no `ray` module")
    return address
