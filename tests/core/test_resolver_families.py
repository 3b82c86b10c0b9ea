"""ModelSpec resolution, family by family, from configs written the way the Hub serves them."""

from __future__ import annotations

from typing import Any

import pytest

from tafagent.core import ConfigError, resolve_spec
from tafagent.core.errors import UnsupportedModelError
from tafagent.core.spec.model_spec import FAMILIES, ModelSpec

GPT2 = {
    "model_type": "gpt2",
    "architectures": ["GPT2LMHeadModel"],
    "n_embd": 768,
    "n_layer": 12,
    "n_head": 12,
    "n_positions": 1024,
    "n_ctx": 1024,
    "vocab_size": 50257,
    "n_inner": None,
}
BLOOM = {
    "model_type": "bloom",
    "architectures": ["BloomForCausalLM"],
    "hidden_size": 1024,
    "n_layer": 24,
    "n_head": 16,
    "vocab_size": 250880,
}
MPT_7B = {
    "model_type": "mpt",
    "architectures": ["MPTForCausalLM"],
    "d_model": 4096,
    "n_heads": 32,
    "n_layers": 32,
    "expansion_ratio": 4,
    "max_seq_len": 2048,
    "vocab_size": 50432,
    "attn_config": {"alibi": True, "attn_type": "multihead_attention", "alibi_bias_max": 8},
}
FALCON_7B = {
    "model_type": "falcon",
    "hidden_size": 4544,
    "num_hidden_layers": 32,
    "num_attention_heads": 71,
    "multi_query": True,
    "new_decoder_architecture": False,
    "parallel_attn": True,
    "alibi": False,
    "bias": False,
    "vocab_size": 65024,
}
FALCON_40B = {
    "model_type": "falcon",
    "hidden_size": 8192,
    "num_hidden_layers": 60,
    "num_attention_heads": 128,
    "num_kv_heads": 8,
    "new_decoder_architecture": True,
    "parallel_attn": True,
    "alibi": False,
    "bias": False,
    "vocab_size": 65024,
}
PYTHIA_1B = {
    "model_type": "gpt_neox",
    "hidden_size": 2048,
    "intermediate_size": 8192,
    "num_hidden_layers": 16,
    "num_attention_heads": 8,
    "rotary_pct": 0.25,
    "rotary_emb_base": 10000,
    "max_position_embeddings": 2048,
    "vocab_size": 50304,
    "tie_word_embeddings": False,
    "use_parallel_residual": True,
}
GPTJ = {
    "model_type": "gptj",
    "n_embd": 4096,
    "n_layer": 28,
    "n_head": 16,
    "rotary_dim": 64,
    "n_positions": 2048,
    "vocab_size": 50400,
}
QWEN2_7B = {
    "model_type": "qwen2",
    "hidden_size": 3584,
    "intermediate_size": 18944,
    "num_hidden_layers": 28,
    "num_attention_heads": 28,
    "num_key_value_heads": 4,
    "max_position_embeddings": 131072,
    "sliding_window": 131072,
    "use_sliding_window": False,
    "max_window_layers": 28,
    "rope_theta": 1e6,
    "vocab_size": 152064,
    "tie_word_embeddings": False,
}
MISTRAL_7B = {
    "model_type": "mistral",
    "hidden_size": 4096,
    "intermediate_size": 14336,
    "num_hidden_layers": 32,
    "num_attention_heads": 32,
    "num_key_value_heads": 8,
    "max_position_embeddings": 32768,
    "sliding_window": 4096,
    "rope_theta": 10000.0,
    "vocab_size": 32000,
}
GEMMA2_9B = {
    "model_type": "gemma2",
    "hidden_size": 3584,
    "intermediate_size": 14336,
    "num_hidden_layers": 42,
    "num_attention_heads": 16,
    "num_key_value_heads": 8,
    "head_dim": 256,
    "max_position_embeddings": 8192,
    "sliding_window": 4096,
    "rope_theta": 10000.0,
    "vocab_size": 256000,
}
NEMO = {
    "model_type": "mistral",
    "hidden_size": 5120,
    "intermediate_size": 14336,
    "num_hidden_layers": 40,
    "num_attention_heads": 32,
    "num_key_value_heads": 8,
    "head_dim": 128,
    "max_position_embeddings": 1024000,
    "rope_theta": 1000000.0,
    "sliding_window": None,
    "vocab_size": 131072,
}
LLAMA_31 = {
    "model_type": "llama",
    "hidden_size": 4096,
    "intermediate_size": 14336,
    "num_hidden_layers": 32,
    "num_attention_heads": 32,
    "num_key_value_heads": 8,
    "max_position_embeddings": 131072,
    "rope_theta": 500000.0,
    "vocab_size": 128256,
    "rope_scaling": {
        "factor": 8.0,
        "low_freq_factor": 1.0,
        "high_freq_factor": 4.0,
        "original_max_position_embeddings": 8192,
        "rope_type": "llama3",
    },
}
MIXTRAL = {
    "model_type": "mixtral",
    "hidden_size": 4096,
    "intermediate_size": 14336,
    "num_hidden_layers": 32,
    "num_attention_heads": 32,
    "num_key_value_heads": 8,
    "num_local_experts": 8,
    "num_experts_per_tok": 2,
    "max_position_embeddings": 32768,
    "rope_theta": 1e6,
    "vocab_size": 32000,
    "sliding_window": None,
}
DEEPSEEK_V2_LITE = {
    "model_type": "deepseek_v2",
    "hidden_size": 2048,
    "intermediate_size": 10944,
    "moe_intermediate_size": 1408,
    "num_hidden_layers": 27,
    "num_attention_heads": 16,
    "num_key_value_heads": 16,
    "kv_lora_rank": 512,
    "q_lora_rank": None,
    "qk_rope_head_dim": 64,
    "qk_nope_head_dim": 128,
    "v_head_dim": 128,
    "n_routed_experts": 64,
    "n_shared_experts": 2,
    "num_experts_per_tok": 6,
    "first_k_dense_replace": 1,
    "moe_layer_freq": 1,
    "max_position_embeddings": 163840,
    "rope_theta": 10000,
    "vocab_size": 102400,
    "rope_scaling": {
        "type": "yarn",
        "factor": 40,
        "original_max_position_embeddings": 4096,
        "beta_fast": 32,
        "beta_slow": 1,
        "mscale": 0.707,
        "mscale_all_dim": 0.707,
    },
}
MAMBA = {
    "model_type": "mamba",
    "hidden_size": 2560,
    "num_hidden_layers": 64,
    "vocab_size": 50280,
    "state_size": 16,
    "expand": 2,
    "intermediate_size": 5120,
    "conv_kernel": 4,
    "time_step_rank": 160,
}
JAMBA = {
    "model_type": "jamba",
    "hidden_size": 4096,
    "intermediate_size": 14336,
    "num_hidden_layers": 32,
    "num_attention_heads": 32,
    "num_key_value_heads": 8,
    "num_experts": 16,
    "num_experts_per_tok": 2,
    "attn_layer_period": 8,
    "attn_layer_offset": 4,
    "expert_layer_period": 2,
    "expert_layer_offset": 1,
    "mamba_d_state": 16,
    "mamba_d_conv": 4,
    "mamba_expand": 2,
    "mamba_dt_rank": 256,
    "vocab_size": 65536,
    "max_position_embeddings": 262144,
}


