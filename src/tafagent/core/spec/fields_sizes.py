"""Core sizes of a config: layer count, hidden size, vocabulary and MLP width (heads live in fields_attention).

The reference app estimated a missing MLP width instead of reading the family's rule (spec §9); here each
family that builds its MLP in code (MPT, Bloom, GPT-2-style ``n_inner: null``) gets that rule with a note,
and any other config without a width is an error naming the field.
"""

from __future__ import annotations

from tafagent.core.errors import ConfigError
from tafagent.core.spec.draft import SpecDraft
from tafagent.core.spec.fields_attention import resolve_heads
from tafagent.core.spec.limits import MAX_LAYERS, MAX_VOCAB, MAX_WIDTH

# Families whose transformers code builds a 4 × hidden MLP when the config's width is absent or null.
_FOUR_X_MLP_TYPES = ("gpt2", "gptj", "codegen", "gpt_neo", "gpt_bigcode", "falcon", "jamba")


def resolve_core_sizes(draft: SpecDraft, model_type: str | None, is_ssm: bool) -> None:
    """n_layers, d_model, vocab_size, the attention heads and d_ff (zeros for a state-space model)."""
    draft.require_int("n_layers", ("num_hidden_layers", "n_layer", "n_layers", "num_layers"), "layer count", MAX_LAYERS)
    d_model = draft.require_int("d_model", ("hidden_size", "n_embd", "d_model"), "hidden size", MAX_WIDTH)
    draft.require_int("vocab_size", ("vocab_size", "padded_vocab_size"), "vocabulary size", MAX_VOCAB)

    if is_ssm:
        for name in ("n_heads", "n_kv_heads", "d_head"):
            draft.derived(name, 0, "state-space model: no attention heads")
        draft.derived("d_ff", 0, "state-space model: the mixer replaces the MLP")
        draft.derived("attention", "none", "state-space model")
        return
    resolve_heads(draft, model_type, d_model)
    _resolve_d_ff(draft, model_type, d_model)


def _resolve_d_ff(draft: SpecDraft, model_type: str | None, d_model: int) -> None:
    view = draft.view
    if model_type == "mpt":
        _mpt_d_ff(draft, d_model)
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
    if model_type in _FOUR_X_MLP_TYPES:
        draft.derived("d_ff", 4 * d_model, f"{model_type}: an absent or null MLP width means 4 × hidden size")
        return
    raise ConfigError(
        "config has no MLP width (intermediate_size / n_inner / ffn_hidden_size)",
        "add 'intermediate_size' to config.json",
        field=view.name("intermediate_size"),
    )


def _mpt_d_ff(draft: SpecDraft, d_model: int) -> None:
    """transformers' MPT port hard-codes a 4× bias-free MLP (``expansion_ratio`` and ``no_bias`` are ignored).

    The original remote code honours them, so say so when they differ.
    """
    view = draft.view
    draft.derived("d_ff", 4 * d_model, "transformers' MPT uses a fixed 4 × d_model MLP")
    found = view.get_float(["expansion_ratio"], minimum=0, maximum=1e4, exclusive_minimum=True)
    if found and found[0] != 4:
        draft.warnings.append(
            f"expansion_ratio {found[0]:g} is ignored by transformers' MPT (fixed 4×); the original "
            "remote code would build a different MLP"
        )
    if view.has("no_bias") and not view.get_bool("no_bias"):
        draft.warnings.append("no_bias: false is ignored by transformers' MPT (always bias-free)")
