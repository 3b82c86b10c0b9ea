"""Finite numbers in, JSON-safe numbers out: the contract at the edges of the γ diagnostics.

Inputs: every diagnostic validates its numeric arguments here, so a non-number, a ``bool``, NaN, ±inf or a
value outside the domain raises :class:`DiagnosticInputError` (a ``ValueError`` and a ``TafError``) naming
the parameter, instead of an arbitrary ``ZeroDivisionError`` or a silent NaN (spec §9.2).
Outputs: :func:`json_safe` replaces a float that overflowed by ``None`` and says where, so no ``inf`` or
``nan`` ever reaches JSON (the reference emitted non-standard JSON, spec §9.2 item 6).
"""

from __future__ import annotations

import math
import numbers
from typing import Any

from tafagent.core.errors import DiagnosticInputError

__all__ = ["as_real", "json_safe", "require_count", "require_finite", "require_non_negative", "require_positive"]


# ---- inputs ----------------------------------------------------------------------------------------
def as_real(value: object) -> float | None:
    """``float(value)`` for a real number that is not a ``bool``; ``None`` otherwise (NaN passes through)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    try:
        return float(value)
    except (OverflowError, ValueError, TypeError):
        return None


def require_finite(value: object, name: str) -> float:
    """``value`` as a finite float; :class:`DiagnosticInputError` naming ``name`` otherwise."""
    x = as_real(value)
    if x is None:
        raise DiagnosticInputError(
            name, f"{name} must be a real number, got {type(value).__name__} {value!r}", "pass a finite float"
        )
    if not math.isfinite(x):
        raise DiagnosticInputError(name, f"{name} must be finite, got {x!r}", "pass a finite float")
    return x


def require_positive(value: object, name: str) -> float:
    """``value`` as a finite float > 0 (a length, a base or a tolerance)."""
    x = require_finite(value, name)
    if x <= 0.0:
        raise DiagnosticInputError(name, f"{name} must be > 0, got {x!r}", f"{name} is a positive length or base")
    return x


def require_non_negative(value: object, name: str) -> float:
    """``value`` as a finite float ≥ 0."""
    x = require_finite(value, name)
    if x < 0.0:
        raise DiagnosticInputError(name, f"{name} must be ≥ 0, got {x!r}")
    return x


def require_count(value: object, name: str, *, minimum: int) -> int:
    """``value`` as an integer ≥ ``minimum``; an integral float such as 8.0 counts as 8."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # 8.0 from a JSON config is the count 8
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise DiagnosticInputError(name, f"{name} must be an integer, got {type(value).__name__} {value!r}")
    n = int(value)
    if n < minimum:
        raise DiagnosticInputError(name, f"{name} must be ≥ {minimum}, got {n}")
    return n


# ---- outputs ---------------------------------------------------------------------------------------
def _scrub(obj: Any, path: str, replaced: list[str]) -> Any:
    """Replace every non-finite float in a nested result by ``None``, recording where."""
    if isinstance(obj, float) and not math.isfinite(obj):
        replaced.append(path)
        return None
    if isinstance(obj, dict):
        return {k: _scrub(v, f"{path}.{k}" if path else str(k), replaced) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_scrub(v, f"{path}[{i}]", replaced) for i, v in enumerate(obj)]
    return obj


def json_safe(out: dict[str, Any]) -> dict[str, Any]:
    """``out`` with every non-finite float replaced by ``None``, plus ``non_finite_replaced`` saying where."""
    replaced: list[str] = []
    clean = _scrub(out, "", replaced)
    if replaced:
        clean["non_finite_replaced"] = {
            "fields": replaced,
            "why": "these values overflow a float for this input (|γ| near the float limit); shown as null",
        }
    return clean
