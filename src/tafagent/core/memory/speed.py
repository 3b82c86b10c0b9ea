"""Decode and prefill speed per engine: the step-time law of ``speed_model`` (bandwidth / compute roofline,
the engine's host overhead, tensor-parallel all-reduces) with constants fitted per engine on dated, sourced
measurements (``data/speed_calibration.json``, ``speed_fit``). Every range is ± the law's leave-one-out error
on those measurements, and says so in ``basis``.
"""

from __future__ import annotations

import math
from typing import Any

from tafagent.core.catalogs import GPU
from tafagent.core.errors import UsageError
from tafagent.core.evidence import Evidence, EvidenceNote
from tafagent.core.memory.kv import KVPlan
from tafagent.core.memory.speed_fit import ENGINES, FittedEngine, calibration, fitted, rows
from tafagent.core.memory.speed_model import StepInputs, StepTime, inputs_from_row, step_time
from tafagent.core.memory.weights import WeightsEstimate, weights_bytes
from tafagent.core.spec.model_spec import ModelSpec

_ALIASES = {"hf": "transformers", "llamacpp": "llama.cpp", "llama-cpp": "llama.cpp", "tensorrt-llm": "vllm"}
_NO_LOO_SPREAD = 0.5  # ± used only if an engine had fewer than two measurement groups (none ships so)


def speed_engine(engine: str) -> str:
    """The engine key of the speed model ('hf', 'llamacpp' accepted); a one-line UsageError otherwise."""
    key = engine.strip().lower()
    key = _ALIASES.get(key, key)
    if key not in ENGINES:
        raise UsageError(f"unknown engine '{engine}' for the speed model", "use " + ", ".join(ENGINES))
    return key


def cpu_memory_GB_per_s() -> float:
    """Default system-memory bandwidth for llama.cpp layers kept on the CPU (dual-channel DDR5-5600)."""
    return float(calibration()["cpu_memory"]["GB_per_s"])


def efficiency_range(kind: str) -> tuple[float, float, int]:
    """(min, max, n) of ceiling / measured on the fused-engine rows: 'decode_efficiency' (bandwidth ceiling)
    or 'prefill_mfu' (FLOP floor). Kept for callers that show one efficiency band."""
    phase = "decode" if kind == "decode_efficiency" else "prefill"
    key = "s_per_step" if phase == "decode" else "seconds"
    values = []
    for r in rows("vllm", phase):
        x = inputs_from_row(r, phase)
        values.append((x.memory_s if phase == "decode" else x.compute_s) / r[key])
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


def _link(gpu: GPU, tp: int) -> float | None:
    if tp > 1 and not gpu.link_GB_per_s:
        raise UsageError(
            f"the catalog has no GPU-to-GPU link bandwidth for {gpu.name}, so tensor parallelism cannot be timed",
            "add nvlink_GB_per_s or pcie_GB_per_s to its catalog row, or use --tp 1",
        )
    return gpu.link_GB_per_s


def _gpu_fraction(spec: ModelSpec, engine: str, gpu_layers: int | None) -> float:
    """Share of the layers on the GPU: 1 unless llama.cpp runs with ``gpu_layers`` < n_layers."""
    if gpu_layers is None:
        return 1.0
    if engine != "llama.cpp":
        raise UsageError(f"gpu_layers applies to llama.cpp only, not {engine}", "drop gpu_layers or use llama.cpp")
    if isinstance(gpu_layers, bool) or not isinstance(gpu_layers, int) or not 0 <= gpu_layers <= spec.n_layers:
        raise UsageError(
            f"gpu_layers must be a whole number from 0 to {spec.n_layers} (the model's layers), got {gpu_layers!r}",
            "pass the number of layers llama.cpp offloads to the GPU (-ngl)",
        )
    return gpu_layers / spec.n_layers if spec.n_layers else 1.0


def _basis(fit: FittedEngine, law: str) -> dict[str, Any]:
    profile = calibration()["engines"][fit.engine]
    return {
        "execution": profile["execution"],
        "measured": profile["measured"],
        "notes": list(profile["notes"]),
        "measurements": fit.n,
        "mape_loo": fit.mape_loo,
        "sources": list(fit.sources),
        "constants": fit.constants.to_dict(),
        "borrowed_from": fit.borrowed_from,
        "law": law,
        "data": "tafagent/core/data/speed_calibration.json",
    }


def _evidence(fit: FittedEngine, what: str) -> dict[str, object]:
    borrowed = f" (no {fit.engine} measurement: {fit.borrowed_from}'s fit)" if fit.borrowed_from else ""
    stat = "no leave-one-out" if fit.mape_loo is None else f"leave-one-out MAPE {fit.mape_loo:.0%}"
    return EvidenceNote(
        Evidence.FITTED,
        f"{what}, {fit.engine} constants fitted on {fit.n} measurements{borrowed}",
        n=fit.n,
        statistic=stat,
    ).to_dict()


def _spread(fit: FittedEngine) -> float:
    return _NO_LOO_SPREAD if fit.mape_loo is None else fit.mape_loo


