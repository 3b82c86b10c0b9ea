"""Can a model retrieve at length L? The ranked evidence ladder that X-2 and X-19 decide on.

Rungs, strongest first; the first that can decide does, and the verdict names it:

(a) measurement — a published or shipped long-context score of this model (or its instruct release) at or
    around L: the panel's NIAH log-prob runs at the model's own θ, the panel's RULER rows, and the RULER rows of
    ``core/data/ruler_effective_context.json`` (NVIDIA/RULER README @ c3f5e3b). It decides when the points at
    and around L agree (both pass the benchmark's threshold, or L is at/after a failing point); a pass followed
    by a fail around L leaves the decision to the next rung. Passkey series are not used: every shipped one is
    below 50 % already at 100–256 tokens (a prompt-format failure, panel README), so they locate no ceiling.
(b) past the trained or validly extended length (context facts) → DEGRADED up to 1.5× that length, NO beyond
    it, "beyond the training context". A measured γ cannot lift this: it was measured within that length, and
    on the panel the measured-γ ceiling said "retrieves" past T_train for pythia-1.4b and was wrong (``taf
    validate --law niah_ceiling``: 11/15 against 14/15 for the length rule).
(c) measured γ — within the trained length, a measured horizon 2·d_horizon(θ, γ_obs) ≥ L decides YES. A measured
    horizon short of L does not overturn the length facts (on the panel it did so for pythia-1b at 1K and 2K,
    which retrieve at 100 %): it lowers the confidence and says so. With no length facts it decides alone.
(d) within the trained length → YES (context facts).
(e) closed-form horizon — exploratory only (D-NEW-1: d_horizon ≡ T when γ = γ_Padé): shown, never enough for
    YES; if nothing else is known the verdict is DEGRADED, asking for a measurement or the training length.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from tafagent.core.laws.pade import d_horizon, l_niah
from tafagent.core.messages import Msg
from tafagent.core.recipes.base import Param
from tafagent.core.validation.laws_niah import NIAH_PASS_ACCURACY, RULER_THRESHOLD
from tafagent.core.validation.panel import outcome_set

__all__ = [
    "CLOSED_FORM",
    "GAMMA_SOURCE",
    "JUST_PAST_FACTOR",
    "LadderDecision",
    "LadderInputs",
    "LengthPoint",
    "LengthSeries",
    "Rung",
    "all_series",
    "ceiling_from",
    "decide",
    "length_series",
    "ruler_claimed_tokens",
    "variant_ids",
]

CLOSED_FORM = Param(
    "closed_form",
    "bool",
    "decide on the v0.5.3 closed form only (no measured γ, no measurement ladder)",
    False,
)
GAMMA_SOURCE = Param(
    "gamma_source",
    "str",
    "where gamma_obs comes from (filled by the card and `taf recipe`: panel row, diagnosis file)",
    None,
    optional=True,
)

SAME_LENGTH_TOLERANCE = 0.05  # 32,000 and 32,768 are "the same length" for a table tested at powers of two
JUST_PAST_FACTOR = 1.5  # up to 1.5× the trained length: DEGRADED (pythia at 1.5×: 1 of 3 still retrieves)
DEGRADED_SCORE_FRACTION = 0.6  # a failing score ≥ 60 % of the threshold reads DEGRADED, below it NO
_RULER_FILE = "data/ruler_effective_context.json"
_RULER_SOURCE = "NVIDIA/RULER README.md @ c3f5e3b (core/data/ruler_effective_context.json)"


@dataclass(frozen=True)
class LengthPoint:
    """One measured score at one context length, with the benchmark's pass threshold."""

    length_tokens: int
    score: float
    threshold: float
    ref: str  # panel gt_id, or "RULER:<model>@<length>"

    @property
    def passes(self) -> bool:
        return self.score >= self.threshold


@dataclass(frozen=True)
class LengthSeries:
    """The scores of one model on one benchmark, over context length."""

    model: str  # the model that was measured
    benchmark: str  # "NIAH (1-of-10 log-prob)" or "RULER (13 tasks)"
    source: str
    points: tuple[LengthPoint, ...]
    variant_of: str | None = None  # the queried model when the measurement is of its instruct release


@cache
def _ruler_file() -> dict[str, object]:
    text = resources.files("tafagent.core").joinpath(_RULER_FILE).read_text(encoding="utf-8")
    data: dict[str, object] = json.loads(text)
    return data


