"""Measured values for any model: its own panel rows when it was measured, else its closest measured relatives.

The distance between a model and a panel model is a weighted sum of architecture differences (position
encoding, KV sharing, sliding window, RoPE θ, size, training length, lineage), each term explained in words,
so a user sees *why* a neighbour was chosen (:data:`DISTANCE_METHOD`). Deterministic: ties break by model id.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from functools import cache
from typing import Any

from tafagent.core.spec.model_spec import ModelSpec
from tafagent.core.validation.panel import GammaRow, canonical_model_key, load_outcomes, load_panel

__all__ = [
    "DISTANCE_METHOD",
    "MeasuredModel",
    "MeasuredValue",
    "NearestMeasured",
    "Neighbour",
    "measured_models",
    "nearest_measured",
]

_POS_ENC_OF_CLASS = {
    "RoPE-MHA": "rope",
    "RoPE-GQA": "rope",
    "SWA": "rope",
    "ALiBi": "alibi",
    "AbsPE": "abspe",
    "SSM": "ssm",
}
_POS_ENC_OF_FAMILY = {"rope-mha": "rope", "rope-gqa": "rope", "alibi": "alibi", "abspe": "abspe", "ssm": "ssm"}

# Weights of the distance components (one unit ≈ "clearly a different kind of model").
W_POS_ENC = 2.0  # position encoding differs (RoPE / ALiBi / absolute / state-space)
W_KV_GROUP = 0.25  # per doubling of the query-heads-per-KV-head ratio, capped at 1
W_SWA = 0.5  # sliding window present in one and not the other
W_THETA = 0.5  # per decade of RoPE θ
W_SIZE = 1.0  # per decade of parameters
W_T_TRAIN = 0.1  # per doubling of the training length (0.2 when one side is unknown)
W_LINEAGE = 0.5  # the panel family's name (e.g. "llama-3", "pythia") does not appear in the model id


@dataclass(frozen=True)
class MeasuredValue:
    """One measured γ with where it comes from."""

    gamma: float
    row_id: str
    tier: str
    corpus: str
    T_eval: int | None
    fit_d_min: int | None
    source_file: str
    protocol: str

    @classmethod
    def of(cls, row: GammaRow) -> MeasuredValue:
        return cls(
            row.gamma, row.row_id, row.tier, row.corpus, row.T_eval, row.fit_d_min, row.source_file, row.protocol
        )

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class MeasuredModel:
    """A panel model's architecture facts (as the panel records them) and its measured γ values."""

    model: str
    label: str
    family: str  # the panel's lineage name (pythia, llama-3, qwen2.5, ...)
    arch_class: str
    n_params_M: float | None
    rope_theta: float | None
    T_train: int | None
    n_heads: int | None
    n_kv_heads: int | None
    has_swa: bool
    gamma_text: MeasuredValue | None  # the canonical text (or text_sim) row
    gamma_random: MeasuredValue | None  # the canonical random-token row
    other_rows: tuple[str, ...]  # every other row of this model (conditions, checkpoints, other protocols)
    outcome_sets: tuple[str, ...]  # packaged downstream outcome sets that include this model

    def to_dict(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["gamma_text"] = self.gamma_text.to_dict() if self.gamma_text else None
        out["gamma_random"] = self.gamma_random.to_dict() if self.gamma_random else None
        out["other_rows"] = list(self.other_rows)
        out["outcome_sets"] = list(self.outcome_sets)
        return out


@dataclass(frozen=True)
class Neighbour:
    model: MeasuredModel
    distance: float
    components: dict[str, float]  # each term of the distance, by name
    explanation: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model.to_dict(),
            "distance": self.distance,
            "components": dict(self.components),
            "explanation": self.explanation,
        }


@dataclass(frozen=True)
class NearestMeasured:
    """Measured values for a model: its own when it is in the panel, else its closest measured relatives."""

    query: str
    in_panel: bool
    match: MeasuredModel | None
    neighbours: tuple[Neighbour, ...]
    method: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "in_panel": self.in_panel,
            "match": self.match.to_dict() if self.match else None,
            "neighbours": [n.to_dict() for n in self.neighbours],
            "method": self.method,
        }


DISTANCE_METHOD = (
    f"distance = {W_POS_ENC:g}·[position encoding differs] + {W_KV_GROUP:g}·|Δ log2(heads per KV head)| (≤ 1) + "
    f"{W_SWA:g}·[sliding window differs] + {W_THETA:g}·|Δ log10 θ| + {W_SIZE:g}·|Δ log10 params| + "
    f"{W_T_TRAIN:g}·|Δ log2 T_train| (0.2 if unknown) + {W_LINEAGE:g}·[the panel family name is not in the model id]; "
    "architecture facts of panel models are the panel's (recalled from public configs, not fetched)"
)


