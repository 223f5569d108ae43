"""Paystub: every catalogue error next to the real situation, user matching, user scenarios.

Each real situation is produced first, then the app is reset (throttle counters too) and the
same request is sent again under a rule, so the X-RateLimit-* counts line up.
"""

from __future__ import annotations

from typing import Any

import pytest

from authmock.pytest_plugin import MockFixture
from tests.fault_helpers import REASON, assert_same_bytes
from tests.paystub.helpers import ADMINS, bearer, freeze, json_of, login, token_of, with_settings

OWNER, DEVELOPER = ADMINS["Owner"], ADMINS["Developer"]
SUSPENDED = "suspended@example.com"


@pytest.fixture
def mock(paystub_mock: MockFixture) -> MockFixture:
    freeze(paystub_mock)
    return paystub_mock


def _again(mock: MockFixture) -> None:
    mock.reset()
    freeze(mock)


def test_catalogue(mock: MockFixture) -> None:
    listed = json_of(mock.client.get("/__authmock__/faults/catalogue"))["errors"]
    assert {e["name"]: e["status"] for e in listed} == {
        "unauthenticated": 401, "unauthorized": 403, "too_many_attempts": 429,
        "validation_failed": 422, "login_throttled": 422, "not_found": 404, "server_error": 500,
    }


def test_unauthenticated_is_the_expired_token(mock: MockFixture) -> None:
    token = token_of(mock.client)
    mock.clock.advance("24h")
    real = mock.client.get("/admin/auth/me", headers=bearer(token))
    assert real.status_code == 401
    assert real.headers[REASON] == "token expired at 2025-02-13T10:00:00Z"
    assert mock.client.get("/admin/auth/me").headers[REASON] == "no bearer token"
    _again(mock)
    mock.clock.set("2025-02-13T10:00:00Z")  # the same instant (Date follows the mock clock)
    token = token_of(mock.client)
    mock.faults.add("/admin/auth/me", error="unauthenticated")
    assert_same_bytes(mock.client.get("/admin/auth/me", headers=bearer(token)), real)


def test_unauthorized_is_the_missing_permission(mock: MockFixture) -> None:
    real = mock.client.get("/admin/users", headers=bearer(token_of(mock.client, DEVELOPER)))
    assert real.status_code == 403 and real.headers[REASON] == "missing permission users:list"
    assert "X-RateLimit-Remaining" in real.headers
    _again(mock)
    token = token_of(mock.client, OWNER)
    mock.faults.add("/admin/users", error="unauthorized")
    assert_same_bytes(mock.client.get("/admin/users", headers=bearer(token)), real)


def test_unauthorized_is_the_suspended_admins_login(mock: MockFixture) -> None:
    real = login(mock.client, SUSPENDED)
    assert real.status_code == 403 and real.headers[REASON] == "user Suspended"
    _again(mock)
    mock.faults.add("/admin/auth/login", error="unauthorized")
    assert_same_bytes(login(mock.client, OWNER), real)


@pytest.mark.authmock(fixtures=with_settings(api_rate_limit=2))
def test_too_many_attempts_is_the_real_throttle(paystub_mock: MockFixture) -> None:
    freeze(paystub_mock)
    client = paystub_mock.client
    for _ in range(2):
        assert client.get("/admin/auth/me").status_code == 401  # a 401 is not counted
    token = token_of(client)
    for _ in range(2):  # per user: two allowed, then refused
        assert client.get("/admin/auth/me", headers=bearer(token)).status_code == 200
    real = client.get("/admin/auth/me", headers=bearer(token))
    assert real.status_code == 429 and real.headers[REASON] == "rate limited: 2 requests per 60s"
    _again(paystub_mock)
    token = token_of(client)
    paystub_mock.faults.add("/admin/auth/me", error="too_many_attempts")
    assert_same_bytes(client.get("/admin/auth/me", headers=bearer(token)), real)


def test_validation_failed_is_the_wrong_password(mock: MockFixture) -> None:
    real = login(mock.client, OWNER, "wrong")
    assert real.status_code == 422 and real.headers[REASON] == "wrong password"
    _again(mock)
    mock.faults.add("/admin/auth/login", error="validation_failed")
    assert_same_bytes(login(mock.client, OWNER), real)


def test_login_throttled_is_the_sixth_failure(mock: MockFixture) -> None:
    for _ in range(5):
        login(mock.client, OWNER, "wrong")
    real = login(mock.client, OWNER, "wrong")
    assert real.headers[REASON] == "login locked for 60s after 5 failures"
    _again(mock)
    for _ in range(5):
        login(mock.client, DEVELOPER, "wrong")  # the same request count, another throttle key
    mock.faults.add("/admin/auth/login", error="login_throttled")
    assert_same_bytes(login(mock.client, OWNER), real)