@cache
def _all_series() -> tuple[tuple[tuple[str, ...], LengthSeries], ...]:
    """(ids the series applies to, series) for every usable long-context measurement shipped."""
    out: list[tuple[tuple[str, ...], LengthSeries]] = []
    niah: dict[str, list[LengthPoint]] = {}
    for o in outcome_set("niah_logprob_ntk"):
        if float(o.cond_value) == 1.0:  # the model's own θ; NTK-scaled runs describe another configuration
            niah.setdefault(o.model, []).append(
                LengthPoint(int(o.x_value), float(o.value), NIAH_PASS_ACCURACY, o.gt_id)
            )
    for model, points in niah.items():
        out.append(
            ((model,), LengthSeries(model, "NIAH (1-of-10 log-prob)", "shipped panel, niah_logprob_ntk", tuple(points)))
        )
    meta = _ruler_file()["meta"]
    variants: dict[str, list[str]] = meta["panel_variants"]  # type: ignore[index]
    ruler: dict[str, list[LengthPoint]] = {}
    for o in outcome_set("ruler_published"):
        ruler.setdefault(o.model, []).append(LengthPoint(int(o.x_value), float(o.value), RULER_THRESHOLD, o.gt_id))
    for model, points in ruler.items():
        ids = (model, *variants.get(model, ()))
        out.append((ids, LengthSeries(model, "RULER (13 tasks)", "shipped panel, ruler_published", tuple(points))))
    for row in _ruler_file()["rows"]:  # type: ignore[attr-defined]
        points_f = tuple(
            LengthPoint(int(length), float(score), RULER_THRESHOLD, f"RULER:{row['model']}@{length}")
            for length, score in row["scores"].items()
        )
        ids = (row["model"], *row["applies_to"])
        out.append((ids, LengthSeries(row["model"], "RULER (13 tasks)", _RULER_SOURCE, points_f)))
    return tuple(out)


def all_series() -> tuple[LengthSeries, ...]:
    """Every shipped long-context series (panel NIAH at α = 1, panel RULER, the RULER file)."""
    return tuple(series for _, series in _all_series())


def variant_ids(model_id: str) -> tuple[str, ...]:
    """The other releases a measured model's series applies to (its base checkpoint)."""
    for ids, series in _all_series():
        if series.model.lower() == model_id.strip().lower():
            return ids[1:]
    return ()


def ruler_claimed_tokens() -> dict[str, int]:
    """Claimed context per RULER model (panel rows note it as ``claimed_context=N``; the file states it)."""
    claimed: dict[str, int] = {}
    for o in outcome_set("ruler_published"):
        found = re.search(r"claimed_context=(\d+)", o.notes or "")
        if found:
            claimed[o.model] = int(found.group(1))
    for row in _ruler_file()["rows"]:  # type: ignore[attr-defined]
        claimed[row["model"]] = int(row["claimed_tokens"])
    return claimed


def length_series(model_id: str) -> tuple[LengthSeries, ...]:
    """Every shipped long-context series of this model (exact id, any case) or of its instruct release."""
    key = model_id.strip().lower()
    found = []
    for ids, series in _all_series():
        if key in (i.lower() for i in ids):
            variant = None if series.model.lower() == key else model_id
            found.append(LengthSeries(series.model, series.benchmark, series.source, series.points, variant))
    return tuple(found)


@dataclass(frozen=True)
class LadderInputs:
    """What the ladder decides from (each may be missing)."""

    T_eval: int
    usable_tokens: int | None  # longest trained or validly extended length; None = not known
    usable_source: str = ""
    series: tuple[LengthSeries, ...] = ()
    measured_gamma: float | None = None
    measured_label: str = ""
    measured_ceiling: float | None = None  # 2·d_horizon(θ, γ_obs); None when γ_obs ∉ (0, 1)
    closed_form_ceiling: float | None = None  # 2·d_horizon(θ, γ_corrected)
    exclude_ref: str | None = None  # leave this measurement out (validation scores it leave-one-out)
    untuned_extension_tokens: int | None = None  # a config RoPE extension no model card or paper documents


@dataclass(frozen=True)
class Rung:
    key: str  # measurement, context_facts, measured_gamma, closed_form
    verdict: str | None  # None: this rung could not decide
    finding: Msg


@dataclass(frozen=True)
class LadderDecision:
    verdict: str
    decided_by: Rung
    rungs: tuple[Rung, ...]
    beyond_training: bool
    concerns: tuple[Msg, ...]  # reasons to trust the verdict less (each lowers a confidence check)

    @property
    def rung_key(self) -> str:
        return self.decided_by.key


def _failing_verdict(point: LengthPoint) -> str:
    return "DEGRADED" if point.score >= DEGRADED_SCORE_FRACTION * point.threshold else "NO"


def _point_text(series: LengthSeries, point: LengthPoint) -> str:
    whose = f" (measured on {series.model})" if series.variant_of else ""
    return f"{series.benchmark} {point.score:g} at {point.length_tokens:,} tokens{whose}, threshold {point.threshold:g}"


