"""γ diagnostics: phase labels, Hagedorn alert, χ, famous constants, PDI, critical exponents, consistency.

Re-implements the reference's visual/consistency diagnostics (TAF Agent v0.5.3, spec §2.2, §2.3.5,
§2.4.6 and §2.9) as pure functions. Keys, labels and thresholds are the reference's, so results compare
one to one; prose is our own. Every result is JSON-safe: no ``inf`` or ``nan`` is ever returned as a
number (``None`` is used instead, and a field says why).

Deliberate fixes of reference defects (spec §9.2), each tested under a ``..._deliberate_fix_...`` name:

* ``hagedorn_safety_alert`` and ``bimodal_phase_class``: a Python ``bool`` or a NaN is "unknown", not
  "critical" / "catastrophic" / "Hagedorn zone" (§9.2 item 17).
* ``chi_susceptibility(1.0)`` and ``pade_deviation_index(·, −1, ·)`` return ``None`` instead of ``inf``
  (§9.2 item 6: the reference emitted non-standard JSON).
* ``verify_algebraic_consistency`` says plainly that its twelve checks are identities that hold for every
  γ in (0, 1) and therefore cannot detect measurement artefacts (§9.2 item 10).
* ``precision_shift_predict_4bit`` keeps the code's thresholds (0.90 / 0.99) and notes that the reference
  documentation says 0.95–0.99 (§9.2 item 17).
* ``nearest_famous_constant`` honours ``max_results`` above 3 (the reference truncates to 3 first).
* Invalid numeric inputs (non-numbers, NaN, ±inf, θ ≤ 0, T_eval ≤ 0, n_kv < 1, negative tolerances)
  raise :class:`DiagnosticInputError` (a ``ValueError`` and a ``TafError``) naming the parameter,
  instead of an arbitrary ``ZeroDivisionError`` or a silent NaN.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

from tafagent.core.errors import DiagnosticInputError
from tafagent.core.evidence import Evidence, EvidenceNote
from tafagent.core.laws.constants import (
    ARCH_CONCENTRATION_EVIDENCE,
    K_ARCH,
    NU_IMPRINT,
    PRECISION_SHIFT_EVIDENCE,
    SQRT2,
)

__all__ = [
    "BIMODAL_CLASSES",
    "BIMODAL_EVIDENCE",
    "CHI_EVIDENCE",
    "CONSISTENCY_EVIDENCE",
    "CRITICAL_EXPONENTS_EVIDENCE",
    "FAMOUS_CONSTANTS",
    "FAMOUS_CONSTANTS_EVIDENCE",
    "HAGEDORN_EVIDENCE",
    "HAGEDORN_LEVELS",
    "PDI_EVIDENCE",
    "PDI_REGIMES",
    "PHASE_LABELS",
    "DiagnosticInputError",
    "architectural_concentration_predict",
    "bimodal_phase_class",
    "chi_susceptibility",
    "chi_susceptibility_detail",
    "critical_exponents_bundle",
    "famous_constant_proximity",
    "hagedorn_safety_alert",
    "nearest_famous_constant",
    "pade_deviation_index",
    "phase_label",
    "precision_shift_predict_4bit",
    "verify_algebraic_consistency",
]


# ---- evidence notes for the laws that constants.py does not carry ------------------------------
CHI_EVIDENCE = EvidenceNote(Evidence.EXACT, "§26.16 χ = 1/|γ−1|, a definition (diverges at the Hagedorn point γ = 1)")
HAGEDORN_EVIDENCE = EvidenceNote(
    Evidence.EXPLORATORY,
    "§32.1 alert bands 0 / 0.65 / 0.95 / 1.0 and panel fractions as quoted by the reference (the five quoted "
    "fractions sum to 112 %, so they are not a partition of one panel)",
    n=25,
)
BIMODAL_EVIDENCE = EvidenceNote(
    Evidence.EXPLORATORY,
    "§32.2 bimodal phase classes 0.85 / 0.95 / 1.0 (thresholds differ from the Hagedorn alert's, spec §9.2 item 11)",
)
FAMOUS_CONSTANTS_EVIDENCE = EvidenceNote(
    Evidence.EXPLORATORY,
    "§31 proximity of measured γ to mathematical constants: 4 panel anecdotes, no significance test; at tolerance "
    "0.01 about 40 % of the interval (0.28, 0.72) lies within tolerance of one of the nine constants",
    n=4,
    statistic="4 anecdotal hits",
)
PDI_EVIDENCE = EvidenceNote(
    Evidence.DERIVED,
    "§33.2 PDI = d_horizon(θ, γ_obs)/T_eval, exact arithmetic on a measured γ; PDI = 1 ⇔ γ_obs = γ_Padé(θ, T_eval). "
    "The regime bands (0.5 / 1.5) are the reference's heuristic",
)
CRITICAL_EXPONENTS_EVIDENCE = EvidenceNote(
    Evidence.DERIVED,
    "§33.4 exponents are the framework's definitions as functions of γ (η = γ−1 replaces paper 1's η = 2γ); "
    "their statistical-physics reading is not validated against measurements",
)
CONSISTENCY_EVIDENCE = EvidenceNote(
    Evidence.EXACT,
    "§34 algebraic identities of the definitions ν, β, η, α, χ, γ_χ (functions of γ) and of ν_imprint = −1/(2π)",
)

# ---- §2.2 phase label --------------------------------------------------------------------------
PHASE_A_LABEL = "Phase A (long-range OK)"
PHASE_B_HAGEDORN_LABEL = "Phase B / Hagedorn"
PHASE_B_NEGATIVE_LABEL = "Phase B / catastrophic (negative γ — T too large for θ)"
PHASE_UNKNOWN_LABEL = "unknown (no γ available)"
PHASE_LABELS = (PHASE_A_LABEL, PHASE_B_HAGEDORN_LABEL, PHASE_B_NEGATIVE_LABEL, PHASE_UNKNOWN_LABEL)

# ---- §32.2 bimodal classes ---------------------------------------------------------------------
BIMODAL_CLASSES = (
    "unknown",
    "catastrophic",
    "Phase A (long-range)",
    "boundary (gap zone)",
    "Hagedorn boundary",
    "Hagedorn zone",
)

# ---- §32.1 Hagedorn alert (first matching row wins) --------------------------------------------
# (lower bound, inclusive?, level, color, label, message, fraction_of_panel)
_HAGEDORN_ROWS: tuple[tuple[float, bool, str, str, str, str, str], ...] = (
    (
        1.0,
        True,
        "critical",
        "red",
        "🔴 HAGEDORN ZONE",
        "Attention is local at this γ: long-range retrieval breaks down unless θ is extended (NTK scaling with "
        "α_opt above 1).",
        "36% of n=25 LLMs are in this zone",
    ),
    (
        0.95,
        True,
        "warning",
        "orange",
        "🟠 HAGEDORN BOUNDARY",
        "Borderline: serving beyond T_train is risky; check recipe X-2 before deploying.",
        "~24% of n=25 LLMs cluster here",
    ),
    (
        0.65,
        True,
        "ok",
        "green",
        "🟢 PHASE A NORMAL",
        "Healthy band (0.65–0.95) for long context; the D_f KV window is usable for 0.65–0.85.",
        "~40% of n=25 LLMs",
    ),
    (
        0.0,
        False,
        "info",
        "blue",
        "🔵 PHASE A WIDE-FIELD",
        "Below 0.65 the attention field is extremely wide: possibly long-context over-training or a small model "
        "before its induction heads form.",
        "~12% of n=25 LLMs (mostly small or anomalous)",
    ),
)
_HAGEDORN_NEGATIVE = (
    "catastrophic",
    "darkred",
    "❌ NEGATIVE γ",
    "T_eval is far beyond θ: a bad operating point; lower T_eval or raise θ.",
    "0% of n=25 (pathological)",
)
HAGEDORN_LEVELS = ("unknown", "critical", "warning", "ok", "info", "catastrophic")

# ---- §31 famous constants (names verbatim, table order kept for ties) --------------------------
_PHI = (1.0 + math.sqrt(5.0)) / 2.0
FAMOUS_CONSTANTS: tuple[tuple[str, float], ...] = (
    ("1−1/φ (golden conjugate)", 1.0 - 1.0 / _PHI),
    ("1/√2", 1.0 / SQRT2),
    ("1−1/√2", 1.0 - 1.0 / SQRT2),
    ("log_10(e)", math.log10(math.e)),
    ("1/π", 1.0 / math.pi),
    ("2/π", 2.0 / math.pi),
    ("1/φ", 1.0 / _PHI),
    ("ln(2)", math.log(2.0)),
    ("z*_Cayley = (√17−3)/2", (math.sqrt(17.0) - 3.0) / 2.0),
)
_FAMOUS_CAVEAT = (
    "Only 4 panel models sit near a famous constant (CodeLlama-13b ≈ 1−1/φ, pythia-1.4b ≈ 1/√2, Llama-2-7b ≈ "
    "1−1/√2, Mistral-Nemo ≈ log_10(e)); with nine constants packed into (0.29, 0.71) such hits may well be "
    "coincidence. Not a measurement and not a prediction."
)
_FAMOUS_HITS_CAP = 3  # the reference truncates the hit list to 3

# ---- §33.2 PDI regimes -------------------------------------------------------------------------
PDI_REGIMES = (
    "Phase B (γ>1, formula sign-flip)",
    "canonical (γ_obs ≈ γ_Padé)",
    "γ_obs << γ_Padé (sink-dominated or extreme alignment)",
    "γ_obs > γ_Padé (over-concentrated in Phase A)",
    "singular",
    "overflow",
)

# ---- §33.3 precision shift thresholds (the reference code's, not its documentation's) ----------
R2_UP_BELOW = 0.90
R2_DOWN_ABOVE = 0.99
_PRECISION_THRESHOLD_NOTE = (
    "Thresholds are the reference code's: R² < 0.90 ⇒ UP, R² > 0.99 ⇒ DOWN, 0.90 ≤ R² ≤ 0.99 ⇒ stable. The "
    "reference documentation says the stable band is 0.95–0.99 (spec §9.2 item 17); the code's band is kept "
    "so results match the reference."
)


# ---- input helpers -------------------------------------------------------------------------------
def _as_real(value: object) -> float | None:
    """``float(value)`` for a real number that is not a ``bool``; ``None`` otherwise (NaN passes through)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    try:
        return float(value)
    except (OverflowError, ValueError, TypeError):
        return None


