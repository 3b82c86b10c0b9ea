"""Every stored power law of the panel refitted from its raw attention curve with the product's own fitter.

A tier-A row must reproduce its stored γ (the refit is the check that the packaged curves and fits agree).
"""

from __future__ import annotations

import math
from functools import cache
from typing import Any

from tafagent.core.validation.panel import AttnCurve, CurvePoint, GammaRow, load_curves, load_panel
from tafagent.core.validation.report import RefitCheck

__all__ = ["refit_check"]

REFIT_TOLERANCE = 1e-6  # |γ_refit − γ_stored| above this is listed per tier


def _fit_window(row: GammaRow, curve: AttnCurve) -> tuple[CurvePoint, ...]:
    """The curve points inside the row's documented window fit_d_min ≤ d ≤ T_eval."""
    return tuple(
        p
        for p in curve.points
        if row.fit_d_min is not None and row.T_eval is not None and row.fit_d_min <= p.d <= row.T_eval
    )


def _refit_row(row: GammaRow, curve: AttnCurve) -> dict[str, Any]:
    """OLS of ln A on ln d over the points the stored fit used, beside the stored γ."""
    from tafagent.core.decay.fit import fit_power_law  # local import: only the refit needs the measurement module

    used = curve.fit_points()
    fit = fit_power_law([p.d for p in used], [p.attn_mean for p in used])
    return {
        "row_id": row.row_id,
        "model": row.model_label,
        "tier": row.tier,
        "gamma_stored": row.gamma,
        "gamma_refit": fit.gamma,
        "abs_diff": abs(fit.gamma - row.gamma),
        "R2_refit": fit.R2_exact,
        "amplitude_A0": math.exp(fit.log_A),
        "n_points": len(used),
        "fit_d_min": row.fit_d_min,
        "T_eval": row.T_eval,
        "gamma_origin": row.gamma_origin,
    }


def _tally(by_tier: dict[str, dict[str, Any]], refit: dict[str, Any]) -> None:
    """Add one refit to its tier's count, worst difference and list of rows off by more than the tolerance."""
    tier = by_tier.setdefault(refit["tier"], {"n": 0, "max_abs_diff": 0.0, "worst_row": None, "rows_over_1e-6": []})
    diff = refit["abs_diff"]
    tier["n"] += 1
    if diff > tier["max_abs_diff"]:
        tier["max_abs_diff"], tier["worst_row"] = diff, refit["row_id"]
    if diff > REFIT_TOLERANCE:
        tier["rows_over_1e-6"].append(refit["row_id"])


@cache
def refit_check() -> RefitCheck:
    """Refit every stored power law with the product's own fitter (``core.decay.fit.fit_power_law``, the OLS
    of ln A on ln d that ``taf diagnose`` uses) over the points the row's fit used (its window fit_d_min ≤ d ≤ T_eval).
    """
    curves = load_curves()
    out_rows: list[dict[str, Any]] = []
    by_tier: dict[str, dict[str, Any]] = {}
    mismatches: list[str] = []
    for r in load_panel().rows:
        curve = curves.get(r.row_id)
        if curve is None:
            continue
        if curve.fit_points() != _fit_window(r, curve):
            mismatches.append(r.row_id)
        out_rows.append(_refit_row(r, curve))
        _tally(by_tier, out_rows[-1])
    return RefitCheck(len(out_rows), dict(sorted(by_tier.items())), tuple(out_rows), tuple(mismatches))
