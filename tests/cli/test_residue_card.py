"""Residue check of the TAF Card and its neighbours (issue 17): `taf profile` (terminal and Markdown), `taf compare`
and `taf spec` rendered in ES, FR and ZH hold no phrase of three or more words of their English rendering, and
no raw caveat code.

What the check leaves out, and why: texts another part of the package writes and still returns in English when
asked for another language — a step's name, interpretation and unit (``Step.*_text``), a recipe's caveats
(``RecipeResult.caveat_texts``), the reference panel's statistic (``core.validation.comparison.panel_text``
when it exists, else the statistic the panel wrote), a spec field's resolver note and the context-length table's
citations. Each is asked for in the language and blanked only while its translation equals its English, so the
moment its owner localises it this test covers it. The terminal tables are drawn on a wide console so that no
cell wraps: the renderer is the one `taf profile` and `taf compare` call.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable

import pytest
from rich.console import Console
from tests.support.residue import english_residue, raw_codes

from tafagent.cli.cmd_spec import render_spec
from tafagent.cli.main import main
from tafagent.cli.render import render_card, render_comparison
from tafagent.core.audit import RecipeResult
from tafagent.core.card import Card, CardOptions, profile
from tafagent.core.compare import Comparison, compare
from tafagent.core.render.card_text import panel_text
from tafagent.core.render.report import card_markdown, comparison_markdown
from tafagent.core.spec.context_facts import context_facts, context_text
from tafagent.core.spec.model_spec import ModelSpec
from tafagent.core.spec.presets import find_preset

LANGS = ("es", "fr", "zh")
PRESETS = ("llama-3-8b", "gpt2", "mixtral-8x7b", "qwen2.5-7b", "gemma-2-9b", "deepseek-v2-lite", "mamba-2.8b")
CODE = re.compile(r"[a-z][a-z0-9]*(?:_[A-Za-z0-9]+)+")  # x2_beyond_T_train, panel_contradicts_pade
# Names that are the same in every language: "Meta model card" is the title of the document X-2's reason cites for
# Llama-3's training length (the context-length table's citation, quoted as a source).
ALLOWED = ("meta model card",)
WIDE = 4000  # characters: no table cell wraps, so every text stays on one line


def _spec(name: str) -> ModelSpec:
    preset = find_preset(name)
    assert preset is not None, name
    return preset.spec()


def _draw(render: object, *args: object) -> str:
    buffer = io.StringIO()
    out = Console(file=buffer, width=WIDE, highlight=False, soft_wrap=False, color_system=None)
    render(out, *args)  # type: ignore[operator]
    return buffer.getvalue()


def _result_parts(result: RecipeResult, lang: str) -> Iterable[tuple[str, str]]:
    """(text in lang, text in English) of what the recipes and the laws write for one result."""
    for step in result.chain:
        yield step.name_text(lang), step.name_text("en")
        yield step.interpretation_text(lang), step.interpretation_text("en")
        yield step.unit_text(lang), step.unit_text("en")
        yield panel_text(step.panel, lang), panel_text(step.panel, "en")
        if step.panel and panel_text(step.panel, lang).endswith(step.panel["statistic"]):
            yield step.panel["statistic"], step.panel["statistic"]  # the fallback: the statistic as the panel wrote it
    yield from zip(result.caveat_texts(lang), result.caveat_texts("en"), strict=True)
    localized, english = result.localized(lang), result.localized("en")
    for key in localized:
        yield localized[key], english[key]


def _card_parts(card: Card, lang: str) -> Iterable[tuple[str, str]]:
    for result in card.recipes.values():
        yield from _result_parts(result, lang)
    for panel in card.key_evidence.values():
        yield panel_text(panel, lang), panel_text(panel, "en")
        if panel_text(panel, lang).endswith(panel["statistic"]):
            yield panel["statistic"], panel["statistic"]


def _spec_parts(spec: ModelSpec, lang: str) -> Iterable[tuple[str, str]]:
    for source in spec.sources.values():
        yield source.note, source.note  # the resolvers' notes: English sentences, no localisation yet
    facts = context_facts(spec)
    texts = [facts.trained_source, facts.claimed_source, facts.extended_source, facts.validated_source]
    texts += [facts.stacked_span_source, facts.effective_source, *facts.notes]
    for text in texts:
        if text:
            yield context_text(text, lang), text
    yield from ((warning, warning) for warning in spec.warnings)


def _blank_unlocalised(text: str, parts: Iterable[tuple[str, str]]) -> str:
    """``text`` with every part whose translation still equals its English blanked (longest first)."""
    same = sorted({xx for xx, en in parts if xx and xx == en}, key=len, reverse=True)
    for part in same:
        text = text.replace(part, " | ")
    return text


def _check(english: str, translated: str, parts: list[tuple[str, str]], codes: Iterable[str]) -> None:
    assert translated != english
    english, translated = _blank_unlocalised(english, parts), _blank_unlocalised(translated, parts)
    assert english_residue(english, translated, ALLOWED) == []
    assert raw_codes(translated, codes) == []


def _codes(results: Iterable[RecipeResult]) -> set[str]:
    """The caveat codes of ``results`` (annotate_result also files warning sentences as caveats: not codes)."""
    return {code for r in results for code in r.caveats if CODE.fullmatch(code)}


def _card_options() -> list[tuple[str, CardOptions]]:
    return [(name, CardOptions()) for name in PRESETS] + [("llama-3-8b", CardOptions(gamma_obs=0.8))]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("name", "options"), _card_options(), ids=lambda v: v if isinstance(v, str) else "")
def test_card_terminal_and_markdown_have_no_english_residue(name: str, options: CardOptions, lang: str) -> None:
    card = profile(_spec(name), options)
    parts = list(_card_parts(card, lang))
    codes = _codes(card.recipes.values())
    _check(_draw(render_card, card, "en"), _draw(render_card, card, lang), parts, codes)
    _check(card_markdown(card, "en"), card_markdown(card, lang), parts, codes)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("recipe", ["X-2", "X-1", "X-5", "X-19", "X-22"])
def test_compare_has_no_english_residue(recipe: str, lang: str) -> None:
    comparison: Comparison = compare([_spec("llama-3-8b"), _spec("gpt2"), _spec("mixtral-8x7b")], recipe, {})
    parts = [p for _, r in comparison.rows for p in _result_parts(r, lang)]
    codes = _codes(r for _, r in comparison.rows)
    _check(_draw(render_comparison, comparison, "en"), _draw(render_comparison, comparison, lang), parts, codes)
    _check(comparison_markdown(comparison, "en"), comparison_markdown(comparison, lang), parts, codes)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", [*PRESETS, "mistral-7b", "llama-3.1-8b", "phi-3-mini"])
def test_spec_has_no_english_residue(name: str, lang: str) -> None:
    spec = _spec(name)
    parts = list(_spec_parts(spec, lang))
    english, translated = (_draw(lambda out, xx: render_spec(spec, xx, out), xx) for xx in ("en", lang))
    _check(english, translated, parts, ())


def test_card_caveats_are_sentences_not_codes() -> None:
    """No caveat code reaches the Markdown card, in any language (the recipes' caveat_texts give sentences)."""
    card = profile(_spec("llama-3-8b"))
    results = list(card.recipes.values())
    if any(r.caveat_texts("en") == list(r.caveats) for r in results if r.caveats):
        pytest.xfail("RecipeResult.caveat_texts still returns the codes (the recipes' part of issue 17)")
    for lang in ("en", *LANGS):
        assert raw_codes(card_markdown(card, lang), _codes(results)) == []


@pytest.mark.parametrize(
    "argv",
    [
        ["profile", "llama-3-8b"],
        ["profile", "gpt2", "--format", "md"],
        ["profile", "qwen2.5-7b", "--gamma-obs", "0.8", "--format", "html"],
        ["compare", "llama-3-8b", "gpt2"],
        ["spec", "gemma-2-9b"],
        ["presets"],
    ],
)
def test_the_commands_follow_lang(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """`--lang fr` and TAF_LANG reach each command's text (the residue itself is checked above)."""
    assert main(argv) == 0
    english = capsys.readouterr().out
    assert main([*argv, "--lang", "fr"]) == 0
    french = capsys.readouterr().out
    assert french != english