def _require_finite(value: object, name: str) -> float:
    x = _as_real(value)
    if x is None:
        raise DiagnosticInputError(
            name, f"{name} must be a real number, got {type(value).__name__} {value!r}", "pass a finite float"
        )
    if not math.isfinite(x):
        raise DiagnosticInputError(name, f"{name} must be finite, got {x!r}", "pass a finite float")
    return x


def _require_positive(value: object, name: str) -> float:
    x = _require_finite(value, name)
    if x <= 0.0:
        raise DiagnosticInputError(name, f"{name} must be > 0, got {x!r}", f"{name} is a positive length or base")
    return x


def _require_non_negative(value: object, name: str) -> float:
    x = _require_finite(value, name)
    if x < 0.0:
        raise DiagnosticInputError(name, f"{name} must be ≥ 0, got {x!r}")
    return x


def _require_count(value: object, name: str, *, minimum: int) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # 8.0 from a JSON config is the count 8
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise DiagnosticInputError(name, f"{name} must be an integer, got {type(value).__name__} {value!r}")
    n = int(value)
    if n < minimum:
        raise DiagnosticInputError(name, f"{name} must be ≥ {minimum}, got {n}")
    return n


def _scrub(obj: Any, path: str, replaced: list[str]) -> Any:
    """Replace every non-finite float in a nested result by ``None``, recording where."""
    if isinstance(obj, float) and not math.isfinite(obj):
        replaced.append(path)
        return None
    if isinstance(obj, dict):
        return {k: _scrub(v, f"{path}.{k}" if path else str(k), replaced) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_scrub(v, f"{path}[{i}]", replaced) for i, v in enumerate(obj)]
    return obj


