"""Benchmark: O(1) df_window (Euler–Maclaurin + Newton) vs the O(N) reference loop.

Run:  python benchmarks/bench_df_window.py [N]      (default N = 1_000_000)

For each γ it checks that both return the same D and prints the time per call and the speed-up.
The target is a speed-up of at least 100× at N = 10^6.
"""

from __future__ import annotations

import sys
import timeit

from tafagent.core.laws.thermo import df_window, df_window_bruteforce

GAMMAS = (0.674, 0.9, 1.0, 1.046, 1.5)
TARGET_SPEEDUP = 100.0


def best_time(func, number: int, repeat: int = 3) -> float:
    """Best mean seconds per call over ``repeat`` rounds of ``number`` calls."""
    return min(timeit.repeat(func, number=number, repeat=repeat)) / number


def main(N: int = 1_000_000, f: float = 0.9) -> int:
    print(f"df_window vs df_window_bruteforce, N = {N:,}, f = {f}")
    print(f"{'gamma':>7} {'D_fast':>10} {'D_brute':>10} {'fast (us)':>10} {'brute (ms)':>11} {'speed-up':>10}")
    ok = True
    for gamma in GAMMAS:
        d_fast = df_window(gamma, N, f)
        d_brute = df_window_bruteforce(gamma, N, f)
        t_fast = best_time(lambda g=gamma: df_window(g, N, f), number=200)
        t_brute = best_time(lambda g=gamma: df_window_bruteforce(g, N, f), number=1, repeat=3)
        ratio = t_brute / t_fast
        same = d_fast == d_brute
        ok &= same and ratio >= TARGET_SPEEDUP
        flag = "" if same else "  MISMATCH"
        print(
            f"{gamma:>7} {d_fast:>10,} {d_brute:>10,} {t_fast * 1e6:>10.1f} {t_brute * 1e3:>11.1f} {ratio:>9.0f}x{flag}"
        )
    print("all equal and >= 100x" if ok else "FAILED: mismatch or speed-up below 100x")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000))
