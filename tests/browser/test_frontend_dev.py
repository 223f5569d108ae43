"""Frontend development as a person does it: ``authmock serve`` with its default settings, and a
page on ANOTHER localhost port (a dev server's) calling it with ``fetch`` in headless Chromium.

Each flow asserts that the page saw the data and that the console shows no CORS error (nor any
other: a refused request would log one).
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

import authmock
from tests.browser.harness import LoggedPage

ROOT = Path(__file__).resolve().parents[2]
DF_ADMIN_KEY = "6498a8ad1beb9d84d63035c5d1120c007fad6de706734db9689f8996707e0f7d"

#: the dev server's page: the calls a frontend makes, as plain fetch()
PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>frontend</title></head><body>
<p id="status">ready</p>
<script>
async function call(url, options) {
  const response = await fetch(url, options);
  const body = await response.json();
  if (!response.ok) {
    throw new Error(url + ' answered ' + response.status + ' ' + JSON.stringify(body));
  }
  return body;
}
const json = {'Content-Type': 'application/json'};

async function directusCookie(base) {
  const login = await call(base + '/auth/login', {method: 'POST', credentials: 'include',
    headers: json,
    body: JSON.stringify({email: 'admin@example.com', password: 'password', mode: 'cookie'})});
  const refreshed = await call(base + '/auth/refresh', {method: 'POST', credentials: 'include',
    headers: json, body: JSON.stringify({mode: 'cookie'})});
  const me = await call(base + '/users/me', {credentials: 'include',
    headers: {Authorization: 'Bearer ' + refreshed.data.access_token}});
  // the refresh succeeds only if the browser sent the HttpOnly refresh cookie back
  return {login: Boolean(login.data.access_token), refreshed: Boolean(refreshed.data.access_token),
          email: me.data.email};
}

async function directusSession(base) {
  await call(base + '/auth/login', {method: 'POST', credentials: 'include', headers: json,
    body: JSON.stringify({email: 'admin@example.com', password: 'password', mode: 'session'})});
  const me = await call(base + '/users/me', {credentials: 'include'});
  const refreshed = await call(base + '/auth/refresh', {method: 'POST', credentials: 'include',
    headers: json, body: JSON.stringify({mode: 'session'})});
  const again = await call(base + '/users/me', {credentials: 'include'});
  return {email: me.data.email, refreshed: refreshed.data !== undefined, again: again.data.email};
}

async function paystub(base) {
  const headers = {...json, Accept: 'application/json', 'X-Requested-With': 'XMLHttpRequest'};
  const login = await call(base + '/admin/auth/login', {method: 'POST', credentials: 'include',
    headers, body: JSON.stringify({email: 'owner@example.com', password: 'your-password'})});
  const me = await call(base + '/admin/auth/me', {credentials: 'include',
    headers: {...headers, Authorization: 'Bearer ' + login.data.token.access_token}});
  return {email: me.data.user ? me.data.user.email : me.data.email};
}

async function dreamfactory(base, apiKey) {
  const login = await call(base + '/api/v2/system/admin/session', {method: 'POST', headers:
    {...json, 'X-DreamFactory-API-Key': apiKey},
    body: JSON.stringify({email: 'admin@example.com', password: 'yourpassword'})});
  const session = await call(base + '/api/v2/system/admin/session', {headers: {
    'X-DreamFactory-API-Key': apiKey, 'X-DreamFactory-Session-Token': login.session_token}});
  return {email: session.email, admin: session.is_sys_admin};
}
</script></body></html>
"""


class _PageHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = PAGE.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def dev_page() -> Iterator[str]:
    """The frontend's page, served from its own port on the mock's host name."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _PageHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def served() -> Iterator[dict[str, str]]:
    """``authmock serve`` with default settings, each flavour on a free port."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "authmock", "serve", "--port", "directus=0",
         "--port", "dreamfactory=0", "--port", "paystub=0"],
        cwd=ROOT, text=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )
    assert proc.stdout is not None
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if line.startswith("Press Ctrl-C"):
            break
    urls = dict(re.findall(r"^(\w+)  (http://127\.0\.0\.1:\d+)", "".join(lines), re.M))
    try:
        assert sorted(urls) == ["directus", "dreamfactory", "paystub"], "".join(lines)
        yield urls
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=10)


def _run(page: LoggedPage, dev_page: str, script: str, *args: str) -> Any:
    page.goto(dev_page)
    return page.evaluate(f"([a, b]) => {script}(a, b)", [*args, ""][:2])


def test_directus_cookie_mode_login_refresh_and_me(
    page: LoggedPage, dev_page: str, served: dict[str, str],
) -> None:
    result = _run(page, dev_page, "directusCookie", served["directus"])
    assert result == {"login": True, "refreshed": True, "email": "admin@example.com"}
    assert page.console_log.errors() == []


def test_directus_session_mode(page: LoggedPage, dev_page: str, served: dict[str, str]) -> None:
    result = _run(page, dev_page, "directusSession", served["directus"])
    assert result == {"email": "admin@example.com", "refreshed": True, "again": "admin@example.com"}
    assert page.console_log.errors() == []


def test_paystub_login_and_me_with_credentials(
    page: LoggedPage, dev_page: str, served: dict[str, str],
) -> None:
    result = _run(page, dev_page, "paystub", served["paystub"])
    assert result == {"email": "owner@example.com"}
    assert page.console_log.errors() == []


def test_dreamfactory_admin_login_and_session(
    page: LoggedPage, dev_page: str, served: dict[str, str],
) -> None:
    result = _run(page, dev_page, "dreamfactory", served["dreamfactory"], DF_ADMIN_KEY)
    assert result == {"email": "admin@example.com", "admin": True}
    assert page.console_log.errors() == []


def test_with_cors_off_the_browser_blocks_the_page(page: LoggedPage, dev_page: str) -> None:
    """The control: Directus's own default is what the issue's user met."""
    with authmock.run_in_thread("directus", cors=False) as server:
        page.goto(dev_page)
        message = page.evaluate(
            "base => directusCookie(base).then(() => 'no error', e => String(e))", server.url
        )
    assert message == "TypeError: Failed to fetch"
    assert any("has been blocked by CORS policy" in line for line in page.console_log.errors())


def test_cookie_mode_needs_the_same_host_name(
    page: LoggedPage, dev_page: str, served: dict[str, str],
) -> None:
    """The banner's hint: a page on localhost is another site than a mock on 127.0.0.1, so the
    SameSite=Lax refresh cookie never comes back (CORS itself is fine: no CORS error)."""
    page.goto(dev_page.replace("127.0.0.1", "localhost"))
    message = page.evaluate(
        "base => directusCookie(base).then(() => 'no error', e => String(e))", served["directus"]
    )
    assert message.startswith(f"Error: {served['directus']}/auth/refresh answered 400")
    assert not any("CORS" in line for line in page.console_log.errors())
