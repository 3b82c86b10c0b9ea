"""Famous mathematical constants near a measured γ (TAF Agent v0.5.3, spec §2.4.6, §2.9.8, §31).

The reference reports when γ lands near one of nine constants (1/√2, ln 2, 1/π, …). This is an anecdote
check, not a law: four panel models sit near a constant and nine constants packed into (0.29, 0.71) make
such hits likely by chance, so every result carries exploratory evidence and a caveat. Names and table
order are the reference's (ties keep the table order).

Deliberate fix (spec §9.2): :func:`nearest_famous_constant` honours ``max_results`` above 3 (the reference
truncates to 3 first).
"""

from __future__ import annotations

import math
from typing import Any

from tafagent.core.errors import DiagnosticInputError
from tafagent.core.evidence import Evidence, EvidenceNote
from tafagent.core.laws.constants import SQRT2
from tafagent.core.laws.safe_numbers import as_real, require_count, require_finite, require_non_negative

__all__ = ["FAMOUS_CONSTANTS", "FAMOUS_CONSTANTS_EVIDENCE", "famous_constant_proximity", "nearest_famous_constant"]

FAMOUS_CONSTANTS_EVIDENCE = EvidenceNote(
    Evidence.EXPLORATORY,
    "§31 proximity of measured γ to mathematical constants: 4 panel anecdotes, no significance test; at tolerance "
    "0.01 about 40 % of the interval (0.28, 0.72) lies within tolerance of one of the nine constants",
    n=4,
    statistic="4 anecdotal hits",
)

_PHI = (1.0 + math.sqrt(5.0)) / 2.0
FAMOUS_CONSTANTS: tuple[tuple[str, float], ...] = (
    ("1−1/φ (golden conjugate)", 1.0 - 1.0 / _PHI),
    ("1/√2", 1.0 / SQRT2),
    ("1−1/√2", 1.0 - 1.0 / SQRT2),
    ("log_10(e)", math.log10(math.e)),
    ("1/π", 1.0 / math.pi),
    ("2/π", 2.0 / math.pi),
    ("1/φ", 1.0 / _PHI),
    ("ln(2)", math.log(2.0)),
    ("z*_Cayley = (√17−3)/2", (math.sqrt(17.0) - 3.0) / 2.0),
)
_FAMOUS_CAVEAT = (
    "Only 4 panel models sit near a famous constant (CodeLlama-13b ≈ 1−1/φ, pythia-1.4b ≈ 1/√2, Llama-2-7b ≈ "
    "1−1/√2, Mistral-Nemo ≈ log_10(e)); with nine constants packed into (0.29, 0.71) such hits may well be "
    "coincidence. Not a measurement and not a prediction."
)
_FAMOUS_HITS_CAP = 3  # the reference truncates the hit list to 3


def _famous_hits(g: float, tolerance: float) -> list[dict[str, Any]]:
    """Constants with |γ − value| ≤ tolerance as ``{"constant", "value", "error"}``, closest first."""
    hits: list[dict[str, Any]] = [
        {"constant": name, "value": value, "error": abs(g - value)}
        for name, value in FAMOUS_CONSTANTS
        if abs(g - value) <= tolerance
    ]
    hits.sort(key=lambda h: h["error"])  # stable: ties keep the table order
    return hits


def famous_constant_proximity(gamma: float, tolerance: float = 0.01) -> dict[str, Any]:
    """Famous mathematical constants within ``tolerance`` of γ (spec §2.4.6, §31).

    Hits are constants with |γ − value| ≤ tolerance, each ``{"constant", "value", "error"}``, sorted by error
    and truncated to 3 (as the reference); ``n_hits`` counts them before truncation. Keys: ``gamma``,
    ``tolerance``, ``n_hits``, ``hits``, ``caveat``, plus ``section`` and ``evidence`` (exploratory: four
    anecdotes, likely coincidence). Raises :class:`DiagnosticInputError` for a non-finite γ or a negative
    tolerance.
    """
    g = require_finite(gamma, "gamma")
    tol = require_non_negative(tolerance, "tolerance")
    hits = _famous_hits(g, tol)
    return {
        "gamma": g,
        "tolerance": tol,
        "n_hits": len(hits),
        "hits": hits[:_FAMOUS_HITS_CAP],
        "caveat": _FAMOUS_CAVEAT,
        "section": "§31",
        "evidence": FAMOUS_CONSTANTS_EVIDENCE.to_dict(),
    }


def nearest_famous_constant(gamma: float | None, max_results: int = 3, tolerance: float = 0.05) -> list[dict[str, Any]]:
    """The closest famous constants to γ (spec §2.9.8): the first ``max_results`` hits of
    :func:`famous_constant_proximity` (|γ − value| ≤ tolerance, sorted by error).

    ``None`` (or a ``bool``, NaN, ±inf) ⇒ ``[]``. Deliberate fix: ``max_results`` above 3 is honoured (the reference
    took the already 3-truncated hit list). The caveat of §31 applies: exploratory, likely coincidence.
    """
    n = require_count(max_results, "max_results", minimum=0)
    tol = require_non_negative(tolerance, "tolerance")
    if gamma is None or isinstance(gamma, bool):
        return []
    g = as_real(gamma)
    if g is None:
        raise DiagnosticInputError("gamma", f"gamma must be a real number or None, got {type(gamma).__name__}")
    if not math.isfinite(g):
        return []  # no constant is near NaN or ±inf
    return _famous_hits(g, tol)[:n]
