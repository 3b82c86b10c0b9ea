"""The sourced table of known models' training lengths (``data/context_lengths.json``) and how a config finds its row.

``max_position_embeddings`` can over-claim: Mistral-7B-v0.1's config says 32,768 while the paper's Table 1 says
the model was trained at 8,192 with a 4,096 sliding window; Qwen2.5-7B says 131,072 while its report trains to
32,768. The table holds, per model (a row may name several ids that share one architecture, e.g. a base model
and its instruct tune), the length it was trained at, with the paper or model card and its date.

A config finds its row by Hub id (case-insensitive), or, when pasted without an id, by its *architecture
fingerprint*: model_type, d_model, n_layers, n_heads, n_kv_heads, vocab_size, rope_theta and the config's own
max positions. Both ways require the config's max positions to equal the row's, so an edited or updated config
is not silently given facts recorded for another file. RoPE scaling is left out of the fingerprint on purpose:
adding a YaRN block to a known config (as model cards recommend) must keep its trained length.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

TABLE_FILE = "data/context_lengths.json"
# The fingerprint keys, in the order the table writes them.
FINGERPRINT_KEYS = ("model_type", "d_model", "n_layers", "n_heads", "n_kv_heads", "vocab_size", "rope_theta")


@dataclass(frozen=True)
class PublishedLength:
    """A published or measured effective length: the longest tested length still above the benchmark's bar."""

    tokens: int
    benchmark: str
    tested_model: str
    rule: str
    source: str
    date: str

    def describe(self) -> str:
        return f"{self.benchmark}: {self.tested_model} effective {self.tokens:,} tokens ({self.rule}; {self.source})"


@dataclass(frozen=True)
class ContextRow:
    """One row of the table: the ids it covers, its fingerprint, the trained length and its sources."""

    ids: tuple[str, ...]
    fingerprint: dict[str, Any]
    claimed_tokens: int | None
    trained_tokens: int
    trained_source: str
    date: str
    pretrained_tokens: int | None
    validated_tokens: int | None
    validated_source: str | None
    effective: PublishedLength | None
    notes: tuple[str, ...]

    @property
    def label(self) -> str:
        return self.ids[0]

    def cite(self) -> str:
        return f"{self.trained_source} ({self.date})"


def fingerprint_of(values: Mapping[str, Any]) -> tuple[Any, ...]:
    """The architecture fingerprint: the FINGERPRINT_KEYS values (rope_theta as a float, or None)."""
    theta = values.get("rope_theta")
    out: list[Any] = [values.get(key) for key in FINGERPRINT_KEYS[:-1]]
    out.append(float(theta) if isinstance(theta, (int, float)) else None)
    return tuple(out)


def _row(data: Mapping[str, Any]) -> ContextRow:
    effective = data.get("effective")
    validated = data.get("validated_extension") or {}
    return ContextRow(
        ids=tuple(data["ids"]),
        fingerprint=dict(data["fingerprint"]),
        claimed_tokens=data["claimed_tokens"],
        trained_tokens=int(data["trained_tokens"]),
        trained_source=str(data["trained_source"]),
        date=str(data["date"]),
        pretrained_tokens=data.get("pretrained_tokens"),
        validated_tokens=validated.get("tokens"),
        validated_source=validated.get("source"),
        effective=PublishedLength(**effective) if effective else None,
        notes=tuple(data.get("notes", ())),
    )


@cache
def context_rows() -> tuple[ContextRow, ...]:
    """Every row of ``data/context_lengths.json``."""
    text = resources.files("tafagent.core").joinpath(TABLE_FILE).read_text(encoding="utf-8")
    return tuple(_row(row) for row in json.loads(text)["models"])


@cache
def _indexes() -> tuple[dict[str, ContextRow], dict[tuple[Any, ...], ContextRow]]:
    by_id: dict[str, ContextRow] = {}
    by_print: dict[tuple[Any, ...], ContextRow] = {}
    for row in context_rows():
        for model_id in row.ids:
            by_id[model_id.lower()] = row
        by_print[(*fingerprint_of(row.fingerprint), row.claimed_tokens)] = row
    return by_id, by_print


@dataclass(frozen=True)
class RowMatch:
    """A row and how it was found: ``"id"`` or ``"fingerprint"``."""

    row: ContextRow
    how: str

    def describe(self) -> str:
        if self.how == "id":
            return f"matched by model id {self.row.label}"
        return f"matched by architecture fingerprint to {', '.join(self.row.ids)}"


def match_row(model_id: str | None, values: Mapping[str, Any], claimed_tokens: int | None) -> RowMatch | None:
    """The row for a model id (with equal max positions), else for its architecture fingerprint, else None."""
    by_id, by_print = _indexes()
    row = by_id.get((model_id or "").strip().lower())
    if row is not None and row.claimed_tokens == claimed_tokens:
        return RowMatch(row, "id")
    row = by_print.get((*fingerprint_of(values), claimed_tokens))
    return RowMatch(row, "fingerprint") if row is not None else None


def row_by_label(label: str) -> ContextRow | None:
    """The row whose first id is ``label`` (how a resolved spec names the row its T_train came from)."""
    return _indexes()[0].get(label.lower())
