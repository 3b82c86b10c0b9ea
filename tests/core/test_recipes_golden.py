"""Every verdict branch of every recipe, with the spec's golden values (§3) and our deliberate fixes (§9)."""

from __future__ import annotations

import pytest

from tafagent.core.errors import TafError
from tafagent.core.recipes import ParameterError, get_recipe, list_recipes, run_recipe
from tafagent.core.spec.presets import get_preset, reference_presets_v053

LLAMA3_REF = reference_presets_v053()["meta-llama/Meta-Llama-3-8B"]


def step(result, name):
    found = result.step_named(name)
    assert found is not None, [s.name for s in result.chain]
    return found.result


# ----------------------------------------------------------------------------------------------
# v0.5.3's closed-form decision (closed_form=True); the evidence ladder deliberately differs
# (tests/core/test_x2_ladder.py).
def test_x2_smoke_golden_yes_33_percent() -> None:
    r = run_recipe("X-2", {"closed_form": True, **LLAMA3_REF, "T_eval": 32000})
    assert step(r, "γ_Padé") == pytest.approx(0.9134089936270703, rel=1e-15)
    assert step(r, "γ-decomposition") == pytest.approx(0.8734089936270703, rel=1e-15)
    assert step(r, "d_horizon") == pytest.approx(47781.002091926035, rel=1e-14)
    assert step(r, "L_NIAH^c") == pytest.approx(95562.00418385207, rel=1e-14)
    assert step(r, "P_hallucinate") == 0.0
    assert step(r, "KV cache memory")["GB"] == pytest.approx(4.194304)
    assert r.verdict == "YES" and "33% margin" in r.reason and r.mitigation == "None required."
    assert {"x2_closed_form_tautology", "x2_use_measured_gamma", "x2_delta_postih_exploratory"} <= set(r.caveats)
    assert r.chain[1].breakdown["delta_GQA"] == 0.11


def test_x2_phase_b_no_with_ntk_advice() -> None:
    r = run_recipe(
        "X-2",
        {
            "closed_form": True,
            "theta": 10000,
            "T_train": 8192,
            "T_eval": 32000,
            "n_attention_heads": 32,
            "n_kv_heads": 32,
            "d_head": 128,
            "n_layers": 32,
            "n_params": 7e9,
        },
    )
    assert r.verdict == "NO" and "Phase B" in r.reason
    assert "279,071" in r.mitigation and "27.91" in r.mitigation and "fine-tuning required" in r.mitigation


def test_x2_degraded_between_horizon_and_ceiling() -> None:
    # A small GQA model: δ_GQA = +0.11 raises γ, so the corrected horizon falls below T_eval.
    r = run_recipe(
        "X-2",
        {
            "closed_form": True,
            "theta": 10000,
            "T_train": 4096,
            "T_eval": 2048,
            "n_attention_heads": 32,
            "n_kv_heads": 8,
            "d_head": 64,
            "n_layers": 12,
            "n_params": 1e8,
        },
    )
    dh, niah = step(r, "d_horizon"), step(r, "L_NIAH^c")
    assert dh < 2048 < niah and niah == pytest.approx(2 * dh)
    assert r.verdict == "DEGRADED" and "between d_horizon" in r.reason
    # The measured path: horizon 1000 (γ chosen so), L = 1500.
    g = (10000 * 2**0.5 - 1000) / (10000 * 2**0.5 + 1000)
    r_obs = run_recipe("X-2", {"closed_form": True, "theta": 10000, "T_eval": 1500, "gamma_obs": g, "n_kv_heads": 32})
    assert r_obs.verdict == "DEGRADED"


def test_x2_no_beyond_closed_form_ceiling() -> None:
    # Small GQA model at a short length: γ_P ≈ 0.88, + 0.11 → 0.99, a horizon of ~70 tokens.
    base = {
        "theta": 10000,
        "T_train": 4096,
        "n_attention_heads": 32,
        "n_kv_heads": 8,
        "d_head": 64,
        "n_layers": 12,
        "n_params": 1e8,
    }
    r = run_recipe("X-2", {"closed_form": True, **base, "T_eval": 900})
    assert 0 < step(r, "γ-decomposition") < 1 and r.verdict == "NO" and "exceeds the NIAH ceiling" in r.reason


