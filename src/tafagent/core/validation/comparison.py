"""One prediction tested on n cases: :class:`Case`, :class:`Comparison`, how a comparison is computed from its
cases (numeric: MAE, bias, r, ρ, MSE; categorical: hit rate, confusion table, balanced accuracy), and the rules
that turn a comparison into a support level ("backs", "contradicts", …).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from tafagent.core.errors import TafError
from tafagent.core.jsonsafe import json_safe
from tafagent.core.validation.stats import mean, pearson_r, population_variance, real_number, spearman_rho

__all__ = [
    "MIN_N",
    "SUPPORT_LEVELS",
    "WORST_CASES",
    "Case",
    "Comparison",
    "categorical_comparison",
    "numeric_comparison",
    "support_numeric",
    "support_rate",
]

WORST_CASES = 5
SUPPORT_LEVELS = ("backs", "contradicts", "mixed", "insufficient", "untestable")
MIN_N = 5  # below this a comparison is reported but called "insufficient"


@dataclass(frozen=True)
class Case:
    """One prediction against one observation. ``residual`` = observed − predicted (numeric cases)."""

    model: str
    ref: str  # panel row id(s) or ground-truth id(s) behind the observation
    predicted: float | str | None
    observed: float | str | None
    hit: bool | None
    residual: float | None = None
    detail: str = ""

    @property
    def predicted_value(self) -> float:
        return real_number(self.predicted)

    @property
    def observed_value(self) -> float:
        return real_number(self.observed)

    def to_dict(self) -> dict[str, Any]:
        return json_safe(
            {
                "model": self.model,
                "ref": self.ref,
                "predicted": self.predicted,
                "observed": self.observed,
                "residual": self.residual,
                "hit": self.hit,
                "detail": self.detail,
            }
        )


@dataclass(frozen=True)
class Comparison:
    """A prediction tested on n cases, with its statistics (None where undefined, e.g. r for n < 3)."""

    key: str
    title: str
    hit_rule: str
    cases: tuple[Case, ...]
    n: int
    hits: int
    hit_rate: float | None
    mae: float | None = None
    bias: float | None = None  # mean(observed − predicted)
    pearson_r: float | None = None
    spearman_rho: float | None = None
    mse: float | None = None
    mse_of_panel_mean: float | None = None  # population variance of the observations
    balanced_accuracy: float | None = None  # categorical: mean of the per-class hit rates
    confusion: dict[str, int] | None = None
    notes: tuple[str, ...] = ()

    @property
    def rmse(self) -> float | None:
        return None if self.mse is None else math.sqrt(self.mse)

    def failures(self, limit: int | None = WORST_CASES) -> list[Case]:
        """Failing cases, worst first (largest |residual|, then model name)."""
        failed = [c for c in self.cases if c.hit is False]
        failed.sort(key=lambda c: (-(abs(c.residual) if c.residual is not None else 0.0), c.model, c.ref))
        return failed if limit is None else failed[:limit]

    def summary(self) -> str:
        """One line with n and the statistics that exist."""
        parts = [f"n = {self.n}"]
        if self.mae is not None:
            parts.append(f"MAE {self.mae:.2f}")
        if self.pearson_r is not None:
            parts.append(f"r = {self.pearson_r:.2f}")
        if self.balanced_accuracy is not None:
            parts.append(f"balanced accuracy {self.balanced_accuracy:.2f}")
        if self.n:
            parts.append(f"{self.hits}/{self.n} hits ({self.hit_rule})")
        return ", ".join(parts)

    def summary_text(self, lang: str = "en") -> str:
        """:meth:`summary` in ``lang``: the same statistics with the language's words and number marks (the hit
        rule through :func:`validation_text`)."""
        if lang == "en":
            return self.summary()
        from tafagent.core.messages import tr

        parts = [tr("laws.summary.n", lang, n=self.n)]
        if self.mae is not None:
            parts.append(tr("laws.summary.mae", lang, mae=_two(self.mae, lang)))
        if self.pearson_r is not None:
            parts.append(tr("laws.summary.r", lang, r=_two(self.pearson_r, lang)))
        if self.balanced_accuracy is not None:
            parts.append(tr("laws.summary.balanced", lang, value=_two(self.balanced_accuracy, lang)))
        if self.n:
            rule = validation_text(self.hit_rule, lang)
            parts.append(tr("laws.summary.hits", lang, hits=self.hits, n=self.n, rule=rule))
        return tr("laws.summary.sep", lang).join(parts)

    def to_dict(self) -> dict[str, Any]:
        return json_safe(
            {
                "key": self.key,
                "title": self.title,
                "n": self.n,
                "mae": self.mae,
                "rmse": self.rmse,
                "bias": self.bias,
                "pearson_r": self.pearson_r,
                "spearman_rho": self.spearman_rho,
                "mse": self.mse,
                "mse_of_panel_mean": self.mse_of_panel_mean,
                "hits": self.hits,
                "hit_rate": self.hit_rate,
                "hit_rule": self.hit_rule,
                "balanced_accuracy": self.balanced_accuracy,
                "confusion": self.confusion,
                "summary": self.summary(),
                "failures": [c.to_dict() for c in self.failures(None)],
                "cases": [c.to_dict() for c in self.cases],
                "notes": list(self.notes),
            }
        )


def numeric_comparison(
    key: str, title: str, cases: Sequence[Case], hit_rule: str, notes: Iterable[str] = ()
) -> Comparison:
    """Statistics of numeric predictions (cases carry float predicted/observed and a hit flag)."""
    preds = [c.predicted_value for c in cases]
    obs = [c.observed_value for c in cases]
    res = [o - p for p, o in zip(preds, obs, strict=True)]
    n = len(cases)
    hits = sum(1 for c in cases if c.hit)
    return Comparison(
        key=key,
        title=title,
        hit_rule=hit_rule,
        cases=tuple(cases),
        n=n,
        hits=hits,
        hit_rate=hits / n if n else None,
        mae=mean([abs(r) for r in res]),
        bias=mean(res),
        pearson_r=pearson_r(preds, obs),
        spearman_rho=spearman_rho(preds, obs),
        mse=mean([r * r for r in res]),
        mse_of_panel_mean=population_variance(obs),
        notes=tuple(notes),
    )


def _confusion(cases: Sequence[Case], positive: Callable[[Case], bool | None]) -> dict[str, int]:
    """Predicted × observed class counts; cases whose observed class is unknown (None) are left out.

    The predicted class is positive exactly when the case is a hit and observed positive, or a miss and
    observed negative.
    """
    tp = fn = fp = tn = 0
    for c in cases:
        obs_pos = positive(c)
        if obs_pos is None:
            continue
        pred_pos = obs_pos if c.hit else not obs_pos
        if obs_pos and pred_pos:
            tp += 1
        elif obs_pos:
            fn += 1
        elif pred_pos:
            fp += 1
        else:
            tn += 1
    return {
        "predicted_yes_observed_yes": tp,
        "predicted_yes_observed_no": fp,
        "predicted_no_observed_yes": fn,
        "predicted_no_observed_no": tn,
    }


def _balanced_accuracy(confusion: dict[str, int]) -> float | None:
    """Mean of the hit rates on observed-positive and observed-negative cases; None unless both classes occur."""
    tp, fn = confusion["predicted_yes_observed_yes"], confusion["predicted_no_observed_yes"]
    fp, tn = confusion["predicted_yes_observed_no"], confusion["predicted_no_observed_no"]
    if tp + fn and fp + tn:
        return (tp / (tp + fn) + tn / (fp + tn)) / 2.0
    return None


def categorical_comparison(
    key: str,
    title: str,
    cases: Sequence[Case],
    hit_rule: str,
    positive: Callable[[Case], bool | None] | None = None,
    notes: Iterable[str] = (),
) -> Comparison:
    """Hit rate; with ``positive`` (the observed class of a case) also a confusion table and balanced accuracy.

    ``positive(case)`` says whether the *observed* outcome is the positive class (e.g. retrieval works).
    """
    n = len(cases)
    hits = sum(1 for c in cases if c.hit)
    confusion = _confusion(cases, positive) if positive is not None and n else None
    return Comparison(
        key=key,
        title=title,
        hit_rule=hit_rule,
        cases=tuple(cases),
        n=n,
        hits=hits,
        hit_rate=hits / n if n else None,
        balanced_accuracy=None if confusion is None else _balanced_accuracy(confusion),
        confusion=confusion,
        notes=tuple(notes),
    )


def support_numeric(c: Comparison) -> str:
    """backs: r ≥ 0.5 and beats the panel mean; contradicts: r² < 0.1 or worse than the panel mean."""
    if c.n < MIN_N:
        return "insufficient"
    r = c.pearson_r
    beats_mean = c.mse is not None and c.mse_of_panel_mean is not None and c.mse < c.mse_of_panel_mean
    if r is not None and r >= 0.5 and beats_mean:
        return "backs"
    if r is None or r * r < 0.1 or not beats_mean:
        return "contradicts"
    return "mixed"


def support_rate(c: Comparison, *, use_balanced: bool = True) -> str:
    """backs ≥ 0.8, contradicts < 0.6 (balanced accuracy when both observed classes exist, else hit rate)."""
    if c.n < MIN_N:
        return "insufficient"
    score = c.balanced_accuracy if use_balanced and c.balanced_accuracy is not None else c.hit_rate
    if score is None:
        return "untestable"
    if score >= 0.8:
        return "backs"
    if score < 0.6:
        return "contradicts"
    return "mixed"


# A number the statistics pre-formatted in English marks ("0.07", "1,234.5"; integers need none): the part of a
# statistic that gets the language's marks once the words around it are translated.
_STAT_NUMBER = re.compile(r"(?<![\w.,])(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+)(?![\w])")


def validation_text(english: str, lang: str = "en") -> str:
    """A law's title, a comparison's title or a hit rule in ``lang``: the catalog's ``laws.text.<English>``
    (English, and any text without a translation, as written)."""
    if lang == "en":
        return english
    from tafagent.core.messages import catalog

    return catalog(lang).get(f"laws.text.{english}", english)


def _two(value: float, lang: str) -> str:
    """A statistic with two decimals in ``lang``'s marks ("0,70" in Spanish and French)."""
    from tafagent.core.render.format import localise_number

    return localise_number(f"{value:.2f}", lang)