def spec_of(config: dict[str, Any]) -> ModelSpec:
    return resolve_spec(config, "test")


def test_every_field_has_a_source(llama_config) -> None:
    spec = spec_of(llama_config)
    names = set(spec.to_dict()) - {"sources", "warnings", "has_gqa", "has_swa"}
    assert names <= set(spec.sources), names - set(spec.sources)
    assert spec.sources["n_kv_heads"].key == "num_key_value_heads"
    assert spec.sources["d_head"].kind == "derived"


def test_llama_3_8b(llama_config) -> None:
    spec = spec_of(llama_config)
    assert (spec.family, spec.attention, spec.rope_theta, spec.T_train) == ("rope-gqa", "gqa", 500000.0, 8192)
    assert (spec.d_head, spec.n_kv_heads, spec.partial_rotary, spec.sliding_window) == (128, 8, 1.0, None)
    assert spec.n_params == 8_030_261_248


@pytest.mark.parametrize("config,family", [(GPT2, "abspe"), (BLOOM, "alibi"), (MPT_7B, "alibi")])
def test_models_without_rope_have_no_theta(config, family) -> None:
    spec = spec_of(config)
    assert spec.family == family
    assert spec.rope_theta is None and spec.partial_rotary is None and spec.rope_scaling is None
    assert spec.sources["rope_theta"].kind == "derived"


