"""Arena throughput: agent-steps per second (simulation + ray sensors + observation assembly) for one 2v2 env and
for a batch of 2v2 envs stepped together, with the time split between simulation and sensors.

Peer: pymunk (a C physics engine) stepping circle bodies against the same wall segments and casting the same 32-ray
fan per agent with its segment queries, each agent's own circle filtered out so its rays see walls and the other
agents as botsdk's do (the hit agreement with botsdk on the same scenes is reported) - what a typical Python game
loop built on a physics library costs per agent-step. Compared at the same shape (one match, per agent) and batched
(256 matches vs 64 pymunk agents, both on one thread; botsdk on all threads beside it). Also reported: pymunk
physics alone (no sensors, no rules), an upper bound for any such loop."""

from __future__ import annotations

import sys
import time

import numpy as np

from botsdk.bench._timing import median_of


def _actions(rng: np.random.Generator, n_envs: int, n_agents: int, steps: int) -> np.ndarray:
    heads = (9, 15, 2, 2)
    return np.stack([rng.integers(0, k, size=(steps, n_envs, n_agents)) for k in heads], axis=-1).astype(np.int64)


def _arena_rate(n_envs: int, steps: int) -> dict:
    from botsdk.arena.vector import BatchedArenaEnv

    env = BatchedArenaEnv("crossroads", team_size=2, n_envs=n_envs, seed=0, max_steps=480)
    env.reset()
    acts = _actions(np.random.default_rng(0), n_envs, env.n_agents, steps)
    env.step(acts[0])  # compile / warm caches
    env.batch.sim_seconds = env.batch.sensor_seconds = 0.0
    t0 = time.perf_counter()
    for i in range(steps):
        env.step(acts[i])
    wall = time.perf_counter() - t0
    agent_steps = steps * n_envs * env.n_agents
    return {"agent_steps_per_s": agent_steps / wall, "sim_s": env.batch.sim_seconds,
            "sensor_s": env.batch.sensor_seconds, "wall_s": wall}


def arena_scene(n_agents: int = 4, seed: int = 0) -> dict[str, np.ndarray]:
    """The crossroads map's walls and `n_agents` agents (circles of the arena's radius) at random free spots, in
    the scene layout of botsdk.bench.sensors: both casters read the same scene."""
    from botsdk.arena.maps import load_map
    from botsdk.arena.physics import AGENT_RADIUS

    m = load_map("crossroads")
    segments = np.asarray(m.segments, np.float64)
    rng = np.random.default_rng(seed)
    lo, hi = segments[:, [0, 2]].min() + 1.0, segments[:, [0, 2]].max() - 1.0
    origins = rng.uniform(lo, hi, (n_agents, 2))
    circles = np.hstack([origins, np.full((n_agents, 1), AGENT_RADIUS)])
    return {"segments": segments, "circles": circles, "circle_tags": rng.integers(1, 3, n_agents).astype(np.int32),
            "headings": rng.uniform(-np.pi, np.pi, n_agents), "origins": origins.copy(),
            "owners": np.arange(n_agents, dtype=np.int32)}


def hit_agreement(scenes: int = 8, n_agents: int = 16) -> float:
    """Share of rays on which botsdk's sensors and the pymunk peer's queries agree on hit vs miss, over random
    agent placements on the crossroads map (the arena's own ray spec; each caster's own circle excluded)."""
    from botsdk.arena.contract import arena_contract
    from botsdk.bench.sensors import _caster, _pymunk_caster

    spec = arena_contract().rays
    agree = []
    for seed in range(scenes):
        scene = arena_scene(n_agents, seed)
        once, out = _caster(scene, spec)
        _, hits_peer = _pymunk_caster(scene, spec, n_agents)
        once()
        hits_ours = out.reshape(n_agents, spec.ray_count, -1)[:, :, len(spec.tags)] > 0.5
        agree.append(hits_ours == hits_peer)
    return float(np.mean(agree))


def _pymunk_rate(n_agents: int, steps: int, rays: bool = True) -> float:
    """Agent-steps/s of a pymunk loop: move every agent's circle against the map's walls, then (with `rays`) cast
    the arena's ray fan per agent with its own circle filtered out, so each ray sees walls and the other agents -
    the sensing botsdk does - at the arena's decision rate."""
    import pymunk

    from botsdk.arena.contract import arena_contract
    from botsdk.sensors import ray_angles

    spec = arena_contract().rays
    scene = arena_scene(n_agents)
    space = pymunk.Space()
    for x0, y0, x1, y1 in scene["segments"]:
        space.add(pymunk.Segment(space.static_body, (x0, y0), (x1, y1), 0.0))
    bodies, filters = [], []
    for i, (x, y, r) in enumerate(scene["circles"]):
        body = pymunk.Body(1.0, pymunk.moment_for_circle(1.0, 0, r))
        body.position = (float(x), float(y))
        shape = pymunk.Circle(body, r)
        filters.append(pymunk.ShapeFilter(group=i + 1))  # the agent's own rays skip its own circle
        shape.filter = filters[-1]
        space.add(body, shape)
        bodies.append(body)
    velocities = np.random.default_rng(0).uniform(-7, 7, size=(steps, n_agents, 2))
    angles, reach = ray_angles(spec), spec.max_distance
    t0 = time.perf_counter()
    for s in range(steps):
        for body, v in zip(bodies, velocities[s]):
            body.velocity = (float(v[0]), float(v[1]))
        space.step(1.0 / 16.0)
        if rays:
            for body, own in zip(bodies, filters):
                x, y = body.position
                for a in angles + body.angle:
                    space.segment_query_first((x, y), (x + reach * np.cos(a), y + reach * np.sin(a)), 0.0, own)
    return steps * n_agents / (time.perf_counter() - t0)