def panel_text(panel: dict[str, Any] | None, lang: str = "en") -> str:
    """The one-line 'support — statistic' text of a step's or key number's ``panel`` (a LawEvidence dict), in
    ``lang``: the law's headline message where it has one, its English statistic otherwise; "" for None."""
    if not panel:
        return ""
    from tafagent.core.messages import catalog, tr
    from tafagent.core.render.format import localise_number
    from tafagent.core.validation.evidence import law_evidence

    statistic = str(panel.get("statistic", ""))
    if lang != "en" and panel.get("law_key"):
        try:
            evidence = law_evidence(str(panel["law_key"]))
        except TafError:
            evidence = None
        if evidence is not None and evidence.statistic_msg is not None:
            rendered = evidence.statistic_msg.text(lang)
            statistic = _STAT_NUMBER.sub(lambda m: localise_number(m.group(0), lang), rendered)
        elif evidence is not None and evidence.comparison is not None:  # a law's sub-comparison: its title and summary
            c = evidence.comparison
            statistic = tr(
                "laws.summary.titled", lang, title=validation_text(c.title, lang), summary=c.summary_text(lang)
            )
    support = str(panel.get("support", ""))
    support_text = catalog(lang).get(f"card.support.{support}", support)
    return tr("card.panel.line", lang, support=support_text, statistic=statistic)
