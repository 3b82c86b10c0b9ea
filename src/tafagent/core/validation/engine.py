"""Prediction vs reality: every predictive law of the engine tested against the shipped reference panel.

For each law the engine applies (γ_Padé, the δ decompositions v1/v2 and each δ on its own, the imprint law
for γ_random, the K band, the IH-phase sign rule, architectural concentration, the D_f window, X-2's NIAH
ceiling, X-19's soft-decay regime) this module computes, at run time from the packaged measurements
(:mod:`tafagent.core.validation.panel`), n, MAE, RMSE, bias, Pearson r, Spearman ρ, hit rate and the cases that fail.
Predictions come from the engine's own functions (``core/pade.py``, ``core/decomposition.py``,
``core/imprint.py``, ``core/diagnostics.py``, ``core/thermo.py``), so the validation tests exactly what the
product computes. It also refits every stored power law from its raw curve (OLS of ln A on ln d over the
row's fit window), recomputes the panel constants the reference hard-coded (spec §2.1), and regenerates the
falsification dashboard (spec §7.12) from what the data supports.

Everything is deterministic (fixed row order, ties broken by id) and every statistic carries its n.
Results are cached per process; :func:`law_evidence` computes only the law it is asked about.

The panel's first finding is shown, not hidden: γ_Padé alone explains almost none of the model-to-model
spread of measured γ (canonical RoPE rows, text: n = 31, r = 0.07, MAE 0.19; its MSE is worse than
predicting the panel mean).
"""

from __future__ import annotations

import difflib
import math
import re
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from tafagent.core.errors import UsageError
from tafagent.core.evidence import Evidence, EvidenceNote
from tafagent.core.jsonsafe import json_safe as _finite
from tafagent.core.laws.constants import (
    ARCH_CONCENTRATION_EVIDENCE,
    DELTA_GQA,
    DELTA_GQA_EVIDENCE,
    DELTA_INSTRUCT,
    DELTA_INSTRUCT_EVIDENCE,
    DELTA_POST_IH,
    DELTA_POST_IH_EVIDENCE,
    DELTA_SWA_EVIDENCE,
    DELTA_SWA_HISTORICAL,
    DF_ZONE,
    DF_ZONE_EVIDENCE,
    IH_EVIDENCE,
    IH_PANEL_POST_MEAN,
    IH_PANEL_PRE_MEAN,
    IH_PANEL_STD,
    IMPRINT_CI_HALF_WIDTH,
    IMPRINT_EVIDENCE,
    K_ARCH,
    K_EVIDENCE,
    K_PANEL_MEAN,
    K_PANEL_N,
    K_PANEL_STD,
    NIAH_EVIDENCE,
    NU_IMPRINT,
    P0_IMPRINT_M,
    PADE_EVIDENCE,
    SOFT_DECAY_EVIDENCE,
)
from tafagent.core.laws.decomposition import gamma_decompose, gamma_decompose_v2, imprint_shift
from tafagent.core.laws.diagnostics import architectural_concentration_predict
from tafagent.core.laws.imprint import compute_invariant_K, gamma_random_predict, ih_phase_check
from tafagent.core.laws.pade import d_horizon, gamma_pade, kv_soft_decay_regime, l_niah, theta_design
from tafagent.core.laws.thermo import df_window
from tafagent.core.validation.panel import GammaRow, OutcomeRow, load_curves, load_panel, outcome_set

__all__ = [
    "CARD_KEY_LAW_KEYS",
    "LAW_KEYS",
    "STEP_LAW_KEYS",
    "Case",
    "Claim",
    "Comparison",
    "Dashboard",
    "LawEvidence",
    "LawReport",
    "PanelConstant",
    "RefitCheck",
    "ValidationReport",
    "falsification_dashboard",
    "law_evidence",
    "law_report",
    "panel_constants",
    "refit_check",
    "validate",
]

GAMMA_TOL = 0.1  # the reference tool's own tolerance for "γ matches" (taf_browser.py GAMMA_TOL)
NIAH_PASS_ACCURACY = 0.5  # L_NIAH^c is the length where needle retrieval falls to 50 %
RULER_THRESHOLD = 85.6  # RULER's effective-context threshold (Llama-2-7B's 4K score, Hsieh et al. 2024)
WORST_CASES = 5
SUPPORT_LEVELS = ("backs", "contradicts", "mixed", "insufficient", "untestable")
MIN_N = 5  # below this a comparison is reported but called "insufficient"


# =====================================================================================================
# statistics (plain, documented; tests/test_validation.py re-implements them independently)
# =====================================================================================================
def _mean(xs: Sequence[float]) -> float | None:
    return math.fsum(xs) / len(xs) if xs else None


def _sample_std(xs: Sequence[float]) -> float | None:
    """Standard deviation with n − 1 in the denominator; None for n < 2."""
    if len(xs) < 2:
        return None
    m = math.fsum(xs) / len(xs)
    return math.sqrt(math.fsum((x - m) ** 2 for x in xs) / (len(xs) - 1))


def _pvariance(xs: Sequence[float]) -> float | None:
    """Population variance: the MSE of predicting every value by the mean."""
    if not xs:
        return None
    m = math.fsum(xs) / len(xs)
    return math.fsum((x - m) ** 2 for x in xs) / len(xs)


def _pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson r; None for n < 3 or a constant series."""
    n = len(xs)
    if n < 3 or min(xs) == max(xs) or min(ys) == max(ys):  # constant: r undefined (not float noise)
        return None
    mx, my = math.fsum(xs) / n, math.fsum(ys) / n
    sxx = math.fsum((x - mx) ** 2 for x in xs)
    syy = math.fsum((y - my) ** 2 for y in ys)
    if sxx <= 0.0 or syy <= 0.0:
        return None
    return math.fsum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / math.sqrt(sxx * syy)


def _ranks(xs: Sequence[float]) -> list[float]:
    """Ranks 1..n, ties get their average rank."""
    order = sorted(range(len(xs)), key=lambda i: xs[i])
    ranks = [0.0] * len(xs)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and xs[order[j + 1]] == xs[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2.0 + 1.0
        i = j + 1
    return ranks


def _spearman(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Spearman ρ = Pearson r of the ranks; None for n < 3 or a constant series."""
    if len(xs) < 3:
        return None
    return _pearson(_ranks(xs), _ranks(ys))


def _ols(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float, float | None, float | None]:
    """Least squares y = a + b·x → (b, a, R², standard error of b)."""
    n = len(xs)
    mx, my = math.fsum(xs) / n, math.fsum(ys) / n
    sxx = math.fsum((x - mx) ** 2 for x in xs)
    b = math.fsum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx
    a = my - b * mx
    ssr = math.fsum((y - a - b * x) ** 2 for x, y in zip(xs, ys, strict=True))
    sst = math.fsum((y - my) ** 2 for y in ys)
    r2 = 1.0 - ssr / sst if sst > 0 else None
    se = math.sqrt(ssr / (n - 2) / sxx) if n > 2 else None
    return b, a, r2, se


def _ols_origin(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float | None]:
    """Least squares through the origin y = b·x → (b, standard error of b)."""
    sxx = math.fsum(x * x for x in xs)
    b = math.fsum(x * y for x, y in zip(xs, ys, strict=True)) / sxx
    n = len(xs)
    ssr = math.fsum((y - b * x) ** 2 for x, y in zip(xs, ys, strict=True))
    se = math.sqrt(ssr / (n - 1) / sxx) if n > 1 else None
    return b, se


def _real(value: Any) -> float:
    """A number from a data field or a numeric case (ValueError for None, text or bool)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"expected a number, got {value!r}")
    return float(value)


def _f(x: float | None, spec: str = ".2f") -> str:
    return "n/a" if x is None else format(x, spec)


# =====================================================================================================
# result types
# =====================================================================================================
@dataclass(frozen=True)
class Case:
    """One prediction against one observation. ``residual`` = observed − predicted (numeric cases)."""

    model: str
    ref: str  # panel row id(s) or ground-truth id(s) behind the observation
    predicted: float | str | None
    observed: float | str | None
    hit: bool | None
    residual: float | None = None
    detail: str = ""

    @property
    def predicted_value(self) -> float:
        return _real(self.predicted)

    @property
    def observed_value(self) -> float:
        return _real(self.observed)

    def to_dict(self) -> dict[str, Any]:
        return _finite(
            {
                "model": self.model,
                "ref": self.ref,
                "predicted": self.predicted,
                "observed": self.observed,
                "residual": self.residual,
                "hit": self.hit,
                "detail": self.detail,
            }
        )


@dataclass(frozen=True)
class Comparison:
    """A prediction tested on n cases, with its statistics (None where undefined, e.g. r for n < 3)."""

    key: str
    title: str
    hit_rule: str
    cases: tuple[Case, ...]
    n: int
    hits: int
    hit_rate: float | None
    mae: float | None = None
    bias: float | None = None  # mean(observed − predicted)
    pearson_r: float | None = None
    spearman_rho: float | None = None
    mse: float | None = None
    mse_of_panel_mean: float | None = None  # population variance of the observations
    balanced_accuracy: float | None = None  # categorical: mean of the per-class hit rates
    confusion: dict[str, int] | None = None
    notes: tuple[str, ...] = ()

    @property
    def rmse(self) -> float | None:
        return None if self.mse is None else math.sqrt(self.mse)

    def failures(self, limit: int | None = WORST_CASES) -> list[Case]:
        """Failing cases, worst first (largest |residual|, then model name)."""
        failed = [c for c in self.cases if c.hit is False]
        failed.sort(key=lambda c: (-(abs(c.residual) if c.residual is not None else 0.0), c.model, c.ref))
        return failed if limit is None else failed[:limit]

    def summary(self) -> str:
        """One line with n and the statistics that exist."""
        parts = [f"n = {self.n}"]
        if self.mae is not None:
            parts.append(f"MAE {self.mae:.2f}")
        if self.pearson_r is not None:
            parts.append(f"r = {self.pearson_r:.2f}")
        if self.balanced_accuracy is not None:
            parts.append(f"balanced accuracy {self.balanced_accuracy:.2f}")
        if self.n:
            parts.append(f"{self.hits}/{self.n} hits ({self.hit_rule})")
        return ", ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return _finite(
            {
                "key": self.key,
                "title": self.title,
                "n": self.n,
                "mae": self.mae,
                "rmse": self.rmse,
                "bias": self.bias,
                "pearson_r": self.pearson_r,
                "spearman_rho": self.spearman_rho,
                "mse": self.mse,
                "mse_of_panel_mean": self.mse_of_panel_mean,
                "hits": self.hits,
                "hit_rate": self.hit_rate,
                "hit_rule": self.hit_rule,
                "balanced_accuracy": self.balanced_accuracy,
                "confusion": self.confusion,
                "summary": self.summary(),
                "failures": [c.to_dict() for c in self.failures(None)],
                "cases": [c.to_dict() for c in self.cases],
                "notes": list(self.notes),
            }
        )


def _numeric(key: str, title: str, cases: Sequence[Case], hit_rule: str, notes: Iterable[str] = ()) -> Comparison:
    """Statistics of numeric predictions (cases carry float predicted/observed and a hit flag)."""
    preds = [c.predicted_value for c in cases]
    obs = [c.observed_value for c in cases]
    res = [o - p for p, o in zip(preds, obs, strict=True)]
    n = len(cases)
    hits = sum(1 for c in cases if c.hit)
    return Comparison(
        key=key,
        title=title,
        hit_rule=hit_rule,
        cases=tuple(cases),
        n=n,
        hits=hits,
        hit_rate=hits / n if n else None,
        mae=_mean([abs(r) for r in res]),
        bias=_mean(res),
        pearson_r=_pearson(preds, obs),
        spearman_rho=_spearman(preds, obs),
        mse=_mean([r * r for r in res]),
        mse_of_panel_mean=_pvariance(obs),
        notes=tuple(notes),
    )


def _categorical(
    key: str,
    title: str,
    cases: Sequence[Case],
    hit_rule: str,
    positive: Callable[[Case], bool | None] | None = None,
    notes: Iterable[str] = (),
) -> Comparison:
    """Hit rate; with ``positive`` (the observed class of a case) also a confusion table and balanced accuracy.

    ``positive(case)`` says whether the *observed* outcome is the positive class (e.g. retrieval works);
    the predicted class is positive exactly when the case is a hit and observed positive, or a miss and
    observed negative.
    """
    n = len(cases)
    hits = sum(1 for c in cases if c.hit)
    confusion: dict[str, int] | None = None
    balanced: float | None = None
    if positive is not None and n:
        tp = fn = fp = tn = 0
        for c in cases:
            obs_pos = positive(c)
            if obs_pos is None:
                continue
            pred_pos = obs_pos if c.hit else not obs_pos
            if obs_pos and pred_pos:
                tp += 1
            elif obs_pos:
                fn += 1
            elif pred_pos:
                fp += 1
            else:
                tn += 1
        confusion = {
            "predicted_yes_observed_yes": tp,
            "predicted_yes_observed_no": fp,
            "predicted_no_observed_yes": fn,
            "predicted_no_observed_no": tn,
        }
        if tp + fn and fp + tn:
            balanced = (tp / (tp + fn) + tn / (fp + tn)) / 2.0
    return Comparison(
        key=key,
        title=title,
        hit_rule=hit_rule,
        cases=tuple(cases),
        n=n,
        hits=hits,
        hit_rate=hits / n if n else None,
        balanced_accuracy=balanced,
        confusion=confusion,
        notes=tuple(notes),
    )


@dataclass(frozen=True)
class LawReport:
    """One predictive law tested on the panel: its comparisons (the first is the headline one)."""

    key: str
    title: str
    section: str
    formula: str
    engine: str  # the engine function(s) that made the predictions
    evidence: EvidenceNote  # the engine's own label for this law (core/constants.py)
    support: str  # one of SUPPORT_LEVELS: what the panel says about the law
    headline: str  # the panel statistic, one line with n
    comparisons: tuple[Comparison, ...]
    fitted: dict[str, Any] = field(default_factory=dict)  # values re-derived from the data, with n
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.support not in SUPPORT_LEVELS:
            raise ValueError(f"unknown support level {self.support!r} for law {self.key!r}")

    @property
    def primary(self) -> Comparison:
        return self.comparisons[0]

    def comparison(self, key: str) -> Comparison:
        for c in self.comparisons:
            if c.key == key:
                return c
        raise KeyError(key)

    def to_dict(self) -> dict[str, Any]:
        return _finite(
            {
                "key": self.key,
                "title": self.title,
                "section": self.section,
                "formula": self.formula,
                "engine": self.engine,
                "evidence": self.evidence.to_dict(),
                "support": self.support,
                "headline": self.headline,
                "comparisons": [c.to_dict() for c in self.comparisons],
                "fitted": self.fitted,
                "notes": list(self.notes),
            }
        )


@dataclass(frozen=True)
class LawEvidence:
    """A predictive step's evidence label plus the panel statistic that backs or contradicts it."""

    law_key: str
    label: Evidence
    support: str
    statistic: str
    n: int | None
    source: str

    def note(self) -> EvidenceNote:
        """As an :class:`EvidenceNote` (label, source, n, statistic) for a Step or the card."""
        return EvidenceNote(self.label, self.source, self.n, f"{self.support}: {self.statistic}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "law_key": self.law_key,
            "label": self.label.value,
            "support": self.support,
            "statistic": self.statistic,
            "n": self.n,
            "source": self.source,
        }


