"""DreamFactory: every catalogue error next to the real situation, user matching, scenarios."""

from __future__ import annotations

from typing import Any

import pytest

from authmock.pytest_plugin import MockFixture
from tests.dreamfactory.helpers import (
    ADMIN,
    ADMIN_KEY,
    ADMIN_LOGIN,
    FRONTEND_KEY,
    INACTIVE,
    USER,
    USER_LOGIN,
    bundled,
    error,
    freeze,
    headers,
    json_of,
    login,
    token_of,
)
from tests.fault_helpers import REASON, assert_same_bytes

CONTACTS = "/api/v2/db/_table/contacts"


@pytest.fixture
def mock(dreamfactory_mock: MockFixture) -> MockFixture:
    freeze(dreamfactory_mock)
    return dreamfactory_mock


def _contacts(mock: MockFixture, token: str | None, key: str = FRONTEND_KEY) -> Any:
    return mock.client.get(CONTACTS, headers=headers(key, token))


def test_catalogue(mock: MockFixture) -> None:
    listed = json_of(mock.client.get("/__authmock__/faults/catalogue"))["errors"]
    assert [e["name"] for e in listed] == [
        "token_expired", "token_blacklisted", "token_invalid", "invalid_credentials",
        "session_required", "no_valid_session", "user_not_active", "role_not_active",
        "app_not_active", "no_api_key", "forbidden", "not_found", "server_error",
    ]


def test_token_expired(mock: MockFixture) -> None:
    old = token_of(mock.client, USER, key=FRONTEND_KEY)
    mock.clock.advance("1441m")
    real = _contacts(mock, old)
    assert error(real)[0] == 401 and real.headers[REASON].startswith("token expired at 2026-02-19T")
    fresh = token_of(mock.client, USER, key=FRONTEND_KEY)
    mock.faults.add(CONTACTS, error="token_expired")
    assert_same_bytes(_contacts(mock, fresh), real)


def test_token_blacklisted(mock: MockFixture) -> None:
    token = token_of(mock.client, USER, key=FRONTEND_KEY)
    assert mock.client.delete(USER_LOGIN, headers=headers(FRONTEND_KEY, token)).status_code == 200
    real = _contacts(mock, token)
    assert real.headers[REASON] == "token revoked by logout"
    fresh = token_of(mock.client, USER, key=FRONTEND_KEY)
    mock.faults.add(CONTACTS, error="token_blacklisted")
    assert_same_bytes(_contacts(mock, fresh), real)


