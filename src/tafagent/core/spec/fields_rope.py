"""RoPE: the rotary base θ, the scaling rule (linear, dynamic, yarn, llama3, longrope) and partial rotary.

The reference app ignored ``rope_scaling`` and partial rotary (spec §9). transformers ≥ 5 moves θ and the
scaling into ``rope_parameters`` (possibly keyed per layer type), older configs keep them at the top level;
both are read, ``rope_parameters`` first. A model whose position kind is not RoPE gets None for all three.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tafagent.core.errors import ConfigError
from tafagent.core.spec.config_view import ConfigView
from tafagent.core.spec.draft import SpecDraft
from tafagent.core.spec.limits import MAX_POSITIONS, MAX_THETA, MAX_WIDTH, MIN_THETA
from tafagent.core.spec.model_spec import RopeScaling

_NO_ROTARY_BASE = {
    "alibi": "ALiBi: linear distance bias, no rotary base",
    "abspe": "learned absolute positions, no rotary base",
    "none": "no rotary position encoding",
}
# Keys of a scaling object that RopeScaling holds in named fields (or that are not scaling at all).
_NAMED_SCALING_KEYS = (
    "rope_type",
    "type",
    "factor",
    "original_max_position_embeddings",
    "rope_theta",
    "partial_rotary_factor",
)
# Scaling types whose formula needs a factor.
_FACTOR_TYPES = ("linear", "dynamic", "yarn", "llama3")


def resolve_rope(draft: SpecDraft, model_type: str | None) -> None:
    """rope_theta, rope_scaling and partial_rotary, after the position kind is known."""
    kind = draft.values["_pos_kind"]
    if kind != "rope":
        why = _NO_ROTARY_BASE[kind]
        draft.derived("rope_theta", None, why)
        draft.derived("rope_scaling", None, why)
        draft.derived("partial_rotary", None, why)
        return
    params, params_prefix = _rope_parameters(draft.view)
    _resolve_rope_theta(draft, model_type, params, params_prefix)
    _resolve_rope_scaling(draft, params, params_prefix)
    _resolve_partial_rotary(draft, params, params_prefix)


def _rope_parameters(view: ConfigView) -> tuple[Mapping[str, Any] | None, str]:
    """transformers ≥ 5 stores θ and scaling in ``rope_parameters``; it can be keyed per layer type."""
    params = view.sub("rope_parameters")
    if params is None:
        return None, ""
    if "full_attention" in params and isinstance(params["full_attention"], Mapping):
        return params["full_attention"], "rope_parameters.full_attention."
    return params, "rope_parameters."


def _documented_rope_value(view: ConfigView, key: str) -> Any:
    """``key`` in the config class's default ``rope_parameters`` (transformers ≥ 5), or None."""
    default_params = view.default("rope_parameters") or {}
    return default_params.get(key) if isinstance(default_params, Mapping) else None


def _resolve_rope_theta(
    draft: SpecDraft, model_type: str | None, params: Mapping[str, Any] | None, params_prefix: str
) -> None:
    view = draft.view
    theta: tuple[float, str] | None = None
    if params is not None and params.get("rope_theta") is not None:
        key = params_prefix + "rope_theta"
        theta = (view.float_value(key, params["rope_theta"], minimum=MIN_THETA, maximum=MAX_THETA), key)
    if theta is None:
        theta = view.get_float(
            ["rope_theta", "rotary_emb_base", "rotary_base", "rope_base"], minimum=MIN_THETA, maximum=MAX_THETA
        )
    if theta is not None:
        draft.from_config("rope_theta", theta[0], theta[1])
        return
    value = _documented_rope_value(view, "rope_theta")
    if value is None:
        value = view.default("rope_theta")
    if value is not None:
        draft.default("rope_theta", float(value), f"{view.defaults_origin} (config.json has no rope_theta)")
    else:
        draft.default("rope_theta", 10000.0, f"{model_type} code uses the RoPE base 10000 (no config key)")


def _resolve_partial_rotary(draft: SpecDraft, params: Mapping[str, Any] | None, params_prefix: str) -> None:
    """The rotated fraction of each head: a stated factor, else rotary_dim / d_head, else the class default."""
    view = draft.view
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
    fraction = _documented_rope_value(view, "partial_rotary_factor")
    if fraction is None:
        fraction = view.default("partial_rotary_factor") or view.default("rotary_pct")
    if fraction is not None and float(fraction) != 1.0:
        draft.default("partial_rotary", float(fraction), f"{view.defaults_origin}")
    else:
        draft.default("partial_rotary", 1.0, "RoPE on the full head (no partial-rotary key)")


def _scaling_object(
    draft: SpecDraft, params: Mapping[str, Any] | None, params_prefix: str
) -> tuple[Mapping[str, Any] | None, str]:
    """The scaling object and its key: ``rope_parameters`` when it names a non-default type, else ``rope_scaling``."""
    if params is not None:
        rope_type = params.get("rope_type") or params.get("type")
        if rope_type not in (None, "default"):
            return params, params_prefix.rstrip(".")
    scaling = draft.view.sub("rope_scaling")
    if scaling is not None:
        return scaling, "rope_scaling"
    return None, ""


def _resolve_rope_scaling(draft: SpecDraft, params: Mapping[str, Any] | None, params_prefix: str) -> None:
    view = draft.view
    raw, key = _scaling_object(draft, params, params_prefix)
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
    original = _original_max_positions(view, raw, key)
    extra = {k: v for k, v in raw.items() if k not in _NAMED_SCALING_KEYS}
    if rope_type in _FACTOR_TYPES and factor is None:
        raise ConfigError(
            f"config field '{view.name(key)}' ({rope_type}) has no 'factor'",
            "add the scaling factor",
            field=view.name(key),
        )
    draft.from_config("rope_scaling", RopeScaling(rope_type, factor, original, extra), key)


def _original_max_positions(view: ConfigView, raw: Mapping[str, Any], key: str) -> int | None:
    """The pre-scaling context length, inside the scaling object or (Phi-3 long-rope) at the top level."""
    if raw.get("original_max_position_embeddings") is not None:
        return view.int_value(
            f"{key}.original_max_position_embeddings",
            raw["original_max_position_embeddings"],
            minimum=1,
            maximum=MAX_POSITIONS,
        )
    if view.has("original_max_position_embeddings"):
        return view.int_value(
            "original_max_position_embeddings",
            view.raw["original_max_position_embeddings"],
            minimum=1,
            maximum=MAX_POSITIONS,
        )
    return None
