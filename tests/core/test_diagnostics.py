"""γ diagnostics (spec §2.2, §2.3.5, §2.4.6, §2.9): appendix-A golden values, deliberate fixes, a SymPy
proof of the twelve §34 identities, and property tests over each function's domain."""

from __future__ import annotations

import json
import math
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tafagent.core.errors import DiagnosticInputError, TafError
from tafagent.core.laws.constants import NU_IMPRINT
from tafagent.core.laws.critical_exponents import critical_exponents_bundle
from tafagent.core.laws.diagnostics import (
    BIMODAL_CLASSES,
    HAGEDORN_LEVELS,
    PDI_REGIMES,
    PHASE_LABELS,
    architectural_concentration_predict,
    bimodal_phase_class,
    hagedorn_safety_alert,
    pade_deviation_index,
    phase_label,
    precision_shift_predict_4bit,
)
from tafagent.core.laws.famous_constants import FAMOUS_CONSTANTS, famous_constant_proximity, nearest_famous_constant
from tafagent.core.laws.identities import verify_algebraic_consistency
from tafagent.core.laws.thermo import chi_susceptibility, chi_susceptibility_detail

CHECK_KEYS = [
    "D-SAGE-1",
    "D-SAGE-2",
    "D-SAGE-4",
    "D-SAGE-5",
    "D-SAGE-6",
    "Rushbrooke_tautology",
    "Josephson_tautology",
    "Fisher_independent",
    "eta_2gamma_REFUTED",
    "D-14_nu_imprint",
    "D-SAGE-7",
    "nu_beta_id",
]

finite = st.floats(allow_nan=False, allow_infinity=False)
any_gamma = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**6), 10**6), st.floats(allow_nan=True, allow_infinity=True)
)
positive = st.floats(min_value=0.0, exclude_min=True, allow_nan=False, allow_infinity=False)
phase_a = st.floats(min_value=0.0, max_value=1.0, exclude_min=True, exclude_max=True)


def assert_json_safe(obj: Any) -> None:
    """Strict JSON (no Infinity / NaN) round-trips; no non-finite float anywhere."""
    text = json.dumps(obj, allow_nan=False, ensure_ascii=False)
    assert json.loads(text) == obj


# ---- §2.2 phase label ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("gamma", "label"),
    [
        (0.5, "Phase A (long-range OK)"),
        (1e-12, "Phase A (long-range OK)"),
        (1.0, "Phase B / Hagedorn"),
        (1.3, "Phase B / Hagedorn"),
        (0.0, "Phase B / catastrophic (negative γ — T too large for θ)"),
        (-0.4, "Phase B / catastrophic (negative γ — T too large for θ)"),
    ],
)
def test_phase_label_verbatim(gamma: float, label: str) -> None:
    assert phase_label(gamma) == label


@pytest.mark.parametrize("gamma", [None, math.nan, True, "0.5"])
def test_phase_label_deliberate_fix_unusable_gamma_is_unknown(gamma: Any) -> None:
    assert phase_label(gamma) == "unknown (no γ available)"


# ---- §2.9.7 bimodal class -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("gamma", "cls"),
    [
        (-0.1, "catastrophic"),
        (0, "Phase A (long-range)"),
        (0.84, "Phase A (long-range)"),
        (0.85, "boundary (gap zone)"),
        (0.95, "Hagedorn boundary"),
        (0.99, "Hagedorn boundary"),
        (1.0, "Hagedorn zone"),
        (None, "unknown"),
    ],
)
def test_bimodal_phase_class_appendix_a(gamma: float | None, cls: str) -> None:
    assert bimodal_phase_class(gamma) == cls


@pytest.mark.parametrize("gamma", [True, False, math.nan])
def test_bimodal_phase_class_deliberate_fix_bool_and_nan_are_unknown(gamma: Any) -> None:
    assert bimodal_phase_class(gamma) == "unknown"


# ---- §2.9.1 Hagedorn alert --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("gamma", "level"),
    [
        (None, "unknown"),
        (1.0, "critical"),
        (0.95, "warning"),
        (0.65, "ok"),
        (0.01, "info"),
        (0, "catastrophic"),
        (-1, "catastrophic"),
    ],
)
def test_hagedorn_safety_alert_appendix_a_levels(gamma: float | None, level: str) -> None:
    assert hagedorn_safety_alert(gamma)["level"] == level


