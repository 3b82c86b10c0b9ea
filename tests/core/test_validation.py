"""Prediction vs reality: the packaged reference panel, the law validation, evidence, neighbours, dashboard, CLI.

The statistics are recomputed here by a second, plain implementation (the standard library's ``statistics``
module plus a hand-written rank), the predictions by the formulas written out, and the panel README's
headline figures are pinned (``../shared/data/reference_panel/README.md``).
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import json
import math
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tafagent.core.laws.constants as constants
from tafagent.cli import cmd_validate
from tafagent.cli.main import common_options
from tafagent.core.errors import UsageError
from tafagent.core.evidence import Evidence, EvidenceNote
from tafagent.core.laws.registry import LAWS, panel_key
from tafagent.core.recipes import run_recipe
from tafagent.core.spec.presets import get_preset, list_presets
from tafagent.core.validation import (
    CLAIM_STATUSES,
    LAW_KEYS,
    Comparison,
    falsification_dashboard,
    law_evidence,
    law_report,
    load_curves,
    load_outcomes,
    load_panel,
    measured_models,
    nearest_measured,
    panel_constants,
    refit_check,
    validate,
)

PANEL_DATA = Path(__file__).resolve().parents[2] / "src" / "tafagent" / "core" / "data" / "panel"
SHARED_PANEL = Path(__file__).resolve().parents[3] / "shared" / "data" / "reference_panel"
SQRT2 = math.sqrt(2.0)


def pade(theta: float, T: float) -> float:
    return (2 * theta - SQRT2 * T) / (2 * theta + SQRT2 * T)


def ranks(values: list[float]) -> list[float]:
    """Average ranks, written differently from the module's: position lists per distinct value."""
    positions: dict[float, list[int]] = {}
    for pos, v in enumerate(sorted(values), start=1):
        positions.setdefault(v, []).append(pos)
    return [sum(positions[v]) / len(positions[v]) for v in values]


def all_comparisons() -> list[tuple[str, Comparison]]:
    return [(law.key, c) for law in validate().laws for c in law.comparisons]


# ---- the packaged data -------------------------------------------------------------------------------
def test_panel_counts_match_the_panel_readme() -> None:
    counts = load_panel().counts()
    assert counts["rows"] == 136
    assert counts["models"] == 42
    assert counts["models_with_tier_A_or_B"] == 39
    assert counts["tiers"] == {"A": 119, "B": 12, "C": 5}
    assert counts["canonical_rows"] == 72
    assert counts["canonical_models"] == 37
    assert (counts["canonical_text"], counts["canonical_text_sim"], counts["canonical_random"]) == (36, 1, 35)
    curves = load_curves()
    assert len(curves) == 118
    assert sum(len(c.points) for c in curves.values()) == 974
    sets = {o.set for o in load_outcomes()}
    assert {"niah_logprob_ntk", "kv_window_ppl", "kv_decay_modes", "ruler_published"} <= sets


def test_every_row_carries_its_provenance() -> None:
    for row in load_panel().rows:
        prov = row.provenance()
        assert prov["source_file"].startswith("data/"), row.row_id
        assert prov["tier"] in ("A", "B", "C")
        assert prov["experiment"] and prov["protocol"]
        if row.row_id in load_curves():
            assert row.fit_d_min is not None and row.T_eval is not None, row.row_id
            assert load_curves()[row.row_id].source_file == row.source_file
    for outcome in load_outcomes():
        assert outcome.source_file.startswith("data/") and outcome.origin


def test_package_data_is_lean() -> None:
    total = sum(p.stat().st_size for p in PANEL_DATA.glob("*.json"))
    assert total < 400_000, total