def test_x2_no_beyond_niah_ceiling() -> None:
    g = (10000 * 2**0.5 - 1000) / (10000 * 2**0.5 + 1000)
    r = run_recipe("X-2", {"closed_form": True, "theta": 10000, "T_eval": 2500, "gamma_obs": g, "n_kv_heads": 32})
    assert r.verdict == "NO" and "twice the measured horizon" in r.reason


def test_x2_measured_gamma_path_uses_pdi() -> None:
    r = run_recipe("X-2", {"closed_form": True, **LLAMA3_REF, "T_eval": 32000, "gamma_obs": 0.8})
    assert r.step_named("PDI (measured γ_obs)") is not None
    assert r.step_named("d_horizon (measured γ_obs)").result == pytest.approx(500000 * 0.2 * 2**0.5 / 1.8)
    assert r.verdict == "YES"
    assert "x2_closed_form_tautology" not in r.caveats
    assert run_recipe("X-2", {"closed_form": True, **LLAMA3_REF, "T_eval": 32000, "gamma_obs": 1.0455}).verdict == "NO"


@pytest.mark.parametrize("T_eval", list(range(1000, 14001, 7)))
def test_x2_deliberate_fix_verdict_not_decided_by_float_noise(T_eval: int) -> None:
    """Spec §9.2 item 1: the reference flipped YES/DEGRADED on rounding (1189 vs 669 of these lengths)."""
    r = run_recipe(
        "X-2",
        {
            "closed_form": True,
            "theta": 1e4,
            "T_train": 16000,
            "T_eval": T_eval,
            "n_attention_heads": 16,
            "n_kv_heads": 16,
            "d_head": 64,
            "n_layers": 12,
            "n_params": 1e8,
        },
    )
    assert step(r, "d_horizon") == T_eval
    assert r.verdict == "DEGRADED" and "exactly at d_horizon" in r.reason


def test_x2_gqa_delta_can_force_phase_b_and_says_why() -> None:
    """Spec §9.2 item 2 (kept: the reference's decomposition), but the chain shows the fitted δ that did it."""
    r = run_recipe(
        "X-2",
        {"closed_form": True, "theta": 1e6, "T_eval": 4096, "n_attention_heads": 14, "n_kv_heads": 2, "n_params": 3e8},
    )
    assert step(r, "γ-decomposition") == pytest.approx(1.104, abs=1e-3)
    assert r.verdict == "NO" and "δ_GQA" in r.chain[1].interpretation


# ----------------------------------------------------------------------------------------------
def test_x19_llama3_soft_decay_caveat_and_offers_df() -> None:
    r = run_recipe("X-19", {**LLAMA3_REF, "T_eval": 8192})
    assert step(r, "γ_Padé") == pytest.approx(0.9770948861777424, rel=1e-15)
    assert step(r, "γ-decomposition") == pytest.approx(0.9370948861777425, rel=1e-15)
    assert r.verdict == "USE SOFT DECAY (caveat)"
    df = step(r, "D_f window")
    assert isinstance(df, int) and 1 <= df <= 8192
    assert r.step_named("D_f window").evidence.label.value == "exploratory"
    assert f"{df:,}" in r.mitigation
    assert step(r, "Baseline KV memory")["GB"] == pytest.approx(1.073741824)


def test_x19_soft_decay() -> None:
    r = run_recipe(
        "X-19",
        {"theta": 1e4, "T_train": 2048, "T_eval": 2048, "n_attention_heads": 16, "n_kv_heads": 16, "n_params": 1e8},
    )
    assert r.verdict == "USE SOFT DECAY"
    assert r.step_named("D_f window").evidence.label.value == "fitted"


def test_x19_df_hard_cutoff_1426() -> None:
    r = run_recipe(
        "X-19",
        {"theta": 1e4, "T_train": 32768, "T_eval": 2048, "n_attention_heads": 16, "n_kv_heads": 16, "n_params": 1e8},
    )
    assert r.verdict == "USE D_f HARD CUTOFF" and step(r, "D_f window") == 1426


