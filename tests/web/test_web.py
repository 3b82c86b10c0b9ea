"""The browser app end to end: `taf web` on 127.0.0.1, Debian's Chromium driven by Playwright, a local fake Hub.

Every mode is exercised through its form or its share URL, and the numbers the page renders (carried in
``data-value`` / ``data-verdict`` attributes) are compared with `taf … --json` for the same inputs. Screenshots of
each mode are written to ``build/test-artifacts/web/`` (or $TAF_ARTIFACTS) for a human to look at.

Note: the page's CSP forbids eval, so Playwright's ``page.evaluate`` cannot run here; everything goes through
locators, which is also how a user sees the page.
"""

from __future__ import annotations

import json
import re
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from browser_kit import (
    BOOT_TIMEOUT_MS,
    ROOT,
    Watched,
    card_numbers,
    card_verdicts,
    data_value,
    expected_card,
    shot,
    skip_reason,
    taf_json,
)

pytestmark = pytest.mark.slow

if skip_reason():
    pytest.skip(skip_reason(), allow_module_level=True)

from playwright.sync_api import Browser, Page, expect  # noqa: E402

from support.configs import LLAMA_3_8B  # noqa: E402
from support.hub_server import HubServer  # noqa: E402


# ---------------------------------------------------------------------------------------------- the site itself
def test_server_sends_the_security_headers(app_url: str, hub: HubServer) -> None:
    with urllib.request.urlopen(app_url) as response:
        csp = response.headers["Content-Security-Policy"]
        html = response.read().decode()
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'self' 'wasm-unsafe-eval'" in csp and "'unsafe-inline'" not in csp
    assert f"connect-src 'self' {hub.endpoint}" in csp and "frame-ancestors 'none'" in csp
    assert "<script>" not in html and " on" not in html.split("<body", 1)[1].replace(" one", "")  # no inline code
    with pytest.raises(urllib.error.HTTPError) as listing:
        urllib.request.urlopen(app_url + "vendor/")
    assert listing.value.code == 404


def test_shell_never_builds_html_from_strings() -> None:
    static = ROOT / "src" / "tafagent" / "web" / "static"
    scripts = sorted(static.rglob("*.js"))
    assert static / "js" / "main.js" in scripts and static / "worker.js" in scripts
    source = "".join(path.read_text(encoding="utf-8") for path in scripts)
    for forbidden in (
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "new Function",
        'setTimeout("',
        "runPython",
    ):
        assert forbidden not in source, forbidden


# ---------------------------------------------------------------------------------------------- Profile
def test_profile_card_from_a_share_url_equals_the_cli(watched: Watched, app_url: str) -> None:
    page = watched.open(app_url, "?mode=profile&model=llama-3-8b&t_eval=32768")
    expect(page.locator("#card-title")).to_have_text("TAF Card — meta-llama/Meta-Llama-3-8B")
    numbers, verdicts = expected_card(taf_json("profile", "llama-3-8b", "--t-eval", "32768"))
    assert card_numbers(page) == numbers
    assert card_verdicts(page) == verdicts
    assert numbers["kv_cache_bytes"] == 4 * 2**30
    # the decay chart is drawn by Chart.js on a canvas
    expect(page.locator("#decay-chart")).to_be_visible()
    shot(page, "profile")


def test_profile_form_writes_a_share_url_that_restores_it(watched: Watched, app_url: str, browser: Browser) -> None:
    page = watched.open(app_url)
    page.get_by_label("Model").first.fill("Mistral-7B")
    page.locator("#profile-t-eval").fill("16384")
    page.locator("#profile-gamma-obs").fill("0.55")
    page.locator("#profile-form button[type=submit]").click()
    expect(page.locator("body")).to_have_attribute("data-cards", "1")
    first = card_numbers(page)
    assert first["gamma_obs"] == 0.55
    url = page.url
    assert "mode=profile" in url and "model=Mistral-7B" in url and "t_eval=16384" in url

    again = browser.new_page()
    again.goto(url)
    expect(again.locator("body")).to_have_attribute("data-loaded", "true", timeout=BOOT_TIMEOUT_MS)
    assert card_numbers(again) == first
    assert again.locator("#profile-gamma-obs").input_value() == "0.55"
    again.close()


