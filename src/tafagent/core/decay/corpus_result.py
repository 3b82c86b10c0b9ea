"""γ measured on one corpus: :class:`CorpusResult` (the key-at-49 estimator, both protocols), the fast
protocol's :class:`CurveEstimate`, and :func:`build_corpus_result`, which turns the measurement's raw
numbers into fits, CIs, nulls, per-layer/per-head γ and KL grammar."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tafagent.core.decay.fit import PowerLawFit, bootstrap_gamma_ci, finite_mean, try_fit_power_law
from tafagent.core.decay.grammar import kl_grammar
from tafagent.core.decay.interpretation import kl_level
from tafagent.core.decay.json_fields import str_keyed
from tafagent.core.decay.null import UniformNull, uniform_null

__all__ = ["CorpusResult", "CurveEstimate", "build_corpus_result"]


@dataclass(frozen=True, slots=True)
class CurveEstimate:
    """The fast protocol's full-row estimator: A(d) = mean over query rows q of p[q, q − d] (see
    ``core.decay.protocol``)."""

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
            "per_layer_gamma": str_keyed(self.per_layer_gamma),
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
            "attn_by_distance": str_keyed(self.attn_by_distance),
            "attn_by_distance_per_seed": {str(s): str_keyed(v) for s, v in self.attn_by_distance_per_seed.items()},
            "gamma": self.gamma,
            "fit": None if self.fit is None else self.fit.to_dict(),
            "gamma_ci95": None if self.gamma_ci95 is None else list(self.gamma_ci95),
            "uniform_null": self.null.to_dict(),
            "gamma_minus_null": self.gamma_minus_null,
            "distinguishable_from_uniform": self.distinguishable_from_uniform,
            "attn_by_layer": {str(layer): str_keyed(v) for layer, v in self.attn_by_layer.items()},
            "per_layer_gamma": str_keyed(self.per_layer_gamma),
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
    attn = _seed_averaged_attn(distances, per_seed_means)
    fit_ds = [d for d in sorted(attn) if d >= fit_min_distance]
    fit = try_fit_power_law(fit_ds, [attn[d] for d in fit_ds])
    ci = (
        bootstrap_gamma_ci(
            {d: samples[d] for d in fit_ds}, paired=paired, n_resamples=bootstrap_resamples, seed=bootstrap_seed
        )
        if fit is not None
        else None
    )
    null = uniform_null("reference", fit_ds or distances, windows=windows)
    attn_by_layer = _attn_by_layer(layer_head_means)
    per_layer = _per_layer_gamma(attn_by_layer, fit_min_distance)
    per_head = _per_head_gamma(layer_head_means, fit_min_distance)
    kl = kl_grammar({d: attn[d] for d in fit_ds}, fit) if fit is not None else None
    curve_estimate = None
    if curve is not None:
        curve_estimate = _curve_estimate(curve, windows, fit_min_distance, bootstrap_resamples, bootstrap_seed)
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


def _seed_averaged_attn(
    distances: Sequence[int], per_seed_means: Mapping[int, Mapping[int, float]]
) -> dict[int, float]:
    """A(d) = mean of the seeds' finite means at d; distances no seed measured are left out."""
    attn: dict[int, float] = {}
    for d in distances:
        seed_values = [
            per_seed_means[s][d] for s in per_seed_means if math.isfinite(per_seed_means[s].get(d, math.nan))
        ]
        if seed_values:
            attn[d] = math.fsum(seed_values) / len(seed_values)
    return attn


def _attn_by_layer(layer_head_means: Mapping[int, Mapping[int, Sequence[float]]]) -> dict[int, dict[int, float]]:
    """layer → d → mean over the heads with a finite value (distances without one are left out)."""
    out: dict[int, dict[int, float]] = {}
    for layer in sorted(layer_head_means):
        by_d = layer_head_means[layer]
        layer_curve = {d: finite_mean(by_d[d]) for d in sorted(by_d)}
        out[layer] = {d: v for d, v in layer_curve.items() if math.isfinite(v)}
    return out


def _per_layer_gamma(
    attn_by_layer: Mapping[int, Mapping[int, float]], fit_min_distance: int
) -> dict[int, float | None]:
    """γ of each layer's head-averaged curve (None where it cannot be fitted)."""
    out: dict[int, float | None] = {}
    for layer, curve in attn_by_layer.items():
        ds = [d for d in sorted(curve) if d >= fit_min_distance]
        fit = try_fit_power_law(ds, [curve[d] for d in ds])
        out[layer] = None if fit is None else fit.gamma
    return out


def _per_head_gamma(
    layer_head_means: Mapping[int, Mapping[int, Sequence[float]]], fit_min_distance: int
) -> dict[int, tuple[float | None, ...]]:
    """layer → γ of every head's curve (None where it cannot be fitted)."""
    out: dict[int, tuple[float | None, ...]] = {}
    for layer in sorted(layer_head_means):
        by_d = layer_head_means[layer]
        n_heads = max((len(v) for v in by_d.values()), default=0)
        head_gammas: list[float | None] = []
        for h in range(n_heads):
            ds = [d for d in sorted(by_d) if d >= fit_min_distance and h < len(by_d[d])]
            fit = try_fit_power_law(ds, [by_d[d][h] for d in ds])
            head_gammas.append(None if fit is None else fit.gamma)
        out[layer] = tuple(head_gammas)
    return out


def _curve_estimate(
    curve: Mapping[str, Any], windows: Sequence[int | None], fit_min_distance: int, resamples: int, seed: int
) -> CurveEstimate:
    """Fit, paired bootstrap CI, per-layer γ and the curve null of the fast protocol's full-row curve."""
    query_positions = tuple(int(q) for q in curve["query_positions"])
    ds = [int(d) for d in curve["distances"]]
    values = [float(v) for v in curve["attn"]]
    fit_idx = [i for i, d in enumerate(ds) if d >= max(fit_min_distance, 1)]
    fit_ds = [ds[i] for i in fit_idx]
    fit = try_fit_power_law(fit_ds, [values[i] for i in fit_idx])
    samples = curve.get("samples") or {}
    ci = None
    if fit is not None and samples:
        ci = bootstrap_gamma_ci(
            {d: samples[d] for d in fit_ds if d in samples}, paired=True, n_resamples=resamples, seed=seed
        )
    per_layer: dict[int, float | None] = {}
    for layer, layer_values in sorted((curve.get("layer_attn") or {}).items()):
        layer_fit = try_fit_power_law(fit_ds, [float(layer_values[i]) for i in fit_idx])
        per_layer[int(layer)] = None if layer_fit is None else layer_fit.gamma
    null = uniform_null("curve", fit_ds or ds, query_positions=query_positions, windows=windows)
    return CurveEstimate(query_positions, tuple(ds), tuple(values), fit, ci, null, per_layer)
