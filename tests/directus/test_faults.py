"""Directus: every catalogue error next to the real situation, user matching, user scenarios."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

import authmock
from authmock.flavours.directus import users
from authmock.pytest_plugin import MockFixture
from tests.directus.helpers import (
    ADMIN,
    HELLO,
    PASSWORDS,
    STATIC_TOKEN,
    SUSPENDED,
    T0,
    TFA,
    bearer,
    error,
    json_of,
    login,
    tokens,
    with_settings,
)
from tests.fault_helpers import REASON, assert_same_bytes, wire


@pytest.fixture
def mock(directus_mock: MockFixture) -> MockFixture:
    directus_mock.clock.set(T0)
    directus_mock.clock.freeze()
    return directus_mock


def _me(client: FlaskClient, token: str) -> TestResponse:
    return client.get("/users/me", headers=bearer(token))


def test_catalogue_lists_every_named_error(mock: MockFixture) -> None:
    listed = json_of(mock.client.get("/__authmock__/faults/catalogue"))["errors"]
    assert {e["name"]: e["status"] for e in listed} == {
        "TOKEN_EXPIRED": 401, "INVALID_CREDENTIALS": 401, "INVALID_OTP": 401,
        "INVALID_TOKEN": 403, "USER_SUSPENDED": 401, "FORBIDDEN": 403, "INVALID_PAYLOAD": 400,
        "REQUESTS_EXCEEDED": 429, "SERVICE_UNAVAILABLE": 503, "ROUTE_NOT_FOUND": 404,
        "INTERNAL_SERVER_ERROR": 500,
    }
    assert all(e["description"] for e in listed)


# --- each catalogue error against the real situation ----------------------------------------
def test_token_expired_is_the_really_expired_token(mock: MockFixture) -> None:
    client = mock.client
    old = tokens(client)["access_token"]
    mock.clock.advance("16m")
    real = _me(client, old)
    assert real.headers[REASON] == "token expired at 2026-11-22T08:15:00.000Z"
    fresh = tokens(client)["access_token"]
    mock.faults.add("/users/me", error="TOKEN_EXPIRED")
    assert_same_bytes(_me(client, fresh), real)
    assert _me(client, fresh).status_code == 200


def test_invalid_credentials_is_the_wrong_password(mock: MockFixture) -> None:
    real = login(mock.client, ADMIN, "wrong")
    assert real.headers[REASON] == "wrong password"
    mock.faults.add("/auth/login", method="POST", error="INVALID_CREDENTIALS")
    assert_same_bytes(login(mock.client, ADMIN), real)


def test_invalid_credentials_clears_a_session_cookie_as_the_real_one_does(
    mock: MockFixture,
) -> None:
    client = mock.client
    assert login(client, ADMIN, mode="session").status_code == 200
    mock.users.revoke_sessions(ADMIN)
    real = client.get("/users/me")
    assert error(real)[2] == "INVALID_CREDENTIALS" and "Set-Cookie" in real.headers
    assert real.headers[REASON] == "session unknown or revoked by logout"
    assert login(client, ADMIN, mode="session").status_code == 200
    mock.faults.add("/users/me", error="INVALID_CREDENTIALS")
    assert_same_bytes(client.get("/users/me"), real)


def test_invalid_otp_is_the_missing_code(mock: MockFixture) -> None:
    real = login(mock.client, TFA)
    assert error(real)[2] == "INVALID_OTP" and real.headers[REASON] == "missing otp"
    mock.faults.add("/auth/login", error="INVALID_OTP")
    assert_same_bytes(login(mock.client, TFA, otp=mock.otp(TFA)), real)


def test_invalid_token_is_the_badly_signed_token(mock: MockFixture) -> None:
    client = mock.client
    good = tokens(client)["access_token"]
    real = _me(client, good[:-3] + ("AAA" if not good.endswith("AAA") else "BBB"))
    assert error(real)[2] == "INVALID_TOKEN" and real.headers[REASON] == "bad token signature"
    mock.faults.add("/users/me", error="INVALID_TOKEN")
    assert_same_bytes(_me(client, good), real)


def test_user_suspended_is_the_refresh_of_a_suspended_user(mock: MockFixture) -> None:
    client = mock.client
    refresh = tokens(client, HELLO)["refresh_token"]
    mock.users.lockout(HELLO)  # as the login-attempt limit: the sessions stay
    real = client.post("/auth/refresh", json={"refresh_token": refresh})
    assert error(real)[2] == "USER_SUSPENDED" and real.headers[REASON] == "user suspended"
    mock.users.status(HELLO, "active")
    refresh = tokens(client, HELLO)["refresh_token"]
    mock.faults.add("/auth/refresh", error="USER_SUSPENDED")
    assert_same_bytes(client.post("/auth/refresh", json={"refresh_token": refresh}), real)


def test_forbidden_is_the_reset_with_a_token_of_another_scope(mock: MockFixture) -> None:
    body = {"token": tokens(mock.client)["access_token"], "password": "new-password"}
    real = mock.client.post("/auth/password/reset", json=body)
    assert error(real)[2] == "FORBIDDEN"
    mock.faults.add("/users/me", error="FORBIDDEN")
    faulted = _me(mock.client, STATIC_TOKEN)
    assert_same_bytes(faulted, real)


def test_invalid_payload_is_the_refresh_without_a_token(mock: MockFixture) -> None:
    real = mock.client.post("/auth/refresh", json={})
    assert error(real)[2] == "INVALID_PAYLOAD"
    refresh = tokens(mock.client)["refresh_token"]
    mock.faults.add("/auth/refresh", error="INVALID_PAYLOAD")
    assert_same_bytes(mock.client.post("/auth/refresh", json={"refresh_token": refresh}), real)


def test_requests_exceeded_is_the_real_rate_limiter() -> None:
    fixture = with_settings(RATE_LIMITER_ENABLED=True, RATE_LIMITER_POINTS=2,
                            RATE_LIMITER_DURATION=30)
    app = authmock.create_app("directus", fixtures=fixture)
    app.mock.clock.set(T0)
    app.mock.clock.freeze()
    client = app.test_client()
    ip = {"X-Forwarded-For": "10.0.0.1"}
    for _ in range(2):
        assert client.get("/users/me", headers={**ip, **bearer(STATIC_TOKEN)}).status_code == 200
    real = client.get("/users/me", headers={**ip, **bearer(STATIC_TOKEN)})
    assert error(real)[2] == "REQUESTS_EXCEEDED" and real.headers["Retry-After"] == "30"
    assert real.headers[REASON] == "rate limited: 2 requests per 30.0s"
    app.mock.faults.add("/users/me", error="REQUESTS_EXCEEDED")
    faulted = client.get(
        "/users/me", headers={"X-Forwarded-For": "10.0.0.2", **bearer(STATIC_TOKEN)}
    )
    assert_same_bytes(faulted, real)


def test_service_unavailable_has_the_reference_text(mock: MockFixture) -> None:
    mock.faults.add("/auth/login", error="SERVICE_UNAVAILABLE")
    faulted = login(mock.client, ADMIN)
    assert error(faulted) == (
        503, 'Service "authentication" is unavailable. Rate limiter unreachable.',
        "SERVICE_UNAVAILABLE", {"service": "authentication", "reason": "Rate limiter unreachable"},
    )
    assert REASON not in faulted.headers  # a 5xx, not a refusal


def test_route_not_found_names_the_path_as_the_real_one(mock: MockFixture) -> None:
    real = mock.client.get("/no/such/route")
    assert real.headers[REASON] == "unknown route"
    mock.faults.add("/users/**", error="ROUTE_NOT_FOUND")
    faulted = _me(mock.client, STATIC_TOKEN)
    assert faulted.get_data() != real.get_data()
    assert error(faulted) == (404, "Route /users/me doesn't exist.", "ROUTE_NOT_FOUND",
                              {"path": "/users/me"})
    assert [k for k, _ in faulted.headers.items()] == [k for k, _ in real.headers.items()]


def test_internal_server_error_is_the_unexpected_exception(
    mock: MockFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*_: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(users, "read_me", explode)
    real = _me(mock.client, STATIC_TOKEN)
    monkeypatch.undo()
    mock.faults.add("/users/me", error="INTERNAL_SERVER_ERROR")
    assert_same_bytes(_me(mock.client, STATIC_TOKEN), real)


# --- match.user with every credential kind -------------------------------------------------------
@pytest.mark.parametrize(
    "send",
    [
        lambda c, t, _: c.get("/users/me", headers=bearer(t["access_token"])),
        lambda c, t, _: c.get(f"/users/me?access_token={t['access_token']}"),
        lambda c, t, _: c.post("/auth/refresh", json={"refresh_token": t["refresh_token"]}),
        lambda c, _, email: login(c, email.upper(), PASSWORDS[email]),
    ],
    ids=["bearer-jwt", "query-token", "refresh-in-body", "login-email"],
)
def test_user_match_sees_every_credential_kind(
    mock: MockFixture, send: Callable[[FlaskClient, dict[str, Any], str], TestResponse]
) -> None:
    client = mock.client
    hello, admin = tokens(client, HELLO), tokens(client, ADMIN)
    mock.faults.add("/**", user=HELLO, error="TOKEN_EXPIRED", times=None)
    assert send(client, admin, ADMIN).status_code == 200
    assert error(send(client, hello, HELLO))[2] == "TOKEN_EXPIRED"


def test_user_match_with_static_token_and_cookies(mock: MockFixture) -> None:
    client = mock.client
    mock.faults.add("/**", user=ADMIN, error="FORBIDDEN", times=None)
    assert _me(client, STATIC_TOKEN).status_code == 403
    other = mock.app.test_client()
    assert login(other, HELLO, mode="session").status_code == 200
    assert other.get("/users/me").status_code == 200  # session cookie of hello
    assert login(other, HELLO, mode="cookie").status_code == 200
    assert other.post("/auth/refresh", json={"mode": "cookie"}).status_code == 200
    entries = mock.journal.entries(path="/users/me")
    assert [e["user"] for e in entries] == [ADMIN, HELLO]


# --- user scenarios ---------------------------------------------------------------------------
def test_expire_sessions_gets_the_products_own_expiry_errors(mock: MockFixture) -> None:
    client = mock.client
    issued = tokens(client, HELLO)
    expired_for_real = tokens(client, ADMIN)["access_token"]
    result = mock.users.expire_sessions(HELLO)
    assert result == {"email": HELLO, "scenario": "expire-sessions", "sessions": 1, "tokens": 1}
    faulted = _me(client, issued["access_token"])
    assert faulted.headers[REASON] == "token expired by the expire-sessions scenario"
    mock.clock.advance("16m")
    real = _me(client, expired_for_real)
    assert (faulted.status, faulted.get_data()) == (real.status, real.get_data())
    refused = client.post("/auth/refresh", json={"refresh_token": issued["refresh_token"]})
    assert error(refused)[2] == "INVALID_CREDENTIALS"
    assert refused.headers[REASON] == "refresh token expired at 2026-11-22T07:59:59.000Z"
    assert tokens(client, HELLO)["access_token"]  # a new login works


def test_revoke_sessions_is_logging_out_everywhere(mock: MockFixture) -> None:
    client = mock.client
    first, second = tokens(client, HELLO), tokens(client, HELLO)
    response = client.post("/__authmock__/users/hello@example.com/revoke-sessions")
    assert response.json == {"email": HELLO, "scenario": "revoke-sessions", "sessions": 2}
    for issued in (first, second):
        refused = client.post("/auth/refresh", json={"refresh_token": issued["refresh_token"]})
        assert error(refused)[2] == "INVALID_CREDENTIALS"


def test_status_and_lockout(mock: MockFixture) -> None:
    client = mock.client
    bad = client.post("/__authmock__/users/hello@example.com/status", json={"status": "asleep"})
    assert bad.status_code == 400
    assert json_of(bad)["error"] == (
        '"status" must be one of: active, invited, draft, suspended, archived, unverified'
    )
    assert login(client, HELLO).status_code == 200  # nothing changed
    refresh = tokens(client, HELLO)["refresh_token"]
    archived = client.post(
        "/__authmock__/users/hello@example.com/status", json={"status": "archived"}
    )
    assert json_of(archived)["status"] == "archived"
    gone = client.post(
        "/auth/refresh", json={"refresh_token": refresh}
    )  # as UsersService ends them
    assert error(gone)[2] == "INVALID_CREDENTIALS"
    refused = login(client, HELLO)
    assert error(refused)[2] == "INVALID_CREDENTIALS" and refused.headers[REASON] == "user archived"
    mock.users.status(HELLO, "active")
    mock.users.lockout(HELLO)
    assert error(login(client, HELLO))[2] == "INVALID_CREDENTIALS"
    real = authmock.create_app("directus", fixtures=with_settings(auth_login_attempts=1))
    real_client = real.test_client()
    login(real_client, HELLO, "wrong")
    login(real_client, HELLO, "wrong")
    api: Any = real.extensions["authmock.directus"]
    ours: Any = mock.app.extensions["authmock.directus"]
    assert api.svc.user_by_email(HELLO)["status"] == ours.svc.user_by_email(HELLO)["status"]
    assert client.post("/__authmock__/users/nobody@example.com/lockout").status_code == 404
    assert login(client, SUSPENDED).status_code == 401


# --- the live server ---------------------------------------------------------------------------
def test_times_after_and_drop_on_the_live_server(directus_mock: MockFixture) -> None:
    import threading

    import requests

    url = f"{directus_mock.url}/users/me"
    headers = bearer(STATIC_TOKEN)
    directus_mock.faults.add("/users/me", error="TOKEN_EXPIRED", after=3, times=5)
    statuses: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        with requests.Session() as session:
            for _ in range(5):
                status = session.get(url, headers=headers, timeout=10).status_code
                with lock:
                    statuses.append(status)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] * 35 + [401] * 5
    directus_mock.journal.assert_called("GET", "/users/me", times=5, status=401, user=ADMIN)

    directus_mock.faults.add("/users/me", drop=True)
    with pytest.raises(requests.ConnectionError):
        requests.get(url, headers=headers, timeout=10)
    assert requests.get(url, headers=headers, timeout=10).status_code == 200


def test_a_fixture_reload_keeps_rules_and_expired_tokens(tmp_path: Any) -> None:
    import io
    import json

    from authmock.watch import FixtureWatcher, Watched

    path = tmp_path / "directus.json"
    data = with_settings()
    path.write_text(json.dumps(data))
    with authmock.run_in_thread("directus", fixtures=str(path)) as server:
        watcher = FixtureWatcher(
            [
                Watched(
                    str(path), server, lambda: authmock.create_app("directus", fixtures=str(path))
                )
            ],
            out=io.StringIO(),
            err=io.StringIO(),
        )
        client = server.app.test_client()
        token = tokens(client, HELLO)["access_token"]
        server.users.expire_sessions(HELLO)
        server.faults.add("/users/me", user=ADMIN, error="FORBIDDEN", times=2, after=1)
        assert _me(client, STATIC_TOKEN).status_code == 200  # skipped: after=1
        data["users"][0] = {**data["users"][0], "first_name": "Renamed"}
        path.write_text(json.dumps(data) + " ")
        watcher.check()
        client = server.app.test_client()
        assert [r.to_json()["remaining"] for r in server.faults.rules()] == [2]
        assert _me(client, STATIC_TOKEN).status_code == 403
        assert error(_me(client, token))[2] == "TOKEN_EXPIRED"
        assert server.faults.add("/x", drop=True)["id"] == 2


def test_a_graphql_operation_gets_the_resolvers_answer(mock: MockFixture) -> None:
    query = ("mutation ($email: String!, $password: String!) "
             "{ auth_login(email: $email, password: $password) { access_token } }")
    real = mock.client.post("/graphql/system", json={
        "query": query, "variables": {"email": HELLO, "password": "wrong"}})
    assert real.status_code == 200 and json_of(real)["errors"][0]["extensions"]["code"] == (
        "INVALID_CREDENTIALS")
    mock.faults.add("/graphql/system", operation="auth_login", error="INVALID_CREDENTIALS")
    faulted = mock.client.post("/graphql/system", json={
        "query": query, "variables": {"email": HELLO, "password": PASSWORDS[HELLO]}})
    assert wire(faulted) == wire(real)  # a 200: no reason header on either
    assert mock.journal.entries()[-1]["fault"] == 1
