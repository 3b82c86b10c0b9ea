"""Exact serving memory: weights by storage format, KV cache per layer type and engine, SSM state,
prefill activations, capacity (inverse) questions and an honest throughput range.

The reference's X-5 used weights = N·bytes, KV = 2·L·n_kv·d_h·seq·B for every layer and tokens/s =
bandwidth / model size (spec §3.4). Here:

* weights follow the storage format (bf16, fp8, int8, GPTQ/AWQ with group scales and zeros,
  bitsandbytes NF4, GGUF bits per weight), exact from checkpoint headers when an adapter read them;
* the KV cache is summed per layer kind: full attention keeps every token, sliding-window layers are
  capped at the window (with each engine's extra tokens), MLA layers keep a latent, Mamba layers keep
  a fixed state per sequence; each engine's paging (vLLM blocks, llama.cpp padding) is applied;
* throughput is a physical ceiling (bytes read per decode step, FLOPs per prefill) times an efficiency
  range fitted on published measurements (``data/throughput_calibration.json``).

Units: bytes are integers; "GB" = 10⁹ bytes, "GiB" = 2³⁰ bytes, named as such everywhere.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from tafagent.core.catalogs import GPU
from tafagent.core.errors import ConfigError
from tafagent.core.evidence import Evidence, EvidenceNote
from tafagent.core.spec.model_spec import ModelSpec
from tafagent.core.spec.resolve import MAX_POSITIONS

GIB = 2**30
# HBM/GDDR capacities are binary (an "80 GB" H100 has 80 GiB); CUDA exposes ~99 % of it
# (vLLM reports 79.18 GiB total on an H100 80GB): 79.18 / 80 = 0.98975.
USABLE_FRACTION_OF_NOMINAL = 79.18 / 80.0

ENGINES = ("transformers", "vllm", "llama.cpp")

# ---------------------------------------------------------------------------------------------- dtypes
KV_ELEMENT_BYTES: dict[str, float] = {
    "fp32": 4.0,
    "bf16": 2.0,
    "fp16": 2.0,
    "fp8": 1.0,
    "int8": 1.0,
    "q8_0": 34 / 32,  # llama.cpp: 32 int8 values + one fp16 scale per block
    "q4_0": 18 / 32,  # llama.cpp: 32 4-bit values + one fp16 scale per block
}
_DTYPE_ALIASES = {
    "float32": "fp32",
    "float": "fp32",
    "f32": "fp32",
    "bfloat16": "bf16",
    "float16": "fp16",
    "half": "fp16",
    "f16": "fp16",
    "fp8_e4m3": "fp8",
    "fp8_e5m2": "fp8",
    "float8": "fp8",
    "q8": "q8_0",
    "q4": "q4_0",
}


def kv_dtype_for_bytes(bytes_per_element: float) -> str | None:
    """The KV dtype whose element is exactly ``bytes_per_element`` bytes (fp32, bf16, fp8), or None for a width
    no single dtype has (0.5, 1.5: the caller then counts bytes with the plain formula)."""
    return {4.0: "fp32", 2.0: "bf16", 1.0: "fp8"}.get(float(bytes_per_element))


def normalise_dtype(name: str) -> str:
    key = name.strip().lower().replace("torch.", "")
    return _DTYPE_ALIASES.get(key, key)


def model_dtype(spec: ModelSpec) -> str:
    """The checkpoint's compute dtype (bf16 when the config does not say)."""
    if spec.torch_dtype:
        dtype = normalise_dtype(spec.torch_dtype)
        if dtype in ("fp32", "bf16", "fp16"):
            return dtype
    return "bf16"


# ---------------------------------------------------------------------------------------------- weights
@dataclass(frozen=True)
class WeightFormat:
    """How a storage format spends bits: on quantised linear weights and on everything else."""

    name: str
    linear_bits: float  # bits per weight of quantised linear layers, scales/zeros included
    other_bits: float  # embeddings, lm_head, norms, routers
    formula: str
    evidence: EvidenceNote


def _group_overhead_bits(bits: float, group_size: int) -> float:
    """GPTQ/AWQ: an fp16 scale and a packed `bits`-bit zero point per group of `group_size` weights."""
    return bits + 16.0 / group_size + bits / group_size


