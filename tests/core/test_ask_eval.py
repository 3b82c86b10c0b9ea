"""The issue-17 evaluation sets hold their accuracy (tests/data/ask_eval; benchmarks/ask_eval.py scores them).

questions.jsonl (307 questions, written before the rules were tuned, tuned on since) must stay at or above the
issue's targets, ≥ 95 % routed right and ≥ 90 % fully correct; holdout.jsonl (120 questions written before this
session's rule changes and never tuned on) is held to what it measured when it was first run after them, so a
rule change that costs held-out questions fails here rather than in a user's hands.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "ask_eval.py"


def _ask_eval():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("ask_eval", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["ask_eval"] = module
    spec.loader.exec_module(module)
    return module


def _accuracy(path: Path) -> tuple[float, float]:
    ask_eval = _ask_eval()
    rows = ask_eval.load_rows(path)
    checks = [ask_eval.check(row)[:2] for row in rows]
    return sum(r for r, _ in checks) / len(rows), sum(f for _, f in checks) / len(rows)


def test_evaluation_set_meets_the_targets() -> None:
    routed, full = _accuracy(_ask_eval().EVAL)
    assert routed >= 0.95 and full >= 0.90, (routed, full)


def test_held_out_set_keeps_its_first_measurement() -> None:
    routed, full = _accuracy(_ask_eval().HOLDOUT)
    assert routed >= 0.93 and full >= 0.90, (routed, full)  # 93.3 % / 90.0 % when first run after tuning