def _json_safe(out: dict[str, Any]) -> dict[str, Any]:
    replaced: list[str] = []
    clean = _scrub(out, "", replaced)
    if replaced:
        clean["non_finite_replaced"] = {
            "fields": replaced,
            "why": "these values overflow a float for this input (|γ| near the float limit); shown as null",
        }
    return clean


# ---- §2.2 / §32.2 / §32.1 phase classifiers ---------------------------------------------------------
def phase_label(gamma: float | None) -> str:
    """Phase label used as the step-1 interpretation of the γ recipes (spec §2.2, ``_phase_label``).

    0 < γ < 1 ⇒ ``Phase A (long-range OK)``; γ ≥ 1 ⇒ ``Phase B / Hagedorn``; γ ≤ 0 ⇒
    ``Phase B / catastrophic (negative γ — T too large for θ)`` (labels verbatim). ``None``, a ``bool``
    or NaN ⇒ ``unknown (no γ available)`` (the reference would call NaN catastrophic).
    """
    g = _as_real(gamma)
    if g is None or math.isnan(g):
        return PHASE_UNKNOWN_LABEL
    if 0.0 < g < 1.0:
        return PHASE_A_LABEL
    if g >= 1.0:
        return PHASE_B_HAGEDORN_LABEL
    return PHASE_B_NEGATIVE_LABEL


def bimodal_phase_class(gamma: float | None) -> str:
    """Bimodal phase class of γ (spec §2.9.7, §32.2); first match wins.

    None ⇒ ``unknown``; γ < 0 ⇒ ``catastrophic``; γ < 0.85 ⇒ ``Phase A (long-range)``; γ < 0.95 ⇒
    ``boundary (gap zone)``; γ < 1.0 ⇒ ``Hagedorn boundary``; else ``Hagedorn zone`` (γ = 0 is Phase A).
    Deliberate fix: a ``bool`` or NaN is ``unknown`` (the reference: ``True`` ⇒ Hagedorn zone, NaN ⇒
    Hagedorn zone). Evidence: :data:`BIMODAL_EVIDENCE` (exploratory thresholds).
    """
    g = _as_real(gamma)
    if g is None or math.isnan(g):
        return "unknown"
    if g < 0.0:
        return "catastrophic"
    if g < 0.85:
        return "Phase A (long-range)"
    if g < 0.95:
        return "boundary (gap zone)"
    if g < 1.0:
        return "Hagedorn boundary"
    return "Hagedorn zone"