_EXACT = EvidenceNote(Evidence.EXACT, "bytes per element of the storage dtype")
_GGUF_TYPICAL = EvidenceNote(
    Evidence.FITTED,
    "typical bits per weight of llama.cpp's mixed K-quants on real models (Llama-3.1-70B Q4_K_M: 42.52 GB for "
    "70.55B parameters = 4.82 bpw, runpod/docs#839); exact values come from the GGUF header",
    n=1,
)

# GGUF block layouts (ggml): bytes per block / values per block.
GGUF_TYPE_BITS: dict[str, float] = {
    "f32": 32.0,
    "f16": 16.0,
    "bf16": 16.0,
    "q8_0": 34 * 8 / 32,
    "q4_0": 18 * 8 / 32,
    "q4_1": 20 * 8 / 32,
    "q5_0": 22 * 8 / 32,
    "q5_1": 24 * 8 / 32,
    "q2_k": 84 * 8 / 256,
    "q3_k": 110 * 8 / 256,
    "q4_k": 144 * 8 / 256,
    "q5_k": 176 * 8 / 256,
    "q6_k": 210 * 8 / 256,
}
# Mixed K-quant presets: typical effective bpw over a whole Llama-style model (token_embd and output
# included), which llama.cpp's quantize tool reaches by mixing block types per tensor.
GGUF_MIX_BITS: dict[str, float] = {
    "q4_k_m": 4.82,
    "q4_k_s": 4.58,
    "q5_k_m": 5.69,
    "q5_k_s": 5.54,
    "q3_k_m": 3.91,
    "q2_k": 3.35,
    "q6_k": 6.5625,
}


def weight_format(name: str, group_size: int = 128, bits: float | None = None) -> WeightFormat:
    """The named storage format. Raises ConfigError (naming ``weights_dtype``) for unknown names."""
    key = normalise_dtype(name)
    if key in ("fp32", "bf16", "fp16"):
        b = KV_ELEMENT_BYTES[key] * 8
        return WeightFormat(key, b, b, f"{b:g} bits per parameter", _EXACT)
    if key == "fp8":
        return WeightFormat(
            "fp8",
            8.0,
            16.0,
            "8-bit linear weights (per-tensor scales negligible); embeddings, lm_head and norms in bf16",
            _EXACT,
        )
    if key == "int8":
        return WeightFormat(
            "int8",
            8.0,
            16.0,
            "LLM.int8: 8-bit linear weights (row scales negligible); the rest bf16",
            EvidenceNote(Evidence.DERIVED, "bitsandbytes LLM.int8 layout"),
        )
    if key in ("nf4", "fp4", "bnb4"):
        return WeightFormat(
            "nf4",
            4.0 + 32 / 64,
            16.0,
            "bitsandbytes 4-bit: 4 bits + one fp32 absmax per 64 weights",
            EvidenceNote(Evidence.DERIVED, "bitsandbytes blockwise 4-bit, block 64"),
        )
    if key in ("nf4-dq", "nf4_dq"):
        return WeightFormat(
            "nf4-dq",
            4.0 + 8 / 64 + 32 / (64 * 256),
            16.0,
            "bitsandbytes 4-bit with double quantisation: 8-bit absmax per 64, fp32 per 256 blocks",
            EvidenceNote(Evidence.DERIVED, "bitsandbytes double quantisation"),
        )
    if key in ("gptq", "awq", "int4", "gptq-int4", "awq-int4", "gptq-int8", "int3", "int2"):
        b = bits if bits is not None else (8.0 if key.endswith("int8") else 4.0)
        total = _group_overhead_bits(b, group_size)
        label = "awq" if key.startswith("awq") else "gptq"
        return WeightFormat(
            f"{label}-int{b:g}-g{group_size}",
            total,
            16.0,
            f"{b:g}-bit weights + fp16 scale + {b:g}-bit zero per group of {group_size} = {total:.4f} bpw",
            EvidenceNote(Evidence.DERIVED, "GPTQ/AWQ packed layout (g_idx ignored: < 0.01 bpw)"),
        )
    gguf = key.removeprefix("gguf-").removeprefix("gguf:")
    if gguf in GGUF_TYPE_BITS and gguf not in ("f32", "f16", "bf16"):
        b = GGUF_TYPE_BITS[gguf]
        return WeightFormat(f"gguf-{gguf}", b, b, f"GGUF {gguf.upper()}: {b:g} bits per weight (block layout)", _EXACT)
    if gguf in GGUF_MIX_BITS:
        b = GGUF_MIX_BITS[gguf]
        return WeightFormat(
            f"gguf-{gguf}", b, b, f"GGUF {gguf.upper()}: ≈ {b:g} bits per weight (mixed block types)", _GGUF_TYPICAL
        )
    raise ConfigError(
        f"unknown weights format '{name}' (parameter 'weights_dtype')",
        "use bf16, fp16, fp32, fp8, int8, nf4, nf4-dq, gptq, awq, gguf-q8_0, gguf-q6_k, gguf-q5_k_m, gguf-q4_k_m, "
        "gguf-q4_0, or 'stored'",
        field="weights_dtype",
    )


