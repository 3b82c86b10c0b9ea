"""Weight bytes by storage format: bits per weight of each format (dense dtypes, fp8, int8, GPTQ/AWQ,
bitsandbytes 4-bit, GGUF) applied per parameter component, or the exact sum read from checkpoint headers."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from tafagent.core.errors import ConfigError
from tafagent.core.evidence import Evidence, EvidenceNote
from tafagent.core.memory.dtypes import KV_ELEMENT_BYTES, model_dtype, normalise_dtype
from tafagent.core.spec.model_spec import ModelSpec, StoredWeights
from tafagent.core.spec.weights_summary import stored_weights_problem, unusable_headers_warning


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
    if key in ("gptq", "awq", "int4", "gptq-int4", "awq-int4", "gptq-int8"):
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
        f"unknown weights format '{name}'"[:80] + " (parameter 'weights_dtype')",
        f"use one of {', '.join(KNOWN_WEIGHT_FORMATS)}, or 'stored' (a GPTQ config's own bit width is read from "
        "its quantization_config)",
        field="weights_dtype",
    )


# The names weight_format accepts (aliases such as 'bfloat16', 'fp4' or 'gguf:q4_k' aside), for error hints.
KNOWN_WEIGHT_FORMATS: tuple[str, ...] = (
    "bf16",
    "fp16",
    "fp32",
    "fp8",
    "int8",
    "nf4",
    "nf4-dq",
    "gptq",
    "gptq-int4",
    "gptq-int8",
    "awq",
    "int4",
    *(f"gguf-{t}" for t in GGUF_TYPE_BITS if t not in ("f32", "f16", "bf16")),
    *(f"gguf-{t}" for t in GGUF_MIX_BITS if t not in GGUF_TYPE_BITS),
)


# Components stored at the format's "linear" precision; the rest stays at `other_bits`.
QUANTISED_COMPONENTS = ("attention", "mlp", "moe_experts", "moe_shared_experts", "ssm", "projection")


@dataclass(frozen=True)
class WeightsEstimate:
    """Weight bytes of one model in one format, by parameter component (``breakdown_bytes``)."""

    format: str
    n_bytes: int
    bits_per_weight: float
    breakdown_bytes: dict[str, int]
    formula: str
    evidence: EvidenceNote
    expert_bytes: int = 0  # routed experts (read only partly per decode step)
    warnings: tuple[str, ...] = ()  # e.g. checkpoint headers that could not be the weight size

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
    """'stored' when headers were read; else :func:`config_weights_format`."""
    if spec.stored_weights is not None:
        return "stored"
    return config_weights_format(spec)


# Serving engines whose `--dtype auto` loads an fp32 checkpoint in fp16 (vLLM ModelConfig dtype resolution:
# "auto" = FP16 for FP32 and FP16 models, BF16 for BF16 models; SGLang's ServerArgs follows vLLM's rule).
HALF_PRECISION_AUTO_ENGINES = ("vllm", "sglang")


def engine_weights_format(spec: ModelSpec, engine: str, fmt: str = "auto") -> str:
    """The weights format an engine serves ``fmt`` in: "auto" fp32 checkpoints load as fp16 under vLLM/SGLang."""
    if fmt == "auto" and engine in HALF_PRECISION_AUTO_ENGINES and default_weights_format(spec) == "fp32":
        return "fp16"
    return fmt


def config_weights_format(spec: ModelSpec) -> str:
    """The format the config states: its quantization_config's (GPTQ, AWQ, bitsandbytes, fp8), else its dtype."""
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
    """Weight bytes of ``spec`` stored as ``fmt`` ('auto', 'stored', or a format name).

    'stored' (the default when headers were read) sums the header tensor sizes, unless the headers cannot be
    the weight size (no tensors, far fewer parameters than the config: ``stored_weights_problem``); then the
    bytes follow from the config's parameter count in the config's format, labelled derived, with a warning.
    """
    name = default_weights_format(spec) if fmt == "auto" else fmt
    if name != "stored":
        return _format_estimate(spec, name)
    stored = spec.stored_weights
    if stored is None:
        raise ConfigError(
            "no checkpoint headers were read for this model (parameter 'weights_dtype')",
            "use a format name such as bf16, or load the model from the Hub",
            field="weights_dtype",
        )
    problem = stored_weights_problem(spec.n_params, stored)
    if problem is None:
        return _stored_estimate(spec, stored)
    estimate = _format_estimate(spec, config_weights_format(spec))
    return replace(
        estimate,
        formula=f"{estimate.formula}, applied to the config's {spec.n_params:,} parameters",
        evidence=EvidenceNote(Evidence.DERIVED, f"config parameter count × format; {problem}"),
        warnings=(unusable_headers_warning(problem),),
    )


def _stored_estimate(spec: ModelSpec, stored: StoredWeights) -> WeightsEstimate:
    """The exact bytes the headers list; routed experts take the config's share of them."""
    breakdown = spec.n_params_breakdown or {"total": spec.n_params}
    bpw = stored.bits_per_weight or 8.0 * stored.n_bytes / max(spec.n_params, 1)
    share = breakdown.get("moe_experts", 0) / spec.n_params if spec.n_params else 0.0
    return WeightsEstimate(
        "stored",
        stored.n_bytes,
        bpw,
        dict(stored.bytes_by_dtype),
        f"sum of tensor sizes in the {stored.format} headers",
        EvidenceNote(Evidence.EXACT, stored.source),
        int(stored.n_bytes * share),
    )


def _format_estimate(spec: ModelSpec, name: str) -> WeightsEstimate:
    """Each parameter component at the format's bits (linear layers quantised, the rest at ``other_bits``)."""
    breakdown = spec.n_params_breakdown or {"total": spec.n_params}
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
