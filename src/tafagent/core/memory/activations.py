"""Transient memory beside weights and KV: the prefill activation peak by component, and vLLM's profiled
activation peak (an empirical constant per architecture)."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from tafagent.core.errors import ConfigError
from tafagent.core.memory.dtypes import KV_ELEMENT_BYTES, element_bytes, model_dtype
from tafagent.core.memory.runtimes import runtime_data
from tafagent.core.render.format import GIB
from tafagent.core.spec.model_spec import ModelSpec


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
    Allocator fragmentation and workspace are not modelled. Bytes are exact integers (rational arithmetic:
    a float product loses integers beyond 2^53, which a large batch at a long context reaches).
    """
    b = Fraction(KV_ELEMENT_BYTES[model_dtype(spec)] if dtype == "auto" else element_bytes(dtype, "dtype"))
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
    scores = math.ceil(batch * spec.n_heads * T * T * (b + 4)) if materialises and spec.n_heads else 0
    width = spec.moe.d_ff_expert * spec.moe.experts_per_token if spec.moe else spec.d_ff
    mlp = math.ceil(batch * T * max(width, spec.d_model) * 2 * b)
    hidden = math.ceil(batch * T * spec.d_model * b * 4)  # residual, normed input, attention output, next residual
    logit_tokens = 1 if logits == "last" else T
    logit_bytes = math.ceil(batch * logit_tokens * spec.vocab_size * (b + 4))
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
    table = runtime_data()["runtimes"]["vllm"]["activation_peak_GiB"]
    if spec.moe is not None:
        key = "moe"
    elif spec.model_type in table:
        key = spec.model_type or "default"
    else:
        key = "default"
    return int(table[key] * GIB), f"{table[key]} GiB measured for {key} models (llm-d, H100, max_model_len 16000)"
