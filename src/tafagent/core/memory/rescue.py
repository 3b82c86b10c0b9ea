"""The rescue ladder: when a load does not fit, the changes that would make it fit, in the order a user
should try them (cheapest in quality first): a smaller KV cache type, quantised weights, more GPUs (tensor
parallel), then offloading layers to the CPU. Each rung is evaluated alone from the user's settings, with
its new per-GPU total, whether it now fits, and what it costs as published (``data/rescue_costs.json``)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from tafagent.core.catalogs import GPU
from tafagent.core.memory.kv import kv_plan
from tafagent.core.memory.serving import fewest_gpus, memory_budget
from tafagent.core.memory.weights import WeightsEstimate, weights_bytes
from tafagent.core.messages import Msg, catalog
from tafagent.core.spec.model_spec import ModelSpec

# The KV cache types and weight formats each engine can be asked for, smaller first in each group.
KV_RUNGS = {"vllm": ("fp8",), "sglang": ("fp8",), "llama.cpp": ("q8_0", "q4_0"), "transformers": ()}
WEIGHT_RUNGS = {
    "vllm": ("fp8", "awq"),
    "sglang": ("fp8", "awq"),
    "transformers": ("int8", "nf4"),
    "llama.cpp": ("gguf-q8_0", "gguf-q4_k_m"),
}


@cache
def rescue_costs() -> dict[str, Any]:
    """The parsed ``data/rescue_costs.json``: published quality and speed costs of each rung."""
    text = resources.files("tafagent.core").joinpath("data/rescue_costs.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@dataclass(frozen=True)
class RescueRung:
    """One change to the user's settings, evaluated alone."""

    rung: str  # kv_dtype | weights | tensor_parallel | offload
    change: str  # what to do, with the option that does it
    settings: dict[str, Any]
    total_bytes_per_gpu: int
    kv_available_bytes: int
    fits: bool
    quality: str
    speed: str
    sources: tuple[str, ...]
    evidence: str
    change_msg: Msg | None = field(default=None, compare=False)  # ``change`` as a message, for other languages
    cost_key: str = ""  # the entry of rescue_costs.json ("weights.int8"): its sentences' message keys

    def to_dict(self) -> dict[str, Any]:
        out = {k: getattr(self, k) for k in self.__dataclass_fields__ if k not in ("change_msg", "cost_key")}
        out["sources"] = list(self.sources)
        return out

    def change_text(self, lang: str = "en") -> str:
        """What to do, in ``lang`` (the options it names stay as they are)."""
        return self.change_msg.text(lang) if self.change_msg is not None else self.change

    def quality_text(self, lang: str = "en") -> str:
        """The published quality cost, in ``lang`` (the English sentence of rescue_costs.json in English)."""
        return catalog(lang).get(f"serving.rescue.cost.{self.cost_key}.quality", self.quality)

    def speed_text(self, lang: str = "en") -> str:
        """The published speed cost, in ``lang`` (the English sentence of rescue_costs.json in English)."""
        return catalog(lang).get(f"serving.rescue.cost.{self.cost_key}.speed", self.speed)


@dataclass(frozen=True)
class _Load:
    """The user's request, fixed while each rung changes one thing."""

    spec: ModelSpec
    gpu: GPU
    context: int
    batch: int
    engine: str
    weights_dtype: str
    kv_dtype: str
    tp: int
    gpu_memory_utilization: float | None
    attn_implementation: str

    def evaluate(self, weights: WeightsEstimate, kv_dtype: str, tp: int) -> tuple[int, int, bool]:
        """(total bytes per GPU, KV bytes available per GPU, fits) with these weights, KV type and tp."""
        plan = kv_plan(self.spec, self.engine, kv_dtype, tp)
        budget = memory_budget(
            self.spec,
            self.gpu,
            weights,
            self.engine,
            tp,
            self.gpu_memory_utilization,
            self.context,
            self.batch,
            self.attn_implementation,
        )
        kv = plan.bytes_per_sequence(self.context) * self.batch
        total = budget.weights_bytes_per_gpu + kv + budget.activation_bytes + budget.overhead_bytes
        return total, budget.kv_available_bytes, budget.kv_available_bytes >= kv


def rescue_ladder(
    spec: ModelSpec,
    gpu: GPU,
    context: int,
    batch: int = 1,
    *,
    engine: str = "transformers",
    weights_dtype: str = "auto",
    kv_dtype: str = "auto",
    tp: int = 1,
    gpu_memory_utilization: float | None = None,
    attn_implementation: str = "auto",
) -> tuple[RescueRung, ...]:
    """Every rung that changes something for this load: KV cache types smaller than the current one, weight
    formats with fewer bits, the fewest tensor-parallel GPUs (``serving.fewest_gpus``), and CPU offload."""
    load = _Load(
        spec, gpu, context, batch, engine, weights_dtype, kv_dtype, tp, gpu_memory_utilization, attn_implementation
    )
    weights = weights_bytes(spec, weights_dtype)
    rungs = [*_kv_rungs(load, weights), *_weight_rungs(load, weights)]
    parallel = _tensor_parallel_rung(load, weights)
    if parallel is not None:
        rungs.append(parallel)
    offload = _offload_rung(load, weights)
    if offload is not None:
        rungs.append(offload)
    return tuple(rungs)