def test_whatif_slider_is_computed_by_the_core(watched: Watched, app_url: str) -> None:
    page = watched.open(app_url, "?mode=profile&model=qwen2.5-7b")
    slider = page.locator("#whatif")
    step = int(slider.get_attribute("step"))
    minimum = int(slider.get_attribute("min"))
    target = minimum + step * 300
    slider.fill(str(target))
    out = page.locator("#whatif-out")
    expect(out).to_contain_text(f"T = {target:,}")
    expected = taf_json("recipe", "X-2", "--model", "qwen2.5-7b", "--set", f"T_eval={target}")
    expect(out).to_have_attribute("data-verdict", expected["verdict"])
    d_horizon = next(s["result"] for s in expected["chain"] if s["name"] == "d_horizon")
    assert f"d_horizon {round(d_horizon):,}" in out.text_content()


# ---------------------------------------------------------------------------------------------- Compare
def test_compare_equals_the_cli(watched: Watched, app_url: str) -> None:
    page = watched.open(app_url, "?mode=compare&m1=llama-3-8b&m2=mistral-7b&m3=qwen2.5-7b&recipe=X-19&t_eval=32768")
    expected = taf_json("compare", "llama-3-8b", "mistral-7b", "qwen2.5-7b", "--recipe", "X-19", "--t-eval", "32768")
    rows = page.locator("#compare-table tbody tr")
    expect(rows).to_have_count(3)
    for i, row in enumerate(expected["rows"]):
        assert rows.nth(i).get_attribute("data-verdict") == row["verdict"]
        cells = rows.nth(i).locator("td.num")
        for j in range(cells.count()):
            key = cells.nth(j).get_attribute("data-key")
            assert data_value(cells.nth(j)) == row["key_numbers"].get(key), key
    expect(page.locator("#compare-chart")).to_be_visible()
    shot(page, "compare")


# ---------------------------------------------------------------------------------------------- Ask
def test_ask_answers_like_the_cli(watched: Watched, app_url: str) -> None:
    question = "Which GPU serves Llama-3.1-70B at 100M tokens/day most cheaply?"
    page = watched.open(app_url, "?mode=ask&q=" + quote(question))
    expected = taf_json("ask", question)
    expect(page.locator("#ask-verdict")).to_have_attribute("data-verdict", expected["result"]["verdict"])
    expect(page.locator("#ask-answer")).to_have_text(expected["answer"])
    shot(page, "ask")


def test_ask_example_button_and_spanish(watched: Watched, app_url: str) -> None:
    question = "¿Puede Llama-3-8B manejar 32K de contexto?"
    page = watched.open(app_url, "?mode=ask&lang=es&q=" + quote(question))
    expected = taf_json("ask", question, "--lang", "es")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator("#ask-answer")).to_have_text(expected["answer"])
    expect(page.locator("#tab-ask")).not_to_have_text("Ask")  # the tab label is Spanish too
    page.locator("#ask-example").click()
    assert page.locator("#ask-question").input_value().startswith("Will Llama-3-8B")


# ---------------------------------------------------------------------------------------------- Pick recipe
def test_recipe_form_is_generated_from_the_registry(watched: Watched, app_url: str) -> None:
    page = watched.open(app_url, "?mode=recipe")
    page.locator("#recipe-id").select_option("X-3")
    expect(page.locator("#param-USD_budget")).to_be_visible()
    expect(page.locator("#param-USD_budget-help")).not_to_be_empty()
    page.locator("#param-USD_budget").fill("5000")
    page.locator("#param-gpu").select_option("H100 SXM")
    page.locator("#recipe-form button[type=submit]").click()
    expected = taf_json("recipe", "X-3", "--set", "USD_budget=5000", "--set", "gpu=H100 SXM")
    tile = page.locator("#recipe-out article")
    expect(tile).to_have_attribute("data-verdict", expected["verdict"])
    for step in expected["chain"]:
        if isinstance(step["result"], (int, float)):
            assert data_value(page.locator(f'#recipe-out tr[data-step="{step["name"]}"] td.num')) == step["result"]
    assert "p.USD_budget=5000" in page.url
    shot(page, "recipe")


