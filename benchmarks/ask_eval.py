"""`taf ask` on the issue-17 evaluation set (tests/data/ask_eval/questions.jsonl, written before the rules were
tuned): route accuracy and fully-correct-parameter accuracy per capability and per language.

A row is routed right when the router's target equals the row's ``route`` (``refuse``: nothing routed); it is
fully correct when, in addition, the model (or, for ``compare``, the models) and every parameter the row lists
equal what the router read (numbers within 0.5 %). Targets (issue 17): ≥ 95 % route, ≥ 90 % fully correct.

    python benchmarks/ask_eval.py            # the tables
    python benchmarks/ask_eval.py --failures # and every row that is not fully correct
    python benchmarks/ask_eval.py --main-only  # the tuning set alone
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

EVAL_DIR = Path(__file__).resolve().parents[1] / "tests" / "data" / "ask_eval"
EVAL = EVAL_DIR / "questions.jsonl"
HOLDOUT = EVAL_DIR / "holdout.jsonl"  # never tuned on (scripts/write_ask_holdout.py)


def load_rows(path: Path = EVAL) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _same(expected: object, got: object) -> bool:
    if isinstance(expected, (int, float)) and isinstance(got, (int, float)) and not isinstance(got, bool):
        return abs(expected - got) <= 0.005 * max(abs(expected), 1e-12)
    if isinstance(expected, str) and isinstance(got, str):
        return expected.lower() == got.lower()
    return expected == got


def _param(params: dict, name: str) -> object:
    """``params[name]``, the name compared without case (``N_params`` and ``n_params`` are one parameter)."""
    return next((v for k, v in params.items() if k.lower() == name.lower()), None)


def check(row: dict) -> tuple[bool, bool, str]:
    """(routed right, fully correct, what the router did)."""
    from tafagent.core.ask import route

    r = route(row["question"])
    target = r.recipe_id or "refuse"
    detail = f"→ {target} model={r.model} params={r.params} error={r.error}"
    if target != row["route"]:
        return False, False, detail
    if row["route"] == "refuse":
        return True, True, detail
    if row["route"] == "compare":
        models = (r.params.get("models") or "").split(",")
        ok = models == row["model"] and all(_same(v, _param(r.params, k)) for k, v in row["params"].items())
        return True, ok, detail
    ok = (row["model"] is None or row["model"] == r.model) and r.error is None
    ok = ok and all(_same(v, _param(r.params, k)) for k, v in row["params"].items())
    return True, ok, detail


def report(title: str, rows: list[dict], show_failures: bool) -> tuple[float, float]:
    """Print one set's tables (and its failures); return (route, fully correct) fractions."""
    by_route: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    by_lang: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    failures = []
    for row in rows:
        routed, full, detail = check(row)
        for bucket in (by_route[row["route"]], by_lang[row["lang"]]):
            bucket[0] += 1
            bucket[1] += routed
            bucket[2] += full
        if not full:
            failures.append(f"  [{row['id']}] {row['lang']} {row['route']}: {row['question']}\n      {detail}")
    n = len(rows)
    total_route = sum(v[1] for v in by_route.values()) / n
    total_full = sum(v[2] for v in by_route.values()) / n
    print(f"{title}: n={n}  route {total_route:6.1%}  fully correct {total_full:6.1%}")
    for heading, table in (("per capability", by_route), ("per language", by_lang)):
        print(f"  {heading}:")
        for key, (count, routed, full) in sorted(table.items()):
            print(f"    {key:9s} n={count:3d}  route {routed / count:6.1%}  fully correct {full / count:6.1%}")
    if show_failures and failures:
        print("\n".join(failures))
    return total_route, total_full


def main() -> None:
    show_failures = "--failures" in sys.argv
    report("ask evaluation set (tests/data/ask_eval/questions.jsonl)", load_rows(EVAL), show_failures)
    if "--main-only" not in sys.argv:
        report("held-out set, never tuned on (tests/data/ask_eval/holdout.jsonl)", load_rows(HOLDOUT), show_failures)


if __name__ == "__main__":
    main()