@pytest.mark.skipif(not SHARED_PANEL.is_dir(), reason="the shared reference panel is not next to this checkout")
def test_packaged_files_are_exactly_what_the_build_script_makes_from_the_shared_panel() -> None:
    script = Path(__file__).resolve().parents[2] / "scripts" / "build_panel.py"
    spec = importlib.util.spec_from_file_location("build_panel", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    built = module.build(SHARED_PANEL)
    for name, text in built.items():
        assert (PANEL_DATA / name).read_text(encoding="utf-8") == text, name


@pytest.mark.skipif(not SHARED_PANEL.is_dir(), reason="the shared reference panel is not next to this checkout")
def test_packaged_gamma_values_equal_the_shared_panel() -> None:
    shared = json.loads((SHARED_PANEL / "gamma_panel.json").read_text(encoding="utf-8"))["rows"]
    ours = {r.row_id: r for r in load_panel().rows}
    assert len(shared) == len(ours)
    for row in shared:
        mine = ours[row["row_id"]]
        assert (mine.gamma, mine.tier, mine.T_eval, mine.fit_d_min, mine.source_file) == (
            row["gamma"],
            row["tier"],
            row["T_eval"],
            row["fit_d_min"],
            row["source_file"],
        )


# ---- refits -------------------------------------------------------------------------------------------
def test_refits_reproduce_the_stored_gamma() -> None:
    refit = refit_check()
    assert refit.n_rows == 118
    assert refit.by_tier["A"]["n"] == 106
    assert refit.max_abs_diff_tier_A < 1e-6
    assert refit.by_tier["A"]["rows_over_1e-6"] == []
    assert refit.window_mismatches == ()
    # Tier B rows that differ are exactly those whose γ is not the file's own fit of the stored points.
    off = set(refit.by_tier["B"]["rows_over_1e-6"])
    assert off == {"P058", "P059", "P063", "P064", "P065", "P066"}
    origins = {row["row_id"]: row["gamma_origin"] for row in refit.rows}
    assert all(not origins[r].startswith("file_fit") for r in off)


def test_refit_agrees_with_an_independent_regression() -> None:
    panel = {r.row_id: r for r in load_panel().rows}
    refits = {row["row_id"]: row for row in refit_check().rows}
    for row_id, curve in load_curves().items():
        used = [p for p in curve.points if p.used_in_fit]
        slope, intercept = statistics.linear_regression(
            [math.log(p.d) for p in used], [math.log(p.attn_mean) for p in used]
        )
        assert refits[row_id]["gamma_refit"] == pytest.approx(-slope, abs=1e-12)
        assert refits[row_id]["amplitude_A0"] == pytest.approx(math.exp(intercept), rel=1e-9)
        if panel[row_id].tier == "A":
            assert abs(-slope - panel[row_id].gamma) < 1e-6, row_id


# ---- statistics, recomputed independently -----------------------------------------------------------------
def test_every_comparison_counts_its_cases() -> None:
    for key, c in all_comparisons():
        assert c.n == len(c.cases), (key, c.key)
        assert c.hits == sum(1 for case in c.cases if case.hit), (key, c.key)
        assert 0 <= c.hits <= c.n


def test_statistics_match_an_independent_implementation() -> None:
    checked = 0
    for key, c in all_comparisons():
        if c.mae is None or c.n < 3:
            continue
        pred = [float(case.predicted) for case in c.cases]
        obs = [float(case.observed) for case in c.cases]
        res = [o - p for p, o in zip(pred, obs, strict=True)]
        assert c.mae == pytest.approx(statistics.fmean(abs(r) for r in res), abs=1e-12), (key, c.key)
        assert c.bias == pytest.approx(statistics.fmean(res), abs=1e-12)
        assert c.rmse == pytest.approx(math.sqrt(statistics.fmean(r * r for r in res)), abs=1e-12)
        assert c.mse_of_panel_mean == pytest.approx(statistics.pvariance(obs), abs=1e-12)
        if len(set(pred)) > 1:
            assert c.pearson_r == pytest.approx(statistics.correlation(pred, obs), abs=1e-9), (key, c.key)
            assert c.spearman_rho == pytest.approx(statistics.correlation(ranks(pred), ranks(obs)), abs=1e-9)
        else:
            assert c.pearson_r is None
        for case in c.cases:
            assert case.residual == pytest.approx(float(case.observed) - float(case.predicted), abs=1e-12)
        checked += 1
    assert checked >= 15


def test_predictions_are_the_laws_written_out() -> None:
    rows = {r.row_id: r for r in load_panel().rows}
    for case in law_report("pade").primary.cases:
        r = rows[case.ref]
        assert case.predicted == pytest.approx(pade(r.rope_theta, r.T_eval), abs=1e-12)
        assert case.observed == r.gamma
    for case in law_report("decomposition_v1").primary.cases:
        r = rows[case.ref]
        expected = pade(r.rope_theta, r.T_eval) + (0.11 if r.n_kv_heads < r.n_heads else 0.0)
        expected += -0.15 if r.n_params_M * 1e6 >= 4e8 else 0.0
        assert case.predicted == pytest.approx(expected, abs=1e-12), r.model
    for case in law_report("imprint").primary.cases:
        r = rows[case.ref]
        expected = pade(r.rope_theta, r.T_eval) - math.log10(r.n_params_M / 14.0) / (2 * math.pi)
        assert case.predicted == pytest.approx(expected, abs=1e-12)
    for case in law_report("arch_concentration").primary.cases:
        r = rows[case.ref]
        assert case.predicted == pytest.approx(pade(r.rope_theta, r.T_eval) - 0.012 * r.n_kv_heads, abs=1e-12)


# ---- the panel README's findings ---------------------------------------------------------------------------
def test_pade_headline_reproduces_the_panel_readme() -> None:
    law = law_report("pade")
    text, random = law.comparison("text_T_eval"), law.comparison("random_T_eval")
    assert (text.n, round(text.mae, 2), round(text.pearson_r, 2), text.hits) == (31, 0.19, 0.07, 12)
    assert (random.n, round(random.mae, 2), round(random.pearson_r, 2), random.hits) == (30, 0.18, -0.14, 13)
    # Padé's MSE is worse than predicting the panel mean (0.063 / 0.064 vs 0.050 / 0.046).
    assert (round(text.mse, 3), round(text.mse_of_panel_mean, 3)) == (0.063, 0.050)
    assert (round(random.mse, 3), round(random.mse_of_panel_mean, 3)) == (0.064, 0.046)
    assert law.support == "contradicts"
    assert law.fitted["variance_explained_text"] < 0.01


def test_same_pade_value_hides_a_wide_spread_in_the_pythias() -> None:
    rows = [r for r in load_panel().rows if r.family == "pythia" and r.canonical and r.T_eval == 2000]
    text = [r.gamma for r in rows if r.is_text]
    random = [r.gamma for r in rows if r.corpus == "random"]
    assert {round(pade(r.rope_theta, r.T_eval), 3) for r in rows} == {0.752}
    assert (len(text), round(min(text), 2), round(max(text), 2)) == (7, 0.51, 1.24)
    assert (len(random), round(min(random), 2), round(max(random), 2)) == (8, 0.55, 1.54)


def test_large_theta_models_measure_far_below_pade() -> None:
    measured = {r.model_label: r.gamma for r in load_panel().canonical("text")}
    expected = {
        "Mistral-Nemo-Instruct-2407": 0.38,
        "CodeLlama-13b-Instruct-hf": 0.51,
        "Llama-3.2-3B": 0.59,
        "Qwen2.5-3B": 0.77,
        "Yi-6B": 0.84,
        "Qwen2.5-7B": 1.00,
        "Meta-Llama-3-8B": 1.05,
    }
    for label, gamma in expected.items():
        assert round(measured[label], 2) == gamma, label
    predicted = {c.model: c.predicted for c in law_report("pade").primary.cases}
    assert all(0.99 <= predicted[label] <= 1.0 for label in expected)


def test_theta_steering_contradicts_pades_theta_dependence() -> None:
    steering = law_report("pade").comparison("theta_steering")
    observed = [c.observed for c in steering.cases]
    predicted = [c.predicted for c in steering.cases]
    assert steering.n == 9
    assert (round(min(observed), 2), round(max(observed), 2)) == (0.48, 0.77)
    assert (round(min(predicted), 2), round(max(predicted), 2)) == (0.17, 0.97)


def test_niah_ceiling_with_the_measured_gamma() -> None:
    law = law_report("niah_ceiling")
    measured = law.comparison("measured_gamma")
    assert measured.n == 15
    misses = {(c.model, c.detail.split(",")[0]) for c in measured.failures(None)}
    assert misses == {
        ("pythia-1b", "L = 1024"),
        ("pythia-1b", "L = 2048"),
        ("pythia-1.4b", "L = 3072"),
        ("pythia-1.4b", "L = 4096"),
    }
    ceilings = {c.model: c.detail.split("L_NIAH^c = ")[1].split(", accuracy")[0] for c in measured.cases}
    assert ceilings == {"pythia-70m": "4,078", "pythia-1b": "1,011", "pythia-1.4b": "4,894"}
    closed = law.comparison("closed_form")
    assert closed.n == 60
    assert closed.confusion["predicted_no_observed_no"] == 0  # the closed form never predicts a collapse
    assert closed.confusion["predicted_yes_observed_no"] == 5
    assert closed.balanced_accuracy == 0.5
    assert law.support == "contradicts"


def test_kv_window_at_the_experiments_d_f_costs_pythia_1b_perplexity() -> None:
    own = law_report("df_window").comparison("experiment_D_f")
    pythia_1b = [c for c in own.cases if c.model.startswith("pythia-1b ")]
    assert len(pythia_1b) == 2
    # "Pythia-1b (γ = 0.931 → D_f = 445) pays +1.0 to +1.4 ppl at W = 445" (panel README)
    assert sorted(round(c.observed, 1) for c in pythia_1b) == [1.0, 1.4]
    assert all(c.predicted == 445 and not c.hit for c in pythia_1b)


def test_corpus_moves_gamma_within_a_model() -> None:
    panel = load_panel()
    random = {r.model: r.gamma for r in panel.canonical("random")}
    deltas = {t.model_label: random[t.model] - t.gamma for t in panel.canonical("text") if t.model in random}
    assert len(deltas) == 35
    # "Changing the corpus moves γ within a model by up to 0.54 (Llama-2-7b 0.29 → 0.83, Pythia-70m 0.75 → 1.17)"
    assert round(max(abs(d) for d in deltas.values()), 2) == 0.54
    assert (round(deltas["Llama-2-7b-hf"], 2), round(deltas["pythia-70m"], 2)) == (0.54, 0.42)


def test_every_law_is_reported_with_n_and_a_known_support_level() -> None:
    report = validate()
    assert tuple(law.key for law in report.laws) == LAW_KEYS
    for law in report.laws:
        assert law.support in ("backs", "contradicts", "mixed", "insufficient", "untestable")
        assert "n = " in law.primary.summary() or law.primary.n == 0
        assert law.headline


def test_a_law_report_refuses_an_unknown_support_level() -> None:
    with pytest.raises(ValueError, match="unknown support level 'strong'"):
        dataclasses.replace(law_report("pade"), support="strong")


def test_hit_rules_of_the_residual_cases() -> None:
    for key in ("pade", "decomposition_v1", "decomposition_v2", "arch_concentration"):
        for c in law_report(key).primary.cases:
            assert c.residual == c.observed_value - c.predicted_value
            assert c.hit == (abs(c.residual) <= 0.1), (key, c.model)
    for c in law_report("imprint").primary.cases:  # the imprint law's CI is strict: |residual| < 0.18
        assert c.hit == (abs(c.residual) < constants.IMPRINT_CI_HALF_WIDTH), c.model


def test_ruler_cases_use_the_ruler_threshold() -> None:
    ruler = law_report("niah_ceiling").comparison("ruler_closed_form")
    assert ruler.n > 0
    for c in ruler.cases:
        score = float(c.detail.split("RULER avg ")[1].split(";")[0])
        assert c.observed == ("retrieves" if score >= 85.6 else "fails"), c.model
        assert "accuracy" not in c.detail and "architecture of preset" in c.detail


# ---- constants and dashboard --------------------------------------------------------------------------------
def test_panel_constants_are_recomputed_beside_the_reference_values() -> None:
    by_name = {c.name: c for c in panel_constants()}
    assert by_name["K panel mean"].reference_value == constants.K_PANEL_MEAN
    assert by_name["K panel std"].reference_value == constants.K_PANEL_STD
    assert by_name["IH panel mean Δγ, pre-IH"].reference_value == constants.IH_PANEL_PRE_MEAN
    assert by_name["IH panel mean Δγ, post-IH"].reference_value == constants.IH_PANEL_POST_MEAN
    assert by_name["IH panel std"].reference_value == constants.IH_PANEL_STD
    assert by_name["δ_GQA"].reference_value == constants.DELTA_GQA
    assert by_name["k_arch"].reference_value == constants.K_ARCH
    for c in by_name.values():
        assert c.n > 0 and c.data_value is not None and math.isfinite(c.data_value), c.name
    # K over the 37 canonical text γ, recomputed by hand.
    ks = [
        r.gamma * (3 * math.log(r.n_params_M * 1e6) + math.log(20.0))
        for r in load_panel().canonical("text")
        if r.n_params_M
    ]
    assert by_name["K panel mean"].n == len(ks) == 37
    assert by_name["K panel mean"].data_value == pytest.approx(statistics.fmean(ks), abs=1e-9)
    assert by_name["K panel std"].data_value == pytest.approx(statistics.stdev(ks), abs=1e-9)
    assert by_name["k_arch"].differs is True  # 0.0039 ± 0.0021 from the data vs 0.012


def test_dashboard_has_23_claims_with_valid_statuses() -> None:
    dash = falsification_dashboard()
    assert [c.id for c in dash.claims] == [f"F{i}" for i in range(1, 24)]
    assert all(c.status in CLAIM_STATUSES and c.evidence for c in dash.claims)
    assert sum(dash.counts.values()) == 23
    status = {c.id: c.status for c in dash.claims}
    assert status["F19"] == "refuted"  # γ_Padé explains ~0.5 % of the variance, not "partial"
    assert status["F1"] == "refuted"
    assert status["F3"] == "untestable-with-this-data"
    for c in dash.claims:
        if c.status != "untestable-with-this-data":
            assert c.n is not None and c.n > 0, c.id


def test_dashboard_medians_are_true_medians() -> None:
    # F1 has n = 24: the median is the mean of the two middle values (18.98 %), not the upper one (19.21 %).
    text = law_report("pade").primary
    rel = [abs(c.observed_value - c.predicted_value) / c.observed_value for c in text.cases if 0 < c.observed_value < 1]
    assert len(rel) == 24
    claims = {c.id: c for c in falsification_dashboard().claims}
    assert f"median {100 * statistics.median(rel):.0f} %" in claims["F1"].evidence
    rows = {r.row_id: r for r in load_panel().rows}
    ratios = [
        row["amplitude_A0"] * math.gamma(1.0 - row["gamma_stored"])
        for row in refit_check().rows
        if rows[row["row_id"]].canonical and 0.0 < row["gamma_stored"] < 1.0
    ]
    assert f"median {statistics.median(ratios):.2f} " in claims["F18"].evidence


# ---- evidence for the card and the recipe chains ---------------------------------------------------------------
def test_law_evidence_for_pade_states_the_panel_statistic() -> None:
    ev = law_evidence("pade")
    assert ev.label is Evidence.DERIVED
    assert ev.support == "contradicts" and ev.n == 31
    assert "31 models" in ev.statistic and "r = 0.07" in ev.statistic and "MAE 0.19" in ev.statistic
    note = ev.note()
    assert isinstance(note, EvidenceNote) and note.n == 31 and "contradicts" in (note.statistic or "")
    assert law_evidence("pade") is ev  # computed once per process


def test_law_evidence_accepts_a_comparison_and_rejects_unknown_keys() -> None:
    ev = law_evidence("niah_ceiling:measured_gamma")
    assert ev.n == 15 and "11/15" in ev.statistic
    with pytest.raises(UsageError) as info:
        law_evidence("padé")
    assert "pade" in info.value.one_line()
    with pytest.raises(UsageError):
        law_evidence("niah_ceiling:nope")


def test_every_registered_panel_key_names_a_validated_law() -> None:
    keyed = [law for law in LAWS.values() if law.panel_key is not None]
    assert keyed
    for law in keyed:
        base, _, sub = str(law.panel_key).partition(":")
        report = law_report(base)
        if sub:
            report.comparison(sub)  # KeyError when the registry names a comparison the law does not have
        assert law_evidence(str(law.panel_key)).n is not None


def test_every_recipe_step_with_a_panel_key_carries_its_panel_evidence() -> None:
    spec = get_preset("llama-3-8b").spec()
    results = [
        run_recipe("X-2", {"T_eval": 32000}, model=spec),
        run_recipe("X-2", {"T_eval": 32000, "gamma_obs": 0.9}, model=spec),
        run_recipe("X-19", {"T_eval": 8192}, model=spec),
        run_recipe("X-21", {"gamma_random_obs": 0.8}, model=spec),
        run_recipe("X-22", {"gamma_obs": 1.045}, model=spec),
        run_recipe("X-22", {}, model=spec),
        run_recipe("X-23", {"gamma_text": 1.0, "gamma_random": 0.8}, model=spec),
        run_recipe("X-2", {"T_eval": 8192}, model=get_preset("mistral-7b").spec()),
        run_recipe("X-19", {"T_eval": 2048}, model=get_preset("pythia-70m").spec()),
    ]
    keyed = [(step, key) for result in results for step in result.chain if (key := panel_key(step.law)) is not None]
    assert len({key for _, key in keyed}) >= 5
    for step, key in keyed:
        assert step.panel is not None, step.name
        assert step.panel == law_evidence(key).to_dict()


# ---- nearest measured neighbours -------------------------------------------------------------------------------
@pytest.mark.parametrize("preset", ["pythia-70m", "gpt2", "llama-3-8b", "qwen2.5-7b", "falcon-7b", "mistral-7b"])
def test_a_preset_in_the_panel_finds_itself(preset: str) -> None:
    spec = get_preset(preset).spec()
    result = nearest_measured(spec, k=3)
    assert result.in_panel and result.match is not None
    assert result.match.model.rsplit("/", 1)[-1].lower() == spec.model_id.rsplit("/", 1)[-1].lower()
    assert result.neighbours[0].model is result.match and result.neighbours[0].distance == 0.0
    assert result.match.gamma_text is not None and result.match.gamma_text.source_file.startswith("data/")


def test_llama_3_1_8b_finds_llama_3_8b_first() -> None:
    result = nearest_measured(get_preset("llama-3.1-8b").spec(), k=3)
    assert not result.in_panel and result.match is None
    assert result.neighbours[0].model.model == "meta-llama/Meta-Llama-3-8B"
    assert "same family 'llama-3'" in result.neighbours[0].explanation
    assert json.loads(json.dumps(result.to_dict(), allow_nan=False))["neighbours"][0]["distance"] > 0


def test_an_unmeasured_pythia_finds_a_pythia_first() -> None:
    result = nearest_measured(get_preset("pythia-12b").spec(), k=3)
    assert not result.in_panel
    assert result.neighbours[0].model.label == "pythia-2.8b"  # same family, θ, T_train; the largest measured
    assert result.neighbours[0].components["size"] == pytest.approx(math.log10(11846.07232 / 2800), abs=1e-6)


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(list_presets()), st.integers(min_value=1, max_value=6))
def test_neighbours_are_ranked_and_explained(preset: Any, k: int) -> None:
    result = nearest_measured(preset.spec(), k=k)
    distances = [n.distance for n in result.neighbours]
    assert 1 <= len(distances) <= k
    assert distances == sorted(distances) and all(d >= 0 for d in distances)
    for n in result.neighbours:
        if n.components:
            assert math.fsum(n.components.values()) == pytest.approx(n.distance)
        assert n.explanation
    candidates = {m.model for m in measured_models() if m.gamma_text or m.gamma_random}
    assert all(n.model.model in candidates or n.distance == 0.0 for n in result.neighbours)