def _parts(t: StepTime) -> dict[str, float]:
    return {"gpu_s": t.gpu_s, "host_s": t.host_s, "all_reduce_s": t.comm_s}


def decode_throughput(
    spec: ModelSpec,
    gpu: GPU,
    weights: WeightsEstimate,
    plan: KVPlan,
    context: int,
    batch: int = 1,
    tp: int = 1,
    engine: str = "vllm",
    gpu_layers: int | None = None,
) -> dict[str, Any]:
    """Aggregate decode tokens/s of ``batch`` running sequences at ``context`` tokens on ``tp`` GPUs.

    Bytes per step (weights once, MoE: touched experts; + every sequence's KV) and FLOPs 2·N_active·batch
    are split over the tensor-parallel group; llama.cpp layers beyond ``gpu_layers`` are read from system
    memory at :func:`cpu_memory_GB_per_s`. Step time: ``speed_model.step_time`` with the engine's constants.
    """
    key = speed_engine(engine)
    fraction = _gpu_fraction(spec, key, gpu_layers)
    step = decode_bytes_per_step(spec, weights, plan, context, batch)
    # A KV plan built for tensor parallelism already holds one GPU's share of the cache (its KV heads); only the
    # weights are split here. A whole-model plan (plan.tp == 1) is split like the weights.
    kv_per_gpu = step["kv_bytes_read"] if plan.tp == tp else step["kv_bytes_read"] * plan.tp / tp
    bytes_per_gpu = step["weights_bytes_read"] / tp + kv_per_gpu
    inputs = StepInputs(
        bytes_per_gpu=bytes_per_gpu * fraction,
        flops_per_gpu=2.0 * spec.n_params_active * batch / tp,
        hbm_GB_per_s=gpu.hbm_GB_per_s,
        bf16_tflops=gpu.bf16_tflops,
        n_layers=spec.n_layers,
        tp=tp,
        all_reduce_message_bytes=2.0 * batch * spec.d_model,
        link_GB_per_s=_link(gpu, tp),
        cpu_bytes=step["total_bytes"] * (1.0 - fraction),
        cpu_GB_per_s=cpu_memory_GB_per_s(),
    )
    fit = fitted(key, "decode")
    t = step_time(inputs, fit.constants)
    m = _spread(fit)
    step_range = [t.seconds / (1.0 + m), t.seconds * (1.0 + m)]
    ceiling_step = max(inputs.memory_s + inputs.cpu_s, inputs.compute_s)
    return {
        "bytes_per_step": step,
        "engine": key,
        "bound": t.bound,
        "ceiling_tok_s": batch / ceiling_step,
        "ceiling_tok_s_per_sequence": 1.0 / ceiling_step,
        "step_seconds": t.seconds,
        "step_seconds_range": step_range,
        "step_parts_s": _parts(t),
        "expected_tok_s_range": [batch / step_range[1], batch / step_range[0]],
        "efficiency_range": [ceiling_step / step_range[1], ceiling_step / step_range[0]],
        "gpu_layer_fraction": fraction,
        "basis": _basis(fit, "step = max|+(GPU roofline / efficiency, host overhead) + all-reduces"),
        "evidence": _evidence(fit, "decode step time"),
    }


def prefill_seconds(
    spec: ModelSpec, gpu: GPU, prompt_tokens: int, batch: int = 1, tp: int = 1, engine: str = "vllm"
) -> dict[str, Any]:
    """Prefill time of ``batch`` prompts of ``prompt_tokens``: FLOPs 2·N_active·T + causal attention
    2·n_attn_layers·H·d_head·T² per sequence (the weights read once), the engine's fitted constants."""
    key = speed_engine(engine)
    T = prompt_tokens
    attention_layers = sum(1 for k in spec.layer_kinds() if k not in ("mamba", "linear_attention"))
    flops = batch * (2.0 * spec.n_params_active * T + 2.0 * attention_layers * spec.n_heads * spec.d_head * T * T)
    inputs = StepInputs(
        bytes_per_gpu=weights_bytes(spec).n_bytes / tp,
        flops_per_gpu=flops / tp,
        hbm_GB_per_s=gpu.hbm_GB_per_s,
        bf16_tflops=gpu.bf16_tflops,
        n_layers=spec.n_layers,
        tp=tp,
        all_reduce_message_bytes=2.0 * batch * T * spec.d_model,
        link_GB_per_s=_link(gpu, tp),
    )
    fit = fitted(key, "prefill")
    t = step_time(inputs, fit.constants)
    m = _spread(fit)
    floor = max(inputs.compute_s, inputs.memory_s)
    seconds_range = [t.seconds / (1.0 + m), t.seconds * (1.0 + m)]
    return {
        "flops": flops,
        "engine": key,
        "bound": t.bound,
        "floor_seconds": floor,
        "expected_seconds": t.seconds,
        "expected_seconds_range": seconds_range,
        "step_parts_s": _parts(t),
        "mfu_range": [floor / seconds_range[1], floor / seconds_range[0]],
        "basis": _basis(fit, "prefill = max(FLOPs / (peak · MFU), weights / bandwidth) + fixed + all-reduces"),
        "evidence": _evidence(fit, "prefill time"),
    }
