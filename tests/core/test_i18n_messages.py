"""Completeness of the recipe message catalogs (``core/data/i18n/recipes_<lang>.json``).

Every language must carry exactly the English keys, with the same placeholders and the same format specs
(so ``{dh:,.0f}`` reads the same number in every language and in the audit chain), and every template must
render with the parameters the recipes pass, nested ``Msg`` parameters included.
"""

from __future__ import annotations

import json
import re
import string
from collections import Counter
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from tafagent.core import recipes as recipes_package
from tafagent.core.messages import CATALOG_FILES, LANGUAGES, Msg, catalog, placeholders, verdict_label
from tafagent.core.recipes import run_recipe
from tafagent.core.render.format import localise_number

TRANSLATIONS = tuple(lang for lang in LANGUAGES if lang != "en")
ENGLISH = catalog("en")
RECIPES_DIR = Path(recipes_package.__file__).parent

# Parameters the recipes pass as messages, not values (x2 `_ntk_advice`, x19 `window_offer`, x22 `kind`).
NESTED_PARAMS: dict[str, Msg] = {
    "tuning": Msg("x2.ntk.zeroshot"),
    "window_offer": Msg("x19.window_offer", df=1234, f=0.9, zone_low=0.65, zone_high=0.85),
    "kind": Msg("x22.high"),
}
NUMERIC_SPEC = re.compile(r"[,_bcdeEfFgGnoxX%]")


def _raw_catalog(lang: str) -> dict[str, str]:
    """The files themselves (recipes, capabilities), read without the English fallback of `Msg.text`."""
    data: dict[str, str] = {}
    for name in CATALOG_FILES:
        path = resources.files("tafagent.core").joinpath(f"data/i18n/{name}_{lang}.json")
        data.update(json.loads(path.read_text(encoding="utf-8")))
    return data


def _fields(template: str) -> Counter[tuple[str, str, str]]:
    """(name, format spec, conversion) of every replacement field, counted."""
    return Counter(
        (name, spec or "", conversion or "") for _, name, spec, conversion in string.Formatter().parse(template) if name
    )


def _sample_params(template: str) -> dict[str, Any]:
    """Plausible values: nested messages where recipes pass them, numbers for numeric specs, short strings else."""
    params: dict[str, Any] = {}
    for _, name, spec, _ in string.Formatter().parse(template):
        if not name:
            continue
        if name in NESTED_PARAMS:
            params[name] = NESTED_PARAMS[name]
        elif spec and NUMERIC_SPEC.search(spec):
            params[name] = 32000 if spec == "," else 1234.5678
        else:
            params[name] = f"<{name}>"
    return params


def _numbers_in(template: str, params: dict[str, Any]) -> list[str]:
    """Each formatted number the template shows (the text every language must contain verbatim)."""
    return [
        format(params[name], spec)
        for _, name, spec, _ in string.Formatter().parse(template)
        if name and spec and name not in NESTED_PARAMS
    ]


@pytest.mark.parametrize("lang", TRANSLATIONS)
def test_same_keys_as_english(lang: str) -> None:
    keys = set(_raw_catalog(lang))
    assert not set(ENGLISH) - keys, f"{lang} lacks {sorted(set(ENGLISH) - keys)}"
    assert not keys - set(ENGLISH), f"{lang} has extra keys {sorted(keys - set(ENGLISH))}"


@pytest.mark.parametrize("lang", TRANSLATIONS)
def test_same_placeholders_and_format_specs_as_english(lang: str) -> None:
    translated = _raw_catalog(lang)
    for key, english in ENGLISH.items():
        template = translated[key]
        assert placeholders(template) == placeholders(english), f"{lang} {key}: placeholders differ"
        assert _fields(template) == _fields(english), f"{lang} {key}: format specs differ"


