"""config.json → ModelSpec: one resolver per field, every value with its source.

The reference app read configs with JavaScript ``||`` chains (spec §6.4): it fabricated θ = 10000 for
ALiBi/absolute-position models, ignored ``rope_scaling``, partial rotary, Falcon multi-query, MPT's
``attn_config``, nested ``text_config`` and ``layer_types``, marked Qwen2 configs with
``use_sliding_window: false`` as SWA and estimated parameters as 12·h²·L + 2·V·h (spec §9 items 13–17).
This module reads each of those correctly, family by family, and refuses to guess: a value that is
missing gets a documented default with a note, or an error that names the field.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from typing import Any

from tafagent.core.errors import ConfigError, UnsupportedModelError
from tafagent.core.spec.config_view import ConfigView
from tafagent.core.spec.model_spec import (
    FieldSource,
    MLASpec,
    ModelSpec,
    MoESpec,
    QuantSpec,
    RopeScaling,
    SSMSpec,
)
from tafagent.core.spec.param_count import SUPPORTED_MODEL_TYPES, ArchDims, count_parameters

# Upper bounds that no real model reaches; values above them are typos or hostile input.
MAX_LAYERS = 100_000
MAX_WIDTH = 10_000_000
MAX_HEADS = 100_000
MAX_VOCAB = 100_000_000
MAX_POSITIONS = 2**34
MAX_THETA = 1e13

SSM_TYPES = frozenset({"mamba", "mamba2", "falcon_mamba"})
ALIBI_TYPES = frozenset({"bloom"})
ABSPE_TYPES = frozenset({"gpt2", "gpt_neo", "gpt_bigcode", "opt", "biogpt", "xglm", "xlm", "ctrl", "openai-gpt"})
# Types that use RoPE even when the config carries no theta key (their code hard-codes or defaults it).
ROPE_TYPES = frozenset(SUPPORTED_MODEL_TYPES) - SSM_TYPES - ALIBI_TYPES - ABSPE_TYPES - {"mpt", "falcon", "jamba"}

ENCODER_ONLY = frozenset(
    {
        "bert",
        "roberta",
        "xlm-roberta",
        "distilbert",
        "albert",
        "electra",
        "deberta",
        "deberta-v2",
        "mpnet",
        "camembert",
        "ernie",
        "modernbert",
        "nomic_bert",
        "xlm-roberta-xl",
        "rembert",
        "esm",
    }
)
ENCODER_DECODER = frozenset(
    {
        "t5",
        "mt5",
        "umt5",
        "bart",
        "mbart",
        "pegasus",
        "marian",
        "led",
        "longt5",
        "switch_transformers",
        "whisper",
        "prophetnet",
        "fsmt",
        "m2m_100",
        "nllb-moe",
        "seamless_m4t",
    }
)
VISION_OR_AUDIO = frozenset(
    {
        "vit",
        "clip",
        "clip_vision_model",
        "siglip",
        "siglip_vision_model",
        "dinov2",
        "convnext",
        "resnet",
        "swin",
        "beit",
        "deit",
        "detr",
        "sam",
        "wav2vec2",
        "hubert",
        "audio-spectrogram-transformer",
        "yolos",
    }
)
NESTED_TEXT_KEYS = ("text_config", "llm_config", "language_config")


@cache
def _config_defaults() -> dict[str, Any]:
    text = resources.files("tafagent.core").joinpath("data/config_defaults.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def transformers_defaults(model_type: str | None) -> tuple[dict[str, Any], str]:
    """The config-class defaults of ``model_type`` and a label naming their origin."""
    table = _config_defaults()
    if model_type is None or model_type not in table:
        return {}, ""
    entry = dict(table[model_type])
    origin = f"transformers {table['_transformers_version']} {entry.pop('_class')} default"
    return entry, origin


@dataclass
class _Draft:
    """Values and sources collected while resolving one config."""

    view: ConfigView
    model_id: str
    values: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, FieldSource] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def put(self, name: str, value: Any, source: FieldSource) -> Any:
        self.values[name] = value
        self.sources[name] = source
        return value

    def from_config(self, name: str, value: Any, key: str, note: str = "") -> Any:
        return self.put(name, value, FieldSource("config", self.view.name(key), note))

    def derived(self, name: str, value: Any, note: str) -> Any:
        return self.put(name, value, FieldSource("derived", None, note))

    def default(self, name: str, value: Any, note: str) -> Any:
        return self.put(name, value, FieldSource("default", None, note))


# =============================================================================================
# Entry point
# =============================================================================================
def resolve_spec(
    config: Mapping[str, Any],
    model_id: str | None = None,
    *,
    documented: Mapping[str, Any] | None = None,
    provenance: Mapping[str, str] | None = None,
) -> ModelSpec:
    """Turn a raw ``config.json`` dict into a :class:`ModelSpec`.

    ``documented`` holds values that an embedded preset documents from outside the config (e.g. the
    real pre-training length when it differs from max positions): ``{"T_train": 8192, "note": ...}``.
    Raises :class:`ConfigError` (naming the field) for missing, mistyped or impossible values and
    :class:`UnsupportedModelError` for configs that are not decoder language models.
    """
    if not isinstance(config, Mapping):
        raise ConfigError(
            f"a model config must be a JSON object, got {type(config).__name__}",
            "pass the model's config.json",
        )
    top_type = _model_type(config, "")
    _reject_non_lm(top_type, config)
    view, nested_note = _text_view(config, top_type)
    draft = _Draft(view=view, model_id=model_id or _fallback_id(config))
    if nested_note:
        draft.warnings.append(nested_note)

    model_type = _model_type(view.raw, view.prefix) if view.prefix else top_type
    if view.prefix:
        _reject_non_lm(model_type, view.raw)
    if model_type is None:
        model_type = _model_type_from_architectures(config)
    defaults, origin = transformers_defaults(model_type)
    view.defaults, view.defaults_origin = defaults, origin
    draft.put(
        "model_type",
        model_type,
        FieldSource("config", view.name("model_type"))
        if view.has("model_type")
        else FieldSource("derived", None, "from 'architectures'")
        if model_type
        else FieldSource("default", None, "config has no model_type"),
    )
    if model_type is None:
        draft.warnings.append("config has no model_type: read with generic Llama-style rules")
    elif model_type not in SUPPORTED_MODEL_TYPES:
        draft.warnings.append(
            f"model_type '{model_type}' has no exact rules here: sizes are read from standard keys and "
            "the parameter count assumes a Llama-style block (unverified)"
        )
    draft.put("architectures", _architectures(config), FieldSource("config", "architectures"))

    is_ssm = model_type in SSM_TYPES
    _resolve_core_sizes(draft, model_type, is_ssm)
    _resolve_positions(draft, model_type, is_ssm)
    _resolve_layer_kinds(draft, model_type, is_ssm)
    _resolve_moe(draft, model_type)
    _resolve_mla(draft, model_type)
    _resolve_ssm(draft, model_type)
    _resolve_misc(draft, config)
    if documented:
        _apply_documented(draft, documented)
    _classify(draft, model_type)
    _count(draft, model_type)
    spec = _build(draft)
    if provenance:
        spec = replace(spec, provenance=dict(provenance))
    return spec


# =============================================================================================
# Model type, nesting, rejection
# =============================================================================================
def _model_type(raw: Mapping[str, Any], prefix: str) -> str | None:
    value = raw.get("model_type")
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(
            f"config field '{prefix}model_type' must be a non-empty string, got {value!r}",
            "fix the value in config.json",
            field=f"{prefix}model_type",
        )
    return value.strip().lower()


_ARCH_PREFIXES = {
    "LlamaFor": "llama",
    "MistralFor": "mistral",
    "MixtralFor": "mixtral",
    "Qwen2For": "qwen2",
    "Qwen2MoeFor": "qwen2_moe",
    "Qwen3For": "qwen3",
    "Qwen3MoeFor": "qwen3_moe",
    "GemmaFor": "gemma",
    "Gemma2For": "gemma2",
    "Gemma3ForCausalLM": "gemma3_text",
    "Phi3For": "phi3",
    "PhiFor": "phi",
    "GPTNeoXFor": "gpt_neox",
    "GPTJFor": "gptj",
    "GPT2LMHead": "gpt2",
    "GPTNeoFor": "gpt_neo",
    "OPTFor": "opt",
    "BloomFor": "bloom",
    "FalconFor": "falcon",
    "RWFor": "falcon",
    "MptFor": "mpt",
    "MPTFor": "mpt",
    "MambaFor": "mamba",
    "Mamba2For": "mamba2",
    "JambaFor": "jamba",
    "DeepseekV2For": "deepseek_v2",
    "DeepseekV3For": "deepseek_v3",
    "StableLmFor": "stablelm",
    "Starcoder2For": "starcoder2",
    "GPTBigCodeFor": "gpt_bigcode",
    "CodeGenFor": "codegen",
}


def _model_type_from_architectures(config: Mapping[str, Any]) -> str | None:
    for arch in _architectures(config):
        for prefix, model_type in _ARCH_PREFIXES.items():
            if arch.startswith(prefix):
                return model_type
    return None


def _architectures(config: Mapping[str, Any]) -> tuple[str, ...]:
    value = config.get("architectures")
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(a, str) for a in value):
        raise ConfigError(
            f"config field 'architectures' must be a list of class names, got {value!r}"[:160],
            "fix the value in config.json",
            field="architectures",
        )
    return tuple(value)


def _fallback_id(config: Mapping[str, Any]) -> str:
    name = config.get("_name_or_path")
    if isinstance(name, str) and name.strip():
        return name.strip()
    model_type = config.get("model_type")
    return f"<config:{model_type}>" if isinstance(model_type, str) else "<config>"


def _reject_non_lm(model_type: str | None, raw: Mapping[str, Any]) -> None:
    if model_type in ENCODER_ONLY:
        raise UnsupportedModelError(
            f"model_type '{model_type}' is an encoder-only model, not a decoder language model",
            "tafagent answers generation questions (context, KV cache, decode cost); for embeddings "
            "only the weight size applies — use `taf memory` once available",
            field="model_type",
        )
    if model_type in ENCODER_DECODER:
        raise UnsupportedModelError(
            f"model_type '{model_type}' is an encoder-decoder model; tafagent analyses decoder-only LLMs",
            "RoPE/KV recipes do not apply to its cross-attention",
            field="model_type",
        )
    if model_type in VISION_OR_AUDIO and not any(k in raw for k in NESTED_TEXT_KEYS):
        raise UnsupportedModelError(
            f"model_type '{model_type}' is a vision/audio encoder with no language model",
            "pass the config of a text or multimodal LLM",
            field="model_type",
        )


def _text_view(config: Mapping[str, Any], top_type: str | None) -> tuple[ConfigView, str]:
    """Use the nested language-model config of a multimodal model when the top level has none."""
    has_top_sizes = any(k in config for k in ("num_hidden_layers", "n_layer", "n_layers", "num_layers"))
    for key in NESTED_TEXT_KEYS:
        nested = config.get(key)
        if nested is None or has_top_sizes:
            continue
        if not isinstance(nested, Mapping):
            raise ConfigError(
                f"config field '{key}' must be an object, got {type(nested).__name__}",
                "fix the value in config.json",
                field=key,
            )
        note = (
            f"multimodal config ({top_type or 'unknown type'}): analysing the language model in "
            f"'{key}'; the vision/audio tower is not included in n_params"
        )
        return ConfigView(nested, prefix=f"{key}."), note
    return ConfigView(config), ""


# =============================================================================================
# Core sizes
# =============================================================================================
def _require_int(draft: _Draft, name: str, keys: tuple[str, ...], what: str, maximum: int) -> int:
    found = draft.view.get_int(keys, minimum=1, maximum=maximum)
    if found is None:
        shown = " / ".join(keys[:3])
        raise ConfigError(
            f"config has no {what} (looked for {shown})",
            "add the field to config.json or pass a complete config",
            field=draft.view.name(keys[0]),
        )
    value, key = found
    return int(draft.from_config(name, value, key))


def _resolve_core_sizes(draft: _Draft, model_type: str | None, is_ssm: bool) -> None:
    view = draft.view
    n_layers = _require_int(
        draft, "n_layers", ("num_hidden_layers", "n_layer", "n_layers", "num_layers"), "layer count", MAX_LAYERS
    )
    d_model = _require_int(draft, "d_model", ("hidden_size", "n_embd", "d_model"), "hidden size", MAX_WIDTH)
    vocab = _require_int(draft, "vocab_size", ("vocab_size", "padded_vocab_size"), "vocabulary size", MAX_VOCAB)
    del n_layers, vocab

    if is_ssm:
        for name in ("n_heads", "n_kv_heads", "d_head"):
            draft.derived(name, 0, "state-space model: no attention heads")
        draft.derived("d_ff", 0, "state-space model: the mixer replaces the MLP")
        draft.derived("attention", "none", "state-space model")
        return

    # Heads --------------------------------------------------------------------------------
    n_heads = _require_int(
        draft,
        "n_heads",
        ("num_attention_heads", "n_head", "n_heads", "num_heads"),
        "attention head count",
        MAX_HEADS,
    )
    _resolve_kv_heads(draft, model_type, n_heads)
    n_kv = draft.values["n_kv_heads"]
    if n_heads % n_kv:
        raise ConfigError(
            f"{n_heads} attention heads are not divisible by {n_kv} key/value heads",
            "num_attention_heads must be a multiple of num_key_value_heads",
            field=draft.sources["n_kv_heads"].key or "num_key_value_heads",
        )

    # Head dimension -------------------------------------------------------------------------
    mla_rope = view.get_int(["qk_rope_head_dim"], minimum=0, maximum=MAX_WIDTH)
    mla_nope = view.get_int(["qk_nope_head_dim"], minimum=0, maximum=MAX_WIDTH)
    head_dim = view.get_int(["head_dim"], minimum=1, maximum=MAX_WIDTH)
    if view.has("kv_lora_rank") and mla_rope and mla_nope:
        draft.derived(
            "d_head", mla_rope[0] + mla_nope[0], "MLA query/key head size = qk_nope_head_dim + qk_rope_head_dim"
        )
    elif head_dim is not None:
        draft.from_config("d_head", head_dim[0], head_dim[1])
        if head_dim[0] * n_heads != d_model:
            draft.sources["d_head"] = FieldSource(
                "config", view.name("head_dim"), f"explicit; differs from hidden/heads = {d_model / n_heads:g}"
            )
    else:
        if d_model % n_heads:
            raise ConfigError(
                f"hidden size {d_model} is not divisible by {n_heads} attention heads and the config has no head_dim",
                "add 'head_dim' to config.json",
                field=draft.sources["d_model"].key or "hidden_size",
            )
        draft.derived("d_head", d_model // n_heads, "hidden_size / num_attention_heads")

    # MLP width ------------------------------------------------------------------------------
    _resolve_d_ff(draft, model_type, d_model)


def _resolve_kv_heads(draft: _Draft, model_type: str | None, n_heads: int) -> None:
    view = draft.view
    if model_type == "falcon":
        if view.get_bool("new_decoder_architecture"):
            found = view.get_int(["num_kv_heads", "n_head_kv"], minimum=1, maximum=MAX_HEADS)
            if found:
                draft.from_config("n_kv_heads", found[0], found[1])
            else:
                draft.default("n_kv_heads", n_heads, "new_decoder_architecture without num_kv_heads: one per head")
        elif view.get_bool("multi_query", True):
            key = "multi_query" if view.has("multi_query") else None
            note = "multi_query: one shared key/value head (MQA)"
            if key:
                draft.from_config("n_kv_heads", 1, key, note)
            else:
                draft.default("n_kv_heads", 1, f"{note}; FalconConfig defaults multi_query to true")
        else:
            draft.from_config("n_kv_heads", n_heads, "multi_query", "multi_query: false → multi-head attention")
        return
    if model_type == "gpt_bigcode":
        if view.get_bool("multi_query", True):
            draft.put(
                "n_kv_heads",
                1,
                FieldSource(
                    "config" if view.has("multi_query") else "default",
                    view.name("multi_query") if view.has("multi_query") else None,
                    "multi_query: one shared key/value head (MQA)",
                ),
            )
        else:
            draft.from_config("n_kv_heads", n_heads, "multi_query", "multi_query: false")
        return
    if model_type == "mpt":
        attn = view.sub("attn_config") or {}
        kv = attn.get("kv_n_heads")
        if kv is not None and attn.get("attn_type") == "grouped_query_attention":
            value = view.int_value("attn_config.kv_n_heads", kv, minimum=1, maximum=MAX_HEADS)
            draft.from_config("n_kv_heads", value, "attn_config.kv_n_heads")
            return
    found = view.get_int(
        ["num_key_value_heads", "num_kv_heads", "n_head_kv", "multi_query_group_num"], minimum=1, maximum=MAX_HEADS
    )
    if found:
        draft.from_config("n_kv_heads", found[0], found[1])
    else:
        draft.default("n_kv_heads", n_heads, "no num_key_value_heads: one KV head per query head (MHA)")


def _resolve_d_ff(draft: _Draft, model_type: str | None, d_model: int) -> None:
    view = draft.view
    if model_type == "mpt":
        # transformers' MPT port hard-codes a 4× bias-free MLP (expansion_ratio and no_bias are ignored);
        # the original remote code honours them, so say so when they differ.
        draft.derived("d_ff", 4 * d_model, "transformers' MPT uses a fixed 4 × d_model MLP")
        found = view.get_float(["expansion_ratio"], minimum=0, maximum=1e4, exclusive_minimum=True)
        if found and found[0] != 4:
            draft.warnings.append(
                f"expansion_ratio {found[0]:g} is ignored by transformers' MPT (fixed 4×); the original "
                "remote code would build a different MLP"
            )
        if view.has("no_bias") and not view.get_bool("no_bias"):
            draft.warnings.append("no_bias: false is ignored by transformers' MPT (always bias-free)")
        return
    if model_type == "bloom":
        draft.derived("d_ff", 4 * d_model, "Bloom's MLP is fixed at 4 × hidden_size")
        return
    found = view.get_int(
        ["intermediate_size", "ffn_hidden_size", "n_inner", "ffn_dim"], minimum=1, maximum=MAX_WIDTH * 16
    )
    if found:
        draft.from_config("d_ff", found[0], found[1])
        return
    if model_type in ("gpt2", "gptj", "codegen", "gpt_neo", "gpt_bigcode", "falcon", "jamba") or model_type is None:
        if model_type is None:
            raise ConfigError(
                "config has no MLP width (intermediate_size / n_inner / ffn_hidden_size)",
                "add 'intermediate_size' to config.json",
                field=view.name("intermediate_size"),
            )
        draft.derived("d_ff", 4 * d_model, f"{model_type}: an absent or null MLP width means 4 × hidden size")
        return
    raise ConfigError(
        "config has no MLP width (intermediate_size / n_inner / ffn_hidden_size)",
        "add 'intermediate_size' to config.json",
        field=view.name("intermediate_size"),
    )


# =============================================================================================
# Positions: RoPE θ, scaling, partial rotary, max positions
# =============================================================================================
def _rope_parameters(view: ConfigView) -> tuple[Mapping[str, Any] | None, str]:
    """transformers ≥ 5 stores θ and scaling in ``rope_parameters``; it can be keyed per layer type."""
    params = view.sub("rope_parameters")
    if params is None:
        return None, ""
    if "full_attention" in params and isinstance(params["full_attention"], Mapping):
        return params["full_attention"], "rope_parameters.full_attention."
    return params, "rope_parameters."


def _position_kind(draft: _Draft, model_type: str | None, is_ssm: bool) -> str:
    view = draft.view
    if is_ssm:
        return "none"
    if model_type in ALIBI_TYPES:
        return "alibi"
    if model_type == "mpt":
        attn = view.sub("attn_config") or {}
        alibi = attn.get("alibi", (view.default("attn_config") or {}).get("alibi", True))
        return "alibi" if alibi is True else "abspe"
    if model_type == "falcon":
        return "alibi" if view.get_bool("alibi") else "rope"
    if model_type in ABSPE_TYPES:
        return "abspe"
    if model_type == "jamba":
        return "none"  # Jamba's attention layers use no positional encoding; Mamba layers carry order
    has_rope_keys = any(
        view.has(k)
        for k in (
            "rope_theta",
            "rotary_emb_base",
            "rope_parameters",
            "rope_scaling",
            "rotary_dim",
            "rotary_pct",
            "partial_rotary_factor",
        )
    )
    if model_type in ROPE_TYPES or has_rope_keys:
        return "rope"
    if view.raw.get("alibi") is True or (view.sub("attn_config") or {}).get("alibi") is True:
        return "alibi"
    if view.get_str("position_embedding_type") == "absolute":
        return "abspe"
    raise ConfigError(
        f"cannot tell how model_type '{model_type}' encodes positions (no rope_theta, alibi or position "
        "embedding fields)",
        "add 'rope_theta' (RoPE) or 'alibi': true to the config",
        field=view.name("rope_theta"),
    )


def _resolve_positions(draft: _Draft, model_type: str | None, is_ssm: bool) -> None:
    view = draft.view
    kind = _position_kind(draft, model_type, is_ssm)
    draft.values["_pos_kind"] = kind

    # Max positions --------------------------------------------------------------------------
    keys = ("max_position_embeddings", "n_positions", "max_seq_len", "max_sequence_length", "seq_length", "n_ctx")
    found = view.get_int(keys, minimum=1, maximum=MAX_POSITIONS)
    if found:
        draft.from_config("T_train", found[0], found[1])
    elif is_ssm:
        draft.default("T_train", None, "state-space model: no position table, no trained maximum in the config")
    elif isinstance(view.default("max_position_embeddings"), int) and kind != "alibi":
        value = view.default("max_position_embeddings")
        draft.default("T_train", value, f"{view.defaults_origin} (config.json has no max positions)")
        draft.warnings.append(f"config.json states no max positions; using {value} ({view.defaults_origin})")
    else:
        draft.default("T_train", None, "config.json states no max positions")
        draft.warnings.append("config.json states no max positions: length-dependent answers need T_train")

    if kind != "rope":
        why = {
            "alibi": "ALiBi: linear distance bias, no rotary base",
            "abspe": "learned absolute positions, no rotary base",
            "none": "no rotary position encoding",
        }[kind]
        draft.derived("rope_theta", None, why)
        draft.derived("rope_scaling", None, why)
        draft.derived("partial_rotary", None, why)
        return

    params, params_prefix = _rope_parameters(view)
    # θ --------------------------------------------------------------------------------------
    theta: tuple[float, str] | None = None
    if params is not None and params.get("rope_theta") is not None:
        key = params_prefix + "rope_theta"
        theta = (view.float_value(key, params["rope_theta"], minimum=0, maximum=MAX_THETA, exclusive_minimum=True), key)
    if theta is None:
        theta = view.get_float(
            ["rope_theta", "rotary_emb_base", "rotary_base", "rope_base"],
            minimum=0,
            maximum=MAX_THETA,
            exclusive_minimum=True,
        )
    if theta is not None:
        draft.from_config("rope_theta", theta[0], theta[1])
    else:
        default_params = view.default("rope_parameters") or {}
        value = default_params.get("rope_theta") if isinstance(default_params, Mapping) else None
        if value is None:
            value = view.default("rope_theta")
        if value is not None:
            draft.default("rope_theta", float(value), f"{view.defaults_origin} (config.json has no rope_theta)")
        else:
            draft.default("rope_theta", 10000.0, f"{model_type} code uses the RoPE base 10000 (no config key)")

    # Scaling ----------------------------------------------------------------------------------
    _resolve_rope_scaling(draft, params, params_prefix)

    # Partial rotary ---------------------------------------------------------------------------
    d_head = draft.values["d_head"]
    if params is not None and params.get("partial_rotary_factor") is not None:
        key = params_prefix + "partial_rotary_factor"
        value = view.float_value(key, params["partial_rotary_factor"], minimum=0, maximum=1, exclusive_minimum=True)
        draft.from_config("partial_rotary", value, key)
        return
    found = view.get_float(["partial_rotary_factor", "rotary_pct"], minimum=0, maximum=1, exclusive_minimum=True)
    if found:
        draft.from_config("partial_rotary", found[0], found[1])
        return
    rotary_dim = view.get_int(["rotary_dim"], minimum=1, maximum=MAX_WIDTH)
    if rotary_dim:
        if rotary_dim[0] > d_head:
            raise ConfigError(
                f"rotary_dim {rotary_dim[0]} exceeds the head size {d_head}",
                "rotary_dim must be ≤ head size",
                field=view.name("rotary_dim"),
            )
        draft.from_config(
            "partial_rotary", rotary_dim[0] / d_head, "rotary_dim", f"rotary_dim / d_head = {rotary_dim[0]} / {d_head}"
        )
        return
    default_params = view.default("rope_parameters") or {}
    fraction = default_params.get("partial_rotary_factor") if isinstance(default_params, Mapping) else None
    if fraction is None:
        fraction = view.default("partial_rotary_factor") or view.default("rotary_pct")
    if fraction is not None and float(fraction) != 1.0:
        draft.default("partial_rotary", float(fraction), f"{view.defaults_origin}")
    else:
        draft.default("partial_rotary", 1.0, "RoPE on the full head (no partial-rotary key)")


def _resolve_rope_scaling(draft: _Draft, params: Mapping[str, Any] | None, params_prefix: str) -> None:
    view = draft.view
    raw: Mapping[str, Any] | None = None
    key = ""
    if params is not None:
        rope_type = params.get("rope_type") or params.get("type")
        if rope_type not in (None, "default"):
            raw, key = params, params_prefix.rstrip(".")
    if raw is None:
        scaling = view.sub("rope_scaling")
        if scaling is not None:
            raw, key = scaling, "rope_scaling"
    if raw is None:
        draft.derived("rope_scaling", None, "no rope_scaling in the config")
        return
    rope_type = raw.get("rope_type", raw.get("type"))
    if not isinstance(rope_type, str):
        raise ConfigError(
            f"config field '{view.name(key)}' has no 'rope_type' (or 'type')",
            "name the scaling type (linear, dynamic, yarn, llama3, longrope)",
            field=view.name(key),
        )
    rope_type = {"su": "longrope"}.get(rope_type, rope_type)
    if rope_type == "default":
        draft.derived("rope_scaling", None, f"{key}: rope_type 'default' (no scaling)")
        return
    factor = None
    if raw.get("factor") is not None:
        factor = view.float_value(f"{key}.factor", raw["factor"], minimum=0, maximum=1e6, exclusive_minimum=True)
    original = None
    if raw.get("original_max_position_embeddings") is not None:
        original = view.int_value(
            f"{key}.original_max_position_embeddings",
            raw["original_max_position_embeddings"],
            minimum=1,
            maximum=MAX_POSITIONS,
        )
    elif view.has("original_max_position_embeddings"):  # Phi-3 long-rope keeps it at top level
        original = view.int_value(
            "original_max_position_embeddings",
            view.raw["original_max_position_embeddings"],
            minimum=1,
            maximum=MAX_POSITIONS,
        )
    extra = {
        k: v
        for k, v in raw.items()
        if k
        not in (
            "rope_type",
            "type",
            "factor",
            "original_max_position_embeddings",
            "rope_theta",
            "partial_rotary_factor",
        )
    }
    if rope_type in ("linear", "dynamic", "yarn", "llama3") and factor is None:
        raise ConfigError(
            f"config field '{view.name(key)}' ({rope_type}) has no 'factor'",
            "add the scaling factor",
            field=view.name(key),
        )
    draft.from_config("rope_scaling", RopeScaling(rope_type, factor, original, extra), key)


# =============================================================================================
# Layer kinds: sliding windows, alternating patterns, hybrids
# =============================================================================================
def _resolve_layer_kinds(draft: _Draft, model_type: str | None, is_ssm: bool) -> None:
    view = draft.view
    n_layers = draft.values["n_layers"]
    T_train = draft.values["T_train"]

    if is_ssm:
        draft.derived("sliding_window", None, "state-space model")
        draft.derived("layer_types", None, "every layer is a Mamba mixer")
        return

    if model_type == "jamba":
        period = view.get_int(["attn_layer_period"], minimum=1, maximum=MAX_LAYERS)
        offset = view.get_int(["attn_layer_offset"], minimum=0, maximum=MAX_LAYERS)
        p = period[0] if period else int(view.default("attn_layer_period") or 8)
        o = offset[0] if offset else int(view.default("attn_layer_offset") or 4)
        kinds = tuple("full_attention" if i % p == o else "mamba" for i in range(n_layers))
        draft.derived("layer_types", kinds, f"attention every {p} layers from layer {o}, Mamba elsewhere")
        draft.derived("sliding_window", None, "no sliding window")
        return

    window = view.get_int(["sliding_window"], minimum=0, maximum=MAX_POSITIONS)
    window_key = "sliding_window"
    if window is not None and window[0] == 0:  # some configs write 0 for "no window"
        window = None
    if window is None and model_type == "mistral" and "sliding_window" not in view.raw:
        default = view.default("sliding_window")
        if isinstance(default, int):
            window = (default, "")
    layer_types = _config_layer_types(view, n_layers)

    if layer_types is not None:
        kinds = layer_types
        source: FieldSource = FieldSource("config", view.name("layer_types"))
    else:
        kinds, source = _derived_layer_kinds(draft, model_type, n_layers, window is not None)

    if window is None:
        if kinds and any(k == "sliding_attention" for k in kinds):
            draft.warnings.append("layer_types lists sliding layers but the config has no sliding_window size")
        draft.derived("sliding_window", None, "no sliding window in the config")
        draft.put("layer_types", kinds if layer_types is not None else None, source)
        return

    # Is the window really enabled?
    disabled_by = None
    if view.has("use_sliding_window") and not view.get_bool("use_sliding_window"):
        disabled_by = "use_sliding_window: false"
    elif (
        not view.has("use_sliding_window")
        and model_type in ("qwen2", "qwen2_moe", "qwen3", "qwen3_moe")
        and not view.get_bool("use_sliding_window")
    ):
        disabled_by = f"{view.defaults_origin}: use_sliding_window false"
    if disabled_by is None and T_train is not None and window[0] >= T_train:
        disabled_by = f"window {window[0]} ≥ max positions {T_train} (a ghost window: never limits attention)"
    if disabled_by is None and kinds is not None and not any(k == "sliding_attention" for k in kinds):
        disabled_by = "no layer is a sliding-attention layer"
    if disabled_by:
        draft.derived("sliding_window", None, f"present but inactive: {disabled_by}")
        uniform = kinds is not None and all(k == "full_attention" for k in kinds)
        draft.put("layer_types", None if uniform or layer_types is None else kinds, source)
        return

    if window[1]:
        draft.from_config("sliding_window", window[0], window_key)
    else:
        draft.default("sliding_window", window[0], f"{view.defaults_origin} (config.json has no sliding_window)")
    if kinds is not None and all(k == "sliding_attention" for k in kinds):
        kinds = None
    draft.put("layer_types", kinds, source)


def _config_layer_types(view: ConfigView, n_layers: int) -> tuple[str, ...] | None:
    raw = view.raw.get("layer_types")
    if raw is None:
        return None
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        raise ConfigError(
            f"config field '{view.name('layer_types')}' must be a list of strings",
            "fix the value in config.json",
            field=view.name("layer_types"),
        )
    if len(raw) != n_layers:
        raise ConfigError(
            f"config field '{view.name('layer_types')}' lists {len(raw)} layers but the model has {n_layers}",
            "make layer_types one entry per layer",
            field=view.name("layer_types"),
        )
    aliases = {
        "sliding": "sliding_attention",
        "full": "full_attention",
        "global": "full_attention",
        "local": "sliding_attention",
        "attention": "full_attention",
    }
    return tuple(aliases.get(x, x) for x in raw)


def _derived_layer_kinds(
    draft: _Draft, model_type: str | None, n_layers: int, has_window: bool
) -> tuple[tuple[str, ...] | None, FieldSource]:
    """Layer patterns that transformers derives in code when the config has no ``layer_types``."""
    view = draft.view
    if model_type == "gemma2":
        kinds = tuple("sliding_attention" if (i + 1) % 2 else "full_attention" for i in range(n_layers))
        return kinds, FieldSource("derived", None, "Gemma-2: sliding and global layers alternate, first sliding")
    if model_type in ("gemma3_text", "cohere2"):
        found = view.get_int(["sliding_window_pattern", "_sliding_window_pattern"], minimum=1, maximum=MAX_LAYERS)
        pattern = found[0] if found else int(view.default("_sliding_window_pattern") or 6)
        kinds = tuple("sliding_attention" if (i + 1) % pattern else "full_attention" for i in range(n_layers))
        return kinds, FieldSource("derived", None, f"every {pattern}th layer global, the rest sliding")
    if model_type in ("qwen2", "qwen2_moe", "qwen3", "qwen3_moe") and has_window:
        found = view.get_int(["max_window_layers"], minimum=0, maximum=MAX_LAYERS)
        if found is not None:
            first = found[0]
            kinds = tuple("sliding_attention" if i >= first else "full_attention" for i in range(n_layers))
            return kinds, FieldSource("derived", None, f"max_window_layers = {first}: layers ≥ {first} slide")
    return None, FieldSource("derived", None, "every layer has the same attention")


# =============================================================================================
# MoE, MLA, SSM
# =============================================================================================
def _resolve_moe(draft: _Draft, model_type: str | None) -> None:
    view = draft.view
    n_layers = draft.values["n_layers"]
    experts = view.get_int(
        ["num_local_experts", "num_experts", "n_routed_experts", "moe_num_experts"], minimum=0, maximum=1_000_000
    )
    if experts is None or experts[0] <= 1:
        draft.derived("moe", None, "dense model (no experts)")
        draft.values["_moe_layers"] = frozenset()
        return
    n_experts, experts_key = experts
    per_token = view.get_int(
        ["num_experts_per_tok", "experts_per_token", "moe_topk", "top_k"], minimum=1, maximum=n_experts
    )
    if per_token is None:
        raise ConfigError(
            f"MoE config ({experts_key} = {n_experts}) has no experts-per-token count",
            "add 'num_experts_per_tok'",
            field=view.name("num_experts_per_tok"),
        )
    d_ff_expert_found = view.get_int(["moe_intermediate_size"], minimum=1, maximum=MAX_WIDTH * 16)
    d_ff_expert = d_ff_expert_found[0] if d_ff_expert_found else draft.values["d_ff"]
    shared_count, d_ff_shared = 0, 0
    if model_type == "qwen2_moe":
        found = view.get_int(["shared_expert_intermediate_size"], minimum=0, maximum=MAX_WIDTH * 16)
        d_ff_shared = found[0] if found else 0
        shared_count = 1 if d_ff_shared else 0
    else:
        found = view.get_int(["n_shared_experts", "num_shared_experts"], minimum=0, maximum=1024)
        if found and found[0]:
            shared_count = found[0]
            d_ff_shared = shared_count * d_ff_expert

    layers = _moe_layers(view, model_type, n_layers, n_experts)
    spec = MoESpec(n_experts, per_token[0], shared_count, d_ff_expert, d_ff_shared, len(layers))
    draft.from_config(
        "moe",
        spec,
        experts_key,
        f"{n_experts} experts, {per_token[0]} per token, {shared_count} shared, on {len(layers)}/{n_layers} layers",
    )
    draft.values["_moe_layers"] = layers


def _moe_layers(view: ConfigView, model_type: str | None, n_layers: int, n_experts: int) -> frozenset[int]:
    """Which layers hold experts, by each family's rule."""

    def get(key: str, fallback: int) -> int:
        found = view.get_int([key], minimum=0, maximum=MAX_LAYERS)
        if found:
            return found[0]
        default = view.default(key)
        return int(default) if isinstance(default, int) else fallback

    if model_type in ("deepseek_v2", "deepseek_v3"):
        first_dense, freq = get("first_k_dense_replace", 0), max(1, get("moe_layer_freq", 1))
        return frozenset(i for i in range(n_layers) if i >= first_dense and i % freq == 0)
    if model_type in ("qwen2_moe", "qwen3_moe"):
        step = max(1, get("decoder_sparse_step", 1))
        mlp_only = view.raw.get("mlp_only_layers") or []
        if not isinstance(mlp_only, list) or not all(isinstance(x, int) for x in mlp_only):
            raise ConfigError(
                f"config field '{view.name('mlp_only_layers')}' must be a list of layer indices",
                "fix the value in config.json",
                field=view.name("mlp_only_layers"),
            )
        return frozenset(i for i in range(n_layers) if i not in mlp_only and (i + 1) % step == 0)
    if model_type == "jamba":
        period, offset = max(1, get("expert_layer_period", 2)), get("expert_layer_offset", 1)
        return frozenset(i for i in range(n_layers) if i % period == offset)
    return frozenset(range(n_layers))