def test_gpt2_reads_n_embd_and_counts_exactly() -> None:
    spec = spec_of(GPT2)
    assert (spec.d_model, spec.n_layers, spec.n_heads, spec.T_train, spec.d_ff) == (768, 12, 12, 1024, 3072)
    assert spec.n_params == 124_439_808
    assert spec.sources["d_model"].key == "n_embd"


def test_mpt_without_alibi_uses_learned_positions() -> None:
    config = {**MPT_7B, "attn_config": {"alibi": False}}
    assert spec_of(config).family == "abspe"


def test_falcon_alibi_flag() -> None:
    assert spec_of({**FALCON_7B, "alibi": True}).family == "alibi"
    assert spec_of({**FALCON_7B, "alibi": True}).rope_theta is None


def test_falcon_multi_query_is_mqa() -> None:
    spec = spec_of(FALCON_7B)
    assert (spec.n_kv_heads, spec.attention, spec.family, spec.d_head) == (1, "mqa", "rope-gqa", 64)
    assert spec.rope_theta == 10000.0 and spec.sources["rope_theta"].kind == "default"
    assert spec.n_params == 6_921_720_704


def test_falcon_new_decoder_architecture_reads_num_kv_heads() -> None:
    spec = spec_of(FALCON_40B)
    assert (spec.n_kv_heads, spec.attention) == (8, "gqa")


def test_pythia_partial_rotary_and_rotary_emb_base() -> None:
    spec = spec_of(PYTHIA_1B)
    assert spec.partial_rotary == 0.25 and spec.sources["partial_rotary"].key == "rotary_pct"
    assert spec.rope_theta == 10000.0 and spec.sources["rope_theta"].key == "rotary_emb_base"
    assert spec.n_params == 1_011_781_632


def test_gptj_rotary_dim_is_a_fraction_of_head() -> None:
    spec = spec_of(GPTJ)
    assert spec.d_head == 256 and spec.partial_rotary == 0.25
    assert spec.rope_theta == 10000.0


def test_qwen2_disabled_window_is_not_swa() -> None:
    spec = spec_of(QWEN2_7B)
    assert spec.sliding_window is None and not spec.has_swa
    assert "use_sliding_window: false" in spec.sources["sliding_window"].note


def test_qwen2_enabled_window_only_on_upper_layers() -> None:
    config = {**QWEN2_7B, "use_sliding_window": True, "sliding_window": 4096, "max_window_layers": 20}
    spec = spec_of(config)
    assert spec.sliding_window == 4096
    assert spec.layer_types is not None
    assert spec.layer_types[:20] == ("full_attention",) * 20 and spec.layer_types[20:] == ("sliding_attention",) * 8


def test_mistral_window_on_every_layer() -> None:
    spec = spec_of(MISTRAL_7B)
    assert spec.sliding_window == 4096 and spec.layer_types is None
    assert set(spec.layer_kinds()) == {"sliding_attention"}


def test_ghost_window_larger_than_max_positions_is_not_swa() -> None:
    spec = spec_of({**MISTRAL_7B, "sliding_window": 32768})
    assert spec.sliding_window is None
    assert "ghost" in spec.sources["sliding_window"].note


def test_gemma2_alternates_sliding_and_global_layers() -> None:
    spec = spec_of(GEMMA2_9B)
    assert spec.sliding_window == 4096 and spec.layer_types is not None
    assert spec.layer_types[:4] == ("sliding_attention", "full_attention", "sliding_attention", "full_attention")
    assert spec.layer_types.count("full_attention") == 21
    assert spec.d_head == 256 and spec.sources["d_head"].key == "head_dim"
    assert spec.tie_embeddings is True and spec.sources["tie_embeddings"].kind == "default"


