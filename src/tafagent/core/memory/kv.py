"""The KV cache layout of a model under one engine: one group per layer kind (full attention, sliding
window, MLA latent, Mamba state), each engine's paging rules, and bytes per token and per sequence."""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from tafagent.core.errors import ConfigError
from tafagent.core.memory.dtypes import KV_ELEMENT_BYTES, model_dtype, normalise_dtype
from tafagent.core.memory.parallel import check_tensor_parallel, kv_heads_per_gpu
from tafagent.core.memory.runtimes import RuntimeProfile, runtime_profile
from tafagent.core.spec.model_spec import ModelSpec


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
            if name == "sglang":
                return min(context, group.window)  # SGLang's hybrid SWA pool keeps the window (approximate)
            return min(context, group.window - 1)  # transformers' DynamicSlidingWindowLayer
        return context

    def _exact_group_bytes(self, group: LayerGroup, context: int) -> Fraction:
        """Bytes all layers of ``group`` hold for one sequence of ``context`` tokens, as an exact rational.

        The float per-token size is taken at its exact value: a float product loses integers beyond 2^53,
        which long contexts reach, and bytes are promised as exact integers."""
        per_layer = Fraction(group.bytes_per_token) * self.tokens_cached(group, context) + group.state_bytes
        return group.n_layers * per_layer

    def bytes_per_sequence(self, context: int) -> int:
        return math.ceil(sum((self._exact_group_bytes(g, context) for g in self.groups), Fraction(0)))

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
                "bytes": math.ceil(self._exact_group_bytes(g, context)),
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
    heads are split across GPUs (replicated when tp > n_kv, as vLLM does); a ``tp`` that cannot split the
    heads is a ConfigError (``memory.parallel``).
    """
    check_tensor_parallel(spec, tp)
    profile = runtime_profile(engine)
    dtype = _checked_kv_dtype(spec, kv_dtype, profile)
    element = KV_ELEMENT_BYTES[dtype]
    # vLLM int8_per_token_head stores one fp32 scale per token, head and K/V.
    vllm_int8 = dtype == "int8" and profile.name == "vllm"
    element_note = " + fp32 scale per token-head" if vllm_int8 else ""
    kv_heads = kv_heads_per_gpu(spec, tp)

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
            formula = (
                f"(kv_lora_rank {spec.mla.kv_lora_rank} + rope {spec.mla.qk_rope_head_dim}) × {element:g} B"
                f"{element_note}"
            )
            groups.append(LayerGroup("mla", n, latent * element, formula=formula))
        else:
            groups.append(_attention_group(spec, kind, n, element, kv_heads, vllm_int8))
    return KVPlan(profile, dtype, element, tuple(groups), tp)


def _checked_kv_dtype(spec: ModelSpec, kv_dtype: str, profile: RuntimeProfile) -> str:
    """The canonical KV dtype ('auto' = the model's); ConfigError for unknown names and for llama.cpp-only
    cache types asked of another engine."""
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
    return dtype


def _attention_group(
    spec: ModelSpec, kind: str, n: int, element: float, kv_heads_per_gpu: int, vllm_int8: bool
) -> LayerGroup:
    """Full or sliding-window attention layers: 2 (K, V) · KV heads on this GPU · d_head · element bytes per
    token, plus, for vLLM's int8 cache, one fp32 scale per token, head and K/V."""
    per_token = 2 * kv_heads_per_gpu * spec.d_head * element
    element_note = ""
    if vllm_int8:
        per_token += 2 * kv_heads_per_gpu * 4
        element_note = " + fp32 scale per token-head"
    window = spec.sliding_window if kind == "sliding_attention" else None
    label = "sliding_attention" if window is not None else "full_attention"
    return LayerGroup(
        label,
        n,
        per_token,
        window,
        formula=f"2 × {kv_heads_per_gpu} KV heads × {spec.d_head} × {element:g} B"
        f"{element_note}" + (f", capped at the {window}-token window" if window else ""),
    )


def _mamba_group(spec: ModelSpec, n: int, element: float, ssm_element: float) -> LayerGroup:
    """Mamba / linear-attention layers: a fixed state per sequence (convolution window + SSM state)."""
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
