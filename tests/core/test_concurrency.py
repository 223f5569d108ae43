"""The threaded live server under parallel clients, per flavour.

8 threads run login → me → refresh → logout cycles (``AUTHMOCK_STRESS_CYCLES`` a thread, 6 by
default so the suite stays fast; ``tox -e stress`` runs 500): no lost or duplicated session, no
unexpected status, nothing left behind. Two refreshes of one token at the same instant have
exactly one winner (the mock serialises requests, so the race the real Directus can lose on
SQLite — two 200s, one of them unusable — never happens here). ``reset()`` during traffic never
leaves a half-reset store.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any

import pytest
import requests

from authmock import bundled_fixture
from authmock.pytest_plugin import MockFixture
from tests.state import snapshot

THREADS = 8
CYCLES = int(os.environ.get("AUTHMOCK_STRESS_CYCLES", "6"))
RACES = 12
DF_KEY = {"X-DreamFactory-API-Key":
          "6498a8ad1beb9d84d63035c5d1120c007fad6de706734db9689f8996707e0f7d"}
DF_LOGIN = "/api/v2/system/admin/session"
# Paystub's 60-a-minute API throttle would answer 429 to the load itself.
pytestmark = pytest.mark.authmock(fixtures=bundled_fixture("paystub", api_rate_limit=0))


@dataclass
class Cycle:
    """One session's life: the tokens it saw, in order (login's, then refresh's)."""

    tokens: tuple[str, str]


def _expect(response: requests.Response, status: int) -> Any:
    assert response.status_code == status, (response.request.method, response.request.url,
                                            response.status_code, response.text[:300])
    return response.json() if response.content else None


def _dreamfactory_cycle(url: str, http: requests.Session) -> Cycle:
    login = _expect(http.post(url + DF_LOGIN, headers=DF_KEY, timeout=10,
                              json={"email": "admin@example.com", "password": "yourpassword"}), 200)
    first = login["session_token"]
    me = _expect(http.get(url + DF_LOGIN, timeout=10,
                          headers={**DF_KEY, "X-DreamFactory-Session-Token": first}), 200)
    assert me["email"] == "admin@example.com"
    current = me["session_token"]  # the docs profile's GET refreshes too (first is now dead)
    second = _expect(http.put(url + DF_LOGIN, timeout=10,
                              headers={"X-DreamFactory-Session-Token": current}),
                     200)["session_token"]
    _expect(http.delete(url + DF_LOGIN, timeout=10,
                        headers={**DF_KEY, "X-DreamFactory-Session-Token": second}), 200)
    for dead in (first, current, second):  # refreshed away, logged out: all blacklisted
        _expect(http.get(url + DF_LOGIN, timeout=10,
                         headers={**DF_KEY, "X-DreamFactory-Session-Token": dead}), 403)
    return Cycle((first, second))


def _directus_cycle(url: str, http: requests.Session) -> Cycle:
    data = _expect(http.post(url + "/auth/login", timeout=10,
                             json={"email": "admin@example.com", "password": "password"}), 200)
    first = data["data"]["refresh_token"]
    me = _expect(http.get(url + "/users/me?fields=email", timeout=10,
                          headers={"Authorization": f"Bearer {data['data']['access_token']}"}), 200)
    assert me == {"data": {"email": "admin@example.com"}}
    second = _expect(http.post(url + "/auth/refresh", json={"refresh_token": first}, timeout=10),
                     200)["data"]["refresh_token"]
    _expect(http.post(url + "/auth/logout", json={"refresh_token": second}, timeout=10), 204)
    for dead in (first, second):
        _expect(http.post(url + "/auth/refresh", json={"refresh_token": dead}, timeout=10), 401)
    return Cycle((first, second))


def _paystub_cycle(url: str, http: requests.Session) -> Cycle:
    data = _expect(http.post(url + "/admin/auth/login", timeout=10,
                             json={"email": "owner@example.com", "password": "your-password"}), 200)
    first = data["data"]["token"]["access_token"]
    me = _expect(http.get(url + "/admin/auth/me", timeout=10,
                          headers={"Authorization": f"Bearer {first}"}), 200)
    assert me["data"]["user"]["email"] == "owner@example.com"
    second = _expect(http.post(url + "/admin/auth/refresh", timeout=10,
                               headers={"Authorization": f"Bearer {first}"}),
                     200)["data"]["token"]["access_token"]
    _expect(http.post(url + "/admin/auth/logout", timeout=10,
                      headers={"Authorization": f"Bearer {second}"}), 200)
    for dead in (first, second):
        _expect(http.get(url + "/admin/auth/me", timeout=10,
                         headers={"Authorization": f"Bearer {dead}"}), 401)
    return Cycle((first, second))


CYCLE_OF: dict[str, Callable[[str, requests.Session], Cycle]] = {
    "dreamfactory": _dreamfactory_cycle, "directus": _directus_cycle, "paystub": _paystub_cycle,
}
SESSION_TABLE = {"directus": "directus_sessions", "paystub": "paystub_tokens"}


def _mock(request: pytest.FixtureRequest, flavour: str) -> MockFixture:
    mock: MockFixture = request.getfixturevalue(f"{flavour}_mock")
    return mock


def _threads(work: Callable[[requests.Session], list[Cycle]]) -> list[Cycle]:
    def run(_: int) -> list[Cycle]:
        with requests.Session() as http:
            return work(http)

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return [c for cycles in pool.map(run, range(THREADS)) for c in cycles]