@pytest.mark.parametrize("lang", TRANSLATIONS)
def test_no_empty_translation_of_a_non_empty_template(lang: str) -> None:
    translated = _raw_catalog(lang)
    empty = [key for key, english in ENGLISH.items() if english.strip() and not translated[key].strip()]
    assert not empty, f"{lang} leaves {empty} empty"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_file_style_matches_english(lang: str) -> None:
    """UTF-8, not ASCII-escaped, 1-space indent, sorted keys: diffs between languages stay line-by-line."""
    for name in CATALOG_FILES:
        text = resources.files("tafagent.core").joinpath(f"data/i18n/{name}_{lang}.json").read_text(encoding="utf-8")
        assert text.rstrip("\n") == json.dumps(json.loads(text), ensure_ascii=False, indent=1, sort_keys=True)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_key_renders_with_plausible_parameters(lang: str) -> None:
    for key, english in ENGLISH.items():
        params = _sample_params(english)
        rendered = Msg(key, **params).text(lang)
        assert isinstance(rendered, str)
        if english:
            assert rendered.strip(), f"{lang} {key} renders empty"
        for number in _numbers_in(english, params):
            # the same number, with the language's grouping and decimal marks
            number = localise_number(number, lang)
            assert number in rendered, f"{lang} {key}: {number!r} missing from {rendered!r}"
        assert "{" not in rendered, f"{lang} {key}: unrendered field in {rendered!r}"


def test_nested_messages_render_in_the_outer_language() -> None:
    ntk = Msg("x2.ntk", theta_needed=2.0e6, gamma_target=0.85, T_eval=128000, alpha=3.2, tuning=Msg("x2.ntk.finetune"))
    for lang in TRANSLATIONS:
        assert catalog(lang)["x2.ntk.finetune"] in ntk.text(lang)
        assert "fine-tuning required" not in ntk.text(lang)


def test_every_message_key_used_by_a_recipe_exists() -> None:
    """Keys written as ``Msg("...")`` in the recipes (a typo would only surface at run time as a KeyError)."""
    used = {
        key
        for path in RECIPES_DIR.glob("*.py")
        for key in re.findall(r'Msg\(\s*"([\w.]+)"', path.read_text(encoding="utf-8"))
    }
    assert used, "no Msg keys found in the recipes"
    assert not used - set(ENGLISH), f"recipes use keys missing from recipes_en.json: {sorted(used - set(ENGLISH))}"


# Verdict labels that legitimately read the same as the English code.
SAME_AS_ENGLISH = {("es", "NO")}


@pytest.mark.parametrize("lang", TRANSLATIONS)
def test_translated_verdict_labels(lang: str) -> None:
    verdicts = [key.removeprefix("verdict.") for key in ENGLISH if key.startswith("verdict.")]
    untranslated = {v for v in verdicts if verdict_label(v, lang) == v} - {v for la, v in SAME_AS_ENGLISH if la == lang}
    assert not untranslated, f"{lang} leaves verdicts untranslated: {sorted(untranslated)}"


@pytest.mark.parametrize("lang", TRANSLATIONS)
def test_localized_recipe_result_is_translated(lang: str) -> None:
    result = run_recipe("X-2", {"theta": 500000, "T_train": 8192, "T_eval": 32000, "closed_form": True})
    assert result.verdict == "YES"
    english, localized = result.localized("en"), result.localized(lang)
    assert english["reason"] == result.reason
    assert localized["verdict"] == catalog(lang)["verdict.YES"] != "YES"
    assert localized["reason"] != english["reason"]
    assert localized["mitigation"] == catalog(lang)["none.required"] != english["mitigation"]
    # the chain's numbers, written the way the language writes numbers ("32 000" in French, never "32,000")
    assert (
        localise_number("32,000", lang) in localized["reason"]
        and localise_number("47,781", lang) in localized["reason"]
    )
    if lang in ("es", "fr"):
        assert "32,000" not in localized["reason"]


@pytest.mark.parametrize("lang", TRANSLATIONS)
def test_localized_recipe_result_with_nested_message(lang: str) -> None:
    """A NO verdict whose action is the NTK advice with its nested tuning message."""
    result = run_recipe("X-2", {"theta": 10000, "T_train": 4096, "T_eval": 128000, "closed_form": True})
    assert result.mitigation_msg is not None and result.mitigation_msg.key == "x2.ntk"
    localized = result.localized(lang)
    tuning = result.mitigation_msg.params["tuning"]
    assert isinstance(tuning, Msg)
    assert tuning.text(lang) in localized["mitigation"]
    assert localized["mitigation"] != result.mitigation
