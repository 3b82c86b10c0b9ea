"""The recipes' texts in EN, ES, FR and ZH: audit-chain steps, caveats, confidence checks, parameter help.

English stays character-identical to what the recipes wrote before (the JSON snapshots check the whole output);
these tests check the other side: every text a recipe writes has its message, renders in every language, and a
caveat is always a sentence, never its code.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tafagent.core.audit import EnglishKept, JoinedMsg, RecipeResult, Step, caveat_text
from tafagent.core.gamma_source import run_recipe_with_gamma
from tafagent.core.messages import LANGUAGES, Msg, catalog
from tafagent.core.recipes import list_recipes
from tafagent.core.recipes.base import param_help, param_help_key, recipe_description
from tafagent.core.spec.presets import find_preset

CODE = re.compile(r"^[a-z][a-z0-9]*(?:_[A-Za-z0-9]+)+$")  # x2_beyond_T_train, panel_contradicts_pade
CASES: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("X-1", "llama-3-8b", {}),
    ("X-1", "gpt2", {"training": "lora"}),
    ("X-1", "llama-3-8b", {"training": "full_finetune", "monthly_tokens_M": 0}),
    ("X-2", "llama-3-8b", {"T_eval": 1_000_000}),
    ("X-2", "qwen2.5-7b", {}),
    ("X-2", "gemma-2-9b", {"closed_form": True}),
    ("X-2", "llama-3-8b", {"closed_form": True, "gamma_obs": 0.4}),
    ("X-2", "mamba-2.8b", {}),
    ("X-3", "llama-3-8b", {"USD_budget": 1e6, "n_gpus": 8}),
    ("X-5", "mixtral-8x7b", {}),
    ("X-5", "llama-3-8b", {"throughput_model": "reference"}),
    ("X-5", "llama-3-8b", {"max_ms_per_token": 1}),
    ("X-19", "llama-3-8b", {"T_eval": 1_000_000}),
    ("X-19", "deepseek-v2-lite", {}),
    ("X-21", "gpt2", {"gamma_random_obs": 0.1}),
    ("X-22", "llama-3-8b", {"gamma_obs": 0.5}),
    ("X-23", "gpt2", {"gamma_text": 0.3, "gamma_random": 0.5}),
)


def _result(rid: str, model: str, sets: dict[str, Any]) -> RecipeResult:
    preset = find_preset(model)
    assert preset is not None
    return run_recipe_with_gamma(rid, sets, model=preset.spec())


@pytest.mark.parametrize(("rid", "model", "sets"), CASES)
def test_english_texts_are_what_the_json_holds(rid: str, model: str, sets: dict[str, Any]) -> None:
    result = _result(rid, model, sets)
    for step in result.chain:
        assert step.interpretation_text("en") == step.interpretation
        assert step.name_text("en") == step.name or step.law is not None  # a law's catalog name may differ
    for check in result.confidence.checks:
        assert check.note_text("en") == check.note


@pytest.mark.parametrize(("rid", "model", "sets"), CASES)
def test_every_step_and_caveat_is_translated(rid: str, model: str, sets: dict[str, Any]) -> None:
    result = _result(rid, model, sets)
    for lang in LANGUAGES[1:]:
        for step in result.chain:
            if step.interpretation and re.search(r"[a-z]{4,}", step.interpretation):
                assert step.interpretation_text(lang) != step.interpretation, (lang, step.name, step.interpretation)
        for sentence in result.caveat_texts(lang):
            assert not CODE.match(sentence), (lang, sentence)
        assert len(result.caveat_texts(lang)) == len(result.caveats)


def test_every_caveat_code_a_recipe_writes_has_its_sentence() -> None:
    from pathlib import Path

    import tafagent.core.recipes as recipes

    source = "".join(p.read_text(encoding="utf-8") for p in Path(recipes.__file__).parent.glob("*.py"))
    codes = set(re.findall(r"\"((?:x\d+|not)_[a-z0-9_A-Z]+)\"", source))
    english = catalog("en")
    missing = sorted(c for c in codes if f"caveat.{c}" not in english and CODE.match(c))
    assert missing == []


def test_caveat_families_and_sentences() -> None:
    assert "γ_Padé" in caveat_text("panel_contradicts_pade", "fr")  # the law's name, not its panel key
    assert caveat_text("panel_contradicts_pade", "fr") != caveat_text("panel_contradicts_pade", "en")
    assert "T_train" in caveat_text("missing_T_train", "zh")
    assert caveat_text("An English sentence from elsewhere.", "es") == "An English sentence from elsewhere."
    msg = Msg("x2.caveat.beyond")
    assert caveat_text(msg.text(), "zh", msg) == msg.text("zh")


def test_a_caveat_message_keeps_its_english_sentence_in_json() -> None:
    result = _result("X-2", "llama-3-8b", {"T_eval": 1_000_000})
    beyond = Msg("x2.caveat.beyond").text()
    assert beyond in result.to_dict()["caveats"]
    assert Msg("x2.caveat.beyond").text("fr") in result.caveat_texts("fr")


def test_law_steps_take_the_laws_catalog_name_when_it_has_one() -> None:
    result = _result("X-2", "llama-3-8b", {})
    step = result.step_of_law("d_horizon")
    assert step is not None
    for lang in LANGUAGES:
        law_name = catalog(lang).get("laws.d_horizon.name")
        assert step.name_text(lang) == (law_name or catalog(lang).get(f"step.{step.name}") or step.name)


def test_a_step_name_given_as_a_message() -> None:
    step = Step(1, "§", "", "f", {}, 1.0, "tokens", name_msg=Msg("step.x1.blended_name", api="GPT-4o"))
    assert step.name == "GPT-4o blended price"
    assert step.name_text("es") == "Precio combinado de GPT-4o"
    assert step.unit_text("fr") not in ("", "tokens")


def test_joined_and_english_kept_messages() -> None:
    joined = JoinedMsg(Msg("step.x1.never"), Msg("step.x1.never_zero"))
    assert joined.text() == "never; never at zero volume"
    assert joined.text("zh") == "永不；零用量时永不回本"
    kept = EnglishKept("as the planner wrote it", Msg("step.x5.plan.met"))
    assert kept.text() == "as the planner wrote it"
    assert kept.text("fr") == Msg("step.x5.plan.met").text("fr")


def test_confidence_band_and_checks_in_every_language() -> None:
    result = _result("X-2", "llama-3-8b", {})
    texts = result.localized_dict("zh")
    assert texts["confidence"]["band"] in ("高", "中", "低")
    assert len(texts["confidence"]["checks"]) == len(result.confidence.checks)
    assert [s["step"] for s in texts["chain"]] == [s.step for s in result.chain]


def test_every_parameter_has_its_help_in_every_language() -> None:
    english = catalog("en")
    for recipe in list_recipes():
        assert recipe_description(recipe) == recipe.description
        for param in recipe.params:
            key = param_help_key(param, recipe.id)
            assert english[key] == param.help, (recipe.id, param.name)
            assert param_help(param, "en", recipe.id) == param.help
            for lang in LANGUAGES[1:]:
                assert key in catalog(lang)
                assert param_help(param, lang, recipe.id) != param.help or not re.search(
                    r"[a-z]{3,} [a-z]{3,}", param.help
                )
        for lang in LANGUAGES[1:]:
            assert recipe_description(recipe, lang) != recipe.description
