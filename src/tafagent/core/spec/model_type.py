"""Which model a config describes: its model_type, the nested language-model config, and non-LM rejection.

The reference app ignored nested ``text_config`` (spec §9): a multimodal config keeps its language model
one level down, so the resolver reads that level when the top level has no sizes. Configs that are not
decoder language models (encoders, encoder-decoders, vision/audio towers) are refused with an error that
says why, and a config without ``model_type`` is recognised from its ``architectures`` class names.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tafagent.core.errors import ConfigError, UnsupportedModelError
from tafagent.core.spec.config_view import ConfigView
from tafagent.core.spec.defaults import transformers_defaults
from tafagent.core.spec.draft import SpecDraft
from tafagent.core.spec.model_spec import FieldSource
from tafagent.core.spec.param_count import SUPPORTED_MODEL_TYPES

SSM_TYPES = frozenset({"mamba", "mamba2", "falcon_mamba"})

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


def read_model_type(raw: Mapping[str, Any], prefix: str) -> str | None:
    """The lower-cased ``model_type`` of one config level (``prefix`` names the level in errors)."""
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


def fallback_model_id(config: Mapping[str, Any]) -> str:
    """A name for a config passed without a model id: its ``_name_or_path``, else its model_type."""
    name = config.get("_name_or_path")
    if isinstance(name, str) and name.strip():
        return name.strip()
    model_type = config.get("model_type")
    return f"<config:{model_type}>" if isinstance(model_type, str) else "<config>"


def reject_non_lm(model_type: str | None, raw: Mapping[str, Any]) -> None:
    """Refuse encoders, encoder-decoders and vision/audio towers (UnsupportedModelError naming the reason)."""
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


def text_view(config: Mapping[str, Any], top_type: str | None) -> tuple[ConfigView, str]:
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


def resolve_model_type(draft: SpecDraft, config: Mapping[str, Any], top_type: str | None) -> str | None:
    """Record ``model_type`` and ``architectures``; load the model type's defaults into the view."""
    view = draft.view
    model_type = read_model_type(view.raw, view.prefix) if view.prefix else top_type
    if view.prefix:
        reject_non_lm(model_type, view.raw)
    if model_type is None:
        model_type = _model_type_from_architectures(config)
    view.defaults, view.defaults_origin = transformers_defaults(model_type)
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
    return model_type