def test_hagedorn_safety_alert_rows_verbatim() -> None:
    rows = {
        1.2: ("critical", "red", "🔴 HAGEDORN ZONE", "36% of n=25 LLMs are in this zone"),
        0.97: ("warning", "orange", "🟠 HAGEDORN BOUNDARY", "~24% of n=25 LLMs cluster here"),
        0.8: ("ok", "green", "🟢 PHASE A NORMAL", "~40% of n=25 LLMs"),
        0.3: ("info", "blue", "🔵 PHASE A WIDE-FIELD", "~12% of n=25 LLMs (mostly small or anomalous)"),
        -0.2: ("catastrophic", "darkred", "❌ NEGATIVE γ", "0% of n=25 (pathological)"),
    }
    for gamma, (level, color, label, fraction) in rows.items():
        alert = hagedorn_safety_alert(gamma)
        assert (alert["level"], alert["color"], alert["label"], alert["fraction_of_panel"]) == (
            level,
            color,
            label,
            fraction,
        )
        assert alert["message"]
        assert alert["evidence"]["label"] == "exploratory"
    unknown = hagedorn_safety_alert(None)
    assert (unknown["color"], unknown["label"], unknown["fraction_of_panel"]) == ("gray", None, None)


@pytest.mark.parametrize("gamma", [True, False, math.nan, float("nan")])
def test_hagedorn_safety_alert_deliberate_fix_bool_and_nan_are_unknown(gamma: Any) -> None:
    # The reference treats True as 1.0 (critical) and NaN as catastrophic (spec §9.2 item 17).
    alert = hagedorn_safety_alert(gamma)
    assert alert["level"] == "unknown"
    assert alert["color"] == "gray"


# ---- §2.3.5 χ ---------------------------------------------------------------------------------------------
def test_chi_susceptibility_appendix_a() -> None:
    assert chi_susceptibility(0.5) == 2.0
    assert chi_susceptibility(1.5) == 2.0


def test_chi_susceptibility_deliberate_fix_none_instead_of_inf_at_gamma_1() -> None:
    assert chi_susceptibility(1.0) is None
    detail = chi_susceptibility_detail(1.0)
    assert detail["chi"] is None and "Hagedorn" in detail["why_null"]
    assert_json_safe(detail)
    assert chi_susceptibility_detail(0.5)["chi"] == 2.0


def test_chi_susceptibility_negative_gamma_defined() -> None:
    assert chi_susceptibility(-1.0) == 0.5


@pytest.mark.parametrize("gamma", [math.nan, math.inf, None, True, "1"])
def test_chi_susceptibility_rejects_non_numbers(gamma: Any) -> None:
    with pytest.raises(ValueError, match="gamma"):
        chi_susceptibility(gamma)


# ---- §2.4.6 / §2.9.8 famous constants ---------------------------------------------------------------
def test_famous_constant_proximity_appendix_a() -> None:
    result = famous_constant_proximity(0.7051)
    assert result["n_hits"] == 1
    assert result["hits"] == [{"constant": "1/√2", "value": 1 / math.sqrt(2), "error": 0.0020067811865475127}]
    assert result["gamma"] == 0.7051 and result["tolerance"] == 0.01
    assert "coincidence" in result["caveat"]
    assert result["evidence"]["label"] == "exploratory"


@pytest.mark.parametrize(
    ("model", "gamma", "constant"),
    [
        ("CodeLlama-13b", 0.3823, "1−1/φ (golden conjugate)"),
        ("pythia-1.4b", 0.7051, "1/√2"),
        ("Llama-2-7b", 0.2871, "1−1/√2"),
        ("Mistral-Nemo", 0.4284, "log_10(e)"),
    ],
)
def test_famous_constant_anecdotes(model: str, gamma: float, constant: str) -> None:
    hits = famous_constant_proximity(gamma)["hits"]
    assert hits and hits[0]["constant"] == constant, model


