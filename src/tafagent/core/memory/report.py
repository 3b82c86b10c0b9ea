"""``MemoryReport``: everything `taf memory` answers for one model, context, batch, formats and engine, and
``memory_report``, the one call that assembles it."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from tafagent.core.catalogs import GPU
from tafagent.core.errors import ConfigError
from tafagent.core.memory.activations import prefill_activation_bytes
from tafagent.core.memory.kv import KVPlan, kv_plan
from tafagent.core.memory.parallel import MAX_TP
from tafagent.core.memory.serving import (
    MemoryBudget,
    fewest_gpus,
    max_batch,
    max_context,
    memory_budget,
    vllm_capacity_message,
)
from tafagent.core.memory.speed import decode_throughput, prefill_seconds
from tafagent.core.memory.weights import WeightsEstimate, weights_bytes
from tafagent.core.spec.limits import MAX_POSITIONS
from tafagent.core.spec.model_spec import ModelSpec

MAX_BATCH = 1_000_000  # concurrent sequences: far above any server, low enough that no product explodes


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
    gpu: GPU | None = None
    budget: MemoryBudget | None = None
    fits: bool | None = None
    max_context: int | None = None
    max_batch: int | None = None
    min_gpus: dict[str, Any] | None = None
    throughput: dict[str, Any] | None = None
    prefill: dict[str, Any] | None = None
    capacity_message: str | None = None
    warnings: tuple[str, ...] = ()  # the spec's and the weights' (e.g. checkpoint headers not used)

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
                }
            )
        if self.capacity_message:
            out["capacity_message"] = self.capacity_message
        if self.warnings:
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
    attn_implementation: str = "sdpa",
) -> MemoryReport:
    """Weights, KV and activations for ``batch`` sequences of ``context`` tokens; with a GPU, whether it fits,
    the longest context and largest batch that fit, the fewest GPUs (tensor parallel) and a throughput range.

    Bounds (ConfigError naming the parameter): 1 ≤ context ≤ MAX_POSITIONS, 1 ≤ batch ≤ MAX_BATCH,
    1 ≤ tp ≤ MAX_TP and a tp that splits the attention heads (``memory.parallel``), 0 < utilisation ≤ 1.
    """
    _check_report_inputs(context, batch, tp, gpu_memory_utilization)
    weights = weights_bytes(spec, weights_dtype)
    plan = kv_plan(spec, engine, kv_dtype, tp)
    kv = plan.bytes_per_sequence(context) * batch
    activation = prefill_activation_bytes(spec, context, batch, attn_implementation)
    warnings = tuple(dict.fromkeys((*spec.warnings, *weights.warnings)))
    if gpu is None:
        return MemoryReport(spec.model_id, context, batch, weights, plan, kv, activation, warnings=warnings)
    budget = memory_budget(spec, gpu, weights, engine, tp, gpu_memory_utilization, context, batch)
    fits = budget.kv_available_bytes >= kv
    longest = max_context(plan, budget.kv_available_bytes, batch, limit=max(context, spec.T_train or context) * 64)
    widest = max_batch(plan, budget.kv_available_bytes, context)
    fewest = fewest_gpus(spec, gpu, weights, engine, kv_dtype, context, batch, gpu_memory_utilization)
    throughput = decode_throughput(spec, gpu, weights, plan, context, batch, tp)
    prefill = prefill_seconds(spec, gpu, context, batch, tp)
    message = vllm_capacity_message(plan, context, budget.kv_available_bytes) if plan.engine.name == "vllm" else None
    return MemoryReport(
        spec.model_id,
        context,
        batch,
        weights,
        plan,
        kv,
        activation,
        gpu,
        budget,
        fits,
        longest,
        widest,
        fewest,
        throughput,
        prefill,
        message,
        warnings,
    )


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
