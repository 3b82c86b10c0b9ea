"""ModelSpec: the normalised architecture of one model, with the source of every field.

Short maths names follow DESIGN.md: ``T_train`` (max positions), ``d_head``, ``n_kv_heads``… Every
field has an entry in :attr:`ModelSpec.sources` saying which ``config.json`` key it came from, or
whether it is a documented default or a value derived from other fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Literal

from tafagent.core.jsonsafe import json_safe

Family = Literal["rope-mha", "rope-gqa", "alibi", "abspe", "ssm", "hybrid"]
Attention = Literal["mha", "gqa", "mqa", "mla", "none"]
FAMILIES: tuple[str, ...] = ("rope-mha", "rope-gqa", "alibi", "abspe", "ssm", "hybrid")

SourceKind = Literal["config", "default", "derived", "preset", "override"]


@dataclass(frozen=True, slots=True)
class FieldSource:
    """Where one ModelSpec field came from.

    ``kind`` is ``config`` (``key`` names the config.json key, dotted for nested configs such as
    ``text_config.hidden_size``), ``default`` (the key is absent; ``note`` says whose default),
    ``derived`` (computed from other fields; ``note`` gives the formula), ``preset`` (a documented
    value stored with an embedded preset) or ``override`` (given by the user).
    """

    kind: SourceKind
    key: str | None = None
    note: str = ""

    def describe(self) -> str:
        text = f"config: {self.key}" if self.kind == "config" else self.kind
        return f"{text} — {self.note}" if self.note else text

    def to_dict(self) -> dict[str, str]:
        out: dict[str, str] = {"kind": self.kind}
        if self.key is not None:
            out["key"] = self.key
        if self.note:
            out["note"] = self.note
        return out


@dataclass(frozen=True, slots=True)
class RopeScaling:
    """A RoPE scaling rule (linear, dynamic, yarn, llama3, longrope, ...) as the config states it."""

    type: str
    factor: float | None = None
    original_max_position_embeddings: int | None = None
    params: dict[str, Any] = field(default_factory=dict)  # every other key, verbatim

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "factor": self.factor,
            "original_max_position_embeddings": self.original_max_position_embeddings,
            "params": dict(self.params),
        }


@dataclass(frozen=True, slots=True)
class MoESpec:
    """Mixture-of-experts layout. ``d_ff_shared`` is the total width of the always-on shared expert(s)."""

    n_experts: int
    experts_per_token: int
    n_shared_experts: int
    d_ff_expert: int
    d_ff_shared: int
    n_moe_layers: int

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True, slots=True)
class MLASpec:
    """Multi-head latent attention (DeepSeek-V2/V3): the KV cache holds a latent of
    ``kv_lora_rank + qk_rope_head_dim`` values per token per layer."""

    kv_lora_rank: int
    q_lora_rank: int | None
    qk_rope_head_dim: int
    qk_nope_head_dim: int
    v_head_dim: int

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True, slots=True)
class SSMSpec:
    """State-space (Mamba) mixer sizes. The recurrent state per sequence does not grow with length."""

    kind: Literal["mamba", "mamba2"]
    d_state: int
    d_inner: int
    d_conv: int
    dt_rank: int | None = None  # Mamba-1 only
    n_ssm_heads: int | None = None  # Mamba-2 only
    n_groups: int | None = None  # Mamba-2 only

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True, slots=True)
class QuantSpec:
    """What ``quantization_config`` says about stored weights (method, bits, group size)."""

    method: str
    bits: float | None
    group_size: int | None
    raw: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"method": self.method, "bits": self.bits, "group_size": self.group_size, "raw": json_safe(self.raw)}


@dataclass(frozen=True, slots=True)
class StoredWeights:
    """What the checkpoint files really hold, read from safetensors/GGUF headers (no weight download).

    ``n_elements`` counts stored tensor elements (packed formats such as GPTQ's int32 ``qweight`` hold
    several weights per element); ``n_bytes`` is the exact size of the tensor data.
    """

    format: Literal["safetensors", "gguf"]
    n_elements: int
    n_bytes: int
    elements_by_dtype: dict[str, int]
    bytes_by_dtype: dict[str, int]
    files: tuple[str, ...]
    source: str
    bits_per_weight: float | None = None  # 8·bytes / logical parameters, when the logical count is known
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["files"] = list(self.files)
        out["notes"] = list(self.notes)
        return out


@dataclass(frozen=True)
class ModelSpec:
    """The normalised architecture of a decoder language model.

    Counts are exact integers; ``n_params`` is the number of distinct parameters
    ``AutoModelForCausalLM`` instantiates from the same config (tied embeddings counted once),
    and ``n_params_active`` the subset used per token (differs only for MoE).
    """

    model_id: str
    model_type: str | None
    architectures: tuple[str, ...]
    family: Family
    attention: Attention
    rope_theta: float | None
    rope_scaling: RopeScaling | None
    partial_rotary: float | None
    T_train: int | None
    n_layers: int
    n_heads: int
    n_kv_heads: int
    d_head: int
    d_model: int
    d_ff: int
    vocab_size: int
    tie_embeddings: bool
    sliding_window: int | None
    layer_types: tuple[str, ...] | None
    moe: MoESpec | None
    mla: MLASpec | None
    ssm: SSMSpec | None
    n_params: int
    n_params_active: int
    n_params_breakdown: dict[str, int]
    torch_dtype: str | None
    quantization: QuantSpec | None
    sources: dict[str, FieldSource]
    warnings: tuple[str, ...] = ()
    swa_declared: bool = False  # hand-entered "has SWA" without a window size (reference-style inputs)
    stored_weights: StoredWeights | None = None  # exact checkpoint bytes, when a hub/file adapter read them
    provenance: dict[str, str] = field(default_factory=dict)  # e.g. hub repo, revision sha, config sha256

    # ---- convenient views -------------------------------------------------------------------
    @property
    def has_gqa(self) -> bool:
        """Fewer KV heads than query heads (GQA or MQA)."""
        return self.n_kv_heads < self.n_heads

    @property
    def has_swa(self) -> bool:
        """At least one layer uses a (really enabled) sliding window."""
        return self.sliding_window is not None or self.swa_declared

    def layer_kinds(self) -> tuple[str, ...]:
        """One attention kind per layer: the config's ``layer_types``, or a uniform fill."""
        if self.layer_types is not None:
            return self.layer_types
        if self.family == "ssm":
            kind = "mamba"
        elif self.sliding_window is not None:
            kind = "sliding_attention"
        else:
            kind = "full_attention"
        return (kind,) * self.n_layers

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: every field, nested specs as dicts, and ``sources`` per field."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "sources":
                out["sources"] = {k: v.to_dict() for k, v in value.items()}
            elif hasattr(value, "to_dict"):
                out[f.name] = value.to_dict()
            elif isinstance(value, tuple):
                out[f.name] = list(value)
            elif isinstance(value, dict):
                out[f.name] = dict(value)
            else:
                out[f.name] = value
        out["has_gqa"] = self.has_gqa
        out["has_swa"] = self.has_swa
        return out