def _kv_rungs(load: _Load, weights: WeightsEstimate) -> list[RescueRung]:
    current = kv_plan(load.spec, load.engine, load.kv_dtype, load.tp).element_bytes
    costs = rescue_costs()["kv_dtype"]
    rungs = []
    for dtype in KV_RUNGS.get(load.engine, ()):
        if kv_plan(load.spec, load.engine, dtype, load.tp).element_bytes >= current:
            continue
        total, available, fits = load.evaluate(weights, dtype, load.tp)
        flag = "--cache-type-k/-v" if load.engine == "llama.cpp" else "--kv-cache-dtype"
        change = Msg("serving.rescue.change.kv", dtype=dtype, flag=flag)
        rungs.append(_rung("kv_dtype", change, {"kv_dtype": dtype}, total, available, fits, costs[dtype], dtype))
    return rungs


def _weight_rungs(load: _Load, weights: WeightsEstimate) -> list[RescueRung]:
    costs = rescue_costs()["weights"]
    rungs = []
    for fmt in WEIGHT_RUNGS.get(load.engine, ()):
        candidate = weights_bytes(load.spec, fmt)
        if candidate.n_bytes >= weights.n_bytes:
            continue
        total, available, fits = load.evaluate(candidate, load.kv_dtype, load.tp)
        change = Msg("serving.rescue.change.weights", fmt=fmt, bits=candidate.bits_per_weight)
        rungs.append(_rung("weights", change, {"weights_dtype": fmt}, total, available, fits, costs[fmt], fmt))
    return rungs


def _tensor_parallel_rung(load: _Load, weights: WeightsEstimate) -> RescueRung | None:
    sizes = tuple(n for n in (2, 4, 8, 16, 32, 64) if n > load.tp)
    found = fewest_gpus(
        load.spec,
        load.gpu,
        weights,
        load.engine,
        load.kv_dtype,
        load.context,
        load.batch,
        load.gpu_memory_utilization,
        sizes,
        load.attn_implementation,
    )
    if found is None:
        return None
    n = found["n_gpus"]
    total, available, fits = load.evaluate(weights, load.kv_dtype, n)
    usd = found["usd_per_hour"]
    price = Msg("serving.memory.price", usd=usd) if usd is not None else ""
    change = Msg("serving.rescue.change.tp", n=n, gpu=load.gpu.name, price=price)
    return _rung("tensor_parallel", change, {"tp": n}, total, available, fits, rescue_costs()["tensor_parallel"])


def _offload_rung(load: _Load, weights: WeightsEstimate) -> RescueRung | None:
    """Layers kept on the GPU when the rest go to CPU memory. llama.cpp (-ngl N) keeps a layer's KV with the
    layer; vLLM / SGLang (--cpu-offload-gb) and transformers (device_map offload) keep every KV on the GPU and
    stream the offloaded weights. Layers are counted as equal shares of the weights (derived)."""
    n_layers = load.spec.n_layers
    plan = kv_plan(load.spec, load.engine, load.kv_dtype, load.tp)
    budget = memory_budget(
        load.spec,
        load.gpu,
        weights,
        load.engine,
        load.tp,
        load.gpu_memory_utilization,
        load.context,
        load.batch,
        load.attn_implementation,
    )
    kv = plan.bytes_per_sequence(load.context) * load.batch
    free = budget.budget_bytes - budget.activation_bytes - budget.overhead_bytes
    layer_weights = budget.weights_bytes_per_gpu / n_layers
    if load.engine == "llama.cpp":
        on_gpu = min(n_layers, int(free // (layer_weights + kv / n_layers))) if free > 0 else 0
        gpu_kv = kv * on_gpu / n_layers
        change = Msg("serving.rescue.change.ngl", on_gpu=on_gpu, n_layers=n_layers, on_cpu=n_layers - on_gpu)
    else:
        on_gpu = min(n_layers, int((free - kv) // layer_weights)) if free > kv else 0
        gpu_kv = kv
        offload_gib = math.ceil((n_layers - on_gpu) * layer_weights / 2**30)
        flag: Msg | str = Msg("serving.rescue.flag.device_map") if load.engine == "transformers" else "--cpu-offload-gb"
        change = Msg("serving.rescue.change.offload", gib=offload_gib, flag=flag, on_gpu=on_gpu, n_layers=n_layers)
    if on_gpu < 1 or on_gpu >= n_layers:
        return None
    total = math.ceil(on_gpu * layer_weights + gpu_kv) + budget.activation_bytes + budget.overhead_bytes
    cpu_bytes = math.ceil((n_layers - on_gpu) * layer_weights + (kv - gpu_kv))
    settings = {"gpu_layers": on_gpu, "cpu_bytes": cpu_bytes}
    return _rung(
        "offload",
        change,
        settings,
        total,
        budget.budget_bytes - total + math.ceil(gpu_kv),
        True,
        rescue_costs()["offload"],
    )


def _rung(
    rung: str,
    change: Msg,
    settings: dict[str, Any],
    total: int,
    available: int,
    fits: bool,
    cost: dict[str, Any],
    entry: str = "",
) -> RescueRung:
    """The rung, its change in English (``change_msg`` for other languages) and its published cost."""
    return RescueRung(
        rung,
        change.text("en"),
        settings,
        total,
        available,
        fits,
        cost["quality"],
        cost["speed"],
        tuple(cost["sources"]),
        cost["evidence"],
        change,
        f"{rung}.{entry}" if entry else rung,
    )
