from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class FloatTensor(_message.Message):
    __slots__ = ("shape", "raw", "values")
    SHAPE_FIELD_NUMBER: _ClassVar[int]
    RAW_FIELD_NUMBER: _ClassVar[int]
    VALUES_FIELD_NUMBER: _ClassVar[int]
    shape: _containers.RepeatedScalarFieldContainer[int]
    raw: bytes
    values: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, shape: _Optional[_Iterable[int]] = ..., raw: _Optional[bytes] = ..., values: _Optional[_Iterable[float]] = ...) -> None: ...

class GetSpecRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class Spec(_message.Message):
    __slots__ = ("contract_json", "contract_hash", "model_version", "observation_size", "style_size", "head_names", "head_sizes", "max_agents_per_request", "limits", "sampling_temperature", "frame_stack", "observation_blocks", "ray_tags")
    CONTRACT_JSON_FIELD_NUMBER: _ClassVar[int]
    CONTRACT_HASH_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    OBSERVATION_SIZE_FIELD_NUMBER: _ClassVar[int]
    STYLE_SIZE_FIELD_NUMBER: _ClassVar[int]
    HEAD_NAMES_FIELD_NUMBER: _ClassVar[int]
    HEAD_SIZES_FIELD_NUMBER: _ClassVar[int]
    MAX_AGENTS_PER_REQUEST_FIELD_NUMBER: _ClassVar[int]
    LIMITS_FIELD_NUMBER: _ClassVar[int]
    SAMPLING_TEMPERATURE_FIELD_NUMBER: _ClassVar[int]
    FRAME_STACK_FIELD_NUMBER: _ClassVar[int]
    OBSERVATION_BLOCKS_FIELD_NUMBER: _ClassVar[int]
    RAY_TAGS_FIELD_NUMBER: _ClassVar[int]
    contract_json: str
    contract_hash: str
    model_version: str
    observation_size: int
    style_size: int
    head_names: _containers.RepeatedScalarFieldContainer[str]
    head_sizes: _containers.RepeatedScalarFieldContainer[int]
    max_agents_per_request: int
    limits: ServerLimits
    sampling_temperature: float
    frame_stack: int
    observation_blocks: _containers.RepeatedCompositeFieldContainer[ObservationBlock]
    ray_tags: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, contract_json: _Optional[str] = ..., contract_hash: _Optional[str] = ..., model_version: _Optional[str] = ..., observation_size: _Optional[int] = ..., style_size: _Optional[int] = ..., head_names: _Optional[_Iterable[str]] = ..., head_sizes: _Optional[_Iterable[int]] = ..., max_agents_per_request: _Optional[int] = ..., limits: _Optional[_Union[ServerLimits, _Mapping]] = ..., sampling_temperature: _Optional[float] = ..., frame_stack: _Optional[int] = ..., observation_blocks: _Optional[_Iterable[_Union[ObservationBlock, _Mapping]]] = ..., ray_tags: _Optional[_Iterable[str]] = ...) -> None: ...

class ObservationBlock(_message.Message):
    __slots__ = ("name", "size")
    NAME_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    name: str
    size: int
    def __init__(self, name: _Optional[str] = ..., size: _Optional[int] = ...) -> None: ...

class ServerLimits(_message.Message):
    __slots__ = ("max_agents_per_request", "max_agents_per_session", "max_agent_id_bytes", "max_message_bytes", "max_streams", "max_streams_per_client", "max_act_sessions", "idle_timeout_s", "act_session_ttl_s", "keepalive_time_s", "keepalive_timeout_s", "min_client_ping_interval_s")
    MAX_AGENTS_PER_REQUEST_FIELD_NUMBER: _ClassVar[int]
    MAX_AGENTS_PER_SESSION_FIELD_NUMBER: _ClassVar[int]
    MAX_AGENT_ID_BYTES_FIELD_NUMBER: _ClassVar[int]
    MAX_MESSAGE_BYTES_FIELD_NUMBER: _ClassVar[int]
    MAX_STREAMS_FIELD_NUMBER: _ClassVar[int]
    MAX_STREAMS_PER_CLIENT_FIELD_NUMBER: _ClassVar[int]
    MAX_ACT_SESSIONS_FIELD_NUMBER: _ClassVar[int]
    IDLE_TIMEOUT_S_FIELD_NUMBER: _ClassVar[int]
    ACT_SESSION_TTL_S_FIELD_NUMBER: _ClassVar[int]
    KEEPALIVE_TIME_S_FIELD_NUMBER: _ClassVar[int]
    KEEPALIVE_TIMEOUT_S_FIELD_NUMBER: _ClassVar[int]
    MIN_CLIENT_PING_INTERVAL_S_FIELD_NUMBER: _ClassVar[int]
    max_agents_per_request: int
    max_agents_per_session: int
    max_agent_id_bytes: int
    max_message_bytes: int
    max_streams: int
    max_streams_per_client: int
    max_act_sessions: int
    idle_timeout_s: float
    act_session_ttl_s: float
    keepalive_time_s: float
    keepalive_timeout_s: float
    min_client_ping_interval_s: float
    def __init__(self, max_agents_per_request: _Optional[int] = ..., max_agents_per_session: _Optional[int] = ..., max_agent_id_bytes: _Optional[int] = ..., max_message_bytes: _Optional[int] = ..., max_streams: _Optional[int] = ..., max_streams_per_client: _Optional[int] = ..., max_act_sessions: _Optional[int] = ..., idle_timeout_s: _Optional[float] = ..., act_session_ttl_s: _Optional[float] = ..., keepalive_time_s: _Optional[float] = ..., keepalive_timeout_s: _Optional[float] = ..., min_client_ping_interval_s: _Optional[float] = ...) -> None: ...

