"""How tokens are read and every bad-token outcome (reference §6, §14.1), pipeline order (§1)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from .helpers import (
    ADMIN,
    ADMIN_ID,
    HELLO,
    STATIC_TOKEN,
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
INVALID: ErrorTuple = (403, "Invalid token.", "INVALID_TOKEN", {})
EXPIRED: ErrorTuple = (401, "Token expired.", "TOKEN_EXPIRED", {})


def _b64(obj: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")


def _me(mock: Any, **kwargs: Any) -> Any:
    return mock.client.get("/users/me?fields=id", **kwargs)


def test_bearer_query_and_case_insensitive_scheme(directus_mock: Any) -> None:
    access = tokens(directus_mock.client)["access_token"]
    expected = {"data": {"id": ADMIN_ID}}
    assert _me(directus_mock, headers=bearer(access)).get_json() == expected
    assert _me(directus_mock, headers={"Authorization": f"bearer {access}"}).get_json() == expected
    assert _me(directus_mock, headers={"Authorization": f"BEARER {access}"}).get_json() == expected
    query = directus_mock.client.get(f"/users/me?fields=id&access_token={access}")
    assert query.get_json() == expected


def test_query_and_header_together_are_refused(directus_mock: Any) -> None:
    access = tokens(directus_mock.client)["access_token"]
    response = directus_mock.client.get(f"/users/me?access_token={access}", headers=bearer(access))
    reason = "The request uses more than one method for including an access token"
    assert error(response) == (
        400,
        f"Invalid payload. {reason}.",
        "INVALID_PAYLOAD",
        {"reason": reason},
    )


@pytest.mark.parametrize("header", ["Basic YWRtaW46cGFzc3dvcmQ=", "Bearer", "Bearer  two-spaces",
                                    "Token abc", "Bearer a b"])
def test_other_schemes_and_malformed_headers_are_anonymous(directus_mock: Any, header: str) -> None:
    assert error(_me(directus_mock, headers={"Authorization": header})) == CREDENTIALS
    # anonymous still reads public items
    public = directus_mock.client.get("/items/articles", headers={"Authorization": header})
    assert public.status_code == 200


def test_me_without_token_is_401_not_403(directus_mock: Any) -> None:
    assert error(directus_mock.client.get("/users/me")) == CREDENTIALS


def test_static_token_never_expires(directus_mock: Any) -> None:
    assert _me(directus_mock, headers=bearer(STATIC_TOKEN)).get_json() == {"data": {"id": ADMIN_ID}}
    directus_mock.clock.advance("3650d")
    assert _me(directus_mock, headers=bearer(STATIC_TOKEN)).status_code == 200


def test_static_token_of_a_suspended_user_is_refused(directus_mock: Any) -> None:
    users: Any = directus_mock.store["directus_users"]
    users.put(ADMIN_ID, {**users[ADMIN_ID], "status": "suspended"})
    assert error(_me(directus_mock, headers=bearer(STATIC_TOKEN))) == CREDENTIALS


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        "admin-static-tokenx",
        "a.b",
        "a.b.c.d",
        "abc.def.gh!",
        "eyJhbGciOiJIUzI1NiJ9.eyJpZCI6MX0",
        "%%%",
    ],
)
def test_non_jwt_tokens_are_static_lookups(directus_mock: Any, token: str) -> None:
    assert error(_me(directus_mock, headers=bearer(token))) == CREDENTIALS


def test_malformed_jwts_follow_the_addendum(directus_mock: Any) -> None:
    access = tokens(directus_mock.client)["access_token"]
    head, payload, signature = access.split(".")
    # still decodes as a Directus JWT → INVALID_TOKEN
    assert error(_me(directus_mock, headers=bearer(f"{head}.{payload}."))) == INVALID
    assert (
        error(_me(directus_mock, headers=bearer(f"{head}.{payload}.{signature[:-2]}AA"))) == INVALID
    )
    # does not decode → static lookup → INVALID_CREDENTIALS
    assert (
        error(_me(directus_mock, headers=bearer(f"{head}.{payload}.{signature}+"))) == CREDENTIALS
    )
    assert error(_me(directus_mock, headers=bearer(f"{head}.{payload}"))) == CREDENTIALS
    assert (
        error(_me(directus_mock, headers=bearer(f"{head}.{payload[:-7]}.{signature}")))
        == CREDENTIALS
    )


def test_alg_none_and_foreign_issuer(directus_mock: Any) -> None:
    forged = claims(tokens(directus_mock.client)["access_token"])
    none = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(forged)}."
    assert error(_me(directus_mock, headers=bearer(none))) == INVALID
    # a JWT whose iss is not "directus" is not a Directus JWT: static lookup
    other = f"{_b64({'alg': 'HS256', 'typ': 'JWT'})}.{_b64({**forged, 'iss': 'other'})}.c2ln"
    assert error(_me(directus_mock, headers=bearer(other))) == CREDENTIALS


def test_access_token_expiry_edges(directus_mock: Any) -> None:
    directus_mock.clock.set(T0)
    directus_mock.clock.freeze()
    access = tokens(directus_mock.client)["access_token"]
    directus_mock.clock.advance(899)
    assert _me(directus_mock, headers=bearer(access)).status_code == 200
    directus_mock.clock.advance(1)
    assert error(_me(directus_mock, headers=bearer(access))) == EXPIRED


def test_bad_token_breaks_even_a_correct_login(directus_mock: Any) -> None:
    directus_mock.clock.set(T0)
    access = tokens(directus_mock.client)["access_token"]
    directus_mock.clock.advance("16m")
    client = directus_mock.client
    body = {"email": ADMIN, "password": "password"}
    assert error(client.post("/auth/login", json=body, headers=bearer(access))) == EXPIRED
    assert error(client.post("/auth/login", json=body, headers=bearer("garbage"))) == CREDENTIALS
    assert (
        error(client.post("/auth/password/request", json={"email": ADMIN}, headers=bearer("x.y.")))
        == CREDENTIALS
    )
    # and unknown routes too: authentication runs before the 404
    assert error(client.get("/nowhere", headers=bearer("garbage"))) == CREDENTIALS


def test_tokens_from_before_a_reset_are_invalid(directus_mock: Any) -> None:
    access = tokens(directus_mock.client)["access_token"]
    directus_mock.reset()
    assert error(_me(directus_mock, headers=bearer(access))) == INVALID


def test_access_token_outlives_logout_but_session_jwt_does_not(directus_mock: Any) -> None:
    client = directus_mock.client
    data = tokens(client)
    assert (
        client.post("/auth/logout", json={"refresh_token": data["refresh_token"]}).status_code
        == 204
    )
    assert _me(directus_mock, headers=bearer(data["access_token"])).status_code == 200  # stateless
    login(client, HELLO, mode="session")
    session_jwt = client.get_cookie("directus_session_token").value
    assert client.post("/auth/logout", json={"mode": "session"}).status_code == 204
    assert error(_me(directus_mock, headers=bearer(session_jwt))) == CREDENTIALS


def test_dead_session_cookie_is_cleared(directus_mock: Any) -> None:
    directus_mock.clock.set(T0)
    directus_mock.clock.freeze()
    client = directus_mock.client
    login(client, ADMIN, mode="session")
    jwt = client.get_cookie("directus_session_token").value
    directus_mock.store["directus_sessions"].clear()
    response = client.get("/users/me")
    assert error(response) == CREDENTIALS
    assert set_cookies(response) == [
        "directus_session_token=; Max-Age=86400; Path=/; Expires=Mon, 23 Nov 2026 08:00:00 GMT; "
        "HttpOnly; SameSite=Lax"
    ]
    # a session JWT with a bad signature is cleared too; an expired one is not
    client.set_cookie("directus_session_token", jwt[:-3] + "AAA")
    response = client.get("/users/me")
    assert error(response) == INVALID
    assert len(set_cookies(response)) == 1
    client.set_cookie("directus_session_token", jwt)
    directus_mock.clock.advance("2d")
    response = client.get("/users/me")
    assert error(response) == EXPIRED
    assert set_cookies(response) == []


def test_session_cookie_is_ignored_when_a_header_token_is_present(directus_mock: Any) -> None:
    client = directus_mock.client
    client.set_cookie("directus_session_token", "garbage")
    response = _me(directus_mock, headers=bearer(STATIC_TOKEN))
    assert response.get_json() == {"data": {"id": ADMIN_ID}}


def test_reset_token_as_bearer_is_invalid_token(directus_mock: Any) -> None:
    client = directus_mock.client
    client.post("/auth/password/request", json={"email": ADMIN})
    token = directus_mock.mailbox.last().token
    assert error(_me(directus_mock, headers=bearer(token))) == INVALID


def test_role_less_user_has_no_access_claims(directus_mock: Any) -> None:
    users: Any = directus_mock.store["directus_users"]
    users.put(ADMIN_ID, {**users[ADMIN_ID], "role": None})
    data = tokens(directus_mock.client)
    assert {
        k: v
        for k, v in claims(data["access_token"]).items()
        if k in ("role", "app_access", "admin_access")
    } == {
        "role": None,
        "app_access": False,
        "admin_access": False,
    }
    me = directus_mock.client.get("/users/me", headers=bearer(data["access_token"]))
    assert me.get_json() == {"data": {"id": ADMIN_ID}}


@pytest.mark.authmock(fixtures=with_settings(ACCESS_TOKEN_TTL="30s", SESSION_COOKIE_TTL=3600000))
def test_ttls_come_from_settings(directus_mock: Any) -> None:
    data = tokens(directus_mock.client)
    assert data["expires"] == 30000
    token = claims(data["access_token"])
    assert token["exp"] - token["iat"] == 30
    session = login(directus_mock.client, ADMIN, mode="session")
    assert session.get_json() == {"data": {"expires": 3600000}}
    assert "Max-Age=3600;" in set_cookies(session)[0]
