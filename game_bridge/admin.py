"""What ReloadPolicy may load: a file named in the operator's models directory, nothing else.

A name, never a path, so an RPC cannot make the server open arbitrary files; a missing file, a directory, a link out
of the directory and an unreadable file all get the same NOT_FOUND, so the answer reveals nothing about the disk.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import grpc

from botsdk.game_bridge.errors import BridgeError, invalid

MAX_NAME_CHARS = 255


class ModelDirectory:
    """The operator's directory of servable models (`--models-dir`)."""

    def __init__(self, root: str | Path):
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise ValueError(f"models directory: expected an existing directory, got {root}")

    def open(self, name: str) -> tuple[Path, str]:
        """The model file called `name` and its sha256; BridgeError when the name is not a plain file name
        (INVALID_ARGUMENT) or names no readable file here (NOT_FOUND)."""
        _check_name(name)
        try:
            path = (self.root / name).resolve(strict=True)
            if path.parent != self.root or not path.is_file():
                raise FileNotFoundError(name)
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            raise BridgeError(grpc.StatusCode.NOT_FOUND, f"model_name {name!r}: no readable model of that name in "
                                                         f"the server's models directory") from None
        return path, digest


def _check_name(name: str) -> None:
    if not name or len(name) > MAX_NAME_CHARS or name in (".", "..") or name.startswith(".") \
            or any(c in name for c in "/\\\0"):
        shown = name if len(name) <= 80 else name[:77] + "..."
        raise invalid(f"model_name: expected a file name in the models directory (e.g. 'policy-v2.onnx'), "
                      f"not a path, got {shown!r}")
