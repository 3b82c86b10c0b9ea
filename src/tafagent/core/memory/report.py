"""``MemoryReport``: everything `taf memory` answers for one model, context, batch, formats and engine, and
``memory_report``, the one call that assembles it."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from tafagent.core.catalogs import GPU
from tafagent.core.errors import ConfigError
from tafagent.core.memory.activations import prefill_activation_bytes
from tafagent.core.memory.kv import KVPlan, kv_plan
from tafagent.core.memory.parallel import MAX_TP
from tafagent.core.memory.rescue import RescueRung, rescue_ladder
from tafagent.core.memory.serving import (
    MemoryBudget,
    fewest_gpus,
    max_batch,
    max_context,
    memory_budget,
    vllm_capacity_message,
)
from tafagent.core.memory.speed import decode_throughput, prefill_seconds
from tafagent.core.memory.weights import WeightsEstimate, engine_weights_format, weights_bytes
from tafagent.core.messages import tr
from tafagent.core.spec.context_facts import context_facts
from tafagent.core.spec.limits import MAX_BATCH, MAX_POSITIONS
from tafagent.core.spec.model_spec import ModelSpec

NO_POSITION_LIMIT = 2**31  # the longest-context search bound for models whose config names no position limit


@dataclass(frozen=True)
class PositionLimit:
    """The longest context the model was trained at or validly extended to, and where that figure comes from."""

    tokens: int | None
    source: str

    def to_dict(self) -> dict[str, Any]:
        return {"tokens": self.tokens, "source": self.source}


def position_limit(spec: ModelSpec) -> PositionLimit:
    """The longest length the model was trained at or validly extended to (``ContextFacts.usable_tokens``:
    the sourced training-length table, else the config; a RoPE scaling rule named when it extends it)."""
    return PositionLimit(context_facts(spec).usable_tokens, position_source(spec))


def position_source(spec: ModelSpec, lang: str = "en") -> str:
    """Where the position limit comes from, in ``lang`` (the training-length citation itself stays as written)."""
    facts = context_facts(spec)
    tokens = facts.usable_tokens
    if tokens is None:
        return tr("serving.position.unknown", lang)
    parts = (
        [tr("serving.position.trained", lang, tokens=facts.trained_tokens, source=facts.trained_source)]
        if facts.trained_tokens
        else []
    )
    if facts.extended_tokens and facts.rope_scaling_type and tokens == facts.extended_tokens:
        factor = f" ×{facts.rope_scaling_factor:g}" if facts.rope_scaling_factor else ""
        parts.append(
            tr(
                "serving.position.extended",
                lang,
                kind=facts.rope_scaling_type,
                factor=factor,
                tokens=facts.extended_tokens,
            )
        )
    if facts.claimed_tokens is not None and facts.claimed_tokens != tokens:
        parts.append(tr("serving.position.claimed", lang, tokens=facts.claimed_tokens))
    return tr("serving.position.join", lang).join(parts) or tr("serving.position.positions", lang, tokens=tokens)


@dataclass(frozen=True)
class MemoryReport:
    """Everything `taf memory` answers for one model, context, batch, formats and engine."""

    model_id: str
    context: int
    batch: int
    weights: WeightsEstimate
    plan: KVPlan
    kv_bytes: int
    activation: dict[str, Any]
    positions: PositionLimit
    gpu: GPU | None = None
    budget: MemoryBudget | None = None
    fits: bool | None = None
    max_context: int | None = None
    max_batch: int | None = None
    min_gpus: dict[str, Any] | None = None
    throughput: dict[str, Any] | None = None
    prefill: dict[str, Any] | None = None
    capacity_message: str | None = None
    warnings: tuple[str, ...] = ()  # the spec's, the weights' and the context's (past the position limit)
    rescue: tuple[RescueRung, ...] = ()
    speed_withheld: str | None = None  # why no speed figure is shown (the load does not fit)

    @property
    def total_bytes(self) -> int:
        overhead = self.budget.overhead_bytes if self.budget else 0
        return self.weights.n_bytes + self.kv_bytes + int(self.activation["total_bytes"]) + overhead

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "model": self.model_id,
            "context": self.context,
            "batch": self.batch,
            "engine": self.plan.engine.name,
            "engine_version": self.plan.engine.version,
            "weights_format": self.weights.format,
            "weights_bytes": self.weights.n_bytes,
            "weights_bits_per_weight": self.weights.bits_per_weight,
            "kv_dtype": self.plan.kv_dtype,
            "kv_bytes_per_token": math.ceil(self.plan.bytes_per_token()),
            "kv_bytes_per_sequence": self.plan.bytes_per_sequence(self.context),
            "kv_bytes": self.kv_bytes,
            "activation_bytes": int(self.activation["total_bytes"]),
            "total_bytes": self.total_bytes,
            "position_limit": self.positions.to_dict(),
            "weights": self.weights.to_dict(),
            "kv": self.plan.to_dict(self.context),
            "activation": self.activation,
        }
        if self.gpu is not None and self.budget is not None:
            out.update(
                {
                    "gpu": self.gpu.name,
                    "tp": self.plan.tp,
                    "budget": self.budget.to_dict(),
                    "fits": self.fits,
                    "max_context": self.max_context,
                    "max_batch": self.max_batch,
                    "min_gpus": self.min_gpus,
                    "throughput": self.throughput,
                    "prefill": self.prefill,
                    "speed_withheld": self.speed_withheld,
                    "rescue": [rung.to_dict() for rung in self.rescue],
                }
            )
        if self.capacity_message:
            out["capacity_message"] = self.capacity_message
        out["warnings"] = list(self.warnings)
        return out


def memory_report(
    spec: ModelSpec,
    context: int,
    batch: int = 1,
    *,
    weights_dtype: str = "auto",
    kv_dtype: str = "auto",
    engine: str = "transformers",
    gpu: GPU | None = None,
    tp: int = 1,
    gpu_memory_utilization: float | None = None,
    attn_implementation: str = "auto",
) -> MemoryReport:
    """Weights, KV and activations for ``batch`` sequences of ``context`` tokens; with a GPU, whether it fits,
    the longest context (capped at the position limit) and largest batch that fit, the fewest GPUs (tensor
    parallel), and either the engine's speed ranges (when it fits) or the rescue ladder (when it does not).

    Bounds (ConfigError naming the parameter): 1 ≤ context ≤ MAX_POSITIONS, 1 ≤ batch ≤ MAX_BATCH,
    1 ≤ tp ≤ MAX_TP and a tp that splits the attention heads (``memory.parallel``), 0 < utilisation ≤ 1.
    A context past the model's position limit is a warning, not an error.
    """
    _check_report_inputs(context, batch, tp, gpu_memory_utilization)
    plan = kv_plan(spec, engine, kv_dtype, tp)
    weights_dtype = engine_weights_format(spec, plan.engine.name, weights_dtype)
    weights = weights_bytes(spec, weights_dtype)
    kv = plan.bytes_per_sequence(context) * batch
    engine = plan.engine.name
    activation = prefill_activation_bytes(spec, context, batch, attn_implementation, engine=engine)
    positions = position_limit(spec)
    warnings = tuple(dict.fromkeys((*spec.warnings, *weights.warnings, *_context_warnings(spec, context, positions))))
    base = MemoryReport(spec.model_id, context, batch, weights, plan, kv, activation, positions, warnings=warnings)
    if gpu is None:
        return base
    budget = memory_budget(spec, gpu, weights, engine, tp, gpu_memory_utilization, context, batch, attn_implementation)
    fits = budget.kv_available_bytes >= kv
    bound = positions.tokens or NO_POSITION_LIMIT
    longest = max_context(plan, budget.kv_available_bytes, batch, limit=bound)
    widest = max_batch(plan, budget.kv_available_bytes, context)
    fewest = fewest_gpus(
        spec,
        gpu,
        weights,
        engine,
        kv_dtype,
        context,
        batch,
        gpu_memory_utilization,
        attn_implementation=attn_implementation,
    )
    message = vllm_capacity_message(plan, context, budget.kv_available_bytes) if engine == "vllm" else None
    fields: dict[str, Any] = {
        "gpu": gpu,
        "budget": budget,
        "fits": fits,
        "max_context": longest,
        "max_batch": widest,
        "min_gpus": fewest,
        "capacity_message": message,
    }
    if fits:
        fields["throughput"] = decode_throughput(spec, gpu, weights, plan, context, batch, tp, engine=engine)
        fields["prefill"] = prefill_seconds(spec, gpu, context, batch, tp, engine=engine)
    else:
        fields["speed_withheld"] = _withheld(spec, gpu, budget, kv, fewest, context)
        fields["rescue"] = rescue_ladder(
            spec,
            gpu,
            context,
            batch,
            engine=engine,
            weights_dtype=weights_dtype,
            kv_dtype=kv_dtype,
            tp=tp,
            gpu_memory_utilization=gpu_memory_utilization,
            attn_implementation=attn_implementation,
        )
    return replace(base, **fields)


def _context_warnings(spec: ModelSpec, context: int, positions: PositionLimit) -> tuple[str, ...]:
    """A context past the position limit (English; :func:`context_warning` in any language)."""
    warning = context_warning(spec, context)
    return (warning,) if warning else ()


def context_warning(spec: ModelSpec, context: int, lang: str = "en") -> str | None:
    """The warning for a context past the position limit, in ``lang`` (None when it is within): learned absolute
    positions cannot run there at all; RoPE and others run but were never trained there."""
    limit = context_facts(spec).usable_tokens
    if limit is None or context <= limit:
        return None
    consequences = {"abspe": "serving.warning.abspe", "alibi": "serving.warning.alibi"}
    consequence = tr(consequences.get(spec.family, "serving.warning.never_trained"), lang)
    return tr(
        "serving.warning.past_limit",
        lang,
        context=context,
        model=spec.model_id,
        limit=limit,
        source=position_source(spec, lang),
        consequence=consequence,
    )


def _withheld(
    spec: ModelSpec, gpu: GPU, budget: MemoryBudget, kv: int, fewest: dict[str, Any] | None, context: int
) -> str:
    """Why no speed figure is shown, what would fit, and where to plan it (English)."""
    return speed_withheld(spec.model_id, gpu.name, kv - budget.kv_available_bytes, fewest, context)


def speed_withheld(
    model_id: str, gpu_name: str, short_bytes: int, fewest: dict[str, Any] | None, context: int, lang: str = "en"
) -> str:
    """Why no speed figure is shown (``short_bytes`` of KV memory missing), what would fit, and where to plan it,
    in ``lang``."""
    gpus = (
        tr("serving.withheld.gpus", lang, n=fewest["n_gpus"], gpu=gpu_name)
        if fewest
        else tr("serving.withheld.no_group", lang, gpu=gpu_name)
    )
    return tr("serving.withheld.text", lang, short=short_bytes / 2**30, gpus=gpus, model=model_id, context=context)


def _check_report_inputs(context: int, batch: int, tp: int, gpu_memory_utilization: float | None) -> None:
    """ConfigError (naming the parameter) for non-positive or absurd sizes and for a bad utilisation."""
    for name, value in (("context", context), ("batch", batch), ("tp", tp)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(
                f"parameter '{name}' must be a positive integer, got {_shown(value)}", "fix the value", field=name
            )
    if context > MAX_POSITIONS:  # the same bound every recipe's T_eval has
        raise ConfigError(
            f"context {_shown(context)} tokens is beyond any model", f"use at most {MAX_POSITIONS:,}", field="context"
        )
    for name, value, limit in (("batch", batch, MAX_BATCH), ("tp", tp, MAX_TP)):
        if value > limit:
            raise ConfigError(
                f"parameter '{name}' = {_shown(value)} is beyond any deployment", f"use at most {limit:,}", field=name
            )
    utilisation = gpu_memory_utilization
    if utilisation is not None and (
        isinstance(utilisation, bool) or not isinstance(utilisation, (int, float)) or not 0 < utilisation <= 1
    ):
        raise ConfigError(
            f"gpu_memory_utilization must be in (0, 1], got {_shown(gpu_memory_utilization)}",
            "e.g. 0.9",
            field="gpu_memory_utilization",
        )


def _shown(value: object) -> str:
    """A bad value for an error line: a huge integer in scientific notation, anything else cut to 40 characters."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**15:
        return f"{float(value):.3g}" if abs(value) < 10**308 else "an integer of at least 1e308"
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"