class AgentBatch(_message.Message):
    __slots__ = ("agent_ids", "observations", "styles", "personas", "episode_start", "ended", "decode", "applied_actions")
    AGENT_IDS_FIELD_NUMBER: _ClassVar[int]
    OBSERVATIONS_FIELD_NUMBER: _ClassVar[int]
    STYLES_FIELD_NUMBER: _ClassVar[int]
    PERSONAS_FIELD_NUMBER: _ClassVar[int]
    EPISODE_START_FIELD_NUMBER: _ClassVar[int]
    ENDED_FIELD_NUMBER: _ClassVar[int]
    DECODE_FIELD_NUMBER: _ClassVar[int]
    APPLIED_ACTIONS_FIELD_NUMBER: _ClassVar[int]
    agent_ids: _containers.RepeatedScalarFieldContainer[str]
    observations: FloatTensor
    styles: FloatTensor
    personas: _containers.RepeatedScalarFieldContainer[str]
    episode_start: _containers.RepeatedScalarFieldContainer[bool]
    ended: _containers.RepeatedScalarFieldContainer[str]
    decode: bool
    applied_actions: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, agent_ids: _Optional[_Iterable[str]] = ..., observations: _Optional[_Union[FloatTensor, _Mapping]] = ..., styles: _Optional[_Union[FloatTensor, _Mapping]] = ..., personas: _Optional[_Iterable[str]] = ..., episode_start: _Optional[_Iterable[bool]] = ..., ended: _Optional[_Iterable[str]] = ..., decode: _Optional[bool] = ..., applied_actions: _Optional[_Iterable[int]] = ...) -> None: ...

class Actions(_message.Message):
    __slots__ = ("actions", "shape", "decoded_json", "errors")
    ACTIONS_FIELD_NUMBER: _ClassVar[int]
    SHAPE_FIELD_NUMBER: _ClassVar[int]
    DECODED_JSON_FIELD_NUMBER: _ClassVar[int]
    ERRORS_FIELD_NUMBER: _ClassVar[int]
    actions: _containers.RepeatedScalarFieldContainer[int]
    shape: _containers.RepeatedScalarFieldContainer[int]
    decoded_json: str
    errors: _containers.RepeatedCompositeFieldContainer[AgentError]
    def __init__(self, actions: _Optional[_Iterable[int]] = ..., shape: _Optional[_Iterable[int]] = ..., decoded_json: _Optional[str] = ..., errors: _Optional[_Iterable[_Union[AgentError, _Mapping]]] = ...) -> None: ...

class AgentError(_message.Message):
    __slots__ = ("index", "agent_id", "code", "message")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    index: int
    agent_id: str
    code: str
    message: str
    def __init__(self, index: _Optional[int] = ..., agent_id: _Optional[str] = ..., code: _Optional[str] = ..., message: _Optional[str] = ...) -> None: ...

class ActRequest(_message.Message):
    __slots__ = ("session_id", "batch")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    BATCH_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    batch: AgentBatch
    def __init__(self, session_id: _Optional[str] = ..., batch: _Optional[_Union[AgentBatch, _Mapping]] = ...) -> None: ...

class ActResponse(_message.Message):
    __slots__ = ("actions", "model_version")
    ACTIONS_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    actions: Actions
    model_version: str
    def __init__(self, actions: _Optional[_Union[Actions, _Mapping]] = ..., model_version: _Optional[str] = ...) -> None: ...

class Tick(_message.Message):
    __slots__ = ("tick", "batch")
    TICK_FIELD_NUMBER: _ClassVar[int]
    BATCH_FIELD_NUMBER: _ClassVar[int]
    tick: int
    batch: AgentBatch
    def __init__(self, tick: _Optional[int] = ..., batch: _Optional[_Union[AgentBatch, _Mapping]] = ...) -> None: ...