def test_famous_constants_table_names_and_values() -> None:
    phi = (1 + math.sqrt(5)) / 2
    table = dict(FAMOUS_CONSTANTS)
    assert list(table) == [
        "1−1/φ (golden conjugate)",
        "1/√2",
        "1−1/√2",
        "log_10(e)",
        "1/π",
        "2/π",
        "1/φ",
        "ln(2)",
        "z*_Cayley = (√17−3)/2",
    ]
    expected = [0.381966, 0.707107, 0.292893, 0.434294, 0.318310, 0.636620, 0.618034, 0.693147, 0.561553]
    assert [round(v, 6) for v in table.values()] == expected
    assert table["1/φ"] == pytest.approx(phi - 1)


def test_famous_constant_proximity_truncates_to_three_and_counts_all() -> None:
    result = famous_constant_proximity(0.5, tolerance=0.2)
    assert result["n_hits"] == 7  # 0.3183 … 0.6931
    errors = [h["error"] for h in result["hits"]]
    assert len(errors) == 3 and errors == sorted(errors)


def test_nearest_famous_constant_reference_behaviour() -> None:
    assert nearest_famous_constant(None) == []
    assert nearest_famous_constant(0.7051, max_results=2, tolerance=0.02)[0]["constant"] == "1/√2"
    assert nearest_famous_constant(0.7051, max_results=0) == []
    assert nearest_famous_constant(0.7051) == famous_constant_proximity(0.7051, 0.05)["hits"][:3]


def test_nearest_famous_constant_deliberate_fix_max_results_above_three_honoured() -> None:
    # The reference slices the already 3-truncated hit list, so max_results > 3 silently gave 3.
    assert len(nearest_famous_constant(0.5, max_results=6, tolerance=0.2)) == 6
    assert len(nearest_famous_constant(0.5, max_results=9, tolerance=0.2)) == 7


@pytest.mark.parametrize("gamma", [math.nan, math.inf, True])
def test_nearest_famous_constant_deliberate_fix_unusable_gamma_gives_empty(gamma: Any) -> None:
    assert nearest_famous_constant(gamma) == []


def test_famous_constant_bad_arguments() -> None:
    with pytest.raises(ValueError, match="tolerance"):
        famous_constant_proximity(0.5, tolerance=-0.1)
    with pytest.raises(ValueError, match="max_results"):
        nearest_famous_constant(0.5, max_results=-1)
    with pytest.raises(ValueError, match="gamma"):
        famous_constant_proximity(math.nan)


# ---- §2.9.3 PDI ---------------------------------------------------------------------------------------------
def test_pade_deviation_index_appendix_examples() -> None:
    orange = pade_deviation_index(1e4, 0.5, 2048)
    assert orange["PDI"] == 2.3017798866749595
    assert orange["traffic_light"].startswith("🟠 ORANGE")
    assert orange["regime"] == "γ_obs << γ_Padé (sink-dominated or extreme alignment)"
    assert orange["log_PDI"] == pytest.approx(math.log(2.3017798866749595))
    red = pade_deviation_index(1e4, 1.2, 2048)
    assert red["PDI"] == -0.6277581509113525
    assert red["traffic_light"].startswith("🔴 RED")
    assert red["regime"] == "Phase B (γ>1, formula sign-flip)"
    assert red["log_PDI"] is None


def test_pade_deviation_index_canonical_and_yellow_bands() -> None:
    theta, t = 1e4, 2048
    gamma_pade = (2 * theta - math.sqrt(2) * t) / (2 * theta + math.sqrt(2) * t)
    canonical = pade_deviation_index(theta, gamma_pade, t)
    assert canonical["PDI"] == pytest.approx(1.0, abs=1e-12)
    assert canonical["traffic_light"].startswith("🟢 GREEN")
    at_one = pade_deviation_index(theta, 1.0, t)
    assert at_one["PDI"] == 0.0 and at_one["traffic_light"].startswith("🟡 YELLOW") and at_one["log_PDI"] is None
    assert pade_deviation_index(theta, 0.5, 3 * t)["regime"] == "canonical (γ_obs ≈ γ_Padé)"  # PDI 0.767
    assert "identity" in canonical and "ΔH_Cardy" in canonical["identity"]


