"""X-2's evidence ladder (core.recipes.context_evidence): the known cases, which rung decides, and its law."""

from __future__ import annotations

import pytest

from tafagent.core.gamma_source import run_recipe_with_gamma
from tafagent.core.recipes import run_recipe
from tafagent.core.recipes.context_evidence import LadderInputs, decide, length_series
from tafagent.core.spec.presets import get_preset
from tafagent.core.validation import law_report


def _x2(preset: str, T_eval: int, **params: object):
    return run_recipe("X-2", {"T_eval": T_eval, **params}, model=get_preset(preset).spec())


def _ladder_step(result):
    return result.step_named("Evidence ladder")


def test_llama3_8b_at_32k_is_not_yes_and_says_beyond_the_training_context() -> None:
    r = _x2("llama-3-8b", 32000)
    assert r.verdict != "YES"
    assert r.reason.startswith("Beyond the training context.")
    assert "beyond the training context" in r.caveats[0]
    assert "x2_beyond_T_train" not in r.caveats  # a sentence, not a code
    assert _ladder_step(r).interpretation.startswith("decided by the training context length")


def test_llama3_8b_at_64k_is_no() -> None:
    assert _x2("llama-3-8b", 65536).verdict == "NO"


def test_llama31_8b_at_32k_is_yes_from_the_ruler_measurement() -> None:
    r = _x2("llama-3.1-8b", 32000)
    assert r.verdict == "YES"
    assert "RULER" in r.reason and "Llama-3.1-8B-Instruct" in r.reason
    assert r.confidence.checks[0].name == "evidence" and r.confidence.checks[0].status == "ok"


def test_llama31_8b_at_64k_fails_its_ruler_threshold() -> None:
    assert _x2("llama-3.1-8b", 65536).verdict in ("DEGRADED", "NO")


def test_mistral_7b_at_16k_is_not_yes() -> None:
    r = _x2("mistral-7b", 16384)
    assert r.verdict != "YES" and "Beyond the training context" in r.reason


def test_within_training_length_a_short_measured_horizon_lowers_confidence_not_the_verdict() -> None:
    """Llama-3-8B's panel γ = 1.045 has no horizon; at 4,096 tokens (inside 8K) the verdict stays YES."""
    r = _x2("llama-3-8b", 4096)
    assert r.verdict == "YES"
    assert any(c.name == "agreement" and c.status == "warn" for c in r.confidence.checks)
    assert any("measured γ points lower" in c for c in r.caveats)


def test_the_panel_gamma_is_used_and_labelled() -> None:
    r = _x2("llama-3-8b", 4096)
    assert r.step_of_law("d_horizon_measured") is not None  # the measured path ran with the panel's γ
    check = next(c for c in r.confidence.checks if c.name == "measured γ")
    assert check.status == "ok" and "P049" in check.note and "tier A" in check.note


def test_closed_form_keeps_the_v053_decision() -> None:
    r = _x2("llama-3-8b", 32000, closed_form=True)
    assert r.verdict == "YES" and "33% margin" in r.reason  # v0.5.3's answer, for comparison only
    assert "x2_beyond_T_train" in r.caveats


def test_closed_form_alone_never_says_yes() -> None:
    r = run_recipe("X-2", {"theta": 500000, "T_eval": 32000})  # no model, no T_train, no γ
    assert r.verdict == "DEGRADED"
    assert _ladder_step(r).interpretation.startswith("decided by the closed-form horizon")


def test_runner_labels_the_panel_gamma_for_x19() -> None:
    r = run_recipe_with_gamma("X-19", {"T_eval": 32000}, model=get_preset("llama-3-8b").spec())
    assert r.inputs["gamma_obs"] == pytest.approx(1.045476)
    assert "P049" in r.input_sources["gamma_obs"]
    assert any("beyond the training context" in c for c in r.caveats)


def test_leave_one_out_uses_the_neighbouring_lengths() -> None:
    series = length_series("meta-llama/Llama-3.1-8B")
    point = next(p for p in series[0].points if p.length_tokens == 32768)
    decision = decide(LadderInputs(32768, 131072, "T_train", series, exclude_ref=point.ref))
    assert decision.rung_key == "context_facts"  # 16K passes and 64K fails: the measurements do not decide
    assert decision.verdict == "YES" and decision.concerns


def test_law_x2_verdict_beats_the_training_length_rule() -> None:
    report = law_report("x2_verdict")
    ladder, baseline = report.comparison("ladder"), report.comparison("T_train_rule")
    assert ladder.hit_rate is not None and baseline.hit_rate is not None
    assert ladder.hit_rate >= 0.90 and ladder.hit_rate > baseline.hit_rate
    assert ladder.confusion is not None and sum(ladder.confusion.values()) == ladder.n
    assert any("leave-one-out" in note for note in ladder.notes)
