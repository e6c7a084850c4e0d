"""The CLI's one error path: every expected failure becomes one line on stderr and a documented exit code.

Commands raise (or let through) typed exceptions; `report` translates them here, so no command needs its own
try/except for files, permissions, corrupt models and data, ports or interrupts. `--debug` (or BOTSDK_DEBUG=1)
prints the traceback as well. Exceptions this table does not know are bugs and keep their traceback.

    0 ok · 1 findings (a gate failed) · 2 usage or bad input · 3 damaged data · 130 interrupted
"""

from __future__ import annotations

import errno
import re
import sys
from enum import IntEnum
from pathlib import Path
from typing import Callable, NoReturn

import typer


class ExitCode(IntEnum):
    OK = 0
    FINDINGS = 1
    USAGE = 2
    DAMAGED = 3
    INTERRUPTED = 130


USAGE_ERROR = ExitCode.USAGE


class CliError(Exception):
    """An expected failure with its message and exit code; raised by commands, printed once by `report`."""

    def __init__(self, message: str, code: int = ExitCode.USAGE):
        super().__init__(message)
        self.message = message
        self.code = int(code)


class Interrupted(CliError):
    """Ctrl-C, with what was kept and how to continue."""

    def __init__(self, message: str):
        super().__init__(message, ExitCode.INTERRUPTED)


def fail(message: str, code: int = ExitCode.USAGE) -> NoReturn:
    raise CliError(message, code)


def fail_naming(path: Path | str | None, exc: BaseException) -> NoReturn:
    """Fail with the code and message the error path gives `exc` (its own text, code 2, if unknown), naming
    `path` once."""
    code, message = translate(exc) or (ExitCode.USAGE, str(exc))
    if path is not None and str(path) not in message:
        message = f"{path}: {message}"
    raise CliError(message, code) from exc


def print_json(data: object) -> None:
    import json

    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


def require_writable_dir(path: Path | str, flag: str) -> None:
    """Refuse, before any work starts, an output folder that could not be created or written (creates nothing)."""
    import os

    probe = Path(path).absolute()
    while not probe.exists() and probe != probe.parent:  # the nearest existing ancestor decides
        probe = probe.parent
    if not probe.is_dir():
        fail(f"{flag} {path}: {probe} is a file, not a folder; choose another path")
    if not os.access(probe, os.W_OK | os.X_OK):
        fail(f"{flag} {path}: {probe} is not writable; choose a folder you can write")


def require_writable_file(path: Path | str, flag: str) -> None:
    """Refuse an output file that could not be written (its folder is missing-and-uncreatable or read-only)."""
    if Path(path).is_dir():
        fail(f"{flag} {path}: is a folder; expected a file path")
    require_writable_dir(Path(path).absolute().parent, flag)


# ---- translation of typed exceptions ---------------------------------------------------------------------------

Rule = tuple[int, Callable[[BaseException], str]]


def _plain(exc: BaseException) -> str:
    return str(exc)


def _missing(exc: BaseException) -> str:
    name = getattr(exc, "filename", None)
    return f"{name}: no such file or folder" if name else str(exc)


def _corrupt_episode(exc: BaseException) -> str:
    path = Path(getattr(exc, "path", ""))
    root = path.parents[2] if len(path.parents) > 2 else path
    return (f"{exc}; list the damage with `botsdk data info {root} --verify`, remove it with "
            f"`botsdk data repair {root} --drop-damaged`")


def _unreadable_onnx(exc: BaseException) -> str:
    text = str(exc)
    match = re.search(r"Load model from (.+?) failed:\s*(.*)", text)
    if match:
        return (f"{match.group(1)}: not a readable ONNX model ({match.group(2).strip().rstrip('.')}); "
                "export it again with `botsdk export`")
    return f"not a readable ONNX model: {text.splitlines()[0]}"


def _grpc_bind(exc: BaseException) -> str | None:
    match = re.search(r"Failed to bind to address (\S+?);?\s", str(exc) + " ")
    if not match:
        return None
    return f"{match.group(1)}: the address is in use or not available; pick another --port (0 picks a free one)"


