"""Fixtures for the widget's browser tests: Playwright, and a fresh Chromium
profile per test that fails the test on JavaScript errors or requests to
third parties. The page helpers are in tests/e2e/browser.py."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Playwright, sync_playwright

from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS, DIST, Browser


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: `make browser` installs Debian's chromium")
    if not (DIST / "widget.js").exists():
        pytest.fail("web/dist/widget.js not found: run `make web`")
    with sync_playwright() as instance:
        yield instance


@pytest.fixture
def browser(playwright: Playwright, tmp_path: Path) -> Iterator[Browser]:
    """A fresh Chromium profile (empty localStorage) for each test."""
    context = playwright.chromium.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=CHROMIUM,
        args=CHROMIUM_ARGS,
        headless=True,
        viewport={"width": 1280, "height": 800},
        accept_downloads=True,
    )
    page = context.pages[0] if context.pages else context.new_page()
    page.set_default_timeout(20_000)
    state = Browser(page)

    def on_dialog(dialog: Any) -> None:
        state.dialogs.append(dialog.message)
        dialog.dismiss()

    def on_request(request: Any) -> None:
        host = re.sub(r"^[a-z]+://([^/:]+).*$", r"\1", request.url)
        if request.url.startswith(("http", "ws")) and host not in ("localhost", "127.0.0.1"):
            state.foreign_requests.append(request.url)

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda error: state.errors.append(str(error)))
    page.on("request", on_request)
    try:
        yield state
    finally:
        context.close()
    assert not state.errors, f"JavaScript errors on the page: {state.errors}"
    assert not state.foreign_requests, f"requests to third parties: {state.foreign_requests}"
