"""§26 RoPE attention-decay law (Padé [1,1]) and what follows from it.

γ_Padé(θ, T) predicts the power-law exponent of attention mass against query–key distance,
A(d) ∝ d^−γ, for a RoPE model with base θ evaluated at context T. The horizon, the NIAH ceiling and
the design rules below all derive from it. Inputs are validated by the recipes; these functions
state their own domain and return None outside it instead of raising (the reference did the same).
"""

from __future__ import annotations

import math

from tafagent.core.laws.constants import SQRT2
from tafagent.core.laws.thermo import chi_susceptibility


def gamma_pade(theta: float, T_eval: float) -> float:
    """γ_P(θ, T) = (2θ − √2·T) / (2θ + √2·T)   (§26.1).

    1 at T = 0, 0 at T = θ√2, negative beyond (→ −1 as T → ∞). Requires 2θ + √2·T ≠ 0.
    """
    return (2.0 * theta - SQRT2 * T_eval) / (2.0 * theta + SQRT2 * T_eval)


def d_horizon(theta: float, gamma: float) -> float | None:
    """d_h = θ·(1−γ)·√2 / (1+γ)   (§26.2); None outside Phase A (γ ∉ (0, 1)).

    Identity D-NEW-1: d_horizon(θ, γ_Padé(θ, T)) = T exactly, so the horizon carries information only
    through corrections to γ or through a measured γ (spec §9.1 item 1).
    """
    if not 0.0 < gamma < 1.0:
        return None
    return theta * (1.0 - gamma) * SQRT2 / (1.0 + gamma)


def l_niah(d_horizon_value: float | None) -> float | None:
    """L_NIAH^c = 2·d_horizon: the length at which needle retrieval falls to 50 %   (§26.5)."""
    return None if d_horizon_value is None else 2.0 * d_horizon_value


def p_hallucinate(L: float, theta: float, gamma: float) -> float | None:
    """P = max(0, 1 − (d_h/L)^(1−γ)) · √χ/(1+√χ)   (§26.9); None outside Phase A or for L ≤ 0.

    Zero whenever L ≤ d_h. Exploratory (never validated against retrieval measurements).
    """
    horizon = d_horizon(theta, gamma)
    susceptibility = chi_susceptibility(gamma)
    if horizon is None or L <= 0 or susceptibility is None:
        return None
    geometric = max(0.0, 1.0 - (horizon / L) ** (1.0 - gamma))
    root = math.sqrt(susceptibility)
    return geometric * root / (1.0 + root)


def theta_design(gamma_target: float, T_eval: float) -> float:
    """θ needed for γ_Padé = γ* at length T: θ = T·√2·(1+γ*) / (2·(1−γ*))   (§26.3).

    Exact inverse of :func:`gamma_pade`. Requires −1 < γ* < 1 (ValueError otherwise).
    """
    if not -1.0 < gamma_target < 1.0:
        raise ValueError(f"gamma_target must be in (-1, 1), got {gamma_target}")
    return T_eval * SQRT2 * (1.0 + gamma_target) / (2.0 * (1.0 - gamma_target))


def alpha_opt(gamma_target: float, T_eval: float, theta_nominal: float) -> float:
    """NTK scaling factor α = θ_design(γ*, T) / θ_nominal   (§26.4). Requires θ_nominal > 0."""
    if theta_nominal <= 0:
        raise ValueError(f"theta_nominal must be > 0, got {theta_nominal}")
    return theta_design(gamma_target, T_eval) / theta_nominal


def kv_soft_decay_regime(theta: float, gamma: float, T_train: float) -> tuple[str, float | None, float | None]:
    """Soft KV decay applies when the horizon reaches about half the training length   (§26.8).

    ratio = d_h / max(1, T_train/2): ≥ 1.2 "applies", ≥ 0.8 "borderline", else "use-hard-cutoff"
    (also when d_h is undefined). Returns (regime, d_h, ratio).
    """
    horizon = d_horizon(theta, gamma)
    if horizon is None:
        return "use-hard-cutoff", None, None
    ratio = horizon / max(1.0, T_train / 2.0)
    if ratio >= 1.2:
        return "applies", horizon, ratio
    if ratio >= 0.8:
        return "borderline", horizon, ratio
    return "use-hard-cutoff", horizon, ratio
