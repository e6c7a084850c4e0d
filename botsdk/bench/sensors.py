"""Ray-cast throughput: botsdk's numba grid kernel vs pymunk's `segment_query_first` (one call per ray) on the
same scene, plus cold-compile and cached start-up times of the kernels."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from typing import Any, Callable

import numpy as np

from botsdk.bench._timing import median_of, rate

SIZES = ((1, 32, 200, 10), (64, 32, 200, 64), (1024, 32, 500, 1024))  # agents, rays, walls, circles
AGENT_RADIUS = 0.5


def make_scene(n_agents: int, n_walls: int, n_circles: int, seed: int = 0) -> dict[str, np.ndarray]:
    """A square arena (4 boundary walls + short random walls) with agents as the first circles."""
    rng = np.random.default_rng(seed)
    side = max(60.0, 6.0 * np.sqrt(n_circles))
    corners = np.array([[0, 0], [side, 0], [side, side], [0, side]], float)
    border = np.hstack([corners, np.roll(corners, -1, axis=0)])
    start = rng.uniform(0, side, (n_walls - 4, 2))
    angle = rng.uniform(0, np.pi, n_walls - 4)
    length = rng.uniform(1.0, 8.0, n_walls - 4)
    end = np.clip(start + length[:, None] * np.stack([np.cos(angle), np.sin(angle)], 1), 0, side)
    circles = np.hstack([rng.uniform(1, side - 1, (n_circles, 2)), np.full((n_circles, 1), AGENT_RADIUS)])
    return {
        "segments": np.vstack([border, np.hstack([start, end])]),
        "circles": circles,
        "circle_tags": rng.integers(1, 3, n_circles).astype(np.int32),
        "headings": rng.uniform(-np.pi, np.pi, n_agents),
        "origins": circles[:n_agents, :2].copy(),
        "owners": np.arange(n_agents, dtype=np.int32),
    }


def _spec(n_rays: int):
    from botsdk.contract import RaySensorSpec

    return RaySensorSpec(pattern="fan2d", max_distance=30.0, tags=("wall", "teammate", "enemy"), ray_count=n_rays,
                         fov_deg=240.0)


def _caster(scene: dict[str, np.ndarray], spec: Any) -> tuple[Callable[[], int], np.ndarray]:
    """A warmed-up call casting every agent's rays (returns the ray count) and the array it writes."""
    from botsdk.sensors import Scene2D, cast_rays_2d

    world = Scene2D(scene["segments"], np.zeros(len(scene["segments"]), np.int32))
    out = np.empty((len(scene["origins"]), spec.size), np.float32)

    def once() -> int:
        cast_rays_2d(world, spec, scene["origins"], scene["headings"], scene["circles"], scene["circle_tags"],
                     scene["owners"], out)
        return out.shape[0] * spec.ray_count

    once()
    return once, out


def _cpu_rate(fn: Callable[[], int], seconds: float) -> float:
    """Units per CPU second of this process (all its threads)."""
    done, t0 = 0, time.process_time()
    while time.process_time() - t0 < seconds:
        done += fn()
    return done / (time.process_time() - t0)


def _pymunk_space(scene: dict[str, np.ndarray]):
    import pymunk

    space = pymunk.Space()
    for x0, y0, x1, y1 in scene["segments"]:
        space.add(pymunk.Segment(space.static_body, (x0, y0), (x1, y1), 0.0))
    for i, (x, y, r) in enumerate(scene["circles"]):
        shape = pymunk.Circle(space.static_body, r, offset=(x, y))
        shape.filter = pymunk.ShapeFilter(group=i + 1)  # same group as the querying agent: skipped
        space.add(shape)
    space.reindex_static()
    return space


def _pymunk_caster(scene: dict[str, np.ndarray], spec: Any, n_agents: int) -> tuple[Callable[[], int], np.ndarray]:
    """One `segment_query_first` per ray of the first n_agents agents (returns the ray count); and the hit flags
    it writes."""
    import pymunk

    from botsdk.sensors import ray_angles

    space = _pymunk_space(scene)
    angles = ray_angles(spec)
    jobs = []
    for a in range(n_agents):
        x, y = scene["origins"][a]
        theta = scene["headings"][a] + angles
        ends = np.stack([x + spec.max_distance * np.cos(theta), y + spec.max_distance * np.sin(theta)], 1)
        jobs.append(((x, y), [tuple(e) for e in ends], pymunk.ShapeFilter(group=int(scene["owners"][a]) + 1)))
    hits = np.zeros((n_agents, spec.ray_count), bool)

    def once() -> int:
        for a, (start, ends, flt) in enumerate(jobs):
            for r, end in enumerate(ends):
                hits[a, r] = space.segment_query_first(start, end, 0.0, flt) is not None
        return n_agents * spec.ray_count

    once()
    return once, hits


