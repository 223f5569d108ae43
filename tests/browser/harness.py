"""The browser harness's plain parts: which Chromium, with which flags, and the typed page.

The fixtures built on them live in ``conftest.py``; ``screenshots.py`` uses the same Chromium.
"""

from __future__ import annotations

import os
import shutil

from playwright.sync_api import Page

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


class ConsoleLog:
    """Console messages and page errors seen by one page, to assert on 'no CORS error'."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def errors(self) -> list[str]:
        return [m for m in self.messages if m.startswith(("error:", "pageerror:"))]


class LoggedPage(Page):
    """The type of the ``page`` fixture: a Playwright page carrying its ``console_log``.

    Only a type: the fixture sets the attribute on the page Playwright made."""

    console_log: ConsoleLog