# ---------------------------------------------------------------------------------------------- Inspect config
def test_inspect_pasted_config_and_utf8_share_url(watched: Watched, app_url: str, browser: Browser) -> None:
    config = dict(LLAMA_3_8B, _name_or_path="équipe/模型-✓", note="naïve — 日本語")
    page = watched.open(app_url, "?mode=inspect")
    page.locator("#inspect-config").fill(json.dumps(config, ensure_ascii=False, indent=2))
    page.locator("#inspect-form button[type=submit]").click()
    expect(page.locator('#inspect-spec tr[data-field="n_kv_heads"] th')).to_have_text("n_kv_heads")
    numbers = card_numbers(page, "inspect-")
    assert numbers["kv_cache_bytes"] == 2**30  # T_eval defaults to T_train 8192
    url = page.url
    assert "mode=inspect" in url and "c=" in url
    again = browser.new_page()
    again.goto(url)
    expect(again.locator("body")).to_have_attribute("data-loaded", "true", timeout=BOOT_TIMEOUT_MS)
    assert json.loads(again.locator("#inspect-config").input_value()) == config  # UTF-8 survived the URL
    assert card_numbers(again, "inspect-") == numbers
    again.close()
    shot(page, "inspect")


# ---------------------------------------------------------------------------------------------- Hub from the browser
def test_hub_config_is_fetched_by_id(watched: Watched, app_url: str, hub: HubServer) -> None:
    page = watched.open(app_url, "?mode=profile&model=acme/llama-3-8b-copy")
    expect(page.locator("#card-title")).to_have_text("TAF Card — acme/llama-3-8b-copy")
    assert card_numbers(page)["kv_cache_bytes"] == 2**30
    assert any(p.startswith("/acme/llama-3-8b-copy/resolve/main/config.json") for p in hub.paths("GET"))


@pytest.mark.parametrize(
    ("model", "message"),
    [
        ("acme/gated-model", "is gated on the Hugging Face Hub"),
        ("acme/no-such-model", "answered 401 for acme/no-such-model"),
        ("acme/gguf-only", "has no config.json"),
        ("not a model!", "is neither a preset nor a Hub id"),
        ("llama-3-8bb", "Did you mean"),
    ],
)
def test_hub_errors_are_one_clear_line(watched: Watched, app_url: str, model: str, message: str) -> None:
    page = watched.open(app_url, "?mode=profile&model=" + quote(model))
    status = page.locator("#status")
    expect(status).to_contain_text(message)
    expect(status).to_have_class("status error")


def test_hub_offline_is_explained(watched: Watched, app_url: str) -> None:
    watched.page.context.route("**/resolve/**", lambda route: route.abort("internetdisconnected"))
    page = watched.open(app_url, "?mode=profile&model=acme/llama-3-8b-copy")
    expect(page.locator("#status")).to_contain_text("cannot be reached")
    watched.errors.clear()  # Chromium logs the aborted fetch itself


# ---------------------------------------------------------------------------------------------- Diagnose, Phase
def test_diagnose_mode_builds_a_quoted_command(watched: Watched, app_url: str) -> None:
    page = watched.open(app_url, "?mode=diagnose")
    page.locator("#diagnose-model").fill("org/model; rm -rf ~")
    page.locator("#diagnose-protocol").select_option("reference")
    page.locator("#diagnose-corpus").select_option("both")
    command = (
        "taf diagnose 'org/model; rm -rf ~' --protocol reference --corpus both --out diagnosis.json --plot decay.png"
    )
    expect(page.locator("#diagnose-command")).to_have_text(command)
    shot(page, "diagnose")
    # the share URL restores the form
    url = page.url
    assert "mode=diagnose" in url and "protocol=reference" in url
    again = watched.open(url)
    expect(again.locator("#diagnose-command")).to_have_text(command)
    assert again.locator("#diagnose-corpus").input_value() == "both"


