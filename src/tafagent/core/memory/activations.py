"""Transient memory beside weights and KV: the prefill activation peak by component, and vLLM's profiled
activation peak (an empirical constant per architecture).

The transformers peak is counted from what its forward keeps alive, read from the 5.x source and checked
against the H200 calibration (``tests/data/serving_calibration_h200.json``: 29 prefills of five models, every
peak and retained figure within 10 %, most within 1 %)."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from tafagent.core.errors import ConfigError
from tafagent.core.memory.dtypes import KV_ELEMENT_BYTES, element_bytes, model_dtype
from tafagent.core.memory.runtimes import runtime_data
from tafagent.core.render.format import GIB
from tafagent.core.spec.model_spec import ModelSpec

ATTENTION_IMPLEMENTATIONS = ("auto", "eager", "sdpa", "flash", "flash_attention_2", "math")
# Hidden-state-sized tensors alive while the last layer's MLP runs: the model loop's previous output, the
# embeddings, the decoder layer's residual and the normed MLP input (LlamaModel / LlamaDecoderLayer; the same
# count fits GPT-NeoX, Qwen2 and Gemma-2 in the calibration).
HIDDEN_COPIES_MLP_PHASE = 4
# While eager attention runs: the caller's hidden states, the normed input and the embeddings, beside Q, K, V.
HIDDEN_COPIES_ATTENTION_PHASE = 3


def transformers_attention(spec: ModelSpec) -> str:
    """The attention transformers 5.x runs by default: eager for the model types without SDPA support
    (``_supports_sdpa`` not True in their modeling file, listed in data/runtimes.json), else SDPA."""
    eager = runtime_data()["runtimes"]["transformers"]["eager_attention"]["model_types"]
    return "eager" if spec.model_type in eager else "sdpa"


def _resolved_attention(spec: ModelSpec, attn_implementation: str, engine: str) -> str:
    impl = attn_implementation.lower() if isinstance(attn_implementation, str) else ""
    if impl not in ATTENTION_IMPLEMENTATIONS:
        raise ConfigError(
            f"unknown attention implementation {attn_implementation!r} (parameter 'attn_implementation')",
            "use auto, eager or sdpa",
            field="attn_implementation",
        )
    if impl == "auto":
        return transformers_attention(spec) if engine == "transformers" else "sdpa"
    return impl


def _is_gated_mlp(spec: ModelSpec) -> bool:
    """A gated MLP (gate, up, down: 3·d·d_ff weights per layer) rather than up/down (2·d·d_ff)."""
    mlp = spec.n_params_breakdown.get("mlp", 0)
    plain = 2 * spec.n_layers * spec.d_model * spec.d_ff
    return spec.moe is not None or (plain > 0 and mlp > 1.25 * plain)


def _eager_scores(spec: ModelSpec, T: int, batch: int, b: Fraction, dtype: str) -> tuple[int, int]:
    """(scores, mask) bytes of eager attention at its softmax: the scores in the model dtype, then
    ``softmax(..., dtype=float32)``, which on CUDA casts a bf16 input to fp32 first (4 + 4 bytes; fp16 uses
    half_to_float, 4 bytes), plus per-model extra copies (bloom keeps the pre-mask scores and the previous
    layer's probabilities: 2 more); the additive mask is batch × T² in the model dtype."""
    softmax = 8 if dtype == "bf16" else 4
    extra = runtime_data()["runtimes"]["transformers"]["eager_attention"]["extra_score_copies"]
    copies = extra.get(spec.model_type or "", 0)
    per_element = b * (1 + copies) + softmax
    scores = math.ceil(batch * spec.n_heads * T * T * per_element)
    return scores, math.ceil(batch * T * T * b)


def swa_prefill_retained_bytes(spec: ModelSpec, prompt_tokens: int, batch: int = 1, dtype: str = "auto") -> int:
    """transformers' DynamicSlidingWindowLayer.update keeps ``full[:, :, -(window-1):]``: a slice (a view) of
    the full-length K/V of the prompt, so the whole tensor stays alive after prefill until the first decode
    step replaces it. Extra bytes beyond the window the KV plan counts:
    n_sliding_layers · 2 (K, V) · batch · n_kv · d_head · b · (T − (window − 1))."""
    window = spec.sliding_window
    n_sliding = sum(1 for kind in spec.layer_kinds() if kind == "sliding_attention")
    if window is None or not n_sliding or prompt_tokens <= window - 1:
        return 0
    b = KV_ELEMENT_BYTES[model_dtype(spec)] if dtype == "auto" else element_bytes(dtype, "dtype")
    extra_tokens = prompt_tokens - (window - 1)
    return math.ceil(n_sliding * 2 * batch * spec.n_kv_heads * spec.d_head * Fraction(b) * extra_tokens)


def prefill_activation_bytes(
    spec: ModelSpec,
    prompt_tokens: int,
    batch: int = 1,
    attn_implementation: str = "auto",
    dtype: str = "auto",
    logits: str = "last",
    engine: str = "transformers",
) -> dict[str, Any]:
    """Peak memory of one prefill beyond weights and the KV cache written, by component.

    peak − KV = max(MLP phase, attention phase) + mask + RoPE tables + logits + sliding-window retention:

    * MLP phase: the intermediates (gated: gate·act, up and their product, 3 · batch·T·d_ff·b; plain: 2) and
      4 hidden-state copies;
    * attention phase: eager holds ``_eager_scores`` plus Q, K, V and 3 hidden copies; SDPA's flash /
      memory-efficient kernels never hold T × T;
    * mask: eager's additive batch·T² mask; SDPA builds a T² boolean mask only when a sliding window forbids
      ``is_causal`` (Gemma-2 in the calibration: one, not per sequence);
    * RoPE cos and sin (2 · T · rotary dims · b), the logits of the last token (batch · vocab · b), and for
      transformers the full-length K/V the sliding-window layers keep (``swa_prefill_retained_bytes``).

    Allocator fragmentation is not modelled. Bytes are exact integers (rational arithmetic: a float product
    loses integers beyond 2^53, which a large batch at a long context reaches).
    """
    impl = _resolved_attention(spec, attn_implementation, engine)
    name = model_dtype(spec) if dtype == "auto" else dtype
    b = Fraction(KV_ELEMENT_BYTES[model_dtype(spec)] if dtype == "auto" else element_bytes(dtype, "dtype"))
    T = prompt_tokens
    hidden_one = batch * T * spec.d_model * b
    width = spec.moe.d_ff_expert * spec.moe.experts_per_token if spec.moe else spec.d_ff
    mlp = math.ceil(batch * T * width * (3 if _is_gated_mlp(spec) else 2) * b)
    scores, mask = (0, 0)
    if impl in ("eager", "math") and spec.n_heads:
        scores, mask = _eager_scores(spec, T, batch, b, name)
    elif spec.sliding_window is not None and engine == "transformers":
        mask = T * T  # bool
    qkv = batch * T * (spec.n_heads + 2 * spec.n_kv_heads) * spec.d_head * b
    mlp_phase = mlp + math.ceil(HIDDEN_COPIES_MLP_PHASE * hidden_one)
    attention_phase = scores + math.ceil(qkv + HIDDEN_COPIES_ATTENTION_PHASE * hidden_one)
    rotary = round(spec.d_head * (spec.partial_rotary or 1.0)) if spec.rope_theta else 0
    rope = math.ceil(2 * T * rotary * b)
    logit_bytes = math.ceil(batch * (1 if logits == "last" else T) * spec.vocab_size * b)
    retained_swa = swa_prefill_retained_bytes(spec, T, batch, dtype) if engine == "transformers" else 0
    hidden = math.ceil(HIDDEN_COPIES_MLP_PHASE * hidden_one)
    total = max(mlp_phase, attention_phase) + mask + rope + logit_bytes + retained_swa
    return {
        "attn_implementation": impl,
        "attention_scores_bytes": scores,
        "attention_mask_bytes": mask,
        "mlp_intermediate_bytes": mlp,
        "hidden_states_bytes": hidden,
        "rope_tables_bytes": rope,
        "logits_bytes": logit_bytes,
        "swa_full_kv_retained_bytes": retained_swa,
        "peak_phase": "attention" if attention_phase > mlp_phase else "mlp",
        "total_bytes": total,
        "retained_bytes": retained_swa + logit_bytes,
        "note": "peak beyond weights and KV: the larger of the MLP phase and the attention phase (eager holds "
        "batch·heads·T² scores, flash/memory-efficient SDPA does not), plus mask, RoPE tables, last-token logits "
        "and, with transformers, the full-length K/V its sliding-window layers keep after prefill",
    }


def vllm_activation_peak_bytes(spec: ModelSpec) -> tuple[int, str]:
    """vLLM's profiled activation peak: an empirical constant per architecture (llm-d measurements)."""
    table = runtime_data()["runtimes"]["vllm"]["activation_peak_GiB"]
    if spec.moe is not None:
        key = "moe"
    elif spec.model_type in table:
        key = spec.model_type or "default"
    else:
        key = "default"
    return int(table[key] * GIB), f"{table[key]} GiB measured for {key} models (llm-d, H100, max_model_len 16000)"
