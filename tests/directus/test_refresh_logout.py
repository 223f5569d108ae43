"""POST /auth/refresh and /auth/logout: mode/token resolution, rotation, grace, cookies."""

from __future__ import annotations

from typing import Any

import pytest

from .helpers import (
    ADMIN,
    ADMIN_ID,
    HELLO,
    T0,
    ErrorTuple,
    bearer,
    claims,
    error,
    login,
    set_cookies,
    tokens,
    with_settings,
)

CREDENTIALS: ErrorTuple = (401, "Invalid user credentials.", "INVALID_CREDENTIALS", {})
REQUIRED_REASON = "The refresh token is required in either the payload or cookie"
REQUIRED = (
    400,
    f"Invalid payload. {REQUIRED_REASON}.",
    "INVALID_PAYLOAD",
    {"reason": REQUIRED_REASON},
)
CLEAR_REFRESH = (
    "directus_refresh_token=; Max-Age=604800; Path=/; Expires=Sun, 29 Nov 2026 08:00:00 GMT; "
    "HttpOnly; SameSite=Lax"
)
CLEAR_SESSION = (
    "directus_session_token=; Max-Age=86400; Path=/; Expires=Mon, 23 Nov 2026 08:00:00 GMT; "
    "HttpOnly; SameSite=Lax"
)


@pytest.fixture
def frozen(directus_mock: Any) -> Any:
    directus_mock.clock.set(T0)
    directus_mock.clock.freeze()
    return directus_mock


def test_json_refresh_rotates_without_grace(frozen: Any) -> None:
    client = frozen.client
    old = tokens(client)["refresh_token"]
    response = client.post("/auth/refresh", json={"refresh_token": old})
    assert response.status_code == 200
    data = response.get_json()["data"]
    assert list(data) == ["expires", "refresh_token", "access_token"]
    assert data["expires"] == 900000 and data["refresh_token"] != old
    assert claims(data["access_token"])["id"] == ADMIN_ID
    assert error(client.post("/auth/refresh", json={"refresh_token": old})) == CREDENTIALS
    again = client.post(
        "/auth/refresh", json={"refresh_token": data["refresh_token"], "mode": "json"}
    )
    assert again.status_code == 200


def test_cookie_refresh_rotates_the_cookie(frozen: Any) -> None:
    client = frozen.client
    login(client, ADMIN, mode="cookie")
    old = client.get_cookie("directus_refresh_token").value
    response = client.post("/auth/refresh", json={"mode": "cookie"})
    assert response.status_code == 200
    assert list(response.get_json()["data"]) == ["expires", "access_token"]
    [cookie] = set_cookies(response)
    assert cookie.startswith("directus_refresh_token=") and old not in cookie
    assert cookie.endswith(
        "; Max-Age=604800; Path=/; Expires=Sun, 29 Nov 2026 08:00:00 GMT; HttpOnly; SameSite=Lax"
    )
    # no body → cookie mode is the default
    assert client.post("/auth/refresh").status_code == 200
    client.set_cookie("directus_refresh_token", old)
    assert error(client.post("/auth/refresh", json={"mode": "cookie"})) == CREDENTIALS


def test_mode_alone_decides_where_the_token_is_read(frozen: Any) -> None:
    client = frozen.client
    refresh = tokens(client)["refresh_token"]
    assert (
        error(client.post("/auth/refresh", json={"refresh_token": refresh, "mode": "cookie"}))
        == REQUIRED
    )
    assert (
        error(client.post("/auth/refresh", json={"refresh_token": refresh, "mode": "session"}))
        == REQUIRED
    )
    assert (
        error(client.post("/auth/refresh", json={"refresh_token": refresh, "mode": "other"}))
        == REQUIRED
    )
    assert error(client.post("/auth/refresh", json={})) == REQUIRED
    assert error(client.post("/auth/refresh", json=[])) == REQUIRED
    login(client, HELLO, mode="cookie")
    assert error(client.post("/auth/refresh", json={"mode": "json"})) == REQUIRED
    login(client, HELLO, mode="session")
    client.delete_cookie("directus_refresh_token")
    assert error(client.post("/auth/refresh", json={})) == REQUIRED  # session cookie needs mode


