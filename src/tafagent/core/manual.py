"""A ModelSpec from the reference's hand-entered inputs (θ, T_train, heads, d_head, layers, N, has_SWA).

The reference app's Profile form and presets (spec §2.11, §7.2) describe a model with eight numbers.
This builds a ModelSpec from them so those inputs run through the same card and recipes; every field
is marked as entered by hand, and fields the eight numbers cannot give (vocabulary, MLP width) are 0
with a note rather than invented.
"""

from __future__ import annotations

from tafagent.core.errors import ConfigError
from tafagent.core.spec.model_spec import Attention, Family, FieldSource, ModelSpec

_HAND = FieldSource("override", None, "entered by hand (reference-style inputs)")


def spec_from_reference_inputs(
    theta: float | None,
    T_train: int,
    n_attention_heads: int,
    n_kv_heads: int,
    d_head: int,
    n_layers: int,
    n_params: float,
    has_SWA: bool = False,
    model_id: str = "<manual>",
) -> ModelSpec:
    """Build a ModelSpec from the reference's eight profile inputs (validated here: this is an edge)."""
    checks = {
        "T_train": T_train,
        "n_attention_heads": n_attention_heads,
        "n_kv_heads": n_kv_heads,
        "d_head": d_head,
        "n_layers": n_layers,
    }
    for name, value in checks.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"'{name}' must be a positive integer, got {value!r}", "fix the input", field=name)
    if n_kv_heads > n_attention_heads or n_attention_heads % n_kv_heads:
        raise ConfigError(
            f"n_kv_heads {n_kv_heads} must divide n_attention_heads {n_attention_heads}",
            "fix the input",
            field="n_kv_heads",
        )
    if isinstance(n_params, bool) or not isinstance(n_params, (int, float)) or not 0 < n_params < 1e16:
        raise ConfigError(f"'n_params' must be a positive number, got {n_params!r}", "e.g. 8e9", field="n_params")
    if theta is not None and (isinstance(theta, bool) or not isinstance(theta, (int, float)) or not 0 < theta < 1e13):
        raise ConfigError(f"'theta' must be a positive number, got {theta!r}", "e.g. 500000", field="theta")
    family: Family = "abspe" if theta is None else ("rope-gqa" if n_kv_heads < n_attention_heads else "rope-mha")
    attention: Attention = "mha" if n_kv_heads == n_attention_heads else ("mqa" if n_kv_heads == 1 else "gqa")
    unknown = FieldSource("default", None, "not part of the eight reference inputs")
    sources = {
        name: _HAND
        for name in ("rope_theta", "T_train", "n_heads", "n_kv_heads", "d_head", "n_layers", "n_params", "family")
    }
    sources.update({name: unknown for name in ("d_ff", "vocab_size", "tie_embeddings", "torch_dtype")})
    sources["n_params_active"] = FieldSource("derived", None, "= n_params (dense)")
    sources["d_model"] = FieldSource("derived", None, "n_attention_heads × d_head")
    sources["swa_declared"] = _HAND
    sources["stored_weights"] = unknown
    sources["provenance"] = _HAND
    return ModelSpec(
        model_id=model_id,
        model_type=None,
        architectures=(),
        family=family,
        attention=attention,
        rope_theta=float(theta) if theta is not None else None,
        rope_scaling=None,
        partial_rotary=1.0 if theta is not None else None,
        T_train=T_train,
        n_layers=n_layers,
        n_heads=n_attention_heads,
        n_kv_heads=n_kv_heads,
        d_head=d_head,
        d_model=n_attention_heads * d_head,
        d_ff=0,
        vocab_size=0,
        tie_embeddings=False,
        sliding_window=None,
        layer_types=None,
        moe=None,
        mla=None,
        ssm=None,
        n_params=int(n_params),
        n_params_active=int(n_params),
        n_params_breakdown={},
        torch_dtype=None,
        quantization=None,
        sources=sources,
        warnings=("hand-entered inputs: vocabulary and MLP width unknown",),
        swa_declared=bool(has_SWA),
    )
