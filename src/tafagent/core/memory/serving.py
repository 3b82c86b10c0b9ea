"""Serving on GPUs: the memory one GPU can hand out, where it goes before the KV cache (the budget), and the
capacity questions asked of it (longest context, largest batch, vLLM's start-up check, fewest GPUs)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from tafagent.core.catalogs import GPU
from tafagent.core.memory.activations import prefill_activation_bytes, vllm_activation_peak_bytes
from tafagent.core.memory.kv import KVPlan, kv_plan
from tafagent.core.memory.parallel import check_tensor_parallel, tensor_parallel_problem
from tafagent.core.memory.runtimes import runtime_data, runtime_profile, sglang_mem_fraction_static
from tafagent.core.memory.weights import WeightsEstimate
from tafagent.core.messages import Msg, tr
from tafagent.core.render.format import GIB
from tafagent.core.spec.model_spec import ModelSpec

# HBM/GDDR capacities are binary (an "80 GB" H100 has 80 GiB); CUDA exposes ~99 % of it
# (vLLM reports 79.18 GiB total on an H100 80GB): 79.18 / 80 = 0.98975.
USABLE_FRACTION_OF_NOMINAL = 79.18 / 80.0
# Tensor-parallel sizes fewest_gpus tries, smallest first.
TP_SIZES = (1, 2, 4, 8, 16, 32, 64)


def usable_gpu_bytes(gpu: GPU) -> int:
    """Memory CUDA can hand out: nominal binary capacity × 0.98975 (H100 80GB → 79.18 GiB)."""
    return int(gpu.vram_GB * GIB * USABLE_FRACTION_OF_NOMINAL)


@dataclass(frozen=True)
class MemoryBudget:
    """Where the memory of one GPU goes before the KV cache gets what is left."""

    gpu: str
    engine: str
    usable_bytes: int
    budget_bytes: int  # after gpu_memory_utilization
    weights_bytes_per_gpu: int
    activation_bytes: int
    overhead_bytes: int
    kv_available_bytes: int
    notes: tuple[str, ...] = ()
    note_msgs: tuple[Msg, ...] = field(default=(), compare=False)  # ``notes`` as messages, for other languages

    def to_dict(self) -> dict[str, Any]:
        fields = (k for k in self.__dataclass_fields__ if k not in ("notes", "note_msgs"))
        return {k: getattr(self, k) for k in fields} | {"notes": list(self.notes)}

    def note_texts(self, lang: str = "en") -> tuple[str, ...]:
        """The budget's notes in ``lang`` (``notes`` in English)."""
        return tuple(m.text(lang) for m in self.note_msgs) if self.note_msgs else self.notes


def memory_budget(
    spec: ModelSpec,
    gpu: GPU,
    weights: WeightsEstimate,
    engine: str = "vllm",
    tp: int = 1,
    gpu_memory_utilization: float | None = None,
    prompt_tokens: int = 2048,
    batch: int = 1,
    attn_implementation: str = "auto",
) -> MemoryBudget:
    """KV memory available per GPU: usable × utilisation − weights/tp − activation peak − overhead.

    The utilisation is vLLM's gpu_memory_utilization (0.9), SGLang's mem_fraction_static (computed from the
    GPU's memory as its server_args.py does; activations live outside that fraction), 1 otherwise."""
    check_tensor_parallel(spec, tp)
    profile = runtime_profile(engine)
    usable = usable_gpu_bytes(gpu)
    util, activation, overhead, notes = _engine_reserve(
        spec, profile.name, usable, tp, prompt_tokens, batch, attn_implementation
    )
    if gpu_memory_utilization is not None:
        util = gpu_memory_utilization
    budget = int(usable * util)
    weights_per_gpu = math.ceil(weights.n_bytes / tp)
    available = budget - weights_per_gpu - activation - overhead
    return MemoryBudget(
        gpu.name,
        profile.name,
        usable,
        budget,
        weights_per_gpu,
        activation,
        overhead,
        available,
        tuple(note.text("en") for note in notes),
        tuple(notes),
    )


