"""Residue check of the eight recipes (issue 17): `taf recipe ID --model M` rendered in ES, FR and ZH, audit chain
included, holds no phrase of three or more words of its English rendering, and shows no raw caveat code.

The results come from the same call `taf recipe` makes (``run_recipe_with_gamma``) over seven presets and the
``--set`` inputs that reach the other verdict branches (T_eval far past training, a measured γ given or not, a
γ outside Phase A, the closed form, LoRA and fine-tuning, zero volume, tiny and huge budgets, an unmet latency
bound, the v0.5.3 throughput model, measured γ_random, γ_text and K's bands). They are drawn by the renderer
`taf recipe` calls, on a wide console so that no cell wraps.

What the check leaves out, and why: texts that other parts of the package write, each only while its rendering in
the language still equals its English, so the moment its owner localises it this test covers it —
- the reference-panel column (``panel_text``, the laws' statistics, or the statistic as the panel wrote it);
- a step's formula (formulas are excepted by the issue; the prose formulas the recipes write are checked through
  ``Step.formula_text`` below, which the renderer does not call yet);
- a step result that is a label (a capability tier, a phase), checked through ``Step.result_label`` below, which
  the renderer does not call yet;
- a caveat sentence written by ``core.gamma_source`` (a γ's origin warning), not by a recipe.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from typing import Any

import pytest
from rich.console import Console
from tests.support.residue import english_residue, raw_codes

from tafagent.cli.main import main
from tafagent.cli.render import render_result
from tafagent.core.audit import RecipeResult
from tafagent.core.gamma_source import run_recipe_with_gamma
from tafagent.core.messages import catalog
from tafagent.core.render.card_text import panel_text
from tafagent.core.spec.model_spec import ModelSpec
from tafagent.core.spec.presets import find_preset

LANGS = ("es", "fr", "zh")
PRESETS = ("llama-3-8b", "gpt2", "mixtral-8x7b", "qwen2.5-7b", "gemma-2-9b", "deepseek-v2-lite", "mamba-2.8b")
RECIPES = ("X-1", "X-2", "X-3", "X-5", "X-19", "X-21", "X-22", "X-23")
# --set inputs that reach the other branches of each recipe's text (run on llama-3-8b and gpt2)
BRANCHES: dict[str, tuple[dict[str, Any], ...]] = {
    "X-1": (
        {"training": "lora"},
        {"training": "full_finetune", "monthly_tokens_M": 0},
        {"monthly_tokens_M": 100000},
        {"payback_months": 1},
    ),
    "X-2": (
        {"T_eval": 1_000_000},
        {"gamma_obs": 0.3},
        {"gamma_obs": 1.2},
        {"closed_form": True},
        {"closed_form": True, "gamma_obs": 0.4},
        {"T_eval": 2000},
    ),
    "X-3": ({"USD_budget": 50}, {"USD_budget": 5e7}, {"USD_budget": 1e6, "n_gpus": 8}),
    "X-5": (
        {"concurrent_users": 64, "T_eval": 32000},
        {"throughput_model": "reference"},
        {"max_ms_per_token": 1},
        {"target_tokens_per_day": 1e12},
    ),
    "X-19": ({"gamma_obs": 0.3}, {"gamma_obs": 1.3}, {"T_eval": 1_000_000}, {"closed_form": True}),
    "X-21": ({"gamma_random_obs": 0.1}, {"gamma_random_obs": -0.9}),
    "X-22": ({"gamma_obs": 0.5}, {"gamma_obs": 0.05}, {"gamma_obs": 0.99}),
    "X-23": ({"gamma_text": 0.6, "gamma_random": 0.4}, {"gamma_text": 0.3, "gamma_random": 0.5}),
}
# Names that are the same in every language: "Meta model card" is the title of the document X-2 cites for
# Llama-3's training length (the context-length table's citation, quoted as a source).
ALLOWED = ("meta model card",)
WIDE = 4000  # characters: no table cell wraps, so every text stays on one line


def _spec(name: str) -> ModelSpec:
    preset = find_preset(name)
    assert preset is not None, name
    return preset.spec()


def _cases() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for rid in RECIPES:
        for model in PRESETS:
            yield rid, model, {}
        for extra in BRANCHES[rid]:
            for model in ("llama-3-8b", "gpt2"):
                yield rid, model, extra


CASES = list(_cases())


def _result(rid: str, model: str, sets: dict[str, Any]) -> RecipeResult:
    return run_recipe_with_gamma(rid, sets, model=_spec(model))


def _draw(result: RecipeResult, lang: str) -> str:
    buffer = io.StringIO()
    render_result(Console(file=buffer, width=WIDE, highlight=False, soft_wrap=False, color_system=None), result, lang)
    return buffer.getvalue()


def _grams(texts: Iterable[str]) -> list[str]:
    """Every phrase of three words of ``texts`` (the residue check's own tokenising)."""
    return [gram for text in texts for gram in english_residue(text, text)]


def _left_out(result: RecipeResult, lang: str) -> list[str]:
    """The phrases of the texts this test leaves out (module docstring), while they are still in English."""
    texts: list[str] = []
    for step in result.chain:
        if panel_text(step.panel, lang) == panel_text(step.panel, "en"):
            texts.append(panel_text(step.panel, "en"))
        elif step.panel and panel_text(step.panel, lang).endswith(step.panel["statistic"]):
            texts.append(step.panel["statistic"])  # the fallback: the statistic as the panel wrote it
        texts.append(step.formula)
        if isinstance(step.result, str):
            texts.append(step.result)
    recipe_caveats = set(result.caveat_msgs) | {c for c in result.caveats if " " not in c}
    texts += [c for c in result.caveats if c not in recipe_caveats]  # core.gamma_source's warnings
    return _grams(texts)


@pytest.mark.parametrize(("rid", "model", "sets"), CASES, ids=[f"{r}-{m}-{sorted(s)}" for r, m, s in CASES])
def test_recipe_text_has_no_english_residue_and_no_code(rid: str, model: str, sets: dict[str, Any]) -> None:
    result = _result(rid, model, sets)
    english = _draw(result, "en")
    codes = [c for c in result.caveats if " " not in c]
    for lang in LANGS:
        text = _draw(result, lang)
        allowed = (*ALLOWED, *_left_out(result, lang))
        assert english_residue(english, text, allowed) == [], (lang, rid, model, sets)
        assert raw_codes(text, codes) == [], (lang, rid, model, sets)


@pytest.mark.parametrize(("rid", "model", "sets"), CASES[:: max(1, len(CASES) // 40)])
def test_the_left_out_texts_the_recipes_write_are_translated(rid: str, model: str, sets: dict[str, Any]) -> None:
    """The recipes' own prose formulas and label results, which the renderer does not ask for in a language yet."""
    result = _result(rid, model, sets)
    for lang in LANGS:
        for step in result.chain:
            if f"step.formula.{step.formula}" in catalog("en"):
                assert english_residue(step.formula, step.formula_text(lang)) == [], (lang, step.formula)
            label = step.result_label(lang)
            if label is not None and f"step.interp.{step.result}" in catalog("en"):
                assert english_residue(str(step.result), label) == [], (lang, step.result)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("rid", RECIPES)
def test_taf_recipe_lang_prints_the_translated_chain(rid: str, lang: str, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["recipe", rid, "--model", "llama-3-8b"]
    assert main(argv) == 0
    english = capsys.readouterr().out
    assert main([*argv, "--lang", lang]) == 0
    text = capsys.readouterr().out
    result = _result(rid, "llama-3-8b", {})
    # the terminal wraps table cells, so compare line by line only what wrapping cannot split: the caveats' codes
    assert raw_codes(text, [c for c in result.caveats if " " not in c]) == []
    assert text != english
    for step in result.chain:
        name = step.name_text(lang)
        assert name.split()[0] in text, (lang, name)


@pytest.mark.parametrize("lang", LANGS)
def test_taf_recipe_json_adds_the_localized_texts(lang: str, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    argv = ["recipe", "X-2", "--model", "llama-3-8b", "--json"]
    assert main(argv) == 0
    english = json.loads(capsys.readouterr().out)
    assert main([*argv, "--lang", lang]) == 0
    data = json.loads(capsys.readouterr().out)
    localized = data.pop("localized")
    assert data == english  # the English keys and values are unchanged
    assert set(localized) >= {"verdict", "reason", "mitigation", "caveats", "chain", "confidence"}
    assert [s["step"] for s in localized["chain"]] == [s["step"] for s in english["chain"]]
    assert not raw_codes(json.dumps(localized["caveats"], ensure_ascii=False), english["caveats"])


@pytest.mark.parametrize("lang", LANGS)
def test_taf_recipe_list_is_translated(lang: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["recipe", "--list"]) == 0
    english = capsys.readouterr().out
    assert main(["recipe", "--list", "--lang", lang]) == 0
    text = capsys.readouterr().out
    # table cells wrap at the terminal's width, so the check runs on the texts the table is made of
    from tafagent.cli.cmd_recipe import list_title, param_cells
    from tafagent.core.recipes import list_recipes
    from tafagent.core.recipes.base import recipe_description

    assert text != english
    for recipe in list_recipes():
        assert english_residue(list_title(recipe), list_title(recipe, lang)) == []
        assert english_residue(recipe_description(recipe), recipe_description(recipe, lang)) == []
        for param in recipe.params:
            en_cells, cells = param_cells(recipe, param), param_cells(recipe, param, lang)
            assert english_residue(" | ".join(en_cells), " | ".join(cells)) == [], (recipe.id, param.name)
