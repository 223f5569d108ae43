"""Forged and foreign tokens: each refused with Directus's own error (access token as a bearer,
session JWT as a cookie, refresh token, password-reset token)."""

from __future__ import annotations

from typing import Any

import pytest

import authmock
from authmock.flavours.directus import errors
from tests.forged.tokens import forgeries

from .helpers import ADMIN, HELLO, T0, ErrorTuple, bearer, error, login, set_cookies, tokens

INVALID: ErrorTuple = (403, errors.MSG_INVALID_TOKEN, errors.INVALID_TOKEN, {})
EXPIRED: ErrorTuple = (401, errors.MSG_TOKEN_EXPIRED, errors.TOKEN_EXPIRED, {})
CREDENTIALS: ErrorTuple = (401, errors.MSG_INVALID_CREDENTIALS, errors.INVALID_CREDENTIALS, {})
FORBIDDEN: ErrorTuple = (403, errors.MSG_FORBIDDEN, errors.FORBIDDEN, {})
KINDS = ["alg-none-unsigned", "alg-none-old-signature", "wrong-key",
         "edited-claims-old-signature", "signature-truncated"]
ALLOWED = "http://localhost:3000/reset-password"


def _me(mock: Any, token: str) -> Any:
    return mock.client.get("/users/me?fields=id", headers=bearer(token))


@pytest.mark.parametrize("kind", KINDS)
def test_forged_access_tokens_are_invalid(directus_mock: Any, kind: str) -> None:
    forged = forgeries(tokens(directus_mock.client)["access_token"])[kind]
    assert error(_me(directus_mock, forged)) == INVALID


@pytest.mark.parametrize("kind", KINDS)
def test_forged_session_cookies_are_invalid_and_cleared(directus_mock: Any, kind: str) -> None:
    client = directus_mock.client
    login(client, ADMIN, mode="session")
    cookie = client.get_cookie("directus_session_token")
    assert cookie is not None
    client.set_cookie("directus_session_token", forgeries(cookie.value)[kind])
    response = client.get("/users/me?fields=id")
    assert error(response) == INVALID
    assert [c.split("=", 1)[0] for c in set_cookies(response)] == ["directus_session_token"]


@pytest.mark.parametrize("kind", KINDS)
def test_forged_reset_tokens_are_invalid(directus_mock: Any, kind: str) -> None:
    client = directus_mock.client
    request = {"email": HELLO, "reset_url": ALLOWED}
    assert client.post("/auth/password/request", json=request).status_code == 204
    message = directus_mock.mailbox.last(HELLO)
    assert message is not None and message.token is not None
    forged = forgeries(message.token)[kind]
    response = client.post("/auth/password/reset", json={"token": forged, "password": "n3w"})
    assert error(response) == INVALID  # verifyJWT's verdict; FORBIDDEN is for a used token
    assert login(client, HELLO).status_code == 200  # the password did not change


def test_another_instances_token_is_invalid(directus_mock: Any) -> None:
    other = tokens(authmock.create_app("directus").test_client())
    assert error(_me(directus_mock, other["access_token"])) == INVALID
    refresh = directus_mock.client.post("/auth/refresh",
                                        json={"refresh_token": other["refresh_token"]})
    assert error(refresh) == CREDENTIALS


def test_other_products_tokens_are_static_token_lookups(directus_mock: Any) -> None:
    """Not a Directus JWT (issuer other than ``directus``, or not a JWT): a static-token lookup
    that finds no user."""
    dreamfactory = authmock.create_app("dreamfactory").test_client()
    df_login = dreamfactory.post(
        "/api/v2/system/admin/session",
        json={"email": "admin@example.com", "password": "yourpassword"},
        headers={"X-DreamFactory-API-Key":
                 "6498a8ad1beb9d84d63035c5d1120c007fad6de706734db9689f8996707e0f7d"},
    )
    paystub = authmock.create_app("paystub").test_client()
    ps_login = paystub.post("/admin/auth/login",
                            json={"email": "owner@example.com", "password": "your-password"})
    for foreign in (df_login.get_json()["session_token"],
                    ps_login.get_json()["data"]["token"]["access_token"]):
        assert error(_me(directus_mock, foreign)) == CREDENTIALS


@pytest.mark.parametrize("cut", ["two-segments", "half"])
def test_truncated_to_fewer_segments_is_a_static_lookup(directus_mock: Any, cut: str) -> None:
    access = tokens(directus_mock.client)["access_token"]
    short = access.rsplit(".", 1)[0] if cut == "two-segments" else access[: len(access) // 2]
    assert error(_me(directus_mock, short)) == CREDENTIALS


def test_truncated_refresh_token_is_refused(directus_mock: Any) -> None:
    refresh = tokens(directus_mock.client)["refresh_token"]
    response = directus_mock.client.post("/auth/refresh", json={"refresh_token": refresh[:-1]})
    assert error(response) == CREDENTIALS


def test_expired_by_one_second_on_the_mock_clock(directus_mock: Any) -> None:
    directus_mock.clock.set(T0)
    directus_mock.clock.freeze()
    access = tokens(directus_mock.client)["access_token"]
    directus_mock.clock.advance(15 * 60 + 1)
    assert error(_me(directus_mock, access)) == EXPIRED


def test_revoked_refresh_token_and_session_are_refused(directus_mock: Any) -> None:
    client = directus_mock.client
    refresh = tokens(client)["refresh_token"]
    assert client.post("/auth/logout", json={"refresh_token": refresh}).status_code == 204
    assert error(client.post("/auth/refresh", json={"refresh_token": refresh})) == CREDENTIALS
    login(client, ADMIN, mode="session")
    cookie = client.get_cookie("directus_session_token")
    assert cookie is not None
    assert client.post("/auth/logout", json={"mode": "session"}).status_code == 204
    assert error(_me(directus_mock, cookie.value)) == CREDENTIALS


def test_a_used_reset_token_is_forbidden(directus_mock: Any) -> None:
    client = directus_mock.client
    request = {"email": HELLO, "reset_url": ALLOWED}
    assert client.post("/auth/password/request", json=request).status_code == 204
    message = directus_mock.mailbox.last(HELLO)
    assert message is not None and message.token is not None
    body = {"token": message.token, "password": "first-new"}
    assert client.post("/auth/password/reset", json=body).status_code == 204
    again = client.post("/auth/password/reset", json={**body, "password": "second-new"})
    assert error(again) == FORBIDDEN
    assert login(client, HELLO, "first-new").status_code == 200