def hagedorn_safety_alert(gamma: float | None) -> dict[str, Any]:
    """Hagedorn safety alert (spec §2.9.1, §32.1): first matching band of γ.

    γ ≥ 1.0 critical/red; γ ≥ 0.95 warning/orange; γ ≥ 0.65 ok/green; γ > 0 info/blue; else
    catastrophic/darkred. Keys: ``level``, ``color``, ``label``, ``message``, ``fraction_of_panel`` (labels
    and fractions verbatim), plus ``section`` and ``evidence`` (exploratory, n = 25).
    ``None``, non-numbers, a ``bool`` or NaN ⇒ level ``unknown``, color ``gray``, ``label`` and
    ``fraction_of_panel`` ``None`` (deliberate fix: the reference calls ``True`` critical and NaN
    catastrophic, spec §9.2 item 17).
    """
    g = _as_real(gamma)
    base: dict[str, Any]
    if g is None or math.isnan(g):
        base = {
            "level": "unknown",
            "color": "gray",
            "label": None,
            "message": "No usable γ available (missing, not a number, or a boolean); no alert can be given.",
            "fraction_of_panel": None,
        }
    else:
        row = next(
            (r for r in _HAGEDORN_ROWS if (g >= r[0] if r[1] else g > r[0])),
            None,
        )
        level, color, label, message, fraction = row[2:] if row is not None else _HAGEDORN_NEGATIVE
        base = {"level": level, "color": color, "label": label, "message": message, "fraction_of_panel": fraction}
    base["section"] = "§32.1"
    base["evidence"] = HAGEDORN_EVIDENCE.to_dict()
    return base


# ---- §26.16 susceptibility -----------------------------------------------------------------------------
def chi_susceptibility(gamma: float) -> float | None:
    """Susceptibility χ = 1/|γ − 1| (spec §2.3.5, §26.16); defined for any finite γ ≠ 1 (negative too).

    At γ == 1 exactly χ diverges; the reference returns ``inf`` (non-standard JSON, §9.2 item 6), we return
    ``None`` (see :func:`chi_susceptibility_detail` for the reason in a field). Evidence: exact (definition).
    Raises :class:`DiagnosticInputError` for a non-number, NaN or ±inf γ.
    """
    g = _require_finite(gamma, "gamma")
    if g == 1.0:
        return None
    return 1.0 / abs(g - 1.0)


def chi_susceptibility_detail(gamma: float) -> dict[str, Any]:
    """χ = 1/|γ − 1| (spec §2.3.5) as an audited dict: ``gamma``, ``chi`` (None at γ = 1), ``why_null``,
    ``formula``, ``section``, ``evidence``."""
    chi = chi_susceptibility(gamma)
    return {
        "gamma": float(gamma),
        "chi": chi,
        "why_null": None if chi is not None else "χ diverges at the Hagedorn point γ = 1 (1/0); shown as null",
        "formula": "χ = 1/|γ − 1|",
        "section": "§26.16",
        "evidence": CHI_EVIDENCE.to_dict(),
    }


# ---- §31 famous constants ---------------------------------------------------------------------------
def _famous_hits(g: float, tolerance: float) -> list[dict[str, Any]]:
    hits = [
        {"constant": name, "value": value, "error": abs(g - value)}
        for name, value in FAMOUS_CONSTANTS
        if abs(g - value) <= tolerance
    ]
    hits.sort(key=lambda h: h["error"])  # stable: ties keep the table order
    return hits


def famous_constant_proximity(gamma: float, tolerance: float = 0.01) -> dict[str, Any]:
    """Famous mathematical constants within ``tolerance`` of γ (spec §2.4.6, §31).

    Hits are constants with |γ − value| ≤ tolerance, each ``{"constant", "value", "error"}``, sorted by error
    and truncated to 3 (as the reference); ``n_hits`` counts them before truncation. Keys: ``gamma``,
    ``tolerance``, ``n_hits``, ``hits``, ``caveat``, plus ``section`` and ``evidence`` (exploratory: four
    anecdotes, likely coincidence). Raises :class:`DiagnosticInputError` for a non-finite γ or a negative
    tolerance.
    """
    g = _require_finite(gamma, "gamma")
    tol = _require_non_negative(tolerance, "tolerance")
    hits = _famous_hits(g, tol)
    return {
        "gamma": g,
        "tolerance": tol,
        "n_hits": len(hits),
        "hits": hits[:_FAMOUS_HITS_CAP],
        "caveat": _FAMOUS_CAVEAT,
        "section": "§31",
        "evidence": FAMOUS_CONSTANTS_EVIDENCE.to_dict(),
    }


def nearest_famous_constant(gamma: float | None, max_results: int = 3, tolerance: float = 0.05) -> list[dict[str, Any]]:
    """The closest famous constants to γ (spec §2.9.8): the first ``max_results`` hits of
    :func:`famous_constant_proximity` (|γ − value| ≤ tolerance, sorted by error).

    ``None`` (or a ``bool``, NaN, ±inf) ⇒ ``[]``. Deliberate fix: ``max_results`` above 3 is honoured (the reference
    took the already 3-truncated hit list). The caveat of §31 applies: exploratory, likely coincidence.
    """
    n = _require_count(max_results, "max_results", minimum=0)
    tol = _require_non_negative(tolerance, "tolerance")
    if gamma is None or isinstance(gamma, bool):
        return []
    g = _as_real(gamma)
    if g is None:
        raise DiagnosticInputError("gamma", f"gamma must be a real number or None, got {type(gamma).__name__}")
    if not math.isfinite(g):
        return []  # no constant is near NaN or ±inf
    return _famous_hits(g, tol)[:n]


# ---- §33.2 Padé deviation index -----------------------------------------------------------------------
_PDI_IDENTITY = (
    "log(PDI) + ΔH_Cardy = 0: PDI = d_horizon(θ, γ_obs)/T_eval, and PDI = 1 exactly when γ_obs = γ_Padé(θ, T_eval)"
)


