"""Resource limits of a bridge server. Every one is advertised in GetSpec (`Spec.limits`) and settable from
`botsdk serve`; exceeding a count answers RESOURCE_EXHAUSTED naming the limit."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

_COUNTS = ("max_message_bytes", "max_agents_per_request", "max_agents_per_session", "max_agent_id_bytes",
           "max_streams", "max_streams_per_client", "max_act_sessions")
_SECONDS = ("idle_timeout_s", "act_session_ttl_s", "keepalive_time_s", "keepalive_timeout_s",
            "min_client_ping_interval_s", "grace_s")


@dataclass(frozen=True)
class Limits:
    max_message_bytes: int = 16 * 1024 * 1024   # gRPC max_receive_message_length (and send)
    max_agents_per_request: int = 1024          # agents in one Act request or one Session tick
    max_agents_per_session: int = 4096          # live agent states one stream or Act session may hold
    max_agent_id_bytes: int = 128               # longest agent_id / session_id (UTF-8 bytes)
    max_streams: int = 128                      # concurrent Session / RecordGameplay streams, all clients
    max_streams_per_client: int = 32            # concurrent streams from one client address
    max_act_sessions: int = 256                 # distinct Act session ids holding state at once
    idle_timeout_s: float = 60.0                # a stream with no message for this long is closed
    act_session_ttl_s: float = 300.0            # an Act session unused this long is forgotten
    keepalive_time_s: float = 30.0              # server pings on a quiet connection this often
    keepalive_timeout_s: float = 10.0           # and drops the connection when a ping goes unanswered this long
    min_client_ping_interval_s: float = 10.0    # clients pinging more often get GOAWAY (too_many_pings)
    grace_s: float = 5.0                        # how long a graceful stop lets open streams finish

    def __post_init__(self) -> None:
        for name in _COUNTS:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"limit {name}: expected a positive integer, got {value!r}")
        for name in _SECONDS:
            value = getattr(self, name)
            floor_ok = value >= 0 if name == "grace_s" else value > 0
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
                    or not floor_ok:
                raise ValueError(f"limit {name}: expected a positive number of seconds, got {value!r}")

    def to_proto(self):
        """The ServerLimits GetSpec advertises (every field but the shutdown grace, the operator's business)."""
        from botsdk.game_bridge._generated import bridge_pb2 as pb

        values = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "grace_s"}
        values["max_streams_per_client"] = min(self.max_streams_per_client, self.max_streams)  # what one client gets
        return pb.ServerLimits(**values)

    def grpc_options(self) -> list[tuple[str, int]]:
        """Message size and keepalive as gRPC channel arguments of the server."""
        ms = lambda seconds: int(seconds * 1000)  # noqa: E731
        return [("grpc.max_receive_message_length", self.max_message_bytes),
                ("grpc.max_send_message_length", self.max_message_bytes),
                ("grpc.keepalive_time_ms", ms(self.keepalive_time_s)),
                ("grpc.keepalive_timeout_ms", ms(self.keepalive_timeout_s)),
                ("grpc.keepalive_permit_without_calls", 1),
                ("grpc.http2.min_recv_ping_interval_without_data_ms", ms(self.min_client_ping_interval_s)),
                ("grpc.http2.max_pings_without_data", 0),
                ("grpc.max_connection_idle_ms", ms(self.idle_timeout_s))]
