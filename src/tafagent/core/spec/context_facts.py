"""Context facts: how long a model's context really is — claimed, trained, extended, reachable, effective.

A config's max positions is a *claim*: Mistral-7B-v0.1 says 32,768, its paper trained it at 8,192 with a 4,096
sliding window. The facts kept apart here, each with its provenance:

* **claimed** — the config's max positions (``max_position_embeddings`` / ``n_positions`` …);
* **trained** — the longest length the model was trained at: the sourced table ``data/context_lengths.json``
  (matched by Hub id or architecture fingerprint), else ``rope_scaling.original_max_position_embeddings``
  (the length before scaling), else the claim itself, marked as unchecked;
* **extended** — the RoPE scaling rule (type, factor) and the length the config declares with it;
* **attention span** of sliding-window models — the window, and window × n_layers, the farthest a token's
  information can travel through stacked windowed layers (an upper bound, not a trained length; Jiang et al.
  2023, arXiv:2310.06825 §2);
* **effective** — a published or shipped-panel effective length (RULER; the panel's NIAH), naming the
  benchmark and the variant tested.

``usable_tokens`` is the longest length the model was trained at or extended to by a RoPE rule its config
applies (capped by a model card's validated length when the table has one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from typing import Any

from tafagent.core.spec.context_lengths import (
    FINGERPRINT_KEYS,
    ContextRow,
    RowMatch,
    match_row,
    row_by_label,
)
from tafagent.core.spec.fields_positions import TRAINED_KEY_PREFIX
from tafagent.core.spec.model_spec import ModelSpec
from tafagent.core.validation.panel import outcome_set

# RULER's bar (NVIDIA/RULER README): Llama-2-7B's average at 4K.
RULER_THRESHOLD = 85.6
RULER_SOURCE = "TAF reference panel ground_truth.json set ruler_published (NVIDIA/RULER README table)"


@dataclass(frozen=True)
class ContextFacts:
    """The context lengths of one model, each with where it came from (see the module docstring)."""

    claimed_tokens: int | None
    trained_tokens: int | None
    trained_source: str
    extended_tokens: int | None
    rope_scaling_type: str | None
    rope_scaling_factor: float | None
    sliding_window_tokens: int | None
    stacked_span_tokens: int | None
    effective_tokens: int | None
    effective_source: str | None
    notes: tuple[str, ...] = ()
    claimed_source: str = ""
    pretrained_tokens: int | None = None
    extended_source: str | None = None
    validated_tokens: int | None = None
    validated_source: str | None = None
    stacked_span_source: str | None = None
    effective_benchmark: str | None = None
    matched: str | None = None  # the table row (its first id), or None
    # How the row was found ("id" or "fingerprint"): provenance only, so a preset and its pasted config compare equal.
    matched_by: str | None = field(default=None, compare=False)

    @property
    def usable_tokens(self) -> int | None:
        """max(trained, the validated extension if documented else the config's RoPE extension)."""
        extension = self.validated_tokens if self.validated_tokens is not None else self.extended_tokens
        candidates = [t for t in (self.trained_tokens, extension) if t is not None]
        return max(candidates) if candidates else None

    @property
    def over_claimed(self) -> bool:
        """The config claims more positions than the model was trained at or validly extended to."""
        usable = self.usable_tokens
        return self.claimed_tokens is not None and usable is not None and self.claimed_tokens > usable

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        out["notes"] = list(self.notes)
        out["usable_tokens"] = self.usable_tokens
        out["over_claimed"] = self.over_claimed
        return out


def context_facts(spec: ModelSpec) -> ContextFacts:
    """The context facts of ``spec`` (pure: the spec, the packaged table and the shipped panel)."""
    claimed, claimed_source, match = _claim_and_row(spec)
    row = match.row if match else None
    trained, trained_source, pretrained = _trained(spec, row, claimed)
    extended, extended_source = _extended(spec, claimed)
    window, span, span_source = _span(spec)
    effective = _effective(spec, row)
    facts = ContextFacts(
        claimed_tokens=claimed,
        trained_tokens=trained,
        trained_source=trained_source,
        extended_tokens=extended,
        rope_scaling_type=spec.rope_scaling.type if spec.rope_scaling else None,
        rope_scaling_factor=spec.rope_scaling.factor if spec.rope_scaling else None,
        sliding_window_tokens=window,
        stacked_span_tokens=span,
        effective_tokens=effective[0] if effective else None,
        effective_source=effective[1] if effective else None,
        claimed_source=claimed_source,
        pretrained_tokens=pretrained,
        extended_source=extended_source,
        validated_tokens=row.validated_tokens if row and extended else None,
        validated_source=row.validated_source if row and extended else None,
        stacked_span_source=span_source,
        effective_benchmark=effective[2] if effective else None,
        matched=match.row.label if match else None,
        matched_by=match.how if match else None,
    )
    return _with_notes(facts, row)


def _claim_and_row(spec: ModelSpec) -> tuple[int | None, str, RowMatch | None]:
    """The config's max positions and the table row, read back from how T_train was resolved."""
    source = spec.sources.get("T_train")
    if source is not None and source.kind == "preset" and (source.key or "").startswith(TRAINED_KEY_PREFIX):
        row = row_by_label((source.key or "")[len(TRAINED_KEY_PREFIX) :])
        if row is not None:
            how = "id" if spec.model_id.lower() in (i.lower() for i in row.ids) else "fingerprint"
            return row.claimed_tokens, _claim_text(row.claimed_tokens), RowMatch(row, how)
    claimed = spec.T_train if source is not None and source.kind == "config" else None
    values = {key: getattr(spec, key) for key in FINGERPRINT_KEYS}
    return claimed, _claim_text(claimed), match_row(spec.model_id, values, claimed)


def _claim_text(claimed: int | None) -> str:
    """The claim's provenance (the key name varies by family: max_position_embeddings, n_positions, …)."""
    return "config max positions" if claimed is not None else "the config states no max positions"


def _trained(spec: ModelSpec, row: ContextRow | None, claimed: int | None) -> tuple[int | None, str, int | None]:
    """(trained tokens, source, pre-training length before a long-context stage)."""
    scaling = spec.rope_scaling
    original = scaling.original_max_position_embeddings if scaling else None
    if row is not None:
        return row.trained_tokens, row.cite(), row.pretrained_tokens or original
    if original is not None:
        why = "config rope_scaling.original_max_position_embeddings (the length before RoPE scaling)"
        return original, why, original
    if claimed is not None:
        return claimed, "config max positions (a claim: no paper or model card in the table to check it)", None
    source = spec.sources.get("T_train")
    if spec.T_train is not None and source is not None:
        return spec.T_train, source.describe(), None
    return None, "unknown: the config states no max positions and the model is not in the table", None


def _extended(spec: ModelSpec, claimed: int | None) -> tuple[int | None, str | None]:
    """The length a RoPE scaling rule in the config targets: the declared max positions, else original × factor."""
    scaling = spec.rope_scaling
    if scaling is None:
        return None, None
    if scaling.type == "dynamic" and claimed is not None and scaling.factor:
        # Dynamic NTK rescales only past max positions (transformers' _compute_dynamic_ntk_parameters; vLLM serves
        # max positions × factor), so the config's max positions is the trained base, not the target.
        reach = round(claimed * scaling.factor)
        return reach, f"config max positions × factor {scaling.factor:g} (dynamic NTK rescales past max positions)"
    product = None
    if scaling.original_max_position_embeddings and scaling.factor:
        product = round(scaling.original_max_position_embeddings * scaling.factor)
    if claimed is not None:
        text = f"config max positions with rope_scaling {scaling.type}"
        if product is not None and product != claimed:
            text += (
                f" (original {scaling.original_max_position_embeddings:,} × factor {scaling.factor:g} = {product:,})"
            )
        return claimed, text
    if product is not None:
        return product, f"rope_scaling original_max_position_embeddings × factor ({scaling.type})"
    return None, None


def _span(spec: ModelSpec) -> tuple[int | None, int | None, str | None]:
    """(window, window × n_layers when every attention layer is windowed, its source)."""
    if spec.sliding_window is None:
        return None, None, None
    kinds = spec.layer_kinds()
    attention = [k for k in kinds if k in ("full_attention", "sliding_attention")]
    if attention and all(k == "sliding_attention" for k in attention):
        span = spec.sliding_window * len(attention)
        why = (
            f"window {spec.sliding_window:,} × {len(attention)} windowed layers: an upper bound on how far "
            "information travels through stacked layers (Jiang et al. 2023, arXiv:2310.06825 §2), not a trained length"
        )
        return spec.sliding_window, span, why
    return spec.sliding_window, None, "full-attention layers see the whole context; no stacking bound applies"


def _effective(spec: ModelSpec, row: ContextRow | None) -> tuple[int, str, str] | None:
    """(tokens, source, benchmark) from the table row, else the panel's RULER rows for this exact id."""
    if row is not None and row.effective is not None:
        e = row.effective
        return e.tokens, e.describe(), e.benchmark
    tokens = ruler_effective_tokens(spec.model_id)
    if tokens is None:
        return None
    rule = f"longest tested length with RULER average ≥ {RULER_THRESHOLD}"
    return tokens, f"RULER: {spec.model_id} effective {tokens:,} tokens ({rule}; {RULER_SOURCE})", "RULER"


def ruler_effective_tokens(model_id: str) -> int | None:
    """RULER effective length of ``model_id`` from the shipped panel: the longest length whose average, and every
    shorter one's, is ≥ 85.6; None when the panel has no RULER rows for it or it fails at the shortest."""
    points = sorted(
        (int(r.x_value), float(r.value))
        for r in outcome_set("ruler_published")
        if r.model.lower() == model_id.lower() and r.x_value is not None and r.value is not None
    )
    effective = None
    for tokens, score in points:
        if score < RULER_THRESHOLD:
            break
        effective = tokens
    return effective


def _with_notes(facts: ContextFacts, row: ContextRow | None) -> ContextFacts:
    """Plain-language notes: an over-claim, a stacking bound, where each number came from."""
    notes: list[str] = []
    if facts.over_claimed and facts.claimed_tokens is not None and facts.usable_tokens is not None:
        notes.append(
            f"max positions can over-claim: the config says {facts.claimed_tokens:,} but the model was trained at "
            f"{facts.trained_tokens:,}" + _usable_text(facts)
        )
    extended, trained = facts.extended_tokens, facts.trained_tokens
    if extended is not None and trained is not None and extended > trained and facts.validated_tokens is None:
        notes.append(
            f"{trained:,} → {extended:,} relies on rope_scaling {facts.rope_scaling_type}; quality beyond the "
            "trained length depends on fine-tuning at that length"
        )
    if facts.stacked_span_tokens is not None:
        notes.append(
            f"sliding window {facts.sliding_window_tokens:,}: a token attends directly to the last "
            f"{facts.sliding_window_tokens:,} tokens; {facts.stacked_span_tokens:,} is the stacking upper bound"
        )
    if row is not None:
        notes.extend(row.notes)
    return ContextFacts(**{**{f.name: getattr(facts, f.name) for f in fields(facts)}, "notes": tuple(notes)})


def _usable_text(facts: ContextFacts) -> str:
    if facts.usable_tokens is not None and facts.usable_tokens != facts.trained_tokens:
        return f" and is usable to {facts.usable_tokens:,}"
    return ""


# ---- display texts in other languages: the English sentences above, read back into catalog messages -----------
_INT = r"(\d[\d,]*)"
_TEXTS: tuple[tuple[re.Pattern[str], str, tuple[str, ...]], ...] = (
    (re.compile(r"config max positions"), "card.ctx.claim_source", ()),
    (re.compile(r"the config states no max positions"), "card.ctx.no_claim", ()),
    (
        re.compile(r"config rope_scaling\.original_max_position_embeddings \(the length before RoPE scaling\)"),
        "card.ctx.trained_original",
        (),
    ),
    (
        re.compile(r"config max positions \(a claim: no paper or model card in the table to check it\)"),
        "card.ctx.trained_claim",
        (),
    ),
    (
        re.compile(r"unknown: the config states no max positions and the model is not in the table"),
        "card.ctx.trained_unknown",
        (),
    ),
    (
        re.compile(r"config max positions × factor (\S+) \(dynamic NTK rescales past max positions\)"),
        "card.ctx.dynamic",
        ("factor",),
    ),
    (re.compile(r"config max positions with rope_scaling (\S+)"), "card.ctx.with_scaling", ("type",)),
    (
        re.compile(rf"config max positions with rope_scaling (\S+) \(original {_INT} × factor (\S+) = {_INT}\)"),
        "card.ctx.with_scaling+product",
        ("type", "original:int", "factor", "product:int"),
    ),
    (
        re.compile(r"rope_scaling original_max_position_embeddings × factor \((\S+)\)"),
        "card.ctx.product_only",
        ("type",),
    ),
    (
        re.compile(
            rf"window {_INT} × (\d+) windowed layers: an upper bound on how far information travels through stacked "
            r"layers \(Jiang et al\. 2023, arXiv:2310\.06825 §2\), not a trained length"
        ),
        "card.ctx.span",
        ("window:int", "layers"),
    ),
    (
        re.compile(r"full-attention layers see the whole context; no stacking bound applies"),
        "card.ctx.full_layers",
        (),
    ),
    (
        re.compile(
            rf"RULER: (\S+) effective {_INT} tokens \(longest tested length with RULER average ≥ (\S+); "
            + re.escape(RULER_SOURCE)
            + r"\)"
        ),
        "card.ctx.ruler",
        ("model", "tokens:int", "threshold"),
    ),
    (
        re.compile(rf"max positions can over-claim: the config says {_INT} but the model was trained at {_INT}"),
        "card.ctx.note.over_claim",
        ("claimed:int", "trained:int"),
    ),
    (
        re.compile(
            rf"max positions can over-claim: the config says {_INT} but the model was trained at {_INT} and is "
            rf"usable to {_INT}"
        ),
        "card.ctx.note.over_claim+usable",
        ("claimed:int", "trained:int", "usable:int"),
    ),
    (
        re.compile(
            rf"{_INT} → {_INT} relies on rope_scaling (\S+); quality beyond the trained length depends on "
            r"fine-tuning at that length"
        ),
        "card.ctx.note.extension",
        ("trained:int", "extended:int", "type"),
    ),
    (
        re.compile(
            rf"sliding window {_INT}: a token attends directly to the last {_INT} tokens; {_INT} is the stacking "
            r"upper bound"
        ),
        "card.ctx.note.window",
        ("window:int", "window2:int", "span:int"),
    ),
)


def context_text(text: str, lang: str = "en") -> str:
    """A source or note this module wrote (English, kept so in JSON) in ``lang``; other texts — the context-length
    table's citations, a field source — are returned unchanged."""
    if lang == "en" or not text:
        return text
    from tafagent.core.messages import tr

    for pattern, key, names in _TEXTS:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        params: dict[str, Any] = {}
        for name, value in zip(names, match.groups(), strict=True):
            field_name, _, kind = name.partition(":")
            params[field_name] = int(value.replace(",", "")) if kind == "int" else value
        if key == "card.ctx.note.window":
            params.pop("window2")
        first, _, second = key.partition("+")
        if second == "product":
            product = {k: params.pop(k) for k in ("original", "product")}
            return tr(first, lang, **params) + tr("card.ctx.product", lang, factor=params["factor"], **product)
        if second == "usable":
            usable = params.pop("usable")
            return tr(first, lang, **params) + tr("card.ctx.note.usable", lang, usable=usable)
        return tr(key, lang, **params)
    return text