def _pdi_value(theta: float, g: float, t_eval: float) -> float | None:
    # The reference's operation order first (golden values match bit for bit), then a reordering that
    # avoids intermediate overflow/underflow; None when the true value is beyond the float range.
    for compute in (
        lambda: theta * (1.0 - g) * SQRT2 / ((1.0 + g) * t_eval),
        lambda: (theta / t_eval) * SQRT2 * ((1.0 - g) / (1.0 + g)),
    ):
        try:
            value = compute()
        except (ZeroDivisionError, OverflowError):
            continue
        if math.isfinite(value):
            return value
    return None


def pade_deviation_index(theta: float, gamma_obs: float, T_eval: float) -> dict[str, Any]:
    """Padé deviation index PDI = θ·(1 − γ_obs)·√2 / ((1 + γ_obs)·T_eval) (spec §2.9.3, §33.2).

    ASCII name of the reference's ``padé_deviation_index``. Classification (first match): PDI < 0 ⇒ RED
    "Phase B (γ>1, formula sign-flip)"; 0.5 ≤ PDI ≤ 1.5 ⇒ GREEN canonical; PDI > 1.5 ⇒ ORANGE
    "γ_obs << γ_Padé …"; else (0 ≤ PDI < 0.5) ⇒ YELLOW "γ_obs > γ_Padé …". Keys: ``PDI``, ``log_PDI`` (ln PDI
    if PDI > 0 else None), ``regime``, ``traffic_light``, ``identity``, plus ``why_null``, ``note``,
    ``inputs``, ``section``, ``evidence`` (derived).

    γ_obs == −1 ⇒ PDI ``None`` and regime ``singular`` (the reference returns ``inf``); a PDI beyond the
    float range ⇒ ``None`` and regime ``overflow``. θ ≤ 0 or T_eval ≤ 0 (or a non-finite input) raises
    :class:`DiagnosticInputError` naming the parameter.
    """
    th = _require_positive(theta, "theta")
    g = _require_finite(gamma_obs, "gamma_obs")
    t = _require_positive(T_eval, "T_eval")
    out: dict[str, Any] = {
        "PDI": None,
        "log_PDI": None,
        "regime": "singular",
        "traffic_light": None,
        "identity": _PDI_IDENTITY,
        "why_null": None,
        "note": None,
        "inputs": {"theta": th, "gamma_obs": g, "T_eval": t},
        "section": "§33.2",
        "evidence": PDI_EVIDENCE.to_dict(),
    }
    if g == -1.0:
        out["why_null"] = "γ_obs = −1 makes 1 + γ_obs zero: PDI is singular (the reference returns inf)"
        return out
    pdi = _pdi_value(th, g, t)
    if pdi is None:
        out["regime"] = "overflow"
        out["why_null"] = "PDI exceeds the float range for these inputs (θ/T_eval or 1/(1 + γ_obs) too large)"
        return out
    if pdi < 0.0:
        regime = "Phase B (γ>1, formula sign-flip)"
        light = "🔴 RED — γ_obs > 1 (Phase B): the horizon formula flips sign; NTK θ extension required"
    elif 0.5 <= pdi <= 1.5:
        regime = "canonical (γ_obs ≈ γ_Padé)"
        light = "🟢 GREEN — measured decay matches the Padé prediction within a factor 1.5"
    elif pdi > 1.5:
        regime = "γ_obs << γ_Padé (sink-dominated or extreme alignment)"
        light = "🟠 ORANGE — measured γ far below Padé: attention sinks or extreme alignment; check the measurement"
    else:
        regime = "γ_obs > γ_Padé (over-concentrated in Phase A)"
        light = "🟡 YELLOW — measured γ above Padé: attention more concentrated than RoPE geometry predicts"
    out["PDI"] = pdi
    out["log_PDI"] = math.log(pdi) if pdi > 0.0 else None
    out["regime"] = regime
    out["traffic_light"] = light
    if g < -1.0:
        out["note"] = (
            "γ_obs < −1: the negative PDI comes from 1 + γ_obs < 0, not from γ_obs > 1; the RED regime label is "
            "the reference's and does not describe this input"
        )
    return out


# ---- §33.1 architectural concentration ---------------------------------------------------------------
def architectural_concentration_predict(gamma_pade: float, n_kv: int) -> dict[str, Any]:
    """Predicted text γ from KV-head count: γ_text ≈ γ_Padé − k_arch·n_kv, k_arch = 0.012 (spec §2.9.2, §33.1).

    Keys: ``gamma_pade``, ``n_kv``, ``k_arch``, ``gamma_text_predicted``, ``caveat``, ``interpretation``, plus
    ``formula``, ``section``, ``evidence`` (exploratory, R² = 0.30, correlational). Example (0.9, 8) ⇒ 0.804.
    Raises :class:`DiagnosticInputError` for a non-finite γ_Padé or n_kv < 1.
    """
    g = _require_finite(gamma_pade, "gamma_pade")
    n = _require_count(n_kv, "n_kv", minimum=1)
    try:
        shift = K_ARCH * n
    except OverflowError as exc:
        raise DiagnosticInputError("n_kv", f"n_kv is too large to use: {n}") from exc
    pred = g - shift
    return _json_safe(
        {
            "gamma_pade": g,
            "n_kv": n,
            "k_arch": K_ARCH,
            "gamma_text_predicted": pred,
            "caveat": (
                "Correlational only (R² = 0.30 on the reference panel, mean per-model error 0.27): n_kv explains a "
                "small part of the spread; never read this as a measured γ."
            ),
            "interpretation": (
                "Fewer KV heads (aggressive GQA) keep γ near or above Padé, toward the Hagedorn zone; full MHA with "
                "n_kv = 32 puts the predicted γ about 0.38 below the Padé value."
            ),
            "formula": "γ_text ≈ γ_Padé − 0.012·n_kv",
            "section": "§33.1",
            "evidence": ARCH_CONCENTRATION_EVIDENCE.to_dict(),
        }
    )