def _engine_reserve(
    spec: ModelSpec, engine: str, usable: int, tp: int, prompt_tokens: int, batch: int, attn_implementation: str
) -> tuple[float, int, int, list[Msg]]:
    """(default utilisation, activation bytes, overhead bytes, notes) of one engine on one GPU."""
    profile = runtime_profile(engine)
    if engine == "vllm":
        activation, _ = vllm_activation_peak_bytes(spec)
        data = runtime_data()["runtimes"]["vllm"]
        non_torch = data["non_torch_GiB"]["tp1" if tp == 1 else "tp2plus"]
        key = _vllm_peak_key(spec, data["activation_peak_GiB"])
        why = Msg("serving.budget.vllm_peak", gib=data["activation_peak_GiB"][key], kind=key)
        return (
            profile.gpu_memory_utilization,
            activation,
            int(non_torch * GIB),
            [Msg("serving.budget.vllm", why=why, non_torch=non_torch)],
        )
    if engine == "sglang":
        fraction, how = sglang_mem_fraction_static(usable / GIB, tp)
        return fraction, 0, 0, [Msg("serving.budget.sglang", how=how)]
    if engine == "llama.cpp":
        tokens = min(prompt_tokens, profile.n_ubatch)
        activation = prefill_activation_bytes(spec, tokens, batch, "sdpa", engine="llama.cpp")["total_bytes"]
        return (
            1.0,
            activation,
            int(0.5 * GIB),
            [Msg("serving.budget.llama_cpp")],
        )
    peak = prefill_activation_bytes(spec, prompt_tokens, batch, attn_implementation)
    workspace = int(profile.raw.get("cublas_workspace_bytes", 0))
    return (
        1.0,
        peak["total_bytes"],
        workspace,
        [
            Msg(
                "serving.budget.transformers",
                attn=peak["attn_implementation"],
                phase=Msg(f"serving.budget.phase.{peak['peak_phase']}"),
                workspace=workspace / 2**20,
            )
        ],
    )


def _vllm_peak_key(spec: ModelSpec, table: dict[str, Any]) -> str:
    """The row of vLLM's activation-peak table this model reads (as ``vllm_activation_peak_bytes`` picks it)."""
    if spec.moe is not None:
        return "moe"
    if spec.model_type in table:
        return spec.model_type or "default"
    return "default"


def max_context(plan: KVPlan, kv_available_bytes: int, batch: int = 1, limit: int = 2**31) -> int:
    """Largest context whose KV for ``batch`` sequences fits (vLLM's estimate_max_model_len: a binary search)."""
    if kv_available_bytes <= 0 or plan.bytes_per_sequence(1) * batch > kv_available_bytes:
        return 0
    lo, hi = 1, limit
    if plan.bytes_per_sequence(hi) * batch <= kv_available_bytes:
        return hi  # no growing layer (e.g. SSM): bounded only by the model
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if plan.bytes_per_sequence(mid) * batch <= kv_available_bytes:
            lo = mid
        else:
            hi = mid - 1
    return lo


def max_batch(plan: KVPlan, kv_available_bytes: int, context: int) -> int:
    """Most sequences of ``context`` tokens whose KV fits."""
    per_sequence = plan.bytes_per_sequence(context)
    if kv_available_bytes <= 0:
        return 0
    return kv_available_bytes // per_sequence if per_sequence else 2**31


def vllm_capacity_message(plan: KVPlan, max_model_len: int, kv_available_bytes: int, lang: str = "en") -> str:
    """vLLM's start-up check, reproduced (its log line in English, a translation in ``lang``): needed vs
    available KV and the estimated maximum model length."""
    needed = plan.bytes_per_sequence(max_model_len)
    values = {"max_model_len": str(max_model_len), "needed": needed / GIB, "available": kv_available_bytes / GIB}
    if needed <= kv_available_bytes:
        return tr("serving.capacity.fits", lang, **values)
    estimate = max_context(plan, kv_available_bytes, 1, max_model_len)
    return tr("serving.capacity.short", lang, estimate=str(estimate), **values)


def fewest_gpus(
    spec: ModelSpec,
    gpu: GPU,
    weights: WeightsEstimate,
    engine: str,
    kv_dtype: str,
    context: int,
    batch: int,
    gpu_memory_utilization: float | None = None,
    sizes: tuple[int, ...] = TP_SIZES,
    attn_implementation: str = "auto",
) -> dict[str, Any] | None:
    """The smallest tensor-parallel size in ``sizes`` that splits the model's heads (``memory.parallel``) and
    whose per-GPU KV budget holds ``batch`` × ``context`` tokens: {n_gpus, usd_per_hour (None without a price),
    kv_available_bytes_per_gpu}, or None."""
    for n in (size for size in sizes if tensor_parallel_problem(spec, size) is None):
        plan_n = kv_plan(spec, engine, kv_dtype, n)
        budget_n = memory_budget(
            spec, gpu, weights, engine, n, gpu_memory_utilization, context, batch, attn_implementation
        )
        if budget_n.kv_available_bytes >= plan_n.bytes_per_sequence(context) * batch:
            price = gpu.usd_per_hour
            return {
                "n_gpus": n,
                "usd_per_hour": None if price is None else price * n,
                "kv_available_bytes_per_gpu": budget_n.kv_available_bytes,
            }
    return None
