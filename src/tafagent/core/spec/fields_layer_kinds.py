"""Which attention each layer uses: the sliding window, and the per-layer pattern (``layer_types``).

The reference app marked Qwen2 configs with ``use_sliding_window: false`` as SWA and ignored ``layer_types``
(spec §9). Here a window counts only when it is enabled, shorter than the max positions and used by at least
one layer; the pattern comes from ``layer_types`` when the config has it, else from the rule each family's
transformers code applies (Gemma-2 alternation, Gemma-3 every-6th-global, Qwen ``max_window_layers``, Jamba's
attention period among Mamba layers).
"""

from __future__ import annotations

from tafagent.core.errors import ConfigError
from tafagent.core.spec.config_view import ConfigView
from tafagent.core.spec.draft import SpecDraft
from tafagent.core.spec.limits import MAX_LAYERS, MAX_POSITIONS
from tafagent.core.spec.model_spec import FieldSource

_QWEN_TYPES = ("qwen2", "qwen2_moe", "qwen3", "qwen3_moe")
_LAYER_TYPE_ALIASES = {
    "sliding": "sliding_attention",
    "full": "full_attention",
    "global": "full_attention",
    "local": "sliding_attention",
    "attention": "full_attention",
}


def resolve_layer_kinds(draft: SpecDraft, model_type: str | None, is_ssm: bool) -> None:
    """sliding_window (None unless it really limits attention) and layer_types (None when uniform)."""
    view = draft.view
    n_layers = draft.values["n_layers"]
    if is_ssm:
        draft.derived("sliding_window", None, "state-space model")
        draft.derived("layer_types", None, "every layer is a Mamba mixer")
        return
    if model_type == "jamba":
        _jamba_layer_kinds(draft, n_layers)
        return

    window = _sliding_window(view, model_type)
    layer_types = _config_layer_types(view, n_layers)
    kinds: tuple[str, ...] | None
    if layer_types is not None:
        kinds = layer_types
        source = FieldSource("config", view.name("layer_types"))
    else:
        kinds, source = _derived_layer_kinds(draft, model_type, n_layers, window is not None)

    if window is None:
        if kinds and any(k == "sliding_attention" for k in kinds):
            draft.warnings.append("layer_types lists sliding layers but the config has no sliding_window size")
        draft.derived("sliding_window", None, "no sliding window in the config")
        draft.put("layer_types", kinds if layer_types is not None else None, source)
        return

    disabled_by = _window_disabled_by(view, model_type, window[0], draft.values["T_train"], kinds)
    if disabled_by:
        draft.derived("sliding_window", None, f"present but inactive: {disabled_by}")
        uniform = kinds is not None and all(k == "full_attention" for k in kinds)
        draft.put("layer_types", None if uniform or layer_types is None else kinds, source)
        return

    if window[1]:
        draft.from_config("sliding_window", window[0], window[1])
    else:
        draft.default("sliding_window", window[0], f"{view.defaults_origin} (config.json has no sliding_window)")
    if kinds is not None and all(k == "sliding_attention" for k in kinds):
        kinds = None  # every layer slides: the window says it all
    draft.put("layer_types", kinds, source)


def _jamba_layer_kinds(draft: SpecDraft, n_layers: int) -> None:
    """Jamba: one attention layer every ``attn_layer_period`` layers from ``attn_layer_offset``, Mamba elsewhere."""
    view = draft.view
    period = view.get_int(["attn_layer_period"], minimum=1, maximum=MAX_LAYERS)
    offset = view.get_int(["attn_layer_offset"], minimum=0, maximum=MAX_LAYERS)
    p = period[0] if period else int(view.default("attn_layer_period") or 8)
    o = offset[0] if offset else int(view.default("attn_layer_offset") or 4)
    kinds = tuple("full_attention" if i % p == o else "mamba" for i in range(n_layers))
    draft.derived("layer_types", kinds, f"attention every {p} layers from layer {o}, Mamba elsewhere")
    draft.derived("sliding_window", None, "no sliding window")


def _sliding_window(view: ConfigView, model_type: str | None) -> tuple[int, str] | None:
    """The window size and its key ('' for Mistral's class default); 0 means no window in some configs."""
    window = view.get_int(["sliding_window"], minimum=0, maximum=MAX_POSITIONS)
    if window is not None and window[0] == 0:
        window = None
    if window is None and model_type == "mistral" and "sliding_window" not in view.raw:
        default = view.default("sliding_window")
        if isinstance(default, int):
            window = (default, "")
    return window


def _window_disabled_by(
    view: ConfigView, model_type: str | None, window: int, T_train: int | None, kinds: tuple[str, ...] | None
) -> str | None:
    """Why a stated window never limits attention (switched off, a ghost window, no sliding layer), or None."""
    if view.has("use_sliding_window") and not view.get_bool("use_sliding_window"):
        return "use_sliding_window: false"
    if not view.has("use_sliding_window") and model_type in _QWEN_TYPES and not view.get_bool("use_sliding_window"):
        return f"{view.defaults_origin}: use_sliding_window false"
    if T_train is not None and window >= T_train:
        return f"window {window} ≥ max positions {T_train} (a ghost window: never limits attention)"
    if kinds is not None and not any(k == "sliding_attention" for k in kinds):
        return "no layer is a sliding-attention layer"
    return None


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
    names: list[str] = raw
    return tuple(_LAYER_TYPE_ALIASES.get(name, name) for name in names)


def _derived_layer_kinds(
    draft: SpecDraft, model_type: str | None, n_layers: int, has_window: bool
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
    if model_type in _QWEN_TYPES and has_window:
        found = view.get_int(["max_window_layers"], minimum=0, maximum=MAX_LAYERS)
        if found is not None:
            first = found[0]
            kinds = tuple("sliding_attention" if i >= first else "full_attention" for i in range(n_layers))
            return kinds, FieldSource("derived", None, f"max_window_layers = {first}: layers ≥ {first} slide")
    return None, FieldSource("derived", None, "every layer has the same attention")