def test_gemma3_pattern_five_local_one_global() -> None:
    config = {
        "model_type": "gemma3_text",
        "hidden_size": 2560,
        "intermediate_size": 10240,
        "num_hidden_layers": 12,
        "num_attention_heads": 8,
        "num_key_value_heads": 4,
        "head_dim": 256,
        "sliding_window": 1024,
        "max_position_embeddings": 131072,
        "vocab_size": 262208,
        "rope_theta": 1e6,
    }
    spec = spec_of(config)
    assert spec.layer_types is not None
    assert [i for i, k in enumerate(spec.layer_types) if k == "full_attention"] == [5, 11]


def test_listed_layer_types_are_kept() -> None:
    kinds = ["sliding_attention", "full_attention"] * 2
    spec = spec_of({**MISTRAL_7B, "num_hidden_layers": 4, "layer_types": kinds, "sliding_window": 128})
    assert spec.layer_types == tuple(kinds)
    assert spec.sources["layer_types"].key == "layer_types"


def test_explicit_head_dim_wins_over_hidden_over_heads() -> None:
    spec = spec_of(NEMO)
    assert spec.d_head == 128 and spec.d_model // spec.n_heads == 160
    assert "differs from hidden/heads" in spec.sources["d_head"].note
    assert spec.n_params == 12_247_782_400