# Components stored at the format's "linear" precision; the rest stays at `other_bits`.
QUANTISED_COMPONENTS = ("attention", "mlp", "moe_experts", "moe_shared_experts", "ssm", "projection")


@dataclass(frozen=True)
class WeightsEstimate:
    format: str
    n_bytes: int
    bits_per_weight: float
    breakdown_bytes: dict[str, int]
    formula: str
    evidence: EvidenceNote
    expert_bytes: int = 0  # routed experts (read only partly per decode step)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "bytes": self.n_bytes,
            "bits_per_weight": self.bits_per_weight,
            "breakdown_bytes": dict(self.breakdown_bytes),
            "formula": self.formula,
            "evidence": self.evidence.to_dict(),
            "expert_bytes": self.expert_bytes,
        }


def default_weights_format(spec: ModelSpec) -> str:
    """'stored' when headers were read; else the quantisation_config's format; else the config dtype."""
    if spec.stored_weights is not None:
        return "stored"
    q = spec.quantization
    if q is not None:
        method = q.method.lower()
        if method in ("gptq", "awq"):
            return method
        if method == "bitsandbytes":
            raw = q.raw
            if q.bits == 4:
                return "nf4-dq" if raw.get("bnb_4bit_use_double_quant") else "nf4"
            return "int8"
        if "fp8" in method or q.bits == 8:
            return "fp8"
    return model_dtype(spec)


def weights_bytes(spec: ModelSpec, fmt: str = "auto") -> WeightsEstimate:
    """Weight bytes of ``spec`` stored as ``fmt`` ('auto', 'stored', or a format name)."""
    name = default_weights_format(spec) if fmt == "auto" else fmt
    breakdown = spec.n_params_breakdown or {"total": spec.n_params}
    expert_params = breakdown.get("moe_experts", 0)
    if name == "stored":
        stored = spec.stored_weights
        if stored is None:
            raise ConfigError(
                "no checkpoint headers were read for this model (parameter 'weights_dtype')",
                "use a format name such as bf16, or load the model from the Hub",
                field="weights_dtype",
            )
        bpw = stored.bits_per_weight or 8.0 * stored.n_bytes / max(spec.n_params, 1)
        share = expert_params / spec.n_params if spec.n_params else 0.0
        return WeightsEstimate(
            "stored",
            stored.n_bytes,
            bpw,
            dict(stored.bytes_by_dtype),
            f"sum of tensor sizes in the {stored.format} headers",
            EvidenceNote(Evidence.EXACT, stored.source),
            int(stored.n_bytes * share),
        )
    q = spec.quantization
    group = q.group_size if q is not None and q.group_size else 128
    bits = q.bits if q is not None and q.bits and name in ("gptq", "awq") else None
    fmt_spec = weight_format(name, group, bits)
    parts: dict[str, int] = {}
    for component, n in breakdown.items():
        b = fmt_spec.linear_bits if component in QUANTISED_COMPONENTS else fmt_spec.other_bits
        parts[component] = math.ceil(n * b / 8)
    total = sum(parts.values())
    bpw = 8.0 * total / spec.n_params if spec.n_params else 0.0
    return WeightsEstimate(
        fmt_spec.name, total, bpw, parts, fmt_spec.formula, fmt_spec.evidence, parts.get("moe_experts", 0)
    )


# ---------------------------------------------------------------------------------------------- KV cache
@dataclass(frozen=True)
class LayerGroup:
    """Identical layers: what one of them caches."""

    kind: str  # full_attention | sliding_attention | mla | mamba
    n_layers: int
    bytes_per_token: float  # per layer (0 for mamba)
    window: int | None = None  # sliding layers
    state_bytes: int = 0  # per layer per sequence (mamba)
    formula: str = ""


