"""Spec §2 formulas against the reference's golden values (appendix A, §2.3–§2.8, §8 tests 1–3, 18, 20–22)."""

from __future__ import annotations

import math

import pytest

from tafagent.core.catalogs import default_catalogs
from tafagent.core.laws.decomposition import gamma_decompose, gamma_decompose_v2
from tafagent.core.laws.economics import (
    break_even_volume,
    chinchilla_optimal_tokens,
    decode_tokens_per_s_ceiling,
    emergent_threshold,
    inference_cost_per_token,
    kv_cache_bytes_uniform,
    training_cost,
    training_memory_16n_bytes,
)
from tafagent.core.laws.imprint import compute_invariant_K, gamma_random_predict, ih_phase_check, imprint_purity
from tafagent.core.laws.pade import (
    alpha_opt,
    d_horizon,
    gamma_pade,
    kv_soft_decay_regime,
    l_niah,
    p_hallucinate,
    theta_design,
)
from tafagent.core.laws.thermo import chi_susceptibility as chi

EXACT = dict(rel=1e-15, abs=0)


@pytest.mark.parametrize(
    "theta,T,expected",
    [
        (10000, 2048, 0.7470064429851826),
        (500000, 8192, 0.9770948861777424),
        (500000, 32000, 0.9134089936270703),
        (1e6, 32768, 0.9547084761104221),
    ],
)
def test_gamma_pade_examples(theta, T, expected) -> None:
    assert gamma_pade(theta, T) == pytest.approx(expected, **EXACT)


def test_spec8_gamma_pade_T_zero_gives_one() -> None:
    assert abs(gamma_pade(10000, 0) - 1) < 1e-12


def test_spec8_gamma_pade_at_T_theta_sqrt2_gives_zero() -> None:
    assert abs(gamma_pade(10000, int(10000 * math.sqrt(2)))) < 1e-3


def test_spec8_gamma_pade_at_T_theta_over_sqrt2_not_zero() -> None:
    assert abs(gamma_pade(10000, int(10000 / math.sqrt(2))) - 1 / 3) < 0.01


def test_horizon_niah_chi_hallucination() -> None:
    assert d_horizon(1e4, 0.5) == pytest.approx(4714.045207910317, **EXACT)
    assert l_niah(d_horizon(1e4, 0.5)) == pytest.approx(9428.090415820634, **EXACT)
    assert d_horizon(1e4, 1.0) is None and d_horizon(1e4, 0.0) is None and l_niah(None) is None
    assert chi(0.5) == 2.0 and chi(1.5) == 2.0
    assert p_hallucinate(100000, 1e4, 0.5) == pytest.approx(0.4586013527782785, **EXACT)
    assert p_hallucinate(0, 1e4, 0.5) is None and p_hallucinate(1000, 1e4, 1.0) is None
    assert p_hallucinate(1000, 1e4, 0.5) == 0.0  # L ≤ d_h


def test_chi_at_hagedorn_point_deliberate_fix_is_none_not_inf() -> None:
    """The reference returned float('inf'), which is not valid JSON (spec §9.2 item 6)."""
    assert chi(1.0) is None


def test_d_horizon_identity_D_NEW_1() -> None:
    for T in (100, 2048, 8192, 14000):
        assert d_horizon(1e4, gamma_pade(1e4, T)) == pytest.approx(T, rel=1e-12)


def test_theta_design_and_alpha() -> None:
    assert theta_design(0.85, 32000) == pytest.approx(279071.47630829073, **EXACT)
    assert theta_design(0.85, 32000) / 32000 == pytest.approx(8.720983634634086, rel=1e-14)
    assert alpha_opt(0.85, 32000, 500000) == pytest.approx(0.5581429526165814, **EXACT)
    with pytest.raises(ValueError):
        theta_design(1.0, 1000)


@pytest.mark.parametrize("gamma", [0.3, 0.5, 0.7, 0.85])
@pytest.mark.parametrize("T", [1000, 2000, 8000])
def test_spec8_theta_design_inverts_gamma_pade(gamma, T) -> None:
    assert abs(gamma_pade(theta_design(gamma, T), T) - gamma) < 1e-9


def test_soft_decay_regime() -> None:
    assert kv_soft_decay_regime(1e4, 0.5, 2048)[0] == "applies"
    assert kv_soft_decay_regime(1e4, 1.2, 2048)[0] == "use-hard-cutoff"
    assert kv_soft_decay_regime(1e4, 0.9, 1)[0] == "applies"


