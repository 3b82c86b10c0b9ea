"""The residue test of issue 17 on the browser page: every mode's result, rendered in real Chromium in English and in
Spanish, French and Chinese, may share no phrase of three or more words with the English rendering (names, units,
formulas and code excepted: ``support.residue``), and may show no raw caveat code.

What it leaves out, and why (the same choices as the CLI residue tests):
* shell commands (``.command`` blocks: `vllm serve …`, `taf diagnose …`, the config.json block): they are pasted
  into a shell or a file, in every language;
* citations (``.cite`` cells: the literature's sources, in the words of the paper or dataset they cite), as the
  CLI keeps them;
* the falsification dashboard's evidence cells and the claims the catalogs do not translate (``.generated``): they
  are written from the shipped panel's own English files, as `taf validate` writes them (README);
* Inspect config's "how the config was read" notes are not rendered here: like `taf spec --lang`, they keep the
  resolvers' English notes (issue 17's list names the card, recipes, memory, plan, extend, validate and ask);
* the allowed names below (paper titles, model-card titles, product names), which are names in every language.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_kit import BOOT_TIMEOUT_MS, skip_reason

from support.residue import english_residue

pytestmark = pytest.mark.slow
I18N = Path(__file__).resolve().parents[2] / "src" / "tafagent" / "web" / "static" / "i18n"

if skip_reason():
    pytest.skip(skip_reason(), allow_module_level=True)

from playwright.sync_api import Page, expect  # noqa: E402

LINKS = {
    "profile": "mode=profile&model=llama-3-8b&t_eval=32768",
    "compare": "mode=compare&m1=llama-3-8b&m2=mistral-7b&recipe=X-2&t_eval=32768",
    "ask": "mode=ask&q=Will+Llama-3-8B+handle+32K+context%3F",
    "recipe-X-5": "mode=recipe&recipe=X-5&model=llama-3-8b",
    "recipe-X-1": "mode=recipe&recipe=X-1&model=mistral-7b",
    "recipe-X-3": "mode=recipe&recipe=X-3&model=qwen2.5-7b",
    "fit": "mode=fit&model=llama-3-8b&context=32k&gpu=RTX+4090&tokens_per_day=100M",
    "fit-fits": "mode=fit&model=mistral-7b&context=8k&gpu=H100+SXM",
    "extend": "mode=extend&model=llama-3-8b&target=128k",
    "phase": "mode=phase&model=qwen2.5-7b",
}
ALLOWED = (
    "meta model card",  # the title of Meta's model card, cited as it is
    "efficient context window extension of large language models",  # YaRN's paper title
    "context window extension",
)
# The page's text without what is pasted into a shell or a file (a context that bypasses the CSP runs this).
VISIBLE_TEXT = """(selector) => {
  const clone = document.querySelector(selector).cloneNode(true);
  for (const node of clone.querySelectorAll('.command, pre, code, .cite, .generated, script, style')) node.remove();
  return clone.innerText || clone.textContent;
}"""
# A caveat code as the core files it (x2_beyond_T_train, panel_contradicts_pade): never shown to a reader.
CAVEAT_CODE = re.compile(r"(?<![\w.])(?:x\d+_[A-Za-z0-9_]+|panel_contradicts_[a-z0-9_]+)(?![\w])")
TEXTS: dict[tuple[str, str], str] = {}
# The page's own French labels (ui_fr.json), each of which the page may join to a text with a colon.
FRENCH_LABELS = sorted(
    {
        value
        for name in ("ui_fr.json", "ui_serving_fr.json")
        for value in json.loads((I18N / name).read_text(encoding="utf-8")).values()
        if value and value[-1].isalpha() and len(value) < 40
    }
)


@pytest.fixture(scope="module")
def pages(browser: Any, app_url: str) -> Iterator[dict[str, Page]]:
    opened = {}
    contexts = []
    for lang in ("en", "es", "fr", "zh"):
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US", bypass_csp=True)
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.goto(f"{app_url}#mode=profile&lang={lang}")
        expect(page.locator("body")).to_have_attribute("data-loaded", "true", timeout=BOOT_TIMEOUT_MS)
        opened[lang] = page
        contexts.append(context)
    yield opened
    for context in contexts:
        context.close()


def rendered(pages: dict[str, Page], app_url: str, name: str, lang: str) -> str:
    if (name, lang) not in TEXTS:
        page = pages[lang]
        link = LINKS[name]
        mode = link.split("&", 1)[0].removeprefix("mode=")
        page.goto(f"{app_url}#{link}&lang={lang}")
        expect(page.locator(f"#mode-{mode} .out > *").first).to_be_visible()
        expect(page.locator("#progress")).to_be_hidden()
        expect(page.locator("#status.error")).to_have_count(0)
        for details in page.locator(f"#mode-{mode} .out details").all():
            details.evaluate("node => { node.open = true; }")
        TEXTS[(name, lang)] = page.evaluate(VISIBLE_TEXT, f"#mode-{mode}")
    return TEXTS[(name, lang)]


@pytest.mark.parametrize("lang", ["es", "fr", "zh"])
@pytest.mark.parametrize("name", list(LINKS))
def test_no_english_left_on_the_page(pages: dict[str, Page], app_url: str, name: str, lang: str) -> None:
    english = rendered(pages, app_url, name, "en")
    translated = rendered(pages, app_url, name, lang)
    assert english != translated
    residue = english_residue(english, translated, ALLOWED)
    lines = [line for line in translated.splitlines() if any(phrase in line.lower() for phrase in residue)]
    assert residue == [], "\n".join(lines[:12])
    assert CAVEAT_CODE.findall(translated) == []
    if lang == "fr":  # French typography: the page's own joins put a no-break space before ':' (never "Routage: X-2")
        assert [label for label in FRENCH_LABELS if f"{label}:" in translated] == []
