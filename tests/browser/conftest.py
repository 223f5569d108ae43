"""A real headless Chromium for browser tests: Debian's ``chromium`` driven by Playwright.

Never a downloaded browser build: Playwright is pointed at the system binary through
``executable_path``. ``.ci/run`` installs the Debian package, so these tests run in CI and are
never skipped; on a machine without it they fail with a message that says what to install.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser")
# The flags a closed network needs: without the background ones Chromium keeps dialling out.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    configured = os.environ.get("AUTHMOCK_CHROMIUM")
    if configured:
        return configured
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise RuntimeError(
        "browser tests need Debian's chromium (apt-get install chromium) "
        "or AUTHMOCK_CHROMIUM=/path/to/chromium"
    )


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the session; each test opens its own context (`page`)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


class ConsoleLog:
    """Console messages and page errors seen by one page, to assert on 'no CORS error'."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def errors(self) -> list[str]:
        return [m for m in self.messages if m.startswith(("error:", "pageerror:"))]


@pytest.fixture()
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser context and page; ``page.console_log`` collects the console."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    log = ConsoleLog()
    def on_console(msg: Any) -> None:
        # the browser's own favicon probe of a JSON URL is not the page's doing
        if msg.location.get("url", "").endswith("/favicon.ico"):
            return
        log.messages.append(f"{msg.type}: {msg.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: log.messages.append(f"pageerror: {exc}"))
    page.console_log = log
    try:
        yield page
    finally:
        context.close()
