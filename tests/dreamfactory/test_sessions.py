"""Sessions: login shape, JWT claims, GET/PUT/DELETE, expiry and refresh-window edges."""

from __future__ import annotations

import hashlib

import pytest

from authmock.pytest_plugin import MockFixture
from tests.dreamfactory.helpers import (
    ADMIN,
    ADMIN_KEY,
    ADMIN_LOGIN,
    FRONTEND_KEY,
    PASSWORD,
    USER,
    USER_LOGIN,
    claims_of,
    error,
    freeze,
    headers,
    login,
    token_of,
    with_settings,
)

EXPIRED = (
    "Token has expired: Session expired. Please refresh your token (if still within refresh "
    "window) or re-login."
)
BLACKLISTED = "The token has been blacklisted: Session terminated. Please re-login."
ADMIN_FIELDS = ["session_token", "session_id", "id", "name", "first_name", "last_name", "email",
                "is_sys_admin", "last_login_date", "host", "token_expiry_date"]


def test_admin_login_returns_the_full_session_in_key_order(dreamfactory_mock: MockFixture) -> None:
    freeze(dreamfactory_mock)
    response = login(dreamfactory_mock.client)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert list(body) == ADMIN_FIELDS
    assert body["session_id"] == body["session_token"]
    assert body["id"] == 1 and body["is_sys_admin"] is True
    assert (body["name"], body["first_name"], body["last_name"]) == ("Admin User", "Admin", "User")
    assert body["last_login_date"] == "2026-02-18 19:45:18"
    assert body["token_expiry_date"] == "2026-02-19 19:45:18"
    assert body["host"] == "dreamfactory"
    assert b", " not in response.data and b": " not in response.data  # compact JSON


def test_user_login_through_an_app_with_a_role_adds_role_fields(
    dreamfactory_mock: MockFixture,
) -> None:
    body = login(dreamfactory_mock.client, USER, key=FRONTEND_KEY).get_json()
    assert list(body) == [*ADMIN_FIELDS, "role", "role_id"]
    assert (body["role"], body["role_id"], body["is_sys_admin"]) == ("user", 1, False)


def test_user_gets_their_role_through_any_app_as_dreamfactory_falls_back(
    dreamfactory_mock: MockFixture,
) -> None:
    body = login(dreamfactory_mock.client, USER, key=ADMIN_KEY).get_json()
    assert body["role"] == "user"


def test_jwt_header_and_claims_are_dreamfactorys(dreamfactory_mock: MockFixture) -> None:
    freeze(dreamfactory_mock)
    token = token_of(dreamfactory_mock.client)
    assert token.startswith("eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.")
    claims = claims_of(token)
    assert list(claims) == ["sub", "iss", "iat", "exp", "nbf", "jti", "user_id", "forever"]
    assert claims["sub"] == hashlib.md5(ADMIN.encode()).hexdigest()
    assert claims["iss"] == "http://localhost/api/v2/system/admin/session"
    assert claims["exp"] - claims["iat"] == 1440 * 60
    assert claims["nbf"] == claims["iat"]
    assert len(claims["jti"]) == 16 and claims["jti"].isalnum()
    assert claims["user_id"] == 1 and claims["forever"] is False


@pytest.mark.authmock(fixtures=with_settings(jwt_ttl=60, jwt_refresh_ttl=120))
def test_ttl_and_refresh_window_come_from_fixture_settings(dreamfactory_mock: MockFixture) -> None:
    freeze(dreamfactory_mock)
    client = dreamfactory_mock.client
    body = login(client).get_json()
    assert body["token_expiry_date"] == "2026-02-18 20:45:18"
    token = body["session_token"]
    dreamfactory_mock.clock.advance(120 * 60 + 1)
    status, message = error(client.put(ADMIN_LOGIN, headers=headers(token=token)))
    assert (status, message) == (
        401, "Token refresh failed. Token has expired and can no longer be refreshed"
    )


