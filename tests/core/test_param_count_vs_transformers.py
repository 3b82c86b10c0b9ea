"""The config-derived parameter count equals what transformers instantiates (meta device, no memory).

For every supported family we build small but non-trivial variants (GQA, explicit head_dim, biases,
tied/untied, MoE, MLA, SSM, hybrids) with the transformers config class, hand the *serialised*
config dict to our resolver (both the full dict and the minimal diff a Hub config.json holds), and
compare with ``sum(p.numel() for p in model.parameters())`` of ``AutoModelForCausalLM.from_config``.
"""

from __future__ import annotations

import json
import warnings

import pytest

from tafagent.core import resolve_spec
from tafagent.core.spec.param_count import SUPPORTED_MODEL_TYPES

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
from transformers import AutoModelForCausalLM  # noqa: E402
from transformers.models.auto.configuration_auto import CONFIG_MAPPING  # noqa: E402

L = 3  # layers: enough to exercise alternating patterns and MoE layer rules, cheap on meta

VARIANTS: list[tuple[str, dict]] = [
    (
        "llama",
        dict(hidden_size=256, intermediate_size=688, num_attention_heads=8, num_key_value_heads=2, vocab_size=1000),
    ),
    (
        "llama",
        dict(
            hidden_size=256,
            intermediate_size=512,
            num_attention_heads=4,
            num_key_value_heads=4,
            head_dim=96,
            attention_bias=True,
            mlp_bias=True,
            tie_word_embeddings=True,
            vocab_size=777,
        ),
    ),
    (
        "granite",
        dict(hidden_size=128, intermediate_size=320, num_attention_heads=4, num_key_value_heads=1, vocab_size=500),
    ),
    (
        "mistral",
        dict(
            hidden_size=256,
            intermediate_size=640,
            num_attention_heads=8,
            num_key_value_heads=2,
            head_dim=48,
            sliding_window=64,
            vocab_size=999,
        ),
    ),
    (
        "mixtral",
        dict(
            hidden_size=128,
            intermediate_size=256,
            num_attention_heads=4,
            num_key_value_heads=2,
            num_local_experts=4,
            num_experts_per_tok=2,
            vocab_size=500,
        ),
    ),
    (
        "qwen2",
        dict(
            hidden_size=192,
            intermediate_size=400,
            num_attention_heads=6,
            num_key_value_heads=2,
            vocab_size=900,
            tie_word_embeddings=True,
            use_sliding_window=True,
            sliding_window=32,
            max_window_layers=1,
        ),
    ),
    (
        "qwen2_moe",
        dict(
            hidden_size=128,
            intermediate_size=320,
            moe_intermediate_size=96,
            num_attention_heads=4,
            num_key_value_heads=2,
            num_experts=6,
            num_experts_per_tok=2,
            shared_expert_intermediate_size=200,
            decoder_sparse_step=1,
            mlp_only_layers=[1],
            vocab_size=600,
        ),
    ),
    (
        "qwen3",
        dict(
            hidden_size=128,
            intermediate_size=384,
            num_attention_heads=4,
            num_key_value_heads=2,
            head_dim=64,
            vocab_size=800,
        ),
    ),
    (
        "qwen3_moe",
        dict(
            hidden_size=128,
            intermediate_size=384,
            moe_intermediate_size=64,
            num_attention_heads=4,
            num_key_value_heads=2,
            head_dim=40,
            num_experts=8,
            num_experts_per_tok=2,
            vocab_size=800,
        ),
    ),
    (
        "gemma",
        dict(
            hidden_size=128,
            intermediate_size=512,
            num_attention_heads=4,
            num_key_value_heads=1,
            head_dim=64,
            vocab_size=700,
        ),
    ),
    (
        "gemma2",
        dict(
            hidden_size=128,
            intermediate_size=512,
            num_attention_heads=4,
            num_key_value_heads=2,
            head_dim=64,
            vocab_size=700,
            sliding_window=32,
        ),
    ),
    (
        "gemma3_text",
        dict(
            hidden_size=128,
            intermediate_size=512,
            num_attention_heads=4,
            num_key_value_heads=2,
            head_dim=64,
            vocab_size=700,
            sliding_window=32,
        ),
    ),
    (
        "phi3",
        dict(
            hidden_size=192,
            intermediate_size=512,
            num_attention_heads=6,
            num_key_value_heads=6,
            vocab_size=640,
            pad_token_id=None,
        ),
    ),
    (
        "phi3",
        dict(
            hidden_size=192,
            intermediate_size=512,
            num_attention_heads=6,
            num_key_value_heads=2,
            vocab_size=640,
            tie_word_embeddings=True,
            pad_token_id=None,
        ),
    ),
    (
        "phi",
        dict(hidden_size=160, intermediate_size=640, num_attention_heads=5, vocab_size=510, partial_rotary_factor=0.5),
    ),
    (
        "phi",
        dict(
            hidden_size=160,
            intermediate_size=640,
            num_attention_heads=5,
            num_key_value_heads=1,
            vocab_size=510,
            qk_layernorm=True,
        ),
    ),
    (
        "stablelm",
        dict(hidden_size=160, intermediate_size=400, num_attention_heads=5, num_key_value_heads=5, vocab_size=500),
    ),
    (
        "stablelm",
        dict(
            hidden_size=160,
            intermediate_size=400,
            num_attention_heads=4,
            num_key_value_heads=2,
            vocab_size=500,
            use_qkv_bias=True,
            qk_layernorm=True,
            use_parallel_residual=True,
        ),
    ),
    (
        "starcoder2",
        dict(hidden_size=128, intermediate_size=512, num_attention_heads=4, num_key_value_heads=2, vocab_size=600),
    ),
    (
        "starcoder2",
        dict(
            hidden_size=128,
            intermediate_size=512,
            num_attention_heads=4,
            num_key_value_heads=2,
            vocab_size=600,
            use_bias=False,
            tie_word_embeddings=False,
        ),
    ),
    ("olmo", dict(hidden_size=128, intermediate_size=384, num_attention_heads=4, vocab_size=600)),
    (
        "olmo2",
        dict(hidden_size=128, intermediate_size=384, num_attention_heads=4, num_key_value_heads=2, vocab_size=600),
    ),
    (
        "olmoe",
        dict(
            hidden_size=128,
            intermediate_size=96,
            num_attention_heads=4,
            num_key_value_heads=4,
            num_experts=8,
            num_experts_per_tok=2,
            vocab_size=600,
        ),
    ),
    (
        "cohere",
        dict(hidden_size=128, intermediate_size=384, num_attention_heads=4, num_key_value_heads=2, vocab_size=600),
    ),
    (
        "cohere",
        dict(
            hidden_size=128,
            intermediate_size=384,
            num_attention_heads=4,
            num_key_value_heads=2,
            vocab_size=600,
            use_qk_norm=True,
        ),
    ),
    (
        "deepseek_v2",
        dict(
            hidden_size=128,
            intermediate_size=320,
            moe_intermediate_size=64,
            num_attention_heads=4,
            num_key_value_heads=4,
            kv_lora_rank=32,
            q_lora_rank=None,
            qk_rope_head_dim=16,
            qk_nope_head_dim=32,
            v_head_dim=24,
            n_routed_experts=8,
            num_experts_per_tok=2,
            n_shared_experts=2,
            first_k_dense_replace=1,
            vocab_size=500,
        ),
    ),
    (
        "deepseek_v3",
        dict(
            hidden_size=128,
            intermediate_size=320,
            moe_intermediate_size=64,
            num_attention_heads=4,
            num_key_value_heads=4,
            kv_lora_rank=32,
            q_lora_rank=48,
            qk_rope_head_dim=16,
            qk_nope_head_dim=32,
            v_head_dim=24,
            n_routed_experts=8,
            num_experts_per_tok=2,
            n_shared_experts=1,
            first_k_dense_replace=1,
            n_group=2,
            topk_group=1,
            vocab_size=500,
        ),
    ),
    (
        "gpt_oss",
        dict(
            hidden_size=128,
            intermediate_size=96,
            num_attention_heads=4,
            num_key_value_heads=2,
            head_dim=32,
            num_local_experts=4,
            num_experts_per_tok=2,
            vocab_size=500,
            sliding_window=16,
        ),
    ),
    ("gpt_neox", dict(hidden_size=128, intermediate_size=512, num_attention_heads=4, vocab_size=500)),
    (
        "gpt_neox",
        dict(
            hidden_size=128,
            intermediate_size=384,
            num_attention_heads=8,
            vocab_size=500,
            attention_bias=False,
            tie_word_embeddings=True,
        ),
    ),
    ("gptj", dict(n_embd=128, n_head=4, rotary_dim=16, vocab_size=500, n_positions=256)),
    ("gptj", dict(n_embd=128, n_head=4, rotary_dim=32, vocab_size=500, n_positions=256, n_inner=300)),
    ("codegen", dict(n_embd=128, n_head=4, rotary_dim=16, vocab_size=500, n_positions=256, n_ctx=256)),
    ("gpt2", dict(n_embd=128, n_head=4, vocab_size=500, n_positions=256)),
    ("gpt2", dict(n_embd=128, n_head=4, vocab_size=500, n_positions=300, n_inner=200, tie_word_embeddings=False)),
    (
        "gpt_neo",
        dict(
            hidden_size=128,
            num_heads=4,
            vocab_size=500,
            max_position_embeddings=256,
            attention_types=[[["global", "local"], 1], [["global"], 1]],
            num_layers=3,
        ),
    ),
    ("gpt_bigcode", dict(n_embd=128, n_head=4, vocab_size=500, n_positions=256)),
    ("gpt_bigcode", dict(n_embd=128, n_head=4, vocab_size=500, n_positions=256, multi_query=False)),
    (
        "opt",
        dict(
            hidden_size=128,
            ffn_dim=512,
            num_attention_heads=4,
            vocab_size=500,
            max_position_embeddings=256,
            word_embed_proj_dim=128,
        ),
    ),
    (
        "opt",
        dict(
            hidden_size=128,
            ffn_dim=512,
            num_attention_heads=4,
            vocab_size=500,
            max_position_embeddings=256,
            word_embed_proj_dim=64,
            do_layer_norm_before=False,
        ),
    ),
    ("bloom", dict(hidden_size=128, n_head=4, vocab_size=500)),
    ("falcon", dict(hidden_size=128, num_attention_heads=4, vocab_size=500)),
    (
        "falcon",
        dict(
            hidden_size=128,
            num_attention_heads=8,
            num_kv_heads=2,
            new_decoder_architecture=True,
            vocab_size=500,
            bias=True,
        ),
    ),
    (
        "falcon",
        dict(
            hidden_size=128,
            num_attention_heads=4,
            multi_query=False,
            parallel_attn=False,
            alibi=True,
            vocab_size=500,
            ffn_hidden_size=300,
        ),
    ),
    ("mpt", dict(d_model=128, n_heads=4, vocab_size=500, max_seq_len=256)),
    ("mpt", dict(d_model=128, n_heads=4, vocab_size=500, max_seq_len=256, no_bias=False, expansion_ratio=3)),
    ("mamba", dict(hidden_size=128, vocab_size=500, state_size=8)),
    (
        "mamba",
        dict(
            hidden_size=128, vocab_size=500, state_size=8, use_bias=True, time_step_rank=12, tie_word_embeddings=False
        ),
    ),
    ("falcon_mamba", dict(hidden_size=128, vocab_size=500, state_size=8)),
    ("mamba2", dict(hidden_size=128, vocab_size=500, state_size=16, num_heads=8, head_dim=32, n_groups=2, expand=2)),
    (
        "jamba",
        dict(
            hidden_size=128,
            intermediate_size=256,
            num_attention_heads=4,
            num_key_value_heads=2,
            vocab_size=500,
            num_experts=4,
            num_experts_per_tok=2,
            attn_layer_period=2,
            attn_layer_offset=1,
            expert_layer_period=2,
            expert_layer_offset=1,
            mamba_d_state=8,
            mamba_dt_rank=8,
        ),
    ),
]


