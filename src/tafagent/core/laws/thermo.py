"""γ-thermodynamics of a power-law attention profile: χ, the D_f window and the §5.7 profile.

Attention that decays as a power law of the query–key distance d, A(d) ∝ d^−γ for d = 1..N, is a
Boltzmann distribution p(d) = d^−γ / Z with energy ln d and inverse temperature γ (TAF §26, spec §5.7).
This module holds the thermodynamic quantities of that distribution, in pure standard-library Python
(it runs in Pyodide), on top of the exact power sums of :mod:`tafagent.core.laws.power_sums`:

* :func:`chi_susceptibility` — χ = 1/|γ − 1| (spec §2.3.5, §26.16), which diverges at the Hagedorn
  point γ = 1; deliberate fix: ``None`` there instead of the reference's ``inf`` (non-standard JSON,
  spec §9.2 item 6);
* :func:`df_window` — the KV-compression window D_f (spec §2.3.9, §26.7): the smallest D with
  Σ_{d≤D} d^−γ ≥ f·Σ_{d≤N} d^−γ, found without a loop over N;
* :func:`thermodynamic_profile` — Z, U, S, F, C_V, χ, ξ, T_attn, D90, ΔH_90 and θ_eff (spec §5.7), either
  on the exact discrete distribution (``flavour="discrete"``, our default) or exactly as the v0.5.3
  ``diagnose_model.py`` computes them (``flavour="reference"``, continuum approximations).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any, Literal, NamedTuple

from tafagent.core.evidence import Evidence, EvidenceNote
from tafagent.core.laws.constants import EULER_GAMMA, SQRT2
from tafagent.core.laws.power_sums import HEAD_TERMS, LogPowerSum, check_gamma, check_n
from tafagent.core.laws.safe_numbers import require_finite

__all__ = [
    "CHI_EVIDENCE",
    "PHASE_A",
    "PHASE_B",
    "PHASE_HAGEDORN",
    "ThermoProfile",
    "chi_susceptibility",
    "chi_susceptibility_detail",
    "df_window",
    "df_window_bruteforce",
    "measured_phase_label",
    "thermodynamic_profile",
]

Flavour = Literal["discrete", "reference"]

PHASE_A = "A — deconfined (RoPE/long)"
PHASE_B = "B — confined (AbsPE/short)"
PHASE_HAGEDORN = "Hagedorn (crossover γ≈1)"


def _check_f(f: float) -> float:
    if isinstance(f, bool) or not isinstance(f, (int, float)):
        raise ValueError(f"f must be a real number in (0, 1], got {f!r}")
    ff = float(f)
    if not (0.0 < ff <= 1.0):  # also rejects NaN
        raise ValueError(f"f must be in (0, 1], got {f!r}")
    return ff


# ---- §26.16 susceptibility ------------------------------------------------------------------------
CHI_EVIDENCE = EvidenceNote(Evidence.EXACT, "§26.16 χ = 1/|γ−1|, a definition (diverges at the Hagedorn point γ = 1)")


def chi_susceptibility(gamma: float) -> float | None:
    """Susceptibility χ = 1/|γ − 1| (spec §2.3.5, §26.16); defined for any finite γ ≠ 1 (negative too).

    At γ == 1 exactly χ diverges; the reference returns ``inf`` (non-standard JSON, §9.2 item 6), we return
    ``None`` (see :func:`chi_susceptibility_detail` for the reason in a field). Evidence: exact (definition).
    Raises :class:`DiagnosticInputError` for a non-number, NaN or ±inf γ.
    """
    g = require_finite(gamma, "gamma")
    if g == 1.0:
        return None
    return 1.0 / abs(g - 1.0)


def chi_susceptibility_detail(gamma: float) -> dict[str, Any]:
    """χ = 1/|γ − 1| (spec §2.3.5) as an audited dict: ``gamma``, ``chi`` (None at γ = 1), ``why_null``,
    ``formula``, ``section``, ``evidence``."""
    chi = chi_susceptibility(gamma)
    return {
        "gamma": float(gamma),
        "chi": chi,
        "why_null": None if chi is not None else "χ diverges at the Hagedorn point γ = 1 (1/0); shown as null",
        "formula": "χ = 1/|γ − 1|",
        "section": "§26.16",
        "evidence": CHI_EVIDENCE.to_dict(),
    }


# ---- D_f window (§26.7) -----------------------------------------------------------------------------


def _smallest_reaching(series: LogPowerSum, target: float, lo: int, hi: int, guess: int) -> int:
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


def _df_window(series: LogPowerSum, total: float, N: int, f: float) -> int:
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
    g = check_gamma(gamma)
    n = check_n(N)
    ff = _check_f(f)
    series = LogPowerSum(g, 0)
    return _df_window(series, series.at(n), n, ff)


def df_window_bruteforce(gamma: float, N: int, f: float = 0.9) -> int:
    """The reference O(N) algorithm for D_f (spec §2.3.9 step 3): running float sums, fallback N.

    total = Σ_{d=1..N} d^−γ (plain left-to-right float sum); return the first d whose running sum
    reaches f·total. Kept as the baseline for tests and benchmarks.
    """
    g = check_gamma(gamma)
    n = check_n(N)
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


class _Ensemble(NamedTuple):
    """The flavour-dependent part of a profile: Z, U = E[ln d], C_V, χ, ξ and F (nats)."""

    Z: float
    U: float
    C_V: float | None
    chi: float | None
    xi: float | None
    F: float


def _discrete_ensemble(g: float, n: int, z: float) -> _Ensemble:
    """Exact discrete p(d) = d^−γ/Z with Z = ``z`` = Σ_{d≤N} d^−γ: U = S1/S0, C_V = γ²·Var(ln d)."""
    u_mean = LogPowerSum(g, 1).at(n) / z
    # Var(ln d) summed about its mean (c = U) instead of S2/S0 − U², which cancels to ~1e-13
    # when U ≫ σ (small γ, large N).
    variance = LogPowerSum(g, 2, c=u_mean).at(n) / z
    return _Ensemble(
        Z=z,
        U=u_mean,
        C_V=(g * math.sqrt(variance)) ** 2 if variance > 0.0 else 0.0,  # no inf·0 for absurd γ
        chi=chi_susceptibility(g),
        xi=None if g == 1.0 else 1.0 / abs(math.log(g)),
        F=-math.log(z) / g + 0.0,  # + 0.0 turns −0.0 (Z = 1) into 0.0
    )


def _reference_ensemble(g: float, n: int) -> _Ensemble:
    """v0.5.3 ``diagnose_model.py``: continuum Z and U, finite-difference C_V, its 1e6 caps and guards."""
    z = _ref_partition_z(g, n)
    log_g = math.log(g)
    return _Ensemble(
        Z=z,
        U=_ref_mean_log_d(g, n),
        C_V=_ref_heat_capacity(g, n),
        chi=1 / abs(g - 1) if abs(g - 1) > 1e-4 else 1e6,
        xi=1 / abs(log_g) if abs(log_g) > 1e-10 else 1e6,
        F=-math.log(max(z, 1e-30)) / max(g, 1e-9),  # v0.5.3's guards, kept verbatim
    )


def _check_theta(theta: float | None) -> float | None:
    if theta is None:
        return None
    if isinstance(theta, bool) or not isinstance(theta, (int, float)) or not math.isfinite(theta) or theta < 0:
        raise ValueError(f"theta must be a finite number >= 0 or None, got {theta!r}")
    return float(theta)


def _rope_diagnostics(theta: float | None, n: int, d90: int) -> tuple[float | None, float | None]:
    """(ΔH_90, θ_eff) = (ln[(θ + D90/√2)/(θ + N/√2)], θ + N/√2), or (None, None) without a RoPE base θ."""
    if theta is None:
        return None, None
    theta_eff = theta + n / SQRT2
    return math.log((theta + d90 / SQRT2) / theta_eff), theta_eff


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
    g = check_gamma(gamma)
    if g < 1e-300:
        raise ValueError(f"gamma must be >= 1e-300 for a profile (T_attn = 1/γ would overflow), got {gamma!r}")
    n = check_n(N)
    ff = _check_f(f)
    theta = _check_theta(theta)
    if flavour not in ("discrete", "reference"):
        raise ValueError(f"flavour must be 'discrete' or 'reference', got {flavour!r}")

    series0 = LogPowerSum(g, 0)
    total0 = series0.at(n)
    d90 = _df_window(series0, total0, n, ff)
    ens = _discrete_ensemble(g, n, total0) if flavour == "discrete" else _reference_ensemble(g, n)
    delta_h, theta_eff = _rope_diagnostics(theta, n, d90)
    return ThermoProfile(
        gamma=g,
        N=n,
        f=ff,
        theta=theta,
        flavour=flavour,
        Z=ens.Z,
        U=ens.U,
        S=math.log(ens.Z) + g * ens.U,
        F=ens.F,
        C_V=ens.C_V,
        chi=ens.chi,
        xi=ens.xi,
        T_attn=1.0 / g,
        D90=d90,
        D90_frac=d90 / n,
        delta_H_90=delta_h,
        theta_eff=theta_eff,
        phase=measured_phase_label(g),
    )
