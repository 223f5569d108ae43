"""How to: make rare failures happen on demand, and check what your client called.

Fault rules (``mock.faults.add(...)`` or ``POST /__authmock__/faults``) make the next matching
request fail with one of the product's own errors, a response of your own, a delay, or a
dropped connection. User scenarios (``mock.users.<verb>(email)``) put a user in a state the
product can reach (sessions expired or revoked, suspended, locked out). The journal answers
"was it called, how often, by whom". Every 4xx carries ``X-Authmock-Reason`` saying why.
"""

from __future__ import annotations

import time

import pytest
import requests

from authmock.pytest_plugin import MockFixture

LOGIN = {"email": "hello@example.com", "password": "d1r3ctu5"}


def refresh_with_retry(base: str, refresh_token: str) -> dict[str, str]:
    """A client under test: refresh, and on TOKEN_EXPIRED log in again (once)."""
    answer = requests.post(f"{base}/auth/refresh", json={"refresh_token": refresh_token},
                           timeout=5)
    if (answer.status_code == 401
            and answer.json()["errors"][0]["extensions"]["code"] == "TOKEN_EXPIRED"):
        answer = requests.post(f"{base}/auth/login", json=LOGIN, timeout=5)
    answer.raise_for_status()
    data: dict[str, str] = answer.json()["data"]
    return data


def test_the_next_refresh_fails_with_token_expired(directus_mock: MockFixture) -> None:
    base = directus_mock.url
    tokens = requests.post(f"{base}/auth/login", json=LOGIN, timeout=5).json()["data"]

    # The next POST /auth/refresh answers exactly what Directus sends for an expired token.
    directus_mock.faults.add("/auth/refresh", method="POST", error="TOKEN_EXPIRED")
    assert refresh_with_retry(base, tokens["refresh_token"])["access_token"]

    # ... and the client logged in again exactly once.
    directus_mock.journal.assert_called("POST", "/auth/refresh", times=1, status=401)
    directus_mock.journal.assert_called("POST", "/auth/login", times=2)


def test_the_server_is_unreachable_once(directus_mock: MockFixture) -> None:
    base = directus_mock.url
    rule = directus_mock.faults.add("/auth/login", drop=True)
    with rule, pytest.raises(requests.ConnectionError):  # the rule is removed after the block
        requests.post(f"{base}/auth/login", json=LOGIN, timeout=5)
    assert requests.post(f"{base}/auth/login", json=LOGIN, timeout=5).status_code == 200


def test_a_slow_server_hits_the_client_timeout(paystub_mock: MockFixture) -> None:
    paystub_mock.faults.add("/admin/auth/login", delay_ms=300)  # the real answer, 300 ms late
    with pytest.raises(requests.Timeout):
        requests.post(f"{paystub_mock.url}/admin/auth/login", timeout=0.1,
                      json={"email": "owner@example.com", "password": "your-password"})
    # The server still answers, late: let it finish before the next test resets the fake
    # (polling for the server's thread, not waiting for an expiry).
    deadline = time.monotonic() + 5
    journal = paystub_mock.journal
    while not journal.count("POST", "/admin/auth/login") and time.monotonic() < deadline:
        time.sleep(0.01)
    paystub_mock.journal.assert_called("POST", "/admin/auth/login", times=1, status=200)


def test_rules_over_http_from_any_language(dreamfactory_mock: MockFixture) -> None:
    control = f"{dreamfactory_mock.url}/__authmock__"
    # What may a rule send? The flavour's catalogue of named errors:
    catalogue = requests.get(f"{control}/faults/catalogue", timeout=5).json()
    names = [e["name"] for e in catalogue["errors"]]
    assert "token_expired" in names

    rule = requests.post(f"{control}/faults", timeout=5, json={
        "match": {"method": "GET", "path": "/api/v2/db/_table/*", "user": "user@example.com"},
        "error": "token_expired", "times": 2, "after": 1,
    }).json()
    assert (rule["id"], rule["remaining"]) == (1, 2)

    key = {
        "X-DreamFactory-API-Key": "fd163cde17b13893ac36debe5a0a694313592f4032638457f65dfb04df4f7f89"
    }
    session = requests.post(f"{dreamfactory_mock.url}/api/v2/user/session", headers=key, timeout=5,
                            json={"email": "user@example.com", "password": "yourpassword"}).json()
    headers = {**key, "X-DreamFactory-Session-Token": session["session_token"]}
    statuses = [
        requests.get(f"{dreamfactory_mock.url}/api/v2/db/_table/contacts", headers=headers,
                     timeout=5).status_code
        for _ in range(4)
    ]
    assert statuses == [200, 401, 401, 200]  # skipped one, acted on two

    assert requests.delete(f"{control}/faults", timeout=5).status_code == 204
    # the journal, filtered: who called what, which rule answered, and why
    calls = requests.get(f"{control}/journal?path=/api/v2/db/**&status=401", timeout=5).json()
    assert [(c["user"], c["fault"], c["reason"]) for c in calls["requests"]] == [
        ("user@example.com", 1, "fault rule 1"), ("user@example.com", 1, "fault rule 1"),
    ]


def test_logged_out_everywhere_means_the_client_logs_in_again(paystub_mock: MockFixture) -> None:
    client = paystub_mock.client
    login = {"email": "owner@example.com", "password": "your-password"}
    token = client.post("/admin/auth/login", json=login).get_json()["data"]["token"]["access_token"]

    paystub_mock.users.revoke_sessions("owner@example.com")  # as logging out on every device

    me = client.get("/admin/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 401
    assert me.headers["X-Authmock-Reason"] == "unknown or revoked token"  # not sent by Paystub


def test_a_locked_out_user_cannot_refresh(directus_mock: MockFixture) -> None:
    client = directus_mock.client
    refresh_token = client.post("/auth/login", json=LOGIN).get_json()["data"]["refresh_token"]
    directus_mock.users.lockout("hello@example.com")  # as too many failed logins would
    answer = client.post("/auth/refresh", json={"refresh_token": refresh_token})
    assert answer.get_json()["errors"][0]["extensions"]["code"] == "USER_SUSPENDED"
    directus_mock.users.status("hello@example.com", "active")  # an admin lifts it
    assert client.post("/auth/login", json=LOGIN).status_code == 200


@pytest.mark.authmock(faults=[{"match": {"path": "/users/me"}, "respond": {
    "status": 503, "headers": {"Retry-After": "1"}, "json": {"maintenance": True}}}])
def test_a_marker_installs_rules_for_one_test(directus_mock: MockFixture) -> None:
    answer = directus_mock.client.get("/users/me",
                                      headers={"Authorization": "Bearer admin-static-token"})
    assert (answer.status_code, answer.get_json()) == (503, {"maintenance": True})
    directus_mock.journal.assert_not_called("GET", "/auth/**")