def test_x19_literature_methods() -> None:
    r = run_recipe(
        "X-19",
        {"theta": 1e4, "T_train": 8192, "T_eval": 32000, "n_attention_heads": 16, "n_kv_heads": 16, "n_params": 1e8},
    )
    assert r.verdict == "USE LITERATURE METHODS" and "-0.387" in r.reason


def test_x19_hard_t_train_cutoff() -> None:
    r = run_recipe(
        "X-19",
        {"theta": 1e4, "T_train": 16000, "T_eval": 6000, "n_attention_heads": 16, "n_kv_heads": 16, "n_params": 1e9},
    )
    assert r.verdict == "USE HARD T_train CUTOFF" and "16,000" in r.mitigation
    assert step(r, "D_f window") is not None  # deliberate fix: offered outside the calibrated band too


def test_x19_deliberate_fix_df_defined_in_phase_b() -> None:
    r = run_recipe(
        "X-19",
        {
            "theta": 1e4,
            "T_train": 2000,
            "T_eval": 2000,
            "gamma_obs": 1.046,
            "n_attention_heads": 16,
            "n_kv_heads": 16,
            "n_params": 1e8,
        },
    )
    assert step(r, "D_f window") == 758  # spec §9.1 item 5: the reference's X-19 returned None here
    assert r.verdict == "USE LITERATURE METHODS" and "758" in r.mitigation


# ----------------------------------------------------------------------------------------------
def test_x1_golden_no_api_408_months() -> None:
    r = run_recipe("X-1", {"N_params": 8e9})
    assert step(r, "Chinchilla optimal D") == 1.6e11
    assert step(r, "Training FLOPs") == 7.68e21
    assert step(r, "Training cost")["USD"] == pytest.approx(11983.672246564056, rel=1e-14)
    assert step(r, "Self-inference $/Mtok")["USD_per_Mtok"] == pytest.approx(3.3167495854063023, rel=1e-14)
    assert step(r, "GPT-4o blended price") == 6.25
    assert step(r, "Break-even tokens")["Mtok_breakeven"] == pytest.approx(4085.4582980512378, rel=1e-12)
    assert r.verdict == "NO (API)" and "408.5 months" in r.reason


def test_x1_70b_never_breaks_even() -> None:
    r = run_recipe("X-1", {"N_params": 70e9})
    assert r.verdict == "NO" and "never" in r.reason


def test_x1_yes_custom_at_high_volume() -> None:
    r = run_recipe("X-1", {"N_params": 8e9, "monthly_tokens_M": 5000})
    assert r.verdict == "YES (custom)" and "H100 SXM × 8" in r.mitigation


def test_x1_deliberate_fix_zero_volume_is_not_a_crash() -> None:
    r = run_recipe("X-1", {"N_params": 8e9, "monthly_tokens_M": 0})
    assert r.verdict == "NO (API)" and "zero monthly volume" in r.reason


def test_x1_deliberate_fix_unknown_gpu_and_api_name_the_parameter() -> None:
    with pytest.raises(TafError) as info:
        run_recipe("X-1", {"gpu": "TPU v9"})
    assert "gpu" in info.value.one_line() and "H100 SXM" in info.value.one_line()
    with pytest.raises(TafError) as info:
        run_recipe("X-1", {"api_model": "Grok-9"})
    assert "api_model" in info.value.one_line() or "API model" in info.value.one_line()


def test_x1_custom_api_prices() -> None:
    r = run_recipe("X-1", {"api_model": "MyAPI", "api_input_usd_per_Mtok": 1, "api_output_usd_per_Mtok": 3})
    assert step(r, "MyAPI blended price") == 2.0


# ----------------------------------------------------------------------------------------------
def test_x3_golden_memory_limited() -> None:
    r = run_recipe("X-3")
    assert step(r, "Affordable GPU-hours") == 2000.0
    assert step(r, "Max training FLOPs") == pytest.approx(3.20436e21, rel=1e-12)
    assert step(r, "Chinchilla-optimal N") == pytest.approx(5167494557.326596, rel=1e-12)
    assert step(r, "Emergence threshold").startswith("above 1B")
    assert step(r, "16N training memory")["GB"] == pytest.approx(82.67991291722554, rel=1e-12)
    assert r.verdict == "MEMORY-LIMITED" and "≥ 2 × H100 SXM" in r.mitigation


