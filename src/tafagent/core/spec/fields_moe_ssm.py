"""Mixture-of-experts layout and Mamba (state-space) mixer sizes.

MoE: the expert count, experts per token, shared experts and which layers hold experts, by each family's
rule (DeepSeek ``first_k_dense_replace``, Qwen ``decoder_sparse_step`` / ``mlp_only_layers``, Jamba's
expert period). SSM: the Mamba/Mamba-2 state, inner and convolution sizes, with the config class's
defaults for keys the config leaves out.
"""

from __future__ import annotations

import math

from tafagent.core.errors import ConfigError
from tafagent.core.spec.config_view import ConfigView
from tafagent.core.spec.draft import SpecDraft
from tafagent.core.spec.limits import MAX_EXPERTS, MAX_HEADS, MAX_LAYERS, MAX_WIDTH
from tafagent.core.spec.model_spec import MoESpec, SSMSpec

# Model types whose layers always route to experts: a count below 2 there is a broken config, not a dense
# model (types such as jamba or granitemoehybrid state 0 or 1 expert for their dense variants).
MOE_ONLY_TYPES = frozenset(
    {"mixtral", "qwen2_moe", "qwen3_moe", "olmoe", "deepseek_v3", "gpt_oss", "phimoe", "dbrx", "granitemoe"}
)
_EXPERT_KEYS = ("num_local_experts", "num_experts", "n_routed_experts", "moe_num_experts")


def resolve_moe(draft: SpecDraft, model_type: str | None) -> None:
    """``moe`` (None for a dense model) and ``_moe_layers``, the indices of the layers that hold experts.

    Bounds: 2 ≤ experts ≤ MAX_EXPERTS for a mixture of experts (0 or 1 states a dense model, except for a
    MOE_ONLY_TYPES model); 1 ≤ experts per token ≤ experts.
    """
    view = draft.view
    n_layers = draft.values["n_layers"]
    experts = view.get_int(_EXPERT_KEYS, minimum=0, maximum=MAX_EXPERTS)
    if experts is not None and experts[0] <= 1 and model_type in MOE_ONLY_TYPES:
        raise ConfigError(
            f"config field '{view.name(experts[1])}' = {experts[0]}: a {model_type} model routes to at least 2 experts",
            f"fix the expert count (2 to {MAX_EXPERTS:,})",
            field=view.name(experts[1]),
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
    shared_count, d_ff_shared = _shared_experts(view, model_type, d_ff_expert)
    layers = _moe_layers(view, model_type, n_layers, n_experts)
    spec = MoESpec(n_experts, per_token[0], shared_count, d_ff_expert, d_ff_shared, len(layers))
    draft.from_config(
        "moe",
        spec,
        experts_key,
        f"{n_experts} experts, {per_token[0]} per token, {shared_count} shared, on {len(layers)}/{n_layers} layers",
    )
    draft.values["_moe_layers"] = layers


def _shared_experts(view: ConfigView, model_type: str | None, d_ff_expert: int) -> tuple[int, int]:
    """(count, total width) of the always-on shared experts.

    Qwen2-MoE states one shared expert by its width; DeepSeek-style configs state a count of experts
    of the routed experts' width.
    """
    if model_type == "qwen2_moe":
        found = view.get_int(["shared_expert_intermediate_size"], minimum=0, maximum=MAX_WIDTH * 16)
        d_ff_shared = found[0] if found else 0
        return (1 if d_ff_shared else 0), d_ff_shared
    found = view.get_int(["n_shared_experts", "num_shared_experts"], minimum=0, maximum=MAX_EXPERTS)
    if found and found[0]:
        return found[0], found[0] * d_ff_expert
    return 0, 0


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


def resolve_ssm(draft: SpecDraft, model_type: str | None) -> None:
    """``ssm`` for Mamba, Falcon-Mamba, Mamba-2 and Jamba (whose keys carry a ``mamba_`` prefix); else None."""
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
        n_heads = _mamba2_heads(view, d_inner)
        groups = view.get_int(["n_groups"], minimum=1, maximum=MAX_HEADS)
        spec = SSMSpec("mamba2", d_state, d_inner, d_conv, None, n_heads, groups[0] if groups else 1)
    else:
        spec = SSMSpec("mamba", d_state, d_inner, d_conv, _dt_rank(view, prefix, d_model))
    key = "mamba_d_state" if prefix else "state_size"
    if view.has(key):
        draft.from_config("ssm", spec, key, "Mamba mixer sizes")
    else:
        draft.default("ssm", spec, f"Mamba mixer sizes ({view.defaults_origin or 'Mamba defaults'})")


def _mamba2_heads(view: ConfigView, d_inner: int) -> int:
    """Mamba-2 heads: ``num_heads``, else d_inner / ``head_dim``, else the class default."""
    n_heads = view.get_int(["num_heads"], minimum=1, maximum=MAX_HEADS)
    head_dim = view.get_int(["head_dim"], minimum=1, maximum=MAX_WIDTH)
    if n_heads:
        return n_heads[0]
    return d_inner // head_dim[0] if head_dim else int(view.default("num_heads") or 1)


def _dt_rank(view: ConfigView, prefix: str, d_model: int) -> int:
    """Mamba's Δ projection rank; absent or "auto" means ⌈d_model / 16⌉ (transformers MambaConfig)."""
    key = f"{prefix}dt_rank" if prefix else "time_step_rank"
    rank = view.raw.get(key)
    if rank is None or rank == "auto":
        return math.ceil(d_model / 16)
    return view.int_value(key, rank, minimum=1, maximum=MAX_WIDTH)