# ---- JSON, determinism, layering ----------------------------------------------------------------------------------
def _strict_loads(text: str) -> Any:
    def reject(token: str) -> None:
        raise ValueError(f"non-standard JSON constant {token}")

    return json.loads(text, parse_constant=reject)


def test_report_json_is_strict() -> None:
    payload = validate().to_dict()
    text = json.dumps(payload, allow_nan=False)
    data = _strict_loads(text)
    assert data["panel_counts"]["rows"] == 136
    assert len(data["falsification_dashboard"]["claims"]) == 23
    assert data["refit"]["by_tier"]["A"]["max_abs_diff"] < 1e-6


def test_validation_is_deterministic_across_processes() -> None:
    code = "import json; from tafagent.core.validation import validate; print(json.dumps(validate().to_dict()))"
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    second = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert first == second


def test_validation_leaves_heavy_libraries_unloaded() -> None:
    code = (
        "import sys\n"
        "from tafagent.core.validation import validate, law_evidence\n"
        "validate(); law_evidence('pade')\n"
        "heavy = ('rich', 'numpy', 'torch', 'transformers', 'huggingface_hub')\n"
        "print(','.join(m for m in heavy if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


# ---- CLI (tested through register/run with our own parser) -------------------------------------------------
def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="taf")
    common = common_options()
    subparsers = parser.add_subparsers(dest="command")
    cmd_validate.register(subparsers, common)
    return parser