@pytest.mark.parametrize("flavour", list(CYCLE_OF))
def test_parallel_session_cycles(request: pytest.FixtureRequest, flavour: str) -> None:
    mock = _mock(request, flavour)
    url, cycle = mock.url, CYCLE_OF[flavour]
    table = SESSION_TABLE.get(flavour)
    before = dict(mock.store.table(table).items()) if table else {}
    cycles = _threads(lambda http: [cycle(url, http) for _ in range(CYCLES)])
    issued = [token for c in cycles for token in c.tokens]
    assert len(cycles) == THREADS * CYCLES
    assert len(set(issued)) == len(issued)  # no session handed out twice
    if table:  # every session was logged out: none lost, none left behind
        assert dict(mock.store.table(table).items()) == before
    statuses = {entry["status"] for entry in mock.journal.entries()}
    assert statuses <= {200, 204, 401, 403}


def _race(go: Callable[[], requests.Response]) -> list[requests.Response]:
    barrier = threading.Barrier(2)

    def one(_: int) -> requests.Response:
        barrier.wait()
        return go()

    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(one, range(2)))


def _one_winner(answers: list[requests.Response], loser: int) -> requests.Response:
    statuses = sorted(a.status_code for a in answers)
    assert statuses == sorted([200, loser]), [a.text[:200] for a in answers]
    return next(a for a in answers if a.status_code == 200)


def test_two_refreshes_of_one_directus_token_json_mode(directus_mock: MockFixture) -> None:
    url = directus_mock.url
    for _ in range(RACES):
        login = requests.post(url + "/auth/login", timeout=10,
                              json={"email": "admin@example.com", "password": "password"})
        token = login.json()["data"]["refresh_token"]
        answers = _race(partial(requests.post, url + "/auth/refresh", timeout=10,
                                json={"refresh_token": token}))
        winner = _one_winner(answers, 401)
        loser = next(a for a in answers if a.status_code == 401)
        assert loser.json()["errors"][0]["extensions"]["code"] == "INVALID_CREDENTIALS"
        new = winner.json()["data"]["refresh_token"]
        again = requests.post(url + "/auth/refresh", json={"refresh_token": new}, timeout=10)
        assert again.status_code == 200  # the winner's token is the one that lives on


def test_two_refreshes_of_one_directus_token_cookie_mode(directus_mock: MockFixture) -> None:
    url = directus_mock.url
    for _ in range(RACES):
        login = requests.post(url + "/auth/login", timeout=10, json={
            "email": "admin@example.com", "password": "password", "mode": "cookie"})
        cookie = login.cookies["directus_refresh_token"]
        assert cookie is not None
        answers = _race(partial(
            requests.post, url + "/auth/refresh", json={"mode": "cookie"}, timeout=10,
            cookies={"directus_refresh_token": cookie}))
        winner = _one_winner(answers, 401)
        assert winner.cookies["directus_refresh_token"] != cookie


def test_two_refreshes_of_one_dreamfactory_token(dreamfactory_mock: MockFixture) -> None:
    url = dreamfactory_mock.url
    for _ in range(RACES):
        login = requests.post(url + DF_LOGIN, headers=DF_KEY, timeout=10,
                              json={"email": "admin@example.com", "password": "yourpassword"})
        token = login.json()["session_token"]
        answers = _race(partial(
            requests.put, url + DF_LOGIN, headers={"X-DreamFactory-Session-Token": token},
            timeout=10))
        _one_winner(answers, 401)
        loser = next(a for a in answers if a.status_code == 401)
        assert loser.json()["error"]["message"] == (
            "Token refresh failed. The token has been blacklisted")


def test_two_refreshes_of_one_paystub_token(paystub_mock: MockFixture) -> None:
    url = paystub_mock.url
    for _ in range(RACES):
        login = requests.post(url + "/admin/auth/login", timeout=10,
                              json={"email": "owner@example.com", "password": "your-password"})
        token = login.json()["data"]["token"]["access_token"]
        answers = _race(partial(
            requests.post, url + "/admin/auth/refresh",
            headers={"Authorization": f"Bearer {token}"}, timeout=10))
        _one_winner(answers, 401)
    assert len(paystub_mock.store.table("paystub_tokens")) == RACES  # one live token per race


@pytest.mark.parametrize("flavour", list(CYCLE_OF))
def test_reset_during_traffic_never_corrupts_state(
    request: pytest.FixtureRequest, flavour: str
) -> None:
    mock = _mock(request, flavour)
    url, cycle = mock.url, CYCLE_OF[flavour]
    fresh = snapshot(mock.store)
    stop = threading.Event()
    outcomes: list[str] = []

    def traffic(http: requests.Session) -> list[Cycle]:
        while not stop.is_set():
            try:
                cycle(url, http)
                outcomes.append("cycle")
            except AssertionError as refused:  # a reset in mid-cycle kills its tokens
                assert " 500," not in str(refused), refused
                outcomes.append("cut")
        return []

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        running = [pool.submit(traffic, requests.Session()) for _ in range(THREADS)]
        for _ in range(40):
            mock.reset()
            threading.Event().wait(0.005)
        stop.set()
        for future in running:
            future.result()
    statuses = {entry["status"] for entry in mock.journal.entries()}
    assert statuses <= {200, 204, 401, 403}
    mock.reset()
    assert snapshot(mock.store) == fresh
    assert outcomes  # the traffic really ran alongside the resets
    CYCLE_OF[flavour](url, requests.Session())  # and the app still works after