_ORT = "onnxruntime.capi.onnxruntime_pybind11_state."
RULES: dict[str, Rule] = {
    "botsdk.dataset.episode_file.CorruptEpisodeError": (ExitCode.DAMAGED, _corrupt_episode),
    "botsdk.dataset.catalog.DamagedDatasetError": (ExitCode.DAMAGED, _plain),
    "botsdk.dataset.catalog.DatasetError": (ExitCode.USAGE, _plain),
    "botsdk.export.session.ModelFormatError": (ExitCode.DAMAGED, _plain),
    **{_ORT + name: (ExitCode.DAMAGED, _unreadable_onnx)
       for name in ("InvalidProtobuf", "InvalidGraph", "InvalidArgument", "Fail", "NoModel", "ModelLoaded",
                    "NotImplemented")},
    "botsdk.contract.compat.IncompatibleContractError": (ExitCode.USAGE, _plain),
    "botsdk.contract.model.ContractError": (ExitCode.USAGE, _plain),
    "botsdk.arena.maps.MapError": (ExitCode.USAGE, _plain),
    "botsdk.arena.recording.RecordingInterrupted": (ExitCode.INTERRUPTED, _plain),
    "botsdk.cluster.address.ClusterError": (ExitCode.USAGE, _plain),
    "botsdk.training.config.ConfigError": (ExitCode.USAGE, _plain),
    "botsdk.training.api.TrainingInputError": (ExitCode.USAGE, _plain),
    "botsdk.export.runtime.RuntimeInputError": (ExitCode.USAGE, _plain),
    "botsdk.game_bridge.errors.InsecureBindError": (ExitCode.USAGE, _plain),
    "builtins.FileNotFoundError": (ExitCode.USAGE, _missing),
}
_OS_HINTS = {
    errno.ENOENT: "no such file or folder",
    errno.EACCES: "permission denied; choose a path you can write",
    errno.EPERM: "not permitted; choose a path you can write",
    errno.ENOTDIR: "a part of the path is a file, not a folder; choose another path",
    errno.EISDIR: "is a folder; expected a file",
    errno.EEXIST: "already exists",
    errno.EROFS: "read-only file system; choose a writable path",
    errno.ENOSPC: "no space left on the device; free some space or choose another path",
    errno.EADDRINUSE: "the address is already in use; pick another --port (0 picks a free one)",
}


def translate(exc: BaseException) -> tuple[int, str] | None:
    """(exit code, one-line message) for an expected failure, or None for a bug."""
    if isinstance(exc, CliError):
        return exc.code, exc.message
    if isinstance(exc, KeyboardInterrupt):
        return ExitCode.INTERRUPTED, "interrupted"
    for candidate in _chain(exc):
        for cls in type(candidate).__mro__:
            rule = RULES.get(f"{cls.__module__}.{cls.__qualname__}")
            if rule is not None:
                return int(rule[0]), rule[1](candidate)
        if isinstance(candidate, OSError) and candidate.errno in _OS_HINTS:
            return ExitCode.USAGE, _os_message(candidate)
        if isinstance(candidate, RuntimeError) and (message := _grpc_bind(candidate)):
            return ExitCode.USAGE, message
    return None


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    while exc is not None and exc not in seen and len(seen) < 8:
        seen.append(exc)
        exc = exc.__cause__
    return seen


def _os_message(exc: OSError) -> str:
    name = "" if exc.filename is None else str(exc.filename)
    if exc.filename2 is not None:
        name = f"{name} -> {exc.filename2}"
    return f"{name or exc.strerror or exc}: {_OS_HINTS[exc.errno]}"


def one_line(message: str) -> str:
    return " ".join(message.split())


def report(exc: BaseException, debug: bool) -> int:
    """Print an expected failure as one line (and the traceback under --debug); re-raise anything else."""
    translated = translate(exc)
    if translated is None:
        raise exc
    code, message = translated
    if debug:
        import traceback

        traceback.print_exception(exc, file=sys.stderr)
    typer.echo(f"error: {one_line(message)}" if code != ExitCode.INTERRUPTED else one_line(message), err=True)
    return code
