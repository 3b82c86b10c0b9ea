"""The browser tests' fixtures: a local fake Hub, `taf web` itself (built and served once per session), Debian's
Chromium through Playwright, and a watched page per test. Each skips, saying why, where the browser tests cannot
run (``browser_kit.skip_reason``); the folder's other tests (bridge, hardening, i18n) need none of them."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from browser_kit import CHROMIUM, CHROMIUM_ARGS, Watched, skip_reason

from support.configs import LLAMA_3_8B
from support.hub_server import HubServer, Repo, RepoFile


def _require_browser() -> None:
    reason = skip_reason()
    if reason:
        pytest.skip(reason)


@pytest.fixture(scope="session")
def hub() -> Iterator[HubServer]:
    tiny = dict(LLAMA_3_8B, _name_or_path="acme/tiny-llama")
    server = HubServer().add(
        Repo.of("acme/llama-3-8b-copy", {"config.json": json.dumps(tiny).encode()}),
        Repo.of("acme/gated-model", {"config.json": json.dumps(tiny).encode()}, gated=True),
        Repo.of("acme/gguf-only", {"model.Q4_K_M.gguf": RepoFile(b"GGUF", lfs=True)}),
    )
    with server:
        yield server


@pytest.fixture(scope="session")
def app_url(hub: HubServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`taf web` itself, as a user runs it (build + serve), on a free port."""
    _require_browser()
    site = tmp_path_factory.mktemp("web") / "site"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tafagent",
            "web",
            "--port",
            "0",
            "--dir",
            str(site),
            "--hub-endpoint",
            hub.endpoint,
            "--json",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        text = ""
        while not text.endswith("}\n"):  # `--json` prints one indented JSON object, then serves
            line = process.stdout.readline()
            if not line:
                pytest.fail(f"taf web did not start: {process.stderr.read()}")
            text += line
        url = json.loads(text)["url"]
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def watched(browser: Any) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    w = Watched(page)
    yield w
    context.close()
    w.assert_clean()