def test_token_is_valid_until_its_exp_second_and_expired_after(
    dreamfactory_mock: MockFixture,
) -> None:
    freeze(dreamfactory_mock)
    client = dreamfactory_mock.client
    token = token_of(client)
    clock = dreamfactory_mock.clock
    clock.advance(1440 * 60 - 1)
    assert client.get("/api/v2/system/app", headers=headers(ADMIN_KEY, token)).status_code == 200
    clock.advance(1)  # exactly exp: tymon only refuses once exp is in the past
    assert client.get("/api/v2/system/app", headers=headers(ADMIN_KEY, token)).status_code == 200
    clock.advance(1)
    assert error(client.get("/api/v2/system/app", headers=headers(ADMIN_KEY, token))) == (
        401, EXPIRED
    )


def test_expired_token_still_refreshes_inside_the_window(dreamfactory_mock: MockFixture) -> None:
    freeze(dreamfactory_mock)
    client = dreamfactory_mock.client
    token = token_of(client)
    iat = claims_of(token)["iat"]
    dreamfactory_mock.clock.advance(20160 * 60)  # the last second of the refresh window
    response = client.put(ADMIN_LOGIN, headers=headers(token=token))
    assert response.status_code == 200
    new = response.get_json()["session_token"]
    assert new != token
    claims = claims_of(new)
    assert claims["iat"] == iat  # the original iat is kept ...
    assert claims["exp"] == iat + 20160 * 60 + 1440 * 60  # ... exp moves on
    assert "role" not in response.get_json()


def test_refresh_fails_one_second_after_the_window(dreamfactory_mock: MockFixture) -> None:
    freeze(dreamfactory_mock)
    client = dreamfactory_mock.client
    token = token_of(client)
    dreamfactory_mock.clock.advance(20160 * 60 + 1)
    assert error(client.put(ADMIN_LOGIN, headers=headers(token=token))) == (
        401, "Token refresh failed. Token has expired and can no longer be refreshed"
    )


def test_a_refresh_chain_dies_with_the_original_window(dreamfactory_mock: MockFixture) -> None:
    freeze(dreamfactory_mock)
    client = dreamfactory_mock.client
    token = token_of(client)
    for _ in range(13):
        dreamfactory_mock.clock.advance("1d")
        token = client.put(ADMIN_LOGIN, headers=headers(token=token)).get_json()["session_token"]
    dreamfactory_mock.clock.advance("1d")
    dreamfactory_mock.clock.advance(1)
    status, _ = error(client.put(ADMIN_LOGIN, headers=headers(token=token)))
    assert status == 401


def test_refresh_blacklists_the_old_token(dreamfactory_mock: MockFixture) -> None:
    client = dreamfactory_mock.client
    token = token_of(client)
    new = client.put(ADMIN_LOGIN, headers=headers(token=token)).get_json()["session_token"]
    assert error(client.get("/api/v2/system/app", headers=headers(ADMIN_KEY, token))) == (
        403, BLACKLISTED
    )
    assert client.get("/api/v2/system/app", headers=headers(ADMIN_KEY, new)).status_code == 200
    assert error(client.put(ADMIN_LOGIN, headers=headers(token=token))) == (
        401, "Token refresh failed. The token has been blacklisted"
    )


@pytest.mark.parametrize(
    ("token", "message"),
    [
        (None, "Token refresh failed. Wrong number of segments"),
        ("abc", "Token refresh failed. Wrong number of segments"),
        ("eyJ4.eyJ4.c",
         "Token refresh failed. Could not decode token: Error while decoding from JSON"),
        ("a!.b.c", "Token refresh failed. Could not decode token: Error while decoding from "
         "Base64Url, invalid base64 characters detected"),
    ],
)
def test_refresh_failures(dreamfactory_mock: MockFixture, token: str | None, message: str) -> None:
    response = dreamfactory_mock.client.put(ADMIN_LOGIN, headers=headers(token=token))
    assert error(response) == (401, message)


def test_refresh_of_a_token_from_before_a_reset_fails_on_the_signature(
    dreamfactory_mock: MockFixture,
) -> None:
    token = token_of(dreamfactory_mock.client)
    dreamfactory_mock.reset()
    response = dreamfactory_mock.client.put(USER_LOGIN, headers=headers(token=token))
    assert error(response) == (401, "Token refresh failed. Token Signature could not be verified.")


