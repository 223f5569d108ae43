"""Every row of the contract's profile table, in both profiles (``docs`` is the default)."""

from __future__ import annotations

import json

import pytest

from authmock.pytest_plugin import MockFixture
from tests.dreamfactory.helpers import (
    ADMIN,
    ADMIN_KEY,
    ADMIN_LOGIN,
    FRONTEND_KEY,
    PASSWORD,
    UNKNOWN_KEY,
    USER_LOGIN,
    claims_of,
    error,
    freeze,
    headers,
    login,
    token_of,
)
from tests.dreamfactory.test_access import NO_API_KEY, NO_KEY_OR_TOKEN, NO_TOKEN

SERVER = pytest.mark.authmock(profile="server")
BOTH = pytest.mark.parametrize(
    "profile", ["docs", pytest.param("server", marks=SERVER)]
)
CREDENTIALS = json.dumps({"email": ADMIN, "password": PASSWORD})


@BOTH
def test_login_without_any_api_key(dreamfactory_mock: MockFixture, profile: str) -> None:
    response = login(dreamfactory_mock.client, key=None)
    assert dreamfactory_mock.profile == profile
    if profile == "docs":
        assert error(response) == (400, NO_KEY_OR_TOKEN)
    else:
        assert response.status_code == 200


@BOTH
def test_sys_admin_credentials_on_user_session(
    dreamfactory_mock: MockFixture, profile: str
) -> None:
    response = login(dreamfactory_mock.client, ADMIN, key=ADMIN_KEY, path=USER_LOGIN)
    if profile == "docs":
        assert error(response) == (400, "Login request is missing required email.")
    else:
        assert error(response) == (401, "Invalid credentials supplied.")


@BOTH
def test_wrong_admin_password_on_user_session_is_invalid_credentials(
    dreamfactory_mock: MockFixture, profile: str
) -> None:
    response = login(dreamfactory_mock.client, ADMIN, "wrong", path=USER_LOGIN)
    assert error(response) == (401, "Invalid credentials supplied.")


@BOTH
@pytest.mark.parametrize(("key", "status", "message"), [
    (ADMIN_KEY, 400, NO_TOKEN),
    (UNKNOWN_KEY, 400, NO_TOKEN),
    (None, 400, NO_KEY_OR_TOKEN),
    (FRONTEND_KEY, 401, "Unauthorized. User is not authenticated."),
])
def test_post_to_the_wrong_admin_endpoint(
    dreamfactory_mock: MockFixture, profile: str, key: str | None, status: int, message: str
) -> None:
    response = dreamfactory_mock.client.post(
        "/api/v2/admin/session", data=CREDENTIALS, content_type="application/json",
        headers=headers(key))
    assert error(response) == (status, message)


@BOTH
def test_wrong_admin_endpoint_with_a_sys_admin_token(
    dreamfactory_mock: MockFixture, profile: str
) -> None:
    client = dreamfactory_mock.client
    token = token_of(client)
    response = client.post("/api/v2/admin/session", headers=headers(ADMIN_KEY, token))
    assert error(response) == (404, "Could not find a service for admin")


@BOTH
def test_json_body_without_content_type(dreamfactory_mock: MockFixture, profile: str) -> None:
    response = dreamfactory_mock.client.post(
        ADMIN_LOGIN, data=CREDENTIALS, headers=headers(ADMIN_KEY))
    assert "Content-Type" not in response.request.headers
    if profile == "docs":
        assert error(response) == (400, "Login request is missing required email.")
    else:
        assert response.status_code == 200


@BOTH
def test_json_body_sent_as_a_form_is_missing_the_email(
    dreamfactory_mock: MockFixture, profile: str
) -> None:
    # what `curl -d '{"email":...}'` sends without -H "Content-Type: application/json"
    response = dreamfactory_mock.client.post(
        ADMIN_LOGIN, data=CREDENTIALS, headers=headers(ADMIN_KEY),
        content_type="application/x-www-form-urlencoded")
    assert error(response) == (400, "Login request is missing required email.")


@BOTH
def test_get_session(dreamfactory_mock: MockFixture, profile: str) -> None:
    freeze(dreamfactory_mock)
    client = dreamfactory_mock.client
    token = token_of(client)
    dreamfactory_mock.clock.advance("1h")
    response = client.get(ADMIN_LOGIN, headers=headers(ADMIN_KEY, token))
    assert response.status_code == 200
    body = response.get_json()
    assert body["token_expiry_date"] == "2026-02-19 20:45:18"
    if profile == "docs":
        assert body["session_token"] != token
        assert claims_of(body["session_token"])["iat"] == claims_of(token)["iat"]
        assert error(client.get(ADMIN_LOGIN, headers=headers(ADMIN_KEY, token))) == (
            403, "The token has been blacklisted: Session terminated. Please re-login."
        )
        again = client.get(ADMIN_LOGIN, headers=headers(ADMIN_KEY, body["session_token"]))
        assert again.status_code == 200
    else:
        assert body["session_token"] == token == body["session_id"]
        assert client.get(ADMIN_LOGIN, headers=headers(ADMIN_KEY, token)).status_code == 200


@BOTH
@pytest.mark.parametrize("path", ["/api/v2/db/_table/contacts", "/api/v2/system/service"])
def test_sys_admin_token_without_key(
    dreamfactory_mock: MockFixture, profile: str, path: str
) -> None:
    client = dreamfactory_mock.client
    token = token_of(client)
    response = client.get(path, headers=headers(token=token))
    if profile == "docs":
        assert error(response) == (400, NO_API_KEY)
    else:
        assert response.status_code == 200


@BOTH
def test_session_check_and_logout_need_no_key_in_either_profile(
    dreamfactory_mock: MockFixture, profile: str
) -> None:
    client = dreamfactory_mock.client
    token = token_of(client)
    assert client.get(ADMIN_LOGIN, headers=headers(token=token)).status_code == 200
    assert client.delete(USER_LOGIN).status_code == 200
