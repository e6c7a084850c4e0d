"""The performance page: one `botsdk bench all --json` run rendered as markdown, every ratio from that same run.

    botsdk bench all --json --markdown docs/performance.md > docs/performance.json   # measure and render
    python -m botsdk.bench._report docs/performance.json docs/performance.md        # render again from the JSON
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Callable

Row = tuple[str, str, str, str, str]  # what, botsdk, peer, ratio, target (met or not)


def dig(data: Any, *keys: Any) -> Any:
    for key in keys:
        if not isinstance(data, (dict, list)):
            return None
        try:
            data = data[key]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def number(value: Any, unit: str = "", digits: int = 0) -> str:
    if value is None:
        return "-"
    text = f"{value:,.{digits}f}" if isinstance(value, (int, float)) else str(value)
    return f"{text} {unit}".strip()


def verdict(met: bool | None, target: str) -> str:
    return f"{target}: " + ("met" if met else "**not met**" if met is not None else "not measured")


def sensors_rows(r: dict) -> list[Row]:
    rows = []
    for size in r.get("sizes", []):
        what = f"sensors, {size['agents']} agents x {size['rays']} rays, {size['walls']} walls, {size['circles']} circles"
        largest = size is r["sizes"][-1]
        speedup = size.get("speedup_1_thread_vs_pymunk")
        target = ""
        if largest:
            target = (verdict(size["mrays_per_s"] >= 15, ">= 15 Mrays/s") + "; "
                      + verdict(None if speedup is None else speedup >= 20, ">= 20x pymunk, 1 thread each"))
        rows.append((what, f"{number(size['mrays_per_s_1_thread'], 'Mrays/s', 2)} on 1 thread; "
                           f"{number(size['mrays_per_s'], 'Mrays/s', 2)} on all threads",
                     f"pymunk `segment_query_first`, 1 thread: "
                     f"{number(size.get('pymunk_mrays_per_s_1_thread'), 'Mrays/s', 3)}; hit agreement "
                     f"{number(size.get('hit_agreement_vs_pymunk'), '', 4)}",
                     f"{number(speedup, 'x', 1)} (1 thread each)", target))
    return rows


def arena_rows(r: dict) -> list[Row]:
    peer = r.get("peer") or {}
    agreement = f"; hit agreement {number(peer.get('hit_agreement_with_botsdk'), '', 4)}" if peer else ""
    return [
        ("arena, one 2v2 match, with sensors", number(dig(r, "single_env", "agent_steps_per_s"), "agent-steps/s"),
         f"pymunk physics + the same ray fan (own circle excluded), one match: "
         f"{number(peer.get('agent_steps_per_s_one_match'), 'agent-steps/s')}{agreement}",
         number(r.get("ratio_single_env_vs_peer_one_match"), "x", 1), ""),
        (f"arena, {dig(r, 'batched', 'n_envs')} matches stepped together",
         f"{number(dig(r, 'batched', 'agent_steps_per_s_1_thread'), 'agent-steps/s')} on 1 thread; "
         f"{number(dig(r, 'batched', 'agent_steps_per_s_all_threads'), 'agent-steps/s')} on all threads",
         f"pymunk, 64 agents: {number(peer.get('agent_steps_per_s_64_agents'), 'agent-steps/s')}",
         f"{number(r.get('ratio_batched_1_thread_vs_peer_64_agents'), 'x', 1)} (1 thread each)",
         verdict(dig(r, "targets", "agent_steps_per_s>=20000"), ">= 20,000 agent-steps/s") + "; "
         + verdict(dig(r, "targets", "ratio_vs_peer>=10"), ">= 10x the peer")),
    ]


def runtime_rows(r: dict) -> list[Row]:
    b1, b1024 = r.get("batch_1", {}), r.get("batch_1024", {})
    return [
        ("runtime, default model, batch 1, p50", number(dig(b1, "runtime", "p50_us"), "us", 1),
         f"bare onnxruntime: {number(dig(b1, 'bare_onnxruntime', 'p50_us'), 'us', 1)}; torch eager: "
         f"{number(dig(b1, 'torch_eager', 'p50_us'), 'us', 1)}",
         f"{number(r.get('runtime_over_bare_b1'), 'x', 2)} bare; {number(r.get('torch_over_runtime_b1'), 'x', 1)} "
         f"faster than torch", verdict(dig(r, "targets", "met", "bare"), "<= 1.3x bare")),
        ("runtime, default model, batch 1024, p50", f"{number(r.get('runtime_b1024_p50_ms'), 'ms', 3)} "
         f"(int8: {number(r.get('runtime_int8_b1024_p50_ms'), 'ms', 3)})",
         f"bare onnxruntime: {number(dig(b1024, 'bare_onnxruntime', 'p50_us'), 'us', 0)}", "",
         verdict(dig(r, "targets", "met", "b1024"), "fp32 <= 1.5 ms")),
    ]


def bridge_rows(r: dict) -> list[Row]:
    rows = []
    for n in (1, 64):
        lat = dig(r, "session_latency", f"agents_{n}") or {}
        rows.append((f"bridge `Session` round trip, {n} agent{'s' if n > 1 else ''}, p50 / p99",
                     f"{number(dig(lat, 'bridge', 'p50_us'), 'us')} / {number(dig(lat, 'bridge', 'p99_us'), 'us')}",
                     f"minimal grpcio + onnxruntime server: {number(dig(lat, 'minimal_server', 'p50_us'), 'us')}; "
                     f"bare gRPC echo, same bytes: {number(dig(lat, 'echo', 'p50_us'), 'us')}",
                     number(lat.get("ratio_vs_minimal_server"), "x", 2),
                     verdict(dig(r, "targets", "p99_64_agents<=1000us"), "p99 <= 1 ms") if n == 64 else ""))
    tp = r.get("throughput_8_connections", {})
    rows.append(("bridge, 8 engine connections x 64 agents, one process",
                 number(tp.get("bridge_decisions_per_s"), "decisions/s"),
                 f"minimal server: {number(tp.get('minimal_server_decisions_per_s'), 'decisions/s')}; "
                 f"echo: {number(tp.get('echo_agent_messages_per_s'), 'messages/s')}",
                 number(tp.get("ratio_vs_minimal_server"), "", 3), ""))
    rows.append((f"bridge, 8 engine connections x 64 agents, `serve --workers {tp.get('serve_workers', '?')}`",
                 number(tp.get("workers_decisions_per_s"), "decisions/s"),
                 f"minimal server (one process): {number(tp.get('minimal_server_decisions_per_s'), 'decisions/s')}",
                 number(tp.get("workers_ratio_vs_minimal_server"), "", 3),
                 verdict(dig(r, "targets", "decisions_per_s_8x64>=150000"), ">= 150,000/s")))
    return rows


def dataset_rows(r: dict) -> list[Row]:
    return [("dataset read, shuffled batches", number(r.get("read_batch_tps"), "transitions/s"),
             f"raw h5py: {number(r.get('raw_h5py_tps'), 'transitions/s')}", number(r.get("ratio_batch_vs_raw"), "", 2),
             verdict((r.get("read_batch_tps") or 0) >= 1_000_000, ">= 1M/s")),
            ("dataset write", number(r.get("write_tps"), "transitions/s"), "", "", "")] + streaming_rows(r)


def streaming_rows(r: dict) -> list[Row]:
    s = r.get("training_stream")
    if not s:
        return []
    ratio, rss = s.get("streaming_ratio"), s.get("rss", {})
    small, large = rss.get("small", {}), rss.get("large", {})
    growth = rss.get("peak_rss_growth")
    peak = large.get("peak_rss_mb")
    return [(f"training streamed from disk, {s.get('steps'):,} steps, {s.get('stream_memory_mb')} MB of buffers",
             number(s.get("streaming_samples_per_s"), "samples/s"),
             f"in memory: {number(s.get('in_memory_samples_per_s'), 'samples/s')}", number(ratio, "", 3),
             verdict(None if ratio is None else ratio >= 0.9, ">= 0.9")),
            (f"training streamed, peak RSS at {small.get('steps', 0):,} and {large.get('steps', 0):,} steps",
             f"{number(small.get('peak_rss_mb'), 'MB')} / {number(peak, 'MB')}", "",
             f"+{number(None if growth is None else 100 * growth, '%', 1)}",
             verdict(None if peak is None else peak < 4096, "< 4 GB") + "; "
             + verdict(None if growth is None else growth <= 0.15, "growth <= 15%"))]


def train_rows(r: dict) -> list[Row]:
    config = r.get("configuration", {})
    shape = ", ".join(f"{k} {v}" for k, v in config.items())
    ratio = r.get("ratio")
    return [(f"training, default configuration ({shape})", number(r.get("botsdk_samples_per_s"), "samples/s"),
             f"plain PyTorch loop, same objective: {number(r.get('plain_torch_samples_per_s'), 'samples/s')}",
             number(ratio, "", 3), verdict(None if ratio is None else ratio >= 0.9, ">= 0.9"))]


def playtest_rows(r: dict) -> list[Row]:
    rows = [(f"playtest, {r.get('map')}, {r.get('episodes_per_run')} episodes",
             f"{number(r.get('episodes_per_min_k_workers'), 'episodes/min', 1)} with {r.get('workers')} workers",
             f"1 worker: {number(r.get('episodes_per_min_1_worker'), 'episodes/min', 1)}",
             number(r.get("speedup"), "x", 2), "")]
    if "episodes_per_min_ray" in r:
        ratio = r.get("ray_vs_local")
        rows.append((f"playtest on a local Ray instance, {r.get('workers')} CPUs (Ray start {r.get('ray_start_s')} s "
                     "not timed)", number(r.get("episodes_per_min_ray"), "episodes/min", 1),
                     f"{r.get('workers')} local worker processes: "
                     f"{number(r.get('episodes_per_min_k_workers'), 'episodes/min', 1)}", number(ratio, "", 3),
                     verdict(None if ratio is None else ratio >= 0.9, ">= 0.9")))
    return rows


ROWS: dict[str, Callable[[dict], list[Row]]] = {
    "sensors": sensors_rows, "arena": arena_rows, "runtime": runtime_rows, "bridge": bridge_rows,
    "dataset": dataset_rows, "train": train_rows, "playtest": playtest_rows,
}


def render(results: dict[str, dict[str, Any]]) -> str:
    """The page for one run of several benchmarks (name -> its JSON)."""
    first = next(iter(results.values()), {})
    m = first.get("machine", {})
    versions = ", ".join(f"{k} {v}" for k, v in (m.get("versions") or {}).items() if v)
    lines = ["# Performance", "",
             "Generated by `botsdk bench all --json --markdown docs/performance.md` from one run; every ratio "
             "compares botsdk and its peer doing the same work in that run. Rerun it on your machine.", "",
             f"- machine: {m.get('cpus')} cores, {m.get('platform')}, Python {m.get('python')}",
             f"- load average (1 min) when the first benchmark started: {m.get('load_average_1min')}",
             f"- versions: {versions}",
             f"- quick sizes: {'yes' if first.get('quick') else 'no'}", "",
             "| benchmark | botsdk | peer (same run) | ratio | target |", "|---|---|---|---|---|"]
    skipped = []
    for name, result in results.items():
        if "skipped" in result:
            skipped.append(f"- {name}: {result['skipped']}")
            continue
        skipped += [f"- {name}: peer skipped: {p}" for p in result.get("skipped_peers", [])]
        for row in ROWS.get(name, lambda _: [])(result):
            lines.append("| " + " | ".join(cell.replace("|", "/") for cell in row) + " |")
    if skipped:
        lines += ["", "Not measured in this run:", *skipped]
    lines += ["", "Each benchmark's full JSON (configuration, every repeat) is in `docs/performance.json`."]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> None:
    if len(argv) != 2:
        sys.exit("usage: python -m botsdk.bench._report RESULTS.json OUT.md")
    results = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    if "benchmark" in results:  # a single benchmark's JSON
        results = {results["benchmark"]: results}
    Path(argv[1]).write_text(render(results), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