def test_logout_blacklists_the_token(dreamfactory_mock: MockFixture) -> None:
    client = dreamfactory_mock.client
    token = token_of(client)
    response = client.delete(ADMIN_LOGIN, headers=headers(ADMIN_KEY, token))
    assert response.status_code == 200 and response.data == b'{"success":true}'
    assert error(client.get(ADMIN_LOGIN, headers=headers(ADMIN_KEY, token))) == (403, BLACKLISTED)
    assert error(client.delete(ADMIN_LOGIN, headers=headers(ADMIN_KEY, token))) == (
        403, BLACKLISTED
    )


def test_logout_without_any_token_still_succeeds(dreamfactory_mock: MockFixture) -> None:
    response = dreamfactory_mock.client.delete(USER_LOGIN)
    assert response.status_code == 200 and response.get_json() == {"success": True}


def test_logout_with_an_expired_token_says_expired(dreamfactory_mock: MockFixture) -> None:
    client = dreamfactory_mock.client
    token = token_of(client)
    dreamfactory_mock.clock.advance("25h")
    assert error(client.delete(ADMIN_LOGIN, headers=headers(token=token))) == (401, EXPIRED)


def test_expired_and_blacklisted_token_reports_expiry(dreamfactory_mock: MockFixture) -> None:
    client = dreamfactory_mock.client
    token = token_of(client)
    client.delete(ADMIN_LOGIN, headers=headers(token=token))
    dreamfactory_mock.clock.advance("25h")
    assert error(client.get(ADMIN_LOGIN, headers=headers(token=token))) == (401, EXPIRED)


def test_relogin_issues_a_new_token_and_keeps_the_old_one_valid(
    dreamfactory_mock: MockFixture,
) -> None:
    client = dreamfactory_mock.client
    first = token_of(client)
    second = token_of(client)
    assert first != second
    for token in (first, second):
        apps = client.get("/api/v2/system/app", headers=headers(ADMIN_KEY, token))
        assert apps.status_code == 200


@pytest.mark.parametrize(("path", "status", "message"), [
    (ADMIN_LOGIN, 404, "No user session found."),
    (USER_LOGIN, 401, "There is no valid session for the current request."),
])
def test_get_session_without_a_token(
    dreamfactory_mock: MockFixture, path: str, status: int, message: str
) -> None:
    assert error(dreamfactory_mock.client.get(path, headers=headers(ADMIN_KEY))) == (
        status, message
    )


def test_admin_session_get_refuses_a_non_admin_token(dreamfactory_mock: MockFixture) -> None:
    client = dreamfactory_mock.client
    token = token_of(client, USER, key=FRONTEND_KEY)
    assert error(client.get(ADMIN_LOGIN, headers=headers(FRONTEND_KEY, token))) == (
        401, "You are not authorized to perform this action."
    )
    assert client.get(USER_LOGIN, headers=headers(FRONTEND_KEY, token)).status_code == 200


def test_patch_on_a_session_is_not_supported(dreamfactory_mock: MockFixture) -> None:
    response = dreamfactory_mock.client.patch(USER_LOGIN, json={})
    assert error(response) == (
        400,
        "PATCH requests without a resource are not currently supported by the 'session' service.",
    )


def test_post_login_ignores_a_garbage_token(dreamfactory_mock: MockFixture) -> None:
    response = dreamfactory_mock.client.post(
        ADMIN_LOGIN, json={"email": ADMIN, "password": PASSWORD},
        headers={"X-DreamFactory-API-Key": ADMIN_KEY, "X-DreamFactory-Session-Token": "junk"},
    )
    assert response.status_code == 200


