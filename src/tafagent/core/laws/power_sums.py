"""Exact power sums Σ_{d=1..N} d^−γ (ln d − c)^j in O(1) time, and their smooth extension to real N.

The numerical engine under the γ-thermodynamics (``thermo.py``): the partition function Z of a d^−γ
attention profile and the first two moments of ln d, exact to ~1e-15 relative for any γ > 0 and N up to
2^53, in pure standard-library Python (it runs in Pyodide). The first terms are summed directly
(``math.fsum``), the tail with Euler–Maclaurin (Bernoulli terms B2..B12) on an integral that never
cancels catastrophically, even at γ → 1. :class:`LogPowerSum` also gives a smooth interpolant of the
partial sums and its slope, which the D_f window solver inverts.
"""

from __future__ import annotations

import math

__all__ = ["HEAD_TERMS", "LogPowerSum", "check_gamma", "check_n", "power_sum"]

# Terms d = 1..HEAD_TERMS are summed directly; the rest goes through Euler–Maclaurin starting at
# a = HEAD_TERMS + 1. With a = 21 the first omitted Euler–Maclaurin term (B14) is below 1e-20 of the
# tail for every γ up to ~5 and stays negligible against the head for larger γ, where the tail itself
# is at most ~21^(1−γ) of the sum.
HEAD_TERMS = 20

# B_2k / (2k)! for k = 1..6 (B2 = 1/6, B4 = −1/30, B6 = 1/42, B8 = −1/30, B10 = 5/66, B12 = −691/2730).
_EM_COEFFS: tuple[float, ...] = (
    1.0 / 12.0,
    -1.0 / 720.0,
    1.0 / 30240.0,
    -1.0 / 1209600.0,
    1.0 / 47900160.0,
    -691.0 / 1307674368000.0,
)
_MAX_DERIV = 2 * len(_EM_COEFFS) - 1  # highest derivative used: f^(11)

# |x| at or below which g_i(x) = ∫_0^1 v^i e^{xv} dv is summed as a power series in x. Below this the
# closed form (integration by parts) cancels catastrophically — at γ → 1 (x = (1−γ)·ln(b/a) → 0) it
# would divide a rounding error by x^(i+1). Above it the closed-form recurrence is stable
# (each step amplifies errors by i/|x| ≤ 2) while the alternating series would not be for x ≪ 0.
_SERIES_LIMIT = 1.0

_MAX_N = 2**53  # every integer up to here is an exact float, so the real-x search settles exactly


# ---- validation ---------------------------------------------------------------------------------


def check_gamma(gamma: float) -> float:
    """γ as a float; ValueError unless it is a finite real number > 0 (not a ``bool``)."""
    if isinstance(gamma, bool) or not isinstance(gamma, (int, float)):
        raise ValueError(f"gamma must be a real number, got {gamma!r}")
    g = float(gamma)
    if not math.isfinite(g) or g <= 0.0:
        raise ValueError(f"gamma must be finite and > 0, got {gamma!r}")
    return g


def check_n(N: int) -> int:
    """N unchanged; ValueError unless it is an ``int`` in [1, 2**53] (not a ``bool``)."""
    if isinstance(N, bool) or not isinstance(N, int):
        raise ValueError(f"N must be an int >= 1, got {N!r}")
    if not 1 <= N <= _MAX_N:
        raise ValueError(f"N must be an int in [1, 2**53], got {N!r}")
    return N


# ---- the integral ∫ x^−γ (ln x − c)^j dx ------------------------------------------------------------


def _g(i: int, x: float) -> float:
    """g_i(x) = ∫_0^1 v^i e^{xv} dv, accurate for every real x (series near 0, closed form elsewhere)."""
    if abs(x) <= _SERIES_LIMIT:
        # g_i(x) = Σ_n x^n / (n!·(n+i+1)); with |x| ≤ 1 the terms fall like 1/n!, ~20 of them.
        total = 0.0
        power = 1.0  # x^n / n!
        n = 0
        while True:
            term = power / (n + i + 1)
            total += term
            if abs(term) <= 1e-17 * abs(total) or n > 40:
                return total
            n += 1
            power *= x / n
    # Integration by parts: g_0 = (e^x − 1)/x, g_k = (e^x − k·g_{k−1})/x.
    ex = math.exp(x) if x < 709.0 else math.inf
    value = math.expm1(x) / x
    for k in range(1, i + 1):
        value = (ex - k * value) / x
    return value


def _g_signed(i: int, u: float, w: float) -> float:
    """G_i(w) = ∫_0^w v^i e^{uv} dv = w^(i+1)·g_i(u·w), for either sign of w."""
    if w == 0.0:
        return 0.0
    return w ** (i + 1) * _g(i, u * w)


def _log_integral(u: float, alpha: float, beta: float, c: float, j: int) -> float:
    """∫_α^β e^{ut} (t − c)^j dt, i.e. ∫_a^b x^−γ (ln x − c)^j dx with t = ln x, u = 1 − γ.

    Expanded about p = clamp(c, α, β): (t − c)^j = Σ_i C(j,i)(p − c)^(j−i)(t − p)^i, so that every
    term has the same sign (p at an endpoint) or p − c = 0 and the integral splits at t = c into two
    same-sign parts. No step subtracts nearly equal numbers, whatever γ, a, b and c are.
    """
    p = min(max(c, alpha), beta)
    total = 0.0
    for i in range(j + 1):
        weight = math.comb(j, i) * (p - c) ** (j - i)
        if weight == 0.0:
            continue
        total += weight * (_g_signed(i, u, beta - p) - _g_signed(i, u, alpha - p))
    return math.exp(u * p) * total


