"""Each engine's speed constants, fitted on the measurements of ``data/speed_calibration.json``, and the
leave-one-out error of the law on them.

The fit minimises the mean absolute relative error (MAPE) of :func:`~tafagent.core.memory.speed_model.step_time`
over an engine's rows, for at most two free constants per engine and phase (a coarse grid, then three finer
grids around the best point: deterministic, pure Python). L1 rather than least squares because interference
on a shared host only ever slows a run down: a robust fit is not pulled by one slow repetition.

Leave-one-out: every group (transformers: a model, both batch sizes; other engines: a measurement) is
predicted by constants fitted without it. :func:`refit_all` recomputes what the data file stores under
``fitted`` (tests check that the two agree); :func:`fitted` reads the stored constants (fast, used per call).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from tafagent.core.memory.speed_model import EngineConstants, inputs_from_row, step_time

ENGINES = ("transformers", "vllm", "sglang", "llama.cpp")
# SGLang: same execution model as vLLM (CUDA graphs, continuous batching, chunked prefill); no SGLang
# measurement is shipped, so it uses the constants fitted on the vLLM-class rows.
BORROWED = {"sglang": "vllm"}


@cache
def calibration() -> dict[str, Any]:
    """The parsed ``data/speed_calibration.json`` (read once)."""
    text = resources.files("tafagent.core").joinpath("data/speed_calibration.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@dataclass(frozen=True)
class FitPlan:
    """Which constants are free (name, low, high, log-spaced) for one engine and phase, and what is borrowed."""

    engine: str
    phase: str  # "decode" | "prefill"
    free: tuple[tuple[str, float, float, bool], ...]
    borrow: tuple[tuple[str, str, str], ...] = ()  # (constant, engine, phase) taken from an earlier fit
    overlap: bool = False
    group_by: str = "id"


_FACTOR = (1.0, 4.0, True)  # 1 / efficiency: 25–100 % of the peak
PLANS = (
    FitPlan("vllm", "decode", (("bw_factor", *_FACTOR), ("all_reduce_s", 0.0, 1e-4, False))),
    # one free constant for the fused engines' prefill: a fixed time is not identifiable on four rows
    FitPlan(
        "vllm",
        "prefill",
        (("flops_factor", *_FACTOR),),
        (("bw_factor", "vllm", "decode"), ("all_reduce_s", "vllm", "decode")),
    ),
    FitPlan("llama.cpp", "decode", (("bw_factor", *_FACTOR), ("host_per_layer_s", 0.0, 5e-4, False))),
    FitPlan("llama.cpp", "prefill", (("flops_factor", *_FACTOR),), (("bw_factor", "llama.cpp", "decode"),)),
    FitPlan(
        "transformers",
        "prefill",
        (("flops_factor", *_FACTOR), ("fixed_s", 0.0, 0.2, False)),
        (("bw_factor", "vllm", "decode"), ("all_reduce_s", "vllm", "decode")),
        group_by="model",
    ),
    FitPlan(
        "transformers",
        "decode",
        (("host_per_layer_s", 1e-5, 5e-3, True),),
        (
            ("bw_factor", "vllm", "decode"),
            ("all_reduce_s", "vllm", "decode"),
            ("flops_factor", "transformers", "prefill"),
        ),
        overlap=True,
        group_by="model",
    ),
)


def rows(engine: str, phase: str, *, included: bool = True) -> list[dict[str, Any]]:
    """The calibration rows of ``engine`` and ``phase`` (only the ones used by the fit, unless ``included=False``)."""
    return [r for r in calibration()[phase] if r["engine"] == engine and (not included or "excluded" not in r)]


def predicted_seconds(row: dict[str, Any], phase: str, k: EngineConstants) -> float:
    return step_time(inputs_from_row(row, phase), k).seconds


def mape(sample: Sequence[dict[str, Any]], phase: str, k: EngineConstants) -> float:
    """Mean |predicted / measured − 1| over ``sample``."""
    key = "s_per_step" if phase == "decode" else "seconds"
    return sum(abs(predicted_seconds(r, phase, k) / r[key] - 1.0) for r in sample) / len(sample)


def _axis(low: float, high: float, log: bool, n: int) -> list[float]:
    if log:
        return [low * (high / low) ** (i / (n - 1)) for i in range(n)]
    return [low + (high - low) * i / (n - 1) for i in range(n)]


def _minimise(
    objective: Callable[[dict[str, float]], float], free: Sequence[tuple[str, float, float, bool]]
) -> dict[str, float]:
    """Grid search: 41 points per constant over its range, then three grids of 11 points around the best."""
    bounds = [(lo, hi, log) for _, lo, hi, log in free]
    names = [name for name, *_ in free]
    best: tuple[float, dict[str, float]] | None = None
    for rnd in range(4):
        n = 41 if rnd == 0 else 11
        axes = [_axis(lo, hi, log, n) for lo, hi, log in bounds]
        grid: list[list[float]] = [[]]
        for axis in axes:
            grid = [[*point, v] for point in grid for v in axis]
        for point in grid:
            values = dict(zip(names, point, strict=True))
            score = objective(values)
            if best is None or score < best[0] - 1e-12:
                best = (score, values)
        assert best is not None
        bounds = [_around(best[1][name], lo, hi, log, n) for name, (lo, hi, log) in zip(names, bounds, strict=True)]
    assert best is not None
    return best[1]


def _around(value: float, low: float, high: float, log: bool, n: int) -> tuple[float, float, bool]:
    """The two grid cells either side of ``value``, clipped to the previous range."""
    if log:
        step = (high / low) ** (1.0 / (n - 1))
        return max(low, value / step), min(high, value * step), True
    step = (high - low) / (n - 1)
    return max(low, value - step), min(high, value + step), False


def _base(plan: FitPlan, done: dict[tuple[str, str], EngineConstants]) -> EngineConstants:
    values = {name: getattr(done[(eng, ph)], name) for name, eng, ph in plan.borrow}
    return EngineConstants(overlap=plan.overlap).with_values(values)


def _fit(plan: FitPlan, base: EngineConstants, sample: Sequence[dict[str, Any]]) -> EngineConstants:
    values = _minimise(lambda v: mape(sample, plan.phase, base.with_values(v)), plan.free)
    return base.with_values(values)


def _leave_one_out(
    plan: FitPlan, base: EngineConstants, sample: list[dict[str, Any]]
) -> tuple[float | None, list[dict[str, Any]]]:
    """MAPE of each group predicted from the others, and the per-row predictions."""
    key = "s_per_step" if plan.phase == "decode" else "seconds"
    groups = sorted({r[plan.group_by] for r in sample})
    if len(groups) < 2:
        return None, []
    cases = []
    for g in groups:
        k = _fit(plan, base, [r for r in sample if r[plan.group_by] != g])
        for r in sample:
            if r[plan.group_by] == g:
                cases.append({"id": r["id"], "predicted_s": predicted_seconds(r, plan.phase, k), "measured_s": r[key]})
    error = sum(abs(c["predicted_s"] / c["measured_s"] - 1.0) for c in cases) / len(cases)
    return error, cases


def refit_all() -> dict[str, Any]:
    """Fit every plan in order on the rows of the data file: constants, in-sample and leave-one-out MAPE."""
    done: dict[tuple[str, str], EngineConstants] = {}
    out: dict[str, Any] = {}
    for plan in PLANS:
        sample = rows(plan.engine, plan.phase)
        base = _base(plan, done)
        k = _fit(plan, base, sample)
        done[(plan.engine, plan.phase)] = k
        loo, cases = _leave_one_out(plan, base, sample)
        out.setdefault(plan.engine, {})[plan.phase] = {
            "constants": {name: round(v, 9) if isinstance(v, float) else v for name, v in k.to_dict().items()},
            "free": [name for name, *_ in plan.free],
            "n": len(sample),
            "groups": len({r[plan.group_by] for r in sample}),
            "mape_fit": round(mape(sample, plan.phase, k), 4),
            "mape_loo": None if loo is None else round(loo, 4),
            "loo_cases": [{**c, "predicted_s": round(c["predicted_s"], 6)} for c in cases],
        }
    return out


@dataclass(frozen=True)
class FittedEngine:
    """One engine's stored constants for one phase and the evidence behind them."""

    engine: str
    phase: str
    constants: EngineConstants
    n: int
    mape_loo: float | None
    sources: tuple[str, ...]
    borrowed_from: str | None = None


@cache
def fitted(engine: str, phase: str) -> FittedEngine:
    """The stored fit of ``engine`` (SGLang: vLLM's) for ``phase``."""
    source_engine = BORROWED.get(engine, engine)
    block = calibration()["fitted"][source_engine][phase]
    sources = tuple(dict.fromkeys(r["source"].split(":")[0] for r in rows(source_engine, phase)))
    return FittedEngine(
        engine=engine,
        phase=phase,
        constants=EngineConstants(**block["constants"]),
        n=int(block["n"]),
        mape_loo=block["mape_loo"],
        sources=sources,
        borrowed_from=source_engine if source_engine != engine else None,
    )
