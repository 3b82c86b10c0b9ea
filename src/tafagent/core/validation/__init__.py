"""Prediction vs reality: every predictive law of the engine tested against the shipped reference panel.

For each law the engine applies (γ_Padé, the δ decompositions v1/v2 and each δ on its own, the imprint law
for γ_random, the K band, the IH-phase sign rule, architectural concentration, the D_f window, X-2's NIAH
ceiling, X-19's soft-decay regime) the package computes, at run time from the packaged measurements
(:mod:`tafagent.core.validation.panel`), n, MAE, RMSE, bias, Pearson r, Spearman ρ, hit rate and the cases that
fail. Predictions come from the engine's own functions (``core/laws/``), so the validation tests exactly what
the product computes. It also refits every stored power law from its raw curve, recomputes the panel constants
the reference hard-coded (spec §2.1) and regenerates the falsification dashboard (spec §7.12).

Everything is deterministic (fixed row order, ties broken by id) and every statistic carries its n. Results are
cached per process; :func:`law_evidence` computes only the law it is asked about.

The panel's first finding is shown, not hidden: γ_Padé alone explains almost none of the model-to-model
spread of measured γ (canonical RoPE rows, text: n = 31, r = 0.07, MAE 0.19; its MSE is worse than
predicting the panel mean).

Modules: ``stats`` (the statistics), ``comparison`` (Case, Comparison, support rules), ``report`` (result
types), ``panel`` (the packaged data), ``panel_rows`` (rows and per-row predictions), ``laws_gamma``,
``laws_delta``, ``laws_imprint``, ``laws_kv_cache``, ``laws_niah`` (one LawReport per law), ``catalog``
(LAW_KEYS, law_report, validate), ``evidence`` (law_evidence), ``refit``, ``constants`` (panel_constants),
``dashboard`` (falsification_dashboard), ``neighbours`` (nearest_measured).
"""

from tafagent.core.validation.catalog import LAW_KEYS, law_report, validate
from tafagent.core.validation.comparison import Case, Comparison
from tafagent.core.validation.constants import panel_constants
from tafagent.core.validation.dashboard import falsification_dashboard
from tafagent.core.validation.evidence import CARD_KEY_LAW_KEYS, law_evidence
from tafagent.core.validation.neighbours import (
    MeasuredModel,
    NearestMeasured,
    Neighbour,
    measured_models,
    nearest_measured,
)
from tafagent.core.validation.panel import GammaRow, OutcomeRow, Panel, load_curves, load_outcomes, load_panel
from tafagent.core.validation.refit import refit_check
from tafagent.core.validation.report import (
    CLAIM_STATUSES,
    Claim,
    Dashboard,
    LawEvidence,
    LawReport,
    PanelConstant,
    RefitCheck,
    ValidationReport,
)

__all__ = [
    "CARD_KEY_LAW_KEYS",
    "CLAIM_STATUSES",
    "LAW_KEYS",
    "Case",
    "Claim",
    "Comparison",
    "Dashboard",
    "GammaRow",
    "LawEvidence",
    "LawReport",
    "MeasuredModel",
    "NearestMeasured",
    "Neighbour",
    "OutcomeRow",
    "Panel",
    "PanelConstant",
    "RefitCheck",
    "ValidationReport",
    "falsification_dashboard",
    "law_evidence",
    "law_report",
    "load_curves",
    "load_outcomes",
    "load_panel",
    "measured_models",
    "nearest_measured",
    "panel_constants",
    "refit_check",
    "validate",
]
