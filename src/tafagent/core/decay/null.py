"""The uniform-attention null: what a position-blind model would measure under the same estimator.

A measured γ means something only against this null: the reference estimator's query position grows with d,
so even uniform attention decays there (γ_null ≈ 0.69 on 10…2000); the curve estimator's null is flat. See
``core.decay.protocol`` for the two estimators.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from tafagent.core.decay.fit import PowerLawFit, try_fit_power_law
from tafagent.core.decay.json_fields import str_keyed
from tafagent.core.decay.protocol import REFERENCE_KEY_POSITION

__all__ = ["UniformNull", "null_attention", "uniform_attention", "uniform_null"]


def uniform_attention(query_position: int, key_position: int, sliding_window: int | None = None) -> float:
    """p[q, k] of a causal row that attends uniformly: 1/min(q + 1, W) for a visible key, else 0.

    Key k is visible from query q iff k ≤ q and (no window, or q − W < k), the transformers convention.
    """
    if key_position < 0 or key_position > query_position:
        return 0.0
    if sliding_window is not None and key_position <= query_position - sliding_window:
        return 0.0
    visible = query_position + 1 if sliding_window is None else min(query_position + 1, sliding_window)
    return 1.0 / visible


def null_attention(
    estimator: str,
    distances: Iterable[int],
    *,
    query_positions: Sequence[int] = (),
    windows: Sequence[int | None] = (None,),
    key_floor: int = REFERENCE_KEY_POSITION,
) -> dict[int, float]:
    """A(d) that uniform attention gives under an estimator, averaged over layers like the measurement.

    ``reference``: query d + 49, key 49 → 1/(d + 50) without windows. ``curve``: mean over the query rows
    q ∈ ``query_positions`` whose key q − d is at a position ≥ ``key_floor``. ``windows`` holds one
    sliding window (or None) per measured attention layer; the layer mean is taken as the measurement does.
    Distances that no curve row reaches are left out.
    """
    if not windows:
        raise ValueError("windows needs one entry per measured attention layer")
    out: dict[int, float] = {}
    for d in sorted(set(distances)):
        per_layer: list[float] = []
        for window in windows:
            if estimator == "reference":
                per_layer.append(uniform_attention(d + REFERENCE_KEY_POSITION, REFERENCE_KEY_POSITION, window))
            elif estimator == "curve":
                rows = [uniform_attention(q, q - d, window) for q in query_positions if q - d >= key_floor]
                if not rows:
                    break  # no curve row reaches this distance: it has no null value
                per_layer.append(math.fsum(rows) / len(rows))
            else:
                raise ValueError(f"unknown estimator {estimator!r} (expected 'reference' or 'curve')")
        if len(per_layer) == len(windows):
            out[d] = math.fsum(per_layer) / len(per_layer)
    return out


@dataclass(frozen=True, slots=True)
class UniformNull:
    """What a model with uniform (position-blind) attention would measure under the same estimator."""

    estimator: str
    attn_by_distance: dict[int, float]
    fit: PowerLawFit | None

    @property
    def gamma(self) -> float | None:
        return None if self.fit is None else self.fit.gamma

    def to_dict(self) -> dict[str, Any]:
        return {
            "estimator": self.estimator,
            "gamma": self.gamma,
            "attn_by_distance": str_keyed(self.attn_by_distance),
            "fit": None if self.fit is None else self.fit.to_dict(),
        }


def uniform_null(
    estimator: str,
    distances: Iterable[int],
    *,
    query_positions: Sequence[int] = (),
    windows: Sequence[int | None] = (None,),
) -> UniformNull:
    """The null curve and its fitted γ (ln-space OLS, exactly as the measurement is fitted).

    On the reference distances 10…2000 with full attention: A = 1/(d + 50), γ_null ≈ 0.69. A flat null
    (one curve row) fits γ = 0 exactly.
    """
    curve = null_attention(estimator, distances, query_positions=query_positions, windows=windows)
    ds = sorted(curve)
    return UniformNull(estimator, curve, try_fit_power_law(ds, [curve[d] for d in ds]))
