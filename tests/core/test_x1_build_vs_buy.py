"""X-1: what is priced (pretraining, full fine-tuning, LoRA) and the payback horizon (default 12 months)."""

from __future__ import annotations

import pytest

from tafagent.core.errors import TafError
from tafagent.core.recipes.registry import run_recipe


def _step(result, name):
    return next(s for s in result.chain if s.name == name)


def test_pays_back_within_a_year_is_yes_where_the_reference_demanded_one_month() -> None:
    """7B fully fine-tuned on 1e10 tokens vs GPT-4o at 50 Mtok/month pays back in ~4 months:
    the reference's rule (one month's volume ≥ break-even) says NO."""
    base = {"N_params": 7e9, "training": "full_finetune", "D_tokens": 1e10, "monthly_tokens_M": 50}
    result = run_recipe("X-1", base)
    months = _step(result, "Payback").result["months"]
    assert 1 < months <= 12
    assert result.verdict == "YES (custom)"
    assert "within the 12 months you accept" in result.reason
    strict = run_recipe("X-1", base | {"payback_months": 1})
    assert strict.verdict == "NO (API)"
    assert "longer than the 1 months you accept" in strict.reason


def test_lora_is_priced_at_four_flops_per_parameter_token_and_says_so() -> None:
    full = run_recipe("X-1", {"N_params": 7e9, "training": "full_finetune", "D_tokens": 2e9})
    lora = run_recipe("X-1", {"N_params": 7e9, "training": "lora", "D_tokens": 2e9})
    assert _step(full, "Training FLOPs").result == pytest.approx(6 * 7e9 * 2e9)
    lora_flops = next(s for s in lora.chain if s.law == "training_flops_lora")
    assert lora_flops.result == pytest.approx(4 * 7e9 * 2e9)
    assert "LoRA fine-tuning" in lora.reason
    assert "full fine-tuning" in full.reason


def test_fine_tuning_without_data_size_assumes_1e8_tokens_and_labels_it_exploratory() -> None:
    result = run_recipe("X-1", {"N_params": 7e9, "training": "lora"})
    tokens = result.chain[0]
    assert tokens.result == 1e8
    assert tokens.evidence.label.value == "exploratory"
    assert "assumed" in tokens.interpretation


def test_pretraining_stays_chinchilla_and_says_it_priced_pretraining() -> None:
    result = run_recipe("X-1", {"N_params": 7e9})
    assert result.chain[0].law == "chinchilla_tokens"
    assert result.chain[0].result == pytest.approx(20 * 7e9)
    assert "pretraining from scratch" in result.reason


@pytest.mark.parametrize("lang", ["es", "fr", "zh"])
def test_the_reason_names_the_mode_in_every_language(lang: str) -> None:
    result = run_recipe("X-1", {"N_params": 7e9, "training": "lora", "monthly_tokens_M": 100})
    text = result.localized(lang)["reason"]
    assert "LoRA" in text and "{" not in text


@pytest.mark.parametrize("bad", [{"training": "distill"}, {"payback_months": 0}, {"payback_months": -3}])
def test_bad_mode_or_horizon_is_one_clear_error(bad: dict) -> None:
    with pytest.raises(TafError):
        run_recipe("X-1", {"N_params": 7e9} | bad)