@dataclass(frozen=True)
class PanelConstant:
    """A constant the reference hard-coded (spec §2.1) beside the value the packaged data gives."""

    name: str
    reference_value: float
    reference_n: int | None
    data_value: float | None
    data_se: float | None
    n: int
    method: str
    differs: bool | None  # |data − reference| > 2 standard errors (None when no standard error exists)

    def to_dict(self) -> dict[str, Any]:
        return _finite({k: getattr(self, k) for k in self.__dataclass_fields__})


@dataclass(frozen=True)
class RefitCheck:
    """OLS refits of the stored power laws from their raw curves."""

    n_rows: int
    by_tier: dict[str, dict[str, Any]]
    rows: tuple[dict[str, Any], ...]  # every refit: row_id, tier, stored γ, refit γ, |Δ|, R², amplitude
    window_mismatches: tuple[str, ...]  # rows whose used_in_fit points are not exactly fit_d_min ≤ d ≤ T_eval

    @property
    def max_abs_diff_tier_A(self) -> float:
        return float(self.by_tier["A"]["max_abs_diff"])

    def to_dict(self) -> dict[str, Any]:
        return _finite(
            {
                "n_rows": self.n_rows,
                "by_tier": self.by_tier,
                "window_mismatches": list(self.window_mismatches),
                "rows": list(self.rows),
            }
        )


CLAIM_STATUSES = ("confirmed", "partial", "refuted", "untestable-with-this-data")


@dataclass(frozen=True)
class Claim:
    """One falsifier of spec §7.12 with the status the packaged data supports."""

    id: str
    claim: str
    reference_status: str
    status: str
    evidence: str
    n: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "claim": self.claim,
            "reference_status": self.reference_status,
            "status": self.status,
            "n": self.n,
            "evidence": self.evidence,
        }


@dataclass(frozen=True)
class Dashboard:
    claims: tuple[Claim, ...]

    @property
    def counts(self) -> dict[str, int]:
        return {s: sum(1 for c in self.claims if c.status == s) for s in CLAIM_STATUSES}

    def to_dict(self) -> dict[str, Any]:
        return {"counts": self.counts, "total": len(self.claims), "claims": [c.to_dict() for c in self.claims]}


@dataclass(frozen=True)
class ValidationReport:
    snapshot: str
    panel_counts: dict[str, Any]
    laws: tuple[LawReport, ...]
    refit: RefitCheck
    constants: tuple[PanelConstant, ...]
    dashboard: Dashboard

    def law(self, key: str) -> LawReport:
        for law in self.laws:
            if law.key == key:
                return law
        raise KeyError(key)

    def summary_rows(self) -> list[dict[str, Any]]:
        """One row per law from its headline comparison (README "How good are the predictions?",
        `taf validate`'s table and the web app's validation table)."""
        rows = []
        for law in self.laws:
            c = law.primary
            rows.append(
                {
                    "law": law.key,
                    "title": law.title,
                    "evidence": law.evidence.label.value,
                    "support": law.support,
                    "comparison": c.title,
                    "n": c.n,
                    "mae": c.mae,
                    "r": c.pearson_r,
                    "hits": c.hits,
                    "hit_rate": c.hit_rate,
                    "balanced_accuracy": c.balanced_accuracy,
                }
            )
        return _finite(rows)

    def to_dict(self) -> dict[str, Any]:
        return _finite(
            {
                "snapshot": self.snapshot,
                "panel_counts": self.panel_counts,
                "laws": [law.to_dict() for law in self.laws],
                "refit": self.refit.to_dict(),
                "constants": [c.to_dict() for c in self.constants],
                "falsification_dashboard": self.dashboard.to_dict(),
            }
        )


# =====================================================================================================
# row selection
# =====================================================================================================
def _text_rope() -> list[GammaRow]:
    return [r for r in load_panel().canonical("text") if r.is_rope and r.T_eval]


def _random_rope() -> list[GammaRow]:
    return [r for r in load_panel().canonical("random") if r.is_rope and r.T_eval]


def _pade(row: GammaRow, T: float | None = None) -> float:
    """γ_Padé of a panel row at T (default: the row's own T_eval, the largest fitted distance)."""
    T = T if T is not None else row.T_eval
    if row.rope_theta is None or T is None:
        raise ValueError(f"row {row.row_id} has no RoPE θ or no T_eval: γ_Padé does not apply")
    return gamma_pade(row.rope_theta, float(T))


def _params_M(row: GammaRow) -> float:
    return float(row.n_params_M) if row.n_params_M is not None else 0.0


@cache
def _pairs() -> tuple[tuple[GammaRow, GammaRow], ...]:
    """(text, random) canonical rows of the same model, in text-row order."""
    panel = load_panel()
    random_by_model = {r.model: r for r in panel.canonical("random")}
    return tuple((t, random_by_model[t.model]) for t in panel.canonical("text") if t.model in random_by_model)


def _support_numeric(c: Comparison) -> str:
    """backs: r ≥ 0.5 and beats the panel mean; contradicts: r² < 0.1 or worse than the panel mean."""
    if c.n < MIN_N:
        return "insufficient"
    r = c.pearson_r
    beats_mean = c.mse is not None and c.mse_of_panel_mean is not None and c.mse < c.mse_of_panel_mean
    if r is not None and r >= 0.5 and beats_mean:
        return "backs"
    if r is None or r * r < 0.1 or not beats_mean:
        return "contradicts"
    return "mixed"


def _support_rate(c: Comparison, *, use_balanced: bool = True) -> str:
    """backs ≥ 0.8, contradicts < 0.6 (balanced accuracy when both observed classes exist, else hit rate)."""
    if c.n < MIN_N:
        return "insufficient"
    score = c.balanced_accuracy if use_balanced and c.balanced_accuracy is not None else c.hit_rate
    if score is None:
        return "untestable"
    if score >= 0.8:
        return "backs"
    if score < 0.6:
        return "contradicts"
    return "mixed"


# =====================================================================================================
# the laws
# =====================================================================================================
def _residual_case(
    row: GammaRow, pred: float, detail: str = "", tol: float = GAMMA_TOL, *, strict: bool = False
) -> Case:
    """A row's measured γ against a predicted γ: residual γ − pred, a hit when |residual| ≤ tol (< tol if strict)."""
    res = row.gamma - pred
    hit = abs(res) < tol if strict else abs(res) <= tol
    return Case(row.model_label, row.row_id, pred, row.gamma, hit, res, detail)


def _pade_cases(rows: Sequence[GammaRow], T_of: Callable[[GammaRow], float | None]) -> list[Case]:
    cases = []
    for r in rows:
        T = T_of(r)
        if T is not None:
            cases.append(_residual_case(r, _pade(r, T), f"θ={r.rope_theta:g}, T={T:g}"))
    return cases


@cache
def _law_pade() -> LawReport:
    text = _numeric(
        "text_T_eval",
        "γ_Padé(θ, T_eval) vs measured text γ (canonical RoPE rows)",
        _pade_cases(_text_rope(), lambda r: r.T_eval),
        f"|γ − γ_Padé| ≤ {GAMMA_TOL}",
    )
    random = _numeric(
        "random_T_eval",
        "γ_Padé(θ, T_eval) vs measured random-token γ (canonical RoPE rows)",
        _pade_cases(_random_rope(), lambda r: r.T_eval),
        f"|γ − γ_Padé| ≤ {GAMMA_TOL}",
    )
    text_train = _numeric(
        "text_T_train",
        "γ_Padé(θ, T_train), what the card shows when no T_eval is given, vs measured text γ",
        _pade_cases(_text_rope(), lambda r: r.T_train),
        f"|γ − γ_Padé| ≤ {GAMMA_TOL}",
        ["the measurement itself runs only to T_eval (≤ 2000); rows without a documented T_train are skipped"],
    )
    steering_rows = [r for r in load_panel().rows if r.experiment == "theta_steering"]
    steering = _numeric(
        "theta_steering",
        "within one model: pythia-70m with its inference θ overridden (2k … 100k), γ_Padé(θ, 2000) vs measured γ",
        _pade_cases(steering_rows, lambda r: r.T_eval),
        f"|γ − γ_Padé| ≤ {GAMMA_TOL}",
        ["fit window d ≥ 10 (the experiment's own protocol)"],
    )
    # Models that share one γ_Padé value: the spread the formula cannot see.
    groups: dict[float, list[GammaRow]] = {}
    for r in _text_rope():
        groups.setdefault(round(_pade(r), 9), []).append(r)
    largest_key = max(groups, key=lambda k: (len(groups[k]), k))
    largest = groups[largest_key]
    same = [r.gamma for r in largest]
    mean_obs = _mean([c.observed_value for c in text.cases])
    mean_pred = _mean([c.predicted_value for c in text.cases])
    step1 = [r for r in load_panel().rows if r.experiment == "gamma_field" and r.revision == "step1"]
    fitted: dict[str, Any] = {
        "variance_explained_text": None if text.pearson_r is None else text.pearson_r**2,
        "centroid_text": {"mean_measured": mean_obs, "mean_pade": mean_pred, "n": text.n},
        "same_pade_group": {
            "gamma_pade": largest_key,
            "n": len(largest),
            "measured_min": min(same),
            "measured_max": max(same),
            "models": [r.model_label for r in largest],
        },
        "random_init_pythia_1b": [
            {"row_id": r.row_id, "T_eval": r.T_eval, "gamma": r.gamma, "gamma_pade": _pade(r)} for r in step1
        ],
    }
    headline = (
        f"γ_Padé vs measured γ on {text.n} models (text): r = {_f(text.pearson_r)}, MAE {_f(text.mae)}, "
        f"{text.hits}/{text.n} within ±{GAMMA_TOL}; MSE {_f(text.mse, '.3f')} vs {_f(text.mse_of_panel_mean, '.3f')} "
        f"for predicting the panel mean (random tokens: n = {random.n}, r = {_f(random.pearson_r)}, "
        f"MAE {_f(random.mae)})"
    )
    return LawReport(
        key="pade",
        title="γ_Padé: measured γ from RoPE θ and T",
        section="§26.1",
        formula="γ = (2θ − √2·T)/(2θ + √2·T)",
        engine="core.pade.gamma_pade",
        evidence=PADE_EVIDENCE,
        support=_support_numeric(text),
        headline=headline,
        comparisons=(text, random, text_train, steering),
        fitted=fitted,
        notes=(
            f"{len(largest)} models share γ_Padé = {largest_key:.3f} and measure {min(same):.2f}–{max(same):.2f}: "
            "the formula has no term for what separates them (training data, size, architecture).",
            "Padé has no corpus term, yet changing the corpus moves γ within a model by up to "
            f"{max(abs(r.gamma - t.gamma) for t, r in _pairs()):.2f} (canonical text/random pairs).",
        ),
    )


