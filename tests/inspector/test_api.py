"""The inspector's control endpoints: GET users, GET sessions, DELETE sessions/<id>.

Each is checked against what the product then does: a listed session is one the product
accepts, an expired one it refuses as expired, a revoked one it refuses as it refuses a token
after logout.
"""

from __future__ import annotations

from typing import Any

import authmock
from authmock.pytest_plugin import MockFixture
from tests.directus import helpers as dx
from tests.dreamfactory import helpers as df
from tests.paystub import helpers as ps

SESSION_KEYS = ["id", "user", "kind", "issued_at", "expires_at", "expired"]


def sessions(mock: MockFixture) -> list[dict[str, Any]]:
    response = mock.client.get("/__authmock__/sessions")
    assert response.status_code == 200
    found: list[dict[str, Any]] = response.get_json()["sessions"]
    for session in found:
        assert list(session) == SESSION_KEYS
    return found


def only(found: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    matching = [s for s in found if s["kind"] == kind]
    assert len(matching) == 1, found
    return matching[0]


def revoke(mock: MockFixture, session_id: str) -> None:
    response = mock.client.delete(f"/__authmock__/sessions/{session_id}")
    assert response.status_code == 204 and response.data == b""


# --- users -------------------------------------------------------------------------------
def test_directus_users_name_role_status_provider_and_totp(directus_mock: MockFixture) -> None:
    body = directus_mock.client.get("/__authmock__/users").get_json()
    users = {u["email"]: u for u in body["users"]}
    assert users[dx.ADMIN] == {"email": dx.ADMIN, "role": "Administrator", "status": "active",
                               "provider": "default", "totp": False}
    assert users[dx.TFA]["totp"] is True
    assert users[dx.SUSPENDED]["status"] == "suspended"
    assert users[dx.LDAP_USER]["provider"] == "ldap"
    assert "suspended" in body["statuses"] and "active" in body["statuses"]


def test_dreamfactory_users(dreamfactory_mock: MockFixture) -> None:
    body = dreamfactory_mock.client.get("/__authmock__/users").get_json()
    users = {u["email"]: u for u in body["users"]}
    assert users[df.ADMIN]["role"] == "sys admin"
    assert users[df.USER]["role"] == "user"
    assert users[df.INACTIVE]["status"] == "inactive"
    assert body["statuses"] == ["active", "inactive"]


def test_paystub_users(paystub_mock: MockFixture) -> None:
    body = paystub_mock.client.get("/__authmock__/users").get_json()
    users = {u["email"]: u for u in body["users"]}
    assert users["owner@example.com"]["role"] == "Owner"
    assert users["customer@example.com"]["role"] is None
    assert users["suspended@example.com"]["status"] == "Suspended"
    assert all(u["totp"] is False for u in body["users"])


# --- Directus ----------------------------------------------------------------------------
def test_directus_login_lists_its_access_and_refresh_token(directus_mock: MockFixture) -> None:
    dx_freeze(directus_mock)
    data = dx.tokens(directus_mock.client)
    found = sessions(directus_mock)
    access, refresh = only(found, "access"), only(found, "refresh")
    assert access["user"] == refresh["user"] == dx.ADMIN
    assert access["issued_at"] == "2026-11-22T08:00:00.000Z"
    assert access["expires_at"] == "2026-11-22T08:15:00.000Z"
    assert refresh["expires_at"] == "2026-11-29T08:00:00.000Z"
    assert not access["expired"] and not refresh["expired"]
    assert len(access["id"]) == 16 and access["id"] not in data["access_token"]


def test_directus_expired_access_token_is_listed_as_expired_and_refused(
    directus_mock: MockFixture,
) -> None:
    dx_freeze(directus_mock)
    data = dx.tokens(directus_mock.client)
    directus_mock.clock.advance("15m")
    found = sessions(directus_mock)
    assert only(found, "access")["expired"] is True
    assert only(found, "refresh")["expired"] is False
    me = directus_mock.client.get("/users/me", headers=dx.bearer(data["access_token"]))
    assert dx.error(me)[2] == "TOKEN_EXPIRED"


def test_directus_revoking_a_refresh_token_refuses_it_as_after_logout(
    directus_mock: MockFixture,
) -> None:
    dx_freeze(directus_mock)
    client = directus_mock.client
    logged_out = dx.tokens(client)["refresh_token"]
    client.post("/auth/logout", json={"refresh_token": logged_out})
    revoked = dx.tokens(client)["refresh_token"]
    revoke(directus_mock, only(sessions(directus_mock), "refresh")["id"])
    # both logins fell in the same second: Directus signs the same access token twice
    assert [s["kind"] for s in sessions(directus_mock)] == ["access"]
    after_logout = client.post("/auth/refresh", json={"refresh_token": logged_out})
    after_revoke = client.post("/auth/refresh", json={"refresh_token": revoked})
    assert after_revoke.status_code == after_logout.status_code == 401
    assert after_revoke.data == after_logout.data


def test_directus_session_cookie_is_one_session_and_revoking_ends_it(
    directus_mock: MockFixture,
) -> None:
    client = directus_mock.client
    login = dx.login(client, mode="session")
    cookie = dx.cookie_value(dx.set_cookies(login)[0])
    found = sessions(directus_mock)
    assert [s["kind"] for s in found] == ["session"]
    assert client.get("/users/me", headers=dx.bearer(cookie)).status_code == 200
    revoke(directus_mock, found[0]["id"])
    assert sessions(directus_mock) == []
    refused = client.get("/users/me", headers=dx.bearer(cookie))
    assert dx.error(refused)[:3] == (401, "Invalid user credentials.", "INVALID_CREDENTIALS")


def test_directus_revoked_access_token_is_refused_as_invalid(directus_mock: MockFixture) -> None:
    client = directus_mock.client
    access = dx.tokens(client)["access_token"]
    revoke(directus_mock, only(sessions(directus_mock), "access")["id"])
    assert [s["kind"] for s in sessions(directus_mock)] == ["refresh"]
    refused = client.get("/users/me", headers=dx.bearer(access))
    assert dx.error(refused)[2] == "INVALID_TOKEN"


def test_directus_password_reset_tokens_are_not_sessions(directus_mock: MockFixture) -> None:
    directus_mock.client.post("/auth/password/request", json={"email": dx.HELLO})
    assert directus_mock.mailbox.last() is not None
    assert sessions(directus_mock) == []


def dx_freeze(mock: MockFixture) -> None:
    mock.clock.freeze()
    mock.clock.set(dx.T0)


# --- DreamFactory ------------------------------------------------------------------------
def test_dreamfactory_session_token_listed_expired_and_revoked(
    dreamfactory_mock: MockFixture,
) -> None:
    df.freeze(dreamfactory_mock)
    client = dreamfactory_mock.client
    token = df.token_of(client)
    session = only(sessions(dreamfactory_mock), "API key session")
    assert session["user"] == df.ADMIN
    assert session["issued_at"] == "2026-02-18T19:45:18.000Z"
    assert session["expires_at"] == "2026-02-19T19:45:18.000Z"
    assert session["expired"] is False
    dreamfactory_mock.clock.advance("24h")
    dreamfactory_mock.clock.advance("1s")
    assert only(sessions(dreamfactory_mock), "API key session")["expired"] is True
    expired = client.get(df.ADMIN_LOGIN, headers=df.headers(df.ADMIN_KEY, token))
    assert df.error(expired)[0] == 401 and "expired" in df.error(expired)[1].lower()


def test_dreamfactory_revoked_token_is_refused_as_after_logout(
    dreamfactory_mock: MockFixture,
) -> None:
    client = dreamfactory_mock.client
    logged_out = df.token_of(client)
    client.delete(df.ADMIN_LOGIN, headers=df.headers(df.ADMIN_KEY, logged_out))
    revoked = df.token_of(client)
    revoke(dreamfactory_mock, only(sessions(dreamfactory_mock), "API key session")["id"])
    assert sessions(dreamfactory_mock) == []
    after_logout = client.get("/api/v2/system/user", headers=df.headers(df.ADMIN_KEY, logged_out))
    after_revoke = client.get("/api/v2/system/user", headers=df.headers(df.ADMIN_KEY, revoked))
    assert df.error(after_revoke) == df.error(after_logout)
    assert "blacklisted" in df.error(after_revoke)[1]


# --- Paystub -----------------------------------------------------------------------------
def test_paystub_sanctum_token_listed_expired_and_revoked(paystub_mock: MockFixture) -> None:
    ps.freeze(paystub_mock)
    client = paystub_mock.client
    token = ps.token_of(client)
    session = only(sessions(paystub_mock), "Sanctum token")
    assert session["user"] == "owner@example.com"
    assert session["issued_at"] == "2025-02-12T10:00:00.000Z"
    assert session["expires_at"] == "2025-02-13T10:00:00.000Z"
    assert token.split("|", 1)[1] not in session["id"]
    paystub_mock.clock.advance("24h")
    assert only(sessions(paystub_mock), "Sanctum token")["expired"] is True
    refused = client.get("/admin/auth/me", headers=ps.bearer(token))
    assert refused.status_code == 401


def test_paystub_revoked_token_is_refused_as_after_logout(paystub_mock: MockFixture) -> None:
    client = paystub_mock.client
    logged_out = ps.token_of(client)
    client.post("/admin/auth/logout", headers=ps.bearer(logged_out))
    revoked = ps.token_of(client)
    revoke(paystub_mock, only(sessions(paystub_mock), "Sanctum token")["id"])
    assert sessions(paystub_mock) == []
    after_logout = client.get("/admin/auth/me", headers=ps.bearer(logged_out))
    after_revoke = client.get("/admin/auth/me", headers=ps.bearer(revoked))
    assert after_revoke.status_code == after_logout.status_code == 401
    assert after_revoke.data == after_logout.data


# --- the core ----------------------------------------------------------------------------
def test_unknown_session_id_is_404_with_a_message(paystub_mock: MockFixture) -> None:
    response = paystub_mock.client.delete("/__authmock__/sessions/nope")
    assert response.status_code == 404
    assert response.get_json() == {"error": "no session or token with id 'nope' (see GET sessions)"}


def test_reset_forgets_every_session(directus_mock: MockFixture) -> None:
    dx.tokens(directus_mock.client)
    assert sessions(directus_mock)
    directus_mock.client.post("/__authmock__/reset")
    assert sessions(directus_mock) == []


def test_sessions_newest_first(paystub_mock: MockFixture) -> None:
    ps.freeze(paystub_mock)
    ps.token_of(paystub_mock.client, "owner@example.com")
    paystub_mock.clock.advance("1m")
    ps.token_of(paystub_mock.client, "manager@example.com")
    assert [s["user"] for s in sessions(paystub_mock)] == [
        "manager@example.com", "owner@example.com"]


def test_control_token_guards_the_lists_but_not_the_page() -> None:
    app = authmock.create_app("directus", control_token="s3cret")
    client = app.test_client()
    for path in ("/__authmock__/users", "/__authmock__/sessions"):
        assert client.get(path).status_code == 401
        ok = client.get(path, headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 200
    assert client.delete("/__authmock__/sessions/x").status_code == 401
    page = client.get("/__authmock__/")
    assert page.status_code == 200 and page.mimetype == "text/html"


def test_page_and_assets_are_served_from_the_package(directus_mock: MockFixture) -> None:
    client = directus_mock.client
    page = client.get("/__authmock__/")
    html = page.get_data(as_text=True)
    assert page.mimetype == "text/html"
    assert '<link rel="icon" href="data:,">' in html
    assert "http://" not in html and "https://" not in html  # nothing fetched from elsewhere
    for name, mimetype in (("inspector.css", "text/css"), ("inspector.js", "text/javascript")):
        asset = client.get(f"/__authmock__/inspector/{name}")
        assert asset.status_code == 200 and asset.mimetype == mimetype
        assert "http://" not in asset.get_data(as_text=True)
    missing = client.get("/__authmock__/inspector/../__init__.py")
    assert missing.status_code == 404 and "error" in missing.get_json()
    # the page's own requests are not product requests
    assert directus_mock.journal.entries() == []


def test_serve_banner_says_how_the_page_gets_the_control_token() -> None:
    from authmock import banner

    text = banner.render([], "tok3n")
    assert "inspector: add #token=tok3n to its URL, or paste it when asked" in text
    assert "#token=" not in banner.render([], None)


def test_expire_sessions_scenario_shows_every_session_of_that_user_expired(
    directus_mock: MockFixture, dreamfactory_mock: MockFixture, paystub_mock: MockFixture,
) -> None:
    dx.tokens(directus_mock.client)
    dx.tokens(directus_mock.client, dx.HELLO)
    df.token_of(dreamfactory_mock.client)
    ps.token_of(paystub_mock.client)
    for mock, email in ((directus_mock, dx.ADMIN), (dreamfactory_mock, df.ADMIN),
                        (paystub_mock, "owner@example.com")):
        response = mock.client.post(f"/__authmock__/users/{email}/expire-sessions")
        assert response.status_code == 200
        found = sessions(mock)
        assert {s["expired"] for s in found if s["user"] == email} == {True}
    # the other user's sessions are untouched
    assert {s["expired"] for s in sessions(directus_mock) if s["user"] == dx.HELLO} == {False}
