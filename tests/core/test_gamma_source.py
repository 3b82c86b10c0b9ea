"""core.gamma_source: which γ a verdict uses (user > diagnosis > panel exact id > closed form), and what a
mismatched or null-like diagnosis does to the verdicts that use it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support.diagnosis_files import diagnosis
from tafagent.cli.main import main
from tafagent.core.card import CardOptions, profile
from tafagent.core.gamma_source import DiagnosisGammas, choose_gammas, panel_gamma_row, run_recipe_with_gamma
from tafagent.core.spec.presets import get_preset

LLAMA3 = "meta-llama/Meta-Llama-3-8B"


def _llama3():
    return get_preset("llama-3-8b").spec()


def test_panel_match_is_by_exact_id_only() -> None:
    row = panel_gamma_row(LLAMA3)
    assert row is not None and row.row_id == "P049" and row.tier == "A"
    assert panel_gamma_row("Meta-Llama-3-8B") is None  # the last segment alone names no model exactly
    assert panel_gamma_row("someone/Meta-Llama-3-8B") is None


def test_order_user_then_diagnosis_then_panel_then_closed_form() -> None:
    spec = _llama3()
    measured = DiagnosisGammas("d.json", LLAMA3, 0.62, 0.41, True)
    assert choose_gammas(spec)["text"].kind == "panel"
    assert choose_gammas(spec, diagnosis=measured)["text"].value == 0.62
    assert choose_gammas(spec, {"text": 0.9}, measured)["text"].kind == "user"
    assert choose_gammas(spec, closed_form=True) == {"text": None, "random": None}


def test_card_uses_the_panel_gamma_and_says_so() -> None:
    card = profile(_llama3(), CardOptions(T_eval=32000))
    assert card.key_numbers["gamma_obs"] == pytest.approx(1.045476)
    assert "P049" in card.summary["gamma_used"]["X-2"] and "tier A" in card.summary["line"]
    assert card.recipes["X-2"].verdict != "YES"
    closed = profile(_llama3(), CardOptions(T_eval=32000, closed_form=True))
    assert closed.summary["gamma_used"]["X-2"] == "closed form (γ_corrected)"


def test_mismatched_diagnosis_warns_and_fails_the_measured_gamma_check() -> None:
    other = DiagnosisGammas("mistral_swa.json", "mistralai/Mistral-7B-v0.1", 1.06, None, True, {"rope_theta": 10000.0})
    card = profile(_llama3(), CardOptions(T_eval=4096, diagnosis=other))
    x2 = card.recipes["X-2"]
    check = next(c for c in x2.confidence.checks if c.name == "measured γ")
    assert check.status == "miss" and "another model" in check.note and "rope_theta" in check.note
    assert any("mistral_swa.json measured another model" in c for c in x2.caveats)


def test_null_like_diagnosis_caps_every_verdict_that_uses_it_at_low() -> None:
    null = DiagnosisGammas("flat.json", LLAMA3, 0.69, 0.69, False)
    card = profile(_llama3(), CardOptions(T_eval=4096, diagnosis=null))
    users = [r for r in card.recipes.values() if any(r.inputs.get(n) is not None for n in ("gamma_obs", "gamma_text"))]
    assert {"X-2", "X-19", "X-22"} <= {r.recipe_id for r in users}
    for result in users:
        assert result.confidence.band == "low"
        assert "uniform attention" in result.confidence.to_dict()["cap_reason"]


def test_recipe_runner_labels_user_and_panel_gammas() -> None:
    spec = _llama3()
    panel = run_recipe_with_gamma("X-22", {}, model=spec)
    assert panel.inputs["gamma_obs"] == pytest.approx(1.045476) and "P049" in panel.input_sources["gamma_obs"]
    assert run_recipe_with_gamma("X-22", {}, model=spec, closed_form=True).inputs["gamma_obs"] is None
    mine = run_recipe_with_gamma("X-22", {"gamma_obs": 0.8}, model=spec)
    assert mine.inputs["gamma_obs"] == 0.8 and mine.input_sources["gamma_obs"] == "user"


def test_cli_diagnosis_of_another_model_warns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "mistral_swa.json"
    path.write_text(json.dumps(diagnosis(model="mistralai/Mistral-7B-v0.1")), encoding="utf-8")
    assert main(["profile", "llama-3-8b", "--diagnosis", str(path), "--json"]) == 0
    captured = capsys.readouterr()
    assert "measured another model" in captured.err and captured.err.count("warning:") == 1
    x2 = json.loads(captured.out)["recipes"]["X-2"]
    assert next(c for c in x2["confidence"]["checks"] if c["name"] == "measured γ")["status"] == "miss"


def test_cli_closed_form_flag(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["recipe", "X-2", "--model", "llama-3-8b", "--set", "T_eval=32000", "--closed-form", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["verdict"] == "YES"  # v0.5.3's answer, on request
    assert main(["recipe", "X-2", "--model", "llama-3-8b", "--set", "T_eval=32000", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["verdict"] == "NO"
