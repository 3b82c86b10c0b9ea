"""Validation of each δ offset of the γ decomposition on its own: δ_GQA, δ_post_IH, δ_SWA (historical,
disabled) (§26.10) and δ_instruct (§28.3).

The question for every δ: where it applies, does adding it move γ_Padé closer to the measured γ? And what
δ does the panel itself imply (difference of the mean Padé residuals where δ applies and where it does not)?
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from tafagent.core.evidence import EvidenceNote
from tafagent.core.laws.constants import (
    DELTA_GQA,
    DELTA_GQA_EVIDENCE,
    DELTA_INSTRUCT,
    DELTA_INSTRUCT_EVIDENCE,
    DELTA_POST_IH,
    DELTA_POST_IH_EVIDENCE,
    DELTA_SWA_EVIDENCE,
    DELTA_SWA_HISTORICAL,
)
from tafagent.core.laws.registry import get_law
from tafagent.core.messages import Msg
from tafagent.core.validation.comparison import MIN_N, Case, Comparison, numeric_comparison
from tafagent.core.validation.panel import GammaRow, load_panel
from tafagent.core.validation.panel_rows import params_M, random_rope_rows, row_pade, text_rope_rows
from tafagent.core.validation.report import LawReport
from tafagent.core.validation.stats import fmt, mean, sample_std

__all__ = ["law_delta_gqa", "law_delta_instruct", "law_delta_post_ih", "law_delta_swa"]

POST_IH_MIN_PARAMS_M = 400.0  # δ_post_IH applies from N ≥ 4e8 parameters


def _implied_delta(in_res: Sequence[float], out_res: Sequence[float]) -> tuple[float | None, float | None]:
    """(mean residual where δ applies − mean where it does not, its standard error (Welch)); None if a side is empty."""
    if not (in_res and out_res):
        return None, None
    implied = math.fsum(in_res) / len(in_res) - math.fsum(out_res) / len(out_res)
    s_in, s_out = sample_std(in_res), sample_std(out_res)
    if s_in is None or s_out is None:
        return implied, None
    return implied, math.sqrt(s_in**2 / len(in_res) + s_out**2 / len(out_res))


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
        base = row_pade(r)
        residual = r.gamma - base
        if not applies(r):
            out_res.append(residual)
            continue
        in_res.append(residual)
        delta = delta_of(r)
        pred = base + delta
        helped = abs(r.gamma - pred) < abs(residual)
        cases.append(Case(r.model_label, r.row_id, pred, r.gamma, helped, r.gamma - pred, f"δ = {delta:+.3f}"))
    comparison = numeric_comparison(key, title, cases, "adding δ moves γ_Padé closer to the measured γ")
    implied, se = _implied_delta(in_res, out_res)
    fitted = {
        "implied_delta": implied,
        "implied_delta_se": se,
        "n_applies": len(in_res),
        "n_not_applies": len(out_res),
        "method": "mean(γ − γ_Padé) where δ applies − mean(γ − γ_Padé) where it does not",
        "mae_pade_alone_where_applies": mean([abs(x) for x in in_res]),
        "mae_with_delta_where_applies": comparison.mae,
    }
    return comparison, fitted


def _delta_support(reference: float, fitted: dict[str, Any], comparison: Comparison) -> str:
    """backs: the implied δ has the reference's sign, lies within 2 SE of it, and δ helps in ≥ half the cases."""
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
    extra: Sequence[Comparison] = (),
    extra_fitted: dict[str, Any] | None = None,
    notes: Sequence[str] = (),
) -> LawReport:
    """The report of a constant offset δ = ``reference`` applied where ``applies(row)``, on text and random rows."""

    def delta_of(_row: GammaRow) -> float:
        return reference

    text, fitted_text = _delta_comparison(
        "text", f"{title}: γ_Padé + δ vs measured text γ where δ applies", text_rope_rows(), applies, delta_of
    )
    random, fitted_random = _delta_comparison(
        "random",
        f"{title}: γ_Padé + δ vs measured random-token γ where δ applies",
        random_rope_rows(),
        applies,
        delta_of,
    )
    fitted = {"reference_delta": reference, "text": fitted_text, "random": fitted_random, **(extra_fitted or {})}
    headline = Msg(
        "laws.headline.delta",
        title=title,
        reference=f"{reference:+.2f}",
        n=text.n,
        hits=text.hits,
        implied=fmt(fitted_text["implied_delta"], "+.3f"),
        implied_se=fmt(fitted_text["implied_delta_se"], ".3f"),
        applies=fitted_text["n_applies"],
        not_applies=fitted_text["n_not_applies"],
    )
    return LawReport(
        key=key,
        title=title,
        section=section,
        formula=formula,
        engine="core.laws.decomposition.gamma_decompose_v2",
        evidence=evidence,
        support=_delta_support(reference, fitted_text, text),
        headline="",
        headline_msg=headline,
        comparisons=(text, random, *extra),
        fitted=fitted,
        notes=tuple(notes),
    )


