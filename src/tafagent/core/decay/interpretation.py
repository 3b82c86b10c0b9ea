"""Spec §5.8: the words a report puts on a measured γ and on its KL grammar."""

from __future__ import annotations

__all__ = ["KL_HIGH", "KL_MODERATE", "gamma_band", "kl_level"]

KL_HIGH = 0.05
KL_MODERATE = 0.01


def kl_level(kl: float | None) -> str | None:
    """Spec §5.8: KL > 0.05 HIGH (non-power-law circuits), > 0.01 MODERATE, else LOW (pure positional)."""
    if kl is None:
        return None
    if kl > KL_HIGH:
        return "HIGH"
    if kl > KL_MODERATE:
        return "MODERATE"
    return "LOW"


def gamma_band(gamma: float) -> str:
    """Spec §5.8 interpretation band of a measured γ."""
    if gamma < 0.7:
        return "very long-range (large-θ class)"
    if gamma < 0.95:
        return "long-range (standard RoPE, Phase A)"
    if gamma < 1.05:
        return "Hagedorn crossover"
    if gamma < 1.3:
        return "short-range (AbsPE / short training)"
    return "highly local (possible SWA / very short context)"
