"""Tensor parallelism: which GPU counts can split a model's attention, and how many KV heads each GPU keeps.

The rule is vLLM's (``ModelConfig.verify_with_parallel_config`` and ``QKVParallelLinear``):

* the query heads are divided evenly, so ``tp`` must divide ``n_heads``;
* with ``tp ≤ n_kv_heads`` the KV heads are divided too (``n_kv_heads % tp == 0``), each GPU keeping
  ``n_kv_heads / tp`` of them;
* with ``tp > n_kv_heads`` every GPU keeps one KV head, replicated ``tp / n_kv_heads`` times, so ``tp`` must
  be a multiple of ``n_kv_heads``.

Attention-free layers (Mamba) and MLA's latent (one per token, replicated on every GPU) set no head rule;
a model with neither query nor KV heads accepts any ``tp`` up to :data:`MAX_TP`.
"""

from __future__ import annotations

from tafagent.core.errors import ConfigError
from tafagent.core.spec.limits import MAX_TP
from tafagent.core.spec.model_spec import ModelSpec


def tensor_parallel_problem(spec: ModelSpec, tp: int) -> str | None:
    """Why ``tp`` GPUs cannot split ``spec``'s attention under vLLM's rule, or None when they can."""
    if tp > MAX_TP:
        return f"at most {MAX_TP:,} GPUs are modelled"
    heads, kv = spec.n_heads, spec.n_kv_heads
    if heads and heads % tp:
        return f"{tp} does not divide the {heads} attention heads"
    if spec.mla is None and kv:
        if tp <= kv and kv % tp:
            return f"{tp} does not divide the {kv} KV heads"
        if tp > kv and tp % kv:
            return f"{tp} is not a multiple of the {kv} KV heads (each GPU holds a whole replicated KV head)"
    return None


def valid_tp_sizes(spec: ModelSpec, limit: int = MAX_TP) -> tuple[int, ...]:
    """Every tensor-parallel size from 1 to ``limit`` that splits ``spec``'s attention."""
    upper = min(limit, spec.n_heads or limit)  # tp divides the query heads, so it never exceeds them
    return tuple(tp for tp in range(1, upper + 1) if tensor_parallel_problem(spec, tp) is None)


def check_tensor_parallel(spec: ModelSpec, tp: int) -> None:
    """ConfigError naming ``tp``, the head counts and the valid sizes when ``tp`` cannot split the model."""
    problem = tensor_parallel_problem(spec, tp)
    if problem is None:
        return
    sizes = valid_tp_sizes(spec)
    shown = ", ".join(str(n) for n in sizes[:16]) + (" …" if len(sizes) > 16 else "")
    raise ConfigError(
        f"tp {tp} cannot split {spec.model_id} ({spec.n_heads} attention heads, {spec.n_kv_heads} KV heads): "
        f"{problem} (parameter 'tp')",
        f"use one of {shown} (vLLM: tp divides the heads; above the KV heads it is a multiple of them)",
        field="tp",
    )


def kv_heads_per_gpu(spec: ModelSpec, tp: int) -> int:
    """KV heads each GPU keeps: ``n_kv_heads / tp``, or one replicated head when ``tp ≥ n_kv_heads``."""
    if not spec.n_kv_heads:
        return 0
    return max(1, spec.n_kv_heads // tp)