# ---- §33.3 4-bit precision shift -------------------------------------------------------------------------
def precision_shift_predict_4bit(gamma_bf16: float | None, R2_bf16: float, is_GQA: bool) -> dict[str, Any]:
    """Predicted direction of the γ shift when a model is quantized to 4 bits (spec §2.9.4, §33.3).

    GQA ⇒ ``stable`` (|Δγ| < 0.05). MHA: R² < 0.90 ⇒ ``UP`` (+0.3 to +0.8); R² > 0.99 ⇒ ``DOWN``
    (−0.2 to −0.4); otherwise ``stable``. ``gamma_bf16`` is unused (as in the reference; echoed in
    ``inputs``). Keys: ``predicted_shift_direction``, ``expected_magnitude``, ``reason``, ``recommendation``,
    ``caveat``, ``threshold_note`` (documentation says 0.95–0.99, code uses 0.90–0.99, §9.2 item 17),
    ``thresholds``, ``inputs``, ``section``, ``evidence`` (exploratory, n = 5 paired measurements; the
    reference's ``evidence`` was the prose "n=5 paired measurements").
    Raises :class:`DiagnosticInputError` for a non-finite R² (the reference called NaN "stable").
    """
    r2 = _require_finite(R2_bf16, "R2_bf16")
    g = None if gamma_bf16 is None else _as_real(gamma_bf16)
    gqa = bool(is_GQA)
    if gqa:
        direction, magnitude = "stable", "|Δγ| < 0.05"
        reason = (
            "In the reference's paired measurements, GQA models kept γ within 0.05 of bf16 after 4-bit quantization."
        )
        recommendation = "4-bit quantization is expected to leave the attention decay unchanged; spot-check γ."
    elif r2 < R2_UP_BELOW:
        direction, magnitude = "UP", "+0.3 to +0.8 expected"
        reason = f"MHA with a noisy bf16 power-law fit (R² = {r2:.4f} < 0.90): 4-bit rounding concentrated attention."
        recommendation = "Re-measure γ after quantizing; long-context retrieval may degrade (γ moves toward Hagedorn)."
    elif r2 > R2_DOWN_ABOVE:
        direction, magnitude = "DOWN", "−0.2 to −0.4 expected"
        reason = f"MHA with a very clean bf16 power-law fit (R² = {r2:.4f} > 0.99): 4-bit noise flattened attention."
        recommendation = "Re-measure γ after quantizing; the attention field may widen."
    else:
        direction, magnitude = "stable", "|Δγ| < 0.05"
        reason = f"MHA with R² = {r2:.4f} in the stable band 0.90–0.99."
        recommendation = "No large shift expected; spot-check γ after quantizing."
    return {
        "predicted_shift_direction": direction,
        "expected_magnitude": magnitude,
        "reason": reason,
        "recommendation": recommendation,
        "caveat": "Empirical rule from 5 paired bf16/4-bit measurements; exploratory, not a measurement.",
        "threshold_note": _PRECISION_THRESHOLD_NOTE,
        "thresholds": {"UP_if_R2_below": R2_UP_BELOW, "DOWN_if_R2_above": R2_DOWN_ABOVE, "applies_to": "MHA only"},
        "inputs": {"gamma_bf16": g if g is None or math.isfinite(g) else None, "R2_bf16": r2, "is_GQA": gqa},
        "section": "§33.3",
        "evidence": PRECISION_SHIFT_EVIDENCE.to_dict(),
    }


