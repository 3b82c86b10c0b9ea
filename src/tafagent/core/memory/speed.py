"""Throughput ranges: a physical ceiling (bytes read per decode step, FLOPs per prefill) times the
efficiency range fitted on published measurements (``data/throughput_calibration.json``)."""

from __future__ import annotations

import json
import math
from functools import cache
from importlib import resources
from typing import Any

from tafagent.core.catalogs import GPU
from tafagent.core.evidence import Evidence, EvidenceNote
from tafagent.core.memory.kv import KVPlan
from tafagent.core.memory.weights import WeightsEstimate
from tafagent.core.spec.model_spec import ModelSpec


@cache
def _calibration() -> dict[str, Any]:
    text = resources.files("tafagent.core").joinpath("data/throughput_calibration.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def efficiency_range(kind: str) -> tuple[float, float, int]:
    """(min, max, n) of measured/ceiling ratios for 'decode_efficiency' or 'prefill_mfu'."""
    rows = _calibration()[kind]
    values = [r["efficiency"] for r in rows]
    return min(values), max(values), len(values)


def decode_bytes_per_step(
    spec: ModelSpec, weights: WeightsEstimate, plan: KVPlan, context: int, batch: int
) -> dict[str, Any]:
    """Bytes one decode step reads: weights (for MoE only the experts the batch touches) + every sequence's KV.

    Expected experts touched per MoE layer by ``batch`` tokens choosing k of E: E·(1 − (1 − k/E)^batch).
    """
    weight_bytes: float = weights.n_bytes  # fractional once only the touched experts are counted
    touched_fraction = 1.0
    if spec.moe is not None and weights.expert_bytes:
        e, k = spec.moe.n_experts, spec.moe.experts_per_token
        touched_fraction = 1.0 - (1.0 - k / e) ** batch
        weight_bytes = weights.n_bytes - weights.expert_bytes + weights.expert_bytes * touched_fraction
    kv = plan.bytes_per_sequence(context) * batch
    return {
        "weights_bytes_read": math.ceil(weight_bytes),
        "kv_bytes_read": kv,
        "expert_fraction_read": touched_fraction,
        "total_bytes": math.ceil(weight_bytes) + kv,
    }


def decode_throughput(
    spec: ModelSpec, gpu: GPU, weights: WeightsEstimate, plan: KVPlan, context: int, batch: int = 1, tp: int = 1
) -> dict[str, Any]:
    """Aggregate decode tokens/s: the ceiling min(bandwidth bound, compute bound) and a calibrated range."""
    step = decode_bytes_per_step(spec, weights, plan, context, batch)
    bandwidth = gpu.hbm_GB_per_s * 1e9 * tp
    memory_time = step["total_bytes"] / bandwidth
    flops = 2.0 * spec.n_params_active * batch
    compute_time = flops / (gpu.bf16_tflops * 1e12 * tp)
    step_time = max(memory_time, compute_time)
    ceiling = batch / step_time
    low, high, n = efficiency_range("decode_efficiency")
    return {
        "bytes_per_step": step,
        "bound": "memory" if memory_time >= compute_time else "compute",
        "ceiling_tok_s": ceiling,
        "ceiling_tok_s_per_sequence": ceiling / batch,
        "expected_tok_s_range": [ceiling * low, ceiling * high],
        "efficiency_range": [low, high],
        "evidence": EvidenceNote(
            Evidence.FITTED, "measured/ceiling on published decode runs", n=n, statistic=f"{low:.2f}–{high:.2f}"
        ).to_dict(),
    }


def prefill_seconds(spec: ModelSpec, gpu: GPU, prompt_tokens: int, batch: int = 1, tp: int = 1) -> dict[str, Any]:
    """Prefill time ≥ FLOPs / peak: 2·N_active·T + attention 2·n_attn_layers·H·d_head·T² (causal), per sequence."""
    T = prompt_tokens
    attention_layers = sum(1 for k in spec.layer_kinds() if k not in ("mamba", "linear_attention"))
    flops = batch * (2.0 * spec.n_params_active * T + 2.0 * attention_layers * spec.n_heads * spec.d_head * T * T)
    floor = flops / (gpu.bf16_tflops * 1e12 * tp)
    low, high, n = efficiency_range("prefill_mfu")
    return {
        "flops": flops,
        "floor_seconds": floor,
        "expected_seconds_range": [floor / high, floor / low],
        "mfu_range": [low, high],
        "evidence": EvidenceNote(
            Evidence.FITTED, "measured/floor on published prefill runs", n=n, statistic=f"{low:.2f}–{high:.2f}"
        ).to_dict(),
    }