def _decomp_v1_cases(rows: Sequence[GammaRow]) -> list[Case]:
    return [
        _residual_case(r, gamma_decompose(_pade(r), r.has_gqa, r.has_swa, _params_M(r) * 1e6)["gamma_corrected"])
        for r in rows
    ]


def _decomp_v2_cases(rows: Sequence[GammaRow], corpus: str) -> list[Case]:
    return [
        _residual_case(
            r,
            gamma_decompose_v2(_pade(r), _params_M(r), r.has_gqa, r.has_swa, corpus, r.is_instruct)["gamma_corrected"],
        )
        for r in rows
    ]


@cache
def _law_decomposition_v1() -> LawReport:
    text = _numeric(
        "text_T_eval",
        "γ_corrected v1 = γ_Padé + δ_GQA + δ_SWA + δ_post_IH vs measured text γ",
        _decomp_v1_cases(_text_rope()),
        f"|γ − γ_corrected| ≤ {GAMMA_TOL}",
    )
    random = _numeric(
        "random_T_eval",
        "γ_corrected v1 vs measured random-token γ (v1 has no corpus term)",
        _decomp_v1_cases(_random_rope()),
        f"|γ − γ_corrected| ≤ {GAMMA_TOL}",
    )
    pade_text = _law_pade().primary
    return LawReport(
        key="decomposition_v1",
        title="γ decomposition v1 (X-2, X-19, the card's γ_corrected)",
        section="§26.10",
        formula="γ_corr = γ_Padé + δ_GQA (+0.11) + δ_SWA (0, disabled) + δ_post_IH (−0.15 if N ≥ 4e8)",
        engine="core.decomposition.gamma_decompose",
        evidence=EvidenceNote(Evidence.EXPLORATORY, "§26.10 γ_Padé plus empirical offsets (only δ_GQA is fitted)"),
        support=_support_numeric(text),
        headline=(
            f"γ_corrected (v1) vs measured γ on {text.n} models (text): r = {_f(text.pearson_r)}, MAE {_f(text.mae)}, "
            f"{text.hits}/{text.n} within ±{GAMMA_TOL} (γ_Padé alone: MAE {_f(pade_text.mae)})"
        ),
        comparisons=(text, random),
        fitted={"mae_pade_alone_text": pade_text.mae, "mae_change_vs_pade_text": _diff(text.mae, pade_text.mae)},
    )