def _peer(quick: bool, repeats: int) -> dict | None:
    try:
        import pymunk  # noqa: F401
    except ImportError:
        return None
    steps = 20 if quick else 60
    one_match = median_of(repeats, lambda: _pymunk_rate(4, steps))
    many = median_of(repeats, lambda: _pymunk_rate(64, max(4, steps // 4)))
    physics = median_of(repeats, lambda: _pymunk_rate(64, steps, rays=False))
    return {"name": "pymunk physics + pymunk segment queries for the arena's 32-ray fan, the caster's own circle "
                    "filtered out (no game rules)",
            "agent_steps_per_s_one_match": round(one_match, 1), "agent_steps_per_s_64_agents": round(many, 1),
            "physics_only_agent_steps_per_s": round(physics, 1),
            "hit_agreement_with_botsdk": round(hit_agreement(3 if quick else 8), 4)}


def run(quick: bool = False) -> dict:
    import numba

    repeats = 3
    single_steps = 200 if quick else 600
    batch_envs = 64 if quick else 256
    batch_steps = 30 if quick else 100
    all_threads = numba.config.NUMBA_NUM_THREADS
    numba.set_num_threads(1)
    single = [_arena_rate(1, single_steps) for _ in range(repeats)]
    by_threads = {}
    for n in sorted({1, all_threads}):  # the sensor kernel is numba-parallel: both figures, side by side
        numba.set_num_threads(n)
        by_threads[n] = [_arena_rate(batch_envs, batch_steps) for _ in range(repeats)]
    numba.set_num_threads(all_threads)

    def med(runs: list[dict], key: str) -> float:
        return float(np.median([r[key] for r in runs]))

    def split(runs: list[dict]) -> dict:
        sim, sensors = med(runs, "sim_s"), med(runs, "sensor_s")
        return {"sim_fraction": round(sim / (sim + sensors), 3), "sensor_fraction": round(sensors / (sim + sensors), 3)}

    single_rate = med(single, "agent_steps_per_s")
    batch_1 = med(by_threads[1], "agent_steps_per_s")
    batch_all = med(by_threads[all_threads], "agent_steps_per_s")
    peer = _peer(quick, repeats)
    ratio = (lambda ours, key: round(ours / peer[key], 3) if peer else None)
    result = {
        "configuration": {"map": "crossroads", "team_size": 2, "sensors": "the arena contract's 32-ray fan, "
                          "2 stacked frames", "numba_threads_all": all_threads, "peer_same_thread_count": 1},
        "single_env": {"agent_steps_per_s": round(single_rate, 1), "numba_threads": 1, **split(single)},
        "batched": {"n_envs": batch_envs, "agent_steps_per_s_1_thread": round(batch_1, 1),
                    "agent_steps_per_s_all_threads": round(batch_all, 1), **split(by_threads[1])},
        "agent_steps_per_s": round(batch_1, 1),
        "target_agent_steps_per_s": 20000,
        "peer": peer,
        "skipped_peers": [] if peer else ["pymunk: not installed (pip install 'botsdk[dev]' or pip install pymunk)"],
        "ratio_single_env_vs_peer_one_match": ratio(single_rate, "agent_steps_per_s_one_match"),
        "ratio_batched_1_thread_vs_peer_64_agents": ratio(batch_1, "agent_steps_per_s_64_agents"),
        "ratio_batched_all_threads_vs_peer_64_agents": ratio(batch_all, "agent_steps_per_s_64_agents"),
    }
    result["targets"] = {"agent_steps_per_s>=20000": batch_1 >= 20000,
                         "ratio_vs_peer>=10": None if not peer else
                         result["ratio_batched_1_thread_vs_peer_64_agents"] >= 10}
    print(f"arena: single env {single_rate:,.0f} agent-steps/s; {batch_envs} envs {batch_1:,.0f} (1 thread), "
          f"{batch_all:,.0f} ({all_threads} threads); pymunk peer "
          + (f"{peer['agent_steps_per_s_one_match']:,.0f} (one match), {peer['agent_steps_per_s_64_agents']:,.0f} "
             f"(64 agents), hit agreement {peer['hit_agreement_with_botsdk']}" if peer else "skipped (pymunk absent)"),
          file=sys.stderr)
    return result
