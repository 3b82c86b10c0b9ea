"""What the browser tests share: where Chromium is, the helpers that read what the page shows (``data-value`` /
``data-verdict``), the page watcher, and why the tests would skip here. The fixtures (`taf web` built once per
session, the browser, a local fake Hub) are in ``conftest.py``."""

from __future__ import annotations

import contextlib
import io
import json
import os
from pathlib import Path
from typing import Any

try:
    from playwright.sync_api import Browser, Page, expect, sync_playwright
except ImportError:  # the folder's conftest skips the browser tests
    Browser = Page = Any  # type: ignore[misc,assignment]
    expect = sync_playwright = None  # type: ignore[assignment]

from tafagent.cli.main import main as taf_main

CHROMIUM = os.environ.get("TAF_CHROMIUM", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("TAF_ARTIFACTS", ROOT / "build" / "test-artifacts" / "web"))
BOOT_TIMEOUT_MS = 90_000
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--js-flags=--no-wasm-tier-up",
]


def skip_reason() -> str | None:
    """Why the browser tests cannot run here (None when they can); each browser test module skips with it."""
    if expect is None:
        return "Playwright for Python is not installed"
    if not Path(CHROMIUM).is_file():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    from tafagent.web.build import find_node_modules

    try:
        find_node_modules()
    except Exception as error:
        return f"browser app cannot be built here: {error}"
    return None


# ---------------------------------------------------------------------------------------------- helpers
def taf_json(*argv: str) -> Any:
    """`taf … --json` in-process, parsed."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = taf_main([*argv, "--json"])
    assert code == 0, buffer.getvalue()
    return json.loads(buffer.getvalue())


def data_value(locator: Any) -> Any:
    return json.loads(locator.get_attribute("data-value"))


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


class Watched:
    """A page plus everything that must never happen on it: page errors, dialogs, CSP violations."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on(
            "console",
            lambda msg: (
                self.errors.append(msg.text) if msg.type == "error" and "Content Security Policy" in msg.text else None
            ),
        )
        page.on("dialog", self._dialog)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def open(self, base: str, query: str = "") -> Page:
        self.page.goto(base + query)
        expect(self.page.locator("body")).to_have_attribute("data-loaded", "true", timeout=BOOT_TIMEOUT_MS)
        return self.page

    def assert_clean(self) -> None:
        assert not self.errors, self.errors
        assert not self.dialogs, self.dialogs


def card_numbers(page: Page, prefix: str = "") -> dict[str, Any]:
    rows = page.locator(f"#{prefix}key-numbers tbody tr")
    return {
        rows.nth(i).get_attribute("data-key"): data_value(rows.nth(i).locator("td.num")) for i in range(rows.count())
    }


def card_verdicts(page: Page, scope: str = "#profile-out") -> dict[str, str]:
    tiles = page.locator(f"{scope} .tiles article")
    return {
        tiles.nth(i).get_attribute("data-recipe"): tiles.nth(i).get_attribute("data-verdict")
        for i in range(tiles.count())
    }


def expected_card(card: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    numbers = {
        k: v
        for k, v in card["key_numbers"].items()
        if k
        in (
            "gamma_pade",
            "gamma_corrected",
            "gamma_obs",
            "d_horizon",
            "d_horizon_measured",
            "l_niah",
            "chi",
            "kv_cache_bytes",
            "gamma_random_predicted",
            "compute_invariant_K",
        )
        and v is not None
    }
    return numbers, {rid: r["verdict"] for rid, r in card["recipes"].items()}
