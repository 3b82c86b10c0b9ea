"""How the weights are stored: tied input/output embeddings, the dtype, and the quantization config.

Multimodal wrappers often keep these flags at the top level while the sizes sit in ``text_config``, so
each is read at the language-model level first and at the top level second.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tafagent.core.errors import ConfigError
from tafagent.core.spec.draft import SpecDraft
from tafagent.core.spec.model_spec import FieldSource, QuantSpec
from tafagent.core.spec.param_count import SUPPORTED_MODEL_TYPES


def resolve_storage(draft: SpecDraft, config: Mapping[str, Any]) -> None:
    """tie_embeddings, torch_dtype and quantization; ``config`` is the whole (top-level) config."""
    _resolve_tie_embeddings(draft, config)
    _resolve_dtype(draft, config)
    _resolve_quantization(draft, config)


def _resolve_tie_embeddings(draft: SpecDraft, config: Mapping[str, Any]) -> None:
    view = draft.view
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
            if draft.values["model_type"] not in SUPPORTED_MODEL_TYPES:
                draft.warnings.append("tie_word_embeddings absent: assumed untied (counts a separate lm_head)")


def _resolve_dtype(draft: SpecDraft, config: Mapping[str, Any]) -> None:
    """``torch_dtype`` (or transformers ≥ 5 ``dtype``) without the ``torch.`` prefix; None when unstated."""
    view = draft.view
    dtype_key = "torch_dtype" if view.has("torch_dtype") else "dtype" if view.has("dtype") else None
    if dtype_key is None:
        top_key = next((k for k in ("torch_dtype", "dtype") if isinstance(config.get(k), str)), None)
        if view.prefix and top_key is not None:
            draft.put("torch_dtype", config[top_key], FieldSource("config", top_key))
        else:
            draft.default("torch_dtype", None, "config states no dtype")
        return
    value = view.raw[dtype_key]
    if not isinstance(value, str):
        raise ConfigError(
            f"config field '{view.name(dtype_key)}' must be a dtype name such as 'bfloat16'",
            "fix the value in config.json",
            field=view.name(dtype_key),
        )
    draft.from_config("torch_dtype", value.removeprefix("torch."), dtype_key)


def _resolve_quantization(draft: SpecDraft, config: Mapping[str, Any]) -> None:
    view = draft.view
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
    """Method, bits (``bits``/``w_bit``/``weight_bits``, else bitsandbytes flags or FP8) and group size."""
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