@dataclass(frozen=True)
class RuntimeProfile:
    name: str
    version: str
    block_size: int | None = None
    gpu_memory_utilization: float = 1.0
    max_num_batched_tokens: int = 8192
    context_pad: int | None = None
    n_ubatch: int = 512
    source: str = ""
    kv_rules: str = ""
    raw: dict[str, Any] = field(default_factory=dict)


@cache
def _runtime_data() -> dict[str, Any]:
    text = resources.files("tafagent.core").joinpath("data/runtimes.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def runtime_profile(engine: str) -> RuntimeProfile:
    key = engine.strip().lower().replace("hf", "transformers").replace("llamacpp", "llama.cpp")
    runtimes = _runtime_data()["runtimes"]
    if key not in runtimes:
        raise ConfigError(
            f"unknown engine '{engine}' (parameter 'engine')", "use transformers, vllm or llama.cpp", field="engine"
        )
    row = runtimes[key]
    return RuntimeProfile(
        name=key,
        version=row["version"],
        block_size=row.get("block_size"),
        gpu_memory_utilization=row.get("gpu_memory_utilization", 1.0),
        max_num_batched_tokens=row.get("max_num_batched_tokens", 8192),
        context_pad=row.get("context_pad"),
        n_ubatch=row.get("n_ubatch", 512),
        source=row.get("source", ""),
        kv_rules=row.get("kv_rules", ""),
        raw=row,
    )


@dataclass(frozen=True)
class KVPlan:
    """Per-layer-group KV layout of a model under one engine and KV dtype."""

    engine: RuntimeProfile
    kv_dtype: str
    element_bytes: float
    groups: tuple[LayerGroup, ...]
    tp: int = 1

    def tokens_cached(self, group: LayerGroup, context: int) -> int:
        """Tokens one layer of ``group`` holds for a sequence of ``context`` tokens, engine rules applied."""
        if group.kind == "mamba":
            return 0
        name, bs = self.engine.name, self.engine.block_size
        if name == "vllm" and bs:
            if group.kind == "sliding_attention" and group.window is not None:
                held = min(group.window - 1 + self.engine.max_num_batched_tokens, context)
                return (math.ceil(held / bs) + 1) * bs
            return math.ceil(context / bs) * bs
        if name == "llama.cpp":
            pad = self.engine.context_pad or 1
            padded = math.ceil(context / pad) * pad
            if group.kind == "sliding_attention" and group.window is not None:
                return min(padded, group.window + self.engine.n_ubatch)
            return padded
        if group.kind == "sliding_attention" and group.window is not None:
            return min(context, group.window - 1)  # transformers' DynamicSlidingWindowLayer
        return context

    def bytes_per_sequence(self, context: int) -> int:
        total = 0.0
        for group in self.groups:
            total += group.n_layers * (group.bytes_per_token * self.tokens_cached(group, context) + group.state_bytes)
        return math.ceil(total)

    def bytes_per_token(self) -> float:
        """Growth per extra token at long context (layers whose cache grows without bound)."""
        return sum(g.n_layers * g.bytes_per_token for g in self.groups if g.kind in ("full_attention", "mla"))

    def breakdown(self, context: int) -> list[dict[str, Any]]:
        return [
            {
                "kind": g.kind,
                "n_layers": g.n_layers,
                "bytes_per_token_per_layer": g.bytes_per_token,
                "tokens_cached_per_layer": self.tokens_cached(g, context),
                "state_bytes_per_layer": g.state_bytes,
                "bytes": math.ceil(g.n_layers * (g.bytes_per_token * self.tokens_cached(g, context) + g.state_bytes)),
                "formula": g.formula,
            }
            for g in self.groups
        ]

    def to_dict(self, context: int | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "engine": self.engine.name,
            "engine_version": self.engine.version,
            "kv_dtype": self.kv_dtype,
            "element_bytes": self.element_bytes,
            "tp": self.tp,
            "bytes_per_token": self.bytes_per_token(),
        }
        if context is not None:
            out["layers"] = self.breakdown(context)
        return out


def kv_plan(spec: ModelSpec, engine: str = "transformers", kv_dtype: str = "auto", tp: int = 1) -> KVPlan:
    """The KV layout of ``spec``: one group per layer kind, with per-token and per-sequence state bytes.

    Full attention: 2 (K, V) · n_kv · d_head · element bytes per token per layer (explicit head_dim
    honoured). MLA: (kv_lora_rank + qk_rope_head_dim) · element bytes (the latent and the rotary key).
    Mamba: (conv_dim · d_conv + SSM state) · element bytes per sequence. With tensor parallelism the KV
    heads are split across GPUs (replicated when tp > n_kv, as vLLM does).
    """
    profile = runtime_profile(engine)
    dtype = model_dtype(spec) if kv_dtype in ("auto", "") else normalise_dtype(kv_dtype)
    if dtype not in KV_ELEMENT_BYTES:
        raise ConfigError(
            f"unknown KV dtype '{kv_dtype}' (parameter 'kv_dtype')",
            "use auto, bf16, fp16, fp32, fp8, int8, q8_0 or q4_0",
            field="kv_dtype",
        )
    if dtype in ("q8_0", "q4_0") and profile.name != "llama.cpp":
        raise ConfigError(
            f"KV dtype '{dtype}' is a llama.cpp cache type (parameter 'kv_dtype')",
            "use --engine llama.cpp, or fp8 for vLLM",
            field="kv_dtype",
        )
    element = KV_ELEMENT_BYTES[dtype]
    # vLLM int8_per_token_head stores one fp32 scale per token, head and K/V.
    element_note = " + fp32 scale per token-head" if dtype == "int8" and profile.name == "vllm" else ""
    kv_heads_per_gpu = max(1, math.ceil(spec.n_kv_heads / tp)) if spec.n_kv_heads else 0

    counts: dict[str, int] = {}
    for kind in spec.layer_kinds():
        counts[kind] = counts.get(kind, 0) + 1
    groups: list[LayerGroup] = []
    for kind, n in counts.items():
        if kind in ("mamba", "linear_attention"):
            # transformers keeps the recurrent SSM state in fp32 (its scan runs in fp32); vLLM's default
            # mamba_ssm_cache_dtype "auto" follows the model dtype.
            ssm_element = 4.0 if profile.name == "transformers" else element
            groups.append(_mamba_group(spec, n, element, ssm_element))
        elif spec.mla is not None:
            latent = spec.mla.kv_lora_rank + spec.mla.qk_rope_head_dim
            groups.append(
                LayerGroup(
                    "mla",
                    n,
                    latent * element,
                    formula=f"(kv_lora_rank {spec.mla.kv_lora_rank} + rope {spec.mla.qk_rope_head_dim})"
                    f" × {element:g} B{element_note}",
                )
            )
        else:
            per_token = 2 * kv_heads_per_gpu * spec.d_head * element
            if dtype == "int8" and profile.name == "vllm":
                per_token += 2 * kv_heads_per_gpu * 4
            window = spec.sliding_window if kind == "sliding_attention" else None
            label = "sliding_attention" if window is not None else "full_attention"
            groups.append(
                LayerGroup(
                    label,
                    n,
                    per_token,
                    window,
                    formula=f"2 × {kv_heads_per_gpu} KV heads × {spec.d_head} × {element:g} B"
                    f"{element_note}" + (f", capped at the {window}-token window" if window else ""),
                )
            )
    return KVPlan(profile, dtype, element, tuple(groups), tp)


def _mamba_group(spec: ModelSpec, n: int, element: float, ssm_element: float) -> LayerGroup:
    ssm = spec.ssm
    if ssm is None:
        return LayerGroup("mamba", n, 0.0, formula="state size unknown")
    if ssm.kind == "mamba2" and ssm.n_ssm_heads:
        conv_dim = ssm.d_inner + 2 * (ssm.n_groups or 1) * ssm.d_state
        # heads × head_dim × d_state = d_inner × d_state
        state = conv_dim * ssm.d_conv * element + ssm.d_inner * ssm.d_state * ssm_element
        formula = (
            f"conv ({conv_dim} × {ssm.d_conv} × {element:g} B) + SSM ({ssm.d_inner} × {ssm.d_state} × "
            f"{ssm_element:g} B) per sequence"
        )
    else:
        state = ssm.d_inner * ssm.d_conv * element + ssm.d_inner * ssm.d_state * ssm_element
        formula = (
            f"conv ({ssm.d_inner} × {ssm.d_conv} × {element:g} B) + SSM ({ssm.d_inner} × {ssm.d_state} × "
            f"{ssm_element:g} B) per sequence"
        )
    return LayerGroup("mamba", n, 0.0, state_bytes=math.ceil(state), formula=formula)


# ---------------------------------------------------------------------------------------------- activations
def prefill_activation_bytes(
    spec: ModelSpec,
    prompt_tokens: int,
    batch: int = 1,
    attn_implementation: str = "sdpa",
    dtype: str = "auto",
    logits: str = "last",
) -> dict[str, Any]:
    """Peak transient memory of one prefill, by component (one layer is live at a time).

    * eager attention materialises the scores of every head: batch · heads · T² in the model dtype plus
      the fp32 softmax (transformers' eager path) — this is what makes long prompts fail with eager;
    * SDPA with the flash / memory-efficient kernels (CUDA) never holds the T × T matrix; the math
      fallback (CPU, or unsupported shapes) does, like eager;
    * the MLP intermediate (gate and up projections) and the logits (last token for generation, or all).
    Allocator fragmentation and workspace are not modelled.
    """
    b = KV_ELEMENT_BYTES[model_dtype(spec) if dtype == "auto" else normalise_dtype(dtype)]
    T = prompt_tokens
    impl = attn_implementation.lower()
    if impl not in ("eager", "sdpa", "flash", "flash_attention_2", "math"):
        raise ConfigError(
            f"unknown attention implementation '{attn_implementation}'",
            "use eager or sdpa",
            field="attn_implementation",
        )
    materialises = impl in ("eager", "math")
    # eager builds the full T×T score matrix (then masks it, sliding windows included)
    scores = batch * spec.n_heads * T * T * (b + 4) if materialises and spec.n_heads else 0
    width = spec.moe.d_ff_expert * spec.moe.experts_per_token if spec.moe else spec.d_ff
    mlp = batch * T * max(width, spec.d_model) * 2 * b
    hidden = batch * T * spec.d_model * b * 4  # residual, normed input, attention output, next residual
    logit_tokens = 1 if logits == "last" else T
    logit_bytes = batch * logit_tokens * spec.vocab_size * (b + 4)
    scores, mlp, hidden, logit_bytes = (math.ceil(x) for x in (scores, mlp, hidden, logit_bytes))
    total = scores + mlp + hidden + logit_bytes
    return {
        "attn_implementation": impl,
        "attention_scores_bytes": scores,
        "mlp_intermediate_bytes": mlp,
        "hidden_states_bytes": hidden,
        "logits_bytes": logit_bytes,
        "total_bytes": total,
        "note": "eager/math attention holds batch·heads·T² scores (model dtype + fp32 softmax); flash/memory-"
        "efficient SDPA does not",
    }


def vllm_activation_peak_bytes(spec: ModelSpec) -> tuple[int, str]:
    """vLLM's profiled activation peak: an empirical constant per architecture (llm-d measurements)."""
    table = _runtime_data()["runtimes"]["vllm"]["activation_peak_GiB"]
    if spec.moe is not None:
        key = "moe"
    elif spec.model_type in table:
        key = spec.model_type or "default"
    else:
        key = "default"
    return int(table[key] * GIB), f"{table[key]} GiB measured for {key} models (llm-d, H100, max_model_len 16000)"


# ---------------------------------------------------------------------------------------------- budget
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

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__ if k != "notes"} | {"notes": list(self.notes)}


