"""Attention geometry: query heads, key/value heads, head size and multi-head latent attention (MLA).

The reference app missed Falcon's multi-query flag and MPT's ``attn_config`` (spec §9): here each family's
rule for the key/value head count is read where its config keeps it, and the head size comes from an
explicit ``head_dim``, MLA's query/key parts, or hidden / heads — in that order.
"""

from __future__ import annotations

from tafagent.core.errors import ConfigError
from tafagent.core.spec.draft import SpecDraft
from tafagent.core.spec.limits import MAX_HEADS, MAX_WIDTH
from tafagent.core.spec.model_spec import FieldSource, MLASpec


def resolve_heads(draft: SpecDraft, model_type: str | None, d_model: int) -> None:
    """n_heads, n_kv_heads (a divisor of n_heads) and d_head of an attention model."""
    n_heads = draft.require_int(
        "n_heads", ("num_attention_heads", "n_head", "n_heads", "num_heads"), "attention head count", MAX_HEADS
    )
    _resolve_kv_heads(draft, model_type, n_heads)
    n_kv = draft.values["n_kv_heads"]
    if n_heads % n_kv:
        raise ConfigError(
            f"{n_heads} attention heads are not divisible by {n_kv} key/value heads",
            "num_attention_heads must be a multiple of num_key_value_heads",
            field=draft.sources["n_kv_heads"].key or "num_key_value_heads",
        )
    _resolve_d_head(draft, n_heads, d_model)


def _resolve_kv_heads(draft: SpecDraft, model_type: str | None, n_heads: int) -> None:
    if model_type == "falcon":
        _falcon_kv_heads(draft, n_heads)
        return
    if model_type == "gpt_bigcode":
        _bigcode_kv_heads(draft, n_heads)
        return
    if model_type == "mpt" and _mpt_kv_heads(draft):
        return
    found = draft.view.get_int(
        ["num_key_value_heads", "num_kv_heads", "n_head_kv", "multi_query_group_num"], minimum=1, maximum=MAX_HEADS
    )
    if found:
        draft.from_config("n_kv_heads", found[0], found[1])
    else:
        draft.default("n_kv_heads", n_heads, "no num_key_value_heads: one KV head per query head (MHA)")


def _falcon_kv_heads(draft: SpecDraft, n_heads: int) -> None:
    """Falcon: grouped KV heads with ``new_decoder_architecture``, else ``multi_query`` (default true)."""
    view = draft.view
    if view.get_bool("new_decoder_architecture"):
        found = view.get_int(["num_kv_heads", "n_head_kv"], minimum=1, maximum=MAX_HEADS)
        if found:
            draft.from_config("n_kv_heads", found[0], found[1])
        else:
            draft.default("n_kv_heads", n_heads, "new_decoder_architecture without num_kv_heads: one per head")
    elif view.get_bool("multi_query", True):
        note = "multi_query: one shared key/value head (MQA)"
        if view.has("multi_query"):
            draft.from_config("n_kv_heads", 1, "multi_query", note)
        else:
            draft.default("n_kv_heads", 1, f"{note}; FalconConfig defaults multi_query to true")
    else:
        draft.from_config("n_kv_heads", n_heads, "multi_query", "multi_query: false → multi-head attention")


def _bigcode_kv_heads(draft: SpecDraft, n_heads: int) -> None:
    """GPT-BigCode (StarCoder): ``multi_query`` (default true) means one shared key/value head."""
    view = draft.view
    if view.get_bool("multi_query", True):
        stated = view.has("multi_query")
        draft.put(
            "n_kv_heads",
            1,
            FieldSource(
                "config" if stated else "default",
                view.name("multi_query") if stated else None,
                "multi_query: one shared key/value head (MQA)",
            ),
        )
    else:
        draft.from_config("n_kv_heads", n_heads, "multi_query", "multi_query: false")


def _mpt_kv_heads(draft: SpecDraft) -> bool:
    """MPT keeps grouped-query heads in ``attn_config``; False when it states none (read the standard keys)."""
    view = draft.view
    attn = view.sub("attn_config") or {}
    kv = attn.get("kv_n_heads")
    if kv is None or attn.get("attn_type") != "grouped_query_attention":
        return False
    value = view.int_value("attn_config.kv_n_heads", kv, minimum=1, maximum=MAX_HEADS)
    draft.from_config("n_kv_heads", value, "attn_config.kv_n_heads")
    return True


def _resolve_d_head(draft: SpecDraft, n_heads: int, d_model: int) -> None:
    view = draft.view
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


def resolve_mla(draft: SpecDraft) -> None:
    """MLA sizes (DeepSeek-V2/V3) when the config has ``kv_lora_rank``: the KV cache stores a latent."""
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