def test_diagnosis_file_feeds_the_card(watched: Watched, app_url: str, tmp_path: Path) -> None:
    from support.diagnosis_files import diagnosis

    path = tmp_path / "diagnosis.json"
    path.write_text(json.dumps(diagnosis("meta-llama/Meta-Llama-3-8B", 0.62, 0.41)), encoding="utf-8")
    page = watched.open(app_url, "?mode=diagnose")
    page.locator("#diagnose-file").set_input_files(str(path))
    expect(page.locator("#diagnosis-summary")).to_contain_text("0.62")
    expect(page.locator("#diagnosis-card-title")).to_have_text("TAF Card — meta-llama/Meta-Llama-3-8B")
    expected, verdicts = expected_card(taf_json("profile", "llama-3-8b", "--diagnosis", str(path)))
    assert card_numbers(page, "diagnosis-") == expected
    assert card_verdicts(page, "#diagnose-out") == verdicts
    # the card says which numbers are measured
    expect(page.locator('#diagnosis-key-numbers tr[data-key="gamma_obs"] td').nth(1)).to_have_text("measured")
    expect(page.locator("#diagnosis-chart")).to_be_visible()
    shot(page, "diagnose-loaded")


def test_phase_mode_follows_the_language_switch(watched: Watched, app_url: str) -> None:
    page = watched.open(app_url, "?mode=phase")
    header = page.locator("#validation-table thead th").first
    expect(header).to_have_text("Law")
    page.locator("#lang").select_option("es")
    expect(header).not_to_have_text("Law")


def test_phase_diagram_and_validation_tables(watched: Watched, app_url: str) -> None:
    page = watched.open(app_url, "?mode=phase&model=llama-3-8b")
    expected = taf_json("validate")
    rows = page.locator("#validation-table tbody tr")
    expect(rows).to_have_count(len(expected["laws"]))
    for i, law in enumerate(expected["laws"]):
        assert rows.nth(i).get_attribute("data-law") == law["key"]
    claims = page.locator("#dashboard-table tbody tr")
    expect(claims).to_have_count(len(expected["falsification_dashboard"]["claims"]))
    for i, claim in enumerate(expected["falsification_dashboard"]["claims"]):
        assert claims.nth(i).get_attribute("data-status") == claim["status"]
    expect(page.locator("#phase-chart")).to_be_visible()
    shot(page, "phase")


# ---------------------------------------------------------------------------------------------- export / import
def test_export_then_import_restores_the_card(watched: Watched, app_url: str, tmp_path: Path) -> None:
    page = watched.open(app_url, "?mode=profile&model=llama-3-8b&t_eval=65536")
    numbers = card_numbers(page)
    with page.expect_download() as download_info:
        page.locator("#export-json").click()
    exported = tmp_path / "export.json"
    download_info.value.save_as(exported)
    envelope = json.loads(exported.read_text(encoding="utf-8"))
    assert envelope["_taf_export"] is True and envelope["type"] == "profile"
    with page.expect_download() as markdown_info:
        page.locator("#export-md").click()
    markdown = tmp_path / "card.md"
    markdown_info.value.save_as(markdown)
    assert markdown.read_text(encoding="utf-8").startswith("# TAF Card")

    fresh = watched.open(app_url)
    fresh.locator("#import-file").set_input_files(str(exported))
    expect(fresh.locator("#status")).to_contain_text("Loaded an export")
    assert card_numbers(fresh) == numbers


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not json at all", "not valid JSON"),
        (b'{"type": "profile", "inputs": {"model": "llama-3-8b"}}', "not a tafagent export"),
        (b'{"_taf_export": true, "type": "rm -rf", "inputs": {}}', "unknown export type"),
        (b'{"_taf_export": true, "type": "profile", "inputs": [1]}', "no valid 'inputs'"),
        (b"{" + b" " * (2 * 1024 * 1024 + 10) + b"}", "larger than 2 MB"),
    ],
)
def test_import_rejects_bad_files(watched: Watched, app_url: str, tmp_path: Path, content: bytes, message: str) -> None:
    page = watched.open(app_url)
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    page.locator("#import-file").set_input_files(str(path))
    expect(page.locator("#status")).to_contain_text(message)
    expect(page.locator("#status")).to_have_class("status error")


# ---------------------------------------------------------------------------------------------- injection
PAYLOADS = [
    '<img src=x onerror="document.body.dataset.pwned=1">',
    "<script>document.body.dataset.pwned=1</script>",
    '"><svg onload=alert(1)>',
    "javascript:alert(1)",
]


def assert_not_injected(page: Page) -> None:
    for selector in ("img", "svg", "#main script", "iframe", "[onerror]", "[onload]"):
        expect(page.locator(selector)).to_have_count(0)
    assert page.locator("body").get_attribute("data-pwned") is None


