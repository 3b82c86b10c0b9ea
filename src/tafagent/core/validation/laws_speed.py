"""The speed law (core/memory/speed_model.step_time with each engine's fitted constants) against the shipped
measurements of ``data/speed_calibration.json``: leave-one-out per engine and phase.

Every case is predicted by constants fitted without its group (transformers: without the model's other rows;
other engines: without the row), so the error is what a new model measured the same way should see.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from tafagent.core.evidence import Evidence, EvidenceNote
from tafagent.core.laws.registry import get_law
from tafagent.core.memory.speed_fit import PLANS, calibration, refit_all
from tafagent.core.validation.comparison import Case, Comparison, numeric_comparison
from tafagent.core.validation.report import LawReport

TARGET_MAPE = 0.25  # a case is a hit within ±25 % of the measured time; an engine passes at MAPE ≤ 25 %
_FORMULA = (
    "step = max|+(max(k_bw·bytes/BW, k_flops·FLOPs/peak), host_per_layer·n_layers + fixed) + 2·n_layers·"
    "(all_reduce + ring bytes/link); max for eager engines, + for CUDA-graph engines"
)


def _detail(row: dict[str, Any], phase: str) -> str:
    shape = f"B={row['batch']}" + (
        f", context {row['context']}" if phase == "decode" else f", L={row['prompt_tokens']}"
    )
    return f"{row['gpu']}, {shape}, TP={row.get('tp', 1)}; {row['source']}"


def _comparison(engine: str, phase: str, block: dict[str, Any]) -> Comparison:
    by_id = {r["id"]: r for r in calibration()[phase]}
    cases = []
    for c in block["loo_cases"]:
        row = by_id[c["id"]]
        error = c["predicted_s"] / c["measured_s"] - 1.0
        cases.append(
            Case(
                model=row["model"],
                ref=c["id"],
                predicted=round(c["predicted_s"] * 1000.0, 3),
                observed=round(c["measured_s"] * 1000.0, 3),
                hit=abs(error) <= TARGET_MAPE,
                residual=round((c["measured_s"] - c["predicted_s"]) * 1000.0, 3),
                detail=f"{error:+.0%}; {_detail(row, phase)}",
            )
        )
    what = "decode step" if phase == "decode" else "prefill"
    loo = block["mape_loo"]
    note = (
        f"leave-one-out MAPE {loo:.1%} on {block['n']} rows ({block['groups']} groups); "
        f"in-sample {block['mape_fit']:.1%}; constants fitted: {', '.join(block['free'])}"
    )
    return numeric_comparison(
        f"{engine}_{phase}",
        f"{engine}: {what} milliseconds, leave-one-out",
        cases,
        f"|predicted / measured − 1| ≤ {TARGET_MAPE:.0%}",
        notes=(note,),
    )


def _excluded() -> list[str]:
    out = []
    for phase in ("decode", "prefill"):
        for r in calibration()[phase]:
            if "excluded" in r:
                out.append(f"{r['id']}: excluded — {r['excluded']}")
    return out


@cache
def law_speed() -> LawReport:
    """Decode and prefill time per engine, leave-one-out on the shipped speed measurements."""
    fits = refit_all()
    comparisons = tuple(_comparison(p.engine, p.phase, fits[p.engine][p.phase]) for p in PLANS if p.phase == "decode")
    comparisons += tuple(_comparison(p.engine, p.phase, fits[p.engine][p.phase]) for p in PLANS if p.phase == "prefill")
    decode_ok = all(fits[p.engine]["decode"]["mape_loo"] <= TARGET_MAPE for p in PLANS if p.phase == "decode")
    every_ok = all(fits[p.engine][p.phase]["mape_loo"] <= TARGET_MAPE for p in PLANS)
    support = "backs" if every_ok else ("mixed" if decode_ok else "contradicts")
    parts = [
        f"{p.engine} {p.phase} {fits[p.engine][p.phase]['mape_loo']:.0%} (n={fits[p.engine][p.phase]['n']})"
        for p in PLANS
    ]
    n = sum(fits[p.engine][p.phase]["n"] for p in PLANS)
    return LawReport(
        key="speed",
        title="Decode and prefill speed per engine",
        section=get_law("decode_speed").section,
        formula=_FORMULA,
        engine="core.memory.speed.decode_throughput, core.memory.speed.prefill_seconds",
        evidence=EvidenceNote(
            Evidence.FITTED, "step-time law, constants fitted per engine on data/speed_calibration.json", n=n
        ),
        support=support,
        headline="leave-one-out MAPE: " + ", ".join(parts) + f"; target ≤ {TARGET_MAPE:.0%}",
        comparisons=comparisons,
        fitted={
            f"{engine}_{phase}": {k: block[k] for k in ("constants", "n", "groups", "mape_fit", "mape_loo")}
            for engine, phases in fits.items()
            for phase, block in phases.items()
        },
        notes=(
            "SGLang has no shipped measurement: it uses the vLLM-class constants",
            *_excluded(),
        ),
    )