# ---- §33.4 critical exponents --------------------------------------------------------------------------
def critical_exponents_bundle(gamma: float) -> dict[str, Any]:
    """Critical exponents of the TAF mapping as functions of γ (spec §2.9.5, §33.4).

    ν = 1/(1−γ); β = γ−1; η = γ−1 (paper 1's η = 2γ is wrong); α = 2 − 1/(1−γ);
    γ_susc = 1/(1−γ) + 2(1−γ) with the AM–GM minimum 2√2 at γ = 1 − 1/√2; Rushbrooke α + 2β + γ_susc = 2.
    γ ≥ 1 ⇒ ``{"regime": "Hagedorn or beyond", "exponents": "diverge"}`` (plus ``input_gamma``, ``section``,
    ``evidence``). As in the reference there is no lower bound; for γ ≤ 0 a ``phase_note`` says the input is
    outside Phase A. Keys otherwise (verbatim): ``nu_correlation_length``, ``beta_order_param``,
    ``eta_anomalous_dim``, ``eta_note``, ``alpha_specific_heat``, ``gamma_susceptibility``,
    ``c_central_at_gamma_0``, ``AM_GM_bound``, ``hyperscaling_check``, ``warning_paper1_eta``.
    Example γ = 0.5 ⇒ ν 2, β −0.5, η −0.5, α 0, γ_susc 3. Evidence: derived (definitions, not validated).
    """
    g = _require_finite(gamma, "gamma")
    common = {"input_gamma": g, "section": "§33.4", "evidence": CRITICAL_EXPONENTS_EVIDENCE.to_dict()}
    if g >= 1.0:
        return {"regime": "Hagedorn or beyond", "exponents": "diverge", **common}
    u = 1.0 - g
    nu = 1.0 / u
    beta = g - 1.0
    eta = g - 1.0
    alpha = 2.0 - 1.0 / u
    gamma_susc = 1.0 / u + 2.0 * u
    gamma_min = 1.0 - 1.0 / SQRT2
    susc_min = 2.0 * SQRT2
    out: dict[str, Any] = {
        "nu_correlation_length": nu,
        "beta_order_param": beta,
        "eta_anomalous_dim": eta,
        "eta_note": "η_c = γ − 1 (hyperscaling-consistent); paper 1's η = 2γ is incorrect.",
        "alpha_specific_heat": alpha,
        "gamma_susceptibility": gamma_susc,
        "c_central_at_gamma_0": 3,
        "AM_GM_bound": {
            "min_gamma_susc": susc_min,
            "min_at_gamma": gamma_min,
            "interpretation": (
                f"γ_susc has its minimum {susc_min:.3f} at γ = {gamma_min:.4f} for every model (AM–GM: the "
                "product of 1/(1−γ) and 2(1−γ) is the constant 2)"
            ),
        },
        "hyperscaling_check": {"Rushbrooke (α + 2β + γ_susc = 2)": alpha + 2.0 * beta + gamma_susc, "expected": 2},
        "warning_paper1_eta": "Paper 1's η_c = 2γ is incorrect; use η_c = γ − 1 (this function).",
        "phase_note": None if g > 0.0 else "γ ≤ 0 is outside Phase A (0, 1); the exponents are formal values here",
        **common,
    }
    return _json_safe(out)


# ---- §34 algebraic consistency ----------------------------------------------------------------------------
_WHAT_THIS_CHECKS = (
    "All twelve checks are algebraic identities of the definitions ν = 1/(1−γ), β = η = γ−1, α = 2 − 1/(1−γ), "
    "χ = 1/(1−γ), γ_χ = 1/(1−γ) + 2(1−γ) (ten checks, one of them the inequality 'η = 2γ residual > 0') or "
    "arithmetic on the constant ν_imprint = −1/(2π) (two checks). They therefore hold for every γ in (0, 1), "
    "up to floating-point rounding, whatever model or measurement γ came from: passing says nothing about the "
    "measurement, and the checks cannot detect measurement artefacts, quantization effects or bf16 outliers. "
    "A failure can only come from float cancellation (γ within about 1e-7 of 1) or a tolerance below rounding."
)
_FRAMEWORK_VERIFIED_BY = (
    "The reference states that these identities were verified with a Sage Groebner basis over ℚ and proved in "
    "Lean Mathlib4. tafagent verifies them symbolically with SymPy in its test-suite (tests/test_diagnostics.py) "
    "as identities in γ, and the inequality on (0, 1)."
)
_REFERENCES = [
    "Cited by the reference (not shipped here): Sage script sage_recursive_sweep_2026-04-30.sage (Groebner basis)",
    "Cited by the reference (not shipped here): Lean file lean_taf/taf/Taf/Identities.lean (Mathlib4 proofs)",
    "Cited by the reference (not shipped here): paper 2 appendix A.4, appendix_formal_verification_2026-05-01.md",
]


def _check(claim: str, value: float, expected: float, tol: float) -> dict[str, Any]:
    return {"claim": claim, "value": value, "expected": expected, "passes": abs(value - expected) < tol}