def _diff(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b


@cache
def _law_decomposition_v2() -> LawReport:
    text = _numeric(
        "text_T_eval",
        "γ_corrected v2 (corpus = text) vs measured text γ",
        _decomp_v2_cases(_text_rope(), "text"),
        f"|γ − γ_corrected| ≤ {GAMMA_TOL}",
    )
    random = _numeric(
        "random_T_eval",
        "γ_corrected v2 (corpus = random, with δ_imprint) vs measured random-token γ",
        _decomp_v2_cases(_random_rope(), "random"),
        f"|γ − γ_corrected| ≤ {GAMMA_TOL}",
    )
    both = _numeric(
        "both_corpora",
        "γ_corrected v2 vs measured γ, text and random rows together",
        [*text.cases, *random.cases],
        f"|γ − γ_corrected| ≤ {GAMMA_TOL}",
    )
    return LawReport(
        key="decomposition_v2",
        title="γ decomposition v2 (library only: adds δ_imprint and δ_instruct)",
        section="§28.3",
        formula="γ_corr = γ_Padé + δ_imprint (random only) + δ_GQA + δ_SWA + δ_post_IH + δ_instruct (−0.10)",
        engine="core.decomposition.gamma_decompose_v2",
        evidence=EvidenceNote(Evidence.EXPLORATORY, "§28.3 six-axis decomposition; GQA and imprint axes most reliable"),
        support=_support_numeric(both),
        headline=(
            f"γ_corrected (v2) vs measured γ: text n = {text.n}, r = {_f(text.pearson_r)}, MAE {_f(text.mae)}; "
            f"random n = {random.n}, r = {_f(random.pearson_r)}, MAE {_f(random.mae)}"
        ),
        comparisons=(both, text, random),
    )


def _delta_comparison(
    key: str,
    title: str,
    rows: Sequence[GammaRow],
    applies: Callable[[GammaRow], bool],
    delta_of: Callable[[GammaRow], float],
) -> tuple[Comparison, dict[str, Any]]:
    """Does adding δ to γ_Padé help where it applies? Also the δ the data implies (difference of group means)."""
    cases = []
    in_res: list[float] = []
    out_res: list[float] = []
    for r in rows:
        base = _pade(r)
        residual = r.gamma - base
        if not applies(r):
            out_res.append(residual)
            continue
        in_res.append(residual)
        delta = delta_of(r)
        pred = base + delta
        helped = abs(r.gamma - pred) < abs(residual)
        cases.append(Case(r.model_label, r.row_id, pred, r.gamma, helped, r.gamma - pred, f"δ = {delta:+.3f}"))
    comparison = _numeric(key, title, cases, "adding δ moves γ_Padé closer to the measured γ")
    implied = None
    se = None
    if in_res and out_res:
        implied = math.fsum(in_res) / len(in_res) - math.fsum(out_res) / len(out_res)
        s_in, s_out = _sample_std(in_res), _sample_std(out_res)
        if s_in is not None and s_out is not None:
            se = math.sqrt(s_in**2 / len(in_res) + s_out**2 / len(out_res))
    fitted = {
        "implied_delta": implied,
        "implied_delta_se": se,
        "n_applies": len(in_res),
        "n_not_applies": len(out_res),
        "method": "mean(γ − γ_Padé) where δ applies − mean(γ − γ_Padé) where it does not",
        "mae_pade_alone_where_applies": _mean([abs(x) for x in in_res]),
        "mae_with_delta_where_applies": comparison.mae,
    }
    return comparison, fitted


def _delta_support(reference: float, fitted: dict[str, Any], comparison: Comparison) -> str:
    implied, se = fitted["implied_delta"], fitted["implied_delta_se"]
    if comparison.n < MIN_N or implied is None or se is None:
        return "insufficient"
    if implied * reference < 0 or (comparison.hit_rate is not None and comparison.hit_rate < 0.5):
        return "contradicts"
    if abs(implied - reference) <= 2 * se and (comparison.hit_rate or 0.0) >= 0.5:
        return "backs"
    return "mixed"


def _delta_law(
    key: str,
    title: str,
    section: str,
    formula: str,
    evidence: EvidenceNote,
    reference: float,
    applies: Callable[[GammaRow], bool],
    delta_of: Callable[[GammaRow], float],
    extra: Sequence[Comparison] = (),
    extra_fitted: dict[str, Any] | None = None,
    notes: Sequence[str] = (),
    support: str | None = None,
) -> LawReport:
    text, fitted_text = _delta_comparison(
        "text", f"{title}: γ_Padé + δ vs measured text γ where δ applies", _text_rope(), applies, delta_of
    )
    random, fitted_random = _delta_comparison(
        "random", f"{title}: γ_Padé + δ vs measured random-token γ where δ applies", _random_rope(), applies, delta_of
    )
    fitted = {"reference_delta": reference, "text": fitted_text, "random": fitted_random, **(extra_fitted or {})}
    implied = fitted_text["implied_delta"]
    headline = (
        f"{title} {reference:+.2f}: where it applies (text, n = {text.n}) it moves γ_Padé closer to the "
        f"measurement in {text.hits}/{text.n} models; the data imply {_f(implied, '+.3f')} "
        f"(± {_f(fitted_text['implied_delta_se'], '.3f')}, {fitted_text['n_applies']} vs "
        f"{fitted_text['n_not_applies']} models)"
    )
    return LawReport(
        key=key,
        title=title,
        section=section,
        formula=formula,
        engine="core.decomposition.gamma_decompose_v2",
        evidence=evidence,
        support=support or _delta_support(reference, fitted_text, text),
        headline=headline,
        comparisons=(text, random, *extra),
        fitted=fitted,
        notes=tuple(notes),
    )


@cache
def _law_delta_gqa() -> LawReport:
    return _delta_law(
        "delta_gqa",
        "δ_GQA",
        "§26.10",
        "δ_GQA = +0.11 when n_kv_heads < n_heads",
        DELTA_GQA_EVIDENCE,
        DELTA_GQA,
        lambda r: r.has_gqa,
        lambda r: DELTA_GQA,
    )


@cache
def _law_delta_post_ih() -> LawReport:
    return _delta_law(
        "delta_post_ih",
        "δ_post_IH",
        "§26.10",
        "δ_post_IH = −0.15 when N ≥ 4e8 parameters",
        DELTA_POST_IH_EVIDENCE,
        DELTA_POST_IH,
        lambda r: _params_M(r) >= 400.0,
        lambda r: DELTA_POST_IH,
    )


@cache
def _law_delta_swa() -> LawReport:
    return _delta_law(
        "delta_swa",
        "δ_SWA (historical, disabled)",
        "§26.10",
        "δ_SWA = −0.21 when a sliding window is present (applied as 0 since v0.5.3)",
        DELTA_SWA_EVIDENCE,
        DELTA_SWA_HISTORICAL,
        lambda r: r.has_swa,
        lambda r: DELTA_SWA_HISTORICAL,
        notes=("the engine applies δ_SWA = 0; the comparison tests whether re-enabling −0.21 would help",),
    )


@cache
def _law_delta_instruct() -> LawReport:
    panel = load_panel()
    pairs: dict[str, dict[str, GammaRow]] = {}
    for r in panel.rows:
        if r.experiment == "rlhf_pairs":
            match = re.search(r"pair=([\w.\-]+)", r.notes or "")
            if match:
                pairs.setdefault(match.group(1), {})[r.condition or ""] = r
    cases = []
    for name in sorted(pairs):
        pair = pairs[name]
        if "base" not in pair or "instruct" not in pair:
            continue
        base, inst = pair["base"], pair["instruct"]
        observed = inst.gamma - base.gamma
        hit = abs(observed - DELTA_INSTRUCT) < abs(observed)
        cases.append(
            Case(
                name,
                f"{base.row_id}/{inst.row_id}",
                DELTA_INSTRUCT,
                observed,
                hit,
                observed - DELTA_INSTRUCT,
                f"tiers {base.tier}/{inst.tier}; same protocol within the pair",
            )
        )
    paired = _numeric(
        "rlhf_pairs",
        "δ_instruct vs γ(instruct) − γ(base) measured on the same protocol (RLHF pairs)",
        cases,
        "δ_instruct is closer to the measured shift than no shift (0)",
    )
    shifts = [c.observed_value for c in cases]
    shift_std = _sample_std(shifts)
    return _delta_law(
        "delta_instruct",
        "δ_instruct",
        "§28.3",
        "δ_instruct = −0.10 for instruction-tuned models (v2 only)",
        DELTA_INSTRUCT_EVIDENCE,
        DELTA_INSTRUCT,
        lambda r: r.is_instruct,
        lambda r: DELTA_INSTRUCT,
        extra=(paired,),
        extra_fitted={
            "paired_mean_shift": _mean(shifts),
            "paired_shift_se": None if shift_std is None else shift_std / math.sqrt(len(shifts)),
            "paired_n": len(shifts),
        },
        notes=(
            "the cross-sectional instruct models (gemma-2-9b-it, phi-3-mini, CodeLlama-13b-Instruct, Mistral-Nemo) "
            "differ from the base models in much more than instruction tuning; the RLHF pairs are the clean test",
        ),
    )


@cache
def _law_delta_imprint() -> LawReport:
    rows = _random_rope()
    cases = []
    for r in rows:
        base = _pade(r)
        delta = imprint_shift(_params_M(r))
        pred = base + delta
        cases.append(
            Case(
                r.model_label,
                r.row_id,
                pred,
                r.gamma,
                abs(r.gamma - pred) < abs(r.gamma - base),
                r.gamma - pred,
                f"δ_imprint = {delta:+.3f} (P = {_params_M(r):g}M)",
            )
        )
    random = _numeric(
        "random",
        "γ_Padé + δ_imprint vs measured random-token γ",
        cases,
        "adding δ moves γ_Padé closer to the measured γ",
    )
    paired_cases = []
    for text_row, random_row in _pairs():
        if not text_row.is_rope:
            continue
        pred = imprint_shift(_params_M(random_row))
        obs = random_row.gamma - text_row.gamma
        paired_cases.append(
            Case(
                text_row.model_label,
                f"{text_row.row_id}/{random_row.row_id}",
                pred,
                obs,
                abs(obs - pred) < abs(obs),
                obs - pred,
                "v2 says γ_random − γ_text = δ_imprint when all else is equal",
            )
        )
    paired = _numeric(
        "paired",
        "δ_imprint vs γ_random − γ_text of the same model",
        paired_cases,
        "δ_imprint is closer to the measured difference than 0",
    )
    xs = [math.log10(max(_params_M(r), 1e-3) / P0_IMPRINT_M) for r in rows]
    ys = [r.gamma - _pade(r) for r in rows]
    nu_origin, nu_origin_se = _ols_origin(xs, ys)
    slope, intercept, r2, slope_se = _ols(xs, ys)
    fitted = {
        "reference_nu": NU_IMPRINT,
        "nu_through_origin": nu_origin,
        "nu_through_origin_se": nu_origin_se,
        "nu_with_intercept": slope,
        "nu_with_intercept_se": slope_se,
        "intercept": intercept,
        "R2_with_intercept": r2,
        "n": len(rows),
        "method": "OLS of γ_random − γ_Padé(θ, T_eval) on log10(P/14M)",
    }
    support = "contradicts" if random.hit_rate is not None and random.hit_rate < 0.5 else _support_numeric(paired)
    return LawReport(
        key="delta_imprint",
        title="δ_imprint",
        section="§28.1/§28.3",
        formula="δ_imprint = ν·log10(P/14M), ν = −1/(2π), random-token corpus only",
        engine="core.decomposition.imprint_shift",
        evidence=IMPRINT_EVIDENCE,
        support=support,
        headline=(
            f"δ_imprint: moves γ_Padé closer to measured random-token γ in {random.hits}/{random.n} models; "
            f"fitted ν = {_f(nu_origin, '+.3f')} ± {_f(nu_origin_se, '.3f')} vs −1/(2π) = {NU_IMPRINT:+.3f}; "
            f"paired γ_random − γ_text: n = {paired.n}, r = {_f(paired.pearson_r)}"
        ),
        comparisons=(random, paired),
        fitted=fitted,
    )


@cache
def _law_imprint() -> LawReport:
    cases = [
        _residual_case(
            r,
            gamma_random_predict(_real(r.rope_theta), _real(r.T_eval), _params_M(r)),
            tol=IMPRINT_CI_HALF_WIDTH,
            strict=True,
        )
        for r in _random_rope()
    ]
    random = _numeric(
        "random_T_eval",
        "γ_random predicted = γ_Padé(θ, T_eval) + ν·log10(P/14M) vs measured random-token γ",
        cases,
        f"|residual| < {IMPRINT_CI_HALF_WIDTH} (the law's 95 % CI: 'clean')",
    )
    residuals = [c.residual for c in cases if c.residual is not None]
    std = _sample_std(residuals)
    return LawReport(
        key="imprint",
        title="γ_random via the imprint law (X-21)",
        section="§28.1/§28.2",
        formula="γ_random = γ_Padé(θ, T) + ν·log10(P/14M), ν = −1/(2π); clean within ±0.18",
        engine="core.imprint.gamma_random_predict",
        evidence=IMPRINT_EVIDENCE,
        support=_support_numeric(random),
        headline=(
            f"γ_random predicted vs measured on {random.n} models: r = {_f(random.pearson_r)}, MAE {_f(random.mae)}, "
            f"{random.hits}/{random.n} within the ±{IMPRINT_CI_HALF_WIDTH} CI"
        ),
        comparisons=(random,),
        fitted={
            "residual_std": std,
            "ci95_half_width_from_data": None if std is None else 1.96 * std,
            "reference_ci95_half_width": IMPRINT_CI_HALF_WIDTH,
            "n": len(residuals),
        },
    )


@cache
def _law_k_band() -> LawReport:
    cases = []
    ks: list[float] = []
    gammas: list[float] = []
    for r in load_panel().canonical("text"):
        if not r.n_params_M:
            continue
        inv = compute_invariant_K(r.gamma, float(r.n_params_M))
        ks.append(inv["K"])
        gammas.append(r.gamma)
        cases.append(
            Case(
                r.model_label,
                r.row_id,
                f"in band [{K_PANEL_MEAN - K_PANEL_STD:.1f}, {K_PANEL_MEAN + K_PANEL_STD:.1f}]",
                inv["K"],
                bool(inv["in_distribution"]),
                inv["K"] - K_PANEL_MEAN,
                f"γ = {r.gamma:.3f}, P = {r.n_params_M:g}M, z = {inv['z_score']:+.2f}",
            )
        )
    comparison = _categorical(
        "text_all",
        "K = γ·ln(N²·D), D = 20·N, for every measured text γ, against the reference band",
        cases,
        "|z| ≤ 1 with the reference mean 51.2 and std 16.8",
    )
    mean_k, std_k = _mean(ks), _sample_std(ks)
    mean_g, std_g = _mean(gammas), _sample_std(gammas)
    cv_k = None if mean_k is None or std_k is None else std_k / mean_k
    cv_g = None if mean_g is None or std_g is None else std_g / mean_g
    in_band_data = None
    if mean_k is not None and std_k is not None:
        in_band_data = sum(1 for k in ks if abs(k - mean_k) <= std_k)
    return LawReport(
        key="k_band",
        title="Compute-context invariant K band (X-22)",
        section="§29",
        formula="K = γ·ln(N²·D); in band when |K − 51.2| ≤ 16.8",
        engine="core.imprint.compute_invariant_K",
        evidence=K_EVIDENCE,
        support=_support_rate(comparison, use_balanced=False),
        headline=(
            f"K of {comparison.n} measured text γ: mean {_f(mean_k, '.1f')}, std {_f(std_k, '.1f')} "
            f"(reference {K_PANEL_MEAN} ± {K_PANEL_STD}, n = {K_PANEL_N}); {comparison.hits}/{comparison.n} in the "
            f"reference band; CV(K) {_f(cv_k)} vs CV(γ) {_f(cv_g)}"
        ),
        comparisons=(comparison,),
        fitted={
            "K_mean": mean_k,
            "K_std": std_k,
            "K_cv": cv_k,
            "gamma_cv": cv_g,
            "n": len(ks),
            "in_band_with_data_band": in_band_data,
        },
        notes=(
            "ln(N²·D) = 3·ln N + ln 20 varies only ~20 % across the panel, so K's spread is mostly γ's spread: "
            "compare CV(K) with CV(γ) before reading K as an invariant.",
        ),
    )


@cache
def _law_ih_phase() -> LawReport:
    cases = []
    pre: list[float] = []
    post: list[float] = []
    for text_row, random_row in _pairs():
        size = _params_M(text_row) if text_row.n_params_M else None
        check = ih_phase_check(text_row.gamma, random_row.gamma, size)
        delta = check["delta_gamma"]
        expected = check["phase_expected_by_size"]
        (post if expected == "post-IH" else pre).append(delta)
        cases.append(
            Case(
                text_row.model_label,
                f"{text_row.row_id}/{random_row.row_id}",
                expected,
                check["phase_observed"],
                bool(check["consistent"]),
                None,
                f"Δγ = γ_text − γ_random = {delta:+.3f}, P = {text_row.n_params_M:g}M",
            )
        )
    comparison = _categorical(
        "pairs",
        "size-based phase (post-IH at ≥ 400M) vs the sign of γ_text − γ_random",
        cases,
        "observed phase equals the size prediction",
        positive=lambda c: c.observed == "post-IH",
    )
    pooled = None
    s_pre, s_post = _sample_std(pre), _sample_std(post)
    if s_pre is not None and s_post is not None:
        pooled = math.sqrt(((len(pre) - 1) * s_pre**2 + (len(post) - 1) * s_post**2) / (len(pre) + len(post) - 2))
    return LawReport(
        key="ih_phase",
        title="IH-phase sign rule (X-23)",
        section="§30",
        formula="post-IH ⇔ γ_text − γ_random > 0; size predicts post-IH at ≥ 400M parameters",
        engine="core.imprint.ih_phase_check",
        evidence=IH_EVIDENCE,
        support=_support_rate(comparison),
        headline=(
            f"IH-phase sign rule on {comparison.n} models: {comparison.hits}/{comparison.n} consistent with size "
            f"(balanced accuracy {_f(comparison.balanced_accuracy)}); mean Δγ pre-IH {_f(_mean(pre), '+.2f')} "
            f"(n = {len(pre)}), post-IH {_f(_mean(post), '+.2f')} (n = {len(post)})"
        ),
        comparisons=(comparison,),
        fitted={
            "pre_IH_mean": _mean(pre),
            "pre_IH_std": _sample_std(pre),
            "pre_IH_n": len(pre),
            "post_IH_mean": _mean(post),
            "post_IH_std": _sample_std(post),
            "post_IH_n": len(post),
            "pooled_std": pooled,
            "all_std": _sample_std(pre + post),
        },
    )


@cache
def _law_arch_concentration() -> LawReport:
    cases = []
    xs: list[float] = []
    ys: list[float] = []
    for r in _text_rope():
        if not r.n_kv_heads:
            continue
        pred = architectural_concentration_predict(_pade(r), r.n_kv_heads)["gamma_text_predicted"]
        xs.append(float(r.n_kv_heads))
        ys.append(_pade(r) - r.gamma)
        cases.append(_residual_case(r, pred, f"n_kv = {r.n_kv_heads}"))
    comparison = _numeric(
        "text_T_eval",
        "γ_text ≈ γ_Padé − 0.012·n_kv vs measured text γ",
        cases,
        f"|γ − predicted| ≤ {GAMMA_TOL}",
    )
    k_fit, k_se = _ols_origin(xs, ys)
    observed = [c.observed_value for c in cases]
    mean_observed = math.fsum(observed) / len(observed)
    sst = math.fsum((o - mean_observed) ** 2 for o in observed)
    sse = math.fsum(c.residual**2 for c in cases if c.residual is not None)
    r2_law = 1.0 - sse / sst if sst else None
    return LawReport(
        key="arch_concentration",
        title="Architectural concentration k_arch",
        section="§33.1",
        formula="γ_text ≈ γ_Padé − k_arch·n_kv, k_arch = 0.012",
        engine="core.diagnostics.architectural_concentration_predict",
        evidence=ARCH_CONCENTRATION_EVIDENCE,
        support=_support_numeric(comparison),
        headline=(
            f"γ_Padé − 0.012·n_kv vs measured text γ on {comparison.n} models: r = {_f(comparison.pearson_r)}, "
            f"MAE {_f(comparison.mae)}, R² {_f(r2_law)}; refitted k_arch = "
            f"{_f(k_fit, '.4f')} ± {_f(k_se, '.4f')}"
        ),
        comparisons=(comparison,),
        fitted={
            "k_arch_fit": k_fit,
            "k_arch_fit_se": k_se,
            "reference_k_arch": K_ARCH,
            "R2_of_law": r2_law,
            "n": len(xs),
            "method": "OLS through the origin of γ_Padé − γ_text on n_kv",
        },
    )


# ---- downstream: D_f window -----------------------------------------------------------------------
_DF_RE = re.compile(r"D_f\(f=0\.9\)=(\d+)")


def _ppl_at(points: Sequence[tuple[float, float]], window: float) -> tuple[float, str]:
    """Perplexity at a KV window: the measured point, else linear interpolation between its neighbours."""
    for w, ppl in points:
        if w == window:
            return ppl, "measured at W = D_f"
    below = [p for p in points if p[0] < window]
    above = [p for p in points if p[0] > window]
    if not below or not above:
        w, ppl = min(points, key=lambda p: abs(p[0] - window))
        return ppl, f"nearest measured window W = {w:g}"
    (w0, p0), (w1, p1) = below[-1], above[0]
    return p0 + (p1 - p0) * (window - w0) / (w1 - w0), f"interpolated between W = {w0:g} and {w1:g}"


def _kv_window_series() -> list[dict[str, Any]]:
    """One entry per (model, run) of kv_window_ppl: γ the experiment used, N, ppl_full, (W, ppl) points."""
    series: dict[tuple[str, str], dict[str, Any]] = {}
    for o in outcome_set("kv_window_ppl"):
        run = "B" if "extended" in o.source_file else "A"
        entry = series.setdefault(
            (o.model, run),
            {
                "model": o.model,
                "run": run,
                "gamma": o.gamma_quoted_by_file,
                "ppl_full": o.reference_value,
                "author_D_f": None,
                "points": [],
                "ids": [],
            },
        )
        match = _DF_RE.search(o.author_prediction or "")
        if match:
            entry["author_D_f"] = int(match.group(1))
        entry["points"].append((float(o.x_value), float(o.value)))
        entry["ids"].append(o.gt_id)
    out = []
    for key in sorted(series, key=lambda k: (k[1], _size_key(k[0]))):
        entry = series[key]
        entry["points"].sort()
        entry["N"] = int(max(w for w, _ in entry["points"]))
        out.append(entry)
    return out


def _size_key(model: str) -> float:
    row = load_panel().rows_for(model)
    return float(row[0].n_params_M or 0.0) if row else 0.0


def _df_case(entry: dict[str, Any], gamma: float, source: str, window: int | None = None) -> Case:
    """ΔPPL at the engine's D_f(γ, N, 0.9) (or at a given window, e.g. the one the experiment measured)."""
    engine_window = window is None
    if window is None:
        window = df_window(gamma, entry["N"], 0.9)
    ppl, how = _ppl_at(entry["points"], window)
    delta = ppl - entry["ppl_full"]
    label = entry["model"].rsplit("/", 1)[-1] + f" (run {entry['run']})"
    return Case(
        label,
        f"{entry['ids'][0]}…{entry['ids'][-1]}",
        float(window),
        delta,
        delta <= 0.0,
        None,
        f"{source} γ = {gamma:.3f} → {'D_f' if engine_window else 'the experiment’s D_f'} = {window}; "
        f"ppl {ppl:.2f} vs full {entry['ppl_full']:.2f} "
        f"({100 * delta / entry['ppl_full']:+.1f} %), {how}",
    )


@cache
def _law_df_window() -> LawReport:
    series = _kv_window_series()
    inside, outside, closed, at_author, at_author_in_band, author_agree = [], [], [], [], [], []
    for entry in series:
        gamma = entry["gamma"]
        case = _df_case(entry, gamma, "measured")
        (inside if DF_ZONE[0] <= gamma <= DF_ZONE[1] else outside).append(case)
        if entry["author_D_f"] is not None:
            author_agree.append((entry["model"], entry["run"], int(case.predicted_value), entry["author_D_f"]))
            at_author.append(_df_case(entry, gamma, "measured", window=entry["author_D_f"]))
            if DF_ZONE[0] <= gamma <= DF_ZONE[1]:
                at_author_in_band.append(at_author[-1])
        panel_rows = load_panel().rows_for(entry["model"])
        if panel_rows and panel_rows[0].is_rope:
            r = panel_rows[0]
            g_corr = gamma_decompose(_pade(r, entry["N"]), r.has_gqa, r.has_swa, _params_M(r) * 1e6)["gamma_corrected"]
            if g_corr > 0:
                closed.append(_df_case(entry, g_corr, "closed-form (γ_corrected at T = N)"))
    rule = "ΔPPL = ppl(W = D_f) − ppl(full) ≤ 0"
    in_zone = _categorical(
        "measured_gamma_in_band",
        f"truncating the KV cache at D_f(γ_measured, N, 0.9), γ in [{DF_ZONE[0]}, {DF_ZONE[1]}]",
        inside,
        rule,
        notes=("perplexity vs W is flat and noisy within about ±0.5 ppl from W ≈ 768 up (panel README)",),
    )
    out_zone = _categorical(
        "measured_gamma_outside_band",
        "the same window for γ outside the calibrated band (the engine marks it exploratory)",
        outside,
        rule,
    )
    closed_form = _categorical(
        "closed_form_gamma",
        "D_f from the closed form γ_corrected (what X-19 offers without a measurement)",
        closed,
        rule,
    )
    author = _categorical(
        "experiment_D_f",
        "at the window the experiment itself measured as D_f (its own, older D_f formula; γ in or out of the band)",
        at_author,
        rule,
        notes=("the experiment's D_f values differ from the engine's exact discrete D_f for every model",),
    )
    d90_cases = []
    for o in outcome_set("attn_mass_d90"):
        gamma = o.gamma_quoted_by_file
        if gamma is None or gamma <= 0:
            continue
        N = int(o.x_value)
        theory = df_window(gamma, N, 0.9)
        rel = (float(o.value) - theory) / theory
        d90_cases.append(
            Case(
                o.model.rsplit("/", 1)[-1] + f" ({o.condition})",
                o.gt_id,
                float(theory),
                float(o.value),
                abs(rel) <= 0.1,
                float(o.value) - theory,
                f"γ = {gamma:.3f}, N = {N}; author's theory {o.author_prediction}; relative error {100 * rel:+.1f} %",
            )
        )
    d90 = _numeric(
        "d90_same_curve",
        "internal check: D90 of the fitted power law vs the empirical 90 %-mass distance on the same curve",
        d90_cases,
        "within 10 % of the empirical distance",
        ["not a downstream outcome: both numbers come from the same attention curve"],
    )
    agree = sum(1 for _, _, ours, theirs in author_agree if ours == theirs)
    return LawReport(
        key="df_window",
        title="D_f KV window (X-19)",
        section="§26.7",
        formula="D_f = smallest D with Σ_{d≤D} d^−γ ≥ 0.9·Σ_{d≤N} d^−γ; truncation harmless for γ in [0.65, 0.85]",
        engine="core.thermo.df_window",
        evidence=DF_ZONE_EVIDENCE,
        support=_support_rate(in_zone, use_balanced=False),
        headline=(
            f"KV window at D_f (γ in the band): perplexity not worse than full context in {in_zone.hits}/{in_zone.n} "
            f"Pythia runs; outside the band {out_zone.hits}/{out_zone.n}; the experiment's own D_f windows match the "
            f"engine's D_f in {agree}/{len(author_agree)} runs"
        ),
        comparisons=(in_zone, out_zone, closed_form, author, d90),
        fitted={
            "experiment_D_f_in_band": {"hits": sum(1 for c in at_author_in_band if c.hit), "n": len(at_author_in_band)},
            "engine_D_f_equals_experiment_D_f": {
                "agree": agree,
                "n": len(author_agree),
                "pairs": [
                    {"model": m, "run": run, "engine_D_f": ours, "experiment_D_f": theirs}
                    for m, run, ours, theirs in author_agree
                ],
            },
        },
        notes=(
            "ΔPPL at the engine's D_f is interpolated between the measured windows when D_f was not measured itself; "
            "perplexity vs W is noisy (about ±0.5 ppl), so single cases near 0 are not decisive",
            "for γ > 1 the experiment file says D_f = N, while the engine computes the exact window for every γ > 0",
        ),
    )


# ---- downstream: X-2 NIAH ceiling -----------------------------------------------------------------
def _niah_ceiling_closed_form(
    theta: float, L: float, has_gqa: bool, has_swa: bool, n_params: float
) -> tuple[float | None, float]:
    """X-2 without a measurement: L_NIAH^c = 2·d_horizon(θ, γ_corrected(θ, L)) (the chain of steps 1–4)."""
    g_corr = gamma_decompose(gamma_pade(theta, L), has_gqa, has_swa, n_params)["gamma_corrected"]
    dh = d_horizon(theta, g_corr)
    if dh is not None and abs(dh - L) <= 1e-9 * max(dh, L):  # X-2 snaps the identity D-NEW-1 (no δ applies)
        dh = float(L)
    return l_niah(dh), g_corr


def _retrieval_case(
    model: str,
    ref: str,
    L: float,
    ceiling: float | None,
    score: float,
    detail: str,
    threshold: float = NIAH_PASS_ACCURACY,
    measure: str = "accuracy {:.2f}",
) -> Case:
    """Predicted retrieval (L < ceiling) against observed retrieval (score ≥ threshold); ``measure`` shows the score."""
    predicted_ok = ceiling is not None and ceiling > L
    observed_ok = score >= threshold
    return Case(
        model,
        ref,
        "retrieves" if predicted_ok else "fails",
        "retrieves" if observed_ok else "fails",
        predicted_ok == observed_ok,
        None,
        f"L = {L:g}, L_NIAH^c = {'n/a' if ceiling is None else f'{ceiling:,.0f}'}, {measure.format(score)}; {detail}",
    )


_RULER_ARCH = {
    # RULER model → embedded preset with the same architecture (the instruct/chat variant shares the base config).
    "meta-llama/Llama-3.1-70B-Instruct": "meta-llama/Llama-3.1-70B",
    "mistralai/Mixtral-8x7B-Instruct-v0.1": "mistralai/Mixtral-8x7B-v0.1",
}


@cache
def _law_niah_ceiling() -> LawReport:
    panel = load_panel()
    measured, closed, t_train = [], [], []
    for o in outcome_set("niah_logprob_ntk"):
        label = o.model.rsplit("/", 1)[-1]
        alpha = float(o.cond_value)
        L = float(o.x_value)
        theta = _real(o.theta)
        row = panel.rows_for(o.model)[0]
        ref = o.gt_id
        cf_ceiling, g_corr = _niah_ceiling_closed_form(alpha * theta, L, row.has_gqa, row.has_swa, _params_M(row) * 1e6)
        closed.append(
            _retrieval_case(f"{label} α={alpha:g}", ref, L, cf_ceiling, float(o.value), f"γ_corrected = {g_corr:.3f}")
        )
        if alpha == 1.0 and o.gamma_quoted_by_file is not None:
            ceiling = l_niah(d_horizon(theta, o.gamma_quoted_by_file))
            measured.append(
                _retrieval_case(label, ref, L, ceiling, float(o.value), f"measured γ = {o.gamma_quoted_by_file}")
            )
            T_train = _real(o.T_train)
            t_train.append(
                _retrieval_case(
                    label, ref, L, T_train + 0.5, float(o.value), f"baseline rule: retrieves iff L ≤ {T_train:g}"
                )
            )

    def works(c: Case) -> bool:
        return c.observed == "retrieves"

    rule = f"predicted retrieval (L < L_NIAH^c) matches observed accuracy ≥ {NIAH_PASS_ACCURACY}"
    measured_cmp = _categorical(
        "measured_gamma",
        "NIAH (1-of-10 log-prob, α = 1): L_NIAH^c = 2·d_horizon(θ, γ_measured) vs where retrieval collapses",
        measured,
        rule,
        works,
        ["γ is the value the NIAH experiment file quotes (the e4 text γ, rounded)"],
    )
    closed_cmp = _categorical(
        "closed_form",
        "NIAH at NTK α ∈ {1, 4, 8, 16}: X-2's closed-form ceiling with θ_eff = α·θ, T_eval = L",
        closed,
        rule,
        works,
    )
    baseline_cmp = _categorical(
        "T_train_rule",
        "for comparison, a rule with no γ at all: retrieval works iff L ≤ T_train (α = 1)",
        t_train,
        rule,
        works,
    )
    # RULER (third party): config-only predictions for models whose architecture ships as a preset.
    from tafagent.core.spec.presets import find_preset  # local import: only this law needs the presets

    ruler_cases = []
    untested: list[str] = []
    for o in outcome_set("ruler_published"):
        arch_id = _RULER_ARCH.get(o.model)
        preset = find_preset(arch_id) if arch_id else None
        spec = preset.spec() if preset is not None else None
        if preset is None or spec is None or spec.rope_theta is None:
            if o.model not in untested:
                untested.append(o.model)
            continue
        L = float(o.x_value)
        ceiling, _ = _niah_ceiling_closed_form(spec.rope_theta, L, spec.has_gqa, spec.has_swa, float(spec.n_params))
        ruler_cases.append(
            _retrieval_case(
                o.model.rsplit("/", 1)[-1],
                o.gt_id,
                L,
                ceiling,
                float(o.value),
                f"architecture of preset {preset.model_id}",
                threshold=RULER_THRESHOLD,
                measure="RULER avg {:.1f}",
            )
        )
    ruler_cmp = _categorical(
        "ruler_closed_form",
        "RULER (published, 13 tasks): X-2's closed-form ceiling vs the RULER average ≥ 85.6",
        ruler_cases,
        f"predicted retrieval matches RULER avg ≥ {RULER_THRESHOLD}",
        works,
        [
            "architecture taken from the embedded base-model preset (the instruct variant shares the config)",
            f"no architecture packaged for {len(untested)} other RULER models: " + ", ".join(sorted(untested)),
        ],
    )
    passkey_notes = []
    for set_name in ("passkey_transplant", "passkey_checkpoint"):
        series: dict[tuple[str, str], list[OutcomeRow]] = {}
        for o in outcome_set(set_name):
            if o.metric in ("exact_match", "accuracy") and (
                o.cond_value in ("base", None) or set_name != "passkey_transplant"
            ):
                series.setdefault((o.model, str(o.condition)), []).append(o)
        for (model, condition), rows in sorted(series.items()):
            shortest = min(rows, key=lambda r: float(r.x_value))
            best = max(float(r.value) for r in rows)
            passkey_notes.append(
                f"{set_name} {model.rsplit('/', 1)[-1]} ({condition}): accuracy {float(shortest.value):.2f} already at "
                f"the shortest distance {shortest.x_value} (best {best:.2f}): below 50 % before any distance effect, "
                "so the series cannot locate a ceiling (a prompt/format failure, per the panel README)"
            )
    passkey_cmp = _categorical(
        "passkey",
        "passkey retrieval (CodeLlama-13b, Mistral-7B, pythia-70m checkpoints)",
        [],
        "excluded: no series reaches 50 % even at its shortest distance",
        notes=passkey_notes,
    )
    cf = closed_cmp.confusion or {}
    alpha4 = [o for o in outcome_set("niah_logprob_ntk") if _real(o.cond_value) == 4.0]
    alpha4_max = max(_real(o.x_value) for o in alpha4)
    alpha4_min = min(_real(o.value) for o in alpha4)
    return LawReport(
        key="niah_ceiling",
        title="X-2 NIAH ceiling L_NIAH^c = 2·d_horizon",
        section="§26.2/§26.5",
        formula="L_NIAH^c = 2·θ(1−γ)√2/(1+γ); retrieval holds for L < L_NIAH^c",
        engine="core.pade.d_horizon, core.pade.l_niah, core.decomposition.gamma_decompose",
        evidence=NIAH_EVIDENCE,
        support=_support_rate(closed_cmp),
        headline=(
            f"X-2's closed-form ceiling on {closed_cmp.n} NIAH points: predicts retrieval everywhere, "
            f"catches {cf.get('predicted_no_observed_no', 0)} of "
            f"{cf.get('predicted_no_observed_no', 0) + cf.get('predicted_yes_observed_no', 0)} collapses; with the "
            f"measured γ {measured_cmp.hits}/{measured_cmp.n} (α = 1), while 'L ≤ T_train' gets "
            f"{baseline_cmp.hits}/{baseline_cmp.n}"
        ),
        comparisons=(closed_cmp, measured_cmp, baseline_cmp, ruler_cmp, passkey_cmp),
        notes=(
            "With γ = γ_Padé(θ, L) the horizon equals L identically (D-NEW-1), so without a measurement the ceiling "
            "is 2·L shifted only by the δ terms: it cannot predict a collapse below θ·√2.",
            "Observed collapses sit just past T_train = 2048 (panel README: collapse tracks T_train, not γ); at NTK "
            f"α = 4 retrieval holds at every tested length up to {alpha4_max:g} (lowest accuracy {alpha4_min:.2f}).",
        ),
    )


# ---- downstream: X-19 soft-decay regime ------------------------------------------------------------
@cache
def _law_soft_decay() -> LawReport:
    by_model: dict[str, dict[str, OutcomeRow]] = {}
    for o in outcome_set("kv_decay_modes"):
        by_model.setdefault(o.model, {})[str(o.cond_value)] = o
    measured, closed, vs_full = [], [], []
    for model in sorted(by_model, key=_size_key):
        modes = by_model[model]
        base = modes["baseline"]
        theta, T_train, gamma = _real(base.theta), _real(base.T_train), base.gamma_quoted_by_file
        seq = float(base.x_value)
        soft = float(modes["soft_decay"].value)
        hard = min(float(modes["hard_cutoff"].value), float(modes["hard_df"].value))
        full = float(base.value)
        observed_soft_wins = soft < hard
        label = model.rsplit("/", 1)[-1]
        ids = "/".join(modes[m].gt_id for m in ("baseline", "hard_cutoff", "soft_decay", "hard_df"))
        detail = f"soft {soft:.1f} vs best hard {hard:.1f} vs full KV {full:.1f} (seq {seq:g} = 2·T_train)"
        if gamma is not None:
            regime, dh, ratio = kv_soft_decay_regime(theta, gamma, T_train)
            measured.append(
                Case(
                    label,
                    ids,
                    regime,
                    "soft decay wins" if observed_soft_wins else "a hard cutoff wins",
                    (regime == "applies") == observed_soft_wins,
                    None,
                    f"γ = {gamma}, d_h = {_f(dh, ',.0f')}, ratio {_f(ratio)}; {detail}",
                )
            )
            if regime == "applies":
                vs_full.append(
                    Case(
                        label,
                        ids,
                        "soft decay beats full KV",
                        "yes" if soft < full else "no",
                        soft < full,
                        None,
                        detail,
                    )
                )
        row = load_panel().rows_for(model)[0]
        g_corr = gamma_decompose(_pade(row, seq), row.has_gqa, row.has_swa, _params_M(row) * 1e6)["gamma_corrected"]
        regime_cf, dh_cf, _ = kv_soft_decay_regime(theta, g_corr, T_train)
        closed.append(
            Case(
                label,
                ids,
                regime_cf,
                "soft decay wins" if observed_soft_wins else "a hard cutoff wins",
                (regime_cf == "applies") == observed_soft_wins,
                None,
                f"closed-form γ_corrected = {g_corr:.3f}, d_h = {_f(dh_cf, ',.0f')}; {detail}",
            )
        )
    rule = "regime 'applies' ⇔ soft decay has lower perplexity than the best hard cutoff"

    def soft_wins(c: Case) -> bool:
        return c.observed == "soft decay wins"

    measured_cmp = _categorical(
        "measured_gamma", "X-19's soft-decay regime from the measured γ", measured, rule, soft_wins
    )
    closed_cmp = _categorical("closed_form", "X-19's regime from the closed-form γ_corrected", closed, rule, soft_wins)
    full_cmp = _categorical(
        "vs_full_kv",
        "where the regime applies: does soft decay also beat keeping the full KV cache?",
        vs_full,
        "soft-decay perplexity < full-KV perplexity",
        notes=("at seq_len = 2·T_train the full-KV baseline is itself out of its training range",),
    )
    return LawReport(
        key="soft_decay",
        title="X-19 soft-decay regime",
        section="§26.8",
        formula="soft decay applies when d_h / (T_train/2) ≥ 1.2",
        engine="core.pade.kv_soft_decay_regime",
        evidence=SOFT_DECAY_EVIDENCE,
        support=_support_rate(measured_cmp),
        headline=(
            f"soft-decay regime vs KV-decay outcomes ({measured_cmp.n} Pythias at 2·T_train): measured γ "
            f"{measured_cmp.hits}/"
            f"{measured_cmp.n}, closed form {closed_cmp.hits}/{closed_cmp.n}; soft decay beats full KV in "
            f"{full_cmp.hits}/{full_cmp.n} applicable cases"
        ),
        comparisons=(measured_cmp, closed_cmp, full_cmp),
    )


_LAWS: dict[str, Callable[[], LawReport]] = {
    "pade": _law_pade,
    "decomposition_v1": _law_decomposition_v1,
    "decomposition_v2": _law_decomposition_v2,
    "delta_gqa": _law_delta_gqa,
    "delta_post_ih": _law_delta_post_ih,
    "delta_swa": _law_delta_swa,
    "delta_instruct": _law_delta_instruct,
    "delta_imprint": _law_delta_imprint,
    "imprint": _law_imprint,
    "k_band": _law_k_band,
    "ih_phase": _law_ih_phase,
    "arch_concentration": _law_arch_concentration,
    "df_window": _law_df_window,
    "niah_ceiling": _law_niah_ceiling,
    "soft_decay": _law_soft_decay,
}
LAW_KEYS: tuple[str, ...] = tuple(_LAWS)

# Recipe step name (exact, as in the audit chains) → law key ("law" or "law:comparison").
STEP_LAW_KEYS: dict[str, str] = {
    "γ_Padé": "pade",
    "γ-decomposition": "decomposition_v1",
    "d_horizon": "niah_ceiling",
    "L_NIAH^c": "niah_ceiling",
    "d_horizon (measured γ_obs)": "niah_ceiling:measured_gamma",
    "PDI (measured γ_obs)": "pade",
    "D_f window": "df_window",
    "Soft decay régimen": "soft_decay",
    "Imprint shift": "delta_imprint",
    "γ_random predicted": "imprint",
    "Imprint purity": "imprint",
    "K panel band": "k_band",
    "K = γ·log(N²·D)": "k_band",
    "z-score vs panel": "k_band",
    "γ deviation from Padé": "pade",
    "Size-based phase prediction": "ih_phase",
    "Δγ discriminator": "ih_phase",
}


# TAF Card key number (core/card.py ``key_numbers``) → law key, for the evidence column of the card.
CARD_KEY_LAW_KEYS: dict[str, str] = {
    "gamma_pade": "pade",
    "gamma_corrected": "decomposition_v1",
    "d_horizon": "niah_ceiling",
    "l_niah": "niah_ceiling",
    "d_horizon_measured": "niah_ceiling:measured_gamma",
    "gamma_random_predicted": "imprint",
    "compute_invariant_K": "k_band",
}


def _unknown_law(key: str) -> UsageError:
    close = difflib.get_close_matches(key, LAW_KEYS, n=2)
    hint = (f"did you mean {' or '.join(close)}? " if close else "") + "known: " + ", ".join(LAW_KEYS)
    return UsageError(f"unknown law '{key}'", hint)


def law_report(law_key: str) -> LawReport:
    """The validation of one law (computed once per process)."""
    try:
        return _LAWS[law_key]()
    except KeyError:
        raise _unknown_law(law_key) from None


@cache
def _law_evidence_cached(law_key: str) -> LawEvidence:
    base, _, sub = law_key.partition(":")
    law = law_report(base)
    if sub:
        try:
            comparison = law.comparison(sub)
        except KeyError:
            keys = ", ".join(c.key for c in law.comparisons)
            raise UsageError(f"law '{base}' has no comparison '{sub}'", f"known: {keys}") from None
        statistic = f"{comparison.title}: {comparison.summary()}"
        support = _support_rate(comparison) if comparison.mae is None else _support_numeric(comparison)
        n: int | None = comparison.n
    else:
        statistic, support, n = law.headline, law.support, law.primary.n
    source = f"reference panel ({load_panel().snapshot[:40]}); `taf validate --law {base}`"
    return LawEvidence(law_key, law.evidence.label, support, statistic, n, source)


def law_evidence(law_key: str) -> LawEvidence:
    """Evidence label of a predictive step plus the panel statistic that backs or contradicts it (cached).

    ``law_key`` is one of :data:`LAW_KEYS`, optionally with a comparison (``"niah_ceiling:measured_gamma"``);
    :data:`STEP_LAW_KEYS` maps recipe step names to these keys. Raises :class:`UsageError` for unknown keys.
    """
    return _law_evidence_cached(law_key)


# =====================================================================================================
# refits, constants, dashboard
# =====================================================================================================
@cache
def refit_check() -> RefitCheck:
    """Refit every stored power law with the product's own fitter (``core.powerlaw.fit_power_law``, the OLS of
    ln A on ln d that ``taf diagnose`` uses) over the points the row's fit used (its window fit_d_min ≤ d ≤ T_eval).
    """
    from tafagent.core.decay.powerlaw import fit_power_law  # local import: only the refit needs the measurement module

    panel = load_panel()
    curves = load_curves()
    out_rows: list[dict[str, Any]] = []
    by_tier: dict[str, dict[str, Any]] = {}
    mismatches: list[str] = []
    for r in panel.rows:
        curve = curves.get(r.row_id)
        if curve is None:
            continue
        used = curve.fit_points()
        window = tuple(
            p
            for p in curve.points
            if r.fit_d_min is not None and r.T_eval is not None and r.fit_d_min <= p.d <= r.T_eval
        )
        if used != window:
            mismatches.append(r.row_id)
        fit = fit_power_law([p.d for p in used], [p.attn_mean for p in used])
        gamma_refit = fit.gamma
        diff = abs(gamma_refit - r.gamma)
        out_rows.append(
            {
                "row_id": r.row_id,
                "model": r.model_label,
                "tier": r.tier,
                "gamma_stored": r.gamma,
                "gamma_refit": gamma_refit,
                "abs_diff": diff,
                "R2_refit": fit.R2_exact,
                "amplitude_A0": math.exp(fit.log_A),
                "n_points": len(used),
                "fit_d_min": r.fit_d_min,
                "T_eval": r.T_eval,
                "gamma_origin": r.gamma_origin,
            }
        )
        tier = by_tier.setdefault(r.tier, {"n": 0, "max_abs_diff": 0.0, "worst_row": None, "rows_over_1e-6": []})
        tier["n"] += 1
        if diff > tier["max_abs_diff"]:
            tier["max_abs_diff"], tier["worst_row"] = diff, r.row_id
        if diff > 1e-6:
            tier["rows_over_1e-6"].append(r.row_id)
    return RefitCheck(len(out_rows), dict(sorted(by_tier.items())), tuple(out_rows), tuple(mismatches))


def _constant(
    name: str, reference: float, reference_n: int | None, value: float | None, se: float | None, n: int, method: str
) -> PanelConstant:
    differs = None if value is None or se is None else abs(value - reference) > 2.0 * se
    return PanelConstant(name, reference, reference_n, value, se, n, method, differs)


@cache
def panel_constants() -> tuple[PanelConstant, ...]:
    """The reference's hard-coded panel constants (spec §2.1) recomputed from the packaged data."""
    k = _law_k_band().fitted
    ih = _law_ih_phase().fitted
    gqa = _law_delta_gqa().fitted["text"]
    post = _law_delta_post_ih().fitted["text"]
    swa = _law_delta_swa().fitted["text"]
    inst = _law_delta_instruct().fitted
    arch = _law_arch_concentration().fitted
    nu = _law_delta_imprint().fitted
    imp = _law_imprint().fitted
    k_se = None if k["K_std"] is None else k["K_std"] / math.sqrt(k["n"])
    k_std_se = None if k["K_std"] is None else k["K_std"] / math.sqrt(2 * (k["n"] - 1))

    def se_mean(std: float | None, n: int) -> float | None:
        return None if std is None or n < 2 else std / math.sqrt(n)

    return (
        _constant(
            "K panel mean", K_PANEL_MEAN, K_PANEL_N, k["K_mean"], k_se, k["n"], "mean of K over canonical text γ"
        ),
        _constant(
            "K panel std", K_PANEL_STD, K_PANEL_N, k["K_std"], k_std_se, k["n"], "sample std of K (SE ≈ s/√(2(n−1)))"
        ),
        _constant(
            "IH panel mean Δγ, pre-IH",
            IH_PANEL_PRE_MEAN,
            7,
            ih["pre_IH_mean"],
            se_mean(ih["pre_IH_std"], ih["pre_IH_n"]),
            ih["pre_IH_n"],
            "mean γ_text − γ_random, canonical pairs below 400M",
        ),
        _constant(
            "IH panel mean Δγ, post-IH",
            IH_PANEL_POST_MEAN,
            15,
            ih["post_IH_mean"],
            se_mean(ih["post_IH_std"], ih["post_IH_n"]),
            ih["post_IH_n"],
            "mean γ_text − γ_random, canonical pairs at ≥ 400M",
        ),
        _constant(
            "IH panel std",
            IH_PANEL_STD,
            22,
            ih["pooled_std"],
            None
            if ih["pooled_std"] is None
            else ih["pooled_std"] / math.sqrt(2 * (ih["pre_IH_n"] + ih["post_IH_n"] - 2)),
            ih["pre_IH_n"] + ih["post_IH_n"],
            "pooled within-group sample std of Δγ",
        ),
        _constant(
            "δ_GQA",
            DELTA_GQA,
            None,
            gqa["implied_delta"],
            gqa["implied_delta_se"],
            gqa["n_applies"] + gqa["n_not_applies"],
            "difference of mean Padé residuals, GQA vs MHA (text)",
        ),
        _constant(
            "δ_post_IH",
            DELTA_POST_IH,
            22,
            post["implied_delta"],
            post["implied_delta_se"],
            post["n_applies"] + post["n_not_applies"],
            "difference of mean Padé residuals, ≥ 400M vs smaller (text)",
        ),
        _constant(
            "δ_SWA (historical)",
            DELTA_SWA_HISTORICAL,
            1,
            swa["implied_delta"],
            swa["implied_delta_se"],
            swa["n_applies"] + swa["n_not_applies"],
            "difference of mean Padé residuals, sliding window vs none (text)",
        ),
        _constant(
            "δ_instruct",
            DELTA_INSTRUCT,
            3,
            inst["paired_mean_shift"],
            inst["paired_shift_se"],
            inst["paired_n"],
            "mean γ(instruct) − γ(base) over the RLHF pairs",
        ),
        _constant(
            "k_arch",
            K_ARCH,
            None,
            arch["k_arch_fit"],
            arch["k_arch_fit_se"],
            arch["n"],
            "OLS through the origin of γ_Padé − γ_text on n_kv",
        ),
        _constant(
            "ν_imprint",
            NU_IMPRINT,
            None,
            nu["nu_through_origin"],
            nu["nu_through_origin_se"],
            nu["n"],
            "OLS through the origin of γ_random − γ_Padé on log10(P/14M)",
        ),
        _constant(
            "imprint CI half-width",
            IMPRINT_CI_HALF_WIDTH,
            None,
            imp["ci95_half_width_from_data"],
            None if imp["residual_std"] is None else 1.96 * imp["residual_std"] / math.sqrt(2 * (imp["n"] - 1)),
            imp["n"],
            "1.96 × sample std of the imprint-law residuals",
        ),
    )


def _claim(cid: str, text: str, ref: str, status: str, evidence: str, n: int | None = None) -> Claim:
    if status not in CLAIM_STATUSES:
        raise ValueError(f"unknown claim status {status!r}")
    return Claim(cid, text, ref, status, evidence, n)


def _untestable(cid: str, text: str, ref: str, why: str) -> Claim:
    return _claim(cid, text, ref, "untestable-with-this-data", why)


def _delta_gamma_table(threshold: float, above: bool) -> tuple[list[tuple[str, float, GammaRow]], list[GammaRow]]:
    """Δγ = γ_random − γ_text (the sign convention of F10/F11 and of the cloud files) per canonical pair."""
    flagged = []
    all_rows = []
    for t, r in _pairs():
        delta = r.gamma - t.gamma
        all_rows.append(t)
        if (delta > threshold) if above else (delta < threshold):
            flagged.append((t.model_label, delta, t))
    return flagged, all_rows


@cache
def falsification_dashboard() -> Dashboard:
    """Spec §7.12's 23 claims, each marked by what the packaged data supports (rules stated per claim)."""
    claims: list[Claim] = []
    pade = _law_pade()
    text = pade.primary

    # F1: relative error of γ_Padé for Phase-A text models.
    phase_a = [c for c in text.cases if 0.0 < c.observed_value < 1.0]
    rel = [abs(c.observed_value - c.predicted_value) / c.observed_value for c in phase_a]
    mape = _mean(rel)
    within5 = sum(1 for x in rel if x <= 0.05)
    median_rel = statistics.median(rel) if rel else None
    status = (
        "confirmed"
        if mape is not None and mape < 0.05
        else ("partial" if median_rel and median_rel < 0.05 else "refuted")
    )
    claims.append(
        _claim(
            "F1",
            "γ_Padé error (MAE) under 5 % for normal Phase-A models",
            "confirmed",
            status,
            "canonical RoPE text rows with 0 < γ < 1: mean relative error "
            f"{_f(None if mape is None else 100 * mape, '.0f')} %, median "
            f"{_f(None if median_rel is None else 100 * median_rel, '.0f')} %, {within5}/{len(rel)} within 5 % "
            "(the reference's n = 9 was a curated subset)",
            len(rel),
        )
    )

    # F2: NIAH collapse vs 2·d_horizon with the measured γ.
    niah = _law_niah_ceiling().comparison("measured_gamma")
    per_model: dict[str, list[Case]] = {}
    for c in niah.cases:
        per_model.setdefault(c.model, []).append(c)
    consistent = {m: all(c.hit for c in cs) for m, cs in per_model.items()}
    named = consistent.get("pythia-70m")
    niah_70m = next(o for o in outcome_set("niah_logprob_ntk") if o.model.endswith("pythia-70m"))
    ceiling_70m = l_niah(d_horizon(_real(niah_70m.theta), _real(niah_70m.gamma_quoted_by_file)))
    rows_70m = [
        o for o in outcome_set("niah_logprob_ntk") if o.model.endswith("pythia-70m") and float(o.cond_value) == 1.0
    ]
    passed = [float(o.x_value) for o in rows_70m if float(o.value) >= NIAH_PASS_ACCURACY]
    failed = [float(o.x_value) for o in rows_70m if float(o.value) < NIAH_PASS_ACCURACY]
    bracket = f"between {max(passed):g} and {min(failed):g}" if passed and failed else "not bracketed"
    status = "confirmed" if all(consistent.values()) else ("partial" if named else "refuted")
    claims.append(
        _claim(
            "F2",
            "NIAH collapse point matches 2·d_horizon to 1 % on pythia-70m",
            "confirmed (refuted upstream as circular)",
            status,
            "with the measured γ (not the circular γ_Padé): pythia-70m predicted L_NIAH^c = "
            f"{_f(ceiling_70m, ',.0f')}, "
            f"collapse observed {bracket} (the grid cannot resolve 1 %); the same rule is "
            + ", ".join(f"{m} {'consistent' if ok else 'wrong'}" for m, ok in sorted(consistent.items()))
            + f" ({niah.hits}/{niah.n} points); the collapse tracks T_train = 2048",
            niah.n,
        )
    )
    claims.append(
        _untestable(
            "F3",
            "forward-hook recovery forecast by Fisher information, error ≤ 0.2 %",
            "confirmed",
            "no forward-hook recovery or Fisher-information measurements in the panel",
        )
    )
    claims.append(
        _untestable(
            "F4",
            "pythia-70m early-vs-late layer asymmetry ratio ≈ 13.5×",
            "confirmed",
            "the thermostat experiment is not in the panel (the per-layer γ file is a cross-check only and gives "
            "no ratio)",
        )
    )
    claims.append(
        _untestable(
            "F5",
            "entropy obeys an area law, S_γ = O(log N), for every γ > 0",
            "confirmed",
            "a property of the power-law distribution; the panel holds no entropy measurements at varying N",
        )
    )

    # F6: D_f truncation in the band.
    df_law = _law_df_window()
    in_zone = df_law.comparison("measured_gamma_in_band")
    status = "confirmed" if in_zone.hits == in_zone.n else ("partial" if in_zone.hits * 2 > in_zone.n else "refuted")
    fails = "; ".join(f"{c.model}: {c.detail}" for c in in_zone.failures(None))
    own_in_band = df_law.fitted["experiment_D_f_in_band"]
    claims.append(
        _claim(
            "F6",
            "truncating the KV cache at D_f does not raise perplexity when 0.65 ≤ γ ≤ 0.85",
            "confirmed",
            status,
            f"kv_window_ppl, γ in the band, window = the engine's D_f: ΔPPL ≤ 0 in {in_zone.hits}/{in_zone.n} Pythia "
            f"runs (at the experiment's own D_f windows: {own_in_band['hits']}/{own_in_band['n']})"
            + (f"; fails: {fails}" if fails else ""),
            in_zone.n,
        )
    )

    # F7: pruning cost linear in the fraction of Q/K pruned.
    prune: dict[str, list[tuple[float, float]]] = {}
    base_ppl: dict[str, float] = {}
    for o in outcome_set("dead_band_prune"):
        if o.metric != "perplexity":
            continue
        if o.cond_value == "none":
            base_ppl[o.model] = float(o.value)
        elif float(o.x_value) > 0:
            prune.setdefault(o.model, []).append((100.0 * float(o.x_value), float(o.value)))
    slopes = {}
    r2s = {}
    for model, pts in sorted(prune.items()):
        xs = [p for p, _ in pts]
        ys = [ppl - base_ppl[model] for _, ppl in pts]
        slopes[model], _ = _ols_origin(xs, ys)
        sst = math.fsum(y * y for y in ys)
        sse = math.fsum((y - slopes[model] * x) ** 2 for x, y in zip(xs, ys, strict=True))
        r2s[model] = 1.0 - sse / sst if sst else None
    close = all(abs(s - 0.18) <= 0.25 * 0.18 for s in slopes.values())
    loose = all(abs(s - 0.18) <= 0.5 * 0.18 for s in slopes.values())
    status = (
        "confirmed" if close and all((v or 0) >= 0.9 for v in r2s.values()) else ("partial" if loose else "refuted")
    )
    claims.append(
        _claim(
            "F7",
            "pruning cost is linear: ΔPPL ≈ 0.18 per % of Q/K pruned",
            "confirmed",
            status,
            "dead_band_prune, slope through the origin of ΔPPL on % pruned: "
            + ", ".join(
                f"{m.rsplit('/', 1)[-1]} {s:.3f}/% (uncentred R² {_f(r2s[m])}, n = {len(prune[m])})"
                for m, s in slopes.items()
            ),
            sum(len(v) for v in prune.values()),
        )
    )
    claims.append(
        _untestable(
            "F8", "for z ≪ 1 the Padé approximant saturates at order [1,1]", "confirmed", "a mathematical statement"
        )
    )
    claims.append(
        _untestable(
            "F9",
            "RoPE attention geometry is fractional-Euclidean with d_eff = 1/γ",
            "confirmed",
            "a mathematical statement; no geometric measurement in the panel",
        )
    )

    # F10: Δγ = γ_random − γ_text < −0.1 among ≥ 400M models as a GQA signature.
    big = [(t, r) for t, r in _pairs() if _params_M(t) >= 400.0]
    gqa_rows = [(t, r) for t, r in big if t.has_gqa]
    mha_rows = [(t, r) for t, r in big if not t.has_gqa]
    rate_gqa = _mean([1.0 if r.gamma - t.gamma < -0.1 else 0.0 for t, r in gqa_rows]) or 0.0
    rate_mha = _mean([1.0 if r.gamma - t.gamma < -0.1 else 0.0 for t, r in mha_rows]) or 0.0
    gap = rate_gqa - rate_mha
    status = "confirmed" if gap > 0.3 else ("partial" if gap > 0.1 else "refuted")
    claims.append(
        _claim(
            "F10",
            "for models of 400M+ params, Δγ below −0.1 signals GQA / induction-head dominance",
            "confirmed",
            status,
            f"Δγ = γ_random − γ_text below −0.1 in {rate_gqa:.0%} of GQA models (n = {len(gqa_rows)}) and "
            f"{rate_mha:.0%} of MHA models (n = {len(mha_rows)}) at ≥ 400M: not a GQA signature",
            len(big),
        )
    )

    # F11: Δγ > +0.3 as the alternating-SWA signature.
    flagged, all_rows = _delta_gamma_table(0.3, above=True)
    swa_flagged = [m for m, _, t in flagged if t.has_swa]
    swa_total = sum(1 for t in all_rows if t.has_swa)
    precision = len(swa_flagged) / len(flagged) if flagged else None
    status = (
        "confirmed"
        if precision is not None and precision >= 0.8
        else ("partial" if precision and precision >= 0.5 else "refuted")
    )
    claims.append(
        _claim(
            "F11",
            "Δγ above +0.3 is the signature of alternating SWA (Gemma family)",
            "confirmed",
            status,
            f"Δγ = γ_random − γ_text > +0.3 in {len(flagged)} models ("
            + ", ".join(f"{m} {d:+.2f}" for m, d, _ in flagged)
            + f"), of which {len(swa_flagged)} have a sliding window ({swa_total} windowed models in all): "
            "not specific",
            len(all_rows),
        )
    )

    # F12: Mamba L_crit = 45 (and α = 0.703).
    mamba = [o for o in outcome_set("lcrit_residual_transplant") if "mamba" in o.model.lower()]
    lcrit_values = sorted({int(o.value) for o in mamba if o.value is not None})
    seeds = sorted({str(o.cond_value) for o in mamba})
    ok = lcrit_values == [45]
    claims.append(
        _claim(
            "F12",
            "Mamba: L_crit = 45 and α = 0.703",
            "confirmed",
            "partial" if ok else "refuted",
            f"lcrit_residual_transplant: L_crit_90/99 = {lcrit_values} on seeds {', '.join(seeds)} "
            f"({len(mamba)} values); "
            "α = 0.703 is a tier-C summary number with no attention curve (Mamba has no attention matrix), so it "
            "cannot be checked",
            len(mamba),
        )
    )
    claims.append(
        _untestable(
            "F13",
            "the Hagedorn phase boundary sits at γ = 1",
            "confirmed",
            "a definition (χ = 1/|γ − 1| diverges at γ = 1); measured γ spans both sides of 1 and nothing in the panel "
            "marks a transition there",
        )
    )

    # F14: RLHF shift.
    pairs = _law_delta_instruct().comparison("rlhf_pairs")
    shifts = [abs(c.observed_value) for c in pairs.cases]
    panel = load_panel()
    tier_c = sum(1 for c in pairs.cases if any(panel.row(rid).tier == "C" for rid in c.ref.split("/")))
    within = sum(1 for s in shifts if s <= 0.072)
    worst = max(shifts) if shifts else None
    status = (
        "confirmed"
        if shifts and within == len(shifts)
        else ("partial" if worst is not None and worst <= 1.5 * 0.072 else "refuted")
    )
    claims.append(
        _claim(
            "F14",
            "RLHF moves γ by at most 0.072, depending on the recipe",
            "partial",
            status,
            f"rlhf_pairs: |Δγ| ≤ 0.072 in {within}/{len(shifts)} pairs, largest {_f(worst, '.3f')} "
            f"({', '.join(f'{c.model} {c.observed_value:+.3f}' for c in pairs.cases)}; {tier_c} of the pairs "
            "include a tier-C summary value)",
            len(shifts),
        )
    )
    claims.append(
        _untestable(
            "F15",
            "a sharp R_c boundary exists at R_c★ ≈ 1.68",
            "refuted",
            "R_c is recorded for 6 cloud models only, without its definition or the observable it should separate",
        )
    )

    # F16: pruning beyond L_crit is free.
    costs = []
    for o in outcome_set("dead_band_prune"):
        match = re.search(r"L_crit_pred=(\d+)", o.author_prediction or "")
        if o.metric != "perplexity" or not match or o.cond_value == "none" or float(o.x_value) <= 0:
            continue
        if int(o.cond_value) >= int(match.group(1)):
            costs.append((o.model.rsplit("/", 1)[-1], int(o.cond_value), float(o.value) - float(o.reference_value)))
    free = sum(1 for _, _, d in costs if d <= 0.0)
    claims.append(
        _claim(
            "F16",
            "pruning bands beyond L_crit costs no perplexity (holographic pruning)",
            "refuted",
            "confirmed" if costs and free == len(costs) else "refuted",
            "dead_band_prune, pruning from L_prune ≥ L_crit_pred: "
            + ", ".join(f"{m} L={L} ΔPPL {d:+.2f}" for m, L, d in costs),
            len(costs),
        )
    )

    # F17: soft decay.
    soft = _law_soft_decay()
    regime = soft.comparison("measured_gamma")
    full = soft.comparison("vs_full_kv")
    applicable = [c for c in regime.cases if c.predicted == "applies"]
    soft_wins = sum(1 for c in applicable if c.observed == "soft decay wins")
    if applicable and soft_wins == len(applicable) and full.hits == full.n:
        status = "confirmed"
    elif applicable and soft_wins == len(applicable):
        status = "partial"
    else:
        status = "refuted"
    claims.append(
        _claim(
            "F17",
            "when d_h is at least about T_train/2, soft horizon decay outperforms a hard cutoff",
            "partial",
            status,
            f"kv_decay_modes ({regime.n} Pythias at 2·T_train): the regime applies to {len(applicable)}, where soft "
            f"decay beats the best hard cutoff in {soft_wins}/{len(applicable)}; where it does not apply ("
            + ", ".join(f"{c.model}: {c.observed}" for c in regime.cases if c.predicted != "applies")
            + f"); soft decay beats keeping the full KV in {full.hits}/{full.n} (the full-KV baseline is itself "
            "beyond T_train)",
            regime.n,
        )
    )

    # F18: Mittag-Leffler amplitude.
    refit = refit_check()
    canonical_ids = {r.row_id for r in load_panel().rows if r.canonical}
    ratios = [
        row["amplitude_A0"] * math.gamma(1.0 - row["gamma_stored"])
        for row in refit.rows
        if row["row_id"] in canonical_ids and 0.0 < row["gamma_stored"] < 1.0
    ]
    median_ratio = statistics.median(ratios) if ratios else None
    if median_ratio is not None and 0.8 <= median_ratio <= 1.25:
        status = "confirmed"
    elif median_ratio is not None and 0.5 <= median_ratio <= 2.0:
        status = "partial"
    else:
        status = "refuted"
    claims.append(
        _claim(
            "F18",
            "the amplitude A_0 follows the Mittag-Leffler prefactor 1/Γ(1−γ)",
            "refuted",
            status,
            f"refitted A_0 / (1/Γ(1−γ)) over canonical curves with 0 < γ < 1: median {_f(median_ratio)} "
            f"(range {_f(min(ratios) if ratios else None)}–{_f(max(ratios) if ratios else None)})",
            len(ratios),
        )
    )

    # F19: variance explained by γ_Padé.
    r2 = pade.fitted["variance_explained_text"]
    centroid = pade.fitted["centroid_text"]
    if r2 is not None and r2 >= 0.5:
        status = "confirmed"
    elif r2 is not None and r2 >= 0.1:
        status = "partial"
    else:
        status = "refuted"
    claims.append(
        _claim(
            "F19",
            "γ_Padé explains the model-to-model variance of γ_obs",
            "partial",
            status,
            f"text: r² = {_f(r2, '.3f')} (n = {text.n}), MSE {_f(text.mse, '.3f')} vs "
            f"{_f(text.mse_of_panel_mean, '.3f')} for the panel mean; random: r = "
            f"{_f(pade.comparison('random_T_eval').pearson_r)}; only the centroid is near (mean measured "
            f"{_f(centroid['mean_measured'], '.3f')} vs mean γ_Padé {_f(centroid['mean_pade'], '.3f')}, "
            f"bias {_f(text.bias, '+.3f')})",
            text.n,
        )
    )
    claims.append(_untestable("F20", "the β-flow is exactly a logistic ODE", "confirmed", "a mathematical statement"))

    # F21: γ over training follows tanh(log step) — any such curve is monotone in the step.
    trajectories: dict[str, list[tuple[int, float]]] = {}
    for r in load_panel().rows:
        if r.revision and r.revision.startswith("step") and r.experiment in ("training_trajectory", "gamma_field"):
            key = f"{r.model_label} ({r.experiment}, T_eval {r.T_eval})"
            trajectories.setdefault(key, []).append((int(r.revision[4:]), r.gamma))
    swings = []
    for key, pts in sorted(trajectories.items()):
        values = [g for _, g in sorted(pts)]
        # Largest later-minus-earlier increase and decrease: a monotone curve has one of them at 0.
        rise = max((values[j] - values[i] for i in range(len(values)) for j in range(i + 1, len(values))), default=0.0)
        drop = max((values[i] - values[j] for i in range(len(values)) for j in range(i + 1, len(values))), default=0.0)
        swings.append((key, len(values), max(rise, 0.0), max(drop, 0.0)))
    non_monotone = [k for k, _, rise, drop in swings if rise > 0.05 and drop > 0.05]
    if not non_monotone:
        status = "confirmed"
    elif 2 * len(non_monotone) >= len(swings):
        status = "refuted"
    else:
        status = "partial"
    claims.append(
        _claim(
            "F21",
            "γ over training follows tanh(log step) across pythia checkpoints",
            "refuted",
            status,
            "a tanh of log step is monotone in the step, but γ both rises and falls by more than 0.05 in "
            + f"{len(non_monotone)}/{len(swings)} checkpoint series ("
            + "; ".join(
                f"{k}: {n} steps, largest rise {rise:.2f}, largest fall {drop:.2f}" for k, n, rise, drop in swings
            )
            + ")",
            sum(n for _, n, _, _ in swings),
        )
    )
    claims.append(
        _untestable(
            "F22",
            "closed form χ(z*) = (5+√17)/4 at the Cayley fixed point",
            "confirmed",
            "a mathematical statement",
        )
    )
    # F23: algebra; checked numerically on the panel's own (θ, T) pairs, but that says nothing about the data.
    worst = 0.0
    count = 0
    for r in _text_rope() + _random_rope():
        g = _pade(r)
        if -1.0 < g < 1.0:
            theta = _real(r.rope_theta)
            worst = max(worst, abs(theta_design(g, _real(r.T_eval)) - theta) / theta)
            count += 1
    claims.append(
        _untestable(
            "F23",
            "θ_design composed with γ_Padé is the identity (T and d_horizon form an involution)",
            "confirmed",
            f"an algebraic identity, not an empirical claim (the engine reproduces it on the panel's {count} (θ, T) "
            f"pairs to a relative error of {worst:.1e})",
        )
    )
    return Dashboard(tuple(claims))


@cache
def validate() -> ValidationReport:
    """The whole validation: every law, the refits, the recomputed constants and the falsification dashboard."""
    panel = load_panel()
    return ValidationReport(
        snapshot=panel.snapshot,
        panel_counts=panel.counts(),
        laws=tuple(law_report(k) for k in LAW_KEYS),
        refit=refit_check(),
        constants=panel_constants(),
        dashboard=falsification_dashboard(),
    )