def test_pade_deviation_index_deliberate_fix_singular_is_none_not_inf() -> None:
    result = pade_deviation_index(1e4, -1.0, 2048)
    assert result["PDI"] is None and result["regime"] == "singular" and result["why_null"]
    assert_json_safe(result)


@pytest.mark.parametrize(("theta", "t_eval", "name"), [(0, 2048, "theta"), (-1, 2048, "theta"), (1e4, 0, "T_eval")])
def test_pade_deviation_index_rejects_non_positive_lengths(theta: float, t_eval: float, name: str) -> None:
    with pytest.raises(ValueError, match=name) as info:
        pade_deviation_index(theta, 0.5, t_eval)
    assert isinstance(info.value, TafError) and isinstance(info.value, DiagnosticInputError)
    assert info.value.parameter == name


def test_pade_deviation_index_overflow_is_reported_not_inf() -> None:
    result = pade_deviation_index(1e300, 0.5, 1e-300)
    assert result["PDI"] is None and result["regime"] == "overflow"
    assert_json_safe(result)


def test_pade_deviation_index_gamma_below_minus_one_is_flagged() -> None:
    result = pade_deviation_index(1e4, -3.0, 2048)
    assert result["PDI"] < 0 and result["note"] and "1 + γ_obs < 0" in result["note"]


# ---- §2.9.2 architectural concentration ------------------------------------------------------------------
def test_architectural_concentration_appendix_example() -> None:
    result = architectural_concentration_predict(0.9, 8)
    assert result["gamma_text_predicted"] == pytest.approx(0.804, abs=1e-12)
    assert (result["gamma_pade"], result["n_kv"], result["k_arch"]) == (0.9, 8, 0.012)
    assert "R² = 0.30" in result["caveat"]
    assert result["evidence"]["label"] == "exploratory"
    assert result["interpretation"]


def test_architectural_concentration_accepts_integral_float_n_kv() -> None:
    assert architectural_concentration_predict(0.9, 8.0)["n_kv"] == 8


@pytest.mark.parametrize("n_kv", [0, -2, 2.5, math.nan, True])
def test_architectural_concentration_rejects_bad_n_kv(n_kv: Any) -> None:
    with pytest.raises(ValueError, match="n_kv"):
        architectural_concentration_predict(0.9, n_kv)


# ---- §2.9.4 precision shift ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("r2", "direction"), [(0.85, "UP"), (0.9, "stable"), (0.95, "stable"), (0.99, "stable"), (0.995, "DOWN")]
)
def test_precision_shift_appendix_a(r2: float, direction: str) -> None:
    result = precision_shift_predict_4bit(0.8, r2, False)
    assert result["predicted_shift_direction"] == direction
    magnitude = {"UP": "+0.3 to +0.8 expected", "DOWN": "−0.2 to −0.4 expected", "stable": "|Δγ| < 0.05"}
    assert result["expected_magnitude"] == magnitude[direction]
    assert result["evidence"] == {"label": "exploratory", "source": "§33.3 4-bit γ shift rule", "n": 5}


def test_precision_shift_gqa_is_stable_and_gamma_unused() -> None:
    for r2 in (0.5, 0.95, 0.999):
        result = precision_shift_predict_4bit(None, r2, True)
        assert (result["predicted_shift_direction"], result["expected_magnitude"]) == ("stable", "|Δγ| < 0.05")
        assert result["recommendation"] and result["reason"]
    a = precision_shift_predict_4bit(0.1, 0.85, False)
    b = precision_shift_predict_4bit(1.7, 0.85, False)
    assert a["predicted_shift_direction"] == b["predicted_shift_direction"]


def test_precision_shift_deliberate_fix_threshold_note_and_nan_rejected() -> None:
    note = precision_shift_predict_4bit(0.8, 0.92, False)["threshold_note"]
    assert "0.95" in note and "0.90" in note and "0.99" in note
    with pytest.raises(ValueError, match="R2_bf16"):
        precision_shift_predict_4bit(0.8, math.nan, False)


