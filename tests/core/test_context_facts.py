"""Context facts: claimed / trained / extended / attention span / effective, and preset = its own config.json."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from tafagent.core.recipes.registry import run_recipe
from tafagent.core.spec.context_facts import context_facts, ruler_effective_tokens
from tafagent.core.spec.context_lengths import context_rows
from tafagent.core.spec.presets import get_preset, list_presets
from tafagent.core.spec.resolve import resolve_spec
from tafagent.core.validation.panel import outcome_set

PRESET_IDS = [p.model_id for p in list_presets()]


def _config(name: str) -> dict[str, Any]:
    return copy.deepcopy(get_preset(name).config)


# ---- every preset is in the sourced table ---------------------------------------------------------------------


@pytest.mark.parametrize("model_id", PRESET_IDS)
def test_every_preset_has_a_sourced_trained_length(model_id: str) -> None:
    facts = context_facts(get_preset(model_id).spec())
    assert facts.matched is not None and facts.trained_tokens is not None
    assert re.search(r"arXiv:\d{4}\.\d{4,5}|https://", facts.trained_source), facts.trained_source
    assert re.search(r"\(\d{4}-\d{2}-\d{2}\)$", facts.trained_source), "each source carries its date"


def test_table_rows_are_unique_and_sourced() -> None:
    rows = context_rows()
    ids = [i.lower() for row in rows for i in row.ids]
    assert len(ids) == len(set(ids))
    prints = [(tuple(sorted(r.fingerprint.items())), r.claimed_tokens) for r in rows]
    assert len(prints) == len(set(prints))
    for row in rows:
        assert row.date and row.trained_tokens > 0
        if row.effective is not None:
            assert row.effective.source and row.effective.rule and row.effective.tested_model


# ---- a preset and its pasted config.json give the same facts and the same card verdicts -------------------------


@pytest.mark.parametrize("model_id", PRESET_IDS)
def test_preset_and_its_config_agree(model_id: str) -> None:
    """Same T_train, same ContextFacts, same X-2/X-19 verdicts. The shipped panel's *measurements* (γ, NIAH series)
    are looked up by model id, so a config pasted without its id is compared on the closed form: it may be a
    fine-tune that shares the architecture (and the trained length) but not the measured attention."""
    spec = get_preset(model_id).spec()
    facts = context_facts(spec)
    with_id, without_id = resolve_spec(_config(model_id), model_id), resolve_spec(_config(model_id))
    for pasted in (with_id, without_id):
        assert pasted.T_train == spec.T_train == facts.trained_tokens
        assert context_facts(pasted) == facts
    for recipe in ("X-2", "X-19"):
        assert run_recipe(recipe, {}, model=with_id).verdict == run_recipe(recipe, {}, model=spec).verdict
        closed = {"closed_form": True}
        assert run_recipe(recipe, closed, model=without_id).verdict == run_recipe(recipe, closed, model=spec).verdict


# ---- the measured defects of issue 15 ---------------------------------------------------------------------------


def test_mistral_config_no_longer_over_claims() -> None:
    pasted = resolve_spec(_config("mistral-7b"))
    assert pasted.T_train == 8192 and pasted.sources["T_train"].kind == "preset"
    facts = context_facts(pasted)
    assert (facts.claimed_tokens, facts.trained_tokens, facts.usable_tokens) == (32768, 8192, 8192)
    assert facts.sliding_window_tokens == 4096 and facts.stacked_span_tokens == 4096 * 32
    assert "upper bound" in (facts.stacked_span_source or "")
    assert facts.over_claimed and any("over-claim" in n for n in facts.notes)
    assert "arXiv:2310.06825" in facts.trained_source


def test_qwen25_trained_length_is_the_report_not_the_config() -> None:
    facts = context_facts(resolve_spec(_config("qwen2.5-7b")))
    assert (facts.claimed_tokens, facts.trained_tokens, facts.pretrained_tokens) == (131072, 32768, 4096)
    assert "arXiv:2412.15115" in facts.trained_source


def test_a_yarn_block_added_to_a_known_config_keeps_its_trained_length() -> None:
    """Qwen's model card tells users to add a YaRN block; the fingerprint leaves RoPE scaling out on purpose."""
    config = _config("qwen2.5-7b")
    config["rope_scaling"] = {"type": "yarn", "factor": 4.0, "original_max_position_embeddings": 32768}
    spec = resolve_spec(config)
    facts = context_facts(spec)
    assert spec.T_train == 32768
    assert (facts.trained_tokens, facts.extended_tokens, facts.rope_scaling_type) == (32768, 131072, "yarn")
    assert facts.usable_tokens == 131072 and not facts.over_claimed
    assert any("relies on rope_scaling yarn" in n for n in facts.notes)


