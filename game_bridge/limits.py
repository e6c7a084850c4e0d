"""Resource limits of a bridge server; exceeding one answers RESOURCE_EXHAUSTED naming the limit."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    max_message_bytes: int = 16 * 1024 * 1024   # gRPC max_receive_message_length (and send)
    max_agents_per_request: int = 1024          # agents in one Act request or one Session tick
    max_agents_per_session: int = 4096          # live agent states one stream or Act session may hold
    max_streams: int = 64                       # concurrent Session / RecordGameplay streams
    max_act_sessions: int = 256                 # distinct Act session ids holding state at once
    grace_s: float = 5.0                        # how long a graceful stop lets open streams finish

    def __post_init__(self) -> None:
        for name in ("max_message_bytes", "max_agents_per_request", "max_agents_per_session", "max_streams",
                     "max_act_sessions"):
            if getattr(self, name) < 1:
                raise ValueError(f"Limits.{name}: expected a positive integer, got {getattr(self, name)}")