@pytest.mark.parametrize(
    "gpu,verdict,n_star",
    [
        ("H100 SXM", "MEMORY-LIMITED", 5.167e9),
        ("H100 PCIe", "MEMORY-LIMITED", 5.051e9),
        ("H200", "GO", 4.367e9),
        ("B200", "GO", 5.511e9),
        ("A100 80GB", "GO", 4.189e9),
        ("A100 40GB", "MEMORY-LIMITED", 4.589e9),
        ("L40S", "MEMORY-LIMITED", 5.908e9),
        ("MI300X", "GO", 6.482e9),
        ("RTX 4090", "MEMORY-LIMITED", 5.277e9),
        ("RTX 5090", "MEMORY-LIMITED", 6.356e9),
    ],
)
def test_x3_per_gpu_verdicts_at_5000(gpu, verdict, n_star) -> None:
    r = run_recipe("X-3", {"gpu": gpu})
    assert r.verdict == verdict and step(r, "Chinchilla-optimal N") == pytest.approx(n_star, rel=1e-3)


def test_x3_go_at_100_dollars() -> None:
    r = run_recipe("X-3", {"USD_budget": 100})
    assert r.verdict == "GO" and step(r, "Chinchilla-optimal N") == pytest.approx(7.3e8, rel=0.01)
    assert "above 100M" in r.reason and r.mitigation == "None — proceed with Chinchilla-optimal recipe."


def test_x3_tiny_model() -> None:
    assert run_recipe("X-3", {"USD_budget": 1}).verdict == "TINY-MODEL"


def test_x3_deliberate_fix_unpriced_gpu_is_an_error_not_zero_division() -> None:
    with pytest.raises(ParameterError) as info:
        run_recipe("X-3", {"gpu": "RTX 5060Ti"})
    assert info.value.field == "gpu_usd_per_hour"
    assert run_recipe("X-3", {"gpu": "RTX 5060Ti", "gpu_usd_per_hour": 0.3}).verdict in ("GO", "MEMORY-LIMITED")


def test_x3_deliberate_fix_counts_the_gpus_paid_for() -> None:
    assert run_recipe("X-3", {"n_gpus": 2}).verdict == "GO"


def test_x3_model_aware_step() -> None:
    r = run_recipe("X-3", model=get_preset("llama-3-8b").spec())
    priced = step(r, "This model, Chinchilla-optimal")
    assert priced["USD"] > 5000 and priced["tokens_affordable"] > 0


# ----------------------------------------------------------------------------------------------
def test_x5_golden_rtx_5090_reference_throughput_model() -> None:
    r = run_recipe("X-5", {"N_params": 8e9, "throughput_model": "reference"})
    assert step(r, "Model weights memory")["GB"] == 16.0
    assert step(r, "KV cache (per request)")["GB"] == pytest.approx(0.536870912)
    assert step(r, "Total GPU memory")["GB"] == pytest.approx(16.536870912)
    top = step(r, "Eligible GPUs (≥17GB)")
    assert [c["gpu"] for c in top] == ["RTX 5090", "MI300X", "RTX 4090", "A100 80GB", "B200"]
    assert [round(c["USD_per_Mtok"], 4) for c in top] == [1.7361, 1.761, 1.7637, 2.6667, 2.7778]
    assert top[0]["tok_per_sec"] == 112.0 and top[0]["users_supported"] == pytest.approx(0.96768)
    assert r.verdict == "YES" and "RTX 5090" in r.reason and "112 tok/s" in r.mitigation


def test_x5_deliberate_fix_unpriced_card_is_not_cheapest() -> None:
    r = run_recipe("X-5", {"N_params": 1e9, "throughput_model": "reference"})
    ranked = r.chain[-1].result
    assert ranked[0]["gpu"] != "RTX 5060Ti" and "RTX 5060Ti" not in r.reason
    assert any(c["gpu"] == "RTX 5060Ti" and c["USD_per_Mtok"] is None for c in ranked) or len(ranked) == 5