STARTUP_CODE = """
import time
t = time.perf_counter()
import numpy as np
from botsdk.bench.sensors import make_scene, _spec
from botsdk.sensors import Scene2D, cast_rays_2d
for agents in (4, 128):  # the serial and the parallel kernel
    s = make_scene(agents, 16, agents)
    world = Scene2D(s["segments"], np.zeros(16, np.int32))
    cast_rays_2d(world, _spec(8), s["origins"], s["headings"], s["circles"], s["circle_tags"], s["owners"])
print(time.perf_counter() - t)
"""


def startup_times() -> dict[str, float]:
    """Seconds for a fresh interpreter to import botsdk.sensors and cast (small and large batch): first with an empty
    numba cache (compiles), then with the cache it left (the start-up every later process sees)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        times = [float(subprocess.run([sys.executable, "-c", STARTUP_CODE], env=env, cwd=root, check=True,
                                      capture_output=True, text=True).stdout.strip()) for _ in range(3)]
    return {"cold_compile_s": round(times[0], 3), "cached_startup_s": round(min(times[1:]), 3)}


def _one_thread_rates(once: Callable[[], int], seconds: float) -> tuple[float, float]:
    """(rays per wall-clock second, rays per CPU second) on one thread: the second is what an idle core gives,
    whatever else the machine is running."""
    import numba

    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        return rate(once, seconds), _cpu_rate(once, seconds)
    finally:
        numba.set_num_threads(threads)


def _measure(n_agents: int, n_rays: int, n_walls: int, n_circles: int, seconds: float, repeats: int) -> dict:
    scene, spec = make_scene(n_agents, n_walls, n_circles), _spec(n_rays)
    once, out = _caster(scene, spec)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    ours = median_of(repeats, lambda: rate(once, seconds))
    cores_used = (time.process_time() - cpu0) / (time.perf_counter() - wall0)  # < threads on a busy machine
    single = [_one_thread_rates(once, seconds) for _ in range(repeats)]
    one_thread_wall = float(np.median([w for w, _ in single]))
    one_thread_cpu = float(np.median([c for _, c in single]))
    row = {"agents": n_agents, "rays": n_rays, "walls": n_walls, "circles": n_circles,
           "mrays_per_s": round(ours / 1e6, 3), "cores_used": round(cores_used, 2),
           "mrays_per_s_1_thread": round(one_thread_wall / 1e6, 3),
           "mrays_per_cpu_s_1_thread": round(one_thread_cpu / 1e6, 3)}
    if not pymunk_available():
        return row
    peer_agents = min(n_agents, 64)  # pymunk is timed on at most 64 agents' rays: its cost per ray is flat
    peer_once, hit_peer = _pymunk_caster(scene, spec, peer_agents)
    peer = median_of(repeats, lambda: rate(peer_once, seconds))
    peer_cpu = median_of(repeats, lambda: _cpu_rate(peer_once, seconds))
    once()
    hit_ours = out.reshape(n_agents, n_rays, -1)[:peer_agents, :, len(spec.tags)] > 0.5
    return {**row, "pymunk_mrays_per_s_1_thread": round(peer / 1e6, 4),
            "speedup_1_thread_vs_pymunk": round(one_thread_wall / peer, 1),
            "speedup_all_threads_vs_pymunk_1_thread": round(ours / peer, 1),
            "pymunk_mrays_per_cpu_s": round(peer_cpu / 1e6, 4),
            "cpu_speedup_1_thread_vs_pymunk": round(one_thread_cpu / peer_cpu, 1),
            "hit_agreement_vs_pymunk": round(float(np.mean(hit_ours == hit_peer)), 4)}


def pymunk_available() -> bool:
    try:
        import pymunk  # noqa: F401
    except ImportError:
        return False
    return True


def run(quick: bool) -> dict[str, Any]:
    import numba

    seconds, repeats = (0.3, 3) if quick else (1.0, 5)
    result: dict[str, Any] = {"configuration": {"numba_threads_all": numba.get_num_threads(),
                                                "peer": "pymunk segment_query_first, one call per ray, 1 thread"},
                              "load_average_1min": os.getloadavg()[0], "sizes": [],
                              "skipped_peers": [] if pymunk_available() else
                              ["pymunk: not installed (pip install 'botsdk[dev]' or pip install pymunk)"]}
    for size in SIZES:
        row = _measure(*size, seconds, repeats)
        print(f"sensors {row['agents']}x{row['rays']} rays, {row['walls']} walls, {row['circles']} circles: "
              f"botsdk {row['mrays_per_s_1_thread']} Mrays/s on 1 thread, {row['mrays_per_s']} on all; pymunk "
              f"{row.get('pymunk_mrays_per_s_1_thread', 'skipped')}, x{row.get('speedup_1_thread_vs_pymunk')} "
              f"same thread count", file=sys.stderr)
        result["sizes"].append(row)
    result.update(startup_times())
    largest = result["sizes"][-1]
    result["targets"] = {"mrays_per_s>=15": largest["mrays_per_s"] >= 15,
                         "speedup_1_thread_vs_pymunk>=20": (largest["speedup_1_thread_vs_pymunk"] >= 20
                                                            if "speedup_1_thread_vs_pymunk" in largest else None)}
    return result