@pytest.mark.parametrize("token", [123, "unknown", "x" * 64, True])
def test_unknown_refresh_tokens_are_invalid_credentials(frozen: Any, token: Any) -> None:
    assert error(frozen.client.post("/auth/refresh", json={"refresh_token": token})) == CREDENTIALS


def test_refresh_token_expiry_edges(frozen: Any) -> None:
    client = frozen.client
    refresh = tokens(client)["refresh_token"]
    frozen.clock.advance(7 * 86400)  # exactly at expiry: still valid (expires >= now)
    ok = client.post("/auth/refresh", json={"refresh_token": refresh})
    assert ok.status_code == 200
    refresh = ok.get_json()["data"]["refresh_token"]
    frozen.clock.advance(7 * 86400 + 1)
    assert error(client.post("/auth/refresh", json={"refresh_token": refresh})) == CREDENTIALS


def test_suspended_user_on_refresh(frozen: Any) -> None:
    client = frozen.client
    refresh = tokens(client)["refresh_token"]
    users: Any = frozen.store["directus_users"]
    users.put(ADMIN_ID, {**users[ADMIN_ID], "status": "suspended"})
    response = client.post("/auth/refresh", json={"refresh_token": refresh})
    assert error(response) == (401, "User suspended.", "USER_SUSPENDED", {})
    # the session row was deleted even though the request was refused
    assert error(client.post("/auth/refresh", json={"refresh_token": refresh})) == CREDENTIALS


def test_other_inactive_status_on_refresh_is_invalid_credentials(frozen: Any) -> None:
    refresh = tokens(frozen.client)["refresh_token"]
    users: Any = frozen.store["directus_users"]
    users.put(ADMIN_ID, {**users[ADMIN_ID], "status": "archived"})
    assert (
        error(frozen.client.post("/auth/refresh", json={"refresh_token": refresh})) == CREDENTIALS
    )


def test_session_refresh_has_a_ten_second_grace(frozen: Any) -> None:
    client = frozen.client
    login(client, ADMIN, mode="session")
    first = client.get_cookie("directus_session_token").value
    response = client.post("/auth/refresh", json={"mode": "session"})
    assert response.get_json() == {"data": {"expires": 86400000}}
    second = client.get_cookie("directus_session_token").value
    assert claims(second)["session"] != claims(first)["session"]
    # within the grace window the old JWT still works and refreshes to the same next session
    frozen.clock.advance(10)
    assert client.get("/users/me", headers=bearer(first)).status_code == 200
    client.set_cookie("directus_session_token", first)
    again = client.post("/auth/refresh", json={"mode": "session"})
    assert (
        claims(client.get_cookie("directus_session_token").value)["session"]
        == claims(second)["session"]
    )
    assert again.status_code == 200
    # after it, the old JWT is dead and its cookie is cleared
    frozen.clock.advance(1)
    client.set_cookie("directus_session_token", first)
    response = client.post("/auth/refresh", json={"mode": "session"})
    assert error(response) == CREDENTIALS
    assert set_cookies(response) == [
        CLEAR_SESSION.replace("Mon, 23 Nov 2026 08:00:00", "Mon, 23 Nov 2026 08:00:11")
    ]
    assert client.get("/users/me", headers=bearer(second)).status_code == 200


@pytest.mark.authmock(fixtures=with_settings(SESSION_REFRESH_GRACE_PERIOD="2s"))
def test_grace_period_from_settings(frozen: Any) -> None:
    client = frozen.client
    login(client, ADMIN, mode="session")
    first = client.get_cookie("directus_session_token").value
    client.post("/auth/refresh", json={"mode": "session"})
    frozen.clock.advance(2)
    assert client.get("/users/me", headers=bearer(first)).status_code == 200
    frozen.clock.advance(1)
    assert error(client.get("/users/me", headers=bearer(first))) == CREDENTIALS


def test_logout_json(frozen: Any) -> None:
    client = frozen.client
    refresh = tokens(client)["refresh_token"]
    response = client.post("/auth/logout", json={"refresh_token": refresh})
    assert response.status_code == 204
    assert response.get_data() == b""
    assert response.headers["Cache-Control"] == "no-cache"
    assert set_cookies(response) == []
    assert error(client.post("/auth/refresh", json={"refresh_token": refresh})) == CREDENTIALS


