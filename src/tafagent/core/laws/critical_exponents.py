"""Critical exponents of the TAF mapping as functions of γ (TAF Agent v0.5.3, spec §2.9.5, §33.4).

The framework reads attention decay as a critical phenomenon and *defines* the exponents from γ:
ν = 1/(1−γ), β = η = γ−1, α = 2 − 1/(1−γ), γ_susc = 1/(1−γ) + 2(1−γ). These are definitions, not
measurements; their statistical-physics reading is not validated (evidence: derived). Paper 1's η = 2γ
is wrong and replaced by η = γ − 1. :class:`CriticalExponents` is the one home of the definitions; the
§34 identities (``identities.py``) are checked on the same values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tafagent.core.errors import DiagnosticInputError
from tafagent.core.evidence import Evidence, EvidenceNote
from tafagent.core.laws.constants import SQRT2
from tafagent.core.laws.safe_numbers import json_safe, require_finite

__all__ = ["CRITICAL_EXPONENTS_EVIDENCE", "CriticalExponents", "critical_exponents", "critical_exponents_bundle"]

CRITICAL_EXPONENTS_EVIDENCE = EvidenceNote(
    Evidence.DERIVED,
    "§33.4 exponents are the framework's definitions as functions of γ (η = γ−1 replaces paper 1's η = 2γ); "
    "their statistical-physics reading is not validated against measurements",
)

# AM–GM: 1/(1−γ) · 2(1−γ) = 2, so γ_susc = 1/(1−γ) + 2(1−γ) ≥ 2√2, with equality at 1 − γ = 1/√2.
_GAMMA_SUSC_MIN = 2.0 * SQRT2
_GAMMA_AT_SUSC_MIN = 1.0 - 1.0 / SQRT2


@dataclass(frozen=True, slots=True)
class CriticalExponents:
    """The §33.4 exponents at one γ < 1 (dimensionless)."""

    gamma: float
    nu: float  # correlation length ν = 1/(1−γ)
    beta: float  # order parameter β = γ − 1
    eta: float  # anomalous dimension η = γ − 1 (not paper 1's 2γ)
    alpha: float  # specific heat α = 2 − 1/(1−γ)
    gamma_susc: float  # susceptibility exponent γ_susc = 1/(1−γ) + 2(1−γ)


def critical_exponents(gamma: float) -> CriticalExponents:
    """ν, β, η, α and γ_susc at a finite γ < 1 (they diverge at γ = 1; formal values for γ ≤ 0).

    Raises :class:`DiagnosticInputError` for a non-finite γ or γ ≥ 1.
    """
    g = require_finite(gamma, "gamma")
    if g >= 1.0:
        raise DiagnosticInputError("gamma", f"the critical exponents diverge at γ ≥ 1, got {g!r}")
    u = 1.0 - g
    return CriticalExponents(
        gamma=g,
        nu=1.0 / u,
        beta=g - 1.0,
        eta=g - 1.0,
        alpha=2.0 - 1.0 / u,
        gamma_susc=1.0 / u + 2.0 * u,
    )


def critical_exponents_bundle(gamma: float) -> dict[str, Any]:
    """Critical exponents of the TAF mapping as functions of γ (spec §2.9.5, §33.4).

    ν = 1/(1−γ); β = γ−1; η = γ−1 (paper 1's η = 2γ is wrong); α = 2 − 1/(1−γ);
    γ_susc = 1/(1−γ) + 2(1−γ) with the AM–GM minimum 2√2 at γ = 1 − 1/√2; Rushbrooke α + 2β + γ_susc = 2.
    γ ≥ 1 ⇒ ``{"regime": "Hagedorn or beyond", "exponents": "diverge"}`` (plus ``input_gamma``, ``section``,
    ``evidence``). As in the reference there is no lower bound; for γ ≤ 0 a ``phase_note`` says the input is
    outside Phase A. Keys otherwise (verbatim): ``nu_correlation_length``, ``beta_order_param``,
    ``eta_anomalous_dim``, ``eta_note``, ``alpha_specific_heat``, ``gamma_susceptibility``,
    ``c_central_at_gamma_0``, ``AM_GM_bound``, ``hyperscaling_check``, ``warning_paper1_eta``.
    Example γ = 0.5 ⇒ ν 2, β −0.5, η −0.5, α 0, γ_susc 3. Evidence: derived (definitions, not validated).
    """
    g = require_finite(gamma, "gamma")
    common = {"input_gamma": g, "section": "§33.4", "evidence": CRITICAL_EXPONENTS_EVIDENCE.to_dict()}
    if g >= 1.0:
        return {"regime": "Hagedorn or beyond", "exponents": "diverge", **common}
    e = critical_exponents(g)
    out: dict[str, Any] = {
        "nu_correlation_length": e.nu,
        "beta_order_param": e.beta,
        "eta_anomalous_dim": e.eta,
        "eta_note": "η_c = γ − 1 (hyperscaling-consistent); paper 1's η = 2γ is incorrect.",
        "alpha_specific_heat": e.alpha,
        "gamma_susceptibility": e.gamma_susc,
        "c_central_at_gamma_0": 3,
        "AM_GM_bound": {
            "min_gamma_susc": _GAMMA_SUSC_MIN,
            "min_at_gamma": _GAMMA_AT_SUSC_MIN,
            "interpretation": (
                f"γ_susc has its minimum {_GAMMA_SUSC_MIN:.3f} at γ = {_GAMMA_AT_SUSC_MIN:.4f} for every model "
                "(AM–GM: the product of 1/(1−γ) and 2(1−γ) is the constant 2)"
            ),
        },
        "hyperscaling_check": {
            "Rushbrooke (α + 2β + γ_susc = 2)": e.alpha + 2.0 * e.beta + e.gamma_susc,
            "expected": 2,
        },
        "warning_paper1_eta": "Paper 1's η_c = 2γ is incorrect; use η_c = γ − 1 (this function).",
        "phase_note": None if g > 0.0 else "γ ≤ 0 is outside Phase A (0, 1); the exponents are formal values here",
        **common,
    }
    return json_safe(out)