@cache
def law_delta_gqa() -> LawReport:
    """δ_GQA = +0.11 where n_kv_heads < n_heads (§26.10, fitted)."""
    return _delta_law(
        "delta_gqa",
        "δ_GQA",
        get_law("delta_gqa").section,
        "δ_GQA = +0.11 when n_kv_heads < n_heads",
        DELTA_GQA_EVIDENCE,
        DELTA_GQA,
        lambda r: r.has_gqa,
    )


@cache
def law_delta_post_ih() -> LawReport:
    """δ_post_IH = −0.15 from N ≥ 4e8 parameters (§26.10, exploratory)."""
    return _delta_law(
        "delta_post_ih",
        "δ_post_IH",
        "§26.10",
        "δ_post_IH = −0.15 when N ≥ 4e8 parameters",
        DELTA_POST_IH_EVIDENCE,
        DELTA_POST_IH,
        lambda r: params_M(r) >= POST_IH_MIN_PARAMS_M,
    )


@cache
def law_delta_swa() -> LawReport:
    """δ_SWA = −0.21 with a sliding window (§26.10): disabled since v0.5.3; would re-enabling it help?"""
    return _delta_law(
        "delta_swa",
        "δ_SWA (historical, disabled)",
        "§26.10",
        "δ_SWA = −0.21 when a sliding window is present (applied as 0 since v0.5.3)",
        DELTA_SWA_EVIDENCE,
        DELTA_SWA_HISTORICAL,
        lambda r: r.has_swa,
        notes=("the engine applies δ_SWA = 0; the comparison tests whether re-enabling −0.21 would help",),
    )


# ---- δ_instruct: cross-section plus the RLHF pairs (same protocol within a pair) --------------------------
def _rlhf_pairs() -> dict[str, dict[str, GammaRow]]:
    """The rlhf_pairs rows by pair name, then by condition (``base`` / ``instruct``)."""
    pairs: dict[str, dict[str, GammaRow]] = {}
    for r in load_panel().rows:
        if r.experiment == "rlhf_pairs":
            match = re.search(r"pair=([\w.\-]+)", r.notes or "")
            if match:
                pairs.setdefault(match.group(1), {})[r.condition or ""] = r
    return pairs


def _rlhf_pair_cases() -> list[Case]:
    """δ_instruct against γ(instruct) − γ(base) of each complete pair, in pair-name order."""
    pairs = _rlhf_pairs()
    cases = []
    for name in sorted(pairs):
        pair = pairs[name]
        if "base" not in pair or "instruct" not in pair:
            continue
        base, inst = pair["base"], pair["instruct"]
        observed = inst.gamma - base.gamma
        cases.append(
            Case(
                name,
                f"{base.row_id}/{inst.row_id}",
                DELTA_INSTRUCT,
                observed,
                abs(observed - DELTA_INSTRUCT) < abs(observed),
                observed - DELTA_INSTRUCT,
                f"tiers {base.tier}/{inst.tier}; same protocol within the pair",
            )
        )
    return cases


@cache
def law_delta_instruct() -> LawReport:
    """δ_instruct = −0.10 for instruction-tuned models (§28.3, v2 only), cross-sectionally and on RLHF pairs."""
    paired = numeric_comparison(
        "rlhf_pairs",
        "δ_instruct vs γ(instruct) − γ(base) measured on the same protocol (RLHF pairs)",
        _rlhf_pair_cases(),
        "δ_instruct is closer to the measured shift than no shift (0)",
    )
    shifts = [c.observed_value for c in paired.cases]
    shift_std = sample_std(shifts)
    return _delta_law(
        "delta_instruct",
        "δ_instruct",
        "§28.3",
        "δ_instruct = −0.10 for instruction-tuned models (v2 only)",
        DELTA_INSTRUCT_EVIDENCE,
        DELTA_INSTRUCT,
        lambda r: r.is_instruct,
        extra=(paired,),
        extra_fitted={
            "paired_mean_shift": mean(shifts),
            "paired_shift_se": None if shift_std is None else shift_std / math.sqrt(len(shifts)),
            "paired_n": len(shifts),
        },
        notes=(
            "the cross-sectional instruct models (gemma-2-9b-it, phi-3-mini, CodeLlama-13b-Instruct, Mistral-Nemo) "
            "differ from the base models in much more than instruction tuning; the RLHF pairs are the clean test",
        ),
    )