def test_not_found_and_server_error(mock: MockFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    real = mock.client.get("/admin/nothing-here")
    assert real.headers[REASON] == "unknown route"
    mock.faults.add("/admin/nothing-here", error="not_found")
    assert_same_bytes(mock.client.get("/admin/nothing-here"), real)
    _again(mock)
    token = token_of(mock.client)
    from authmock.flavours.paystub import routes

    def explode(*_: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(routes, "user_json", explode)
    real = mock.client.get("/admin/auth/me", headers=bearer(token))
    monkeypatch.undo()
    _again(mock)
    token = token_of(mock.client)
    mock.faults.add("/admin/auth/me", error="server_error")
    assert_same_bytes(mock.client.get("/admin/auth/me", headers=bearer(token)), real)


def test_route_stage_error_still_needs_the_middleware_to_pass(mock: MockFixture) -> None:
    """An `unauthorized` rule replaces the controller: without a token, auth:sanctum answers."""
    mock.faults.add("/admin/users", error="unauthorized")
    assert mock.client.get("/admin/users").status_code == 401
    assert mock.journal.entries()[-1]["fault"] == 1


# --- match.user --------------------------------------------------------------------------------
def test_user_match(mock: MockFixture) -> None:
    client = mock.client
    owner, developer = token_of(client, OWNER), token_of(client, DEVELOPER)
    mock.faults.add("/admin/**", user=DEVELOPER, error="unauthenticated", times=None)
    assert client.get("/admin/auth/me", headers=bearer(owner)).status_code == 200
    assert client.get("/admin/auth/me", headers=bearer(developer)).status_code == 401
    assert login(client, DEVELOPER.upper()).status_code == 401
    form = client.post("/admin/auth/login", data={"email": DEVELOPER, "password": "x"})
    assert form.status_code == 401
    assert login(client, OWNER).status_code == 200
    form_ok = client.post("/admin/auth/login", data={"email": OWNER, "password": "your-password"})
    assert form_ok.status_code == 200  # reading the e-mail left the body to the controller
    assert mock.journal.entries()[-1]["user"] == OWNER
    mock.clock.advance("25h")  # an expired token still belongs to its owner
    assert client.get("/admin/auth/me", headers=bearer(owner)).status_code == 401
    assert mock.journal.entries()[-1]["user"] == OWNER


# --- user scenarios -------------------------------------------------------------------------------
def test_expire_and_revoke_sessions(mock: MockFixture) -> None:
    client = mock.client
    first, second = token_of(client), token_of(client)
    assert mock.users.expire_sessions(OWNER)["tokens"] == 2
    expired = client.get("/admin/auth/me", headers=bearer(first))
    assert expired.status_code == 401
    assert expired.headers[REASON] == "token expired at 2025-02-12T10:00:00Z"
    third = token_of(client)
    assert client.get("/admin/auth/me", headers=bearer(third)).status_code == 200
    response = client.post("/__authmock__/users/owner@example.com/revoke-sessions")
    assert response.json == {"email": OWNER, "scenario": "revoke-sessions", "tokens": 3}
    refused = client.get("/admin/auth/me", headers=bearer(third))
    assert refused.status_code == 401 and refused.headers[REASON] == "unknown or revoked token"
    del second


def test_status_and_lockout(mock: MockFixture) -> None:
    client = mock.client
    bad = client.post("/__authmock__/users/owner@example.com/status", json={"status": "gone"})
    assert bad.status_code == 400
    assert bad.json == {"error": '"status" must be one of: Active, Suspended, Inactive'}
    mock.users.status(OWNER, "Suspended")
    real_suspended = login(client, SUSPENDED)
    ours = login(client, OWNER)
    assert (ours.status_code, ours.get_data()) == (
        real_suspended.status_code, real_suspended.get_data()
    )
    mock.users.status(OWNER, "Active")
    locked = client.post("/__authmock__/users/owner@example.com/lockout")
    assert locked.json == {"email": OWNER, "scenario": "lockout", "locked_for_seconds": 60,
                           "ip": "127.0.0.1"}
    refused = login(client, OWNER)
    assert refused.status_code == 422
    assert refused.json["errors"] == {
        "email": ["Too many login attempts. Please try again in 60 seconds."]
    }
    mock.clock.advance("61s")
    assert login(client, OWNER).status_code == 200
    assert client.post("/__authmock__/users/nobody@example.com/lockout").status_code == 404


def test_validation_refusals_name_the_fields(mock: MockFixture) -> None:
    response = mock.client.post("/admin/auth/login", json={"email": "not-an-email"})
    assert response.status_code == 422
    assert response.headers[REASON] == "invalid email, password"