def _resolve_mla(draft: _Draft, model_type: str | None) -> None:
    view = draft.view
    if not view.has("kv_lora_rank"):
        draft.derived("mla", None, "standard attention (no kv_lora_rank)")
        return

    def need(key: str) -> int:
        found = view.get_int([key], minimum=1, maximum=MAX_WIDTH)
        if found is None:
            raise ConfigError(f"MLA config has kv_lora_rank but no {key}", f"add '{key}'", field=view.name(key))
        return found[0]

    q_lora = view.get_int(["q_lora_rank"], minimum=1, maximum=MAX_WIDTH)
    spec = MLASpec(
        kv_lora_rank=need("kv_lora_rank"),
        q_lora_rank=q_lora[0] if q_lora else None,
        qk_rope_head_dim=need("qk_rope_head_dim"),
        qk_nope_head_dim=need("qk_nope_head_dim"),
        v_head_dim=need("v_head_dim"),
    )
    draft.from_config("mla", spec, "kv_lora_rank", "multi-head latent attention: the KV cache stores a latent")


def _resolve_ssm(draft: _Draft, model_type: str | None) -> None:
    view = draft.view
    d_model = draft.values["d_model"]
    if model_type not in ("mamba", "falcon_mamba", "mamba2", "jamba"):
        draft.derived("ssm", None, "no state-space layers")
        return
    prefix = "mamba_" if model_type == "jamba" else ""

    def get_int(keys: list[str], fallback_key: str, fallback: int) -> int:
        found = view.get_int(keys, minimum=1, maximum=MAX_WIDTH)
        if found:
            return found[0]
        default = view.default(fallback_key)
        return int(default) if isinstance(default, (int, float)) and not isinstance(default, bool) else fallback

    d_state = get_int([f"{prefix}d_state", "state_size", "d_state"], f"{prefix}d_state" if prefix else "state_size", 16)
    d_conv = get_int([f"{prefix}d_conv", "conv_kernel", "d_conv"], f"{prefix}d_conv" if prefix else "conv_kernel", 4)
    expand_found = view.get_float([f"{prefix}expand", "expand"], minimum=0, maximum=1e3, exclusive_minimum=True)
    expand = expand_found[0] if expand_found else float(view.default(f"{prefix}expand" if prefix else "expand") or 2)
    if model_type in ("mamba", "falcon_mamba"):
        found = view.get_int(["intermediate_size", "d_inner"], minimum=1, maximum=MAX_WIDTH * 16)
        d_inner = found[0] if found else int(expand * d_model)
    else:
        d_inner = int(expand * d_model)
    if model_type == "mamba2":
        n_heads = view.get_int(["num_heads"], minimum=1, maximum=MAX_HEADS)
        head_dim = view.get_int(["head_dim"], minimum=1, maximum=MAX_WIDTH)
        groups = view.get_int(["n_groups"], minimum=1, maximum=MAX_HEADS)
        nh = n_heads[0] if n_heads else (d_inner // head_dim[0] if head_dim else int(view.default("num_heads") or 1))
        spec = SSMSpec("mamba2", d_state, d_inner, d_conv, None, nh, groups[0] if groups else 1)
    else:
        rank = view.raw.get(f"{prefix}dt_rank" if prefix else "time_step_rank")
        if rank is None or rank == "auto":
            dt_rank = math.ceil(d_model / 16)
        else:
            dt_rank = view.int_value(
                f"{prefix}dt_rank" if prefix else "time_step_rank", rank, minimum=1, maximum=MAX_WIDTH
            )
        spec = SSMSpec("mamba", d_state, d_inner, d_conv, dt_rank)
    key = "mamba_d_state" if prefix else "state_size"
    if view.has(key):
        draft.from_config("ssm", spec, key, "Mamba mixer sizes")
    else:
        draft.default("ssm", spec, f"Mamba mixer sizes ({view.defaults_origin or 'Mamba defaults'})")


# =============================================================================================
# Tied embeddings, dtype, quantization
# =============================================================================================
def _resolve_misc(draft: _Draft, config: Mapping[str, Any]) -> None:
    view = draft.view
    model_type = draft.values["model_type"]
    # Tied embeddings: multimodal wrappers often keep the flag at the top level.
    if view.has("tie_word_embeddings"):
        draft.from_config("tie_embeddings", view.get_bool("tie_word_embeddings"), "tie_word_embeddings")
    elif view.prefix and "tie_word_embeddings" in config and isinstance(config["tie_word_embeddings"], bool):
        draft.put("tie_embeddings", config["tie_word_embeddings"], FieldSource("config", "tie_word_embeddings"))
    else:
        documented = view.default("tie_word_embeddings")
        if isinstance(documented, bool):
            draft.default("tie_embeddings", documented, view.defaults_origin)
        else:
            draft.default("tie_embeddings", False, "no tie_word_embeddings: separate input and output embeddings")
            if model_type not in SUPPORTED_MODEL_TYPES:
                draft.warnings.append("tie_word_embeddings absent: assumed untied (counts a separate lm_head)")

    dtype_key = "torch_dtype" if view.has("torch_dtype") else "dtype" if view.has("dtype") else None
    if dtype_key is None and view.prefix:
        for key in ("torch_dtype", "dtype"):
            if isinstance(config.get(key), str):
                draft.put("torch_dtype", config[key], FieldSource("config", key))
                break
        else:
            draft.default("torch_dtype", None, "config states no dtype")
    elif dtype_key is None:
        draft.default("torch_dtype", None, "config states no dtype")
    else:
        value = view.raw[dtype_key]
        if not isinstance(value, str):
            raise ConfigError(
                f"config field '{view.name(dtype_key)}' must be a dtype name such as 'bfloat16'",
                "fix the value in config.json",
                field=view.name(dtype_key),
            )
        draft.from_config("torch_dtype", value.removeprefix("torch."), dtype_key)

    quant = config.get("quantization_config")
    if quant is None and view.prefix:
        quant = view.raw.get("quantization_config")
    if quant is None:
        draft.derived("quantization", None, "no quantization_config")
    elif not isinstance(quant, Mapping):
        raise ConfigError(
            "config field 'quantization_config' must be an object",
            "fix the value in config.json",
            field="quantization_config",
        )
    else:
        draft.from_config("quantization", _quant_spec(quant), "quantization_config")


def _quant_spec(quant: Mapping[str, Any]) -> QuantSpec:
    method = quant.get("quant_method")
    method = method if isinstance(method, str) else "unknown"
    bits: float | None = None
    raw_bits = quant.get("bits", quant.get("w_bit", quant.get("weight_bits")))
    if isinstance(raw_bits, (int, float)) and not isinstance(raw_bits, bool) and 0 < raw_bits <= 64:
        bits = float(raw_bits)
    elif quant.get("load_in_4bit") is True:
        bits = 4.0
    elif quant.get("load_in_8bit") is True or method in ("fp8", "fbgemm_fp8"):
        bits = 8.0
    group = quant.get("group_size", quant.get("q_group_size"))
    group_size = group if isinstance(group, int) and not isinstance(group, bool) and group > 0 else None
    return QuantSpec(method, bits, group_size, dict(quant))


def _apply_documented(draft: _Draft, documented: Mapping[str, Any]) -> None:
    """Values an embedded preset documents from outside config.json (with the preset's note)."""
    note = str(documented.get("note", "documented by the preset"))
    for name, value in documented.items():
        if name == "note":
            continue
        if name not in draft.values:
            raise ConfigError(f"preset documents unknown field '{name}'", "fix the preset file", field=name)
        previous = draft.values[name]
        draft.put(name, value, FieldSource("preset", None, f"{note} (config.json says {previous})"))


# =============================================================================================
# Classification, parameter count, assembly
# =============================================================================================
def _classify(draft: _Draft, model_type: str | None) -> None:
    kinds = draft.values.get("layer_types")
    pos_kind = draft.values["_pos_kind"]
    all_kinds = kinds if kinds is not None else ()
    has_mamba = model_type in SSM_TYPES or any(k in ("mamba", "linear_attention") for k in all_kinds)
    has_attention = model_type not in SSM_TYPES
    if has_mamba and not has_attention:
        family, why = "ssm", "state-space layers only"
    elif has_mamba:
        family, why = "hybrid", "attention and state-space layers"
    elif pos_kind == "alibi":
        family, why = "alibi", "ALiBi distance bias"
    elif pos_kind in ("abspe", "none"):
        family, why = "abspe", "absolute (learned) positions"
    elif draft.values["n_kv_heads"] < draft.values["n_heads"]:
        family, why = "rope-gqa", "RoPE with fewer KV heads than query heads"
    else:
        family, why = "rope-mha", "RoPE with one KV head per query head"
    draft.derived("family", family, why)

    if "attention" not in draft.values:
        if draft.values.get("mla") is not None:
            attention, note = "mla", "multi-head latent attention"
        elif draft.values["n_kv_heads"] == 1 and draft.values["n_heads"] > 1:
            attention, note = "mqa", "one shared key/value head"
        elif draft.values["n_kv_heads"] < draft.values["n_heads"]:
            ratio = draft.values["n_heads"] // draft.values["n_kv_heads"]
            attention, note = "gqa", f"{ratio} query heads share each key/value head"
        else:
            attention, note = "mha", "one key/value head per query head"
        draft.derived("attention", attention, note)


def _count(draft: _Draft, model_type: str | None) -> None:
    v = draft.values
    kinds = (
        v["layer_types"]
        if v["layer_types"] is not None
        else (("mamba",) * v["n_layers"] if model_type in SSM_TYPES else ("full_attention",) * v["n_layers"])
    )
    dims = ArchDims(
        model_type=model_type or "llama",
        n_layers=v["n_layers"],
        d_model=v["d_model"],
        n_heads=v["n_heads"],
        n_kv_heads=v["n_kv_heads"],
        d_head=v["d_head"],
        d_ff=v["d_ff"],
        vocab_size=v["vocab_size"],
        tie_embeddings=v["tie_embeddings"],
        # Learned position tables are sized by the config's max positions, not a documented T_train.
        T_train=_config_positions(draft) or v["T_train"],
        layer_kinds=kinds,
        moe=v["moe"],
        moe_layers=v["_moe_layers"],
        mla=v["mla"],
        ssm=v["ssm"],
    )
    count = count_parameters(dims, draft.view)
    rule = "exact count from the config, per the transformers module layout"
    if not count.exact_rule:
        rule = "Llama-style estimate (no exact rule for this model_type)"
    draft.derived("n_params", count.total, rule)
    draft.derived(
        "n_params_active",
        count.active,
        "total − the routed experts a token does not use" if v["moe"] else "dense model: every parameter is used",
    )
    draft.derived("n_params_breakdown", dict(count.breakdown), "parameters per component")


def _config_positions(draft: _Draft) -> int | None:
    """The config's own max positions (learned position tables are sized by it, not by T_train)."""
    found = draft.view.get_int(
        ("max_position_embeddings", "n_positions", "max_seq_len", "max_sequence_length", "seq_length", "n_ctx"),
        minimum=1,
        maximum=MAX_POSITIONS,
    )
    return found[0] if found else None


def _build(draft: _Draft) -> ModelSpec:
    v = draft.values
    sources = dict(draft.sources)
    sources["model_id"] = FieldSource("derived", None, "the name the model was requested by")
    sources["swa_declared"] = FieldSource("derived", None, "SWA is read from sliding_window, not declared by hand")
    sources["stored_weights"] = FieldSource("derived", None, "filled by an adapter that reads checkpoint headers")
    sources["provenance"] = FieldSource("derived", None, "where the config came from")
    return ModelSpec(
        model_id=draft.model_id,
        model_type=v["model_type"],
        architectures=v["architectures"],
        family=v["family"],
        attention=v["attention"],
        rope_theta=v["rope_theta"],
        rope_scaling=v["rope_scaling"],
        partial_rotary=v["partial_rotary"],
        T_train=v["T_train"],
        n_layers=v["n_layers"],
        n_heads=v["n_heads"],
        n_kv_heads=v["n_kv_heads"],
        d_head=v["d_head"],
        d_model=v["d_model"],
        d_ff=v["d_ff"],
        vocab_size=v["vocab_size"],
        tie_embeddings=v["tie_embeddings"],
        sliding_window=v["sliding_window"],
        layer_types=v["layer_types"],
        moe=v["moe"],
        mla=v["mla"],
        ssm=v["ssm"],
        n_params=v["n_params"],
        n_params_active=v["n_params_active"],
        n_params_breakdown=v["n_params_breakdown"],
        torch_dtype=v["torch_dtype"],
        quantization=v["quantization"],
        sources=sources,
        warnings=tuple(draft.warnings),
    )