def _layers_kw(model_type: str, kwargs: dict) -> dict:
    if any(k in kwargs for k in ("num_layers", "n_layer", "n_layers", "num_hidden_layers")):
        return kwargs
    config_class = CONFIG_MAPPING[model_type]
    params = config_class.__init__.__code__.co_varnames
    for key in ("num_hidden_layers", "n_layer", "n_layers", "num_layers"):
        if key in params or hasattr(config_class(), key):
            return {**kwargs, key: L}
    raise AssertionError(model_type)


def _transformers_count(config) -> int:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with torch.device("meta"):
            model = AutoModelForCausalLM.from_config(config)
    return sum(p.numel() for p in model.parameters())


def _ids(variant: tuple[str, dict]) -> str:
    return variant[0]


@pytest.mark.parametrize("variant", VARIANTS, ids=[f"{m}-{i}" for i, (m, _) in enumerate(VARIANTS)])
@pytest.mark.parametrize("serialisation", ["full", "diff"])
def test_count_matches_transformers(variant: tuple[str, dict], serialisation: str) -> None:
    model_type, kwargs = variant
    config = CONFIG_MAPPING[model_type](**_layers_kw(model_type, kwargs))
    expected = _transformers_count(config)
    raw = config.to_dict() if serialisation == "full" else config.to_diff_dict()
    raw = json.loads(json.dumps(raw, default=str))  # exactly what a config.json file holds
    spec = resolve_spec(raw, f"test/{model_type}")
    assert spec.n_params == expected, (spec.n_params_breakdown, expected - spec.n_params)


def test_every_supported_family_is_exercised() -> None:
    exercised = {m for m, _ in VARIANTS}
    assert set(SUPPORTED_MODEL_TYPES) <= exercised, set(SUPPORTED_MODEL_TYPES) - exercised


PRESET_IDS = sorted(p.model_id for p in __import__("tafagent.core.spec.presets", fromlist=["x"]).list_presets())


@pytest.mark.parametrize("model_id", PRESET_IDS)
def test_every_preset_count_matches_transformers(model_id: str) -> None:
    from tafagent.core.spec.presets import get_preset

    preset = get_preset(model_id)
    raw = dict(preset.config)
    model_type = raw.pop("model_type")
    raw.pop("architectures", None)
    config = transformers.AutoConfig.for_model(model_type, **raw)
    expected = _transformers_count(config)
    assert preset.spec().n_params == expected
