"""Router accuracy and speed on the question tables of tests/core/test_ask_router.py and tests/core/test_ask_holdout.py.

Prints recipe accuracy and fully-correct-parameter accuracy (recipe, model and every parameter read from the
question), per recipe and per language, and the time to route one question against a baseline measured in the
same run (the text preparation alone). Targets (issue 7): ≥ 95 % recipe, ≥ 90 % full, < 5 ms per question.
Then the issue-17 evaluation sets over every capability (benchmarks/ask_eval.py: the tuning set and the held-out
set), route and fully-correct-parameter accuracy per capability and per language; targets ≥ 95 % and ≥ 90 %.

    python benchmarks/bench_ask.py [--failures]
"""

from __future__ import annotations

import importlib.util
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1] / "tests"
sys.path.insert(0, str(TESTS))


def _load(name: str, path: Path | None = None):  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(name, path or TESTS / "core" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def main() -> None:
    from tafagent.core.ask import route
    from tafagent.core.ask.text import detect_language, prepare

    table = _load("test_ask_router")
    holdout = _load("test_ask_holdout")
    sets = {
        "spec examples": table.SPEC_EXAMPLES,
        "dev table": table.CASES,
        "holdout": holdout.HOLDOUT,
        "blind": holdout.BLIND,
    }
    route("warm-up: Will Llama 3 8B handle 32K?")  # presets, catalogs and regexes compile once
    for name, rows in sets.items():
        recipe_ok = full_ok = 0
        by_recipe: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        by_lang: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for row in rows:
            r_ok, a_ok, _ = table.check(*row)
            recipe_ok += r_ok
            full_ok += a_ok
            prep = prepare(row[0])
            for bucket in (by_recipe[row[1]], by_lang[detect_language(prep.text, prep.low)]):
                bucket[0] += 1
                bucket[1] += a_ok
        n = len(rows)
        print(f"{name:14s} n={n:3d}  recipe {recipe_ok / n:6.1%}  fully correct {full_ok / n:6.1%}")
        if name != "spec examples":
            print("    per recipe: " + ", ".join(f"{k} {v[1]}/{v[0]}" for k, v in sorted(by_recipe.items())))
            print("    per language: " + ", ".join(f"{k} {v[1]}/{v[0]}" for k, v in sorted(by_lang.items())))
    rejected = sum(route(q).recipe_id is None for q in table.NOT_ROUTED)
    print(f"{'off-topic':14s} n={len(table.NOT_ROUTED):3d}  correctly not routed {rejected}/{len(table.NOT_ROUTED)}")

    questions = [row[0] for rows in sets.values() for row in rows] + list(table.NOT_ROUTED)
    route_ms, prep_ms = [], []
    for _ in range(5):
        for q in questions:
            start = time.perf_counter()
            prepare(q)
            prep_ms.append((time.perf_counter() - start) * 1e3)
            start = time.perf_counter()
            route(q)
            route_ms.append((time.perf_counter() - start) * 1e3)
    med, p95, worst = statistics.median(route_ms), statistics.quantiles(route_ms, n=20)[-1], max(route_ms)
    base = statistics.median(prep_ms)
    print(
        f"route(): median {med:.2f} ms, p95 {p95:.2f} ms, max {worst:.2f} ms per question "
        f"({med / base:.0f}× the text preparation alone, {base * 1e3:.0f} µs); target < 5 ms"
    )
    print()
    ask_eval = _load("ask_eval", Path(__file__).with_name("ask_eval.py"))
    sets_17 = (("issue-17 evaluation set", ask_eval.EVAL), ("held-out set (never tuned on)", ask_eval.HOLDOUT))
    for title, path in sets_17:
        ask_eval.report(title, ask_eval.load_rows(path), "--failures" in sys.argv)


if __name__ == "__main__":
    main()
