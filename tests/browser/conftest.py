"""A real headless Chromium for browser tests: Debian's ``chromium`` driven by Playwright.

Never a downloaded browser build: Playwright is pointed at the system binary through
``executable_path``. ``.ci/run`` installs the Debian package, so these tests run in CI and are
never skipped; on a machine without it they fail with a message that says what to install.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import cast

import pytest
from playwright.sync_api import Browser, ConsoleMessage, sync_playwright

from tests.browser.harness import CHROMIUM_ARGS, ConsoleLog, LoggedPage, chromium_path


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the session; each test opens its own context (`page`)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture()
def page(browser: Browser) -> Iterator[LoggedPage]:
    """A fresh browser context and page; ``page.console_log`` collects the console."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = cast(LoggedPage, context.new_page())
    log = ConsoleLog()
    def on_console(msg: ConsoleMessage) -> None:
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
