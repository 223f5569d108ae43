"""Forged and foreign bearer tokens: Sanctum's ``id|secret`` tokens are opaque (a SHA-256 of the
secret is stored), so every forgery — a JWT with ``alg: none``, a guessed secret, the old secret
under another id, a truncation, another product's token — is 401 ``Unauthenticated.`` in
Paystub's envelope, on every guarded route, and changes nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import authmock
from authmock.flavours.paystub import errors, sanctum
from authmock.pytest_plugin import MockFixture
from tests.forged.tokens import segment, sign
from tests.paystub.helpers import bearer, error, freeze, login, token_of, with_settings

UNAUTHENTICATED = error(errors.UNAUTHENTICATED)
# every request below meets the guard, not the 60-a-minute API throttle
pytestmark = pytest.mark.authmock(fixtures=with_settings(api_rate_limit=0))
GUARDED = [("GET", "/admin/auth/me"), ("POST", "/admin/auth/refresh"),
           ("POST", "/admin/auth/logout"), ("GET", "/admin/users")]


def _assert_refused(mock: MockFixture, token: str) -> None:
    for method, path in GUARDED:
        response = mock.client.open(path, method=method, headers=bearer(token))
        assert (response.status_code, response.json) == (401, UNAUTHENTICATED), (method, path)


def _jwt_none(_: str) -> str:
    return f"{segment({'typ': 'JWT', 'alg': 'none'})}.{segment({'sub': 1})}."


def _jwt_wrong_key(_: str) -> str:
    head, payload = segment({"typ": "JWT", "alg": "HS256"}), segment({"sub": 1})
    return f"{head}.{payload}.{sign(head, payload, b'guess')}"


def _guessed_secret(token: str) -> str:
    token_id, secret = token.split("|", 1)
    return f"{token_id}|{secret[::-1]}"


def _old_secret_other_id(token: str) -> str:
    token_id, secret = token.split("|", 1)
    return f"{int(token_id) + 1}|{secret}"


def _truncated(token: str) -> str:
    return token[:-1]


def _id_only(token: str) -> str:
    return token.split("|", 1)[0] + "|"


FORGERIES: dict[str, Callable[[str], str]] = {
    "alg-none": _jwt_none, "wrong-key": _jwt_wrong_key, "guessed-secret": _guessed_secret,
    "edited-id-old-secret": _old_secret_other_id, "truncated": _truncated, "id-only": _id_only,
}


@pytest.mark.parametrize("kind", list(FORGERIES))
def test_forgeries_are_unauthenticated(paystub_mock: MockFixture, kind: str) -> None:
    client = paystub_mock.client
    token = token_of(client)
    token_of(client)  # a second token, so "the next id" exists
    before = dict(paystub_mock.store[sanctum.TABLE].items())
    _assert_refused(paystub_mock, FORGERIES[kind](token))
    assert dict(paystub_mock.store[sanctum.TABLE].items()) == before
    assert client.get("/admin/auth/me", headers=bearer(token)).status_code == 200


def test_another_instances_token_is_unauthenticated(paystub_mock: MockFixture) -> None:
    other = authmock.create_app("paystub").test_client()
    foreign = token_of(other)
    token_of(paystub_mock.client)  # the same id exists here; its secret differs
    _assert_refused(paystub_mock, foreign)


def test_other_products_tokens_are_unauthenticated(paystub_mock: MockFixture) -> None:
    directus = authmock.create_app("directus").test_client()
    access = directus.post("/auth/login", json={"email": "admin@example.com",
                                                 "password": "password"})
    _assert_refused(paystub_mock, access.get_json()["data"]["access_token"])
    dreamfactory = authmock.create_app("dreamfactory").test_client()
    session = dreamfactory.post(
        "/api/v2/system/admin/session",
        json={"email": "admin@example.com", "password": "yourpassword"},
        headers={"X-DreamFactory-API-Key":
                 "6498a8ad1beb9d84d63035c5d1120c007fad6de706734db9689f8996707e0f7d"},
    )
    _assert_refused(paystub_mock, session.get_json()["session_token"])


def test_expired_by_one_second_on_the_mock_clock(paystub_mock: MockFixture) -> None:
    freeze(paystub_mock)
    token = token_of(paystub_mock.client)
    paystub_mock.clock.advance(24 * 3600 + 1)
    _assert_refused(paystub_mock, token)


def test_a_logged_out_token_is_revoked(paystub_mock: MockFixture) -> None:
    client = paystub_mock.client
    token = token_of(client)
    assert client.post("/admin/auth/logout", headers=bearer(token)).status_code == 200
    _assert_refused(paystub_mock, token)


def test_a_refreshed_away_token_is_revoked(paystub_mock: MockFixture) -> None:
    client = paystub_mock.client
    token = token_of(client)
    assert client.post("/admin/auth/refresh", headers=bearer(token)).status_code == 200
    _assert_refused(paystub_mock, token)


def test_a_used_reset_token_is_invalid(paystub_mock: MockFixture) -> None:
    client = paystub_mock.client
    email = "manager@example.com"
    assert client.post("/admin/auth/forgot-password", json={"email": email}).status_code == 200
    message = paystub_mock.mailbox.last(to=email)
    assert message is not None and message.token is not None
    body = {"token": message.token, "email": email, "password": "first-new-pass",
            "password_confirmation": "first-new-pass"}
    assert client.post("/admin/auth/reset-password", json=body).status_code == 200
    again = client.post("/admin/auth/reset-password",
                        json={**body, "password": "second-pass",
                              "password_confirmation": "second-pass"})
    assert again.status_code == 422
    assert again.json == error(errors.GIVEN_DATA_INVALID, {"email": [errors.PASSWORDS_TOKEN]})
    assert login(client, email, "first-new-pass").status_code == 200
