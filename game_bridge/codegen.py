"""Regenerate the committed gRPC stubs from `proto/` (grpc_tools.protoc, a dev dependency).

The stubs live flat in `game_bridge/_generated/` with a relative import, so the descriptor keeps its full proto
path (`botsdk/bridge/v1/bridge.proto`, what reflection shows) without the generated code shadowing `botsdk`.
Run `python -m botsdk.game_bridge.codegen` after editing the proto; a test checks the committed files match.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

PROTO_ROOT = Path(__file__).resolve().parent.parent / "proto"
PROTO_FILE = "botsdk/bridge/v1/bridge.proto"
GENERATED_DIR = Path(__file__).resolve().parent / "_generated"
GENERATED_FILES = ("bridge_pb2.py", "bridge_pb2.pyi", "bridge_pb2_grpc.py")
_ABSOLUTE_IMPORT = "from botsdk.bridge.v1 import bridge_pb2 as"
_RELATIVE_IMPORT = "from . import bridge_pb2 as"


def generate(out_dir: str | Path, proto_root: str | Path = PROTO_ROOT) -> list[Path]:
    """Write the stubs for bridge.proto into out_dir; returns the written files."""
    from grpc_tools import protoc  # dev dependency: only needed to regenerate
    import importlib.resources

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    well_known = str(importlib.resources.files("grpc_tools") / "_proto")
    with tempfile.TemporaryDirectory() as tmp:
        args = ["grpc_tools.protoc", f"-I{proto_root}", f"-I{well_known}", f"--python_out={tmp}",
                f"--pyi_out={tmp}", f"--grpc_python_out={tmp}", PROTO_FILE]
        if protoc.main(args) != 0:
            raise RuntimeError(f"protoc failed on {Path(proto_root) / PROTO_FILE}")
        written = []
        for name in GENERATED_FILES:
            text = (Path(tmp) / Path(PROTO_FILE).parent / name).read_text(encoding="utf-8")
            target = out_dir / name
            target.write_text(text.replace(_ABSOLUTE_IMPORT, _RELATIVE_IMPORT), encoding="utf-8")
            written.append(target)
    return written


if __name__ == "__main__":
    for path in generate(sys.argv[1] if len(sys.argv) > 1 else GENERATED_DIR):
        print(path)