def _series_rung(series: LengthSeries, T_eval: int, exclude: str | None) -> Rung | None:
    """Rung (a) on one series: decides when the points at and around T_eval agree."""
    points = sorted((p for p in series.points if p.ref != exclude), key=lambda p: p.length_tokens)
    if not points:
        return None
    same = [p for p in points if abs(p.length_tokens - T_eval) <= SAME_LENGTH_TOLERANCE * T_eval]
    lower = [p for p in points if p.length_tokens <= T_eval]
    upper = [p for p in points if p.length_tokens >= T_eval]
    if same:
        point = same[0]
        verdict = "YES" if point.passes else _failing_verdict(point)
        return Rung("measurement", verdict, Msg("x2.rung.measured_at", what=_point_text(series, point), T_eval=T_eval))
    below, above = (lower[-1] if lower else None), (upper[0] if upper else None)
    if below is not None and not below.passes:  # fails already at a shorter length
        what = _point_text(series, below)
        return Rung("measurement", _failing_verdict(below), Msg("x2.rung.fails_before", what=what, T_eval=T_eval))
    if above is not None and above.passes:  # passes at a longer length
        what = _point_text(series, above)
        return Rung("measurement", "YES", Msg("x2.rung.passes_after", what=what, T_eval=T_eval))
    if below is not None and above is not None:  # a pass, then a fail: the crossing lies around T_eval
        return Rung(
            "measurement",
            None,
            Msg("x2.rung.between", low=_point_text(series, below), high=_point_text(series, above), T_eval=T_eval),
        )
    if below is not None:
        return Rung("measurement", None, Msg("x2.rung.beyond_measured", what=_point_text(series, below)))
    return None


def _measurement_rung(inputs: LadderInputs) -> Rung:
    undecided: Rung | None = None
    for series in inputs.series:
        rung = _series_rung(series, inputs.T_eval, inputs.exclude_ref)
        if rung is not None and rung.verdict is not None:
            return rung
        undecided = undecided or rung
    return undecided or Rung("measurement", None, Msg("x2.rung.no_measurement"))


def _context_rung(inputs: LadderInputs) -> Rung:
    usable, T_eval = inputs.usable_tokens, inputs.T_eval
    if usable is None:
        return Rung("context_facts", None, Msg("x2.rung.no_length"))
    if T_eval <= usable:
        return Rung(
            "context_facts", "YES", Msg("x2.rung.within", T_eval=T_eval, usable=usable, source=inputs.usable_source)
        )
    untuned = inputs.untuned_extension_tokens
    if untuned is not None and T_eval <= untuned:
        return Rung(
            "context_facts",
            "DEGRADED",
            Msg(
                "x2.rung.untuned_extension", T_eval=T_eval, usable=usable, extended=untuned, source=inputs.usable_source
            ),
        )
    verdict = "DEGRADED" if T_eval <= JUST_PAST_FACTOR * usable else "NO"
    return Rung(
        "context_facts",
        verdict,
        Msg("x2.rung.beyond", T_eval=T_eval, usable=usable, source=inputs.usable_source, ratio=T_eval / usable),
    )


def _gamma_rung(inputs: LadderInputs) -> Rung | None:
    gamma, ceiling, T_eval = inputs.measured_gamma, inputs.measured_ceiling, inputs.T_eval
    if gamma is None:
        return None
    if ceiling is not None and T_eval < ceiling:
        return Rung(
            "measured_gamma",
            "YES",
            Msg("x2.rung.gamma_covers", gamma=gamma, ceiling=ceiling, label=inputs.measured_label),
        )
    verdict = "NO" if ceiling is None or T_eval >= 2 * ceiling else "DEGRADED"
    finding = (
        Msg("x2.rung.gamma_phase_b", gamma=gamma, label=inputs.measured_label)
        if ceiling is None
        else Msg("x2.rung.gamma_short", gamma=gamma, ceiling=ceiling, label=inputs.measured_label)
    )
    return Rung("measured_gamma", verdict, finding)


def _closed_form_rung(inputs: LadderInputs) -> Rung:
    ceiling = inputs.closed_form_ceiling
    return Rung("closed_form", None, Msg("x2.rung.closed_form", ceiling=0.0 if ceiling is None else ceiling))


def decide(inputs: LadderInputs) -> LadderDecision:
    """Walk the ladder (module docstring): the verdict, the rung that decided, and every rung's finding."""
    measurement, context = _measurement_rung(inputs), _context_rung(inputs)
    gamma, closed = _gamma_rung(inputs), _closed_form_rung(inputs)
    rungs = tuple(r for r in (measurement, context, gamma, closed) if r is not None)
    beyond = inputs.usable_tokens is not None and inputs.T_eval > inputs.usable_tokens
    concerns: list[Msg] = []
    if measurement.verdict is not None:
        decided = measurement
    elif beyond:
        decided = context
    elif gamma is not None and (gamma.verdict == "YES" or context.verdict is None):
        decided = gamma
    elif context.verdict is not None:
        decided = context
        if gamma is not None:  # a short measured horizon: noted, not decisive (module docstring, rung c)
            concerns.append(Msg("x2.concern.gamma_disagrees", finding=gamma.finding))
    else:
        decided = Rung("closed_form", "DEGRADED", Msg("x2.rung.closed_form_only", finding=closed.finding))
    if measurement.verdict is None and measurement.finding.key == "x2.rung.between":
        concerns.append(Msg("x2.concern.between", finding=measurement.finding))
    return LadderDecision(decided.verdict or "DEGRADED", decided, rungs, beyond, tuple(concerns))


def ceiling_from(theta: float | None, gamma: float | None) -> float | None:
    """L_NIAH^c = 2·d_horizon(θ, γ) (§26.2/§26.5, core.laws.pade); None without θ or outside Phase A."""
    if theta is None or gamma is None:
        return None
    return l_niah(d_horizon(theta, gamma))