def test_x5_no_gpu_fits_400b() -> None:
    r = run_recipe("X-5", {"N_params": 400e9, "throughput_model": "reference"})
    assert r.verdict == "NO" and "801" in r.reason
    # The planner splits 400B over tensor-parallel GPUs (800 GB of bf16 weights fit 8 × 192 GB) ...
    r = run_recipe("X-5", {"N_params": 400e9})
    assert r.verdict == "YES" and r.chain[-1].result[0]["tp"] > 1
    # ... but 2T parameters fit no 8-GPU replica: NO with the closest plan and what would change it.
    r = run_recipe("X-5", {"N_params": 2e12})
    assert r.verdict == "NO" and "closest" in r.reason and "quantise the weights" in r.mitigation


def test_x5_deliberate_fix_calibrated_throughput_counts_kv_and_efficiency() -> None:
    """The reference's tok/s = bandwidth / weights ignores KV reads and engine efficiency (spec §3.4)."""
    ref = run_recipe("X-5", {"N_params": 8e9, "throughput_model": "reference"})
    cal = run_recipe("X-5", {"N_params": 8e9})
    ref_rate = ref.chain[-1].result[0]["tok_per_sec"]
    cal_best = cal.chain[-1].result[0]
    assert cal_best["ceiling_tok_per_sec_per_sequence"] < ref_rate  # KV reads lower the single-stream ceiling
    low, high = cal_best["tok_per_sec_range"]
    assert low < high < cal_best["ceiling_tok_per_sec"]
    assert "$" in cal.reason and "–" in cal.reason


def test_x5_uses_exact_memory_for_models() -> None:
    from tafagent.core.spec.presets import get_preset

    r = run_recipe("X-5", {"T_eval": 8192}, model=get_preset("gemma-2-9b").spec())
    layers = r.chain[1].breakdown["layers"]
    assert {g["kind"] for g in layers} == {"sliding_attention", "full_attention"}


# ---------------------------------------------------------------------------------------------- X-21/22/23
def test_x21_prediction_only_and_under_imprinted() -> None:
    base = {"theta": 1e4, "T_train": 2048, "n_params": 1e9}
    r = run_recipe("X-21", base)
    assert step(r, "γ_Padé") == pytest.approx(0.7470064429851826, rel=1e-15)
    assert step(r, "Imprint shift") == pytest.approx(-0.2950528869812903, rel=1e-14)
    assert step(r, "γ_random predicted") == pytest.approx(0.4519535560038923, rel=1e-14)
    assert r.verdict == "PREDICTION ONLY"
    r = run_recipe("X-21", {**base, "gamma_random_obs": 0.9})
    assert r.verdict == "UNDER-IMPRINTED" and "+0.4480" in r.reason


def test_x21_clean_and_over() -> None:
    base = {"theta": 1e4, "T_train": 2048, "n_params": 1e9}
    assert run_recipe("X-21", {**base, "gamma_random_obs": 0.5}).verdict == "CLEAN"
    assert run_recipe("X-21", {**base, "gamma_random_obs": 0.1}).verdict == "OVER-IMPRINTED"


def test_x21_accepts_the_reference_unused_parameters() -> None:
    r = run_recipe(
        "X-21",
        {
            "theta": 1e4,
            "T_train": 2048,
            "n_params": 1e9,
            "n_attention_heads": 8,
            "n_kv_heads": 8,
            "d_head": 256,
            "n_layers": 16,
        },
    )
    assert "n_layers" not in r.inputs


def test_x22_golden_outlier() -> None:
    r = run_recipe("X-22", {"theta": 5e5, "T_train": 8192, "n_params": 8e9, "gamma_obs": 1.045})
    assert step(r, "K = γ·log(N²·D)") == pytest.approx(74.61702785785721, rel=1e-14)
    assert step(r, "z-score vs panel") == pytest.approx(1.3938707058248336, rel=1e-13)
    assert step(r, "γ deviation from Padé") == pytest.approx(0.0679051138222575, rel=1e-12)
    assert r.verdict == "OUTLIER" and "high-K" in r.reason


