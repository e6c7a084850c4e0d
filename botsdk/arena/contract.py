"""The behaviour contract of the built-in arena: the layout every arena bot, dataset and model shares."""

from __future__ import annotations

import math

from botsdk.contract import ActionHead, BehaviourContract, ObservationBlock, RaySensorSpec, StyleSpec

RAY_TAGS = ("wall", "teammate", "enemy", "objective", "pickup")
RAY_COUNT = 32
RAY_FOV_DEG = 240.0
RAY_MAX_DISTANCE = 30.0
SELF_FIELDS = (
    "health",           # 0..1
    "ammo",             # 0..1 of a full magazine
    "velocity_forward",  # agent frame, units/s divided by max speed
    "velocity_right",
    "heading_sin",      # world heading, radians counter-clockwise from +x
    "heading_cos",
    "position_x",       # 0..1 across the map
    "position_y",
    "objective_forward",  # unit direction to the objective in the agent frame
    "objective_right",
    "objective_distance",  # divided by the map diagonal
    "on_objective",     # 1 when inside the objective site
    "round_time",       # fraction of the round elapsed
)
ENEMY_FIELDS = (
    "enemy_visible",    # 1 when an enemy is in the view cone and not behind a wall
    "enemy_bearing_sin",  # bearing of the nearest visible enemy relative to the heading (+ = left)
    "enemy_bearing_cos",
    "enemy_aim",        # the same bearing in degrees / 30, clipped to [-1, 1]: fine aim resolution near the centre
    "enemy_distance",   # divided by the rays' max distance (1 when none is visible)
)
AIM_SCALE_DEG = 30.0
PERSONAS = ("rusher", "holder", "explorer", "objective")
STYLE_SIZE = 8
DIAG = math.sqrt(0.5)
MOVE_VALUES = (
    (0.0, 0.0), (0.0, 1.0), (DIAG, DIAG), (1.0, 0.0), (DIAG, -DIAG),
    (0.0, -1.0), (-DIAG, -DIAG), (-1.0, 0.0), (-DIAG, DIAG),
)
MOVE_NAMES = ("none", "n", "ne", "e", "se", "s", "sw", "w", "nw")
TURN_DEGREES = (-120.0, -60.0, -30.0, -15.0, -7.0, -3.0, -1.0, 0.0, 1.0, 3.0, 7.0, 15.0, 30.0, 60.0, 120.0)
DECISION_HZ = 16.0
FRAME_STACK = 2


def persona_vector(index: int) -> tuple[float, ...]:
    return tuple(1.0 if i == index else 0.0 for i in range(STYLE_SIZE))


def arena_contract() -> BehaviourContract:
    """The arena's contract. Move values are world-frame unit vectors (x east, y north); turn values are degrees,
    positive counter-clockwise; fire and interact are 0/1."""
    rays = RaySensorSpec(pattern="fan2d", max_distance=RAY_MAX_DISTANCE, tags=RAY_TAGS, ray_count=RAY_COUNT,
                         fov_deg=RAY_FOV_DEG, offset=(0.0, 0.0))
    return BehaviourContract(
        name="botsdk-arena",
        version="2.0.0",
        description="Top-down 2D tactical arena: ray fan + self block, factorised move/turn/fire/interact heads.",
        decision_hz=DECISION_HZ,
        frame_stack=FRAME_STACK,
        observation=(
            ObservationBlock("rays", rays.size, f"{RAY_COUNT} rays x ({len(RAY_TAGS)} tags + hit + distance)"),
            ObservationBlock("self", len(SELF_FIELDS), "the agent's own state", SELF_FIELDS),
            ObservationBlock("enemy", len(ENEMY_FIELDS), "the nearest visible enemy, as an engine's target query "
                             "reports it (zeros and distance 1 when none)", ENEMY_FIELDS),
        ),
        rays=rays,
        actions=(
            ActionHead("move", MOVE_VALUES, "world-frame unit direction [x, y]: " + ",".join(MOVE_NAMES)),
            ActionHead("turn", TURN_DEGREES, "heading change in degrees, positive counter-clockwise"),
            ActionHead("fire", (0, 1), "1 fires a hitscan shot"),
            ActionHead("interact", (0, 1), "1 works on the objective or picks up"),
        ),
        style=StyleSpec(STYLE_SIZE, tuple((name, persona_vector(i)) for i, name in enumerate(PERSONAS))),
    )
