"""The validation's result types: one law's report, a step's panel evidence, a recomputed panel constant,
the power-law refits, the falsification dashboard and the whole :class:`ValidationReport`.

All are frozen and serialise through ``to_dict`` to strict JSON (non-finite floats become null).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tafagent.core.evidence import Evidence, EvidenceNote
from tafagent.core.jsonsafe import json_safe
from tafagent.core.messages import Msg
from tafagent.core.validation.comparison import SUPPORT_LEVELS, Comparison

__all__ = [
    "CLAIM_STATUSES",
    "Claim",
    "Dashboard",
    "LawEvidence",
    "LawReport",
    "PanelConstant",
    "RefitCheck",
    "ValidationReport",
]

CLAIM_STATUSES = ("confirmed", "partial", "refuted", "untestable-with-this-data")


@dataclass(frozen=True)
class LawReport:
    """One predictive law tested on the panel: its comparisons (the first is the headline one)."""

    key: str
    title: str
    section: str
    formula: str
    engine: str  # the engine function(s) that made the predictions
    evidence: EvidenceNote  # the engine's own label for this law (core/laws/constants.py)
    support: str  # one of SUPPORT_LEVELS: what the panel says about the law
    headline: str  # the panel statistic, one line with n
    comparisons: tuple[Comparison, ...]
    fitted: dict[str, Any] = field(default_factory=dict)  # values re-derived from the data, with n
    notes: tuple[str, ...] = ()
    headline_msg: Msg | None = field(default=None, compare=False)  # ``headline`` for other languages

    def __post_init__(self) -> None:
        if self.headline_msg is not None and not self.headline:
            object.__setattr__(self, "headline", self.headline_msg.text())
        if self.support not in SUPPORT_LEVELS:
            raise ValueError(f"unknown support level {self.support!r} for law {self.key!r}")

    @property
    def primary(self) -> Comparison:
        return self.comparisons[0]

    def comparison(self, key: str) -> Comparison:
        for c in self.comparisons:
            if c.key == key:
                return c
        raise KeyError(key)

    def to_dict(self) -> dict[str, Any]:
        return json_safe(
            {
                "key": self.key,
                "title": self.title,
                "section": self.section,
                "formula": self.formula,
                "engine": self.engine,
                "evidence": self.evidence.to_dict(),
                "support": self.support,
                "headline": self.headline,
                "comparisons": [c.to_dict() for c in self.comparisons],
                "fitted": self.fitted,
                "notes": list(self.notes),
            }
        )


@dataclass(frozen=True)
class LawEvidence:
    """A predictive step's evidence label plus the panel statistic that backs or contradicts it."""

    law_key: str
    label: Evidence
    support: str
    statistic: str
    n: int | None
    source: str
    statistic_msg: Msg | None = field(default=None, compare=False)  # ``statistic`` for other languages
    # the sub-comparison a ``law:comparison`` key names (its title and summary are rendered in other languages)
    comparison: Comparison | None = field(default=None, compare=False)

    def note(self) -> EvidenceNote:
        """As an :class:`EvidenceNote` (label, source, n, statistic) for a Step or the card."""
        return EvidenceNote(self.label, self.source, self.n, f"{self.support}: {self.statistic}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "law_key": self.law_key,
            "label": self.label.value,
            "support": self.support,
            "statistic": self.statistic,
            "n": self.n,
            "source": self.source,
        }


@dataclass(frozen=True)
class PanelConstant:
    """A constant the reference hard-coded (spec §2.1) beside the value the packaged data gives."""

    name: str
    reference_value: float
    reference_n: int | None
    data_value: float | None
    data_se: float | None
    n: int
    method: str
    differs: bool | None  # |data − reference| > 2 standard errors (None when no standard error exists)

    def to_dict(self) -> dict[str, Any]:
        return json_safe({k: getattr(self, k) for k in self.__dataclass_fields__})


@dataclass(frozen=True)
class RefitCheck:
    """OLS refits of the stored power laws from their raw curves."""

    n_rows: int
    by_tier: dict[str, dict[str, Any]]
    rows: tuple[dict[str, Any], ...]  # every refit: row_id, tier, stored γ, refit γ, |Δ|, R², amplitude
    window_mismatches: tuple[str, ...]  # rows whose used_in_fit points are not exactly fit_d_min ≤ d ≤ T_eval

    @property
    def max_abs_diff_tier_A(self) -> float:
        return float(self.by_tier["A"]["max_abs_diff"])

    def to_dict(self) -> dict[str, Any]:
        return json_safe(
            {
                "n_rows": self.n_rows,
                "by_tier": self.by_tier,
                "window_mismatches": list(self.window_mismatches),
                "rows": list(self.rows),
            }
        )


@dataclass(frozen=True)
class Claim:
    """One falsifier of spec §7.12 with the status the packaged data supports."""

    id: str
    claim: str
    reference_status: str
    status: str
    evidence: str
    n: int | None = None

    def __post_init__(self) -> None:
        if self.status not in CLAIM_STATUSES:
            raise ValueError(f"unknown claim status {self.status!r}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "claim": self.claim,
            "reference_status": self.reference_status,
            "status": self.status,
            "n": self.n,
            "evidence": self.evidence,
        }


@dataclass(frozen=True)
class Dashboard:
    """The falsification dashboard (spec §7.12): every claim with its status, and the count per status."""

    claims: tuple[Claim, ...]

    @property
    def counts(self) -> dict[str, int]:
        return {s: sum(1 for c in self.claims if c.status == s) for s in CLAIM_STATUSES}

    def to_dict(self) -> dict[str, Any]:
        return {"counts": self.counts, "total": len(self.claims), "claims": [c.to_dict() for c in self.claims]}


@dataclass(frozen=True)
class ValidationReport:
    """The whole validation: every law, the refits, the recomputed constants and the dashboard."""

    snapshot: str
    panel_counts: dict[str, Any]
    laws: tuple[LawReport, ...]
    refit: RefitCheck
    constants: tuple[PanelConstant, ...]
    dashboard: Dashboard

    def law(self, key: str) -> LawReport:
        for law in self.laws:
            if law.key == key:
                return law
        raise KeyError(key)

    def summary_rows(self) -> list[dict[str, Any]]:
        """One row per law from its headline comparison (README "How good are the predictions?",
        `taf validate`'s table and the web app's validation table)."""
        rows = []
        for law in self.laws:
            c = law.primary
            rows.append(
                {
                    "law": law.key,
                    "title": law.title,
                    "evidence": law.evidence.label.value,
                    "support": law.support,
                    "comparison": c.title,
                    "n": c.n,
                    "mae": c.mae,
                    "r": c.pearson_r,
                    "hits": c.hits,
                    "hit_rate": c.hit_rate,
                    "balanced_accuracy": c.balanced_accuracy,
                }
            )
        return json_safe(rows)

    def to_dict(self) -> dict[str, Any]:
        return json_safe(
            {
                "snapshot": self.snapshot,
                "panel_counts": self.panel_counts,
                "laws": [law.to_dict() for law in self.laws],
                "refit": self.refit.to_dict(),
                "constants": [c.to_dict() for c in self.constants],
                "falsification_dashboard": self.dashboard.to_dict(),
            }
        )
