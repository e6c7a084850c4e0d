"""Ray patterns: spec checks and the angle of every ray, in the one documented order engines reproduce."""

from __future__ import annotations

import math

import numpy as np

from botsdk.contract import ContractError, RaySensorSpec
from botsdk.contract.model import is_finite_number, unique


def validate_spec(spec: RaySensorSpec) -> RaySensorSpec:
    """Raise ContractError (naming field, expected and received) if `spec` cannot drive a sensor; return it."""
    if spec.pattern not in ("fan2d", "grid3d"):
        raise ContractError("rays.pattern", "one of ['fan2d', 'grid3d']", spec.pattern)
    if not is_finite_number(spec.max_distance) or spec.max_distance <= 0:
        raise ContractError("rays.max_distance", "a positive finite number", spec.max_distance)
    if len(spec.tags) == 0 or not all(isinstance(t, str) and t for t in spec.tags):
        raise ContractError("rays.tags", "a non-empty list of non-empty strings", list(spec.tags))
    duplicate = unique(spec.tags)
    if duplicate:
        raise ContractError("rays.tags", "unique tag names", f"duplicate tag {duplicate!r}")
    if len(spec.offset) not in (2, 3) or not all(is_finite_number(v) for v in spec.offset):
        raise ContractError("rays.offset", "2 (2D) or 3 (3D) finite numbers", list(spec.offset))
    if spec.pattern == "fan2d":
        _positive_count("rays.ray_count", spec.ray_count)
        _degrees("rays.fov_deg", spec.fov_deg, 360.0)
    else:
        _positive_count("rays.azimuth_count", spec.azimuth_count)
        _positive_count("rays.elevation_count", spec.elevation_count)
        _degrees("rays.azimuth_fov_deg", spec.azimuth_fov_deg, 360.0)
        _degrees("rays.elevation_fov_deg", spec.elevation_fov_deg, 180.0)
        if not is_finite_number(spec.foveation) or not 0.0 <= spec.foveation < 1.0:
            raise ContractError("rays.foveation", "a number in [0, 1)", spec.foveation)
    return spec


def _positive_count(field: str, value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ContractError(field, "a positive integer", value)


def _degrees(field: str, value: object, limit: float) -> None:
    if not is_finite_number(value) or not 0.0 <= value <= limit:
        raise ContractError(field, f"degrees in [0, {limit:g}]", value)


def _fan_units(count: int, full_circle: bool) -> np.ndarray:
    """Positions in [-1, 1], first = +1 (left), evenly spaced; a full circle drops -1 so no ray is doubled."""
    if count == 1:
        return np.zeros(1)
    i = np.arange(count, dtype=np.float64)
    step = 2.0 / count if full_circle else 2.0 / (count - 1)
    return 1.0 - i * step


def ray_angles(spec: RaySensorSpec) -> np.ndarray:
    """fan2d: float64[R] angle offsets in radians from the heading, left (+, counter-clockwise) to right.

    Ray i sits at +fov/2 - i * fov/(R-1); at fov = 360 the step is 360/R so the last ray does not repeat the first.
    """
    validate_spec(spec)
    if spec.pattern != "fan2d":
        raise ContractError("rays.pattern", "'fan2d' for ray_angles (use grid_angles for grid3d)", spec.pattern)
    half = math.radians(spec.fov_deg) / 2.0
    return _fan_units(spec.ray_count, spec.fov_deg >= 360.0) * half


def _foveate(units: np.ndarray, foveation: float) -> np.ndarray:
    """Packs rays toward 0: u -> sign(u)|u|^(1/(1-f)); f = 0 keeps even spacing, ends stay at +-1."""
    power = 1.0 / (1.0 - foveation)
    return np.sign(units) * np.abs(units) ** power


def grid_angles(spec: RaySensorSpec) -> tuple[np.ndarray, np.ndarray]:
    """grid3d: (azimuth float64[N], elevation float64[N]) offsets in radians, N = elevation_count*azimuth_count,
    row-major from the top-left ray: rows go top (+elevation) to bottom, columns left (+azimuth) to right."""
    validate_spec(spec)
    if spec.pattern != "grid3d":
        raise ContractError("rays.pattern", "'grid3d' for grid_angles (use ray_angles for fan2d)", spec.pattern)
    az = _foveate(_fan_units(spec.azimuth_count, spec.azimuth_fov_deg >= 360.0), spec.foveation)
    el = _foveate(_fan_units(spec.elevation_count, False), spec.foveation)
    az = az * math.radians(spec.azimuth_fov_deg) / 2.0
    el = el * math.radians(spec.elevation_fov_deg) / 2.0
    el_grid, az_grid = np.meshgrid(el, az, indexing="ij")
    return az_grid.ravel().copy(), el_grid.ravel().copy()

