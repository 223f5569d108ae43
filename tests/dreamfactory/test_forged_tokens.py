"""Forged and foreign session tokens: each refused with DreamFactory's own words (tymon/jwt-auth
wrapped by AuthCheck on a request, by ``Token refresh failed. `` on a PUT refresh)."""

from __future__ import annotations

import pytest

import authmock
from authmock.flavours.dreamfactory import errors
from authmock.pytest_plugin import MockFixture
from tests.dreamfactory.helpers import (
    ADMIN_KEY,
    ADMIN_LOGIN,
    USER,
    error,
    freeze,
    headers,
    token_of,
)
from tests.forged.tokens import forgeries

APPS = "/api/v2/system/app"
USER_PASSWORD_PATH = "/api/v2/user/password"
SIGNATURE = errors.INVALID_TOKEN_PREFIX + errors.JWT_SIGNATURE
REFRESH_SIGNATURE = errors.TOKEN_REFRESH_FAILED + errors.JWT_SIGNATURE


def _refused(mock: MockFixture, token: str) -> tuple[tuple[int, str], tuple[int, str]]:
    """(outcome on an authenticated request, outcome on a PUT refresh) of ``token``."""
    client = mock.client
    on_request = error(client.get(APPS, headers=headers(ADMIN_KEY, token)))
    on_refresh = error(client.put(ADMIN_LOGIN, headers=headers(token=token)))
    return on_request, on_refresh


@pytest.mark.parametrize("kind", [
    "alg-none-old-signature", "wrong-key", "edited-claims-old-signature", "signature-truncated",
])
def test_forgeries_fail_on_the_signature(dreamfactory_mock: MockFixture, kind: str) -> None:
    forged = forgeries(token_of(dreamfactory_mock.client))[kind]
    assert _refused(dreamfactory_mock, forged) == ((401, SIGNATURE), (401, REFRESH_SIGNATURE))


def test_alg_none_without_a_signature_is_malformed(dreamfactory_mock: MockFixture) -> None:
    forged = forgeries(token_of(dreamfactory_mock.client))["alg-none-unsigned"]
    assert _refused(dreamfactory_mock, forged) == (
        (401, errors.INVALID_TOKEN_PREFIX + errors.JWT_MALFORMED),
        (401, errors.TOKEN_REFRESH_FAILED + errors.JWT_MALFORMED),
    )


@pytest.mark.parametrize("cut", ["two-segments", "half"])
def test_truncated_to_fewer_segments(dreamfactory_mock: MockFixture, cut: str) -> None:
    token = token_of(dreamfactory_mock.client)
    short = token.rsplit(".", 1)[0] if cut == "two-segments" else token[: token.index(".") + 3]
    assert _refused(dreamfactory_mock, short) == (
        (401, errors.INVALID_TOKEN_PREFIX + errors.JWT_SEGMENTS),
        (401, errors.TOKEN_REFRESH_FAILED + errors.JWT_SEGMENTS),
    )


def test_a_directus_token_is_signed_with_another_key(dreamfactory_mock: MockFixture) -> None:
    directus = authmock.create_app("directus").test_client()
    login = directus.post("/auth/login",
                          json={"email": "admin@example.com", "password": "password"})
    foreign = login.get_json()["data"]["access_token"]
    assert _refused(dreamfactory_mock, foreign) == ((401, SIGNATURE), (401, REFRESH_SIGNATURE))


def test_a_paystub_token_has_the_wrong_number_of_segments(dreamfactory_mock: MockFixture) -> None:
    paystub = authmock.create_app("paystub").test_client()
    login = paystub.post("/admin/auth/login",
                         json={"email": "owner@example.com", "password": "your-password"})
    foreign = login.get_json()["data"]["token"]["access_token"]
    assert _refused(dreamfactory_mock, foreign) == (
        (401, errors.INVALID_TOKEN_PREFIX + errors.JWT_SEGMENTS),
        (401, errors.TOKEN_REFRESH_FAILED + errors.JWT_SEGMENTS),
    )


def test_another_dreamfactory_instance_signs_with_another_key(
    dreamfactory_mock: MockFixture,
) -> None:
    other = authmock.create_app("dreamfactory").test_client()
    foreign = token_of(other)
    assert _refused(dreamfactory_mock, foreign) == ((401, SIGNATURE), (401, REFRESH_SIGNATURE))


def test_expired_by_one_second_on_the_mock_clock(dreamfactory_mock: MockFixture) -> None:
    freeze(dreamfactory_mock)
    token = token_of(dreamfactory_mock.client)
    dreamfactory_mock.clock.advance(1440 * 60 + 1)  # tymon refuses once exp is in the past
    response = dreamfactory_mock.client.get(APPS, headers=headers(ADMIN_KEY, token))
    assert error(response) == (
        401, f"{errors.JWT_EXPIRED}: {errors.SESSION_EXPIRED_SUFFIX}"
    )


def test_a_logged_out_token_is_blacklisted(dreamfactory_mock: MockFixture) -> None:
    client = dreamfactory_mock.client
    token = token_of(client)
    assert client.delete(ADMIN_LOGIN, headers=headers(ADMIN_KEY, token)).status_code == 200
    assert _refused(dreamfactory_mock, token) == (
        (403, f"{errors.JWT_BLACKLISTED}: {errors.SESSION_TERMINATED_SUFFIX}"),
        (401, errors.TOKEN_REFRESH_FAILED + errors.JWT_BLACKLISTED),
    )


def test_a_used_reset_code_is_not_found_the_second_time(dreamfactory_mock: MockFixture) -> None:
    client = dreamfactory_mock.client
    assert client.post(USER_PASSWORD_PATH + "?reset=true", json={"email": USER}).status_code == 200
    message = dreamfactory_mock.mailbox.last(USER)
    assert message is not None and message.token is not None
    body = {"email": USER, "code": message.token, "new_password": "first-new-password"}
    assert client.post(USER_PASSWORD_PATH, json=body).status_code == 200
    again = client.post(USER_PASSWORD_PATH, json={**body, "new_password": "second-password"})
    assert error(again) == (404, errors.EMAIL_CODE_NOT_FOUND)