@cache
def measured_models() -> tuple[MeasuredModel, ...]:
    """Every panel model with its canonical measurements, in panel order."""
    panel = load_panel()
    sets_by_model: dict[str, list[str]] = {}
    for o in load_outcomes():
        names = sets_by_model.setdefault(o.model, [])
        if o.set not in names:
            names.append(o.set)
    out = []
    for model in panel.models():
        rows = [r for r in panel.rows if r.model == model]
        first = rows[0]
        text = next((r for r in rows if r.canonical and r.is_text), None)
        random = next((r for r in rows if r.canonical and r.corpus == "random"), None)
        used = {r.row_id for r in (text, random) if r is not None}
        out.append(
            MeasuredModel(
                model=model,
                label=first.model_label,
                family=first.family,
                arch_class=first.arch_class,
                n_params_M=first.n_params_M,
                rope_theta=next((r.rope_theta for r in rows if r.experiment != "theta_steering"), first.rope_theta),
                T_train=first.T_train,
                n_heads=first.n_heads,
                n_kv_heads=first.n_kv_heads,
                has_swa=first.has_swa,
                gamma_text=MeasuredValue.of(text) if text else None,
                gamma_random=MeasuredValue.of(random) if random else None,
                other_rows=tuple(r.row_id for r in rows if r.row_id not in used),
                outcome_sets=tuple(sets_by_model.get(model, ())),
            )
        )
    return tuple(out)


def _match(model_id: str) -> MeasuredModel | None:
    """Exact id (case-insensitive), then the last path segment, then that segment without a trailing '-hf'."""
    models = measured_models()
    key = model_id.strip().lower()
    for m in models:
        if m.model.lower() == key:
            return m
    seg = canonical_model_key(model_id)
    for m in models:
        if canonical_model_key(m.model) == seg:
            return m
    bare = seg.removesuffix("-hf")
    hits = [m for m in models if canonical_model_key(m.model).removesuffix("-hf") == bare]
    return hits[0] if len(hits) == 1 else None


def _log_ratio(a: float | None, b: float | None, base: float) -> float | None:
    if a is None or b is None or a <= 0 or b <= 0:
        return None
    return abs(math.log(a / b, base))


def _distance(spec: ModelSpec, m: MeasuredModel) -> tuple[float, dict[str, float], str]:
    parts: dict[str, float] = {}
    why: list[str] = []
    spec_pe = _POS_ENC_OF_FAMILY.get(spec.family, spec.family)
    panel_pe = _POS_ENC_OF_CLASS.get(m.arch_class, m.arch_class)
    parts["position_encoding"] = 0.0 if spec_pe == panel_pe else W_POS_ENC
    if parts["position_encoding"]:
        why.append(f"position encoding {spec_pe} vs {panel_pe}")
    group_spec = spec.n_heads / spec.n_kv_heads if spec.n_kv_heads else None
    group_panel = m.n_heads / m.n_kv_heads if m.n_heads and m.n_kv_heads else None
    ratio = _log_ratio(group_spec, group_panel, 2.0)
    parts["kv_sharing"] = min(1.0, W_KV_GROUP * ratio) if ratio is not None else 0.0
    if ratio:
        why.append(f"{group_spec:.3g} vs {group_panel:.3g} query heads per KV head")
    parts["sliding_window"] = 0.0 if spec.has_swa == m.has_swa else W_SWA
    if parts["sliding_window"]:
        why.append("sliding window " + ("only here" if spec.has_swa else "only in the panel model"))
    theta = _log_ratio(spec.rope_theta, m.rope_theta, 10.0)
    parts["rope_theta"] = W_THETA * theta if theta is not None else 0.0
    if theta:
        why.append(f"θ {spec.rope_theta:,.0f} vs {m.rope_theta:,.0f}")
    size = _log_ratio(spec.n_params / 1e6, m.n_params_M, 10.0)
    parts["size"] = W_SIZE * size if size is not None else W_SIZE
    why.append(f"{spec.n_params / 1e9:.3g}B vs {m.n_params_M / 1e3 if m.n_params_M else float('nan'):.3g}B params")
    t_train = _log_ratio(spec.T_train, m.T_train, 2.0)
    parts["T_train"] = W_T_TRAIN * t_train if t_train is not None else 2 * W_T_TRAIN
    if t_train is None:
        why.append("T_train unknown on one side")
    elif t_train:
        why.append(f"T_train {spec.T_train:,} vs {m.T_train:,}")
    same_lineage = m.family.lower() in canonical_model_key(spec.model_id)
    parts["lineage"] = 0.0 if same_lineage else W_LINEAGE
    why.insert(0, f"same family '{m.family}'" if same_lineage else f"other family ('{m.family}')")
    return math.fsum(parts.values()), parts, "; ".join(why)


def nearest_measured(spec: ModelSpec, k: int = 3) -> NearestMeasured:
    """Measured γ for ``spec``: its own panel rows if it was measured, and its k closest measured models.

    Candidates are the panel models with a canonical (baseline text or random) measurement. When the model
    itself is in the panel it comes first, at distance 0. Distances are explained term by term
    (:data:`DISTANCE_METHOD`); ties are broken by model id, so the result is deterministic.
    """
    if k < 1:
        raise ValueError(f"k must be ≥ 1, got {k}")
    match = _match(spec.model_id)
    ranked: list[Neighbour] = []
    if match is not None:
        ranked.append(Neighbour(match, 0.0, {}, "the same model (matched by id): its own measurements"))
    candidates = [m for m in measured_models() if (m.gamma_text or m.gamma_random) and m is not match]
    scored = []
    for m in candidates:
        distance, parts, why = _distance(spec, m)
        scored.append(Neighbour(m, distance, parts, why))
    scored.sort(key=lambda n: (n.distance, n.model.model))
    ranked.extend(scored)
    return NearestMeasured(spec.model_id, match is not None, match, tuple(ranked[:k]), DISTANCE_METHOD)