def memory_budget(
    spec: ModelSpec,
    gpu: GPU,
    weights: WeightsEstimate,
    engine: str = "vllm",
    tp: int = 1,
    gpu_memory_utilization: float | None = None,
    prompt_tokens: int = 2048,
    batch: int = 1,
) -> MemoryBudget:
    """KV memory available per GPU: usable × utilisation − weights/tp − activation peak − overhead."""
    profile = runtime_profile(engine)
    usable = usable_gpu_bytes(gpu)
    util = profile.gpu_memory_utilization if gpu_memory_utilization is None else gpu_memory_utilization
    budget = int(usable * util)
    weights_per_gpu = math.ceil(weights.n_bytes / tp)
    notes = []
    if profile.name == "vllm":
        activation, why = vllm_activation_peak_bytes(spec)
        non_torch = _runtime_data()["runtimes"]["vllm"]["non_torch_GiB"]["tp1" if tp == 1 else "tp2plus"]
        overhead = int(non_torch * GIB)
        notes.append(f"activation peak: {why}; non-torch memory {non_torch} GiB")
    elif profile.name == "llama.cpp":
        activation = prefill_activation_bytes(spec, min(prompt_tokens, profile.n_ubatch), batch, "sdpa")["total_bytes"]
        overhead = int(0.5 * GIB)
        notes.append("compute buffers ≈ one micro-batch of activations; 0.5 GiB assumed for the rest (exploratory)")
    else:
        activation = prefill_activation_bytes(spec, prompt_tokens, batch, "sdpa")["total_bytes"]
        overhead = 0
        notes.append(
            "transformers: prefill peak with SDPA; CUDA context (~0.3-0.5 GiB, outside the allocator) not counted"
        )
    available = budget - weights_per_gpu - activation - overhead
    return MemoryBudget(
        gpu.name, profile.name, usable, budget, weights_per_gpu, activation, overhead, available, tuple(notes)
    )


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


