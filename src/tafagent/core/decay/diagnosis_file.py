"""Reading diagnosis files back, every field validated (one-line ConfigErrors, never a traceback).

Two kinds of file: ours (``taf diagnose --out``, schema ``tafagent.diagnosis/1``), whose per-corpus results
are read here by :func:`read_corpus_results`, and the JSON that v0.5.3's ``diagnose_model.py`` writes
(spec §5.9), read by :func:`read_reference_file`. ``Diagnosis.from_dict`` / ``from_reference_dict``
assemble the :class:`~tafagent.core.decay.diagnosis.Diagnosis` from these parts.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tafagent.core.decay.corpus_result import CorpusResult, CurveEstimate
from tafagent.core.decay.fit import PowerLawFit, try_fit_power_law
from tafagent.core.decay.grammar import kl_grammar
from tafagent.core.decay.json_fields import DIAGNOSIS_FILE_HINT, MAX_FILE_INTEGER, FieldReader
from tafagent.core.decay.null import UniformNull, uniform_null
from tafagent.core.decay.protocol import CORPORA, N_PROMPTS_FAST, N_PROMPTS_FULL
from tafagent.core.errors import ConfigError
from tafagent.core.spec.limits import MAX_THETA, MIN_THETA

__all__ = ["MAX_FILE_LENGTH", "THETA_BOUNDS", "ReferenceFile", "read_corpus_results", "read_reference_file"]

MAX_FILE_LENGTH = MAX_FILE_INTEGER  # the longest N or distance a diagnosis file may name (core.thermo's bound on N)
THETA_BOUNDS = (MIN_THETA, MAX_THETA)  # a file's RoPE θ is bounded like a config's


# ---- ours: `taf diagnose --out` ------------------------------------------------------------------------


def read_corpus_results(reader: FieldReader, data: Mapping[str, Any]) -> dict[str, CorpusResult]:
    """The ``results`` object of a diagnosis file: corpus name → its validated :class:`CorpusResult`."""
    results_raw = reader.mapping(data, "results")
    results = {corpus: _corpus_from_dict(FieldReader(f"results.{corpus}"), raw) for corpus, raw in results_raw.items()}
    for corpus in results:
        if corpus not in CORPORA:
            raise ConfigError(f"diagnosis field results.{corpus}: unknown corpus", DIAGNOSIS_FILE_HINT)
    return results


def _corpus_from_dict(reader: FieldReader, raw: Any) -> CorpusResult:
    if not isinstance(raw, dict):
        raise ConfigError(f"{reader.where}: expected an object", DIAGNOSIS_FILE_HINT)
    per_head = _per_head_from_dict(reader, raw)
    per_seed_raw = reader.mapping(raw, "attn_by_distance_per_seed")
    by_layer_raw = reader.mapping(raw, "attn_by_layer")
    curve = _curve_from_dict(reader, raw.get("curve"))
    return CorpusResult(
        corpus=reader.choice(raw, "corpus", CORPORA),
        n_prompts=reader.integer(raw, "n_prompts", minimum=0),  # type: ignore[arg-type]
        seeds=tuple(reader.int_list(raw, "seeds")),
        distances=tuple(reader.int_list(raw, "distances")),
        attn_by_distance=reader.float_map(raw, "attn_by_distance"),
        attn_by_distance_per_seed={
            reader.int_key("attn_by_distance_per_seed", s): reader.float_map(per_seed_raw, s) for s in per_seed_raw
        },
        fit=_fit_from_dict(reader, raw.get("fit")),
        gamma_ci95=_ci_from_dict(reader, raw, "gamma_ci95"),
        null=_null_from_dict(reader, raw.get("uniform_null")),
        attn_by_layer={
            reader.int_key("attn_by_layer", layer): reader.float_map(by_layer_raw, layer) for layer in by_layer_raw
        },
        per_layer_gamma=reader.float_map(raw, "per_layer_gamma", optional_values=True),
        per_head_gamma=per_head,
        kl_grammar=reader.number(raw, "kl_grammar", optional=True),
        curve=curve,
    )


def _per_head_from_dict(reader: FieldReader, raw: Mapping[str, Any]) -> dict[int, tuple[float | None, ...]]:
    per_head: dict[int, tuple[float | None, ...]] = {}
    for key, values in reader.mapping(raw, "per_head_gamma").items():
        if not isinstance(values, list):
            raise reader.fail("per_head_gamma", "expected lists of numbers")
        per_head[reader.int_key("per_head_gamma", key)] = tuple(
            reader.check_float("per_head_gamma", v, True, False) for v in values
        )
    return per_head


def _curve_from_dict(reader: FieldReader, curve_raw: Any) -> CurveEstimate | None:
    if curve_raw is None:
        return None
    if not isinstance(curve_raw, dict):
        raise reader.fail("curve", "expected an object or null")
    ds = reader.int_list(curve_raw, "distances")
    values = curve_raw.get("attn")
    if not isinstance(values, list) or len(values) != len(ds):
        raise reader.fail("curve.attn", "expected one value per curve distance")
    return CurveEstimate(
        query_positions=tuple(reader.int_list(curve_raw, "query_positions")),
        distances=tuple(ds),
        attn=tuple(reader.check_float("curve.attn", v, False, False) for v in values),  # type: ignore[misc]
        fit=_fit_from_dict(reader, curve_raw.get("fit")),
        gamma_ci95=_ci_from_dict(reader, curve_raw, "gamma_ci95"),
        null=_null_from_dict(reader, curve_raw.get("uniform_null")),
        per_layer_gamma=reader.float_map(curve_raw, "per_layer_gamma", optional_values=True),
    )


def _fit_from_dict(reader: FieldReader, raw: Any) -> PowerLawFit | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise reader.fail("fit", "expected an object or null")
    distances = reader.int_list(raw, "distances")
    if len(distances) < 2:
        raise reader.fail("fit.distances", "a fit needs at least 2 distances")
    if any(not 1 <= d <= MAX_FILE_LENGTH for d in distances):
        raise reader.fail("fit.distances", "a fitted distance outside [1, 2**53]")
    return PowerLawFit(
        gamma=reader.number(raw, "gamma"),  # type: ignore[arg-type]
        log_A=reader.number(raw, "log_A"),  # type: ignore[arg-type]
        R2=reader.number(raw, "R2"),  # type: ignore[arg-type]
        R2_exact=reader.number(raw, "R2_exact"),  # type: ignore[arg-type]
        distances=tuple(distances),
    )


def _ci_from_dict(reader: FieldReader, data: Mapping[str, Any], key: str) -> tuple[float, float] | None:
    raw = reader.get(data, key, True)
    if raw is None:
        return None
    if not isinstance(raw, list) or len(raw) != 2:
        raise reader.fail(key, "expected [low, high] or null")
    low = reader.check_float(key, raw[0], False, False) or 0.0
    high = reader.check_float(key, raw[1], False, False) or 0.0
    if low > high:
        raise reader.fail(key, f"low {low} > high {high}")
    return (low, high)


def _null_from_dict(reader: FieldReader, raw: Any) -> UniformNull:
    if not isinstance(raw, dict):
        raise reader.fail("uniform_null", "expected an object")
    estimator = reader.choice(raw, "estimator", ("reference", "curve"))
    return UniformNull(estimator, reader.float_map(raw, "attn_by_distance"), _fit_from_dict(reader, raw.get("fit")))


# ---- v0.5.3: diagnose_model.py's JSON (spec §5.9) --------------------------------------------------------


@dataclass(frozen=True)
class ReferenceFile:
    """What is kept of a v0.5.3 diagnosis: its model, N, θ (``theta_nom``), fast-mode flag, and the measured
    curve as a random-token, seed-42 :class:`CorpusResult` (fit, null and KL recomputed here)."""

    model: str
    N: int | None
    theta: float | None
    fast_mode: bool
    result: CorpusResult


def read_reference_file(data: Any) -> ReferenceFile:
    """Validate a v0.5.3 ``diagnose_model.py`` JSON and refit its ``attn_by_distance``.

    Its stored γ must match the refit (within 1e-6): it is a consistency check, not an input.
    """
    reader = FieldReader("reference diagnosis")
    if not isinstance(data, dict) or "fit_power_law" not in data or "attn_by_distance" not in data:
        raise ConfigError("not a diagnosis file (neither tafagent nor v0.5.3 diagnose_model.py)", DIAGNOSIS_FILE_HINT)
    curve_raw = reader.mapping(data, "attn_by_distance")
    curve = {reader.int_key("attn_by_distance", k): v for k, v in curve_raw.items()}
    if any(not 1 <= d <= MAX_FILE_LENGTH for d in curve):
        raise reader.fail("attn_by_distance", "a distance outside [1, 2**53]")
    attn = {d: v for d, v in curve.items() if isinstance(v, (int, float)) and math.isfinite(v)}
    fast = bool(data.get("fast_mode", False))
    ds = sorted(attn)
    fit = try_fit_power_law(ds, [attn[d] for d in ds])
    stored = reader.number(reader.mapping(data, "fit_power_law"), "gamma", optional=True)
    if fit is None or stored is None or abs(stored - fit.gamma) > 1e-6:
        raise ConfigError(
            "v0.5.3 diagnosis is inconsistent: its gamma does not match its attn_by_distance", DIAGNOSIS_FILE_HINT
        )
    result = CorpusResult(
        corpus="random",
        n_prompts=N_PROMPTS_FAST if fast else N_PROMPTS_FULL,
        seeds=(42,),
        distances=tuple(sorted(curve)),
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
    theta = reader.number(data, "theta_nom", optional=True, positive=True, bounds=THETA_BOUNDS)
    return ReferenceFile(
        model=reader.text(data, "model"),
        N=reader.integer(data, "N", optional=True, minimum=1, maximum=MAX_FILE_LENGTH),
        theta=theta,
        fast_mode=fast,
        result=result,
    )
