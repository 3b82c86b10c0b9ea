"""The shipped reference panel: measured attention-decay γ, raw attention curves and downstream outcomes.

Real measurements from the public TAF Agent repository (snapshot ``karlesmarin/tafagent@e0d8cb6``), packaged
from the project's shared reference panel (``data/reference_panel/``; provenance in
``core/data/panel/README.md``). Three files, each loaded lazily and once per process:

* ``gamma_panel.json`` — 136 rows, one per (model, measurement condition): γ with its protocol
  (experiment, corpus, fit window ``fit_d_min``..``T_eval``), tier and source file → :class:`GammaRow`;
* ``attn_curves.json`` — the A(d) points behind 118 of those rows → :class:`AttnCurve`;
* ``ground_truth.json`` — downstream outcomes (NIAH, passkey, RULER, KV-window perplexity, KV decay modes,
  pruning, L_crit, D90) → :class:`OutcomeRow`.

Tiers: A = the file stores the fit and an OLS refit of the stored curve reproduces it; B = a different or
undocumented protocol (partial runs, Kaggle re-runs, RLHF-pair curves); C = a summary number with no curve.
``canonical`` marks one row per (model, text|random) for the baseline measurements.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from tafagent.core.spec.model_spec import ModelSpec

__all__ = [
    "AttnCurve",
    "CurvePoint",
    "GammaRow",
    "MeasuredModel",
    "MeasuredValue",
    "NearestMeasured",
    "Neighbour",
    "OutcomeRow",
    "Panel",
    "canonical_model_key",
    "load_curves",
    "load_outcomes",
    "load_panel",
    "measured_models",
    "nearest_measured",
    "outcome_set",
]

_DATA = "data/panel"

TEXT_CORPORA = ("text", "text_sim")  # text_sim: the Kaggle "mongo_sim" corpus (undocumented, natural text)


@dataclass(frozen=True, slots=True)
class GammaRow:
    """One measured γ (field names are the shared panel's column names; see its README)."""

    row_id: str
    model: str
    model_label: str
    family: str
    arch_class: str  # RoPE-MHA, RoPE-GQA, ALiBi, AbsPE, SWA, SSM
    pos_enc: str
    attn_type: str
    swa: str  # non-empty when a sliding window is recorded (text note)
    is_instruct: bool
    n_params_M: float | None  # nominal, in millions
    rope_theta: float | None  # for θ-steering rows: the overridden inference θ
    theta_source: str | None
    rope_note: str | None
    T_train: int | None
    T_train_source: str | None
    max_pos: int | None
    n_layers: int | None
    n_heads: int | None
    n_kv_heads: int | None
    d_head: int | None
    arch_blank_note: str | None
    experiment: str
    condition: str | None
    corpus: str  # text, text_sim, random, other, not_recorded
    corpus_raw: str | None
    revision: str | None
    distances: str | None  # verbatim text, e.g. "[10, 20, 30, ...]"
    fit_d_min: int | None
    T_eval: int | None  # the largest fitted distance
    n_prompts_per_distance: int | None
    seeds: str | None  # verbatim text
    precision: str | None
    platform: str | None
    gamma: float
    R2: float | None
    gamma_ci95_lo: float | None
    gamma_ci95_hi: float | None
    n_fit_points: int | None
    gamma_origin: str | None
    gamma_random_same_protocol: float | None
    tier: str  # A, B, C
    canonical: bool
    duplicate_of: str | None
    source_file: str
    notes: str | None

    @property
    def is_rope(self) -> bool:
        """A rotary model with a known θ (the only rows γ_Padé applies to)."""
        return self.pos_enc == "RoPE" and self.rope_theta is not None

    @property
    def has_gqa(self) -> bool:
        """Fewer KV heads than query heads (GQA or MQA), as the product's ModelSpec.has_gqa."""
        return self.n_heads is not None and self.n_kv_heads is not None and self.n_kv_heads < self.n_heads

    @property
    def has_swa(self) -> bool:
        """A sliding window is recorded (Mistral, gemma-2, and phi-3-mini's recalled window)."""
        return bool(self.swa)

    @property
    def is_text(self) -> bool:
        return self.corpus in TEXT_CORPORA

    @property
    def protocol(self) -> str:
        """One line: experiment, corpus, prompts, fit window (the facts needed to compare two γ values)."""
        parts = [self.experiment]
        if self.condition and self.condition != "baseline":
            parts.append(self.condition)
        parts.append(f"corpus {self.corpus}" + (f" ({self.corpus_raw})" if self.corpus_raw else ""))
        if self.n_prompts_per_distance is not None:
            parts.append(f"{self.n_prompts_per_distance} prompts/distance")
        if self.fit_d_min is not None and self.T_eval is not None:
            parts.append(f"OLS fit of ln A on ln d over {self.fit_d_min} ≤ d ≤ {self.T_eval}")
        if self.precision and not self.precision.startswith("not_recorded"):
            parts.append(self.precision)
        return "; ".join(parts)

    def provenance(self) -> dict[str, Any]:
        """Where this number comes from: source file, protocol, tier, fit window."""
        return {
            "row_id": self.row_id,
            "source_file": self.source_file,
            "experiment": self.experiment,
            "protocol": self.protocol,
            "tier": self.tier,
            "fit_d_min": self.fit_d_min,
            "T_eval": self.T_eval,
            "gamma_origin": self.gamma_origin,
        }

    def to_dict(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["protocol"] = self.protocol
        return out


@dataclass(frozen=True, slots=True)
class CurvePoint:
    """Mean attention weight at distance d (averaged over layers, heads, prompts and seeds)."""

    d: float
    attn_mean: float
    used_in_fit: bool


@dataclass(frozen=True, slots=True)
class AttnCurve:
    row_id: str
    source_file: str
    points: tuple[CurvePoint, ...]

    def fit_points(self) -> tuple[CurvePoint, ...]:
        """The points the stored fit used (the row's window fit_d_min ≤ d ≤ T_eval)."""
        return tuple(p for p in self.points if p.used_in_fit)


@dataclass(frozen=True, slots=True)
class OutcomeRow:
    """One downstream outcome (field names are the shared ground_truth columns)."""

    gt_id: str
    set: str
    model: str
    origin: str
    condition: str | None
    cond_param: str | None
    cond_value: Any
    x_name: str | None
    x_value: Any
    metric: str
    value: Any
    value_stderr: float | None
    n: int | None
    chance_level: float | None
    reference_value: Any
    reference_label: str | None
    author_prediction: str | None
    author_verdict: str | None
    gamma_quoted_by_file: float | None
    theta: float | None
    T_train: int | None
    source_file: str
    notes: str | None

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _read(name: str) -> dict[str, Any]:
    text = resources.files("tafagent.core").joinpath(f"{_DATA}/{name}").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _rows(data: dict[str, Any], cls: type) -> list[Any]:
    columns = data["columns"]
    expected = [f.name for f in fields(cls)]
    if columns != expected:  # a rebuilt data file and this module must agree column for column
        raise ValueError(f"packaged panel columns {columns} do not match {cls.__name__} fields {expected}")
    return [cls(*values) for values in data["rows"]]


def canonical_model_key(model_id: str) -> str:
    """Loose key for matching model ids: last path segment, lower case (``EleutherAI/Pythia-70m`` → ``pythia-70m``)."""
    return model_id.strip().rsplit("/", 1)[-1].lower()


@dataclass(frozen=True)
class Panel:
    """The γ rows with their file metadata; helpers select what the validation needs."""

    meta: dict[str, Any]
    rows: tuple[GammaRow, ...]

    @property
    def snapshot(self) -> str:
        return str(self.meta["snapshot"])

    def row(self, row_id: str) -> GammaRow:
        for r in self.rows:
            if r.row_id == row_id:
                return r
        raise KeyError(row_id)

    def canonical(self, corpus: str) -> tuple[GammaRow, ...]:
        """Canonical rows for ``text`` (text and text_sim) or ``random``, in row order."""
        wanted = TEXT_CORPORA if corpus == "text" else (corpus,)
        return tuple(r for r in self.rows if r.canonical and r.corpus in wanted)

    def models(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for r in self.rows:
            seen.setdefault(r.model, None)
        return tuple(seen)

    def rows_for(self, model_id: str) -> tuple[GammaRow, ...]:
        """Every row of one model, matched by exact id (case-insensitive) or by its last path segment."""
        key = model_id.strip().lower()
        exact = tuple(r for r in self.rows if r.model.lower() == key)
        if exact:
            return exact
        loose = canonical_model_key(model_id)
        return tuple(r for r in self.rows if canonical_model_key(r.model) == loose)

    def counts(self) -> dict[str, Any]:
        """Row, model and tier counts (the panel README's headline counts)."""
        tiers: dict[str, int] = {}
        for r in self.rows:
            tiers[r.tier] = tiers.get(r.tier, 0) + 1
        canonical = [r for r in self.rows if r.canonical]
        return {
            "rows": len(self.rows),
            "models": len(self.models()),
            "models_with_tier_A_or_B": len({r.model for r in self.rows if r.tier in ("A", "B")}),
            "tiers": dict(sorted(tiers.items())),
            "canonical_rows": len(canonical),
            "canonical_models": len({r.model for r in canonical}),
            "canonical_text": sum(1 for r in canonical if r.corpus == "text"),
            "canonical_text_sim": sum(1 for r in canonical if r.corpus == "text_sim"),
            "canonical_random": sum(1 for r in canonical if r.corpus == "random"),
        }


@cache
def load_panel() -> Panel:
    """The packaged γ panel (read once per process)."""
    data = _read("gamma_panel.json")
    return Panel(meta=data["meta"], rows=tuple(_rows(data, GammaRow)))


@cache
def load_curves() -> Mapping[str, AttnCurve]:
    """Attention curves by row id (read once per process; read-only)."""
    data = _read("attn_curves.json")
    out: dict[str, AttnCurve] = {}
    for row_id, entry in data["curves"].items():
        points = tuple(CurvePoint(float(d), float(a), bool(u)) for d, a, u in entry["points"])
        out[row_id] = AttnCurve(row_id, entry["source_file"], points)
    return MappingProxyType(out)


@cache
def load_outcomes() -> tuple[OutcomeRow, ...]:
    """Downstream outcome rows (read once per process)."""
    return tuple(_rows(_read("ground_truth.json"), OutcomeRow))


def outcome_set(name: str) -> tuple[OutcomeRow, ...]:
    """Rows of one ground-truth set, in file order."""
    return tuple(r for r in load_outcomes() if r.set == name)


# =====================================================================================================
# nearest measured neighbours
# =====================================================================================================
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
