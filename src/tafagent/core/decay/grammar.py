"""KL grammar (spec §5.7): how far a measured distance profile departs from its own fitted power law.

A large KL says the attention has structure a single power law cannot carry (non-positional circuits);
``core.decay.interpretation.kl_level`` names the spec §5.8 bands.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from tafagent.core.decay.fit import PowerLawFit

__all__ = ["kl_grammar"]

_KL_FLOOR = 1e-30
_LOG_KL_FLOOR = math.log(_KL_FLOOR)


def kl_grammar(attn_by_distance: Mapping[int, float], fit: PowerLawFit) -> float | None:
    """KL(p_obs ‖ p_prior) of the measured distance profile against the fitted power law (spec §5.7).

    p_obs ∝ max(A(d), 1e-30) and p_prior ∝ max(exp(log_A)·d^−γ, 1e-30), both normalised over the
    measured distances; KL = Σ_{p > 1e-12} p·ln(p/(q + 1e-12)). Deliberate fix (spec §9.2 item 12): only
    distances with a finite measured value enter, so one failed distance no longer turns KL into NaN.
    None when fewer than two distances remain.

    Both profiles are scaled by their largest value before normalising (the prior in log space:
    w = max(log_A − γ·ln d, ln 1e-30), minus the largest w, exponentiated), which leaves the normalised
    profiles unchanged up to rounding but cannot overflow for an extreme fit (γ ≈ 1000 from a curve that
    falls to 1e-300).
    """
    ds = sorted(d for d, v in attn_by_distance.items() if isinstance(v, (int, float)) and math.isfinite(v))
    if len(ds) < 2:
        return None
    observed = [max(attn_by_distance[d], _KL_FLOOR) for d in ds]
    top = max(observed)
    p = _normalised([v / top for v in observed])
    log_prior = [max(fit.log_A - fit.gamma * math.log(d), _LOG_KL_FLOOR) for d in ds]
    top_log = max(log_prior)
    q = _normalised([math.exp(w - top_log) for w in log_prior])
    return math.fsum(pi * math.log(pi / (qi + 1e-12)) for pi, qi in zip(p, q, strict=True) if pi > 1e-12)


def _normalised(values: Sequence[float]) -> list[float]:
    total = math.fsum(values)
    return [v / total for v in values]
