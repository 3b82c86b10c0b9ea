"""Attention decay A(d) ∝ d^−γ: the power-law fit, its bootstrap CI, the uniform-attention null, KL grammar,
and the :class:`Diagnosis` that ``taf diagnose`` produces (spec §5.5–§5.9).

Pure standard library (it also runs in the browser). The measurement itself lives in
``tafagent.adapters.measure``; everything here works on numbers that measurement produced.

Estimators (how A(d) is read from attention probabilities p[q, k] of a causal model):

* ``reference`` (spec §5.5): for distance d the sequence has d + 50 tokens, the query is the last
  position q = d + 49 and the key sits at k = 49. Query position and row length grow with d, so even
  uniform attention (p = 1/(q + 1)) decays: A_uniform(d) = 1/(d + 50), a γ of about 0.69 on the reference
  distances. :func:`uniform_null` computes that null exactly for the distances measured, so a measured γ
  is always shown against it.
* ``curve`` (fast protocol only): the whole row of fixed query positions q ∈ Q, A(d) = mean_q p[q, q − d]
  for keys at positions ≥ 49 (the reference's 50-token prefix keeps the first-token attention sink out).
  The query position is held fixed while d varies, so uniform attention gives a flat curve (γ = 0 for
  one row); it measures the distance profile of the same rows rather than a mix of distance and
  position.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tafagent.core.errors import ConfigError
from tafagent.core.laws.pade import gamma_pade
from tafagent.core.laws.thermo import measured_phase_label, thermodynamic_profile

__all__ = [
    "CORPORA",
    "DIAGNOSIS_SCHEMA",
    "DISTANCES_FAST",
    "DISTANCES_FULL",
    "N_PROMPTS_FAST",
    "N_PROMPTS_FULL",
    "PROTOCOLS",
    "REFERENCE_KEY_POSITION",
    "REFERENCE_PREFIX",
    "REFERENCE_SEEDS",
    "CorpusResult",
    "CurveEstimate",
    "Diagnosis",
    "PowerLawFit",
    "UniformNull",
    "bootstrap_gamma_ci",
    "build_corpus_result",
    "fit_power_law",
    "gamma_band",
    "kl_grammar",
    "kl_level",
    "null_attention",
    "uniform_attention",
    "uniform_null",
]

# ---- protocol constants (spec §5.2) ------------------------------------------------------------------

DISTANCES_FULL: tuple[int, ...] = (10, 20, 30, 50, 100, 200, 500, 1000, 2000)
DISTANCES_FAST: tuple[int, ...] = (10, 50, 200, 1000)
N_PROMPTS_FAST = 30
N_PROMPTS_FULL = 80
REFERENCE_SEEDS: tuple[int, ...] = (42, 123, 7)  # v0.5.3 declares three and uses only 42; we use all
REFERENCE_PREFIX = 50  # sequence length d + 50
REFERENCE_KEY_POSITION = REFERENCE_PREFIX - 1  # the key always sits at position 49
PROTOCOLS: tuple[str, ...] = ("fast", "reference")
CORPORA: tuple[str, ...] = ("random", "text")
DIAGNOSIS_SCHEMA = "tafagent.diagnosis/1"
KL_HIGH = 0.05
KL_MODERATE = 0.01
_MAX_LENGTH = 2**53  # the longest N or distance a diagnosis file may name (core.thermo's bound on N)


# ---- the fit (spec §5.6) ----------------------------------------------------------------------------


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


def _try_fit(distances: Sequence[float], values: Sequence[float]) -> PowerLawFit | None:
    try:
        return fit_power_law(distances, values)
    except ValueError:
        return None


# ---- bootstrap over prompts --------------------------------------------------------------------------


def _quantile(sorted_values: Sequence[float], q: float) -> float:
    """Linear-interpolation quantile (numpy's default method) of an ascending sequence."""
    position = q * (len(sorted_values) - 1)
    low = math.floor(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


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
    distances = sorted(samples)
    rng = random.Random(seed)
    gammas: list[float] = []
    if paired:
        lengths = {len(samples[d]) for d in distances}
        if len(lengths) != 1:
            raise ValueError("paired samples must hold the same number of prompts at every distance")
        n = lengths.pop() if lengths else 0
        if n < 2:
            return None
        population = range(n)
        for _ in range(n_resamples):
            picks = rng.choices(population, k=n)
            means = [_finite_mean(samples[d][i] for i in picks) for d in distances]
            fit = _try_fit(distances, means)
            if fit is not None:
                gammas.append(fit.gamma)
    else:
        clean = {d: [v for v in samples[d] if math.isfinite(v)] for d in distances}
        if sum(1 for d in distances if len(clean[d]) >= 1) < 2 or max((len(v) for v in clean.values()), default=0) < 2:
            return None
        for _ in range(n_resamples):
            means = [_finite_mean(rng.choices(clean[d], k=len(clean[d]))) if clean[d] else math.nan for d in distances]
            fit = _try_fit(distances, means)
            if fit is not None:
                gammas.append(fit.gamma)
    if len(gammas) < max(10, n_resamples // 2):
        return None
    gammas.sort()
    tail = (1.0 - level) / 2.0
    return (_quantile(gammas, tail), _quantile(gammas, 1.0 - tail))


def _finite_mean(values: Iterable[float]) -> float:
    kept = [v for v in values if math.isfinite(v)]
    return math.fsum(kept) / len(kept) if kept else math.nan


# ---- the uniform-attention null ---------------------------------------------------------------------


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
            "attn_by_distance": _keyed(self.attn_by_distance),
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
    return UniformNull(estimator, curve, _try_fit(ds, [curve[d] for d in ds]))


# ---- KL grammar (spec §5.7, finite distances only) ----------------------------------------------------


_KL_FLOOR = 1e-30
_LOG_KL_FLOOR = math.log(_KL_FLOOR)


def _normalised(values: Sequence[float]) -> list[float]:
    total = math.fsum(values)
    return [v / total for v in values]


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


# ---- one corpus's measurement ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CurveEstimate:
    """The fast protocol's full-row estimator: A(d) = mean over query rows q of p[q, q − d] (module docstring)."""

    query_positions: tuple[int, ...]
    distances: tuple[int, ...]
    attn: tuple[float, ...]
    fit: PowerLawFit | None
    gamma_ci95: tuple[float, float] | None
    null: UniformNull
    per_layer_gamma: dict[int, float | None]

    @property
    def gamma(self) -> float | None:
        return None if self.fit is None else self.fit.gamma

    def to_dict(self) -> dict[str, Any]:
        return {
            "estimator": "curve",
            "query_positions": list(self.query_positions),
            "distances": list(self.distances),
            "attn": list(self.attn),
            "gamma": self.gamma,
            "fit": None if self.fit is None else self.fit.to_dict(),
            "gamma_ci95": None if self.gamma_ci95 is None else list(self.gamma_ci95),
            "uniform_null": self.null.to_dict(),
            "per_layer_gamma": _keyed(self.per_layer_gamma),
        }


@dataclass(frozen=True, slots=True)
class CorpusResult:
    """γ measured on one corpus with the key-at-49 estimator of spec §5.5 (both protocols)."""

    corpus: str
    n_prompts: int
    seeds: tuple[int, ...]
    distances: tuple[int, ...]
    attn_by_distance: dict[int, float]
    attn_by_distance_per_seed: dict[int, dict[int, float]]
    fit: PowerLawFit | None
    gamma_ci95: tuple[float, float] | None
    null: UniformNull
    attn_by_layer: dict[int, dict[int, float]]
    per_layer_gamma: dict[int, float | None]
    per_head_gamma: dict[int, tuple[float | None, ...]]
    kl_grammar: float | None
    curve: CurveEstimate | None = None

    @property
    def gamma(self) -> float | None:
        return None if self.fit is None else self.fit.gamma

    @property
    def gamma_minus_null(self) -> float | None:
        if self.fit is None or self.null.gamma is None:
            return None
        return self.fit.gamma - self.null.gamma

    @property
    def distinguishable_from_uniform(self) -> bool | None:
        """False when the uniform null's γ lies inside the bootstrap CI (no positional structure shown)."""
        if self.gamma_ci95 is None or self.null.gamma is None:
            return None
        low, high = self.gamma_ci95
        return not low <= self.null.gamma <= high

    def to_dict(self) -> dict[str, Any]:
        return {
            "corpus": self.corpus,
            "n_prompts": self.n_prompts,
            "seeds": list(self.seeds),
            "distances": list(self.distances),
            "attn_by_distance": _keyed(self.attn_by_distance),
            "attn_by_distance_per_seed": {str(s): _keyed(v) for s, v in self.attn_by_distance_per_seed.items()},
            "gamma": self.gamma,
            "fit": None if self.fit is None else self.fit.to_dict(),
            "gamma_ci95": None if self.gamma_ci95 is None else list(self.gamma_ci95),
            "uniform_null": self.null.to_dict(),
            "gamma_minus_null": self.gamma_minus_null,
            "distinguishable_from_uniform": self.distinguishable_from_uniform,
            "attn_by_layer": {str(layer): _keyed(v) for layer, v in self.attn_by_layer.items()},
            "per_layer_gamma": _keyed(self.per_layer_gamma),
            "per_head_gamma": {str(layer): list(v) for layer, v in self.per_head_gamma.items()},
            "kl_grammar": self.kl_grammar,
            "kl_level": kl_level(self.kl_grammar),
            "curve": None if self.curve is None else self.curve.to_dict(),
        }


def build_corpus_result(
    corpus: str,
    samples: Mapping[int, Sequence[float]],
    *,
    paired: bool,
    seeds: Sequence[int],
    per_seed_means: Mapping[int, Mapping[int, float]],
    layer_head_means: Mapping[int, Mapping[int, Sequence[float]]],
    windows: Sequence[int | None] = (None,),
    fit_min_distance: int = 0,
    curve: Mapping[str, Any] | None = None,
    bootstrap_resamples: int = 1000,
    bootstrap_seed: int = 0,
) -> CorpusResult:
    """Fit, CI, null, per-layer/per-head γ and KL from the measured numbers of one corpus.

    ``samples[d]``: per-prompt values (mean over heads, then layers). ``attn_by_distance[d]`` = mean of the
    seeds' means (equal prompt counts per seed, so also the mean over all prompts). ``layer_head_means``:
    layer → distance → per-head mean over prompts. ``curve`` (fast protocol): ``query_positions``,
    ``distances``, ``attn`` (mean curve), ``samples`` (distance → per-prompt values) and
    ``layer_attn`` (layer → list of values over ``distances``). Only distances ≥ ``fit_min_distance``
    enter the fits.
    """
    distances = tuple(sorted(samples))
    seed_list = tuple(int(s) for s in seeds)
    attn: dict[int, float] = {}
    for d in distances:
        seed_values = [
            per_seed_means[s][d] for s in per_seed_means if math.isfinite(per_seed_means[s].get(d, math.nan))
        ]
        if seed_values:
            attn[d] = math.fsum(seed_values) / len(seed_values)
    fit_ds = [d for d in sorted(attn) if d >= fit_min_distance]
    fit = _try_fit(fit_ds, [attn[d] for d in fit_ds])
    ci = (
        bootstrap_gamma_ci(
            {d: samples[d] for d in fit_ds}, paired=paired, n_resamples=bootstrap_resamples, seed=bootstrap_seed
        )
        if fit is not None
        else None
    )
    null = uniform_null("reference", fit_ds or distances, windows=windows)
    attn_by_layer: dict[int, dict[int, float]] = {}
    per_layer: dict[int, float | None] = {}
    per_head: dict[int, tuple[float | None, ...]] = {}
    for layer in sorted(layer_head_means):
        by_d = layer_head_means[layer]
        layer_curve = {d: _finite_mean(by_d[d]) for d in sorted(by_d)}
        attn_by_layer[layer] = {d: v for d, v in layer_curve.items() if math.isfinite(v)}
        lds = [d for d in sorted(attn_by_layer[layer]) if d >= fit_min_distance]
        layer_fit = _try_fit(lds, [attn_by_layer[layer][d] for d in lds])
        per_layer[layer] = None if layer_fit is None else layer_fit.gamma
        n_heads = max((len(v) for v in by_d.values()), default=0)
        head_gammas: list[float | None] = []
        for h in range(n_heads):
            hds = [d for d in sorted(by_d) if d >= fit_min_distance and h < len(by_d[d])]
            head_fit = _try_fit(hds, [by_d[d][h] for d in hds])
            head_gammas.append(None if head_fit is None else head_fit.gamma)
        per_head[layer] = tuple(head_gammas)
    kl = kl_grammar({d: attn[d] for d in fit_ds}, fit) if fit is not None else None
    curve_estimate = None
    if curve is not None:
        curve_estimate = _build_curve(curve, windows, fit_min_distance, bootstrap_resamples, bootstrap_seed)
    return CorpusResult(
        corpus=corpus,
        n_prompts=max((len(v) for v in samples.values()), default=0),
        seeds=seed_list,
        distances=distances,
        attn_by_distance=attn,
        attn_by_distance_per_seed={int(s): dict(v) for s, v in per_seed_means.items()},
        fit=fit,
        gamma_ci95=ci,
        null=null,
        attn_by_layer=attn_by_layer,
        per_layer_gamma=per_layer,
        per_head_gamma=per_head,
        kl_grammar=kl,
        curve=curve_estimate,
    )


def _build_curve(
    curve: Mapping[str, Any], windows: Sequence[int | None], fit_min_distance: int, resamples: int, seed: int
) -> CurveEstimate:
    query_positions = tuple(int(q) for q in curve["query_positions"])
    ds = [int(d) for d in curve["distances"]]
    values = [float(v) for v in curve["attn"]]
    fit_idx = [i for i, d in enumerate(ds) if d >= max(fit_min_distance, 1)]
    fit_ds = [ds[i] for i in fit_idx]
    fit = _try_fit(fit_ds, [values[i] for i in fit_idx])
    samples = curve.get("samples") or {}
    ci = None
    if fit is not None and samples:
        ci = bootstrap_gamma_ci(
            {d: samples[d] for d in fit_ds if d in samples}, paired=True, n_resamples=resamples, seed=seed
        )
    per_layer: dict[int, float | None] = {}
    for layer, layer_values in sorted((curve.get("layer_attn") or {}).items()):
        layer_fit = _try_fit(fit_ds, [float(layer_values[i]) for i in fit_idx])
        per_layer[int(layer)] = None if layer_fit is None else layer_fit.gamma
    null = uniform_null("curve", fit_ds or ds, query_positions=query_positions, windows=windows)
    return CurveEstimate(query_positions, tuple(ds), tuple(values), fit, ci, null, per_layer)


# ---- the diagnosis -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Diagnosis:
    """The result of ``taf diagnose``: measured γ per corpus, its fit and null, derived thermodynamics.

    ``results`` maps a corpus ("random", "text") to its :class:`CorpusResult`. The headline numbers
    (``gamma``, ``R2``, ``gamma_ci95``) are those of the text corpus when it was measured, else random.
    ``status``: ``complete``, ``partial`` (interrupted: fewer prompts than asked, see ``notes``) or
    ``no_attention`` (an attention-free model; ``message`` says so and every γ is None).
    ``N`` is the context length of the thermodynamic profile (default: the largest fitted distance) and
    ``theta`` the RoPE base (None without RoPE).
    """

    model: str
    protocol: str
    corpus: str
    status: str
    results: dict[str, CorpusResult]
    N: int | None
    theta: float | None
    env: dict[str, Any] = field(default_factory=dict)
    attention_layers: tuple[int, ...] = ()
    n_layers: int | None = None
    notes: tuple[str, ...] = ()
    message: str = ""

    # ---- headline numbers --------------------------------------------------------------------------

    @property
    def primary(self) -> CorpusResult | None:
        for corpus in ("text", "random"):
            if corpus in self.results:
                return self.results[corpus]
        return None

    @property
    def gamma(self) -> float | None:
        return None if self.primary is None else self.primary.gamma

    @property
    def gamma_text(self) -> float | None:
        result = self.results.get("text")
        return None if result is None else result.gamma

    @property
    def gamma_random(self) -> float | None:
        result = self.results.get("random")
        return None if result is None else result.gamma

    @property
    def delta_gamma_text_random(self) -> float | None:
        """Δγ = γ_text − γ_random (the imprint of natural text, X-21/X-23)."""
        if self.gamma_text is None or self.gamma_random is None:
            return None
        return self.gamma_text - self.gamma_random

    @property
    def T_pade(self) -> int | None:
        """The protocol's T: the largest distance that entered the fit (deliberate fix, spec §9.2 item 12)."""
        primary = self.primary
        if primary is None or primary.fit is None:
            return None
        return int(max(primary.fit.distances))

    @property
    def thermo_N(self) -> int | None:
        return self.N if self.N is not None else self.T_pade

    @property
    def gamma_pade(self) -> float | None:
        """γ_Padé(θ, T_pade) for comparison (spec §5.7 γ_pred); None without RoPE θ or without a fit."""
        if self.theta is None or self.theta <= 0 or self.T_pade is None:
            return None
        return gamma_pade(self.theta, self.T_pade)

    @property
    def delta_gamma(self) -> float | None:
        """γ − γ_Padé (None only when either is missing; 0.0 stays 0.0, spec §9.2 item 12)."""
        if self.gamma is None or self.gamma_pade is None:
            return None
        return self.gamma - self.gamma_pade

    def thermodynamics(self) -> dict[str, Any] | None:
        """Spec §5.7 profile at (γ, N, θ) from ``core.thermo`` (exact discrete sums), with the §5.9 key names."""
        gamma, n = self.gamma, self.thermo_N
        if gamma is None or n is None or not gamma > 0.0 or n < 1:
            return None
        profile = thermodynamic_profile(gamma, n, self.theta, flavour="discrete")
        return {
            "gamma": gamma,
            "N": n,
            "theta": self.theta,
            "flavour": profile.flavour,
            "Z": profile.Z,
            "U": profile.U,
            "S": profile.S,
            "F": profile.F,
            "Cv": profile.C_V,
            "chi": profile.chi,
            "xi": profile.xi,
            "T_attn": profile.T_attn,
            "D90": profile.D90,
            "D90_frac": profile.D90_frac,
            "delta_H_90": profile.delta_H_90,
            "theta_eff_pade": profile.theta_eff,
            "phase": profile.phase,
        }

    def card_inputs(self) -> dict[str, float | None]:
        """What ``taf profile --diagnosis`` feeds the card: gamma_obs (text γ, else random γ), gamma_text,
        gamma_random."""
        return {
            "gamma_obs": self.gamma_text if self.gamma_text is not None else self.gamma_random,
            "gamma_text": self.gamma_text,
            "gamma_random": self.gamma_random,
        }

    # ---- serialisation -----------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        primary = self.primary
        fit = None if primary is None else primary.fit
        gamma = self.gamma
        kl = None if primary is None else primary.kl_grammar
        return {
            "schema": DIAGNOSIS_SCHEMA,
            "model": self.model,
            "protocol": self.protocol,
            "corpus": self.corpus,
            "primary_corpus": None if primary is None else primary.corpus,
            "status": self.status,
            "message": self.message,
            "distances": [] if primary is None else list(primary.distances),
            "attn_by_distance": {} if primary is None else _keyed(primary.attn_by_distance),
            "gamma": gamma,
            "log_A": None if fit is None else fit.log_A,
            "R2": None if fit is None else fit.R2,
            "R2_exact": None if fit is None else fit.R2_exact,
            "gamma_ci95": None if primary is None or primary.gamma_ci95 is None else list(primary.gamma_ci95),
            "fit_power_law": None if fit is None else {"gamma": fit.gamma, "log_A": fit.log_A, "R2": fit.R2},
            "uniform_null": None if primary is None else primary.null.to_dict(),
            "gamma_minus_null": None if primary is None else primary.gamma_minus_null,
            "distinguishable_from_uniform": None if primary is None else primary.distinguishable_from_uniform,
            "gamma_text": self.gamma_text,
            "gamma_random": self.gamma_random,
            "delta_gamma_text_random": self.delta_gamma_text_random,
            "card_inputs": self.card_inputs(),
            "N": self.thermo_N,
            "theta": self.theta,
            "T_pade": self.T_pade,
            "gamma_pade": self.gamma_pade,
            "delta_gamma": self.delta_gamma,
            "phase": None if gamma is None else measured_phase_label(gamma),
            "gamma_band": None if gamma is None else gamma_band(gamma),
            "kl_grammar": kl,
            "kl_level": kl_level(kl),
            "thermodynamics": self.thermodynamics(),
            "per_layer_gamma": {} if primary is None else _keyed(primary.per_layer_gamma),
            "per_head_gamma": {} if primary is None else {str(k): list(v) for k, v in primary.per_head_gamma.items()},
            "attention_layers": {
                "measured": list(self.attention_layers),
                "n_layers": self.n_layers,
                "hybrid": bool(self.n_layers and 0 < len(self.attention_layers) < self.n_layers),
            },
            "curve": None if primary is None or primary.curve is None else primary.curve.to_dict(),
            "results": {corpus: result.to_dict() for corpus, result in self.results.items()},
            "env": dict(self.env),
            "notes": list(self.notes),
        }

    @classmethod
    def from_dict(cls, data: Any) -> Diagnosis:
        """Read back :meth:`to_dict` output, validating every field; ConfigError (one line) otherwise."""
        reader = _Reader("diagnosis")
        if not isinstance(data, dict):
            raise ConfigError("not a taf diagnosis: expected a JSON object", _HINT)
        if data.get("schema") != DIAGNOSIS_SCHEMA:
            raise ConfigError(
                f"not a taf diagnosis (schema {data.get('schema')!r}, expected {DIAGNOSIS_SCHEMA!r})", _HINT
            )
        results_raw = reader.mapping(data, "results")
        results = {
            corpus: _corpus_from_dict(reader.sub(f"results.{corpus}"), raw) for corpus, raw in results_raw.items()
        }
        for corpus in results:
            if corpus not in CORPORA:
                raise ConfigError(f"diagnosis field results.{corpus}: unknown corpus", _HINT)
        diagnosis = cls(
            model=reader.text(data, "model"),
            protocol=reader.text(data, "protocol"),
            corpus=reader.text(data, "corpus"),
            status=reader.choice(data, "status", ("complete", "partial", "no_attention")),
            results=results,
            N=reader.integer(data, "N", optional=True, minimum=1, maximum=_MAX_LENGTH),
            theta=reader.number(data, "theta", optional=True, positive=True),
            env=reader.mapping(data, "env"),
            attention_layers=tuple(reader.int_list(reader.mapping(data, "attention_layers"), "measured")),
            n_layers=reader.integer(reader.mapping(data, "attention_layers"), "n_layers", optional=True, minimum=0),
            notes=tuple(reader.str_list(data, "notes")),
            message=reader.text(data, "message", optional=True) or "",
        )
        stored = reader.number(data, "gamma", optional=True)
        computed = diagnosis.gamma
        if (stored is None) != (computed is None) or (
            stored is not None and computed is not None and abs(stored - computed) > 1e-9 * max(1.0, abs(computed))
        ):
            raise ConfigError(
                f"diagnosis is inconsistent: gamma {stored!r} does not match its results ({computed!r})",
                "re-run `taf diagnose` instead of editing the file",
            )
        return diagnosis

    @classmethod
    def from_any(cls, data: Any) -> Diagnosis:
        """A parsed diagnosis file of either kind: ours (``taf diagnose --out``) or v0.5.3's JSON."""
        if isinstance(data, dict) and data.get("schema") == DIAGNOSIS_SCHEMA:
            return cls.from_dict(data)
        if isinstance(data, dict) and "fit_power_law" in data and "attn_by_distance" in data:
            return cls.from_reference_dict(data)
        raise ConfigError("not a taf diagnosis file", "use the JSON written by `taf diagnose --out`")

    @classmethod
    def from_reference_dict(cls, data: Any) -> Diagnosis:
        """Read the JSON that v0.5.3's ``diagnose_model.py`` writes (spec §5.9): random tokens, seed 42.

        Only its measured curve is taken (γ is refitted from ``attn_by_distance``, with its stored γ as a
        consistency check); everything derived is recomputed here.
        """
        reader = _Reader("reference diagnosis")
        if not isinstance(data, dict) or "fit_power_law" not in data or "attn_by_distance" not in data:
            raise ConfigError("not a diagnosis file (neither tafagent nor v0.5.3 diagnose_model.py)", _HINT)
        curve_raw = reader.mapping(data, "attn_by_distance")
        curve = {_int_key(reader, "attn_by_distance", k): v for k, v in curve_raw.items()}
        if any(not 1 <= d <= _MAX_LENGTH for d in curve):
            raise reader._fail("attn_by_distance", "a distance outside [1, 2**53]")
        attn = {d: v for d, v in curve.items() if isinstance(v, (int, float)) and math.isfinite(v)}
        fast = bool(data.get("fast_mode", False))
        n_prompts = N_PROMPTS_FAST if fast else N_PROMPTS_FULL
        distances = tuple(sorted(curve))
        ds = sorted(attn)
        fit = _try_fit(ds, [attn[d] for d in ds])
        stored = reader.number(reader.mapping(data, "fit_power_law"), "gamma", optional=True)
        if fit is None or stored is None or abs(stored - fit.gamma) > 1e-6:
            raise ConfigError("v0.5.3 diagnosis is inconsistent: its gamma does not match its attn_by_distance", _HINT)
        result = CorpusResult(
            corpus="random",
            n_prompts=n_prompts,
            seeds=(42,),
            distances=distances,
            attn_by_distance=attn,
            attn_by_distance_per_seed={42: dict(attn)},
            fit=fit,
            gamma_ci95=None,
            null=uniform_null("reference", ds),
            attn_by_layer={},
            per_layer_gamma={},
            per_head_gamma={},
            kl_grammar=kl_grammar(attn, fit),
        )
        theta = reader.number(data, "theta_nom", optional=True, positive=True)
        return cls(
            model=reader.text(data, "model"),
            protocol="reference-v0.5.3",
            corpus="random",
            status="complete",
            results={"random": result},
            N=reader.integer(data, "N", optional=True, minimum=1, maximum=_MAX_LENGTH),
            theta=theta,
            env={"source": "v0.5.3 diagnose_model.py output", "seeds": [42], "fast_mode": fast},
            notes=("read from a v0.5.3 diagnose_model.py file: random tokens, seed 42 only",),
        )


_HINT = "pass a file written by `taf diagnose --out FILE`"


def _keyed(mapping: Mapping[int, Any]) -> dict[str, Any]:
    return {str(k): v for k, v in sorted(mapping.items())}


# ---- validation when reading a file back -------------------------------------------------------------


class _Reader:
    """Typed field access with one-line ConfigErrors that name the field."""

    def __init__(self, where: str) -> None:
        self.where = where

    def sub(self, where: str) -> _Reader:
        return _Reader(where)

    def _fail(self, key: str, what: str) -> ConfigError:
        return ConfigError(f"{self.where} field '{key}': {what}", _HINT, field=key)

    def _get(self, data: Mapping[str, Any], key: str, optional: bool) -> Any:
        if not isinstance(data, Mapping):
            raise ConfigError(f"{self.where}: expected a JSON object", _HINT)
        if key not in data:
            if optional:
                return None
            raise self._fail(key, "missing")
        return data[key]

    def text(self, data: Mapping[str, Any], key: str, optional: bool = False) -> Any:
        value = self._get(data, key, optional)
        if value is None and optional:
            return None
        if not isinstance(value, str):
            raise self._fail(key, f"expected a string, got {type(value).__name__}")
        return value

    def choice(self, data: Mapping[str, Any], key: str, choices: Sequence[str]) -> str:
        value = self.text(data, key)
        if value not in choices:
            raise self._fail(key, f"expected one of {', '.join(choices)}, got {value!r}")
        return str(value)

    def number(self, data: Mapping[str, Any], key: str, optional: bool = False, positive: bool = False) -> float | None:
        return _check_float(self, key, self._get(data, key, optional), optional, positive)

    def integer(
        self,
        data: Mapping[str, Any],
        key: str,
        optional: bool = False,
        minimum: int | None = None,
        maximum: int | None = None,
    ) -> int | None:
        value = self._get(data, key, optional)
        if value is None and optional:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._fail(key, f"expected an integer, got {value!r}")
        if minimum is not None and value < minimum:
            raise self._fail(key, f"must be ≥ {minimum}, got {value}")
        if maximum is not None and value > maximum:
            raise self._fail(key, f"must be ≤ {maximum}, got {value}")
        return value

    def mapping(self, data: Mapping[str, Any], key: str) -> dict[str, Any]:
        value = self._get(data, key, False)
        if not isinstance(value, dict):
            raise self._fail(key, f"expected an object, got {type(value).__name__}")
        return value

    def int_list(self, data: Mapping[str, Any], key: str) -> list[int]:
        value = self._get(data, key, False)
        if not isinstance(value, list) or any(isinstance(v, bool) or not isinstance(v, int) for v in value):
            raise self._fail(key, "expected a list of integers")
        return list(value)

    def str_list(self, data: Mapping[str, Any], key: str) -> list[str]:
        value = self._get(data, key, False)
        if not isinstance(value, list) or any(not isinstance(v, str) for v in value):
            raise self._fail(key, "expected a list of strings")
        return list(value)

    def float_map(self, data: Mapping[str, Any], key: str, optional_values: bool = False) -> dict[int, Any]:
        raw = self.mapping(data, key)
        return {_int_key(self, key, k): _check_float(self, key, v, optional_values, False) for k, v in raw.items()}


def _check_float(reader: _Reader, key: str, value: Any, optional: bool, positive: bool) -> float | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise reader._fail(key, f"expected a number, got {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise reader._fail(key, f"not a finite number ({value!r})")
    if positive and number <= 0.0:
        raise reader._fail(key, f"must be > 0, got {value!r}")
    return number


def _int_key(reader: _Reader, key: str, text: Any) -> int:
    try:
        number = int(text)
    except (TypeError, ValueError):
        raise reader._fail(key, f"key {text!r} is not an integer") from None
    if str(number) != str(text).strip():
        raise reader._fail(key, f"key {text!r} is not an integer")
    return number


def _fit_from_dict(reader: _Reader, raw: Any) -> PowerLawFit | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise reader._fail("fit", "expected an object or null")
    distances = reader.int_list(raw, "distances")
    if len(distances) < 2:
        raise reader._fail("fit.distances", "a fit needs at least 2 distances")
    if any(not 1 <= d <= _MAX_LENGTH for d in distances):
        raise reader._fail("fit.distances", "a fitted distance outside [1, 2**53]")
    return PowerLawFit(
        gamma=reader.number(raw, "gamma"),  # type: ignore[arg-type]
        log_A=reader.number(raw, "log_A"),  # type: ignore[arg-type]
        R2=reader.number(raw, "R2"),  # type: ignore[arg-type]
        R2_exact=reader.number(raw, "R2_exact"),  # type: ignore[arg-type]
        distances=tuple(distances),
    )


def _ci_from_dict(reader: _Reader, data: Mapping[str, Any], key: str) -> tuple[float, float] | None:
    raw = reader._get(data, key, True)
    if raw is None:
        return None
    if not isinstance(raw, list) or len(raw) != 2:
        raise reader._fail(key, "expected [low, high] or null")
    low = _check_float(reader, key, raw[0], False, False) or 0.0
    high = _check_float(reader, key, raw[1], False, False) or 0.0
    if low > high:
        raise reader._fail(key, f"low {low} > high {high}")
    return (low, high)


def _null_from_dict(reader: _Reader, raw: Any) -> UniformNull:
    if not isinstance(raw, dict):
        raise reader._fail("uniform_null", "expected an object")
    estimator = reader.choice(raw, "estimator", ("reference", "curve"))
    return UniformNull(estimator, reader.float_map(raw, "attn_by_distance"), _fit_from_dict(reader, raw.get("fit")))


def _optional_float_map(reader: _Reader, data: Mapping[str, Any], key: str) -> dict[int, float | None]:
    return reader.float_map(data, key, optional_values=True)


def _corpus_from_dict(reader: _Reader, raw: Any) -> CorpusResult:
    if not isinstance(raw, dict):
        raise ConfigError(f"{reader.where}: expected an object", _HINT)
    per_head_raw = reader.mapping(raw, "per_head_gamma")
    per_head: dict[int, tuple[float | None, ...]] = {}
    for key, values in per_head_raw.items():
        if not isinstance(values, list):
            raise reader._fail("per_head_gamma", "expected lists of numbers")
        per_head[_int_key(reader, "per_head_gamma", key)] = tuple(
            _check_float(reader, "per_head_gamma", v, True, False) for v in values
        )
    per_seed_raw = reader.mapping(raw, "attn_by_distance_per_seed")
    by_layer_raw = reader.mapping(raw, "attn_by_layer")
    curve_raw = raw.get("curve")
    curve = None
    if curve_raw is not None:
        if not isinstance(curve_raw, dict):
            raise reader._fail("curve", "expected an object or null")
        ds = reader.int_list(curve_raw, "distances")
        values = curve_raw.get("attn")
        if not isinstance(values, list) or len(values) != len(ds):
            raise reader._fail("curve.attn", "expected one value per curve distance")
        curve = CurveEstimate(
            query_positions=tuple(reader.int_list(curve_raw, "query_positions")),
            distances=tuple(ds),
            attn=tuple(_check_float(reader, "curve.attn", v, False, False) for v in values),  # type: ignore[misc]
            fit=_fit_from_dict(reader, curve_raw.get("fit")),
            gamma_ci95=_ci_from_dict(reader, curve_raw, "gamma_ci95"),
            null=_null_from_dict(reader, curve_raw.get("uniform_null")),
            per_layer_gamma=_optional_float_map(reader, curve_raw, "per_layer_gamma"),
        )
    return CorpusResult(
        corpus=reader.choice(raw, "corpus", CORPORA),
        n_prompts=reader.integer(raw, "n_prompts", minimum=0),  # type: ignore[arg-type]
        seeds=tuple(reader.int_list(raw, "seeds")),
        distances=tuple(reader.int_list(raw, "distances")),
        attn_by_distance=reader.float_map(raw, "attn_by_distance"),
        attn_by_distance_per_seed={
            _int_key(reader, "attn_by_distance_per_seed", s): reader.float_map(per_seed_raw, s) for s in per_seed_raw
        },
        fit=_fit_from_dict(reader, raw.get("fit")),
        gamma_ci95=_ci_from_dict(reader, raw, "gamma_ci95"),
        null=_null_from_dict(reader, raw.get("uniform_null")),
        attn_by_layer={
            _int_key(reader, "attn_by_layer", layer): reader.float_map(by_layer_raw, layer) for layer in by_layer_raw
        },
        per_layer_gamma=_optional_float_map(reader, raw, "per_layer_gamma"),
        per_head_gamma=per_head,
        kl_grammar=reader.number(raw, "kl_grammar", optional=True),
        curve=curve,
    )