@pytest.mark.parametrize("payload", PAYLOADS)
def test_injection_through_url_parameters(watched: Watched, app_url: str, payload: str) -> None:
    for query in (
        f"?mode=profile&model={quote(payload)}&t_eval={quote(payload)}",
        f"?mode=ask&q={quote('Will ' + payload + ' handle 32K?')}",
        f"?mode=compare&m1={quote(payload)}&m2=llama-3-8b&recipe={quote(payload)}",
        f"?mode={quote(payload)}&lang={quote(payload)}",
    ):
        page = watched.open(app_url, query)
        assert_not_injected(page)


def test_injection_through_forms_config_and_imports(watched: Watched, app_url: str, tmp_path: Path) -> None:
    payload = PAYLOADS[0]
    page = watched.open(app_url)
    page.locator("#profile-model").fill(f"org/{payload}")
    page.locator("#profile-form button[type=submit]").click()
    expect(page.locator("#status")).to_have_class("status error")
    assert_not_injected(page)

    hostile = dict(
        LLAMA_3_8B,
        _name_or_path=payload,
        architectures=[payload],
        model_type="llama",
        torch_dtype=payload,
        **{payload: payload},
    )
    page.locator("#tab-inspect").click()
    page.locator("#inspect-config").fill(json.dumps(hostile))
    page.locator("#inspect-form button[type=submit]").click()
    expect(page.locator("#inspect-out")).not_to_be_empty()
    assert_not_injected(page)

    export = {"_taf_export": True, "type": "profile", "inputs": {"model": payload, "t_eval": payload}}
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(export), encoding="utf-8")
    page.locator("#import-file").set_input_files(str(path))
    expect(page.locator("#status")).to_have_class("status error")
    assert_not_injected(page)

    page.locator("#tab-diagnose").click()
    page.locator("#diagnose-file").set_input_files(str(path))
    expect(page.locator("#status")).to_have_class("status error")
    assert_not_injected(page)


# ---------------------------------------------------------------------------------------------- languages, a11y
def test_language_switch_relabels_ui_and_verdicts(watched: Watched, app_url: str) -> None:
    page = watched.open(app_url, "?mode=profile&model=llama-3-8b")
    english_verdicts = [page.locator(".tiles article .verdict").nth(i).text_content() for i in range(3)]
    page.locator("#lang").select_option("fr")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("#tab-profile")).not_to_have_text("Profile")
    expect(page.locator(".tiles article .verdict").first).not_to_have_text(english_verdicts[0])
    assert "lang=fr" in page.url
    page.reload()
    expect(page.locator("body")).to_have_attribute("data-loaded", "true", timeout=BOOT_TIMEOUT_MS)
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    shot(page, "profile-fr")


def test_browser_language_is_the_default(browser: Browser, app_url: str) -> None:
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.goto(app_url)
    expect(page.locator("body")).to_have_attribute("data-ready", "true", timeout=BOOT_TIMEOUT_MS)
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    context.close()


