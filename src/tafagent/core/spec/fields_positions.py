"""How a model encodes positions (RoPE, ALiBi, learned absolute, none) and its max positions T_train.

The reference app fabricated θ = 10000 for ALiBi and absolute-position models (spec §9): the position kind
decided here tells the RoPE resolver (fields_rope) whether a rotary base exists at all. T_train is the
config's max positions, else the config class's documented default, else unknown (with a warning); then,
once the architecture is known, :func:`apply_trained_length` replaces it with the trained length of a known
model (``data/context_lengths.json``, matched by id or fingerprint), because max positions can over-claim.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tafagent.core.errors import ConfigError
from tafagent.core.spec.context_lengths import FINGERPRINT_KEYS, match_row
from tafagent.core.spec.draft import SpecDraft
from tafagent.core.spec.limits import MAX_POSITIONS
from tafagent.core.spec.model_spec import FieldSource
from tafagent.core.spec.model_type import SSM_TYPES
from tafagent.core.spec.param_count import SUPPORTED_MODEL_TYPES

ALIBI_TYPES = frozenset({"bloom"})
ABSPE_TYPES = frozenset({"gpt2", "gpt_neo", "gpt_bigcode", "opt", "biogpt", "xglm", "xlm", "ctrl", "openai-gpt"})
# Types that use RoPE even when the config carries no theta key (their code hard-codes or defaults it).
ROPE_TYPES = frozenset(SUPPORTED_MODEL_TYPES) - SSM_TYPES - ALIBI_TYPES - ABSPE_TYPES - {"mpt", "falcon", "jamba"}
# Keys whose presence marks a RoPE model of a type without its own rule.
_ROPE_KEYS = (
    "rope_theta",
    "rotary_emb_base",
    "rope_parameters",
    "rope_scaling",
    "rotary_dim",
    "rotary_pct",
    "partial_rotary_factor",
)
# Max-position keys, in the order the families name them.
MAX_POSITION_KEYS = (
    "max_position_embeddings",
    "n_positions",
    "max_seq_len",
    "max_sequence_length",
    "seq_length",
    "n_ctx",
)


def resolve_positions(draft: SpecDraft, model_type: str | None, is_ssm: bool) -> None:
    """The position kind (kept as ``_pos_kind`` for the RoPE resolver and the family) and T_train."""
    kind = _position_kind(draft, model_type, is_ssm)
    draft.values["_pos_kind"] = kind
    view = draft.view
    found = view.get_int(MAX_POSITION_KEYS, minimum=1, maximum=MAX_POSITIONS)
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


# FieldSource.key of a T_train taken from the table: this prefix + the row's first id.
TRAINED_KEY_PREFIX = "context_lengths.json#"


def apply_trained_length(draft: SpecDraft) -> None:
    """T_train = the trained length of a known model when the table has its row (by id or fingerprint).

    Runs after the layer kinds (a window is judged against the config's own max positions) and gives a preset
    and its pasted config.json the same T_train. A config value the table confirms keeps its config source.
    """
    claimed = config_positions(draft)
    values = {k: draft.values.get(k) for k in FINGERPRINT_KEYS}
    found = table_trained_length(draft.model_id, values, claimed)
    if found is None:
        return
    if found[0] == draft.values.get("T_train") and draft.sources["T_train"].kind == "config":
        return
    draft.put("T_train", *found)
    # The table answers what the config left open: drop the "states no max positions" warnings.
    draft.warnings[:] = [w for w in draft.warnings if not w.startswith("config.json states no max positions")]


def table_trained_length(
    model_id: str, values: Mapping[str, Any], claimed: int | None
) -> tuple[int, FieldSource] | None:
    """(trained length, its source) from ``data/context_lengths.json`` for this id / fingerprint and claim."""
    match = match_row(model_id, values, claimed)
    if match is None:
        return None
    row = match.row
    said = f"config.json says {claimed}" if claimed is not None else "config.json states no max positions"
    note = f"trained length from {row.cite()}; {match.describe()} ({said})"
    return row.trained_tokens, FieldSource("preset", TRAINED_KEY_PREFIX + row.label, note)


def config_positions(draft: SpecDraft) -> int | None:
    """The config's own max positions (learned position tables are sized by it, not by T_train)."""
    found = draft.view.get_int(MAX_POSITION_KEYS, minimum=1, maximum=MAX_POSITIONS)
    return found[0] if found else None


def _position_kind(draft: SpecDraft, model_type: str | None, is_ssm: bool) -> str:
    """'rope', 'alibi', 'abspe' or 'none': by the family's rule first, then by the keys the config has."""
    if is_ssm:
        return "none"
    family_kind = _family_position_kind(draft, model_type)
    if family_kind is not None:
        return family_kind
    view = draft.view
    if model_type in ROPE_TYPES or any(view.has(k) for k in _ROPE_KEYS):
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


def _family_position_kind(draft: SpecDraft, model_type: str | None) -> str | None:
    """The position kind a family fixes in code or in a flag of its own; None for the key-based rule."""
    view = draft.view
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
    return None
