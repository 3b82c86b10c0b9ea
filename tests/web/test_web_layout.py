"""Every mode of the browser app, at a desktop (1366×900) and a phone (390×844) size, in all four languages:
no horizontal document overflow, no visible element wider than the viewport (outside a table's own scroll box),
touch targets of at least 24 px, and axe-core with no serious or critical violation. Plus the state the page must
never get wrong: a result left under new input after an error, an action dropped during boot, a crafted share
link nested thousands of levels deep. Screenshots of every mode, size and language go to the artifacts folder.

The layout is read with scripts, which the app's CSP forbids (it allows no eval): those contexts bypass the CSP;
the CSP itself is tested in test_web.py."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from browser_kit import BOOT_TIMEOUT_MS, ROOT, Watched, shot, skip_reason

pytestmark = pytest.mark.slow

if skip_reason():
    pytest.skip(skip_reason(), allow_module_level=True)

from playwright.sync_api import Page, expect  # noqa: E402

from support.configs import LLAMA_3_8B  # noqa: E402

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
LANGUAGES = ("en", "es", "fr", "zh")
INSPECT_CONFIG = json.dumps(dict(LLAMA_3_8B, layer_types=["full_attention"] * 32))
# One link per mode, each computing a full result (the Inspect link carries a config with a 32-entry list).
MODE_LINKS = {
    "profile": "mode=profile&model=llama-3-8b&t_eval=32768",
    "compare": "mode=compare&m1=llama-3-8b&m2=mistral-7b&recipe=X-2&t_eval=32768",
    "ask": "mode=ask&q=" + quote("How much VRAM does Llama-3-8B need for 32k context?"),
    "recipe": "mode=recipe&recipe=X-5&model=llama-3-8b",
    "inspect": "mode=inspect&c=" + quote(__import__("base64").urlsafe_b64encode(INSPECT_CONFIG.encode()).decode()),
    "diagnose": "mode=diagnose&model=EleutherAI/pythia-70m",
    "fit": "mode=fit&model=llama-3-8b&context=32k&gpu=RTX+4090&tokens_per_day=100M",
    "extend": "mode=extend&model=qwen2.5-7b&target=128k",
    "phase": "mode=phase&model=qwen2.5-7b",
}
# Scripts run in the page (a context that bypasses the CSP).
WIDE_ELEMENTS = """() => {
  const width = document.documentElement.clientWidth;
  const shown = (node) => !node.closest('[hidden], .sr-only, .skip') && getComputedStyle(node).visibility !== 'hidden';
  return [...document.querySelectorAll('body *')].filter((node) => {
    const box = node.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && (box.right > width + 1 || box.left < -1)
      && !node.closest('.table-wrap') && shown(node);
  }).slice(0, 5).map((node) => {
    const box = node.getBoundingClientRect();
    return `${node.tagName.toLowerCase()}#${node.id}.${node.className} ${Math.round(box.width)}px`;
  });
}"""
SMALL_TARGETS = """() => {
  const controls = 'button, select, input:not([type=checkbox]):not([type=file]), summary, [role=tab]';
  return [...document.querySelectorAll(controls)].filter((node) => {
    const box = node.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && !node.closest('[hidden]') && (box.height < 24 || box.width < 24);
  }).slice(0, 5).map((node) => {
    const box = node.getBoundingClientRect();
    return `${node.tagName.toLowerCase()}#${node.id} ${Math.round(box.width)}×${Math.round(box.height)}px`;
  });
}"""
AXE_RUN = """async () => {
  const result = await axe.run(document, { resultTypes: ['violations'] });
  return result.violations.filter((v) => ['serious', 'critical'].includes(v.impact))
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}"""


@pytest.fixture(scope="module", params=[(size, lang) for size in VIEWPORTS for lang in LANGUAGES], ids="-".join)
def layout_page(request: pytest.FixtureRequest, browser: Any, app_url: str) -> Iterator[tuple[Page, str, str]]:
    size, lang = request.param
    context = browser.new_context(viewport=VIEWPORTS[size], locale="en-US", bypass_csp=True, is_mobile=size == "phone")
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{app_url}#mode=profile&lang={lang}")
    expect(page.locator("body")).to_have_attribute("data-loaded", "true", timeout=BOOT_TIMEOUT_MS)
    yield page, size, lang
    context.close()


def _open(page: Page, app_url: str, link: str, lang: str) -> None:
    """A new link in the same tab (only the fragment changes: the app opens it without reloading)."""
    page.goto(f"{app_url}#{link}&lang={lang}")
    mode = link.split("&", 1)[0].removeprefix("mode=")
    expect(page.locator(f"#mode-{mode}")).to_be_visible()
    if mode != "diagnose":  # Diagnose shows a command, not a result
        expect(page.locator(f"#mode-{mode} .out > *").first).to_be_visible()
    expect(page.locator("#progress")).to_be_hidden()


@pytest.mark.parametrize("mode", list(MODE_LINKS))
def test_every_mode_fits_the_screen_and_passes_axe(layout_page: tuple[Page, str, str], app_url: str, mode: str) -> None:
    page, size, lang = layout_page
    _open(page, app_url, MODE_LINKS[mode], lang)
    expect(page.locator("#status.error")).to_have_count(0)
    shot(page, f"layout-{mode}-{size}-{lang}")
    scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
    client_width = page.evaluate("() => document.documentElement.clientWidth")
    assert scroll_width <= client_width, f"document {scroll_width}px wide in a {client_width}px viewport"
    assert page.evaluate(WIDE_ELEMENTS) == []
    assert page.evaluate(SMALL_TARGETS) == []
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    assert page.evaluate(AXE_RUN) == []


# ---------------------------------------------------------------------------------------------- state
def test_an_error_replaces_the_previous_result(watched: Watched, app_url: str) -> None:
    page = watched.open(app_url, "?mode=profile&model=llama-3-8b")
    expect(page.locator("#card-title")).to_be_visible()
    page.locator("#profile-model").fill("acme/not-there")  # a Hub id the local Hub does not have
    page.locator("#profile-form button[type=submit]").click()
    expect(page.locator("#profile-out .error-box")).to_be_visible()
    expect(page.locator("#card-title")).to_have_count(0)  # the old card is gone, not left under the new input
    expect(page.locator("#status")).to_have_class("status error")


def test_an_invalid_diagnosis_replaces_a_good_one(watched: Watched, app_url: str, tmp_path: Path) -> None:
    from support.diagnosis_files import diagnosis

    page = watched.open(app_url, "?mode=diagnose")
    good = tmp_path / "good.json"
    good.write_text(json.dumps(diagnosis("meta-llama/Meta-Llama-3-8B", 0.62, 0.41)), encoding="utf-8")
    page.locator("#diagnose-file").set_input_files(str(good))
    expect(page.locator("#diagnosis-summary")).to_be_visible()
    bad = tmp_path / "bad.json"
    bad.write_text('{"not": "a diagnosis"}', encoding="utf-8")
    page.locator("#diagnose-file").set_input_files(str(bad))
    expect(page.locator("#diagnose-out .error-box")).to_be_visible()
    expect(page.locator("#diagnosis-summary")).to_have_count(0)


def test_an_action_during_boot_runs_when_the_runtime_is_ready(watched: Watched, app_url: str) -> None:
    page = watched.page
    page.goto(app_url)
    expect(page.locator("body")).to_have_attribute("data-wired", "true", timeout=BOOT_TIMEOUT_MS)
    ready = page.locator("body").get_attribute("data-ready")
    page.locator("#profile-model").fill("mistral-7b")
    page.locator("#profile-form button[type=submit]").click()
    if ready is None:  # still booting when clicked (the boot takes seconds): it was queued, not dropped
        expect(page.locator("#status")).to_contain_text("as soon as")
    expect(page.locator("#card-title")).to_contain_text("Mistral-7B", timeout=BOOT_TIMEOUT_MS)


def test_a_deeply_nested_share_link_is_refused_in_one_line(watched: Watched, app_url: str) -> None:
    import base64

    nested = '{"a":' * 5000 + "1" + "}" * 5000
    encoded = base64.urlsafe_b64encode(nested.encode()).decode().rstrip("=")
    page = watched.open(app_url, f"?mode=inspect&c={encoded}")
    expect(page.locator("#status")).to_contain_text("nested more than 64 levels")
    expect(page.locator("#inspect-out .error-box")).to_be_visible()
    assert "call stack" not in page.locator("#status").text_content()


def test_a_huge_model_id_is_echoed_short(watched: Watched, app_url: str) -> None:
    page = watched.open(app_url)
    page.locator("#profile-model").fill("x" * 100_000)
    page.locator("#profile-form button[type=submit]").click()
    expect(page.locator("#profile-out .error-box")).to_be_visible()
    assert len(page.locator("#status").text_content()) < 400
    assert page.locator("html").bounding_box()["width"] <= 1280


def test_a_diagnosis_without_a_card_says_so(watched: Watched, app_url: str, tmp_path: Path) -> None:
    from support.diagnosis_files import diagnosis

    path = tmp_path / "local.json"
    path.write_text(json.dumps(diagnosis("./my-local-model", 0.62, 0.41)), encoding="utf-8")
    page = watched.open(app_url, "?mode=diagnose")
    page.locator("#diagnose-file").set_input_files(str(path))
    expect(page.locator("#diagnosis-no-card")).to_be_visible()
    expect(page.locator("#diagnosis-summary")).to_contain_text("no TAF Card could be built")
    expect(page.locator("#status")).not_to_have_text("Ready.")