def test_keyboard_and_narrow_screen(watched: Watched, app_url: str) -> None:
    page = watched.open(app_url)
    page.locator("#tab-profile").focus()
    page.keyboard.press("ArrowRight")
    expect(page.locator("#tab-compare")).to_be_focused()
    expect(page.locator("#tab-compare")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#mode-compare")).to_be_visible()
    # every form control has a label
    for control in (
        "#profile-model",
        "#profile-t-eval",
        "#compare-model-1",
        "#ask-question",
        "#inspect-config",
        "#recipe-id",
        "#lang",
        "#import-file",
        "#diagnose-file",
    ):
        label = page.locator(f'label[for="{control[1:]}"]')
        expect(label).to_have_count(1)
    page.set_viewport_size({"width": 380, "height": 800})
    page.locator("#tab-profile").click()
    page.locator("#profile-model").fill("llama-3-8b")
    page.locator("#profile-form button[type=submit]").click()
    expect(page.locator("#card-title")).to_be_visible()
    assert page.locator("#profile-model").bounding_box()["width"] <= 380
    shot(page, "profile-narrow")


def test_boot_and_card_timings_are_recorded(watched: Watched, app_url: str) -> None:
    start = time.perf_counter()
    page = watched.open(app_url, "?mode=profile&model=llama-3-8b")
    assert time.perf_counter() - start > 0
    assert int(page.locator("body").get_attribute("data-boot-ms")) > 0
    assert int(page.locator("body").get_attribute("data-card-ms")) >= 0


def test_built_site_is_self_contained(app_url: str) -> None:
    with urllib.request.urlopen(app_url + "site.json") as response:
        site = json.loads(response.read())
    assert site["wheel"].startswith("tafagent-") and site["wheel"].endswith("-py3-none-any.whl")
    with urllib.request.urlopen(app_url + "wheels/" + site["wheel"]) as response:
        assert response.headers["Content-Type"] == "application/zip"
        assert len(response.read()) < 5_000_000


def test_tabs_keep_each_modes_share_link_and_language(watched: Watched, app_url: str) -> None:
    page = watched.open(app_url, "?mode=profile&model=llama-3-8b&t_eval=16384")
    english = page.locator("#profile-out .tiles article .verdict").first.text_content()
    page.locator("#tab-compare").click()
    assert "mode=compare" in page.url
    page.locator("#lang").select_option("fr")  # while the profile card is not on screen
    page.locator("#tab-profile").click()
    assert "mode=profile" in page.url and "model=llama-3-8b" in page.url and "t_eval=16384" in page.url
    expect(page.locator("#profile-out .tiles article .verdict").first).not_to_have_text(english)
    # the state travels in the fragment, which is never sent to the web host
    assert "#mode=profile" in page.url


def test_phase_export_imports_back(watched: Watched, app_url: str, tmp_path: Path) -> None:
    page = watched.open(app_url, "?mode=phase&model=qwen2.5-7b")
    with page.expect_download() as info:
        page.locator("#export-json").click()
    path = tmp_path / "phase.json"
    info.value.save_as(path)
    page.locator("#export-md").click()
    expect(page.locator("#status")).to_contain_text("no Markdown export")
    fresh = watched.open(app_url)
    fresh.locator("#import-file").set_input_files(str(path))
    expect(fresh.locator("#status")).to_contain_text("Loaded an export")
    expect(fresh.locator("#mode-phase")).to_be_visible()
    assert fresh.locator("#phase-model").input_value() == "qwen2.5-7b"


def test_unknown_recipe_in_a_link_is_an_error(watched: Watched, app_url: str) -> None:
    page = watched.open(app_url, "?mode=recipe&recipe=X-99")
    expect(page.locator("#status")).to_contain_text("There is no recipe 'X-99'")


def test_recipe_fields_fill_from_a_model_and_survive_a_recipe_switch(watched: Watched, app_url: str) -> None:
    page = watched.open(app_url, "?mode=recipe&recipe=X-5")
    page.locator("#param-target_tokens_per_day").fill("5e7")
    page.locator("#recipe-model").fill("llama-3-8b")
    page.locator("#recipe-fill").click()
    expect(page.locator("#param-n_layers")).to_have_value("32")  # from the model, as `taf recipe --model` reads it
    expect(page.locator("#param-n_kv_heads")).to_have_value("8")
    assert page.locator("#param-target_tokens_per_day").input_value() == "5e7"  # what was typed stays
    expect(page.locator('label[for="param-n_layers"]')).to_contain_text("decoder layers")  # labelled by meaning
    page.locator("#recipe-id").select_option("X-2")
    page.locator("#recipe-id").select_option("X-5")
    assert page.locator("#param-target_tokens_per_day").input_value() == "5e7"


def test_whatif_slider_updates_the_x2_tile_and_the_link(watched: Watched, app_url: str) -> None:
    page = watched.open(app_url, "?mode=profile&model=llama-3-8b")
    slider = page.locator("#whatif")
    assert int(slider.get_attribute("max")) >= 32768  # past the 8,192-token training length, to the limit
    target = int(slider.get_attribute("min")) + int(slider.get_attribute("step")) * 100
    slider.fill(str(target))
    expect(page.locator("#whatif-value")).to_contain_text(f"{target:,}")
    expected = taf_json("recipe", "X-2", "--model", "llama-3-8b", "--set", f"T_eval={target}")
    expect(page.locator('#profile-out .tiles article[data-recipe="X-2"]')).to_have_attribute(
        "data-verdict", expected["verdict"]
    )
    expect(page).to_have_url(re.compile(rf"t_eval={target}"))
