"""Arena throughput: agent-steps per second (simulation + ray sensors + observation assembly) for one 2v2 env and
for a batch of 2v2 envs stepped together, with the time split between simulation and sensors.

Peer: pymunk (a C physics engine) stepping circle bodies against the same wall segments and casting the same 32-ray
fan per agent with its segment queries - what a typical Python game loop built on a physics library costs per
agent-step. Also reported: pymunk physics alone (no sensors, no rules), an upper bound for any such loop."""

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


def _pymunk_rate(n_bodies: int, steps: int, rays: bool = False) -> float | None:
    try:
        import pymunk
    except ImportError:
        return None
    from botsdk.arena.maps import load_map

    m = load_map("crossroads")
    space = pymunk.Space()
    for x0, y0, x1, y1 in m.segments:
        space.add(pymunk.Segment(space.static_body, (x0, y0), (x1, y1), 0.0))
    rng = np.random.default_rng(0)
    bodies = []
    for i in range(n_bodies):
        body = pymunk.Body(1.0, pymunk.moment_for_circle(1.0, 0, 0.5))
        body.position = (rng.uniform(2, 38), rng.uniform(2, 38))
        space.add(body, pymunk.Circle(body, 0.5))
        bodies.append(body)
    velocities = rng.uniform(-7, 7, size=(steps, n_bodies, 2))
    angles = np.radians(np.linspace(120.0, -120.0, 32))
    t0 = time.perf_counter()
    for s in range(steps):
        for body, v in zip(bodies, velocities[s]):
            body.velocity = (float(v[0]), float(v[1]))
        space.step(1.0 / 16.0)
        if rays:  # the same 32-ray fan per agent, first hit within 30 m
            for body in bodies:
                x, y = body.position
                h = body.angle
                for a in angles:
                    end = (x + 30.0 * np.cos(h + a), y + 30.0 * np.sin(h + a))
                    space.segment_query_first((x, y), end, 0.0, pymunk.ShapeFilter())
    return steps * n_bodies / (time.perf_counter() - t0)


def run(quick: bool = False) -> dict:
    repeats = 3
    single_steps = 200 if quick else 600
    batch_envs = 64 if quick else 256
    batch_steps = 30 if quick else 100
    import numba

    threads = sorted({1, numba.config.NUMBA_NUM_THREADS})
    numba.set_num_threads(1)
    single = [_arena_rate(1, single_steps) for _ in range(repeats)]
    by_threads = {}
    for n in threads:  # the sensor kernel is numba-parallel; on a busy machine one thread can win
        numba.set_num_threads(n)
        by_threads[n] = [_arena_rate(batch_envs, batch_steps) for _ in range(repeats)]
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    best_threads = max(threads, key=lambda n: np.median([r["agent_steps_per_s"] for r in by_threads[n]]))
    batched = by_threads[best_threads]

    def med(runs: list[dict], key: str) -> float:
        return float(np.median([r[key] for r in runs]))

    single_rate, batch_rate = med(single, "agent_steps_per_s"), med(batched, "agent_steps_per_s")
    physics_only = median_of(repeats, lambda: _pymunk_rate(batch_envs * 4, batch_steps) or float("nan"))
    peer = median_of(repeats, lambda: _pymunk_rate(64, 10 if quick else 30, rays=True) or float("nan"))
    result = {
        "map": "crossroads", "team_size": 2, "sensors": "32 rays x 7 values per agent, 2 stacked frames",
        "single_env": {"agent_steps_per_s": round(single_rate, 1),
                       "sim_fraction": round(med(single, "sim_s") / (med(single, "sim_s") + med(single, "sensor_s")), 3),
                       "sensor_fraction": round(med(single, "sensor_s") / (med(single, "sim_s") + med(single, "sensor_s")), 3)},
        "batched": {"n_envs": batch_envs, "agent_steps_per_s": round(batch_rate, 1),
                    "sim_fraction": round(med(batched, "sim_s") / (med(batched, "sim_s") + med(batched, "sensor_s")), 3),
                    "sensor_fraction": round(med(batched, "sensor_s") / (med(batched, "sim_s") + med(batched, "sensor_s")), 3)},
        "agent_steps_per_s": round(batch_rate, 1),
        "target_agent_steps_per_s": 20000,
        "peer": {"name": "pymunk physics + pymunk segment queries for the same 32-ray fan (no game rules)",
                 "agent_steps_per_s": round(peer, 1)},
        "ratio_batched_vs_peer": round(batch_rate / peer, 3) if peer == peer and peer > 0 else None,
        "peer_physics_only": {"name": "pymunk physics only (no sensors, no rules)",
                              "agent_steps_per_s": round(physics_only, 1)},
        "batched_by_numba_threads": {str(n): round(float(np.median([r["agent_steps_per_s"] for r in runs])), 1)
                                     for n, runs in by_threads.items()},
        "numba_threads": best_threads,
    }
    print(f"arena batched ({batch_envs} envs): {batch_rate:,.0f} agent-steps/s; single env: {single_rate:,.0f}; "
          f"pymunk physics + rays: {peer:,.0f} (ratio {result['ratio_batched_vs_peer']}); "
          f"pymunk physics only: {physics_only:,.0f}", file=sys.stderr)
    return result
