"""The power-law fit ln A(d) = log_A − γ·ln d (spec §5.6) and its percentile bootstrap CI over prompts.

Pure standard library: everything here works on numbers the measurement (``tafagent.adapters.measure``)
produced.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["PowerLawFit", "bootstrap_gamma_ci", "finite_mean", "fit_power_law", "try_fit_power_law"]


@dataclass(frozen=True, slots=True)
class PowerLawFit:
    """ln A(d) = log_A − γ·ln d by ordinary least squares (spec §5.6).

    ``R2`` is rounded to 6 decimals as the reference does; ``R2_exact`` keeps the unrounded value.
    ``distances`` are the points used (finite, positive A).
    """

    gamma: float
    log_A: float
    R2: float
    R2_exact: float
    distances: tuple[int, ...]

    @property
    def n_points(self) -> int:
        return len(self.distances)

    def predict(self, distance: float) -> float:
        """A(d) = exp(log_A)·d^−γ."""
        return math.exp(self.log_A - self.gamma * math.log(distance))

    def to_dict(self) -> dict[str, Any]:
        return {
            "gamma": self.gamma,
            "log_A": self.log_A,
            "R2": self.R2,
            "R2_exact": self.R2_exact,
            "n_points": self.n_points,
            "distances": list(self.distances),
        }


def fit_power_law(distances: Iterable[float], values: Iterable[float]) -> PowerLawFit:
    """OLS of ln A on [1, −ln d] over the points with finite A > 0 and d > 0 (spec §5.6).

    Closed form: γ = −Sxy/Sxx, log_A = ȳ + γ·x̄ with x = ln d, y = ln A; R² = 1 − SS_res/SS_tot in log space
    (0 when SS_tot = 0), reported rounded to 6 decimals like the reference. Raises ValueError with fewer
    than two usable points or a single distinct distance (where v0.5.3 returned γ = NaN).
    """
    points = [
        (int(d) if float(d).is_integer() else d, float(v))
        for d, v in zip(distances, values, strict=True)
        if isinstance(v, (int, float)) and math.isfinite(v) and v > 0.0 and math.isfinite(d) and d > 0
    ]
    if len(points) < 2:
        raise ValueError(f"a power-law fit needs at least 2 distances with finite A > 0, got {len(points)}")
    xs = [math.log(d) for d, _ in points]
    ys = [math.log(v) for _, v in points]
    n = len(points)
    x_mean = math.fsum(xs) / n
    y_mean = math.fsum(ys) / n
    sxx = math.fsum((x - x_mean) ** 2 for x in xs)
    if sxx == 0.0:
        raise ValueError("a power-law fit needs at least 2 distinct distances")
    sxy = math.fsum((x - x_mean) * (y - y_mean) for x, y in zip(xs, ys, strict=True))
    slope = sxy / sxx
    gamma = -slope
    log_a = y_mean - slope * x_mean
    ss_tot = math.fsum((y - y_mean) ** 2 for y in ys)
    ss_res = math.fsum((y - (log_a + slope * x)) ** 2 for x, y in zip(xs, ys, strict=True))
    r2 = 1.0 - ss_res / ss_tot if ss_tot > 0.0 else 0.0
    return PowerLawFit(
        gamma=gamma + 0.0,
        log_A=log_a,
        R2=round(r2, 6),
        R2_exact=r2,
        distances=tuple(d for d, _ in points),  # type: ignore[misc]
    )


def try_fit_power_law(distances: Sequence[float], values: Sequence[float]) -> PowerLawFit | None:
    """:func:`fit_power_law`, or None where it has too few usable points (a curve that cannot be fitted)."""
    try:
        return fit_power_law(distances, values)
    except ValueError:
        return None


def finite_mean(values: Iterable[float]) -> float:
    """The mean of the finite values; NaN when there are none."""
    kept = [v for v in values if math.isfinite(v)]
    return math.fsum(kept) / len(kept) if kept else math.nan


# ---- bootstrap over prompts --------------------------------------------------------------------------


def bootstrap_gamma_ci(
    samples: Mapping[int, Sequence[float]],
    *,
    paired: bool,
    n_resamples: int = 1000,
    seed: int = 0,
    level: float = 0.95,
) -> tuple[float, float] | None:
    """Percentile bootstrap CI of γ over prompts: resample prompts, average per distance, refit.

    ``samples[d]`` holds one value per prompt (the prompt's mean over layers and heads). ``paired``: the
    lists are aligned (prompt i measured every distance, as in the fast protocol) and one set of prompt
    indices is drawn per replicate; otherwise (the reference protocol draws fresh prompts per distance)
    each distance is resampled independently. Non-finite values are dropped. Deterministic:
    ``random.Random(seed)``. None when fewer than two prompts or two distances are usable.
    """
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be in (0, 1), got {level!r}")
    rng = random.Random(seed)
    resample = _paired_replicates if paired else _unpaired_replicates
    gammas = resample(samples, rng, n_resamples)
    if gammas is None or len(gammas) < max(10, n_resamples // 2):
        return None
    gammas.sort()
    tail = (1.0 - level) / 2.0
    return (_quantile(gammas, tail), _quantile(gammas, 1.0 - tail))


def _paired_replicates(
    samples: Mapping[int, Sequence[float]], rng: random.Random, n_resamples: int
) -> list[float] | None:
    """γ of each replicate that draws one set of prompt indices for all distances; None with < 2 prompts."""
    distances = sorted(samples)
    lengths = {len(samples[d]) for d in distances}
    if len(lengths) != 1:
        raise ValueError("paired samples must hold the same number of prompts at every distance")
    n = lengths.pop() if lengths else 0
    if n < 2:
        return None
    population = range(n)
    gammas: list[float] = []
    for _ in range(n_resamples):
        picks = rng.choices(population, k=n)
        fit = try_fit_power_law(distances, [finite_mean(samples[d][i] for i in picks) for d in distances])
        if fit is not None:
            gammas.append(fit.gamma)
    return gammas


def _unpaired_replicates(
    samples: Mapping[int, Sequence[float]], rng: random.Random, n_resamples: int
) -> list[float] | None:
    """γ of each replicate that resamples every distance's prompts on its own; None when too few are usable."""
    distances = sorted(samples)
    clean = {d: [v for v in samples[d] if math.isfinite(v)] for d in distances}
    if sum(1 for d in distances if len(clean[d]) >= 1) < 2 or max((len(v) for v in clean.values()), default=0) < 2:
        return None
    gammas: list[float] = []
    for _ in range(n_resamples):
        means = [finite_mean(rng.choices(clean[d], k=len(clean[d]))) if clean[d] else math.nan for d in distances]
        fit = try_fit_power_law(distances, means)
        if fit is not None:
            gammas.append(fit.gamma)
    return gammas


def _quantile(sorted_values: Sequence[float], q: float) -> float:
    """Linear-interpolation quantile (numpy's default method) of an ascending sequence."""
    position = q * (len(sorted_values) - 1)
    low = math.floor(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)