def test_token_invalid(mock: MockFixture) -> None:
    token = token_of(mock.client, USER, key=FRONTEND_KEY)
    real = _contacts(mock, token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    assert real.headers[REASON] == "bad token: Token Signature could not be verified."
    mock.faults.add(CONTACTS, error="token_invalid")
    assert_same_bytes(_contacts(mock, token), real)


def test_invalid_credentials(mock: MockFixture) -> None:
    real = login(mock.client, ADMIN, "wrong")
    assert real.headers[REASON] == "wrong password"
    assert login(mock.client, "nobody@example.com").headers[REASON] == "unknown user"
    mock.faults.add(ADMIN_LOGIN, method="POST", error="invalid_credentials")
    assert_same_bytes(login(mock.client, ADMIN), real)


def test_session_required(mock: MockFixture) -> None:
    real = mock.client.get("/api/v2/system/app", headers=headers(FRONTEND_KEY))
    mock.faults.add("/api/v2/system/app", error="session_required")
    admin = token_of(mock.client)
    apps = mock.client.get("/api/v2/system/app", headers=headers(ADMIN_KEY, admin))
    assert_same_bytes(apps, real)


def test_no_valid_session(mock: MockFixture) -> None:
    real = mock.client.get(USER_LOGIN, headers=headers(FRONTEND_KEY))
    assert error(real) == (401, "There is no valid session for the current request.")
    token = token_of(mock.client, USER, key=FRONTEND_KEY)
    mock.faults.add(USER_LOGIN, method="GET", error="no_valid_session")
    assert_same_bytes(mock.client.get(USER_LOGIN, headers=headers(FRONTEND_KEY, token)), real)


def test_user_not_active(mock: MockFixture) -> None:
    token = token_of(mock.client, USER, key=FRONTEND_KEY)
    users = mock.store.table("df_users")
    users.put(2, {**users[2], "is_active": False})  # behind DreamFactory's back
    real = _contacts(mock, token)
    users.put(2, {**users[2], "is_active": True})
    mock.faults.add(CONTACTS, error="user_not_active")
    assert_same_bytes(_contacts(mock, token), real)


def _toggled(target: str, name: str) -> dict[str, Any]:
    data = bundled()
    for row in data[target]:
        if row["name"] == name:
            row["is_active"] = False
    return data


@pytest.mark.authmock(fixtures=_toggled("roles", "user"))
def test_role_not_active(dreamfactory_mock: MockFixture) -> None:
    freeze(dreamfactory_mock)
    real = login(dreamfactory_mock.client, USER, key=FRONTEND_KEY)
    assert error(real) == (403, "Role is not active.")
    dreamfactory_mock.faults.add(ADMIN_LOGIN, error="role_not_active")
    assert_same_bytes(login(dreamfactory_mock.client, ADMIN), real)


@pytest.mark.authmock(fixtures=_toggled("apps", "frontend"))
def test_app_not_active(dreamfactory_mock: MockFixture) -> None:
    freeze(dreamfactory_mock)
    real = _contacts(dreamfactory_mock, None)
    assert error(real) == (403, "App is not active.")
    dreamfactory_mock.faults.add(CONTACTS, error="app_not_active")
    assert_same_bytes(_contacts(dreamfactory_mock, None, ADMIN_KEY), real)


def test_no_api_key(mock: MockFixture) -> None:
    token = token_of(mock.client, USER, key=FRONTEND_KEY)
    real = mock.client.get(CONTACTS, headers=headers(token=token))
    mock.faults.add(CONTACTS, error="no_api_key")
    assert_same_bytes(_contacts(mock, token), real)


@pytest.mark.parametrize("path", [CONTACTS + "/1", "/api/v2/system/app", "/api/v2/files"])
def test_forbidden_names_the_requests_verb_service_and_component(
    mock: MockFixture, path: str
) -> None:
    token = token_of(mock.client, USER, key=FRONTEND_KEY)
    real = mock.client.delete(path, headers=headers(FRONTEND_KEY, token))
    assert error(real)[0] == 403 and real.headers[REASON].startswith("missing permission DELETE ")
    admin = token_of(mock.client)
    mock.faults.add(path, error="forbidden")
    assert_same_bytes(mock.client.delete(path, headers=headers(ADMIN_KEY, admin)), real)


def test_not_found_and_server_error(mock: MockFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    real = mock.client.get("/nowhere/at/all")
    assert real.headers[REASON] == "unknown route"
    mock.faults.add("/nowhere/at/all", error="not_found")
    assert_same_bytes(mock.client.get("/nowhere/at/all"), real)
    from authmock.flavours.dreamfactory import routes

    def explode(*_: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(routes, "dispatch", explode)
    real = _contacts(mock, None)
    monkeypatch.undo()
    mock.faults.add(CONTACTS, error="server_error")
    assert_same_bytes(_contacts(mock, None), real)


# --- match.user ---------------------------------------------------------------------------------
def test_user_match_over_every_credential_kind(mock: MockFixture) -> None:
    client = mock.client
    token = token_of(client, USER, key=FRONTEND_KEY)
    admin = token_of(client)
    mock.faults.add("/api/**", user=USER, error="token_expired", times=None)
    assert _contacts(mock, admin, ADMIN_KEY).status_code == 200
    assert _contacts(mock, token).status_code == 401
    bearer = {"X-DreamFactory-API-Key": FRONTEND_KEY, "Authorization": f"Bearer {token}"}
    assert client.get(CONTACTS, headers=bearer).status_code == 401
    assert client.get(f"{CONTACTS}?session_token={token}&api_key={FRONTEND_KEY}").status_code == 401
    import base64

    basic = base64.b64encode(b"user@example.com:yourpassword").decode()
    assert client.get(CONTACTS, headers={"X-DreamFactory-API-Key": FRONTEND_KEY,
                                         "Authorization": f"Basic {basic}"}).status_code == 401
    assert login(client, "USER@example.com", key=FRONTEND_KEY).status_code == 401
    assert login(client, ADMIN).status_code == 200
    assert mock.journal.count(user=USER) == 6  # the first login included


# --- user scenarios -------------------------------------------------------------------------------
def test_expire_sessions_is_the_products_expiry(mock: MockFixture) -> None:
    client = mock.client
    token = token_of(client, USER, key=FRONTEND_KEY)
    assert mock.users.expire_sessions(USER)["tokens"] == 1
    faulted = _contacts(mock, token)
    assert faulted.headers[REASON] == "token expired by the expire-sessions scenario"
    mock.clock.advance("1441m")
    real_token = token_of(client, USER, key=FRONTEND_KEY)
    mock.clock.advance("1441m")
    real = _contacts(mock, real_token)
    assert (faulted.status, faulted.get_data()) == (real.status, real.get_data())
    # as with a really expired token, the refresh window still allows a refresh
    refreshed = client.put(USER_LOGIN, headers=headers(FRONTEND_KEY, token))
    assert refreshed.status_code == 200


def test_revoke_sessions_blacklists_every_token(mock: MockFixture) -> None:
    client = mock.client
    tokens = [token_of(client, USER, key=FRONTEND_KEY) for _ in range(2)]
    response = client.post("/__authmock__/users/user@example.com/revoke-sessions")
    assert response.json == {"email": USER, "scenario": "revoke-sessions", "tokens": 2}
    for token in tokens:
        assert error(_contacts(mock, token)) == (
            403, "The token has been blacklisted: Session terminated. Please re-login."
        )


def test_status_and_lockout(mock: MockFixture) -> None:
    client = mock.client
    token = token_of(client, USER, key=FRONTEND_KEY)
    bad = client.post("/__authmock__/users/user@example.com/status", json={"status": "asleep"})
    assert (bad.status_code, bad.json) == (
        400, {"error": '"status" must be one of: active, inactive'})
    assert mock.users.status(USER, "inactive")["status"] == "inactive"
    assert error(_contacts(mock, token))[0] == 403  # blacklisted, as deactivating through the API
    refused = login(client, USER, key=FRONTEND_KEY)
    assert error(refused) == (401, "Invalid credentials supplied.")
    assert refused.headers[REASON] == "user not active"
    mock.users.status(USER, "active")
    assert login(client, USER, key=FRONTEND_KEY).status_code == 200
    assert login(client, INACTIVE, key=FRONTEND_KEY).status_code == 401
    lockout = client.post("/__authmock__/users/user@example.com/lockout")
    assert lockout.status_code == 400 and "no login-attempt limit" in json_of(lockout)["error"]
    assert client.post("/__authmock__/users/nobody@example.com/expire-sessions").status_code == 404


def test_refusals_without_a_site_reason_get_one_from_their_text(mock: MockFixture) -> None:
    client = mock.client
    assert client.get("/api/v2/system/app").headers[REASON] == "no API key or session token"
    assert client.get("/api/v2/system/app", headers=headers(ADMIN_KEY)).headers[REASON] == (
        "no session token"
    )
    response = client.get("/api/v2/system/app", headers=headers(FRONTEND_KEY))
    assert response.headers[REASON] == "session required"
    response = client.put(USER_LOGIN, headers=headers(FRONTEND_KEY, "a.b"))
    assert response.headers[REASON] == "token refresh failed: Wrong number of segments"
