"""Validation of the imprint family of laws: δ_imprint and γ_random via the imprint law (§28, X-21), the
compute-context invariant K band (§29, X-22) and the induction-head phase sign rule (§30, X-23).

These laws compare the text and random-token measurements of the same model, so they use the canonical
(text, random) pairs of the panel as well as its random-token rows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cache
from typing import Any

from tafagent.core.laws.constants import (
    IH_EVIDENCE,
    IMPRINT_CI_HALF_WIDTH,
    IMPRINT_EVIDENCE,
    K_EVIDENCE,
    K_PANEL_MEAN,
    K_PANEL_N,
    K_PANEL_STD,
    NU_IMPRINT,
    P0_IMPRINT_M,
)
from tafagent.core.laws.decomposition import imprint_shift
from tafagent.core.laws.imprint import compute_invariant_K, gamma_random_predict, ih_phase_check
from tafagent.core.laws.registry import get_law
from tafagent.core.messages import Msg
from tafagent.core.validation.comparison import (
    Case,
    categorical_comparison,
    numeric_comparison,
    support_numeric,
    support_rate,
)
from tafagent.core.validation.panel import GammaRow, load_panel
from tafagent.core.validation.panel_rows import (
    gamma_case,
    params_M,
    random_rope_rows,
    row_pade,
    text_random_pairs,
)
from tafagent.core.validation.report import LawReport
from tafagent.core.validation.stats import fmt, mean, ols, ols_through_origin, real_number, sample_std

__all__ = ["law_delta_imprint", "law_ih_phase", "law_imprint", "law_k_band"]


# ---- δ_imprint --------------------------------------------------------------------------------------------
def _imprint_random_cases(rows: Sequence[GammaRow]) -> list[Case]:
    """γ_Padé + δ_imprint against measured random-token γ: a hit when δ moves γ_Padé closer."""
    cases = []
    for r in rows:
        base = row_pade(r)
        delta = imprint_shift(params_M(r))
        pred = base + delta
        cases.append(
            Case(
                r.model_label,
                r.row_id,
                pred,
                r.gamma,
                abs(r.gamma - pred) < abs(r.gamma - base),
                r.gamma - pred,
                f"δ_imprint = {delta:+.3f} (P = {params_M(r):g}M)",
            )
        )
    return cases


def _imprint_paired_cases() -> list[Case]:
    """δ_imprint against γ_random − γ_text of the same (RoPE) model."""
    cases = []
    for text_row, random_row in text_random_pairs():
        if not text_row.is_rope:
            continue
        pred = imprint_shift(params_M(random_row))
        obs = random_row.gamma - text_row.gamma
        cases.append(
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
    return cases


def _nu_fit(rows: Sequence[GammaRow]) -> dict[str, Any]:
    """ν refitted by OLS of γ_random − γ_Padé(θ, T_eval) on log10(P/14M), through the origin and with intercept."""
    xs = [math.log10(max(params_M(r), 1e-3) / P0_IMPRINT_M) for r in rows]
    ys = [r.gamma - row_pade(r) for r in rows]
    nu_origin, nu_origin_se = ols_through_origin(xs, ys)
    slope, intercept, r2, slope_se = ols(xs, ys)
    return {
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


@cache
def law_delta_imprint() -> LawReport:
    """δ_imprint = ν·log10(P/14M), ν = −1/(2π), on the random-token corpus only (§28.1/§28.3)."""
    rows = random_rope_rows()
    random = numeric_comparison(
        "random",
        "γ_Padé + δ_imprint vs measured random-token γ",
        _imprint_random_cases(rows),
        "adding δ moves γ_Padé closer to the measured γ",
    )
    paired = numeric_comparison(
        "paired",
        "δ_imprint vs γ_random − γ_text of the same model",
        _imprint_paired_cases(),
        "δ_imprint is closer to the measured difference than 0",
    )
    fitted = _nu_fit(rows)
    support = "contradicts" if random.hit_rate is not None and random.hit_rate < 0.5 else support_numeric(paired)
    return LawReport(
        key="delta_imprint",
        title="δ_imprint",
        section="§28.1/§28.3",
        formula="δ_imprint = ν·log10(P/14M), ν = −1/(2π), random-token corpus only",
        engine="core.laws.decomposition.imprint_shift",
        evidence=IMPRINT_EVIDENCE,
        support=support,
        headline="",
        headline_msg=Msg(
            "laws.headline.imprint_delta",
            hits=random.hits,
            n=random.n,
            nu=fmt(fitted["nu_through_origin"], "+.3f"),
            nu_se=fmt(fitted["nu_through_origin_se"], ".3f"),
            nu_ref=f"{NU_IMPRINT:+.3f}",
            n_paired=paired.n,
            r_paired=fmt(paired.pearson_r),
        ),
        comparisons=(random, paired),
        fitted=fitted,
    )


# ---- γ_random via the imprint law ------------------------------------------------------------------------
@cache
def law_imprint() -> LawReport:
    """γ_random = γ_Padé(θ, T) + ν·log10(P/14M) (§28.1), "clean" within ±0.18 (§28.2)."""
    cases = [
        gamma_case(
            r,
            gamma_random_predict(real_number(r.rope_theta), real_number(r.T_eval), params_M(r)),
            tol=IMPRINT_CI_HALF_WIDTH,
            strict=True,
        )
        for r in random_rope_rows()
    ]
    random = numeric_comparison(
        "random_T_eval",
        "γ_random predicted = γ_Padé(θ, T_eval) + ν·log10(P/14M) vs measured random-token γ",
        cases,
        f"|residual| < {IMPRINT_CI_HALF_WIDTH} (the law's 95 % CI: 'clean')",
    )
    residuals = [c.residual for c in cases if c.residual is not None]
    std = sample_std(residuals)
    return LawReport(
        key="imprint",
        title="γ_random via the imprint law (X-21)",
        section=f"{get_law('gamma_random').section}/{get_law('imprint_purity').section}",
        formula="γ_random = γ_Padé(θ, T) + ν·log10(P/14M), ν = −1/(2π); clean within ±0.18",
        engine="core.laws.imprint.gamma_random_predict",
        evidence=IMPRINT_EVIDENCE,
        support=support_numeric(random),
        headline="",
        headline_msg=Msg(
            "laws.headline.imprint",
            n=random.n,
            r=fmt(random.pearson_r),
            mae=fmt(random.mae),
            hits=random.hits,
            ci=IMPRINT_CI_HALF_WIDTH,
        ),
        comparisons=(random,),
        fitted={
            "residual_std": std,
            "ci95_half_width_from_data": None if std is None else 1.96 * std,
            "reference_ci95_half_width": IMPRINT_CI_HALF_WIDTH,
            "n": len(residuals),
        },
    )


# ---- the K band -------------------------------------------------------------------------------------------
def _k_band_cases() -> tuple[list[Case], list[float], list[float]]:
    """K of every canonical text row with a size, against the reference band; also the K and γ values."""
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
    return cases, ks, gammas


def _coefficient_of_variation(xs: Sequence[float]) -> float | None:
    m, s = mean(xs), sample_std(xs)
    return None if m is None or s is None else s / m


@cache
def law_k_band() -> LawReport:
    """K = γ·ln(N²·D), D = 20·N (§29): does every measured text γ fall in the reference band 51.2 ± 16.8?"""
    cases, ks, gammas = _k_band_cases()
    comparison = categorical_comparison(
        "text_all",
        "K = γ·ln(N²·D), D = 20·N, for every measured text γ, against the reference band",
        cases,
        "|z| ≤ 1 with the reference mean 51.2 and std 16.8",
    )
    mean_k, std_k = mean(ks), sample_std(ks)
    cv_k, cv_g = _coefficient_of_variation(ks), _coefficient_of_variation(gammas)
    in_band_data = None
    if mean_k is not None and std_k is not None:
        in_band_data = sum(1 for k in ks if abs(k - mean_k) <= std_k)
    return LawReport(
        key="k_band",
        title="Compute-context invariant K band (X-22)",
        section=get_law("k_band").section,
        formula="K = γ·ln(N²·D); in band when |K − 51.2| ≤ 16.8",
        engine="core.laws.imprint.compute_invariant_K",
        evidence=K_EVIDENCE,
        support=support_rate(comparison, use_balanced=False),
        headline="",
        headline_msg=Msg(
            "laws.headline.k_band",
            n=comparison.n,
            mean=fmt(mean_k, ".1f"),
            std=fmt(std_k, ".1f"),
            ref_mean=K_PANEL_MEAN,
            ref_std=K_PANEL_STD,
            ref_n=K_PANEL_N,
            hits=comparison.hits,
            cv_k=fmt(cv_k),
            cv_g=fmt(cv_g),
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


# ---- the IH-phase sign rule -------------------------------------------------------------------------------
def _ih_phase_cases() -> tuple[list[Case], list[float], list[float]]:
    """Size-predicted phase against the observed sign of Δγ per pair; also Δγ of the pre-IH and post-IH groups."""
    cases = []
    pre: list[float] = []
    post: list[float] = []
    for text_row, random_row in text_random_pairs():
        size = params_M(text_row) if text_row.n_params_M else None
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
    return cases, pre, post


def _pooled_std(a: Sequence[float], b: Sequence[float]) -> float | None:
    """Pooled within-group sample standard deviation of two groups (None when either has n < 2)."""
    s_a, s_b = sample_std(a), sample_std(b)
    if s_a is None or s_b is None:
        return None
    return math.sqrt(((len(a) - 1) * s_a**2 + (len(b) - 1) * s_b**2) / (len(a) + len(b) - 2))


@cache
def law_ih_phase() -> LawReport:
    """post-IH ⇔ γ_text − γ_random > 0, with size predicting post-IH at ≥ 400M parameters (§30)."""
    cases, pre, post = _ih_phase_cases()
    comparison = categorical_comparison(
        "pairs",
        "size-based phase (post-IH at ≥ 400M) vs the sign of γ_text − γ_random",
        cases,
        "observed phase equals the size prediction",
        positive=lambda c: c.observed == "post-IH",
    )
    return LawReport(
        key="ih_phase",
        title="IH-phase sign rule (X-23)",
        section=get_law("ih_delta").section,
        formula="post-IH ⇔ γ_text − γ_random > 0; size predicts post-IH at ≥ 400M parameters",
        engine="core.laws.imprint.ih_phase_check",
        evidence=IH_EVIDENCE,
        support=support_rate(comparison),
        headline="",
        headline_msg=Msg(
            "laws.headline.ih",
            n=comparison.n,
            hits=comparison.hits,
            balanced=fmt(comparison.balanced_accuracy),
            pre=fmt(mean(pre), "+.2f"),
            n_pre=len(pre),
            post=fmt(mean(post), "+.2f"),
            n_post=len(post),
        ),
        comparisons=(comparison,),
        fitted={
            "pre_IH_mean": mean(pre),
            "pre_IH_std": sample_std(pre),
            "pre_IH_n": len(pre),
            "post_IH_mean": mean(post),
            "post_IH_std": sample_std(post),
            "post_IH_n": len(post),
            "pooled_std": _pooled_std(pre, post),
            "all_std": sample_std(pre + post),
        },
    )
