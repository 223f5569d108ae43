"""The browser harness itself: Debian's Chromium reaches a live fake and reads its answer."""

from __future__ import annotations

import json

import authmock
from tests.browser.harness import LoggedPage


def test_chromium_reads_a_live_fake(page: LoggedPage) -> None:
    with authmock.run_in_thread("directus") as server:
        page.goto(f"{server.url}/__authmock__/health")
        body = json.loads(page.inner_text("body"))
    assert body == {"status": "ok", "flavour": "directus", "profile": "docs"}
    assert page.console_log.errors() == []
