"""Parameters and chain steps shared by several recipes."""

from __future__ import annotations

from typing import Any

from tafagent.core.audit import ConfidenceCheck, RecipeResult, Step, law_step
from tafagent.core.evidence import Evidence, EvidenceNote
from tafagent.core.laws.constants import (
    DELTA_GQA_EVIDENCE,
    DF_OUTSIDE_ZONE_EVIDENCE,
    DF_ZONE,
    DF_ZONE_EVIDENCE,
)
from tafagent.core.laws.decomposition import gamma_decompose
from tafagent.core.laws.diagnostics import phase_label
from tafagent.core.laws.economics import kv_cache_bytes_uniform
from tafagent.core.laws.pade import gamma_pade
from tafagent.core.laws.registry import get_law
from tafagent.core.memory.dtypes import kv_dtype_for_bytes
from tafagent.core.memory.kv import kv_plan
from tafagent.core.messages import Msg
from tafagent.core.recipes.base import Param, RecipeContext


def theta_param(default: float = 500000.0) -> Param:
    return Param(
        "theta",
        "float",
        "RoPE base θ (rope_theta)",
        default,
        minimum=1,
        maximum=1e13,
        aliases=("rope_theta",),
        from_model="theta",
    )


def t_train_param(default: int = 8192) -> Param:
    return Param(
        "T_train",
        "int",
        "training context length (max positions)",
        default,
        unit="tokens",
        minimum=1,
        maximum=2**34,
        from_model="T_train",
    )


def t_eval_param(default: int | None, *, from_model: str | None = "T_train", optional: bool = False) -> Param:
    return Param(
        "T_eval",
        "int",
        "target context length",
        default,
        optional=optional,
        unit="tokens",
        minimum=1,
        maximum=2**34,
        from_model=from_model,
        aliases=("L", "context"),
    )


HEADS = Param(
    "n_attention_heads",
    "int",
    "query heads (num_attention_heads)",
    32,
    minimum=1,
    maximum=100_000,
    aliases=("n_heads",),
    from_model="n_attention_heads",
)
KV_HEADS = Param(
    "n_kv_heads", "int", "key/value heads (num_key_value_heads)", 8, minimum=1, maximum=100_000, from_model="n_kv_heads"
)
D_HEAD = Param(
    "d_head",
    "int",
    "head size (head_dim)",
    128,
    minimum=1,
    maximum=1_000_000,
    aliases=("head_dim",),
    from_model="d_head",
)
N_LAYERS = Param(
    "n_layers", "int", "decoder layers (num_hidden_layers)", 32, minimum=1, maximum=100_000, from_model="n_layers"
)
N_PARAMS = Param(
    "n_params",
    "float",
    "total parameters (e.g. 8e9)",
    8e9,
    minimum=1,
    maximum=1e15,
    aliases=("N_params",),
    from_model="n_params",
)
HAS_SWA = Param(
    "has_SWA", "bool", "sliding-window attention enabled", False, from_model="has_SWA", aliases=("has_swa",)
)
GAMMA_OBS = Param(
    "gamma_obs",
    "float",
    "measured attention decay γ (from `taf diagnose`)",
    None,
    optional=True,
    minimum=-10,
    maximum=10,
)
D_TOKENS = Param(
    "D_tokens",
    "float",
    "training tokens (empty = Chinchilla 20·N)",
    None,
    optional=True,
    minimum=1,
    maximum=1e18,
    unit="tokens",
)
BYTES_PER_ELEMENT = Param(
    "bytes_per_element",
    "float",
    "bytes per KV element (bf16 = 2, fp8 = 1)",
    2.0,
    minimum=0.1,
    maximum=8,
    unit="bytes",
)


def close(a: float, b: float, rel: float = 1e-9) -> bool:
    """Equal up to floating-point noise (used so that no verdict hinges on the last bits)."""
    return abs(a - b) <= rel * max(abs(a), abs(b), 1.0)


def strictly_less(a: float, b: float) -> bool:
    """a < b by more than floating-point noise."""
    return a < b and not close(a, b)


def pade_step(n: int, theta: float, T_eval: float) -> tuple[Step, float]:
    g = gamma_pade(theta, T_eval)
    step = law_step(n, "gamma_pade", {"theta": theta, "T_eval": T_eval}, g, phase_label(g))
    return step, g


