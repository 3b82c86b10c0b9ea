"""Exact parameter counts from a config, family by family.

The count is what ``transformers.AutoModelForCausalLM.from_config(config)`` instantiates: every
weight, bias and norm gain, with tied input/output embeddings counted once. The rules below were
written against the module layouts of ``transformers`` 5.x and are checked in the test-suite by
building each family on the meta device (``tests/core/test_param_count_vs_transformers.py``).

Notation: h = d_model, H = n_heads, K = n_kv_heads, d = d_head, F = d_ff, V = vocab_size,
L = n_layers, E = experts, k = experts per token.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tafagent.core.spec.config_view import ConfigView
from tafagent.core.spec.model_spec import MLASpec, MoESpec, SSMSpec


@dataclass(frozen=True)
class ArchDims:
    """The resolved sizes the counter needs (a subset of ModelSpec, before it exists)."""

    model_type: str
    n_layers: int
    d_model: int
    n_heads: int
    n_kv_heads: int
    d_head: int
    d_ff: int
    vocab_size: int
    tie_embeddings: bool
    T_train: int | None
    layer_kinds: tuple[str, ...]
    moe: MoESpec | None = None
    moe_layers: frozenset[int] = frozenset()
    mla: MLASpec | None = None
    ssm: SSMSpec | None = None


@dataclass
class ParamCount:
    """Parameter totals by component. ``active`` excludes the experts a token does not use."""

    breakdown: dict[str, int] = field(default_factory=dict)
    inactive_experts: int = 0
    exact_rule: bool = True  # False when a generic Llama-style rule was used for an unknown family

    def add(self, component: str, n: int) -> None:
        if n:
            self.breakdown[component] = self.breakdown.get(component, 0) + n

    @property
    def total(self) -> int:
        return sum(self.breakdown.values())

    @property
    def active(self) -> int:
        return self.total - self.inactive_experts


def _linear(n_in: int, n_out: int, bias: bool) -> int:
    return n_in * n_out + (n_out if bias else 0)


# --------------------------------------------------------------------------------------------
# Llama-style decoders: a table of per-family facts instead of one function per family.
# --------------------------------------------------------------------------------------------
# Each entry: qkv_bias / o_bias / mlp_bias are True, False or the config flag that decides;
# norm = parameters per norm ("rms": h, "ln": 2h, "ln_nobias": h, "none": 0);
# norms_per_layer; qk_norm = None | "head" (d each) | "full" (H·d and K·d) | "perhead_ln" (H·d, K·d);
# qk_norm_flag = config flag that enables qk_norm (None = always on when qk_norm is set);
# mlp = "gated" | "plain"; lm_head_bias.
@dataclass(frozen=True)
class _DecoderFacts:
    qkv_bias: bool | str = False
    o_bias: bool | str = False
    mlp: str = "gated"
    mlp_bias: bool | str = False
    norm: str = "rms"
    final_norm: str = "rms"
    norms_per_layer: int | Callable[[ConfigView], int] = 2
    qk_norm: str | None = None
    qk_norm_flag: str | None = None
    qk_norm_bias: bool = False
    lm_head_bias: bool = False
    attention_sinks: bool = False


def _stablelm_norms(view: ConfigView) -> int:
    return 1 if view.get_bool("use_parallel_residual") else 2


DECODER_FACTS: dict[str, _DecoderFacts] = {
    "llama": _DecoderFacts(qkv_bias="attention_bias", o_bias="attention_bias", mlp_bias="mlp_bias"),
    "granite": _DecoderFacts(qkv_bias="attention_bias", o_bias="attention_bias", mlp_bias="mlp_bias"),
    "mistral": _DecoderFacts(),
    "mixtral": _DecoderFacts(),
    "phi3": _DecoderFacts(),
    "qwen2": _DecoderFacts(qkv_bias=True),
    "qwen2_moe": _DecoderFacts(qkv_bias="qkv_bias"),
    "qwen3": _DecoderFacts(qkv_bias="attention_bias", o_bias="attention_bias", qk_norm="head"),
    "qwen3_moe": _DecoderFacts(qkv_bias="attention_bias", o_bias="attention_bias", qk_norm="head"),
    "gemma": _DecoderFacts(qkv_bias="attention_bias", o_bias="attention_bias"),
    "gemma2": _DecoderFacts(qkv_bias="attention_bias", o_bias="attention_bias", norms_per_layer=4),
    "gemma3_text": _DecoderFacts(qkv_bias="attention_bias", o_bias="attention_bias", norms_per_layer=4, qk_norm="head"),
    "olmo": _DecoderFacts(qkv_bias="attention_bias", o_bias="attention_bias", norm="none", final_norm="none"),
    "olmo2": _DecoderFacts(qkv_bias="attention_bias", o_bias="attention_bias", qk_norm="full"),
    "olmoe": _DecoderFacts(qkv_bias="attention_bias", o_bias="attention_bias", qk_norm="full"),
    "cohere": _DecoderFacts(
        qkv_bias="attention_bias",
        o_bias="attention_bias",
        norm="ln_nobias",
        final_norm="ln_nobias",
        norms_per_layer=1,
        qk_norm="perhead_ln",
        qk_norm_flag="use_qk_norm",
    ),
    "stablelm": _DecoderFacts(
        qkv_bias="use_qkv_bias",
        norm="ln",
        final_norm="ln",
        norms_per_layer=_stablelm_norms,
        qk_norm="perhead_ln",
        qk_norm_flag="qk_layernorm",
    ),
    "starcoder2": _DecoderFacts(
        qkv_bias="use_bias", o_bias="use_bias", mlp="plain", mlp_bias="use_bias", norm="ln", final_norm="ln"
    ),
    "phi": _DecoderFacts(
        qkv_bias=True,
        o_bias=True,
        mlp="plain",
        mlp_bias=True,
        norm="ln",
        final_norm="ln",
        norms_per_layer=1,
        qk_norm="head",
        qk_norm_flag="qk_layernorm",
        qk_norm_bias=True,
        lm_head_bias=True,
    ),
    "gpt_oss": _DecoderFacts(qkv_bias=True, o_bias=True, attention_sinks=True),
    "deepseek_v2": _DecoderFacts(qkv_bias="attention_bias", o_bias="attention_bias"),
    "deepseek_v3": _DecoderFacts(qkv_bias="attention_bias", o_bias="attention_bias"),
}


def _flag(view: ConfigView, value: bool | str) -> bool:
    return value if isinstance(value, bool) else view.get_bool(value)


def _norm_size(kind: str, h: int) -> int:
    return {"rms": h, "ln": 2 * h, "ln_nobias": h, "none": 0}[kind]


def count_parameters(dims: ArchDims, view: ConfigView) -> ParamCount:
    """Exact parameter count for ``dims.model_type``; a Llama-style estimate for unknown types."""
    special = _SPECIAL.get(dims.model_type)
    if special is not None:
        return special(dims, view)
    facts = DECODER_FACTS.get(dims.model_type)
    if facts is None:
        count = _count_decoder(dims, view, DECODER_FACTS["llama"])
        count.exact_rule = False
        return count
    return _count_decoder(dims, view, facts)


def _embeddings(count: ParamCount, dims: ArchDims, lm_head_bias: bool = False) -> None:
    h, V = dims.d_model, dims.vocab_size
    count.add("embedding", V * h)
    if not dims.tie_embeddings:
        count.add("lm_head", V * h)
    if lm_head_bias:
        count.add("lm_head", V)


def _gated_mlp(h: int, ff: int, bias: bool) -> int:
    return 2 * _linear(h, ff, bias) + _linear(ff, h, bias)


def _moe_block(count: ParamCount, dims: ArchDims, view: ConfigView, layer: int) -> None:
    """Routed experts, router and shared experts of one MoE layer (family-specific extras)."""
    moe = dims.moe
    assert moe is not None  # callers check; kept for type narrowing
    h, E = dims.d_model, moe.n_experts
    if dims.model_type == "gpt_oss":
        expert = 2 * h * moe.d_ff_expert + 2 * moe.d_ff_expert + moe.d_ff_expert * h + h
        count.add("router", h * E + E)
    else:
        expert = _gated_mlp(h, moe.d_ff_expert, False)
        count.add("router", h * E)
    count.add("moe_experts", E * expert)
    count.inactive_experts += (E - moe.experts_per_token) * expert
    if moe.d_ff_shared:
        count.add("moe_shared_experts", _gated_mlp(h, moe.d_ff_shared, False))
        if dims.model_type == "qwen2_moe":
            count.add("router", h)  # shared_expert_gate: Linear(h, 1, bias=False)


def _mla_attention(dims: ArchDims, view: ConfigView, bias: bool) -> int:
    """DeepSeek multi-head latent attention projections and their norms."""
    mla = dims.mla
    assert mla is not None
    h, H = dims.d_model, dims.n_heads
    q_head = mla.qk_nope_head_dim + mla.qk_rope_head_dim
    n = 0
    if mla.q_lora_rank is None:
        n += _linear(h, H * q_head, False)
    else:
        n += _linear(h, mla.q_lora_rank, bias) + mla.q_lora_rank + _linear(mla.q_lora_rank, H * q_head, False)
    n += _linear(h, mla.kv_lora_rank + mla.qk_rope_head_dim, bias) + mla.kv_lora_rank
    n += _linear(mla.kv_lora_rank, H * (mla.qk_nope_head_dim + mla.v_head_dim), False)
    n += _linear(H * mla.v_head_dim, h, bias)
    return n


def _count_decoder(dims: ArchDims, view: ConfigView, facts: _DecoderFacts) -> ParamCount:
    count = ParamCount()
    h, H, K, d = dims.d_model, dims.n_heads, dims.n_kv_heads, dims.d_head
    qkv_bias, o_bias = _flag(view, facts.qkv_bias), _flag(view, facts.o_bias)
    mlp_bias = _flag(view, facts.mlp_bias)
    qk_norm = facts.qk_norm if (facts.qk_norm_flag is None or view.get_bool(facts.qk_norm_flag)) else None
    norms = facts.norms_per_layer(view) if callable(facts.norms_per_layer) else facts.norms_per_layer

    _embeddings(count, dims, facts.lm_head_bias)
    for layer in range(dims.n_layers):
        if dims.mla is not None:
            count.add("attention", _mla_attention(dims, view, qkv_bias))
        else:
            attention = _linear(h, H * d, qkv_bias) + 2 * _linear(h, K * d, qkv_bias) + _linear(H * d, h, o_bias)
            if qk_norm == "head":
                attention += 2 * d * (2 if facts.qk_norm_bias else 1)
            elif qk_norm in ("full", "perhead_ln"):
                attention += (H + K) * d
            if facts.attention_sinks:
                attention += H
            count.add("attention", attention)
        if dims.moe is not None and layer in dims.moe_layers:
            _moe_block(count, dims, view, layer)
        elif facts.mlp == "gated":
            count.add("mlp", _gated_mlp(h, dims.d_ff, mlp_bias))
        else:
            count.add("mlp", _linear(h, dims.d_ff, mlp_bias) + _linear(dims.d_ff, h, mlp_bias))
        count.add("norms", norms * _norm_size(facts.norm, h))
    count.add("norms", _norm_size(facts.final_norm, h))
    return count


# --------------------------------------------------------------------------------------------
# Families with their own layouts
# --------------------------------------------------------------------------------------------
def _count_gpt_neox(dims: ArchDims, view: ConfigView) -> ParamCount:
    count = ParamCount()
    h, F, L = dims.d_model, dims.d_ff, dims.n_layers
    inner = dims.n_heads * dims.d_head
    bias = view.get_bool("attention_bias", True)
    _embeddings(count, dims)
    count.add("attention", L * (_linear(h, 3 * inner, bias) + _linear(inner, h, bias)))
    count.add("mlp", L * (_linear(h, F, True) + _linear(F, h, True)))
    count.add("norms", L * 4 * h + 2 * h)
    return count


def _count_gptj(dims: ArchDims, view: ConfigView) -> ParamCount:
    # GPT-J and CodeGen: one LayerNorm per block (parallel attention + MLP), bias-free attention,
    # biased MLP, and a biased lm_head.
    count = ParamCount()
    h, F, L = dims.d_model, dims.d_ff, dims.n_layers
    inner = dims.n_heads * dims.d_head
    _embeddings(count, dims, lm_head_bias=True)
    count.add("attention", L * (3 * h * inner + inner * h))
    count.add("mlp", L * (_linear(h, F, True) + _linear(F, h, True)))
    count.add("norms", L * 2 * h + 2 * h)
    return count


def _count_gpt2_like(dims: ArchDims, view: ConfigView) -> ParamCount:
    """GPT-2, GPT-Neo and GPTBigCode: learned absolute positions, two LayerNorms per block."""
    count = ParamCount()
    h, F, L = dims.d_model, dims.d_ff, dims.n_layers
    _embeddings(count, dims)
    positions = dims.T_train or 0
    count.add("position_embedding", positions * h)
    if dims.model_type == "gpt_neo":
        attention = 3 * h * h + _linear(h, h, True)
    else:
        kv_width = 2 * dims.n_kv_heads * dims.d_head
        attention = _linear(h, h + kv_width, True) + _linear(h, h, True)
    count.add("attention", L * attention)
    count.add("mlp", L * (_linear(h, F, True) + _linear(F, h, True)))
    count.add("norms", L * 4 * h + 2 * h)
    return count


def _count_opt(dims: ArchDims, view: ConfigView) -> ParamCount:
    count = ParamCount()
    h, F, L, V = dims.d_model, dims.d_ff, dims.n_layers, dims.vocab_size
    found = view.get_int(["word_embed_proj_dim"], minimum=1, maximum=10**6)
    wep = found[0] if found else h
    bias = view.get_bool("enable_bias", True)
    affine = view.get_bool("layer_norm_elementwise_affine", True)
    count.add("embedding", V * wep)
    if not dims.tie_embeddings:
        count.add("lm_head", V * wep)
    count.add("position_embedding", ((dims.T_train or 0) + 2) * h)  # OPT offsets positions by 2
    if wep != h:
        count.add("projection", 2 * wep * h)
    count.add("attention", L * 4 * _linear(h, h, bias))
    count.add("mlp", L * (_linear(h, F, bias) + _linear(F, h, bias)))
    ln = 2 * h if affine else 0
    final = ln if (view.get_bool("do_layer_norm_before", True) and not view.get_bool("_remove_final_layer_norm")) else 0
    count.add("norms", L * 2 * ln + final)
    return count


def _count_bloom(dims: ArchDims, view: ConfigView) -> ParamCount:
    count = ParamCount()
    h, L = dims.d_model, dims.n_layers
    _embeddings(count, dims)
    count.add("attention", L * (_linear(h, 3 * h, True) + _linear(h, h, True)))
    count.add("mlp", L * (_linear(h, 4 * h, True) + _linear(4 * h, h, True)))
    count.add("norms", 2 * h + L * 4 * h + 2 * h)  # word_embeddings_layernorm, 2 per block, ln_f
    return count


def _count_falcon(dims: ArchDims, view: ConfigView) -> ParamCount:
    count = ParamCount()
    h, F, L = dims.d_model, dims.d_ff, dims.n_layers
    H, K, d = dims.n_heads, dims.n_kv_heads, dims.d_head
    bias = view.get_bool("bias")
    new_arch = view.get_bool("new_decoder_architecture")
    _embeddings(count, dims)
    qkv_out = (H + 2 * K) * d
    count.add("attention", L * (_linear(h, qkv_out, bias) + _linear(H * d, h, bias)))
    count.add("mlp", L * (_linear(h, F, bias) + _linear(F, h, bias)))
    if new_arch:
        found = view.get_int(["num_ln_in_parallel_attn"], minimum=1, maximum=2)
        n_ln = found[0] if found else 2
    else:
        n_ln = 1 if view.get_bool("parallel_attn", True) else 2
    count.add("norms", L * n_ln * 2 * h + 2 * h)
    return count


def _count_mpt(dims: ArchDims, view: ConfigView) -> ParamCount:
    # transformers' MPT: bias-free linears and LayerNorms whatever `no_bias` says.
    count = ParamCount()
    h, F, L = dims.d_model, dims.d_ff, dims.n_layers
    _embeddings(count, dims)
    count.add("attention", L * (3 * h * h + h * h))
    count.add("mlp", L * 2 * h * F)
    count.add("norms", L * 2 * h + h)
    return count


def _mamba1_mixer(h: int, ssm: SSMSpec, proj_bias: bool, conv_bias: bool) -> int:
    di, ds, dtr = ssm.d_inner, ssm.d_state, ssm.dt_rank or 0
    return (
        _linear(h, 2 * di, proj_bias)
        + di * ssm.d_conv
        + (di if conv_bias else 0)
        + di * (dtr + 2 * ds)
        + _linear(dtr, di, True)
        + di * ds  # A_log
        + di  # D
        + _linear(di, h, proj_bias)
    )


def _count_mamba(dims: ArchDims, view: ConfigView) -> ParamCount:
    count = ParamCount()
    assert dims.ssm is not None
    h, L = dims.d_model, dims.n_layers
    _embeddings(count, dims)
    mixer = _mamba1_mixer(h, dims.ssm, view.get_bool("use_bias"), view.get_bool("use_conv_bias", True))
    count.add("ssm", L * mixer)
    count.add("norms", L * h + h)
    return count


def _count_mamba2(dims: ArchDims, view: ConfigView) -> ParamCount:
    count = ParamCount()
    ssm = dims.ssm
    assert ssm is not None and ssm.n_ssm_heads is not None and ssm.n_groups is not None
    h, L = dims.d_model, dims.n_layers
    di, ds, nh, ng = ssm.d_inner, ssm.d_state, ssm.n_ssm_heads, ssm.n_groups
    proj_bias = view.get_bool("use_bias")
    conv_dim = di + 2 * ng * ds
    mixer = (
        _linear(h, 2 * di + 2 * ng * ds + nh, proj_bias)
        + conv_dim * ssm.d_conv
        + (conv_dim if view.get_bool("use_conv_bias", True) else 0)
        + 3 * nh  # dt_bias, A_log, D
        + di  # gated RMSNorm
        + _linear(di, h, proj_bias)
    )
    _embeddings(count, dims)
    count.add("ssm", L * mixer)
    count.add("norms", L * h + h)
    return count


def _count_jamba(dims: ArchDims, view: ConfigView) -> ParamCount:
    count = ParamCount()
    ssm = dims.ssm
    assert ssm is not None
    h, H, K, d = dims.d_model, dims.n_heads, dims.n_kv_heads, dims.d_head
    _embeddings(count, dims)
    proj_bias, conv_bias = view.get_bool("mamba_proj_bias"), view.get_bool("mamba_conv_bias", True)
    for layer, kind in enumerate(dims.layer_kinds):
        if kind == "mamba":
            dtr = ssm.dt_rank or 0
            # Jamba adds RMSNorms on dt, B and C inside the mixer.
            count.add("ssm", _mamba1_mixer(h, ssm, proj_bias, conv_bias) + dtr + 2 * ssm.d_state)
        else:
            count.add("attention", h * H * d + 2 * h * K * d + H * d * h)
        if dims.moe is not None and layer in dims.moe_layers:
            _moe_block(count, dims, view, layer)
        else:
            count.add("mlp", _gated_mlp(h, dims.d_ff, False))
        count.add("norms", 2 * h)
    count.add("norms", h)
    return count


_SPECIAL: dict[str, Callable[[ArchDims, ConfigView], ParamCount]] = {
    "gpt_neox": _count_gpt_neox,
    "gptj": _count_gptj,
    "codegen": _count_gptj,
    "gpt2": _count_gpt2_like,
    "gpt_neo": _count_gpt2_like,
    "gpt_bigcode": _count_gpt2_like,
    "opt": _count_opt,
    "bloom": _count_bloom,
    "falcon": _count_falcon,
    "mpt": _count_mpt,
    "mamba": _count_mamba,
    "falcon_mamba": _count_mamba,
    "mamba2": _count_mamba2,
    "jamba": _count_jamba,
}
SPECIAL_FAMILIES: tuple[str, ...] = tuple(_SPECIAL)  # families counted by a dedicated function
SUPPORTED_MODEL_TYPES: tuple[str, ...] = tuple(DECODER_FACTS) + SPECIAL_FAMILIES
