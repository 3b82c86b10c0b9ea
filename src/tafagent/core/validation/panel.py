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

**Another panel.** A user's own measurements (``taf sweep`` writes ``gamma_panel.json`` and ``attn_curves.json``
in these schemas) become a :class:`Panel` through :func:`panel_from_json`. Inside ``with using_panel(panel):``
:func:`load_panel`, :func:`load_curves` and :func:`load_outcomes` answer from that panel (a context variable, so
the laws need no parameter); outside they answer from the shipped one. ``core.validation.catalog`` runs the
laws that way (``validate(panel)``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, fields
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any, TypeVar

from tafagent.core.errors import ConfigError

__all__ = [
    "AttnCurve",
    "CurvePoint",
    "GammaRow",
    "OutcomeRow",
    "Panel",
    "PanelScope",
    "canonical_model_key",
    "load_curves",
    "load_outcomes",
    "load_panel",
    "outcome_set",
    "panel_cache",
    "panel_from_json",
    "shipped_panel",
    "using_panel",
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


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: caches are kept per panel
class Panel:
    """The γ rows with their file metadata; helpers select what the validation needs.

    ``curves`` and ``outcomes`` are None for the shipped panel (read lazily from the package) and given for
    another panel (a user's sweep has curves but no downstream outcomes: ``outcomes=()``).
    """

    meta: dict[str, Any]
    rows: tuple[GammaRow, ...]
    curves: Mapping[str, AttnCurve] | None = None
    outcomes: tuple[OutcomeRow, ...] | None = None

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


@dataclass
class PanelScope:
    """The panel of one ``with using_panel(...)`` block and how often the block read it (0: a law that does not
    use the γ panel, e.g. one tested on its own data)."""

    panel: Panel
    reads: int = 0


_ACTIVE: ContextVar[PanelScope | None] = ContextVar("tafagent_active_panel", default=None)


def _active() -> Panel | None:
    scope = _ACTIVE.get()
    if scope is None:
        return None
    scope.reads += 1
    return scope.panel


_F = TypeVar("_F", bound=Callable[..., Any])


def panel_cache(function: _F) -> _F:
    """``functools.cache`` for a function whose arguments already name the panel (kept across panel switches)."""
    cached = cache(function)
    cached.keyed_by_panel = True  # type: ignore[attr-defined]  # catalog.py leaves these caches alone
    return cached  # type: ignore[return-value]


@panel_cache
def shipped_panel() -> Panel:
    """The packaged γ panel (read once per process)."""
    data = _read("gamma_panel.json")
    return Panel(meta=data["meta"], rows=tuple(_rows(data, GammaRow)))


def load_panel() -> Panel:
    """The panel in force: the one of the enclosing :func:`using_panel`, else the packaged one."""
    active = _active()
    return shipped_panel() if active is None else active


@contextmanager
def using_panel(panel: Panel) -> Iterator[PanelScope]:
    """Within the block, :func:`load_panel`, :func:`load_curves` and :func:`load_outcomes` read ``panel``."""
    scope = PanelScope(panel)
    token = _ACTIVE.set(scope)
    try:
        yield scope
    finally:
        _ACTIVE.reset(token)


@panel_cache
def _shipped_curves() -> Mapping[str, AttnCurve]:
    return MappingProxyType(_curves_of(_read("attn_curves.json"), "packaged attn_curves.json"))


def load_curves() -> Mapping[str, AttnCurve]:
    """Attention curves by row id of the panel in force (read-only)."""
    active = _active()
    if active is None:
        return _shipped_curves()
    return MappingProxyType(dict(active.curves or {}))


@panel_cache
def _shipped_outcomes() -> tuple[OutcomeRow, ...]:
    return tuple(_rows(_read("ground_truth.json"), OutcomeRow))


def load_outcomes() -> tuple[OutcomeRow, ...]:
    """Downstream outcome rows of the panel in force (none for a panel that records none)."""
    active = _active()
    if active is None:
        return _shipped_outcomes()
    return active.outcomes or ()


def outcome_set(name: str) -> tuple[OutcomeRow, ...]:
    """Rows of one ground-truth set, in file order."""
    return tuple(r for r in load_outcomes() if r.set == name)


# ---- another panel from its JSON text (the caller reads the files: the core does no file I/O) ----------------

_TYPES: dict[str, tuple[type, ...]] = {"str": (str,), "bool": (bool,), "int": (int,), "float": (int, float)}


def _check_value(value: Any, annotation: str) -> bool:
    """Whether a JSON value fits a GammaRow field annotation such as ``float | None``."""
    kinds = [part.strip() for part in annotation.split("|")]
    if value is None:
        return "None" in kinds
    for kind in kinds:
        allowed = _TYPES.get(kind)
        if allowed is None or (isinstance(value, bool) and bool not in allowed):
            continue
        if isinstance(value, allowed):
            return not isinstance(value, float) or math.isfinite(value)
    return False


def _user_rows(data: Any, source: str) -> tuple[GammaRow, ...]:
    hint = "pass a folder written by `taf sweep --out` (or its gamma_panel.json)"
    if not isinstance(data, dict) or not isinstance(data.get("rows"), list) or not isinstance(data.get("meta"), dict):
        raise ConfigError(f"{source}: not a γ panel (expected an object with meta, columns and rows)", hint)
    expected = [f.name for f in fields(GammaRow)]
    if data.get("columns") != expected:
        raise ConfigError(f"{source}: its columns are not the panel schema's ({len(expected)} GammaRow fields)", hint)
    rows, seen = [], set()
    annotations = {f.name: str(f.type) for f in fields(GammaRow)}
    for number, values in enumerate(data["rows"], start=1):
        if not isinstance(values, list) or len(values) != len(expected):
            raise ConfigError(f"{source}: row {number} does not have {len(expected)} values", hint)
        for name, value in zip(expected, values, strict=True):
            if not _check_value(value, annotations[name]):
                raise ConfigError(f"{source}: row {number}: {name} must be {annotations[name]}, got {value!r}"[:300])
        row = GammaRow(*values)
        if row.row_id in seen:
            raise ConfigError(f"{source}: row id {row.row_id!r} appears twice", hint)
        seen.add(row.row_id)
        rows.append(row)
    return tuple(rows)


def _curves_of(data: Any, source: str) -> dict[str, AttnCurve]:
    if not isinstance(data, dict) or not isinstance(data.get("curves"), dict):
        raise ConfigError(f"{source}: not an attention-curve file (expected an object with curves)")
    out: dict[str, AttnCurve] = {}
    for row_id, entry in data["curves"].items():
        try:
            points = tuple(CurvePoint(float(d), float(a), bool(u)) for d, a, u in entry["points"])
            out[row_id] = AttnCurve(row_id, str(entry["source_file"]), points)
        except (KeyError, TypeError, ValueError):
            raise ConfigError(f"{source}: curve {row_id!r} is not [[d, attn_mean, used_in_fit], ...]") from None
    return out


def panel_from_json(gamma_text: str, curves_text: str | None = None, *, source: str = "panel") -> Panel:
    """A :class:`Panel` from the text of a ``gamma_panel.json`` (and optionally ``attn_curves.json``) in the
    shipped schema; it has no downstream outcomes. Every value is type-checked: ConfigError (one line) otherwise."""
    try:
        data = json.loads(gamma_text)
        curves_data = None if curves_text is None else json.loads(curves_text)
    except json.JSONDecodeError as error:
        raise ConfigError(f"{source}: not valid JSON (line {error.lineno}: {error.msg})") from None
    rows = _user_rows(data, source)
    curves = {} if curves_data is None else _curves_of(curves_data, source)
    meta = dict(data["meta"])
    meta.setdefault("snapshot", source)
    return Panel(meta=meta, rows=rows, curves=MappingProxyType(curves), outcomes=())
