"""The browser app's Fit & plan and Extend modes in real Chromium: their numbers equal `taf memory`, `taf plan` and
`taf extend --json` for the same inputs, their text is the CLI's in each language, and the page never overflows
a phone's width. Screenshots go to the artifacts folder (browser_kit.ARTIFACTS)."""

from __future__ import annotations

from typing import Any

import pytest
from browser_kit import Watched, data_value, shot, skip_reason, taf_json

pytestmark = pytest.mark.slow

if skip_reason():
    pytest.skip(skip_reason(), allow_module_level=True)

from playwright.sync_api import Page, expect  # noqa: E402

FIT_LINK = "?mode=fit&model=llama-3-8b&context=32k&engine=vllm&gpu=RTX+4090&tokens_per_day=100M"


def overflow(page: Page) -> dict[str, Any]:
    """The document's scroll width against the viewport's (the CSP forbids page.evaluate: read from a locator)."""
    width = page.viewport_size["width"]
    html = page.locator("html")
    return {"scroll": html.evaluate("node => node.scrollWidth"), "viewport": width}


def test_fit_and_plan_equal_the_cli(watched: Watched, app_url: str) -> None:
    page = watched.open(app_url, FIT_LINK)
    memory = taf_json("memory", "llama-3-8b", "--context", "32k", "--engine", "vllm", "--gpu", "RTX 4090")
    plan = taf_json("plan", "llama-3-8b", "--context", "32k", "--tokens-per-day", "100M")
    expect(page.locator("#fit-verdict")).to_have_attribute("data-fits", str(memory["fits"]).lower())
    assert data_value(page.locator("#fit-total")) == memory["total_bytes"]
    headline = page.locator("#plan-headline")
    best = plan["best"]
    expect(headline).to_have_attribute("data-gpu", best["gpu"])
    assert headline.get_attribute("data-tp") == str(best["tp"])
    assert data_value(headline) == best["usd_per_mtok"]
    # the launch command is the CLI's, with a copy button beside it
    expect(page.locator("#fit-launch-0")).to_contain_text(best["launch"][0]["text"])
    expect(page.locator("#fit-plan .copy").first).to_be_visible()
    # it does not fit one RTX 4090 at 32K: the rescue ladder instead of speeds
    assert memory["fits"] is False
    expect(page.locator("#fit-rescue tbody tr")).to_have_count(len(memory["rescue"]))
    shot(page, "fit")


def test_fit_without_a_target_says_how_to_get_a_plan(watched: Watched, app_url: str) -> None:
    page = watched.open(app_url, "?mode=fit&model=mistral-7b&context=8k&gpu=H100+SXM")
    expect(page.locator("#plan-hint")).to_be_visible()
    memory = taf_json("memory", "mistral-7b", "--context", "8k", "--engine", "vllm", "--gpu", "H100 SXM")
    assert data_value(page.locator("#fit-total")) == memory["total_bytes"]
    expect(page.locator("#fit-memory .speed").first).to_be_visible()  # it fits: the speed ranges with their basis


def test_fit_form_builds_a_link_that_restores_it(watched: Watched, app_url: str) -> None:
    page = watched.open(app_url, "?mode=fit")
    page.locator("#fit-form-model").fill("qwen2.5-7b")
    page.locator("#fit-form-context").fill("16k")
    page.locator("#fit-form-gpu").select_option("L40S")
    page.locator("#fit-form button[type=submit]").click()
    expect(page.locator("#fit-verdict")).to_be_visible()
    assert "mode=fit" in page.url and "gpu=L40S" in page.url and "context=16k" in page.url


@pytest.mark.parametrize("lang", ["es", "fr", "zh"])
def test_fit_and_extend_speak_the_language(watched: Watched, app_url: str, lang: str) -> None:
    page = watched.open(app_url, FIT_LINK + f"&lang={lang}")
    localized = taf_json("plan", "llama-3-8b", "--context", "32k", "--tokens-per-day", "100M", "--lang", lang)
    expect(page.locator("#plan-headline")).to_contain_text(localized["localized"]["headline"])
    page = watched.open(app_url, f"?mode=extend&model=llama-3-8b&target=128k&lang={lang}")
    extension = taf_json("extend", "llama-3-8b", "--to", "128k", "--lang", lang)
    expect(page.locator("#extend-verdict")).to_contain_text(extension["localized"]["x2"]["verdict"])


def test_extend_equals_the_cli(watched: Watched, app_url: str) -> None:
    page = watched.open(app_url, "?mode=extend&model=llama-3-8b&target=32k&method=yarn")
    expected = taf_json("extend", "llama-3-8b", "--to", "32k", "--method", "yarn")
    expect(page.locator("#extend-verdict")).to_have_attribute("data-verdict", expected["x2"]["verdict"])
    assert data_value(page.locator("#extend-head")) == expected["factor"]
    assert data_value(page.locator("#extend-memory")) == expected["memory"]["total_bytes"]
    expect(page.locator("#extend-vllm")).to_have_text(expected["vllm"]["text"])
    expect(page.locator("#extend-config")).to_contain_text('"rope_type": "yarn"')
    shot(page, "extend")


def test_serving_errors_are_one_line_and_replace_the_result(watched: Watched, app_url: str) -> None:
    page = watched.open(app_url, "?mode=extend&model=llama-3-8b&target=4k")
    expect(page.locator("#status")).to_contain_text("nothing to extend")
    expect(page.locator("#extend-out .hero")).to_have_count(0)


@pytest.mark.parametrize("link", [FIT_LINK, "?mode=extend&model=qwen2.5-7b&target=128k"])
def test_serving_modes_fit_a_phone(browser: Any, app_url: str, link: str) -> None:
    # bypass_csp: the layout is read with a script (the app's CSP forbids eval, which Playwright's evaluate needs)
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="en-US", is_mobile=True, bypass_csp=True
    )
    page = context.new_page()
    page.goto(app_url + link)
    expect(page.locator("body")).to_have_attribute("data-loaded", "true", timeout=90_000)
    measured = overflow(page)
    name = "fit" if "fit" in link else "extend"
    shot(page, f"{name}-phone")
    context.close()
    assert measured["scroll"] <= measured["viewport"], measured


def test_examples_are_one_click_away(watched: Watched, app_url: str) -> None:
    page = watched.open(app_url, "?mode=fit")
    page.locator("#fit-example").click()
    expect(page.locator("#plan-headline")).to_be_visible()
    assert page.locator("#fit-form-model").input_value() == "llama-3.1-70b"
    page.locator("#tab-extend").click()
    page.locator("#extend-example").click()
    expect(page.locator("#extend-verdict")).to_be_visible()


def test_the_card_shows_its_facts_first(watched: Watched, app_url: str) -> None:
    page = watched.open(app_url, "?mode=profile&model=mixtral-8x7b&t_eval=131072")
    facts = page.locator("#profile-out .hero .facts")
    expect(facts).to_contain_text("beyond the training context (4.0×)")
    expect(facts).to_contain_text("mixture of experts: 2 of 8 per token")
    expect(page.locator("#profile-out details.section")).to_have_count(3)  # measurements, diagnostics, falsifiers