@pytest.mark.parametrize(
    "scaling,expected",
    [
        ({"type": "linear", "factor": 4.0}, ("linear", 4.0, None)),
        ({"type": "dynamic", "factor": 2.0}, ("dynamic", 2.0, None)),
        ({"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 32768}, ("yarn", 4.0, 32768)),
        (LLAMA_31["rope_scaling"], ("llama3", 8.0, 8192)),
    ],
)
def test_rope_scaling_keeps_type_factor_and_original_length(scaling, expected) -> None:
    spec = spec_of({**LLAMA_31, "rope_scaling": scaling})
    assert spec.rope_scaling is not None
    assert (
        spec.rope_scaling.type,
        spec.rope_scaling.factor,
        spec.rope_scaling.original_max_position_embeddings,
    ) == expected


def test_llama3_scaling_extra_parameters_kept() -> None:
    spec = spec_of(LLAMA_31)
    assert spec.rope_scaling is not None and spec.rope_scaling.params["high_freq_factor"] == 4.0


def test_transformers_v5_rope_parameters() -> None:
    config = {k: v for k, v in LLAMA_31.items() if k not in ("rope_theta", "rope_scaling")}
    config["rope_parameters"] = {
        "rope_type": "llama3",
        "rope_theta": 500000.0,
        "factor": 8.0,
        "low_freq_factor": 1.0,
        "high_freq_factor": 4.0,
        "original_max_position_embeddings": 8192,
    }
    spec = spec_of(config)
    assert spec.rope_theta == 500000.0 and spec.sources["rope_theta"].key == "rope_parameters.rope_theta"
    assert spec.rope_scaling is not None and spec.rope_scaling.type == "llama3"


def test_rope_parameters_per_layer_type_use_the_global_layers() -> None:
    config = {
        "model_type": "gemma3_text",
        "hidden_size": 256,
        "intermediate_size": 512,
        "num_hidden_layers": 6,
        "num_attention_heads": 4,
        "num_key_value_heads": 1,
        "head_dim": 64,
        "vocab_size": 1000,
        "max_position_embeddings": 32768,
        "sliding_window": 512,
        "rope_parameters": {
            "full_attention": {"rope_type": "default", "rope_theta": 1000000.0},
            "sliding_attention": {"rope_type": "default", "rope_theta": 10000.0},
        },
    }
    spec = spec_of(config)
    assert spec.rope_theta == 1e6 and spec.rope_scaling is None


def test_default_rope_type_is_no_scaling(llama_config) -> None:
    spec = spec_of({**llama_config, "rope_scaling": {"rope_type": "default"}})
    assert spec.rope_scaling is None


def test_mixtral_active_parameters() -> None:
    spec = spec_of(MIXTRAL)
    assert spec.moe is not None and (spec.moe.n_experts, spec.moe.experts_per_token) == (8, 2)
    assert spec.n_params == 46_702_792_704 and spec.n_params_active == 12_879_925_248


def test_deepseek_mla_and_shared_experts() -> None:
    spec = spec_of(DEEPSEEK_V2_LITE)
    assert spec.mla is not None and (spec.mla.kv_lora_rank, spec.mla.qk_rope_head_dim) == (512, 64)
    assert spec.attention == "mla" and spec.d_head == 192
    assert spec.moe is not None and spec.moe.n_shared_experts == 2 and spec.moe.n_moe_layers == 26
    assert spec.rope_scaling is not None and spec.rope_scaling.type == "yarn"
    assert spec.n_params_active < spec.n_params


def test_mamba_is_ssm_with_state_sizes() -> None:
    spec = spec_of(MAMBA)
    assert spec.family == "ssm" and spec.attention == "none"
    assert spec.ssm is not None and (spec.ssm.d_state, spec.ssm.d_inner, spec.ssm.d_conv) == (16, 5120, 4)
    # no max positions in the config: the training length (2,048, the Mamba paper) comes from the sourced table
    assert spec.rope_theta is None and spec.T_train == 2048
    assert spec.n_heads == 0 and spec.n_params == 2_768_345_600


def test_jamba_is_hybrid() -> None:
    spec = spec_of(JAMBA)
    assert spec.family == "hybrid" and spec.layer_types is not None
    assert spec.layer_types.count("full_attention") == 4 and spec.layer_types[4] == "full_attention"
    assert spec.moe is not None and spec.moe.n_moe_layers == 16


def test_multimodal_text_config_is_read(llama_config) -> None:
    config = {
        "model_type": "llava",
        "architectures": ["LlavaForConditionalGeneration"],
        "text_config": llama_config,
        "vision_config": {"model_type": "clip_vision_model", "hidden_size": 1024},
    }
    spec = spec_of(config)
    assert spec.n_layers == 32 and spec.sources["n_layers"].key == "text_config.num_hidden_layers"
    assert any("multimodal" in w for w in spec.warnings)
    assert spec.n_params == 8_030_261_248


@pytest.mark.parametrize("model_type", ["bert", "t5", "vit", "whisper"])
def test_non_decoder_models_are_refused_clearly(model_type) -> None:
    with pytest.raises(UnsupportedModelError) as info:
        spec_of(
            {
                "model_type": model_type,
                "hidden_size": 768,
                "num_hidden_layers": 12,
                "num_attention_heads": 12,
                "vocab_size": 30000,
            }
        )
    assert model_type in info.value.message


def test_unknown_model_type_with_standard_keys_gives_a_warned_spec(llama_config) -> None:
    spec = spec_of({**llama_config, "model_type": "brandnew"})
    assert any("brandnew" in w for w in spec.warnings)
    assert "estimate" in spec.sources["n_params"].note


def test_unknown_model_type_without_position_info_is_an_error() -> None:
    config = {
        "model_type": "mystery",
        "hidden_size": 256,
        "num_hidden_layers": 2,
        "num_attention_heads": 4,
        "intermediate_size": 512,
        "vocab_size": 100,
    }
    with pytest.raises(ConfigError, match="positions"):
        spec_of(config)


def test_families_are_from_the_documented_set() -> None:
    for config in (GPT2, BLOOM, MPT_7B, FALCON_7B, PYTHIA_1B, QWEN2_7B, MISTRAL_7B, GEMMA2_9B, MIXTRAL, MAMBA, JAMBA):
        assert spec_of(config).family in FAMILIES


def test_quantization_config_is_summarised(llama_config) -> None:
    llama_config["quantization_config"] = {"quant_method": "gptq", "bits": 4, "group_size": 128, "desc_act": False}
    spec = spec_of(llama_config)
    assert spec.quantization is not None
    assert (spec.quantization.method, spec.quantization.bits, spec.quantization.group_size) == ("gptq", 4.0, 128)


def test_bitsandbytes_4bit(llama_config) -> None:
    llama_config["quantization_config"] = {"quant_method": "bitsandbytes", "load_in_4bit": True}
    assert spec_of(llama_config).quantization.bits == 4.0  # type: ignore[union-attr]


def test_to_dict_is_json_ready(llama_config) -> None:
    import json

    data = spec_of(llama_config).to_dict()
    assert json.loads(json.dumps(data, allow_nan=False))["sources"]["rope_theta"]["key"] == "rope_theta"