def _run(argv: list[str]) -> int:
    args = _parser().parse_args(["validate", *argv])
    return int(args.run(args))


def test_cli_json_is_the_full_report(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["--json"]) == 0
    data = _strict_loads(capsys.readouterr().out)
    assert [law["key"] for law in data["laws"]] == list(LAW_KEYS)
    pade_law = data["laws"][0]
    assert pade_law["comparisons"][0]["n"] == 31
    assert round(pade_law["comparisons"][0]["pearson_r"], 2) == 0.07


def test_cli_json_for_one_law(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["--law", "ih_phase", "--json"]) == 0
    data = _strict_loads(capsys.readouterr().out)
    assert data["key"] == "ih_phase" and data["comparisons"][0]["n"] == 35


def test_cli_tables(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run([]) == 0
    out = capsys.readouterr().out
    assert "How good are the predictions?" in out
    assert "Falsification dashboard" in out and "F23" in out
    assert "Power-law refits" in out and "Panel constants" in out


def test_cli_single_law_lists_every_failure(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["--law", "pade"]) == 0
    out = capsys.readouterr().out
    assert "failing cases" in out and "Mistral-Nemo-Instruct-2407" in out


def test_cli_unknown_law_is_a_usage_error() -> None:
    with pytest.raises(UsageError) as info:
        _run(["--law", "gamma"])
    assert info.value.exit_code == 2


def test_cli_empty_law_is_an_unknown_law_not_the_whole_report(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(UsageError, match="unknown law ''"):
        _run(["--law", "", "--json"])
    assert capsys.readouterr().out == ""


def test_cli_help_lists_every_law_key(capsys: pytest.CaptureFixture[str]) -> None:
    assert cmd_validate.HELP_LAW_KEYS == LAW_KEYS
    with pytest.raises(SystemExit):
        _parser().parse_args(["validate", "--help"])
    assert "keys: " + ", ".join(LAW_KEYS) in " ".join(capsys.readouterr().out.split())


def test_registering_the_command_does_not_load_the_validation() -> None:
    code = (
        "import sys, argparse\n"
        "from tafagent.cli import cmd_validate\n"
        "cmd_validate.register(argparse.ArgumentParser().add_subparsers(), argparse.ArgumentParser(add_help=False))\n"
        "print('tafagent.core.validation' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
