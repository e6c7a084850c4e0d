"""The one typed configuration of a training run; loaded from TOML, stored in checkpoints and beside each run.

Unknown keys are errors (a typo must never silently train with a default), and every value is type-checked.
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

MODEL_KINDS = ("mlp", "gru")
SAVED_BEFORE_KEY_EXISTED = {"action_history": False, "sight_timer": False, "answer_memory": False}  # what a run saved without the key did
INPUT_FEATURES = ("raw", "standardized", "deltas")
VAL_SPLITS = ("player", "seed", "episode")
LR_SCHEDULES = ("constant", "cosine")
LOADERS = ("memory", "stream")
# the keys that shape the model's weights: a run initialised from another must agree on all of them
ARCHITECTURE_KEYS = ("model", "hidden_sizes", "gru_hidden", "style_embedding", "input_features", "position_encoding",
                     "position_grid", "position_grid_channels", "aim_encoding", "distance_encoding", "ordinal_mixture",
                     "style_encoder", "encoder_hidden", "action_history", "sight_timer", "answer_memory", "bearing_lean")


class ConfigError(ValueError):
    """A config key or value is not allowed; names the key, the expected and the received value."""


@dataclass
class TrainConfig:
    """Hyper-parameters and run settings (CleanRL-style: everything a run depends on lives here)."""

    # model
    model: str = "mlp"                      # "mlp" | "gru"
    hidden_sizes: list[int] = field(default_factory=lambda: [256, 256])
    gru_hidden: int = 128
    style_embedding: int = 32               # the persona/style vector is projected to this many features
    input_features: str = "raw"             # "raw" | "standardized" | "deltas" (standardized + frame deltas)
    position_encoding: int = 0              # octaves of sin/cos of the position fields appended (0: none)
    position_grid: int = 0                  # cells per side of a learned grid of place features (0: none)
    position_grid_channels: int = 16        # features per grid corner
    aim_encoding: int = 0                   # octaves of sin/cos of the enemy's fine aim field appended (0: none;
                                            # opt-in: docs/research/human_likeness.md)
    distance_encoding: int = 0              # octaves of sin/cos of the enemy's distance field appended (0: none;
                                            # opt-in: docs/research/human_likeness.md, "Distance octaves")
    ordinal_mixture: int = 0                # heads over 5+ ascending numbers (the arena's turn) as a mixture of
                                            # this many discretised Gaussians and free logits (training.heads;
                                            # 0: plain logits)
    dropout: float = 0.2                    # dropout rate on the trunk's hidden features while training
    action_history: bool = True             # the policy reads its own last two actions and the hold length
                                            # (botsdk.training.history); the ONNX file gains `previous_action`
    sight_timer: bool = False               # with the action history: the steps since the enemy came into sight
                                            # (botsdk.training.sight; contracts with an `enemy_visible` field):
                                            # human reaction timing (opt-in here; the quickstart trains with
                                            # it: docs/research/human_likeness.md)
    answer_memory: bool = False             # with the sight clock: the steps since the policy's own answering turn
                                            # in this sighting and that turn's size (botsdk.training.answer;
                                            # contracts with the enemy's bearing and a `turn` head): how people's
                                            # aim settles after the first turn onto an enemy
    bearing_lean: bool = False              # the turn head's logits lean by a learned amount relative to the enemy's
                                            # bearing (botsdk.training.heads.BearingLean; contracts with the bearing
                                            # and a `turn` head): how far past the enemy people's aim settles
    # style encoder (demonstration-conditioned style, trained jointly)
    style_encoder: bool = False             # opt-in (few-shot styling): docs/recipes/style_encoder.toml
    encoder_hidden: int = 128
    encoder_groups: int = 8                 # player groups per step for the encoder term
    encoder_set_size: int = 32              # steps the encoder sees per group
    encoder_targets: int = 8                # other steps per group the encoder's style is scored on (BC); they
                                            # run through the policy: 64 / 64 trained 3x slower, no better
                                            # (docs/research/human_likeness.md)
    encoder_weight: float = 0.5             # weight of BC loss with the encoder's style
    encoder_pull: float = 1.0               # weight of ||encoder style - persona vector||^2
    encoder_every: int = 1                  # the encoder's terms on every Nth step, weighted N: at 2 a step costs
                                            # about a fifth less (docs/recipes/style_encoder.toml)
    # optimisation
    batch_size: int = 128
    lr: float = 1e-3
    lr_schedule: str = "cosine"             # "constant" | "cosine": decays to lr * lr_final at max_steps
    lr_final: float = 0.1
    weight_decay: float = 0.0
    ema_decay: float = 0.0                  # validate and keep an exponential moving average of the weights
                                            # (botsdk.training.averaging; 0: the weights as trained)
    max_steps: int = 8000
    window: int = 16                        # GRU training window (steps); 0 = whole episodes from their start
    burn_in: int = 0                        # GRU: first steps of a window only warm the state (no loss) unless
                                            # the window starts an episode, where the zero state is the true one
    seed: int = 0
    loader: str = "memory"                  # "memory": the training set in memory | "stream": read from disk in
                                            # shuffle buffers (botsdk.training.streaming), for sets larger than RAM
    stream_memory_mb: int = 1024            # "stream": memory for the buffers (current, prefetched, validation)
    init_from: str = ""                     # a run directory or checkpoint whose best weights start this run
                                            # (fine-tuning on new recordings); "" = fresh weights
    # validation and early stopping
    val_split: str = "seed"                 # "player" | "seed" | "episode"
    val_fraction: float = 0.15
    eval_every: int = 1000
    patience: int = 8                       # evaluations without improvement before stopping; 0 disables
    # bookkeeping
    log_every: int = 200
    checkpoint_every: int = 2000
    device: str = "cpu"
    threads: int = 0                        # torch intra-op threads; 0 leaves torch's default
    contract: str = ""                      # "" = the dataset's; "arena" or a contract JSON path = must match it
    progress: bool = True

    def __post_init__(self) -> None:
        _check_types(self)
        if self.model not in MODEL_KINDS:
            raise ConfigError(f"config key 'model': expected one of {MODEL_KINDS}, got {self.model!r}")
        if self.input_features not in INPUT_FEATURES:
            raise ConfigError(f"config key 'input_features': expected one of {INPUT_FEATURES}, "
                              f"got {self.input_features!r}")
        if not 0 <= self.aim_encoding <= 12:
            raise ConfigError(f"config key 'aim_encoding': expected 0 (none) to 12 octaves, got {self.aim_encoding!r}")
        if not 0 <= self.distance_encoding <= 12:
            raise ConfigError(f"config key 'distance_encoding': expected 0 (none) to 12 octaves, "
                              f"got {self.distance_encoding!r}")
        if not 0 <= self.ordinal_mixture <= 16:
            raise ConfigError(f"config key 'ordinal_mixture': expected 0 (plain logits) to 16 components, "
                              f"got {self.ordinal_mixture!r}")
        if not 0 <= self.position_encoding <= 16:
            raise ConfigError(f"config key 'position_encoding': expected 0 (none) to 16 octaves, "
                              f"got {self.position_encoding!r}")
        if self.position_grid == 1 or not 0 <= self.position_grid <= 1024:
            raise ConfigError(f"config key 'position_grid': expected 0 (none) or 2 to 1024 cells per side, "
                              f"got {self.position_grid!r}")
        if self.val_split not in VAL_SPLITS:
            raise ConfigError(f"config key 'val_split': expected one of {VAL_SPLITS}, got {self.val_split!r}")
        if self.lr_schedule not in LR_SCHEDULES:
            raise ConfigError(f"config key 'lr_schedule': expected one of {LR_SCHEDULES}, got {self.lr_schedule!r}")
        if self.loader not in LOADERS:
            raise ConfigError(f"config key 'loader': expected one of {LOADERS}, got {self.loader!r}")
        if not 0.0 < self.lr_final <= 1.0:
            raise ConfigError(f"config key 'lr_final': expected 0 < value <= 1 (a fraction of lr), got {self.lr_final!r}")
        if not 0.0 <= self.ema_decay < 1.0:
            raise ConfigError(f"config key 'ema_decay': expected 0 (off) or a number below 1 such as 0.999, "
                              f"got {self.ema_decay!r}")
        if self.window < 0:
            raise ConfigError(f"config key 'window': expected 0 (whole episodes) or a positive number of steps, "
                              f"got {self.window!r}")
        if self.burn_in < 0 or (self.window and self.burn_in >= self.window):
            raise ConfigError(f"config key 'burn_in': expected 0 <= burn_in < window ({self.window}), "
                              f"got {self.burn_in!r}")
        if self.answer_memory and not (self.sight_timer and self.action_history):
            raise ConfigError("config key 'answer_memory': expected sight_timer = true and action_history = true "
                              "beside it (the answer is kept per sighting and read from the previous action), got "
                              f"sight_timer = {str(self.sight_timer).lower()}, "
                              f"action_history = {str(self.action_history).lower()}")
        if not 0.0 <= self.dropout < 1.0:
            raise ConfigError(f"config key 'dropout': expected 0 <= rate < 1, got {self.dropout!r}")
        if not 0.0 <= self.val_fraction < 1.0:
            raise ConfigError(f"config key 'val_fraction': expected 0 <= value < 1, got {self.val_fraction!r}")
        for name in ("batch_size", "max_steps", "eval_every", "log_every", "checkpoint_every",
                     "encoder_groups", "encoder_set_size", "encoder_targets", "encoder_every", "gru_hidden",
                     "style_embedding", "encoder_hidden", "position_grid_channels", "stream_memory_mb"):
            if getattr(self, name) < 1:
                raise ConfigError(f"config key {name!r}: expected a positive integer, got {getattr(self, name)!r}")

    def lr_at(self, step: int) -> float:
        """The learning rate for optimiser step `step` (0-based): a pure function of the step, so a resumed run
        continues the schedule exactly without extra state."""
        if self.lr_schedule == "constant":
            return self.lr
        progress = min(step / self.max_steps, 1.0)
        return self.lr * (self.lr_final + (1.0 - self.lr_final) * 0.5 * (1.0 + math.cos(math.pi * progress)))

    # ---- (de)serialisation -----------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "TrainConfig":
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"unknown config key(s) {unknown}; expected keys among {sorted(known)}")
        return cls(**data)

    @classmethod
    def from_saved(cls, data: dict[str, Any]) -> "TrainConfig":
        """The config a checkpoint was trained with: keys added since it was written take the value that run
        effectively had, not today's default."""
        return cls.from_dict({**SAVED_BEFORE_KEY_EXISTED, **data})

    @classmethod
    def from_toml(cls, path: str | Path) -> "TrainConfig":
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: expected valid TOML, got a parse error: {exc}") from None
        data = data.get("train", data)  # accept a [train] table or top-level keys
        return cls.from_dict(data)

    def to_toml(self) -> str:
        lines = []
        for key, value in self.to_dict().items():
            lines.append(f"{key} = {_toml_value(value)}")
        return "\n".join(lines) + "\n"

    def replace(self, **changes: Any) -> "TrainConfig":
        return dataclasses.replace(self, **changes)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return repr(value)


def _check_types(config: TrainConfig) -> None:
    """Reject values whose type does not match the field (ints are accepted for floats)."""
    for f in fields(config):
        value = getattr(config, f.name)
        expected = {"int": int, "float": (int, float), "str": str, "bool": bool, "list[int]": list}[str(f.type)]
        ok = isinstance(value, expected) and not (f.type in ("int", "float") and isinstance(value, bool))
        if ok and f.type == "list[int]":
            ok = all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value)
        if not ok:
            raise ConfigError(f"config key {f.name!r}: expected {f.type}, got {value!r}")
        if f.type == "float":
            setattr(config, f.name, float(value))
