"""How to: test your own `requests` / `httpx` client code against the fake without a server.

Code under test usually talks HTTP through a `requests.Session` or an `httpx.Client`. Hand it
`directus_mock.requests_session()` or `directus_mock.httpx_client()` instead of a real one: the
requests go straight into the app (no socket, no thread, no port), with cookies and redirects
exactly as the live server at `directus_mock.url` gives them. `app.mock` has the same three
methods outside pytest.
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from authmock.pytest_plugin import MockFixture

ADMIN = {"email": "admin@example.com", "password": "password"}


class MyDirectusClient:
    """Stands for the user's own code: it only ever sees a requests.Session and a base URL."""

    def __init__(self, http: requests.Session, base: str = "") -> None:
        self.http, self.base = http, base

    def login(self) -> None:
        self.http.post(f"{self.base}/auth/login", json={**ADMIN, "mode": "cookie"}, timeout=5)

    def refresh(self) -> str:
        response = self.http.post(f"{self.base}/auth/refresh", json={"mode": "cookie"}, timeout=5)
        response.raise_for_status()
        token: str = response.json()["data"]["access_token"]
        return token

    def me(self, token: str) -> Any:
        return self.http.get(f"{self.base}/users/me?fields=email", timeout=5,
                             headers={"Authorization": f"Bearer {token}"}).json()


def test_my_client_code_through_requests_in_process(directus_mock: MockFixture) -> None:
    client = MyDirectusClient(directus_mock.requests_session())
    client.login()  # the refresh cookie lands in the session's jar ...
    token = client.refresh()  # ... and goes back with the refresh, as over the network
    assert client.me(token) == {"data": {"email": "admin@example.com"}}


def test_in_process_and_live_server_answer_alike(directus_mock: MockFixture) -> None:
    def story(http: requests.Session, base: str) -> list[Any]:
        login = http.post(f"{base}/auth/login", json={**ADMIN, "mode": "cookie"}, timeout=5)
        refresh = http.post(f"{base}/auth/refresh", json={"mode": "cookie"}, timeout=5)
        home = http.get(f"{base}/", timeout=5)  # 302 to /admin, followed
        return [login.status_code, sorted(login.cookies.keys()), refresh.status_code,
                sorted(refresh.json()["data"]), [r.status_code for r in home.history],
                home.url.rsplit("/", 1)[1], home.status_code, home.json()]

    in_process = story(directus_mock.requests_session(), "")
    with requests.Session() as http:
        live = story(http, directus_mock.url)
    assert in_process == live
    assert in_process[4] == [302]


def test_httpx_client_and_async_client(directus_mock: MockFixture) -> None:
    with directus_mock.httpx_client() as http:
        http.post("/auth/login", json={**ADMIN, "mode": "cookie"})
        assert "directus_refresh_token" in http.cookies
        assert http.post("/auth/refresh", json={"mode": "cookie"}).status_code == 200
        redirected = http.get("/", follow_redirects=True)
        assert [r.status_code for r in redirected.history] == [302]

    async def my_async_code() -> int:
        async with directus_mock.httpx_async_client() as http:
            await http.post("/auth/login", json={**ADMIN, "mode": "cookie"})
            response = await http.post("/auth/refresh", json={"mode": "cookie"})
            status: int = response.status_code
            return status

    # (with pytest-asyncio, the test itself would be async and simply await; here the coroutine
    # runs on a thread of its own, since the browser tests' Playwright keeps a loop running)
    with ThreadPoolExecutor(max_workers=1) as thread:
        assert thread.submit(asyncio.run, my_async_code()).result() == 200


def test_the_mock_clock_still_rules(paystub_mock: MockFixture) -> None:
    http = paystub_mock.requests_session()
    login = http.post("/admin/auth/login", timeout=5,
                      json={"email": "owner@example.com", "password": "your-password"})
    auth = {"Authorization": f"Bearer {login.json()['data']['token']['access_token']}"}
    assert http.get("/admin/auth/me", headers=auth, timeout=5).status_code == 200
    paystub_mock.clock.advance("24h")
    assert http.get("/admin/auth/me", headers=auth, timeout=5).status_code == 401


# --- fault rules' drop and delay_ms, as on the live server ----------------------------------
def test_a_dropped_connection_is_the_librarys_own_error(directus_mock: MockFixture) -> None:
    import httpx

    # live: requests and httpx each raise their own error for a server that closed the socket
    live_errors: list[type[BaseException]] = []
    for call in (lambda: requests.post(f"{directus_mock.url}/auth/login", json=ADMIN, timeout=5),
                 lambda: httpx.post(f"{directus_mock.url}/auth/login", json=ADMIN, timeout=5)):
        with directus_mock.faults.add("/auth/login", drop=True):
            try:
                call()
            except (requests.ConnectionError, httpx.TransportError) as live:
                live_errors.append(type(live))
    assert live_errors == [requests.ConnectionError, httpx.RemoteProtocolError]

    directus_mock.faults.add("/auth/login", drop=True, times=3)
    http = directus_mock.requests_session()
    with pytest.raises(requests.ConnectionError, match="Remote end closed connection"):
        http.post("/auth/login", json=ADMIN, timeout=5)
    with directus_mock.httpx_client() as client, pytest.raises(
        httpx.RemoteProtocolError, match="Server disconnected without sending a response"
    ):
        client.post("/auth/login", json=ADMIN)

    async def my_async_code() -> str:
        async with directus_mock.httpx_async_client() as client:
            try:
                await client.post("/auth/login", json=ADMIN)
            except httpx.RemoteProtocolError as dropped:
                return str(dropped)
            return "answered"

    with ThreadPoolExecutor(max_workers=1) as thread:
        assert "disconnected" in thread.submit(asyncio.run, my_async_code()).result()
    # each drop was journaled with status 0, and the rule is used up: the next login answers
    assert directus_mock.journal.count("POST", "/auth/login", status=0) == 5
    assert http.post("/auth/login", json=ADMIN, timeout=5).status_code == 200


def test_a_delay_comes_late_and_a_shorter_timeout_fires(paystub_mock: MockFixture) -> None:
    import httpx

    login = {"email": "owner@example.com", "password": "your-password"}
    paystub_mock.faults.add("/admin/auth/login", delay_ms=200, times=None)
    http = paystub_mock.requests_session()
    with pytest.raises(requests.Timeout):  # the same error as over a socket
        http.post("/admin/auth/login", json=login, timeout=0.05)
    started = time.perf_counter()
    assert http.post("/admin/auth/login", json=login, timeout=5).status_code == 200
    assert time.perf_counter() - started >= 0.2  # the real answer, late
    with paystub_mock.httpx_client() as client:
        with pytest.raises(httpx.ReadTimeout):
            client.post("/admin/auth/login", json=login, timeout=0.05)
        assert client.post("/admin/auth/login", json=login).status_code == 200

    async def my_async_code() -> list[str]:
        # the delay does not block the event loop: another task runs meanwhile
        events: list[str] = []

        async def ticker() -> None:
            await asyncio.sleep(0.05)
            events.append("tick")

        async with paystub_mock.httpx_async_client() as client:
            tick = asyncio.create_task(ticker())
            response = await client.post("/admin/auth/login", json=login)
            events.append(f"answer {response.status_code}")
            await tick
            try:
                await client.post("/admin/auth/login", json=login, timeout=0.05)
            except httpx.ReadTimeout:
                events.append("timeout")
        return events

    with ThreadPoolExecutor(max_workers=1) as thread:
        assert thread.submit(asyncio.run, my_async_code()).result() == [
            "tick", "answer 200", "timeout"]