# ---- §2.9.5 critical exponents ----------------------------------------------------------------------------
def test_critical_exponents_at_one_half() -> None:
    b = critical_exponents_bundle(0.5)
    assert b["nu_correlation_length"] == 2.0
    assert b["beta_order_param"] == -0.5
    assert b["eta_anomalous_dim"] == -0.5
    assert b["alpha_specific_heat"] == 0.0
    assert b["gamma_susceptibility"] == 3.0
    assert b["c_central_at_gamma_0"] == 3
    assert b["AM_GM_bound"]["min_gamma_susc"] == pytest.approx(2 * math.sqrt(2))
    assert b["AM_GM_bound"]["min_at_gamma"] == pytest.approx(1 - 1 / math.sqrt(2))
    assert "2.828" in b["AM_GM_bound"]["interpretation"] and "0.2929" in b["AM_GM_bound"]["interpretation"]
    assert b["hyperscaling_check"] == {"Rushbrooke (α + 2β + γ_susc = 2)": 2.0, "expected": 2}
    assert "2γ" in b["eta_note"] and "2γ" in b["warning_paper1_eta"]
    for key in (
        "nu_correlation_length",
        "beta_order_param",
        "eta_anomalous_dim",
        "eta_note",
        "alpha_specific_heat",
        "gamma_susceptibility",
        "c_central_at_gamma_0",
        "AM_GM_bound",
        "hyperscaling_check",
        "warning_paper1_eta",
    ):
        assert key in b


@pytest.mark.parametrize("gamma", [1.0, 1.5, 1e300])
def test_critical_exponents_diverge_at_and_beyond_hagedorn(gamma: float) -> None:
    b = critical_exponents_bundle(gamma)
    assert (b["regime"], b["exponents"]) == ("Hagedorn or beyond", "diverge")


def test_critical_exponents_am_gm_minimum_is_the_minimum() -> None:
    g_min = 1 - 1 / math.sqrt(2)
    at_min = critical_exponents_bundle(g_min)["gamma_susceptibility"]
    assert at_min == pytest.approx(2 * math.sqrt(2))
    for g in (0.01, 0.2, 0.28, 0.3, 0.5, 0.9):
        assert critical_exponents_bundle(g)["gamma_susceptibility"] >= at_min - 1e-12


# ---- §2.9.6 algebraic consistency: implementation ---------------------------------------------------------
def test_verify_algebraic_consistency_keys_and_claims() -> None:
    r = verify_algebraic_consistency(0.5)
    assert list(r["checks"]) == CHECK_KEYS
    assert "D-SAGE-3" not in r["checks"]
    assert (r["n_checks_total"], r["n_checks_passed"], r["all_consistent"]) == (12, 12, True)
    assert r["phase"] == "A (γ ∈ (0,1))" and r["input_gamma"] == 0.5
    assert r["checks"]["D-SAGE-1"]["claim"] == "2η² + η·γ_χ + 1 = 0"
    assert r["checks"]["Fisher_independent"]["expected_formula"] == pytest.approx(0.5 * (1 - 3) / 0.5)
    assert r["checks"]["eta_2gamma_REFUTED"]["expected"] == "positive (refutes η=2γ)"
    for key, check in r["checks"].items():
        assert {"claim", "value", "passes"} <= set(check), key
        assert ("expected" in check) != (key == "Fisher_independent")
    assert len(r["references"]) == 3
    joined = " ".join(r["references"])
    for name in (
        "sage_recursive_sweep_2026-04-30.sage",
        "lean_taf/taf/Taf/Identities.lean",
        "appendix_formal_verification_2026-05-01.md",
    ):
        assert name in joined
    assert "SymPy" in r["framework_verified_by"] and "states" in r["framework_verified_by"]
    assert r["evidence"]["label"] == "exact"
    assert_json_safe(r)


def test_verify_algebraic_consistency_deliberate_fix_honest_text() -> None:
    # Spec §9.2 item 10: the twelve checks cannot fail for γ in (0, 1), so they cannot detect artefacts.
    r = verify_algebraic_consistency(0.42)
    what = r["what_this_checks"]
    assert "identities" in what and "every γ in (0, 1)" in what and "cannot detect" in what
    for text in (r["interpretation"], verify_algebraic_consistency(0.99999999)["interpretation"]):
        lowered = text.lower()
        assert "bf16" not in lowered and "quantiz" not in lowered and "outlier" not in lowered