class TickActions(_message.Message):
    __slots__ = ("tick", "actions")
    TICK_FIELD_NUMBER: _ClassVar[int]
    ACTIONS_FIELD_NUMBER: _ClassVar[int]
    tick: int
    actions: Actions
    def __init__(self, tick: _Optional[int] = ..., actions: _Optional[_Union[Actions, _Mapping]] = ...) -> None: ...

class EpisodeMeta(_message.Message):
    __slots__ = ("player_id", "style", "skill", "map", "seed", "team", "agent_id", "source")
    PLAYER_ID_FIELD_NUMBER: _ClassVar[int]
    STYLE_FIELD_NUMBER: _ClassVar[int]
    SKILL_FIELD_NUMBER: _ClassVar[int]
    MAP_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    player_id: str
    style: str
    skill: float
    map: str
    seed: int
    team: str
    agent_id: str
    source: str
    def __init__(self, player_id: _Optional[str] = ..., style: _Optional[str] = ..., skill: _Optional[float] = ..., map: _Optional[str] = ..., seed: _Optional[int] = ..., team: _Optional[str] = ..., agent_id: _Optional[str] = ..., source: _Optional[str] = ...) -> None: ...

class RecordStep(_message.Message):
    __slots__ = ("episode_key", "episode_start", "meta", "observation", "action", "reward", "terminated", "truncated", "next_observation", "x", "y", "heading", "next_x", "next_y", "next_heading")
    EPISODE_KEY_FIELD_NUMBER: _ClassVar[int]
    EPISODE_START_FIELD_NUMBER: _ClassVar[int]
    META_FIELD_NUMBER: _ClassVar[int]
    OBSERVATION_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    REWARD_FIELD_NUMBER: _ClassVar[int]
    TERMINATED_FIELD_NUMBER: _ClassVar[int]
    TRUNCATED_FIELD_NUMBER: _ClassVar[int]
    NEXT_OBSERVATION_FIELD_NUMBER: _ClassVar[int]
    X_FIELD_NUMBER: _ClassVar[int]
    Y_FIELD_NUMBER: _ClassVar[int]
    HEADING_FIELD_NUMBER: _ClassVar[int]
    NEXT_X_FIELD_NUMBER: _ClassVar[int]
    NEXT_Y_FIELD_NUMBER: _ClassVar[int]
    NEXT_HEADING_FIELD_NUMBER: _ClassVar[int]
    episode_key: str
    episode_start: bool
    meta: EpisodeMeta
    observation: FloatTensor
    action: _containers.RepeatedScalarFieldContainer[int]
    reward: float
    terminated: bool
    truncated: bool
    next_observation: FloatTensor
    x: float
    y: float
    heading: float
    next_x: float
    next_y: float
    next_heading: float
    def __init__(self, episode_key: _Optional[str] = ..., episode_start: _Optional[bool] = ..., meta: _Optional[_Union[EpisodeMeta, _Mapping]] = ..., observation: _Optional[_Union[FloatTensor, _Mapping]] = ..., action: _Optional[_Iterable[int]] = ..., reward: _Optional[float] = ..., terminated: _Optional[bool] = ..., truncated: _Optional[bool] = ..., next_observation: _Optional[_Union[FloatTensor, _Mapping]] = ..., x: _Optional[float] = ..., y: _Optional[float] = ..., heading: _Optional[float] = ..., next_x: _Optional[float] = ..., next_y: _Optional[float] = ..., next_heading: _Optional[float] = ...) -> None: ...

class RecordSummary(_message.Message):
    __slots__ = ("episode_ids", "steps", "dropped")
    EPISODE_IDS_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    DROPPED_FIELD_NUMBER: _ClassVar[int]
    episode_ids: _containers.RepeatedScalarFieldContainer[str]
    steps: int
    dropped: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, episode_ids: _Optional[_Iterable[str]] = ..., steps: _Optional[int] = ..., dropped: _Optional[_Iterable[str]] = ...) -> None: ...

class ReloadRequest(_message.Message):
    __slots__ = ("model_name",)
    MODEL_NAME_FIELD_NUMBER: _ClassVar[int]
    model_name: str
    def __init__(self, model_name: _Optional[str] = ...) -> None: ...

class ReloadResponse(_message.Message):
    __slots__ = ("model_version", "contract_hash", "model_sha256")
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    CONTRACT_HASH_FIELD_NUMBER: _ClassVar[int]
    MODEL_SHA256_FIELD_NUMBER: _ClassVar[int]
    model_version: str
    contract_hash: str
    model_sha256: str
    def __init__(self, model_version: _Optional[str] = ..., contract_hash: _Optional[str] = ..., model_sha256: _Optional[str] = ...) -> None: ...
