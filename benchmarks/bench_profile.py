"""Benchmark: whole-process time of `taf profile PRESET --json`, against a bare interpreter start.

Run:  python benchmarks/bench_profile.py [PRESET ...]     (default: llama-3-8b qwen2.5-7b gpt2)

Prints the best of several runs for each preset, the baseline `python -c pass` measured in the same run,
and the ratio. Target: ≤ 0.3 s per card on a 2-core machine, which requires the core to import no heavy
library (torch, transformers, numpy).
"""

from __future__ import annotations

import subprocess
import sys
import time

TARGET_SECONDS = 0.3
RUNS = 7


def best_seconds(argv: list[str]) -> float:
    best = float("inf")
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        best = min(best, time.perf_counter() - start)
    return best


def main(presets: list[str]) -> int:
    baseline = best_seconds([sys.executable, "-c", "pass"])
    print(f"baseline: python -c pass = {baseline * 1000:.0f} ms (best of {RUNS})")
    print(f"{'preset':<16} {'seconds':>8} {'x baseline':>11}  target ≤ {TARGET_SECONDS} s")
    ok = True
    for preset in presets:
        seconds = best_seconds([sys.executable, "-m", "tafagent", "profile", preset, "--json"])
        ok &= seconds <= TARGET_SECONDS
        print(
            f"{preset:<16} {seconds:8.3f} {seconds / baseline:10.1f}x  {'ok' if seconds <= TARGET_SECONDS else 'SLOW'}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:] or ["llama-3-8b", "qwen2.5-7b", "gpt2"]))
