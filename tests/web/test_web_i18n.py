"""Completeness of the browser app's UI strings (``web/static/i18n/ui_<lang>.json``).

The page's modules (``static/js/**/*.js``) look a string up with ``t(key, params)`` (the chosen language, then
English, then the key itself) and fill ``{name}`` placeholders by plain text replacement; ``index.html`` marks
translatable nodes with ``data-i18n`` / ``data-i18n-placeholder``. So every key the page or its scripts use must
be in ``ui_en.json``, every language must carry exactly the English keys with the same placeholders, and the
language menu and the files must cover the core's ``LANGUAGES`` (which the page takes from the bridge's boot
answer rather than from a copy of its own).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import tafagent.web
from tafagent.core.messages import LANGUAGES

STATIC_DIR = Path(tafagent.web.__file__).parent / "static"
I18N_DIR = STATIC_DIR / "i18n"
JS_FILES = sorted((STATIC_DIR / "js").rglob("*.js"))
APP_JS = "\n".join(path.read_text(encoding="utf-8") for path in JS_FILES)
INDEX_HTML = (STATIC_DIR / "index.html").read_text(encoding="utf-8")

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
HTML_KEY = re.compile(r"""\bdata-i18n(?:-placeholder)?\s*=\s*["']([^"']+)["']""")
JS_KEY = re.compile(r"""(?<![\w$.])t\(\s*(["'`])([^"'`$]+)\1""")
# A list of language codes written out in a script (the page must take them from the menu and the core).
JS_LANG_LIST = re.compile(r"""\[\s*["'](?:en|es|fr|zh)["']\s*,\s*["'](?:en|es|fr|zh)["']""")
HTML_LANG_SELECT = re.compile(r"""<select\b[^>]*\bid=["']lang["'][^>]*>(.*?)</select>""", re.DOTALL)
OPTION_VALUE = re.compile(r"""<option\b[^>]*\bvalue=["']([^"']+)["']""")
# An object-literal property name: `{ model, suggestions: hint }` → model, suggestions.
JS_PROPERTY = re.compile(r"(?:^|,)\s*([A-Za-z_$][\w$]*)\s*(?=[:,]|$)")

# Commands, flags, identifiers and names that stay as they are in every language (the brief's list, as
# they occur in the English strings); a translation must show each one its English string shows.
PROTECTED_TERMS = (
    "taf",
    "--out",
    "config.json",
    "T_eval",
    "T_train",
    "γ",
    "θ",
    "R²",
    "RoPE",
    "Padé",
    "A(d)",
    "X-2",
    "Pyodide",
    "Hugging Face",
    "Hub",
    "HF_TOKEN",
    "GGUF",
    "JSON",
    "Markdown",
    "MAE",
    "401",
)
# Common Traditional-only characters (their Simplified forms differ): the Chinese file is Simplified.
TRADITIONAL_ONLY = set("這個們與為體關開設會從對說時過還後來點實驗測試資訊檔據際結處請應")


# The page merges these files per language (js/i18n.js UI_FILES): the shell's strings and the serving modes'.
UI_FILES = ("ui", "ui_serving")


def _ui_files() -> dict[str, Path]:
    return {path.stem.removeprefix("ui_"): path for path in sorted(I18N_DIR.glob("ui_??.json"))}


def _load(lang: str) -> dict[str, str]:
    data: dict[str, str] = {}
    for name in UI_FILES:
        path = I18N_DIR / f"{name}_{lang}.json"
        if path.is_file():
            data.update(json.loads(path.read_text(encoding="utf-8")))
    return data


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def _term_pattern(term: str) -> re.Pattern[str]:
    """The term as a whole word where it starts or ends with a word character (`taf` but not `tafagent`)."""
    start = r"(?<![\w-])" if re.match(r"\w", term) else ""
    end = r"(?![\w])" if re.search(r"\w$", term) else ""
    return re.compile(start + re.escape(term) + end)


def _js_keys() -> set[str]:
    return {match.group(2) for match in JS_KEY.finditer(APP_JS)}


def _js_calls_with_params() -> list[tuple[str, set[str]]]:
    """(key, parameter names) of each `t("key")` / `t("key", { ... })` call whose arguments are literal."""
    calls = []
    for match in JS_KEY.finditer(APP_JS):
        rest = APP_JS[match.end() :].lstrip()
        if rest.startswith(")"):
            calls.append((match.group(2), set()))
            continue
        literal = re.match(r",\s*\{([^{}]*)\}\s*\)", rest)
        if literal:  # a variable or a nested object as parameters: not checked here
            calls.append((match.group(2), set(JS_PROPERTY.findall(literal.group(1).strip()))))
    return calls


ENGLISH = _load("en")
TRANSLATIONS = tuple(lang for lang in _ui_files() if lang != "en")


def test_english_file_exists_with_translations() -> None:
    assert "en" in _ui_files()
    assert TRANSLATIONS, "no translated ui_<lang>.json next to ui_en.json"


@pytest.mark.parametrize("lang", ["en", *TRANSLATIONS])
def test_file_is_canonical_json(lang: str) -> None:
    """Sorted keys, 1-space indent, UTF-8 not ASCII-escaped, final newline: diffs stay readable."""
    for path in (I18N_DIR / f"{name}_{lang}.json" for name in UI_FILES):
        text = path.read_text(encoding="utf-8")
        canonical = json.dumps(json.loads(text), indent=1, ensure_ascii=False, sort_keys=True) + "\n"
        assert text == canonical, (
            f"{path.name} is not in canonical form; rewrite it with "
            "json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + '\\n'"
        )


@pytest.mark.parametrize("lang", TRANSLATIONS)
def test_same_keys_as_english(lang: str) -> None:
    keys = set(_load(lang))
    assert not set(ENGLISH) - keys, f"ui_{lang}.json lacks {sorted(set(ENGLISH) - keys)}"
    assert not keys - set(ENGLISH), f"ui_{lang}.json has extra keys {sorted(keys - set(ENGLISH))}"


@pytest.mark.parametrize("lang", ["en", *TRANSLATIONS])
def test_values_are_non_empty_strings(lang: str) -> None:
    bad = sorted(key for key, value in _load(lang).items() if not isinstance(value, str) or not value.strip())
    assert not bad, f"ui_{lang}.json has empty or non-string values for {bad}"


@pytest.mark.parametrize("lang", ["en", *TRANSLATIONS])
def test_braces_are_only_placeholders(lang: str) -> None:
    """`t()` replaces `{name}` only: a stray brace (`{model`, `{ model }`) would reach the user as is."""
    bad = sorted(key for key, value in _load(lang).items() if re.search(r"[{}]", PLACEHOLDER.sub("", value)))
    assert not bad, f"ui_{lang}.json has braces outside {{name}} placeholders in {bad}"


@pytest.mark.parametrize("lang", TRANSLATIONS)
def test_same_placeholders_as_english(lang: str) -> None:
    translated = _load(lang)
    differing = {
        key: (sorted(_placeholders(ENGLISH[key])), sorted(_placeholders(value)))
        for key, value in translated.items()
        if key in ENGLISH and _placeholders(value) != _placeholders(ENGLISH[key])
    }
    assert not differing, f"ui_{lang}.json placeholders differ from English (en, {lang}): {differing}"


@pytest.mark.parametrize("lang", TRANSLATIONS)
def test_protected_terms_kept(lang: str) -> None:
    """Commands, flags and identifiers are not translated: each one in the English string is in the translation."""
    translated = _load(lang)
    lost = {
        key: [term for term in PROTECTED_TERMS if _term_pattern(term).search(english) and term not in value]
        for key, english in ENGLISH.items()
        if (value := translated.get(key)) is not None
    }
    lost = {key: terms for key, terms in lost.items() if terms}
    assert not lost, f"ui_{lang}.json drops untranslatable terms: {lost}"


@pytest.mark.parametrize("lang", TRANSLATIONS)
def test_sentences_are_translated(lang: str) -> None:
    """A string of four or more words identical to the English one was copied, not translated."""
    same = sorted(key for key, value in _load(lang).items() if value == ENGLISH.get(key) and len(value.split()) >= 4)
    assert not same, f"ui_{lang}.json leaves these strings in English: {same}"


def test_chinese_is_simplified() -> None:
    if "zh" not in TRANSLATIONS:
        pytest.skip("no ui_zh.json")
    traditional = {key: sorted(set(value) & TRADITIONAL_ONLY) for key, value in _load("zh").items()}
    traditional = {key: chars for key, chars in traditional.items() if chars}
    assert not traditional, f"ui_zh.json uses Traditional characters: {traditional}"


def test_html_keys_exist_in_english() -> None:
    keys = set(HTML_KEY.findall(INDEX_HTML))
    assert keys, "no data-i18n attributes found in index.html (has the markup changed?)"
    missing = sorted(keys - set(ENGLISH))
    assert not missing, f"index.html uses keys missing from ui_en.json: {missing}"


def test_js_keys_exist_in_english() -> None:
    keys = _js_keys()
    assert keys, 'no t("…") calls found in static/js (have the scripts changed?)'
    missing = sorted(keys - set(ENGLISH))
    assert not missing, f"static/js uses keys missing from ui_en.json: {missing}"


def test_js_params_match_placeholders() -> None:
    """Each literal `t("key", {…})` passes exactly the placeholders of the English string (no `{x}` left)."""
    mismatched = [
        (key, sorted(passed), sorted(_placeholders(ENGLISH[key])))
        for key, passed in _js_calls_with_params()
        if key in ENGLISH and passed != _placeholders(ENGLISH[key])
    ]
    assert not mismatched, (
        f"static/js t() calls whose parameters differ from the placeholders (key, passed, needed): {mismatched}"
    )


def test_language_lists_agree() -> None:
    """One list: the translation files are the core's LANGUAGES, and no script keeps a copy of its own."""
    assert JS_FILES and STATIC_DIR / "js" / "main.js" in JS_FILES
    assert set(_ui_files()) == set(LANGUAGES), f"ui_*.json files {sorted(_ui_files())} != core LANGUAGES {LANGUAGES}"
    copies = [path.name for path in JS_FILES if JS_LANG_LIST.search(path.read_text(encoding="utf-8"))]
    assert not copies, f"these scripts hard-code the language list (take it from the boot answer): {copies}"


def test_language_menu_lists_every_language() -> None:
    select = HTML_LANG_SELECT.search(INDEX_HTML)
    assert select, '<select id="lang"> not found in index.html'
    options = OPTION_VALUE.findall(select.group(1))
    assert sorted(options) == sorted(LANGUAGES), f"language menu offers {options}, expected {list(LANGUAGES)}"
