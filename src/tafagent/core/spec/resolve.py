"""config.json → ModelSpec: the entry point, the order of the field resolvers, and the final assembly.

The reference app read configs with JavaScript ``||`` chains (spec §6.4): it fabricated θ = 10000 for
ALiBi/absolute-position models, ignored ``rope_scaling``, partial rotary, Falcon multi-query, MPT's
``attn_config``, nested ``text_config`` and ``layer_types``, marked Qwen2 configs with
``use_sliding_window: false`` as SWA and estimated parameters as 12·h²·L + 2·V·h (spec §9 items 13–17).
The resolvers of this package read each of those correctly, family by family, and refuse to guess: a
value that is missing gets a documented default with a note, or an error that names the field. Each
``fields_*`` module resolves one group of fields into a :class:`SpecDraft`; this module runs them in
order (later groups read earlier ones), then classifies the family, counts parameters and builds the spec.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from tafagent.core.errors import ConfigError
from tafagent.core.spec.draft import SpecDraft
from tafagent.core.spec.fields_attention import resolve_mla
from tafagent.core.spec.fields_layer_kinds import resolve_layer_kinds
from tafagent.core.spec.fields_moe_ssm import resolve_moe, resolve_ssm
from tafagent.core.spec.fields_positions import apply_trained_length, config_positions, resolve_positions
from tafagent.core.spec.fields_rope import resolve_rope
from tafagent.core.spec.fields_sizes import resolve_core_sizes
from tafagent.core.spec.fields_storage import resolve_storage
from tafagent.core.spec.model_spec import FieldSource, ModelSpec
from tafagent.core.spec.model_type import (
    SSM_TYPES,
    fallback_model_id,
    read_model_type,
    reject_non_lm,
    resolve_model_type,
    text_view,
)
from tafagent.core.spec.param_count import ArchDims, count_parameters


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
    top_type = read_model_type(config, "")
    reject_non_lm(top_type, config)
    view, nested_note = text_view(config, top_type)
    draft = SpecDraft(view=view, model_id=model_id or fallback_model_id(config))
    if nested_note:
        draft.warnings.append(nested_note)
    model_type = resolve_model_type(draft, config, top_type)

    # Order matters: RoPE reads d_head, layer kinds read T_train, MoE reads d_ff, the family reads layer kinds.
    is_ssm = model_type in SSM_TYPES
    resolve_core_sizes(draft, model_type, is_ssm)
    resolve_positions(draft, model_type, is_ssm)
    resolve_rope(draft, model_type)
    resolve_layer_kinds(draft, model_type, is_ssm)
    resolve_moe(draft, model_type)
    resolve_mla(draft)
    resolve_ssm(draft, model_type)
    resolve_storage(draft, config)
    apply_trained_length(draft)  # a known model's trained length (max positions can over-claim)
    if documented:
        _apply_documented(draft, documented)
    _classify_family(draft, model_type)
    _classify_attention(draft)
    _count(draft, model_type)
    spec = _build(draft)
    if provenance:
        spec = replace(spec, provenance=dict(provenance))
    return spec


def _apply_documented(draft: SpecDraft, documented: Mapping[str, Any]) -> None:
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


def _classify_family(draft: SpecDraft, model_type: str | None) -> None:
    """The family DESIGN.md names: ssm, hybrid, alibi, abspe, rope-gqa or rope-mha."""
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


def _classify_attention(draft: SpecDraft) -> None:
    """mla, mqa, gqa or mha, unless a resolver already set it (state-space models: none)."""
    if "attention" in draft.values:
        return
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


def _count(draft: SpecDraft, model_type: str | None) -> None:
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
        T_train=config_positions(draft) or v["T_train"],
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


def _build(draft: SpecDraft) -> ModelSpec:
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