def verify_algebraic_consistency(gamma: float, tol: float = 1e-9) -> dict[str, Any]:
    """Twelve algebraic consistency checks of the critical exponents at γ (spec §2.9.6, §34).

    With ν = 1/(1−γ), β = γ−1, η = γ−1, α = 2 − 1/(1−γ), χ = 1/(1−γ), γ_χ = 1/(1−γ) + 2(1−γ): D-SAGE-1
    2η² + ηγ_χ + 1 = 0; D-SAGE-2 βχ = −1; D-SAGE-4 α + χ = 2; D-SAGE-5 α + γ_χ = 2(2−γ); D-SAGE-6
    βγ_χ = −2γ² + 4γ − 3; Rushbrooke 2β + γ_χ − ν = 0; Josephson 2 − α − ν = 0; Fisher residual
    γ_χ − (2−η)ν = γ(2γ−3)/(1−γ); η = 2γ residual 2(2γ)² + 2γγ_χ + 1 > 0; D-14 ν_imprint·2π = −1;
    D-SAGE-7 3·|ν_imprint|·2π = 3; νβ = −1. A check passes when |value − expected| < tol.

    γ ≤ 0 or γ ≥ 1 ⇒ ``{"status": "out_of_phase_A", "phase_A_range": "(0, 1)", "input_gamma", "message"}``.
    Honesty fix (spec §9.2 item 10): every check is an identity, so all pass for any γ in (0, 1) up to float
    rounding; ``what_this_checks`` says so and ``interpretation`` never claims to detect artefacts. Evidence:
    exact. Raises :class:`DiagnosticInputError` for a non-finite γ or a tolerance that is not > 0.
    """
    g = _require_finite(gamma, "gamma")
    t = _require_positive(tol, "tol")
    if g >= 1.0 or g <= 0.0:
        return {
            "status": "out_of_phase_A",
            "phase_A_range": "(0, 1)",
            "input_gamma": g,
            "message": (
                "The consistency checks need γ in Phase A, the open interval (0, 1); "
                + ("γ ≥ 1 is at or beyond the Hagedorn point." if g >= 1.0 else "γ ≤ 0 is the negative regime.")
            ),
        }
    u = 1.0 - g
    nu = 1.0 / u
    beta = g - 1.0
    eta = g - 1.0
    alpha = 2.0 - 1.0 / u
    chi = 1.0 / u
    gamma_chi = 1.0 / u + 2.0 * u
    d = 1.0
    c_central = 3.0
    two_pi = 2.0 * math.pi

    fisher_value = gamma_chi - (2.0 - eta) * nu
    fisher_expected = g * (2.0 * g - 3.0) / u
    refuted_value = 2.0 * (2.0 * g) ** 2 + 2.0 * g * gamma_chi + 1.0

    checks: dict[str, dict[str, Any]] = {
        "D-SAGE-1": _check("2η² + η·γ_χ + 1 = 0", 2.0 * eta**2 + eta * gamma_chi + 1.0, 0.0, t),
        "D-SAGE-2": _check("β·χ = −1", beta * chi, -1.0, t),
        "D-SAGE-4": _check("α + χ = 2", alpha + chi, 2.0, t),
        "D-SAGE-5": _check("α + γ_χ = 2(2−γ)", alpha + gamma_chi, 2.0 * (2.0 - g), t),
        "D-SAGE-6": _check("β·γ_χ = −2γ²+4γ−3", beta * gamma_chi, -2.0 * g**2 + 4.0 * g - 3.0, t),
        "Rushbrooke_tautology": _check("2β + γ_χ − ν·d = 0 (d=1)", 2.0 * beta + gamma_chi - nu * d, 0.0, t),
        "Josephson_tautology": _check("2 − α − ν·d = 0 (d=1)", 2.0 - alpha - nu * d, 0.0, t),
        "Fisher_independent": {
            "claim": "Fisher residual = γ(2γ−3)/(1−γ)",
            "value": fisher_value,
            "expected_formula": fisher_expected,
            "expected_formula_text": "γ(2γ−3)/(1−γ)",
            "passes": abs(fisher_value - fisher_expected) < t,
        },
        "eta_2gamma_REFUTED": {
            "claim": "η=2γ residual > 0 in Phase A",
            "value": refuted_value,
            "expected": "positive (refutes η=2γ)",
            "passes": refuted_value > 0.0,
        },
        "D-14_nu_imprint": _check("ν_imprint·2π = −1", NU_IMPRINT * two_pi, -1.0, t),
        "D-SAGE-7": _check("c·abs(ν_imprint)·2π = 3", c_central * abs(NU_IMPRINT) * two_pi, 3.0, t),
        "nu_beta_id": _check("ν·β = −1", nu * beta, -1.0, t),
    }
    n_total = len(checks)
    n_passed = sum(1 for c in checks.values() if c["passes"])
    all_ok = n_passed == n_total
    if all_ok:
        interpretation = (
            f"All {n_total}/{n_total} identities hold numerically at γ = {g:.6g} (tol {t:g}) ✓. As expected: they "
            "are identities of the definitions, true for every γ in (0, 1); this confirms the arithmetic, not the "
            "measurement of γ."
        )
    else:
        failed = ", ".join(k for k, c in checks.items() if not c["passes"])
        interpretation = (
            f"{n_passed}/{n_total} identities pass at γ = {g!r} (tol {t:g}); failing: {failed}. Every check is an "
            "exact identity, so these failures are floating-point rounding (cancellation as γ → 1, or a tolerance "
            "below the rounding error), not a property of the model or of its measurement."
        )
    return {
        "input_gamma": g,
        "phase": "A (γ ∈ (0,1))",
        "n_checks_total": n_total,
        "n_checks_passed": n_passed,
        "all_consistent": all_ok,
        "framework_verified_by": _FRAMEWORK_VERIFIED_BY,
        "checks": checks,
        "interpretation": interpretation,
        "what_this_checks": _WHAT_THIS_CHECKS,
        "references": list(_REFERENCES),
        "tol": t,
        "section": "§34",
        "evidence": CONSISTENCY_EVIDENCE.to_dict(),
    }