def test_spec8_decompose_swa_disabled() -> None:
    d = gamma_decompose(0.75, has_SWA=True)
    assert d["delta_SWA"] == 0.0 and "n1_disabled" in d["delta_SWA_status"]
    assert d["evidence"]["delta_SWA"]["label"] == "disabled"


def test_spec8_decompose_gqa_still_active() -> None:
    assert abs(gamma_decompose(0.75, has_GQA=True)["delta_GQA"] - 0.11) < 1e-9
    assert gamma_decompose(0.75, has_GQA=False)["delta_GQA"] == 0.0
    assert gamma_decompose(0.75, has_GQA=True)["evidence"]["delta_GQA"]["label"] == "fitted"


def test_spec8_decompose_v2_warnings_present() -> None:
    d = gamma_decompose_v2(0.75, n_params_M=500, has_SWA=True, is_instruct=True)
    assert "calibration_warning" in d and d["delta_SWA"] == 0.0
    assert "exploratory" in d["delta_SWA_status"] or "n1" in d["delta_SWA_status"]
    assert d["evidence"]["delta_instruct"]["label"] == "exploratory"


def test_decompose_v2_golden() -> None:
    d = gamma_decompose_v2(0.75, 500, has_GQA=True, has_SWA=True, corpus="random", is_instruct=True)
    assert d["delta_imprint"] == pytest.approx(-0.24714247515243584, rel=1e-14)
    assert d["gamma_corrected"] == pytest.approx(0.3628575248475642, rel=1e-14)


def test_imprint_and_invariants() -> None:
    assert gamma_random_predict(10000, 2048, 1000) == pytest.approx(0.4519535560038923, rel=1e-14)
    assert gamma_random_predict(500000, 32000, 8000) == pytest.approx(0.47462487115921675, rel=1e-14)
    k = compute_invariant_K(1.045, 8000)
    assert k["K"] == pytest.approx(74.61702785785721, rel=1e-14)
    assert k["z_score"] == pytest.approx(1.3938707058248336, rel=1e-13)
    assert (k["in_distribution"], k["interpretation"]) == (False, "high-K outlier")
    ih = ih_phase_check(0.93, 1.0, 1000)
    assert ih["delta_gamma"] == pytest.approx(-0.07)
    assert (ih["phase_observed"], ih["phase_expected_by_size"], ih["consistent"]) == ("pre-IH", "post-IH", False)
    purity = imprint_purity(0.9, 10000, 2048, 1000)
    assert purity["imprint_residual"] == pytest.approx(0.4480464439961077, rel=1e-12)
    assert purity["purity"] == "under-imprinted"


def test_economics_golden() -> None:
    assert training_memory_16n_bytes(8e9) == 128e9
    assert emergent_threshold(8e9).startswith("above 1B — ")
    assert decode_tokens_per_s_ceiling(16.0, 3350) == 209.375
    assert kv_cache_bytes_uniform(32, 8, 128, 32000) == 4194304000
    assert chinchilla_optimal_tokens(8e9) == 1.6e11
    h100 = default_catalogs().gpu("H100 SXM")
    cost = training_cost(8e9, 1.6e11, h100, 8, 0.45, h100.usd_per_hour)
    assert cost["total_FLOPs"] == 7.68e21
    assert cost["hours"] == pytest.approx(599.1836123282028, rel=1e-14)
    assert cost["days"] == pytest.approx(24.96598384700845, rel=1e-14)
    assert cost["USD"] == pytest.approx(11983.672246564056, rel=1e-14)
    inference = inference_cost_per_token(16.0, h100, h100.usd_per_hour)
    assert inference["tok_per_sec"] == 209.375
    assert inference["USD_per_Mtok"] == pytest.approx(3.3167495854063023, rel=1e-14)
    assert break_even_volume(1, 10, 5)["error"]
    assert break_even_volume(11983.672246564056, 3.3167495854063023, 6.25)["Mtok_breakeven"] == pytest.approx(
        4085.4582980512378, rel=1e-12
    )


@pytest.mark.parametrize(
    "n,prefix", [(2e11, "above 100B"), (2e10, "above 10B"), (2e9, "above 1B"), (2e8, "above 100M"), (5e7, "below 100M")]
)
def test_emergence_tiers(n, prefix) -> None:
    assert emergent_threshold(n).split(" — ")[0] == prefix