def vllm_capacity_message(plan: KVPlan, max_model_len: int, kv_available_bytes: int) -> str:
    """vLLM's start-up check, reproduced: needed vs available KV and the estimated maximum model length."""
    needed = plan.bytes_per_sequence(max_model_len)
    if needed <= kv_available_bytes:
        return (
            f"max seq len ({max_model_len}) needs {needed / GIB:.2f} GiB of KV cache; {kv_available_bytes / GIB:.2f} "
            "GiB available: fits"
        )
    estimate = max_context(plan, kv_available_bytes, 1, max_model_len)
    return (
        f"To serve at least one request with the model's max seq len ({max_model_len}), "
        f"{needed / GIB:.2f} GiB KV cache is needed, which is larger than the available KV cache memory "
        f"({kv_available_bytes / GIB:.2f} GiB). Based on the available memory, the estimated maximum model "
        f"length is {estimate}."
    )


# ---------------------------------------------------------------------------------------------- throughput
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
    weight_bytes = weights.n_bytes
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


# ---------------------------------------------------------------------------------------------- report
TP_SIZES = (1, 2, 4, 8, 16, 32, 64)


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
        return out


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
) -> dict[str, Any] | None:
    """The smallest tensor-parallel size in ``sizes`` whose per-GPU KV budget holds ``batch`` × ``context``
    tokens: {n_gpus, usd_per_hour (None without a price), kv_available_bytes_per_gpu}, or None."""
    for n in sizes:
        plan_n = kv_plan(spec, engine, kv_dtype, n)
        budget_n = memory_budget(spec, gpu, weights, engine, n, gpu_memory_utilization, context, batch)
        if budget_n.kv_available_bytes >= plan_n.bytes_per_sequence(context) * batch:
            price = gpu.usd_per_hour
            return {
                "n_gpus": n,
                "usd_per_hour": None if price is None else price * n,
                "kv_available_bytes_per_gpu": budget_n.kv_available_bytes,
            }
    return None


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
    the longest context and largest batch that fit, the fewest GPUs (tensor parallel) and a throughput range."""
    for name, value in (("context", context), ("batch", batch), ("tp", tp)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(
                f"parameter '{name}' must be a positive integer, got {value!r}", "fix the value", field=name
            )
    if context > MAX_POSITIONS:  # the same bound every recipe's T_eval has
        raise ConfigError(f"context {context:.3g} tokens is beyond any model", f"use at most {MAX_POSITIONS:,}")
    if gpu_memory_utilization is not None and not 0 < gpu_memory_utilization <= 1:
        raise ConfigError(
            f"gpu_memory_utilization must be in (0, 1], got {gpu_memory_utilization}",
            "e.g. 0.9",
            field="gpu_memory_utilization",
        )
    weights = weights_bytes(spec, weights_dtype)
    plan = kv_plan(spec, engine, kv_dtype, tp)
    kv = plan.bytes_per_sequence(context) * batch
    activation = prefill_activation_bytes(spec, context, batch, attn_implementation)
    if gpu is None:
        return MemoryReport(spec.model_id, context, batch, weights, plan, kv, activation)
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
    )
