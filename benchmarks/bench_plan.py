"""Benchmark: whole-process time of the full serving-planner search, against baselines measured in the same run.

Run:  python benchmarks/bench_plan.py

The search: `taf plan llama-3.3-70b --context 4096 --tokens-per-day 100e6 --json` (the whole GPU catalog, every
tensor-parallel size ≤ 8 that splits the heads, vLLM's rules), once per engine. Baselines: `python -c pass`
and `taf presets --json` (the CLI's own start-up). Prints the best of several runs, the ratios, and the in-process
search time alone. Target: < 0.5 s whole process per search.
"""

from __future__ import annotations

import subprocess
import sys
import time

TARGET_SECONDS = 0.5
RUNS = 7
ENGINES = ("vllm", "sglang", "llama.cpp", "transformers")
PLAN = ["plan", "llama-3.3-70b", "--context", "4096", "--tokens-per-day", "100e6", "--json"]


def best_seconds(argv: list[str]) -> float:
    best = float("inf")
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        best = min(best, time.perf_counter() - start)
    return best


def in_process_search_seconds(engine: str) -> tuple[float, int]:
    """(best seconds of plan_serving alone, candidates searched), after one warm-up call."""
    from tafagent.core.memory.planner import plan_serving
    from tafagent.core.spec.presets import get_preset

    spec = get_preset("llama-3.3-70b").spec()
    result = plan_serving(spec, 4096, tokens_per_day=100e6, engine=engine)
    best = float("inf")
    for _ in range(RUNS):
        start = time.perf_counter()
        plan_serving(spec, 4096, tokens_per_day=100e6, engine=engine)
        best = min(best, time.perf_counter() - start)
    return best, 1 + len(result.runners_up)


def main() -> int:
    taf = [sys.executable, "-m", "tafagent"]
    bare = best_seconds([sys.executable, "-c", "pass"])
    presets = best_seconds([*taf, "presets", "--json"])
    print(
        f"baseline: python -c pass = {bare * 1000:.0f} ms; "
        f"taf presets --json = {presets * 1000:.0f} ms (best of {RUNS})"
    )
    print(
        f"{'engine':<13} {'seconds':>8} {'x bare':>7} {'x presets':>10} {'search ms':>10} {'plans':>6}"
        f"  target < {TARGET_SECONDS} s"
    )
    ok = True
    for engine in ENGINES:
        seconds = best_seconds([*taf, *PLAN, "--engine", engine])
        search, n = in_process_search_seconds(engine)
        ok &= seconds < TARGET_SECONDS
        verdict = "ok" if seconds < TARGET_SECONDS else "SLOW"
        print(
            f"{engine:<13} {seconds:8.3f} {seconds / bare:6.1f}x {seconds / presets:9.2f}x "
            f"{search * 1000:10.1f} {n:6d}  {verdict}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