def test_verify_algebraic_consistency_float_cancellation_near_one_matches_reference() -> None:
    # Spec §2.9.6: γ = 0.99999999 fails D-SAGE-5 and Fisher_independent through float cancellation only.
    r = verify_algebraic_consistency(0.99999999)
    failing = [k for k, c in r["checks"].items() if not c["passes"]]
    assert failing == ["D-SAGE-5", "Fisher_independent"]
    assert r["n_checks_passed"] == 10 and r["all_consistent"] is False
    assert "rounding" in r["interpretation"]


@pytest.mark.parametrize("gamma", [i / 200 for i in range(1, 200)] + [1e-12, 1e-6, 0.999, 0.9999])
def test_verify_algebraic_consistency_grid_all_pass(gamma: float) -> None:
    r = verify_algebraic_consistency(gamma)
    assert r["n_checks_passed"] == 12, [k for k, c in r["checks"].items() if not c["passes"]]


@pytest.mark.parametrize("gamma", [0, 0.0, -0.5, 1, 1.0, 2.5, -1e300])
def test_verify_algebraic_consistency_out_of_phase_a(gamma: float) -> None:
    r = verify_algebraic_consistency(gamma)
    assert r["status"] == "out_of_phase_A" and r["phase_A_range"] == "(0, 1)"
    assert r["input_gamma"] == gamma and r["message"]


@pytest.mark.parametrize(("gamma", "tol", "name"), [(math.nan, 1e-9, "gamma"), (0.5, 0.0, "tol"), (0.5, -1, "tol")])
def test_verify_algebraic_consistency_bad_inputs(gamma: float, tol: float, name: str) -> None:
    with pytest.raises(ValueError, match=name):
        verify_algebraic_consistency(gamma, tol)


# ---- §2.9.6 algebraic consistency: SymPy proof -----------------------------------------------------------
def _sympy_definitions():
    sympy = pytest.importorskip("sympy")
    g = sympy.Symbol("gamma", real=True)
    defs = {
        "nu": 1 / (1 - g),
        "beta": g - 1,
        "eta": g - 1,
        "alpha": 2 - 1 / (1 - g),
        "chi": 1 / (1 - g),
        "gamma_chi": 1 / (1 - g) + 2 * (1 - g),
    }
    return sympy, g, defs


