"""The card's display texts in four languages: the functions the CLI, the reports and the web page share."""

from __future__ import annotations

import json

import pytest

from tafagent.cli.main import main
from tafagent.core.card import ARCHITECTURE_CLASSES, CardOptions, profile
from tafagent.core.compare import compare
from tafagent.core.gamma_source import DiagnosisGammas, choose_gammas, gamma_label_text
from tafagent.core.messages import LANGUAGES, tr
from tafagent.core.render.card_text import (
    architecture_class_text,
    card_texts,
    comparison_texts,
    falsifier_texts,
    phase_class_text,
)
from tafagent.core.render.format import fmt, fmt_count, fmt_value
from tafagent.core.spec.context_facts import context_facts, context_text
from tafagent.core.spec.presets import find_preset, list_presets

TRANSLATIONS = tuple(lang for lang in LANGUAGES if lang != "en")
NNBSP = "\u202f"


def _spec(name: str):  # type: ignore[no-untyped-def]
    preset = find_preset(name)
    assert preset is not None
    return preset.spec()


def test_fmt_writes_the_language_marks() -> None:
    assert fmt(8192, "tokens") == "8,192 tokens"
    assert fmt(8192, "tokens", "fr") == f"8{NNBSP}192 jetons"
    assert fmt(0.9371, "", "es") == "0,9371"
    assert fmt(1_073_741_824, "bytes", "fr") == f"1{NNBSP}073{NNBSP}741{NNBSP}824 B (1,074 GB, 1,000 GiB)"
    assert fmt(None, "", "zh") == tr("card.fmt.na", "zh") != "n/a"
    assert fmt_count(8_030_261_248, "es") == "8,03 B"
    assert fmt_value([1, 1, 2], "fr") == "1×2, 2"
    assert fmt_value(500000.0, "fr") == f"500{NNBSP}000"


@pytest.mark.parametrize("lang", TRANSLATIONS)
def test_every_architecture_class_and_phase_is_translated(lang: str) -> None:
    for label in ARCHITECTURE_CLASSES.values():
        assert architecture_class_text(label, lang) != label
        assert architecture_class_text(label, "en") == label
    assert phase_class_text("Hagedorn zone", lang) != "Hagedorn zone"


@pytest.mark.parametrize("lang", TRANSLATIONS)
def test_gamma_labels_read_back_into_the_language(lang: str) -> None:
    panel = "measured text γ (panel row P049, tier A, data/e4_gamma/x.json)"
    text = gamma_label_text(panel, lang)
    assert text != panel and "P049" in text and "data/e4_gamma/x.json" in text
    assert gamma_label_text("measured γ you gave", lang) != "measured γ you gave"
    assert gamma_label_text("something else", lang) == "something else"
    other = DiagnosisGammas("d.json", "gpt2", 0.7, 0.8, distinguishable_from_uniform=False)
    choice = choose_gammas(_spec("llama-3-8b"), diagnosis=other)["text"]
    assert choice is not None and len(choice.warnings) == 2
    for warning in choice.warnings:
        assert gamma_label_text(warning, lang) != warning and "d.json" in gamma_label_text(warning, lang)


@pytest.mark.parametrize("lang", TRANSLATIONS)
def test_context_sentences_of_every_preset_are_translated(lang: str) -> None:
    """Every source context_facts itself writes has a translation (the table's citations stay as cited)."""
    for preset in list_presets():
        facts = context_facts(preset.spec())
        for text in (facts.claimed_source, facts.extended_source, facts.stacked_span_source):
            if text:
                assert context_text(text, lang) != text, (preset.model_id, text)
    notes = context_facts(_spec("mistral-7b")).notes
    assert [context_text(note, lang) != note for note in notes[:2]] == [True, True]  # over-claim, window
    assert context_text("a citation", lang) == "a citation"


def test_falsifiers_are_translated() -> None:
    card = profile(_spec("llama-3-8b"))
    for item in card.falsification:
        fr = falsifier_texts(item, "fr")
        assert fr["status"] != item["status"] or (item["status"] == "in scope" and fr["status"] == "applicable")
        assert falsifier_texts(item, "en") == item


@pytest.mark.parametrize("lang", TRANSLATIONS)
def test_card_texts_and_comparison_texts(lang: str) -> None:
    card = profile(_spec("llama-3-8b"), CardOptions(gamma_obs=0.8))
    texts = card_texts(card, lang)
    assert texts["architecture_class"] != card.architecture_class
    assert texts["title"] != card_texts(card, "en")["title"]
    assert set(texts["verdicts"]) == set(card.recipes)
    assert json.dumps(texts, ensure_ascii=False)  # JSON-ready
    comparison = compare([_spec("llama-3-8b"), _spec("gpt2")], "X-2")
    ctexts = comparison_texts(comparison, lang)
    assert [row["model"] for row in ctexts["rows"]] == [s.model_id for s, _ in comparison.rows]
    assert set(ctexts["columns"]) == set(comparison.key_number_columns())


def test_json_keeps_english_and_adds_localized(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["profile", "qwen2.5-7b", "--json"]) == 0
    english = json.loads(capsys.readouterr().out)
    assert main(["profile", "qwen2.5-7b", "--json", "--lang", "zh"]) == 0
    chinese = json.loads(capsys.readouterr().out)
    localized = chinese.pop("localized")
    assert chinese == english and "localized" not in english
    assert localized["lang"] == "zh" and localized["architecture_class"].startswith("RoPE-GQA")
    assert main(["compare", "llama-3-8b", "gpt2", "--json", "--lang", "es"]) == 0
    assert json.loads(capsys.readouterr().out)["localized"]["lang"] == "es"
    assert main(["spec", "mistral-7b", "--json", "--lang", "fr"]) == 0
    assert json.loads(capsys.readouterr().out)["localized"]["context_rows"]
