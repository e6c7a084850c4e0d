"""Defect detectors. Each turns tracks into `Finding`s that carry a position and the seed that reproduces them,
because QA wants reproduction steps more than scores."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from botsdk.playtest.coverage import segments_cross
from botsdk.playtest.records import AgentTrack, EpisodeResult, Finding, PlaytestWorld


@dataclass(frozen=True)
class DetectorConfig:
    """Thresholds. Stuck: movement commanded on at least `stuck_moving_share` of a `stuck_seconds` window while the
    agent stays inside a box of side `2 * stuck_radius`, with no other agent within `blocked_by_agent` metres (a
    body block between bots is not a level defect)."""

    stuck_seconds: float = 6.0
    stuck_radius: float = 0.5
    stuck_moving_share: float = 0.9
    blocked_by_agent: float = 1.5


def stuck_windows(track: AgentTrack, world: PlaytestWorld, config: DetectorConfig = DetectorConfig(),
                  others: list[AgentTrack] = ()) -> np.ndarray:
    """bool[N]: window starting at step i is a stuck spell (see DetectorConfig)."""
    window = max(2, int(round(config.stuck_seconds / world.dt)))
    if len(track.moving) < window:
        return np.zeros(0, dtype=bool)
    pos = track.positions[: len(track.moving)].astype(np.float64)
    views = sliding_window_view(pos, window, axis=0)  # [N, 2, window]
    spread = (views.max(axis=2) - views.min(axis=2)).max(axis=1)
    commanded = sliding_window_view(track.moving.astype(np.float64), window).mean(axis=1)
    stuck = (spread < 2 * config.stuck_radius) & (commanded >= config.stuck_moving_share)
    for other in others:
        if other is track or not stuck.any():
            continue
        n = min(len(pos), len(other.positions))
        near = np.zeros(len(pos), dtype=bool)
        near[:n] = np.linalg.norm(other.positions[:n].astype(np.float64) - pos[:n], axis=1) < config.blocked_by_agent
        stuck &= ~sliding_window_view(near, window).any(axis=1)
    return stuck


def detect_stuck(track: AgentTrack, world: PlaytestWorld, config: DetectorConfig = DetectorConfig(),
                 others: list[AgentTrack] = ()) -> list[Finding]:
    """One finding per stuck spell: little displacement for `stuck_seconds` while movement is commanded. `others`
    are the agents sharing the episode, so a bot blocked by another bot is not reported; a spell out of bounds
    is not reported either (the out-of-bounds finding already covers that agent)."""
    window = max(2, int(round(config.stuck_seconds / world.dt)))
    stuck = stuck_windows(track, world, config, others)
    pos = track.positions.astype(np.float64)
    findings = []
    for start in _run_starts(stuck):
        where = np.median(pos[start: start + window], axis=0)
        if world.outside(where)[0]:
            continue
        findings.append(Finding(
            "stuck", f"{track.agent_id} barely moved for {config.stuck_seconds:g} s while commanding movement",
            (round(float(where[0]), 2), round(float(where[1]), 2)), track.seed, track.persona, track.agent_id,
            int(start)))
    return findings


def _run_starts(flags: np.ndarray) -> np.ndarray:
    """Indices where a run of True values begins."""
    flags = np.asarray(flags, dtype=bool)
    return np.nonzero(flags & ~np.concatenate([[False], flags[:-1]]))[0]


def detect_out_of_bounds(track: AgentTrack, world: PlaytestWorld) -> list[Finding]:
    """The first step that leaves the playable area, and the first step that passes through a wall.

    The reported position is the last in-bounds point before the exit: where the hole in the level is."""
    pos = track.positions.astype(np.float64)
    findings = []
    outside = world.outside(pos)
    if outside.any():
        step = int(np.argmax(outside))
        where = pos[max(step - 1, 0)]
        findings.append(Finding(
            "out_of_bounds", f"{track.agent_id} left the playable area at step {step} (now at "
            f"{pos[step, 0]:.2f}, {pos[step, 1]:.2f})", (round(float(where[0]), 2), round(float(where[1]), 2)),
            track.seed, track.persona, track.agent_id, step))
    if world.walls is not None and len(world.walls) and len(pos) > 1:
        moved = np.nonzero(np.any(pos[1:] != pos[:-1], axis=1))[0]
        crossed = moved[segments_cross(pos[moved], pos[moved + 1], np.asarray(world.walls, dtype=np.float64))]
        if len(crossed):
            step = int(crossed[0])
            where = (pos[step] + pos[step + 1]) / 2
            findings.append(Finding(
                "out_of_bounds", f"{track.agent_id} passed through a wall between steps {step} and {step + 1}",
                (round(float(where[0]), 2), round(float(where[1]), 2)), track.seed, track.persona,
                track.agent_id, step))
    return findings


def detect_unreached(world: PlaytestWorld, tracks: list[AgentTrack]) -> list[Finding]:
    """Objectives and pickups that no bot came within reach of, over the whole budget."""
    reached = {p.name: False for p in world.points}
    for track in tracks:
        pos = track.positions.astype(np.float64)
        for point in world.points:
            if not reached[point.name]:
                reached[point.name] = bool((np.linalg.norm(pos - point.position, axis=1) <= point.radius).any())
    seeds = sorted({t.seed for t in tracks})
    return [Finding("unreachable", f"{p.kind} {p.name!r} was never reached by any of {len(tracks)} bots "
                    f"(seeds {seeds[0]}..{seeds[-1]})" if seeds else f"{p.kind} {p.name!r}: no bot played",
                    (float(p.position[0]), float(p.position[1])), seeds[0] if seeds else None)
            for p in world.points if p.kind in ("objective", "pickup") and not reached[p.name]]


def detect_exceptions(results: list[EpisodeResult]) -> list[Finding]:
    """Game-loop crashes, each with the seed and persona that reproduce it and the last known position."""
    findings = []
    for result in results:
        if result.error is None:
            continue
        last = next((t.positions[-1] for t in result.tracks if len(t.positions)), None)
        where = None if last is None else (round(float(last[0]), 2), round(float(last[1]), 2))
        findings.append(Finding("exception", result.error.strip().splitlines()[-1] + "\n" + result.error, where,
                                result.seed, result.persona, None, result.steps))
    return findings


def run_detectors(world: PlaytestWorld, results: list[EpisodeResult],
                  config: DetectorConfig = DetectorConfig()) -> list[Finding]:
    """Every detector over every episode."""
    tracks = [t for r in results for t in r.tracks]
    findings: list[Finding] = []
    for result in results:
        for track in result.tracks:
            findings += detect_stuck(track, world, config, result.tracks)
            findings += detect_out_of_bounds(track, world)
    findings += detect_unreached(world, tracks)
    findings += detect_exceptions(results)
    return findings


@dataclass
class FindingGroup:
    """Findings of one check at one place, merged so a report lists a defect once with every seed that shows it."""

    check: str
    position: tuple[float, float] | None
    findings: list[Finding]

    @property
    def bot_findings(self) -> list[Finding]:
        return [f for f in self.findings if f.source == "bot"]

    @property
    def seeds(self) -> list[int]:
        return sorted({f.seed for f in self.findings if f.seed is not None})

    def to_dict(self) -> dict:
        first = (self.bot_findings or self.findings)[0]  # a bot's seed reproduces it in play; prefer that
        return {"check": self.check, "position": self.position, "count": len(self.findings), "seeds": self.seeds,
                "sources": sorted({f.source for f in self.findings}),
                "reproduce": {"seed": first.seed, "persona": first.persona, "agent_id": first.agent_id,
                              "step": first.step},
                "message": first.message}


def group_findings(findings: list[Finding], radius: float) -> list[FindingGroup]:
    """Greedy clustering: a finding joins the first group of its check whose centre lies within `radius`."""
    groups: list[FindingGroup] = []
    for finding in findings:
        for group in groups:
            if group.check != finding.check:
                continue
            if finding.check == "exception":
                same = group.findings[0].message.splitlines()[0] == finding.message.splitlines()[0]
            else:
                same = finding.position is not None and group.position is not None and np.hypot(
                    finding.position[0] - group.position[0], finding.position[1] - group.position[1]) <= radius
            if same:
                group.findings.append(finding)
                break
        else:
            groups.append(FindingGroup(finding.check, finding.position, [finding]))
    for group in groups:
        located = [f.position for f in group.findings if f.position is not None]
        if located:
            group.position = tuple(round(float(v), 2) for v in np.median(np.asarray(located), axis=0))  # type: ignore
    return groups
