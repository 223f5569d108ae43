"""Redraw docs/inspector-<flavour>.png: each flavour's inspector after a little activity.

Run by hand when the page changes: ``python -m tests.browser.screenshots`` (not a test: it
writes into docs/). Same Chromium as the browser tests; seeded and on a frozen clock, so the
pictures change only when the page does.
"""

from __future__ import annotations

from pathlib import Path

import requests
from playwright.sync_api import Browser, expect, sync_playwright

import authmock
from tests.browser.harness import CHROMIUM_ARGS, chromium_path

DOCS = Path(__file__).resolve().parents[2] / "docs"
DF_ADMIN_KEY = "6498a8ad1beb9d84d63035c5d1120c007fad6de706734db9689f8996707e0f7d"


def _directus(base: str) -> None:
    requests.post(f"{base}/auth/login", timeout=5,
                  json={"email": "admin@example.com", "password": "password"})
    requests.post(f"{base}/auth/login", timeout=5,
                  json={"email": "hello@example.com", "password": "d1r3ctu5", "mode": "session"})
    requests.post(f"{base}/auth/login", timeout=5,
                  json={"email": "tfa@example.com", "password": "password"})
    requests.post(f"{base}/auth/password/request", timeout=5, json={
        "email": "hello@example.com", "reset_url": "http://localhost:3000/reset-password"})
    requests.post(f"{base}/__authmock__/faults", timeout=5, json={
        "match": {"path": "/auth/refresh", "method": "POST"}, "error": "TOKEN_EXPIRED", "times": 2})


def _dreamfactory(base: str) -> None:
    key = {"X-DreamFactory-API-Key": DF_ADMIN_KEY}
    requests.post(f"{base}/api/v2/system/admin/session", headers=key, timeout=5,
                  json={"email": "admin@example.com", "password": "yourpassword"})
    requests.post(f"{base}/api/v2/user/session", headers=key, timeout=5,
                  json={"email": "user@example.com", "password": "wrong"})
    requests.post(f"{base}/__authmock__/faults", timeout=5, json={
        "match": {"path": "/api/v2/user/session"}, "error": "token_expired", "times": None})


def _paystub(base: str) -> None:
    requests.post(f"{base}/admin/auth/login", timeout=5,
                  json={"email": "owner@example.com", "password": "your-password"})
    requests.post(f"{base}/admin/auth/login", timeout=5,
                  json={"email": "support@example.com", "password": "your-password"})
    requests.post(f"{base}/admin/auth/forgot-password", timeout=5,
                  json={"email": "manager@example.com"})
    requests.get(f"{base}/admin/auth/me", timeout=5)
    requests.post(f"{base}/__authmock__/faults", timeout=5, json={
        "match": {"path": "/admin/auth/me", "method": "GET"}, "error": "unauthenticated"})


ACTIVITY = {"directus": _directus, "dreamfactory": _dreamfactory, "paystub": _paystub}


def shoot(browser: Browser, flavour: str) -> Path:
    with authmock.run_in_thread(flavour, seed=7) as server:
        server.clock.set("2026-12-01T09:30:00Z")
        server.clock.freeze()
        ACTIVITY[flavour](server.url)
        server.clock.advance("20m")
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(f"{server.url}/__authmock__/")
        expect(page.locator("#flavour")).to_have_text(flavour)
        expect(page.locator("#sessions-body tr")).not_to_have_count(0)
        page.wait_for_timeout(500)
        target = DOCS / f"inspector-{flavour}.png"
        page.screenshot(path=str(target), full_page=True)
        page.close()
    return target


def main() -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
        try:
            for flavour in ACTIVITY:
                print(shoot(browser, flavour))
        finally:
            browser.close()


if __name__ == "__main__":
    main()