# ---- Σ d^−γ (ln d − c)^j ---------------------------------------------------------------------------


class LogPowerSum:
    """S(D) = Σ_{d=1..D} d^−γ (ln d − c)^j for integer D and its smooth extension to real D ≥ a.

    Terms d ≤ HEAD_TERMS are summed exactly (math.fsum). The tail d = a..b (a = HEAD_TERMS + 1) is
    Euler–Maclaurin:  ∫_a^b f + (f(a) + f(b))/2 + Σ_k B_2k/(2k)!·(f^(2k−1)(b) − f^(2k−1)(a)),
    with f(x) = x^−γ (ln x − c)^j and f^(m)(x) = x^(−γ−m)·P_m(ln x − c), P_0(y) = y^j,
    P_{m+1} = (−γ − m)·P_m + P_m′. Replacing b by a real x gives a smooth interpolant of S.
    Nothing is cached between instances; each one costs ~20 powers to build.
    """

    def __init__(self, gamma: float, j: int, c: float = 0.0) -> None:
        self.gamma = gamma
        self.j = j
        self.c = c
        self.u = 1.0 - gamma  # exact for γ near 1 (Sterbenz), the case that matters
        terms = [d**-gamma * (math.log(d) - c) ** j for d in range(1, HEAD_TERMS + 1)]
        # prefix[D] = correctly rounded Σ_{d≤D}; monotone whenever the terms are non-negative.
        self.prefix = [0.0] + [math.fsum(terms[:k]) for k in range(1, HEAD_TERMS + 1)]
        self.a = HEAD_TERMS + 1
        self.alpha = math.log(self.a)
        # Coefficients of P_m in powers of y, m = 0..11.
        poly = [0.0] * j + [1.0]
        self.polys: list[list[float]] = [poly]
        for m in range(_MAX_DERIV):
            deriv = [k * poly[k] for k in range(1, len(poly))] + [0.0]
            poly = [(-gamma - m) * poly[k] + deriv[k] for k in range(len(poly))]
            self.polys.append(poly)
        # Above γ ≈ 244, a^−γ underflows: the tail is below 1e-300 of the head and is dropped (the
        # derivative polynomials, ~γ^11, could otherwise meet 0·inf).
        self.tail_is_zero = float(self.a) ** -gamma == 0.0
        if not self.tail_is_zero:
            self.fa, self.bern_a = self._endpoint(float(self.a))

    @staticmethod
    def _horner(poly: list[float], y: float) -> float:
        acc = 0.0
        for coeff in reversed(poly):
            acc = acc * y + coeff
        return acc

    def _endpoint(self, x: float) -> tuple[float, float]:
        """(f(x), Σ_k B_2k/(2k)!·f^(2k−1)(x))."""
        y = math.log(x) - self.c
        xg = x**-self.gamma
        fx = xg * y**self.j
        inv_x = 1.0 / x
        scale = xg * inv_x  # x^(−γ−m) for m = 1, then ×x^−2 per step
        inv_x2 = inv_x * inv_x
        bern = 0.0
        for k, coeff in enumerate(_EM_COEFFS):
            bern += coeff * scale * self._horner(self.polys[2 * k + 1], y)
            scale *= inv_x2
        return fx, bern

    def smooth(self, x: float) -> float:
        """S(x) for real x ≥ a (equals the exact sum at integers, to rounding)."""
        head = self.prefix[HEAD_TERMS]
        if self.tail_is_zero:
            return head
        integral = _log_integral(self.u, self.alpha, math.log(x), self.c, self.j)
        fx, bern_x = self._endpoint(x)
        return math.fsum((head, integral, 0.5 * self.fa, 0.5 * fx, bern_x, -self.bern_a))

    def slope(self, x: float) -> float:
        """dS/dx ≈ f(x) + f′(x)/2 + f″(x)/12 (enough for Newton steps)."""
        y = math.log(x) - self.c
        xg = x**-self.gamma
        p = self.polys
        return xg * (self._horner(p[0], y) + self._horner(p[1], y) / (2.0 * x) + self._horner(p[2], y) / (12.0 * x * x))

    def at(self, D: int) -> float:
        """S(D) for an integer D ≥ 0."""
        if D <= HEAD_TERMS:
            return self.prefix[D]
        return self.smooth(float(D))


def power_sum(gamma: float, N: int, log_power: int = 0) -> float:
    """Σ_{d=1..N} d^−γ·(ln d)^j for j = ``log_power`` ∈ {0, 1, 2}, any γ > 0, in O(1) time.

    j = 0 is the partition function Z of spec §5.7 (the generalised harmonic number H_N^(γ)); j = 1
    and j = 2 give the first two moments of ln d. The first 20 terms are summed directly, the rest
    with Euler–Maclaurin (Bernoulli terms B2..B12); the integral uses a series in (1−γ)·ln(b/a) where
    the closed form would cancel (γ near 1). Relative error ~1e-15 against ``math.fsum``.
    """
    g = check_gamma(gamma)
    n = check_n(N)
    if isinstance(log_power, bool) or log_power not in (0, 1, 2):
        raise ValueError(f"log_power must be 0, 1 or 2, got {log_power!r}")
    return LogPowerSum(g, log_power).at(n)
