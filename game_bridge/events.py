"""Structured server events, one line each: `event key=value ...`, or one JSON object per line (`--log-json`).

What an operator needs to see: who failed to authenticate, which requests were refused with which code, which
model a reload put in service (with its hash), streams closed for idleness, Act sessions expired.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import IO

LOGGER_NAME = "botsdk.game_bridge"
log = logging.getLogger(LOGGER_NAME)


def event(name: str, level: int = logging.INFO, **fields: object) -> None:
    """Log one event with its fields (cheap when the level is off)."""
    if log.isEnabledFor(level):
        log.log(level, name, extra={"event": name, "fields": fields})


class EventFormatter(logging.Formatter):
    """`2025-01-01T12:00:00.000Z WARNING auth_failed method=/... peer=ipv4:...` or the same as a JSON object."""

    def __init__(self, as_json: bool = False, context: dict[str, object] | None = None):
        super().__init__()
        self.as_json = as_json
        self.context = dict(context or {})

    def format(self, record: logging.LogRecord) -> str:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z"
        name = getattr(record, "event", None) or record.getMessage()
        fields = {**self.context, **getattr(record, "fields", {})}
        if self.as_json:
            return json.dumps({"ts": stamp, "level": record.levelname.lower(), "event": name, **fields},
                              default=str, separators=(",", ":"))
        pairs = " ".join(f"{k}={_plain(v)}" for k, v in fields.items())
        return f"{stamp} {record.levelname} {name}" + (f" {pairs}" if pairs else "")


def _plain(value: object) -> str:
    text = str(value)
    return json.dumps(text) if not text or any(c.isspace() or c in '"=' for c in text) else text


def configure(as_json: bool = False, stream: IO[str] | None = None, level: int = logging.INFO,
              context: dict[str, object] | None = None) -> logging.Handler:
    """Send the bridge's events to `stream` (stderr by default), one line each; returns the handler. `context`
    fields start every line (a worker's index, say)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(EventFormatter(as_json, context))
    for old in [h for h in log.handlers if isinstance(h.formatter, EventFormatter)]:
        log.removeHandler(old)
    log.addHandler(handler)
    log.setLevel(level)
    log.propagate = False
    return handler
