"""§28–§30: the learned imprint on random tokens, the compute-context invariant K, and the IH phase.

* §28 γ_random = γ_Padé + ν·log10(P/14M), ν = −1/(2π): larger models imprint a stronger bias.
* §29 K = γ·ln(N²·D) sits in a panel band 51.2 ± 16.8 for normally trained models.
* §30 the sign of Δγ = γ_text − γ_random tells whether induction heads have formed.
"""

from __future__ import annotations

import math
from typing import Any

from tafagent.core.laws.constants import (
    CHINCHILLA_TOKENS_PER_PARAM,
    IH_PANEL_POST_MEAN,
    IH_PANEL_PRE_MEAN,
    IH_PANEL_STD,
    IH_THRESHOLD_M,
    IMPRINT_CI_HALF_WIDTH,
    K_PANEL_MEAN,
    K_PANEL_STD,
)
from tafagent.core.laws.decomposition import imprint_shift
from tafagent.core.laws.pade import gamma_pade


def gamma_random_predict(theta: float, T_eval: float, n_params_M: float) -> float:
    """γ_random = γ_P(θ, T) + ν·log10(max(P_M, 1e-3)/14)   (§28.1)."""
    return gamma_pade(theta, T_eval) + imprint_shift(n_params_M)


def imprint_verdict(residual: float) -> str:
    """CLEAN within the ±0.18 CI of the imprint law, else OVER-IMPRINTED (< 0) or UNDER-IMPRINTED   (§28.2)."""
    if abs(residual) < IMPRINT_CI_HALF_WIDTH:
        return "CLEAN"
    return "OVER-IMPRINTED" if residual < 0 else "UNDER-IMPRINTED"


def imprint_purity(gamma_random_obs: float, theta: float, T_eval: float, n_params_M: float) -> dict[str, Any]:
    """Residual of a measured random-token γ against the imprint law   (§28.2).

    |residual| < 0.18 ⇒ "clean (within CI)", residual < 0 ⇒ "over-imprinted", else "under-imprinted".
    """
    predicted = gamma_random_predict(theta, T_eval, n_params_M)
    pade = gamma_pade(theta, T_eval)
    residual = gamma_random_obs - predicted
    verdict = imprint_verdict(residual)
    purity = {"CLEAN": "clean (within CI)", "OVER-IMPRINTED": "over-imprinted", "UNDER-IMPRINTED": "under-imprinted"}[
        verdict
    ]
    return {
        "gamma_random_obs": gamma_random_obs,
        "gamma_random_pred": predicted,
        "gamma_pade_only": pade,
        "imprint_predicted": predicted - pade,
        "imprint_residual": residual,
        "purity": purity,
        "ci_95_half_width": IMPRINT_CI_HALF_WIDTH,
    }


def compute_invariant_K(gamma: float, n_params_M: float, D_tokens: float | None = None) -> dict[str, Any]:
    """K = γ·ln(N²·D) with N = P_M·1e6 and D = 20·N by default; z = (K − 51.2)/16.8   (§29).

    In band when |z| ≤ 1 (K ∈ [34.4, 68.0]). Requires N > 0 and D > 0.
    """
    n = n_params_M * 1e6
    d = CHINCHILLA_TOKENS_PER_PARAM * n if D_tokens is None else D_tokens
    # ln(N²·D) = 2 ln N + ln D avoids overflow for any realistic N, D.
    k = gamma * (2.0 * math.log(n) + math.log(d))
    z = (k - K_PANEL_MEAN) / K_PANEL_STD
    in_band = abs(z) <= 1.0
    return {
        "K": k,
        "panel_mean": K_PANEL_MEAN,
        "panel_std": K_PANEL_STD,
        "z_score": z,
        "in_distribution": in_band,
        "interpretation": "in-band" if in_band else ("high-K outlier" if z > 0 else "low-K outlier"),
        "D_tokens": d,
    }


def ih_phase_expected(n_params_M: float) -> str:
    """The phase the size predicts: post-IH from 400M parameters   (§30)."""
    return "post-IH" if n_params_M >= IH_THRESHOLD_M else "pre-IH"


def ih_phase_check(gamma_text: float, gamma_random: float, n_params_M: float | None = None) -> dict[str, Any]:
    """Δγ = γ_text − γ_random: > 0 post-IH, < 0 pre-IH, 0 ambiguous; size predicts post-IH at ≥ 400M   (§30)."""
    delta = gamma_text - gamma_random
    observed = "post-IH" if delta > 0 else "pre-IH" if delta < 0 else "ambiguous"
    expected = None if n_params_M is None else ih_phase_expected(n_params_M)
    return {
        "delta_gamma": delta,
        "phase_observed": observed,
        "phase_expected_by_size": expected,
        "consistent": expected is None or observed == expected,
        "panel_pre_IH_mean": IH_PANEL_PRE_MEAN,
        "panel_post_IH_mean": IH_PANEL_POST_MEAN,
        "panel_std": IH_PANEL_STD,
    }