def test_logout_of_unknown_token_is_still_204(frozen: Any) -> None:
    client = frozen.client
    assert client.post("/auth/logout", json={"refresh_token": "bogus"}).status_code == 204
    assert client.post("/auth/logout", json={"refresh_token": 42}).status_code == 204
    assert error(client.post("/auth/logout", json={})) == REQUIRED


def test_logout_cookie_mode_clears_the_cookie_as_express_writes_it(frozen: Any) -> None:
    client = frozen.client
    login(client, ADMIN, mode="cookie")
    response = client.post("/auth/logout", json={"mode": "cookie"})
    assert response.status_code == 204
    assert set_cookies(response) == [CLEAR_REFRESH]
    # an empty cookie counts as absent afterwards
    assert error(client.post("/auth/logout", json={"mode": "cookie"})) == REQUIRED


def test_logout_session_mode_clears_both_cookies_present(frozen: Any) -> None:
    client = frozen.client
    login(client, ADMIN, mode="cookie")
    login(client, ADMIN, mode="session")
    response = client.post("/auth/logout", json={"mode": "session"})
    assert response.status_code == 204
    assert set_cookies(response) == [CLEAR_REFRESH, CLEAR_SESSION]
    assert error(client.get("/users/me")) == CREDENTIALS


@pytest.mark.authmock(fixtures=with_settings(
    REFRESH_TOKEN_COOKIE_NAME="rt", REFRESH_TOKEN_COOKIE_SECURE=True,
    REFRESH_TOKEN_COOKIE_SAME_SITE="none", REFRESH_TOKEN_COOKIE_DOMAIN="example.com",
    SESSION_COOKIE_NAME="st", SESSION_COOKIE_SECURE=True, SESSION_COOKIE_SAME_SITE="strict",
    REFRESH_TOKEN_TTL="1h",
))
def test_cookie_names_and_flags_from_settings(frozen: Any) -> None:
    client = frozen.client
    [cookie] = set_cookies(login(client, ADMIN, mode="cookie"))
    assert cookie.startswith("rt=")
    assert cookie.split("; ", 1)[1] == (
        "Max-Age=3600; Domain=example.com; Path=/; Expires=Sun, 22 Nov 2026 09:00:00 GMT; "
        "HttpOnly; Secure; SameSite=None"
    )
    [session] = set_cookies(login(client, ADMIN, mode="session"))
    assert session.startswith("st=")
    assert session.endswith(
        "; Path=/; Expires=Mon, 23 Nov 2026 08:00:00 GMT; HttpOnly; Secure; SameSite=Strict"
    )
    assert client.get("/users/me?fields=email").get_json() == {"data": {"email": ADMIN}}


@pytest.mark.authmock(fixtures=with_settings(
    REFRESH_TOKEN_COOKIE_SECURE="true", REFRESH_TOKEN_COOKIE_SAME_SITE="",
    SESSION_COOKIE_SECURE="false", SESSION_COOKIE_SAME_SITE="",
))
def test_env_spellings_of_cookie_flags(frozen: Any) -> None:
    """Values as they are written in Directus's env: "true"/"false", and an empty SameSite,
    which constants.ts turns into 'strict'."""
    client = frozen.client
    [cookie] = set_cookies(login(client, ADMIN, mode="cookie"))
    assert cookie.endswith("; HttpOnly; Secure; SameSite=Strict")
    [session] = set_cookies(login(client, ADMIN, mode="session"))
    assert session.endswith("; HttpOnly; SameSite=Strict")


def test_session_jwt_expiry_edges(frozen: Any) -> None:
    client = frozen.client
    login(client, ADMIN, mode="session")
    frozen.clock.advance(86399)
    assert client.get("/users/me?fields=id").get_json() == {"data": {"id": ADMIN_ID}}
    frozen.clock.advance(1)
    assert error(client.get("/users/me?fields=id")) == (401, "Token expired.", "TOKEN_EXPIRED", {})
