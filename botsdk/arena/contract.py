"""The behaviour contract of the built-in arena: the layout every arena bot, dataset and model shares."""

from __future__ import annotations

import math

from botsdk.contract import (
    ActionHead,
    BehaviourContract,
    ElementTransform,
    ObservationBlock,
    ObservationElement,
    RaySensorSpec,
    StyleSpec,
)

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


# The element definitions below restate, for engines, how the arena computes each float (botsdk.arena.batch); the
# scales are the simulation's constants (tests check both against the simulation).
SCALE_HEALTH = 100.0     # sim.MAX_HEALTH
SCALE_AMMO = 20.0        # sim.MAGAZINE
SCALE_SPEED = 7.0        # sim.MAX_SPEED, units per second
UNIT_CLIP = (-1.0, 1.0)
QUANTITIES = (
    ("map_min_x", "the map's west edge: bounds[0] of the map being played (world units)"),
    ("map_min_y", "the map's south edge: bounds[1] (world units)"),
    ("map_width", "bounds[2] - bounds[0] (world units)"),
    ("map_height", "bounds[3] - bounds[1] (world units)"),
    ("map_diagonal", "sqrt(map_width^2 + map_height^2) (world units)"),
    ("max_steps", "decisions in a round (the round's time limit x decision_hz)"),
)


def _linear(name: str, unit: str, low: float, scale: float | str, description: str, offset: float | str = 0.0,
            clip: tuple[float, float] = UNIT_CLIP, absent: float | None = None,
            high: float = 1.0) -> ObservationElement:
    return ObservationElement(name, unit, (low, high), ElementTransform("linear", offset, scale, clip, absent),
                              description)


def _angle(name: str, encoding: str, description: str, clip: tuple[float, float] | None = UNIT_CLIP,
           absent: float | None = None) -> ObservationElement:
    return ObservationElement(name, "radians", (-1.0, 1.0), ElementTransform(encoding, clip=clip, absent=absent),
                              description)


def _flag(name: str, description: str, clip: tuple[float, float] | None = UNIT_CLIP,
          absent: float | None = None) -> ObservationElement:
    return ObservationElement(name, "condition", (0.0, 1.0), ElementTransform("flag", clip=clip, absent=absent),
                              description)


SELF_ELEMENTS = (
    _linear("health", "health points", 0.0, SCALE_HEALTH, "current health / maximum health"),
    _linear("ammo", "rounds", 0.0, SCALE_AMMO, "rounds left in the magazine / magazine size"),
    _linear("velocity_forward", "units/s", -1.0, SCALE_SPEED, "world velocity . (cos h, sin h), h the heading"),
    _linear("velocity_right", "units/s", -1.0, SCALE_SPEED, "world velocity . (sin h, -cos h): positive to the right"),
    _angle("heading_sin", "sin", "sin h, h the world heading counter-clockwise from +x"),
    _angle("heading_cos", "cos", "cos h"),
    _linear("position_x", "units", 0.0, "map_width", "x across the map: 0 at the west edge, 1 at the east edge",
            offset="map_min_x"),
    _linear("position_y", "units", 0.0, "map_height", "y across the map: 0 at the south edge, 1 at the north edge",
            offset="map_min_y"),
    _linear("objective_forward", "unit vector", -1.0, 1.0, "u . (cos h, sin h), u the unit vector from the agent "
            "to the objective's centre"),
    _linear("objective_right", "unit vector", -1.0, 1.0, "u . (sin h, -cos h)"),
    _linear("objective_distance", "units", 0.0, "map_diagonal", "distance to the objective's centre"),
    _flag("on_objective", "1 when the distance to the objective's centre is <= the objective's radius"),
    _linear("round_time", "decisions", 0.0, "max_steps", "decisions elapsed in the round (0 at the first)"),
)
ENEMY_ELEMENTS = (
    _flag("enemy_visible", "1 when an enemy within 30 units lies inside the +-120 degree view cone with no wall "
          "between (the nearest such enemy is the one the next elements describe)", clip=None, absent=0.0),
    _angle("enemy_bearing_sin", "sin", "sin b, b the enemy's bearing from the heading (positive to the left)",
           clip=None, absent=0.0),
    _angle("enemy_bearing_cos", "cos", "cos b (0, not 1, when no enemy is visible)", clip=None, absent=0.0),
    _linear("enemy_aim", "degrees", -1.0, AIM_SCALE_DEG, "b in degrees / 30, clipped: fine aim near the centre",
            absent=0.0),
    _linear("enemy_distance", "units", 0.0, RAY_MAX_DISTANCE, "distance to the enemy's centre / the rays' max "
            "distance", clip=(0.0, 1.0), absent=1.0),
)


def ray_elements(tags: tuple[str, ...], max_distance: float) -> tuple[ObservationElement, ...]:
    """One ray's floats: the one-hot tag of what it hit, hit, distance / max_distance (see the ray encoding)."""
    one_hot = tuple(ObservationElement(f"tag_{tag}", "tag", (0.0, 1.0), ElementTransform("one_hot", absent=0.0,
                                       category=tag), f"1 when the nearest hit is tagged {tag!r}") for tag in tags)
    hit = _flag("hit", "1 when anything is hit within max_distance (the distance counts)", clip=None, absent=0.0)
    distance = _linear("distance", "units", 0.0, max_distance, "distance from the ray origin to the nearest hit",
                       clip=(0.0, 1.0), absent=1.0)
    return one_hot + (hit, distance)


def persona_vector(index: int) -> tuple[float, ...]:
    return tuple(1.0 if i == index else 0.0 for i in range(STYLE_SIZE))


def arena_contract() -> BehaviourContract:
    """The arena's contract. Move values are world-frame unit vectors (x east, y north); turn values are degrees,
    positive counter-clockwise; fire and interact are 0/1."""
    rays = RaySensorSpec(pattern="fan2d", max_distance=RAY_MAX_DISTANCE, tags=RAY_TAGS, ray_count=RAY_COUNT,
                         fov_deg=RAY_FOV_DEG, offset=(0.0, 0.0))
    return BehaviourContract(
        name="botsdk-arena",
        version="2.0.1",
        description="Top-down 2D tactical arena: ray fan + self block, factorised move/turn/fire/interact heads.",
        decision_hz=DECISION_HZ,
        frame_stack=FRAME_STACK,
        observation=(
            ObservationBlock("rays", rays.size, f"{RAY_COUNT} rays x ({len(RAY_TAGS)} tags + hit + distance)",
                             elements=ray_elements(RAY_TAGS, RAY_MAX_DISTANCE), repeat=RAY_COUNT),
            ObservationBlock("self", len(SELF_FIELDS), "the agent's own state", SELF_FIELDS, SELF_ELEMENTS),
            ObservationBlock("enemy", len(ENEMY_FIELDS), "the nearest visible enemy, as an engine's target query "
                             "reports it (zeros and distance 1 when none)", ENEMY_FIELDS, ENEMY_ELEMENTS),
        ),
        rays=rays,
        actions=(
            ActionHead("move", MOVE_VALUES, "world-frame unit direction [x, y]: " + ",".join(MOVE_NAMES)),
            ActionHead("turn", TURN_DEGREES, "heading change in degrees, positive counter-clockwise"),
            ActionHead("fire", (0, 1), "1 fires a hitscan shot"),
            ActionHead("interact", (0, 1), "1 works on the objective or picks up"),
        ),
        style=StyleSpec(STYLE_SIZE, tuple((name, persona_vector(i)) for i, name in enumerate(PERSONAS))),
        quantities=QUANTITIES,
    )