@pytest.mark.authmock(fixtures=with_settings(allow_forever_sessions=True))
def test_remember_me_gives_a_forever_token_that_refreshes_past_the_window(
    dreamfactory_mock: MockFixture,
) -> None:
    freeze(dreamfactory_mock)
    client = dreamfactory_mock.client
    response = client.post(ADMIN_LOGIN, json={"email": ADMIN, "password": PASSWORD,
                                              "remember_me": "false"},
                           headers=headers(ADMIN_KEY))
    token = response.get_json()["session_token"]
    assert claims_of(token)["forever"] is True  # PHP boolval("false") is true
    dreamfactory_mock.clock.advance("30d")
    refreshed = client.put(ADMIN_LOGIN, headers=headers(token=token))
    assert refreshed.status_code == 200
    assert claims_of(refreshed.get_json()["session_token"])["iat"] > claims_of(token)["iat"]


def test_remember_me_is_ignored_when_forever_sessions_are_off(
    dreamfactory_mock: MockFixture,
) -> None:
    response = dreamfactory_mock.client.post(
        ADMIN_LOGIN, json={"email": ADMIN, "password": PASSWORD, "remember_me": True},
        headers=headers(ADMIN_KEY))
    assert claims_of(response.get_json()["session_token"])["forever"] is False


def test_last_login_date_follows_the_mock_clock(dreamfactory_mock: MockFixture) -> None:
    freeze(dreamfactory_mock)
    client = dreamfactory_mock.client
    token = token_of(client)
    dreamfactory_mock.clock.advance("90m")
    body = client.get(ADMIN_LOGIN, headers=headers(ADMIN_KEY, token)).get_json()
    assert body["last_login_date"] == "2026-02-18 19:45:18"
    assert body["token_expiry_date"] == "2026-02-19 21:15:18"


@pytest.mark.parametrize(("method", "message"), [
    ("POST", "Invalid login service provided. Please use an OAuth or AD/Ldap service."),
    ("GET", "Invalid login service provided. Please use an OAuth service."),
])
def test_login_service_that_is_not_oauth(
    dreamfactory_mock: MockFixture, method: str, message: str
) -> None:
    client = dreamfactory_mock.client
    if method == "POST":
        response = client.post(USER_LOGIN, json={"email": USER, "password": PASSWORD,
                                                 "service": "db"}, headers=headers(FRONTEND_KEY))
    else:
        response = client.get(USER_LOGIN + "?service=db", headers=headers(FRONTEND_KEY))
    assert error(response) == (400, message)


def test_login_service_that_does_not_exist(dreamfactory_mock: MockFixture) -> None:
    response = dreamfactory_mock.client.post(
        USER_LOGIN, json={"email": USER, "password": PASSWORD, "service": "github"},
        headers=headers(FRONTEND_KEY))
    assert error(response) == (404, "Could not find a service for github")


@pytest.mark.authmock(fixtures=with_settings(jwt_ttl=60))
@pytest.mark.parametrize(("seconds", "status"), [(3600, 200), (3601, 401)])
def test_a_configured_ttl_expires_on_its_second(
    dreamfactory_mock: MockFixture, seconds: int, status: int
) -> None:
    freeze(dreamfactory_mock)
    client = dreamfactory_mock.client
    token = token_of(client)
    assert claims_of(token)["exp"] - claims_of(token)["iat"] == 3600
    dreamfactory_mock.clock.advance(seconds)
    response = client.get("/api/v2/system/app", headers=headers(ADMIN_KEY, token))
    assert response.status_code == status
    if status == 401:
        assert error(response) == (401, EXPIRED)


def test_a_docs_get_refresh_keeps_the_original_refresh_window(
    dreamfactory_mock: MockFixture,
) -> None:
    freeze(dreamfactory_mock)
    client = dreamfactory_mock.client
    token = token_of(client)
    for _ in range(14):  # a GET every day hands out a new token ...
        dreamfactory_mock.clock.advance("1d")
        token = client.get(ADMIN_LOGIN, headers=headers(ADMIN_KEY, token)).get_json()[
            "session_token"]
    dreamfactory_mock.clock.advance(1)  # ... but PUT still counts from the login's iat
    assert error(client.put(ADMIN_LOGIN, headers=headers(token=token))) == (
        401, "Token refresh failed. Token has expired and can no longer be refreshed"
    )