def _identity_pairs(sympy: Any, g: Any, d: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """(value, expected) of every equality check, as SymPy expressions in γ (d = 1, c = 3)."""
    nu_imprint = -1 / (2 * sympy.pi)
    return {
        "D-SAGE-1": (2 * d["eta"] ** 2 + d["eta"] * d["gamma_chi"] + 1, 0),
        "D-SAGE-2": (d["beta"] * d["chi"], -1),
        "D-SAGE-4": (d["alpha"] + d["chi"], 2),
        "D-SAGE-5": (d["alpha"] + d["gamma_chi"], 2 * (2 - g)),
        "D-SAGE-6": (d["beta"] * d["gamma_chi"], -2 * g**2 + 4 * g - 3),
        "Rushbrooke_tautology": (2 * d["beta"] + d["gamma_chi"] - d["nu"] * 1, 0),
        "Josephson_tautology": (2 - d["alpha"] - d["nu"] * 1, 0),
        "Fisher_independent": (d["gamma_chi"] - (2 - d["eta"]) * d["nu"], g * (2 * g - 3) / (1 - g)),
        "D-14_nu_imprint": (nu_imprint * 2 * sympy.pi, -1),
        "D-SAGE-7": (3 * sympy.Abs(nu_imprint) * 2 * sympy.pi, 3),
        "nu_beta_id": (d["nu"] * d["beta"], -1),
    }


def test_sympy_proves_the_eleven_equalities_as_identities_in_gamma() -> None:
    sympy, g, d = _sympy_definitions()
    pairs = _identity_pairs(sympy, g, d)
    assert set(pairs) | {"eta_2gamma_REFUTED"} == set(CHECK_KEYS)
    for key, (lhs, rhs) in pairs.items():
        assert sympy.simplify(lhs - rhs) == 0, key


def test_sympy_fisher_residual_is_gamma_2gamma_minus_3_over_1_minus_gamma() -> None:
    sympy, g, d = _sympy_definitions()
    residual = d["gamma_chi"] - (2 - d["eta"]) * d["nu"]
    assert sympy.simplify(residual - g * (2 * g - 3) / (1 - g)) == 0
    # … which is not identically zero: Fisher's relation γ_χ = (2 − η)ν does not hold in the framework.
    assert sympy.simplify(residual) != 0


def test_sympy_proves_eta_2gamma_residual_positive_on_phase_a() -> None:
    sympy, g, d = _sympy_definitions()
    expr = 2 * (2 * g) ** 2 + 2 * g * d["gamma_chi"] + 1
    num, den = sympy.fraction(sympy.cancel(sympy.together(expr)))
    half = sympy.Rational(1, 2)
    if den.subs(g, half) < 0:
        num, den = -num, -den
    # Both numerator and denominator are polynomials with no root in (0, 1) and positive at γ = 1/2,
    # so both are positive on the whole interval, and so is the residual.
    for poly in (num, den):
        roots = sympy.Poly(poly, g).real_roots()
        assert not [r for r in roots if 0 < r < 1], (poly, roots)
        assert poly.subs(g, half) > 0
    assert sympy.expand(num) == sympy.expand(-4 * g**3 + 5 * g + 1)
    assert sympy.expand(den) == sympy.expand(1 - g)
    # Independent confirmation with solveset on the open interval.
    assert sympy.solveset(expr <= 0, g, sympy.Interval.open(0, 1)) == sympy.S.EmptySet


def test_sympy_exact_values_match_the_implementation() -> None:
    # Ties the proof to the code: at rational γ the implementation's values equal SymPy's exact ones.
    sympy, g, d = _sympy_definitions()
    pairs = _identity_pairs(sympy, g, d)
    refuted = 2 * (2 * g) ** 2 + 2 * g * d["gamma_chi"] + 1
    for frac in (Fraction(1, 7), Fraction(1, 3), Fraction(1, 2), Fraction(7, 9), Fraction(99, 100)):
        point = sympy.Rational(frac.numerator, frac.denominator)
        checks = verify_algebraic_consistency(float(frac))["checks"]
        for key, (lhs, rhs) in pairs.items():
            exact_value = float(sympy.sympify(lhs).subs(g, point))
            exact_expected = float(sympy.sympify(rhs).subs(g, point))
            expected_key = "expected_formula" if key == "Fisher_independent" else "expected"
            assert checks[key]["value"] == pytest.approx(exact_value, rel=1e-12, abs=1e-12), key
            assert checks[key][expected_key] == pytest.approx(exact_expected, rel=1e-12, abs=1e-12), key
        assert checks["eta_2gamma_REFUTED"]["value"] == pytest.approx(float(refuted.subs(g, point)), rel=1e-12)


def test_sympy_critical_exponents_rushbrooke_and_am_gm() -> None:
    sympy, g, d = _sympy_definitions()
    assert sympy.simplify(d["alpha"] + 2 * d["beta"] + d["gamma_chi"] - 2) == 0
    stationary = sympy.solveset(sympy.diff(d["gamma_chi"], g), g, sympy.Interval.open(0, 1))
    assert stationary == sympy.FiniteSet(1 - 1 / sympy.sqrt(2))
    assert sympy.simplify(d["gamma_chi"].subs(g, 1 - 1 / sympy.sqrt(2)) - 2 * sympy.sqrt(2)) == 0
    assert d["gamma_chi"].subs(g, 0) == 3
    assert float(-1 / (2 * sympy.pi)) == pytest.approx(NU_IMPRINT, rel=1e-15)


# ---- property tests ----------------------------------------------------------------------------------------
@given(any_gamma)
def test_property_classifiers_return_documented_labels(gamma: Any) -> None:
    assert phase_label(gamma) in PHASE_LABELS
    assert bimodal_phase_class(gamma) in BIMODAL_CLASSES
    alert = hagedorn_safety_alert(gamma)
    assert alert["level"] in HAGEDORN_LEVELS
    assert_json_safe(alert)


@given(finite)
def test_property_chi_is_finite_positive_or_none_at_one(gamma: float) -> None:
    chi = chi_susceptibility(gamma)
    if gamma == 1.0:
        assert chi is None
    else:
        assert chi is not None and math.isfinite(chi) and chi > 0
    assert_json_safe(chi_susceptibility_detail(gamma))


@given(finite, st.floats(min_value=0.0, max_value=1e300), st.integers(0, 20))
def test_property_famous_constants(gamma: float, tolerance: float, max_results: int) -> None:
    result = famous_constant_proximity(gamma, tolerance)
    assert 0 <= result["n_hits"] <= len(FAMOUS_CONSTANTS)
    assert len(result["hits"]) == min(3, result["n_hits"])
    names = dict(FAMOUS_CONSTANTS)
    for hit in result["hits"]:
        assert hit["constant"] in names and hit["error"] <= tolerance
    assert_json_safe(result)
    nearest = nearest_famous_constant(gamma, max_results, tolerance)
    assert len(nearest) == min(max_results, result["n_hits"])
    assert [h["error"] for h in nearest] == sorted(h["error"] for h in nearest)


@given(positive, finite, positive)
def test_property_pdi(theta: float, gamma_obs: float, t_eval: float) -> None:
    result = pade_deviation_index(theta, gamma_obs, t_eval)
    assert result["regime"] in PDI_REGIMES
    assert_json_safe(result)
    if result["PDI"] is None:
        assert result["why_null"] and result["regime"] in ("singular", "overflow")
    else:
        assert result["traffic_light"][0] in "🔴🟢🟠🟡"


@given(st.floats(min_value=1.0, max_value=1e7), st.floats(min_value=-0.99, max_value=3.0), st.floats(1.0, 1e7))
def test_property_pdi_is_d_horizon_over_t_eval(theta: float, gamma_obs: float, t_eval: float) -> None:
    pdi = pade_deviation_index(theta, gamma_obs, t_eval)["PDI"]
    d_h = theta * (1 - gamma_obs) * math.sqrt(2) / (1 + gamma_obs)
    assert pdi == pytest.approx(d_h / t_eval, rel=1e-12, abs=1e-300)


@given(finite, st.integers(1, 10**6))
def test_property_architectural(gamma: float, n_kv: int) -> None:
    result = architectural_concentration_predict(gamma, n_kv)
    assert_json_safe(result)
    assert result["gamma_text_predicted"] == pytest.approx(gamma - 0.012 * n_kv)


@given(st.one_of(st.none(), finite), finite, st.booleans())
def test_property_precision_shift(gamma: float | None, r2: float, is_gqa: bool) -> None:
    result = precision_shift_predict_4bit(gamma, r2, is_gqa)
    assert result["predicted_shift_direction"] in ("UP", "DOWN", "stable")
    if is_gqa:
        assert result["predicted_shift_direction"] == "stable"
    assert_json_safe(result)


@given(finite)
def test_property_critical_exponents_json_safe(gamma: float) -> None:
    result = critical_exponents_bundle(gamma)
    assert_json_safe(result)
    if gamma < 1 and abs(gamma) < 1e6:  # beyond that, 2β + γ_susc cancels catastrophically in floats
        assert result["hyperscaling_check"]["Rushbrooke (α + 2β + γ_susc = 2)"] == pytest.approx(2.0, abs=1e-6)


@given(finite)
def test_property_verify_any_finite_gamma_is_json_safe(gamma: float) -> None:
    result = verify_algebraic_consistency(gamma)
    assert_json_safe(result)
    if 0 < gamma < 1:
        checks = result["checks"]
        assert result["n_checks_passed"] == sum(c["passes"] for c in checks.values())
        assert result["all_consistent"] == (result["n_checks_passed"] == 12)
        assert checks["eta_2gamma_REFUTED"]["passes"]  # the inequality holds even where cancellation bites
    else:
        assert result["status"] == "out_of_phase_A"


@settings(max_examples=300)
@given(st.floats(min_value=0.0, max_value=1 - 1e-4, exclude_min=True))
def test_property_verify_all_twelve_pass_away_from_the_hagedorn_point(gamma: float) -> None:
    assert verify_algebraic_consistency(gamma)["all_consistent"]