def test_llama31_extension_and_published_effective_length() -> None:
    facts = context_facts(get_preset("llama-3.1-8b").spec())
    assert (facts.trained_tokens, facts.pretrained_tokens, facts.extended_tokens) == (131072, 8192, 131072)
    assert (facts.rope_scaling_type, facts.rope_scaling_factor) == ("llama3", 8.0)
    assert "8,192 × factor 8 = 65,536" in (facts.extended_source or "")
    assert facts.effective_tokens == 32768 and facts.effective_benchmark == "RULER"
    assert "Llama-3.1-8B-Instruct" in (facts.effective_source or "")


def test_deepseek_validated_extension_caps_usable_length() -> None:
    facts = context_facts(get_preset("deepseek-v2-lite").spec())
    assert (facts.trained_tokens, facts.extended_tokens, facts.validated_tokens) == (4096, 163840, 32768)
    assert facts.usable_tokens == 32768 and facts.over_claimed


def test_configs_without_max_positions_get_the_table_length() -> None:
    for name in ("bloom-560m", "mamba-2.8b", "falcon-7b"):
        spec = resolve_spec(_config(name))
        assert spec.T_train == 2048, name
        assert context_facts(spec).claimed_tokens is None
        assert not any("states no max positions" in w for w in spec.warnings)


# ---- configs the table does not know ----------------------------------------------------------------------------


def test_an_edited_config_is_not_given_another_files_facts() -> None:
    config = _config("mistral-7b")
    config["max_position_embeddings"] = 65536
    for model_id in (None, "mistralai/Mistral-7B-v0.1"):
        spec = resolve_spec(config, model_id)
        facts = context_facts(spec)
        assert spec.T_train == 65536 and facts.matched is None
        assert "a claim" in facts.trained_source


def test_unknown_scaled_config_trains_at_its_original_length(llama_config: dict[str, Any]) -> None:
    config = dict(llama_config, max_position_embeddings=16384, vocab_size=1000)
    config["rope_scaling"] = {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 4096}
    facts = context_facts(resolve_spec(config))
    assert facts.matched is None
    assert (facts.claimed_tokens, facts.trained_tokens, facts.extended_tokens, facts.usable_tokens) == (
        16384,
        4096,
        16384,
        16384,
    )
    assert "original_max_position_embeddings" in facts.trained_source


def test_mixed_sliding_and_global_layers_have_no_stacking_bound() -> None:
    facts = context_facts(get_preset("gemma-2-9b").spec())
    assert facts.sliding_window_tokens == 4096 and facts.stacked_span_tokens is None
    assert "full-attention layers" in (facts.stacked_span_source or "")


def test_to_dict_is_json_ready() -> None:
    data = context_facts(get_preset("mistral-7b").spec()).to_dict()
    assert data["usable_tokens"] == 8192 and data["over_claimed"] is True
    assert isinstance(data["notes"], list)


# ---- effective lengths agree with the shipped panel ------------------------------------------------------------


def test_ruler_effective_length_from_the_panel() -> None:
    assert ruler_effective_tokens("01-ai/Yi-34B-200K") == 32768  # 87.5 at 32K, 83.2 at 64K (bar 85.6)
    assert ruler_effective_tokens("LargeWorldModel/LWM-Text-Chat-1M") is None  # 82.3 already at 4K
    assert ruler_effective_tokens("no/such-model") is None


def test_table_effective_lengths_match_the_panel_rows() -> None:
    niah = outcome_set("niah_logprob_ntk")
    for row in context_rows():
        e = row.effective
        if e is None:
            continue
        if "ruler_published" in e.source:
            assert ruler_effective_tokens(e.tested_model) == e.tokens, row.label
        if e.benchmark.startswith("NIAH"):
            points = sorted(
                (int(r.x_value), r.value) for r in niah if r.model == e.tested_model and r.cond_value == 1.0
            )
            passing = 0
            for tokens, accuracy in points:
                if accuracy < 0.8:
                    break
                passing = tokens
            assert passing == e.tokens, row.label