def decomposition_step(n: int, g_pade: float, has_gqa: bool, has_swa: bool, n_params: float) -> tuple[Step, float]:
    decomposition = gamma_decompose(g_pade, has_gqa, has_swa, n_params)
    g_corr = decomposition["gamma_corrected"]
    applied: list[str] = []  # the corrections applied, as keys of step.common.delta.*
    if decomposition["delta_GQA"]:
        applied.append("gqa")
    if decomposition["delta_post_IH"]:
        applied.append("post_ih")
    if has_swa:
        applied.append("swa")
    if decomposition["delta_post_IH"]:
        evidence = get_law("gamma_decomposition").evidence
    elif decomposition["delta_GQA"]:
        evidence = DELTA_GQA_EVIDENCE
    else:
        evidence = EvidenceNote(Evidence.EXACT, "no correction applies: γ_corrected = γ_Padé")
    interpretation = Msg(
        "step.common.decomposition",
        deltas=Msg(f"step.common.deltas.{'+'.join(applied)}") if applied else Msg("step.common.no_delta"),
    )
    step = law_step(
        n,
        "gamma_decomposition",
        {"has_GQA": has_gqa, "has_SWA": has_swa, "n_params": n_params},
        g_corr,
        interpretation,
        evidence=evidence,
        breakdown=decomposition,
    )
    return step, g_corr


def kv_step(
    n: int,
    name: str,
    n_layers: int,
    n_kv: int,
    d_head: int,
    seq: float,
    bytes_per_element: float,
    interpretation_suffix: str,
) -> Step:
    total = kv_cache_bytes_uniform(n_layers, n_kv, d_head, seq, bytes_per_element)
    total_int = round(total)
    result = {"bytes": total_int, "MB": total / 1e6, "GB": total / 1e9}
    return law_step(
        n,
        "kv_cache",
        {
            "n_layers": n_layers,
            "n_kv_heads": n_kv,
            "d_head": d_head,
            "seq_len": seq,
            "bytes_per_element": bytes_per_element,
        },
        result,
        Msg("step.common.kv.uniform", GB=total / 1e9, what=Msg(f"step.kv.{interpretation_suffix}")),
        name=name,
    )


def model_kv_step(
    n: int, name: str, ctx: RecipeContext, seq: int, bytes_per_element: float, interpretation_suffix: str
) -> Step:
    """The KV step: exact per layer kind (core/memory/kv.py) when a model is known, else the reference formula."""
    model = ctx.model
    same_geometry = model is not None and (ctx["n_layers"], ctx["n_kv_heads"], ctx["d_head"]) == (
        model.n_layers,
        model.n_kv_heads,
        model.d_head,
    )
    dtype = kv_dtype_for_bytes(bytes_per_element)
    if model is None or not same_geometry or model.model_type is None or dtype is None:
        return kv_step(
            n, name, ctx["n_layers"], ctx["n_kv_heads"], ctx["d_head"], seq, bytes_per_element, interpretation_suffix
        )
    plan = kv_plan(model, "transformers", dtype)
    total = plan.bytes_per_sequence(seq)
    formula = " + ".join(f"{g.n_layers} × [{g.formula}]" for g in plan.groups) or "no KV cache"
    return law_step(
        n,
        "kv_cache",
        {"seq_len": seq, "kv_dtype": dtype, "layers": model.n_layers},
        {"bytes": total, "MB": total / 1e6, "GB": total / 1e9},
        Msg("step.common.kv.exact", GB=total / 1e9, what=Msg(f"step.kv.{interpretation_suffix}")),
        name=name,
        formula=formula,
        breakdown={"layers": plan.breakdown(seq)},
    )


def df_zone_evidence(gamma: float) -> tuple[bool, EvidenceNote]:
    inside = DF_ZONE[0] <= gamma <= DF_ZONE[1]
    return inside, (DF_ZONE_EVIDENCE if inside else DF_OUTSIDE_ZONE_EVIDENCE)


def not_rope(ctx: RecipeContext) -> RecipeResult:
    """The result for a RoPE-only recipe asked about a model without RoPE."""
    model = ctx.model
    family = model.family if model is not None else "unknown"
    name = model.model_id if model is not None else "this model"
    return ctx.result(
        [],
        "NOT APPLICABLE",
        Msg("not_rope.reason", name=name, family=family),
        Msg("not_rope.mitigation"),
        ["not_rope"],
        [ConfidenceCheck("applicable", "miss", "", Msg("confidence.note.family_model", family=family))],
    )


def first_given(*values: Any) -> Any:
    """The first value that is not None (a card option that falls back on another)."""
    return next((v for v in values if v is not None), None)