def test_x22_in_band_and_needs_measurement() -> None:
    assert run_recipe("X-22", {"n_params": 8e9, "gamma_obs": 0.8}).verdict == "IN-BAND"
    r = run_recipe("X-22", {"n_params": 8e9})
    assert r.verdict == "NEEDS MEASUREMENT" and r.tone == "info"


@pytest.mark.parametrize(
    "params,verdict",
    [
        ({"n_params": 1e9}, "PREDICTED POST-IH"),
        ({"n_params": 1e8}, "PREDICTED PRE-IH"),
        ({"n_params": 1e9, "gamma_text": 0.93, "gamma_random": 1.0}, "ANOMALY"),
        ({"n_params": 1e8, "gamma_text": 0.8, "gamma_random": 0.9}, "CONFIRMED PRE-IH"),
        ({"n_params": 1e9, "gamma_text": 1.0, "gamma_random": 0.9}, "CONFIRMED POST-IH"),
        ({"n_params": 1e8, "gamma_text": 0.9, "gamma_random": 0.9}, "ANOMALY"),
    ],
)
def test_x23_branches(params, verdict) -> None:
    r = run_recipe("X-23", params)
    assert r.verdict == verdict
    if "gamma_text" in params and verdict == "ANOMALY" and params["n_params"] == 1e9:
        assert "-0.070" in r.reason


# ---------------------------------------------------------------------------------------------- registry
def test_registry_order_and_names() -> None:
    assert [r.id for r in list_recipes()] == ["X-1", "X-2", "X-3", "X-5", "X-19", "X-21", "X-22", "X-23"]
    assert get_recipe("x2").id == "X-2" and get_recipe("X19").id == "X-19"
    with pytest.raises(TafError):
        get_recipe("X-4")


def test_reference_parameter_names_are_accepted() -> None:
    a = run_recipe("X-5", {"n_params": 8e9})
    b = run_recipe("X-5", {"N_params": 8e9})
    assert a.verdict == b.verdict and a.inputs == b.inputs
    assert run_recipe("X-2", {"N_params": 8e9}).inputs["n_params"] == 8e9


def test_string_values_from_the_command_line() -> None:
    r = run_recipe("X-2", {"theta": "500k", "T_eval": "32k", "n_params": "8B", "has_SWA": "false"})
    assert r.inputs["theta"] == 500000 and r.inputs["T_eval"] == 32000 and r.inputs["n_params"] == 8e9


@pytest.mark.parametrize(
    "recipe,params,field",
    [
        ("X-2", {"theta": -5}, "theta"),
        ("X-2", {"T_eval": 0}, "T_eval"),
        ("X-2", {"T_eval": "long"}, "T_eval"),
        ("X-2", {"n_kv_heads": 64}, "n_kv_heads"),
        ("X-1", {"mfu": 1.5}, "mfu"),
        ("X-1", {"n_gpus": 2.5}, "n_gpus"),
        ("X-3", {"USD_budget": 0}, "USD_budget"),
        ("X-5", {"concurrent_users": 0}, "concurrent_users"),
        ("X-2", {"thetaa": 1e4}, "thetaa"),
        ("X-22", {"gamma_obs": float("nan")}, "gamma_obs"),
    ],
)
def test_out_of_domain_inputs_name_the_parameter(recipe, params, field) -> None:
    with pytest.raises(ParameterError) as info:
        run_recipe(recipe, params)
    assert info.value.field == field
    assert "\n" not in info.value.one_line()


def test_models_without_rope_get_not_applicable() -> None:
    for name in ("gpt2", "bloom-560m", "mamba-2.8b"):
        spec = get_preset(name).spec()
        for rid in ("X-2", "X-19", "X-21"):
            r = run_recipe(rid, model=spec)
            assert r.verdict == "NOT APPLICABLE" and r.tone == "info"
        for rid in ("X-1", "X-3", "X-5", "X-22", "X-23"):
            assert run_recipe(rid, model=spec).verdict


def test_inputs_do_not_leak_intermediates_deliberate_fix() -> None:
    """Spec §9.2 item 7: the reference leaked flops, dh_str, n_params_M... into `inputs`."""
    for recipe in list_recipes():
        r = run_recipe(recipe.id)
        assert set(r.inputs) <= {p.name for p in recipe.params}
