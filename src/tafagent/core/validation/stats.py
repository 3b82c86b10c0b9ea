"""The statistics the validation reports: means, standard deviations, Pearson r, Spearman ρ, least squares.

Plain and documented on purpose: ``tests/core/test_validation.py`` re-implements them independently (with the
standard library's ``statistics`` module) and compares. Every function returns None where the statistic is
undefined (too few values, a constant series) rather than a float that looks like a result.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

__all__ = [
    "average_ranks",
    "fmt",
    "mean",
    "ols",
    "ols_through_origin",
    "pearson_r",
    "population_variance",
    "real_number",
    "sample_std",
    "spearman_rho",
]


def mean(xs: Sequence[float]) -> float | None:
    """Arithmetic mean (``math.fsum``); None for no values."""
    return math.fsum(xs) / len(xs) if xs else None


def sample_std(xs: Sequence[float]) -> float | None:
    """Standard deviation with n − 1 in the denominator; None for n < 2."""
    if len(xs) < 2:
        return None
    m = math.fsum(xs) / len(xs)
    return math.sqrt(math.fsum((x - m) ** 2 for x in xs) / (len(xs) - 1))


def population_variance(xs: Sequence[float]) -> float | None:
    """Population variance: the MSE of predicting every value by the mean."""
    if not xs:
        return None
    m = math.fsum(xs) / len(xs)
    return math.fsum((x - m) ** 2 for x in xs) / len(xs)


def pearson_r(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson r; None for n < 3 or a constant series."""
    n = len(xs)
    if n < 3 or min(xs) == max(xs) or min(ys) == max(ys):  # constant: r undefined (not float noise)
        return None
    mx, my = math.fsum(xs) / n, math.fsum(ys) / n
    sxx = math.fsum((x - mx) ** 2 for x in xs)
    syy = math.fsum((y - my) ** 2 for y in ys)
    if sxx <= 0.0 or syy <= 0.0:
        return None
    return math.fsum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / math.sqrt(sxx * syy)


def average_ranks(xs: Sequence[float]) -> list[float]:
    """Ranks 1..n, ties get their average rank."""
    order = sorted(range(len(xs)), key=lambda i: xs[i])
    ranks = [0.0] * len(xs)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and xs[order[j + 1]] == xs[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2.0 + 1.0
        i = j + 1
    return ranks


def spearman_rho(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Spearman ρ = Pearson r of the ranks; None for n < 3 or a constant series."""
    if len(xs) < 3:
        return None
    return pearson_r(average_ranks(xs), average_ranks(ys))


def ols(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float, float | None, float | None]:
    """Least squares y = a + b·x → (b, a, R², standard error of b)."""
    n = len(xs)
    mx, my = math.fsum(xs) / n, math.fsum(ys) / n
    sxx = math.fsum((x - mx) ** 2 for x in xs)
    b = math.fsum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx
    a = my - b * mx
    ssr = math.fsum((y - a - b * x) ** 2 for x, y in zip(xs, ys, strict=True))
    sst = math.fsum((y - my) ** 2 for y in ys)
    r2 = 1.0 - ssr / sst if sst > 0 else None
    se = math.sqrt(ssr / (n - 2) / sxx) if n > 2 else None
    return b, a, r2, se


def ols_through_origin(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float | None]:
    """Least squares through the origin y = b·x → (b, standard error of b)."""
    sxx = math.fsum(x * x for x in xs)
    b = math.fsum(x * y for x, y in zip(xs, ys, strict=True)) / sxx
    n = len(xs)
    ssr = math.fsum((y - b * x) ** 2 for x, y in zip(xs, ys, strict=True))
    se = math.sqrt(ssr / (n - 1) / sxx) if n > 1 else None
    return b, se


def real_number(value: Any) -> float:
    """A number from a data field or a numeric case (ValueError for None, text or bool)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"expected a number, got {value!r}")
    return float(value)


def fmt(x: float | None, spec: str = ".2f") -> str:
    """``x`` formatted for a headline, or "n/a" when the statistic does not exist."""
    return "n/a" if x is None else format(x, spec)
