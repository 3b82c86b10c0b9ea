"""γ-thermodynamics of a power-law attention profile: exact discrete sums, D_f window, profile.

Attention that decays as a power law of the query–key distance d, A(d) ∝ d^−γ for d = 1..N, is a
Boltzmann distribution p(d) = d^−γ / Z with energy ln d and inverse temperature γ (TAF §26, spec §5.7).
This module computes, in pure standard-library Python (it runs in Pyodide):

* :func:`power_sum` — Σ_{d=1..N} d^−γ (ln d)^j exactly (to ~1e-15 relative) in O(1) time for any
  γ > 0 and N up to 10^9 and beyond, by direct summation of the first terms plus an Euler–Maclaurin tail;
* :func:`df_window` — the KV-compression window D_f (spec §2.3.9, §26.7): the smallest D with
  Σ_{d≤D} d^−γ ≥ f·Σ_{d≤N} d^−γ, found without a loop over N;
* :func:`thermodynamic_profile` — Z, U, S, F, C_V, χ, ξ, T_attn, D90, ΔH_90 and θ_eff (spec §5.7), either
  on the exact discrete distribution (``flavour="discrete"``, our default) or exactly as the v0.5.3
  ``diagnose_model.py`` computes them (``flavour="reference"``, continuum approximations).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any, Literal

from tafagent.core.laws.constants import EULER_GAMMA, SQRT2
from tafagent.core.laws.diagnostics import chi_susceptibility

__all__ = [
    "ThermoProfile",
    "df_window",
    "df_window_bruteforce",
    "measured_phase_label",
    "power_sum",
    "thermodynamic_profile",
]

Flavour = Literal["discrete", "reference"]

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

PHASE_A = "A — deconfined (RoPE/long)"
PHASE_B = "B — confined (AbsPE/short)"
PHASE_HAGEDORN = "Hagedorn (crossover γ≈1)"


# ---- validation ---------------------------------------------------------------------------------


def _check_gamma(gamma: float) -> float:
    if isinstance(gamma, bool) or not isinstance(gamma, (int, float)):
        raise ValueError(f"gamma must be a real number, got {gamma!r}")
    g = float(gamma)
    if not math.isfinite(g) or g <= 0.0:
        raise ValueError(f"gamma must be finite and > 0, got {gamma!r}")
    return g


def _check_n(N: int) -> int:
    if isinstance(N, bool) or not isinstance(N, int):
        raise ValueError(f"N must be an int >= 1, got {N!r}")
    if not 1 <= N <= _MAX_N:
        raise ValueError(f"N must be an int in [1, 2**53], got {N!r}")
    return N


def _check_f(f: float) -> float:
    if isinstance(f, bool) or not isinstance(f, (int, float)):
        raise ValueError(f"f must be a real number in (0, 1], got {f!r}")
    ff = float(f)
    if not (0.0 < ff <= 1.0):  # also rejects NaN
        raise ValueError(f"f must be in (0, 1], got {f!r}")
    return ff


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


class _LogPowerSum:
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
    g = _check_gamma(gamma)
    n = _check_n(N)
    if isinstance(log_power, bool) or log_power not in (0, 1, 2):
        raise ValueError(f"log_power must be 0, 1 or 2, got {log_power!r}")
    return _LogPowerSum(g, log_power).at(n)


# ---- D_f window (§26.7) -----------------------------------------------------------------------------


def _smallest_reaching(series: _LogPowerSum, target: float, lo: int, hi: int, guess: int) -> int:
    """Smallest integer D in (lo, hi] with S(D) ≥ target, given S(lo) < target ≤ S(hi).

    Gallops outwards from ``guess`` (1, 2, 4, … steps) to bracket the answer, then bisects; with a
    good guess this costs two evaluations (S(guess) and its neighbour).
    """
    guess = min(max(guess, lo + 1), hi)
    if series.at(guess) >= target:
        hi = guess
        step = 1
        while hi - step > lo:
            probe = hi - step
            if series.at(probe) >= target:
                hi = probe
                step *= 2
            else:
                lo = probe
                break
    else:
        lo = guess
        step = 1
        while lo + step < hi:
            probe = lo + step
            if series.at(probe) < target:
                lo = probe
                step *= 2
            else:
                hi = probe
                break
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if series.at(mid) >= target:
            hi = mid
        else:
            lo = mid
    return hi


def _df_window(series: _LogPowerSum, total: float, N: int, f: float) -> int:
    if f >= 1.0:
        # Exact by definition; a float comparison could stop earlier once the terms fall below an ulp.
        return N
    target = f * total
    for D in range(1, min(N, HEAD_TERMS) + 1):
        if series.prefix[D] >= target:
            return D
    if N <= HEAD_TERMS:
        return N  # floating guard, as in the reference
    a = series.a
    if series.at(a) >= target:
        return a
    # Continuum inverse for the initial guess: R = target − S(M) ≈ ∫_{M+½}^{x+½} t^−γ dt, so
    # ln((x+½)/(M+½)) = log1p(u·R·(M+½)^−u)/u (→ R when u = 0).
    u = series.u
    m_half = HEAD_TERMS + 0.5
    remaining = target - series.prefix[HEAD_TERMS]
    if u == 0.0:
        log_ratio = remaining
    else:
        z = u * remaining * m_half**-u
        log_ratio = math.log1p(z) / u if z > -1.0 else math.inf
    x = m_half * math.exp(log_ratio) - 0.5 if log_ratio < math.log(N) else float(N)
    # Safeguarded Newton on the smooth extension S(x) − target over the bracket [a, N].
    lo, hi = float(a), float(N)
    x = min(max(x, lo), hi)
    for _ in range(60):
        residual = series.smooth(x) - target
        if residual < 0.0:
            lo = x
        else:
            hi = x
        slope = series.slope(x)
        x_new = x - residual / slope if slope > 0.0 else math.nan
        if not (lo <= x_new <= hi):  # also catches NaN
            x_new = 0.5 * (lo + hi)
        if abs(x_new - x) < 1e-3 or hi - lo < 0.5:
            x = x_new
            break
        x = x_new
    return _smallest_reaching(series, target, a, N, math.ceil(x))


def df_window(gamma: float, N: int, f: float = 0.9) -> int:
    """D_f: the smallest integer D ∈ [1, N] with Σ_{d≤D} d^−γ ≥ f·Σ_{d≤N} d^−γ (spec §2.3.9, §26.7).

    The KV window that keeps a fraction f of the attention mass of a d^−γ profile. Defined for every
    γ > 0 (the reference's calibrated zone 0.65 ≤ γ ≤ 0.85 is evidence, handled by the recipe, not
    part of the arithmetic). Solved by safeguarded Newton on the smooth Euler–Maclaurin extension of
    the partial sum, then settled on the exact integer sums: O(1) time (~0.1 ms) for any N.
    f = 1 returns N.
    """
    g = _check_gamma(gamma)
    n = _check_n(N)
    ff = _check_f(f)
    series = _LogPowerSum(g, 0)
    return _df_window(series, series.at(n), n, ff)


def df_window_bruteforce(gamma: float, N: int, f: float = 0.9) -> int:
    """The reference O(N) algorithm for D_f (spec §2.3.9 step 3): running float sums, fallback N.

    total = Σ_{d=1..N} d^−γ (plain left-to-right float sum); return the first d whose running sum
    reaches f·total. Kept as the baseline for tests and benchmarks.
    """
    g = _check_gamma(gamma)
    n = _check_n(N)
    ff = _check_f(f)
    total = 0.0
    for d in range(1, n + 1):
        total += d**-g
    target = ff * total
    acc = 0.0
    for d in range(1, n + 1):
        acc += d**-g
        if acc >= target:
            return d
    return n


# ---- thermodynamic profile (§5.7) ---------------------------------------------------------------------


def measured_phase_label(gamma: float) -> str:
    """Spec §5.7 CLI phase: γ < 0.95 ⇒ A (deconfined), γ > 1.05 ⇒ B (confined), else Hagedorn."""
    if gamma < 0.95:
        return PHASE_A
    if gamma > 1.05:
        return PHASE_B
    return PHASE_HAGEDORN


@dataclass(frozen=True, slots=True)
class ThermoProfile:
    """Thermodynamics of p(d) ∝ d^−γ, d = 1..N (spec §5.7); energies in nats, D90 in tokens.

    ``D90`` is the D_f window at the profile's ``f`` (0.9 by default). ``delta_H_90`` and
    ``theta_eff`` are None when no RoPE base θ was given. None also stands for an undefined value
    (χ and ξ at γ = 1 in the discrete flavour; C_V outside (1e-4, 20) in the reference flavour).
    """

    gamma: float
    N: int
    f: float
    theta: float | None
    flavour: str
    Z: float
    U: float
    S: float
    F: float
    C_V: float | None
    chi: float | None
    xi: float | None
    T_attn: float
    D90: int
    D90_frac: float
    delta_H_90: float | None
    theta_eff: float | None
    phase: str

    def to_dict(self) -> dict[str, Any]:
        return {fld.name: getattr(self, fld.name) for fld in fields(self)}


def _ref_partition_z(gamma: float, N: int) -> float:
    """v0.5.3 ``partition_Z``: continuum Z = (N^(1−γ) − 1)/(1−γ) + 1, ln N + γ_E if |γ−1| < 1e-5."""
    if abs(gamma - 1) < 1e-5:
        return math.log(N) + EULER_GAMMA
    return (N ** (1 - gamma) - 1) / (1 - gamma) + 1


def _ref_mean_log_d(gamma: float, N: int) -> float:
    """v0.5.3 ``mean_log_d``: U = [N^a(ln N/a − 1/a²) + 1/a²]/Z with a = 1−γ; ((ln N)²/2)/Z at γ ≈ 1."""
    z = _ref_partition_z(gamma, N)
    if z <= 0:
        return 0.0
    if abs(gamma - 1) < 1e-5:
        return (math.log(N) ** 2 / 2) / z
    a = 1 - gamma
    return (N**a * (math.log(N) / a - 1 / a**2) + 1 / a**2) / z


def _ref_heat_capacity(gamma: float, N: int) -> float | None:
    """v0.5.3 ``heat_capacity_Cv``: −γ²·[U(γ+h) − U(γ−h)]/(2h), h = 1e-4; NaN (here None) off (1e-4, 20)."""
    if gamma <= 1e-4 or gamma >= 20:
        return None
    h = 1e-4
    return -(gamma**2) * ((_ref_mean_log_d(gamma + h, N) - _ref_mean_log_d(gamma - h, N)) / (2 * h))


def thermodynamic_profile(
    gamma: float,
    N: int,
    theta: float | None = None,
    f: float = 0.9,
    flavour: Flavour = "discrete",
) -> ThermoProfile:
    """Z, U, S, F, C_V, χ, ξ, T_attn, D_f and the RoPE diagnostics of a d^−γ profile (spec §5.7).

    Both flavours: S = ln Z + γ·U (so S = γ(U − F)), F = −ln Z/γ (Helmholtz, T_attn = 1/γ),
    D90 = :func:`df_window` (γ, N, f) (exact discrete), D90_frac = D90/N,
    ΔH_90 = ln[(θ + D90/√2)/(θ + N/√2)] and θ_eff = θ + N/√2 (when θ is given), phase per spec §5.7.

    ``flavour="discrete"`` (default, a deliberate fix): the exact discrete distribution p(d) = d^−γ/Z,
    Z = Σ_{d≤N} d^−γ, U = E[ln d] = S1/S0, C_V = γ²·Var(ln d) (exactly −γ²·dU/dγ), χ = 1/|γ−1| and
    ξ = 1/|ln γ| (None at γ = 1, where they diverge).

    ``flavour="reference"``: v0.5.3 ``diagnose_model.py`` bit for bit — continuum Z and U with the
    |γ−1| < 1e-5 branch, finite-difference C_V (h = 1e-4, None outside (1e-4, 20)), χ = 1e6 when
    |γ−1| ≤ 1e-4, ξ = 1e6 when |ln γ| ≤ 1e-10, F = −ln max(Z, 1e-30)/max(γ, 1e-9).

    Raises ValueError for γ ≤ 0 or γ < 1e-300 (1/γ overflows), N < 1, f ∉ (0, 1], θ < 0 or non-finite.
    """
    g = _check_gamma(gamma)
    if g < 1e-300:
        raise ValueError(f"gamma must be >= 1e-300 for a profile (T_attn = 1/γ would overflow), got {gamma!r}")
    n = _check_n(N)
    ff = _check_f(f)
    if theta is not None:
        if isinstance(theta, bool) or not isinstance(theta, (int, float)) or not math.isfinite(theta) or theta < 0:
            raise ValueError(f"theta must be a finite number >= 0 or None, got {theta!r}")
        theta = float(theta)
    if flavour not in ("discrete", "reference"):
        raise ValueError(f"flavour must be 'discrete' or 'reference', got {flavour!r}")

    series0 = _LogPowerSum(g, 0)
    total0 = series0.at(n)
    d90 = _df_window(series0, total0, n, ff)

    chi: float | None
    xi: float | None
    cv: float | None
    free_energy: float
    if flavour == "discrete":
        z = total0
        u_mean = _LogPowerSum(g, 1).at(n) / z
        # Var(ln d) summed about its mean (c = U) instead of S2/S0 − U², which cancels to ~1e-13
        # when U ≫ σ (small γ, large N).
        variance = _LogPowerSum(g, 2, c=u_mean).at(n) / z
        cv = (g * math.sqrt(variance)) ** 2 if variance > 0.0 else 0.0  # no inf·0 for absurd γ
        chi = chi_susceptibility(g)
        xi = None if g == 1.0 else 1.0 / abs(math.log(g))
        free_energy = -math.log(z) / g + 0.0  # + 0.0 turns −0.0 (Z = 1) into 0.0
    else:
        z = _ref_partition_z(g, n)
        u_mean = _ref_mean_log_d(g, n)
        cv = _ref_heat_capacity(g, n)
        chi = 1 / abs(g - 1) if abs(g - 1) > 1e-4 else 1e6
        log_g = math.log(g)
        xi = 1 / abs(log_g) if abs(log_g) > 1e-10 else 1e6
        free_energy = -math.log(max(z, 1e-30)) / max(g, 1e-9)  # v0.5.3's guards, kept verbatim

    entropy = math.log(z) + g * u_mean
    if theta is None:
        delta_h = theta_eff = None
    else:
        theta_eff = theta + n / SQRT2
        delta_h = math.log((theta + d90 / SQRT2) / theta_eff)
    return ThermoProfile(
        gamma=g,
        N=n,
        f=ff,
        theta=theta,
        flavour=flavour,
        Z=z,
        U=u_mean,
        S=entropy,
        F=free_energy,
        C_V=cv,
        chi=chi,
        xi=xi,
        T_attn=1.0 / g,
        D90=d90,
        D90_frac=d90 / n,
        delta_H_90=delta_h,
        theta_eff=theta_eff,
        phase=measured_phase_label(g),
    )
