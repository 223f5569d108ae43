"""Password change and reset, the admin password resource and profiles."""

from __future__ import annotations

import re

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
    USER_PASSWORD,
    error,
    freeze,
    headers,
    login,
    token_of,
    with_settings,
)

ADMIN_PASSWORD = "/api/v2/system/admin/password"
BLACKLISTED = "The token has been blacklisted: Session terminated. Please re-login."
NEW = "a-brand-new-password"


def user_token(mock: MockFixture) -> str:
    return token_of(mock.client, USER, key=FRONTEND_KEY)


# --- change while logged in ---------------------------------------------------------------
def test_change_password_blacklists_every_token_of_the_user(dreamfactory_mock: MockFixture) -> None:
    client = dreamfactory_mock.client
    token = user_token(dreamfactory_mock)
    other = user_token(dreamfactory_mock)
    response = client.post(USER_PASSWORD, json={"old_password": PASSWORD, "new_password": NEW},
                           headers=headers(FRONTEND_KEY, token))
    assert response.status_code == 200 and response.data == b'{"success":true}'
    for stale in (token, other):
        assert error(client.get(USER_LOGIN, headers=headers(FRONTEND_KEY, stale))) == (
            403, BLACKLISTED
        )
    assert error(login(client, USER, key=FRONTEND_KEY)) == (401, "Invalid credentials supplied.")
    assert login(client, USER, NEW, key=FRONTEND_KEY).status_code == 200


def test_change_password_with_login_returns_a_fresh_token(dreamfactory_mock: MockFixture) -> None:
    client = dreamfactory_mock.client
    token = user_token(dreamfactory_mock)
    response = client.post(USER_PASSWORD + "?login=true",
                           json={"old_password": PASSWORD, "new_password": NEW},
                           headers=headers(FRONTEND_KEY, token))
    body = response.get_json()
    assert list(body) == ["success", "session_token"]
    fresh = body["session_token"]
    assert client.get(USER_LOGIN, headers=headers(FRONTEND_KEY, fresh)).status_code == 200
    assert error(client.get(USER_LOGIN, headers=headers(FRONTEND_KEY, token)))[0] == 403


@pytest.mark.parametrize(("body", "status", "message"), [
    ({"old_password": PASSWORD}, 400,
     "Both old and new password are required to change the password."),
    ({"old_password": PASSWORD, "new_password": ["x"]}, 400,
     "Both old and new password are required to change the password."),
    ({"old_password": "wrong", "new_password": NEW}, 400, "The password supplied does not match."),
    ({"new_password": NEW}, 400, "Not enough information provided to change password."),
    ({}, 400, "Not enough information provided to change password."),
])
def test_change_password_refusals(
    dreamfactory_mock: MockFixture, body: dict[str, str], status: int, message: str
) -> None:
    client = dreamfactory_mock.client
    token = user_token(dreamfactory_mock)
    response = client.post(USER_PASSWORD, json=body, headers=headers(FRONTEND_KEY, token))
    assert error(response) == (status, message)
    assert client.get(USER_LOGIN, headers=headers(FRONTEND_KEY, token)).status_code == 200


def test_old_password_without_a_session_is_not_a_change(dreamfactory_mock: MockFixture) -> None:
    response = dreamfactory_mock.client.post(
        USER_PASSWORD, json={"old_password": PASSWORD, "new_password": NEW})
    assert error(response) == (400, "Not enough information provided to change password.")


def test_user_password_refuses_an_admin_account(dreamfactory_mock: MockFixture) -> None:
    client = dreamfactory_mock.client
    token = token_of(client)
    response = client.post(USER_PASSWORD, json={"old_password": PASSWORD, "new_password": NEW},
                           headers=headers(ADMIN_KEY, token))
    assert error(response) == (
        401, "You are not authorized to reset/change password for the account admin@example.com"
    )


def test_admin_password_change(dreamfactory_mock: MockFixture) -> None:
    client = dreamfactory_mock.client
    token = token_of(client)
    response = client.post(ADMIN_PASSWORD + "?login=1",
                           json={"old_password": PASSWORD, "new_password": NEW},
                           headers=headers(ADMIN_KEY, token))
    assert response.status_code == 200 and "session_token" in response.get_json()
    assert login(client, ADMIN, NEW).status_code == 200


def test_admin_password_refuses_a_user_account(dreamfactory_mock: MockFixture) -> None:
    response = dreamfactory_mock.client.post(ADMIN_PASSWORD + "?reset=true", json={"email": USER})
    assert error(response) == (
        401, "You are not authorized to reset/change password for the account user@example.com"
    )


# --- reset by code ------------------------------------------------------------------------
def request_code(mock: MockFixture, email: str = USER, path: str = USER_PASSWORD) -> str:
    response = mock.client.post(path + "?reset=true", json={"email": email})
    assert response.status_code == 200 and response.get_json() == {"success": True}
    message = mock.mailbox.last(email)
    assert message is not None and message.token is not None
    return message.token


def test_reset_request_mails_a_32_character_code(dreamfactory_mock: MockFixture) -> None:
    code = request_code(dreamfactory_mock)
    assert re.fullmatch(r"[0-9A-Z]{32}", code)
    message = dreamfactory_mock.mailbox.last(USER)
    assert message is not None
    assert f"code={code}" in message.links[0] and code in message.text


@pytest.mark.parametrize(("body", "status", "message"), [
    ({}, 400, "Missing required email for password reset confirmation."),
    ({"email": ""}, 400, "Missing required email for password reset confirmation."),
    ({"email": "nobody@example.com"}, 404, "The supplied email was not found in the system."),
])
def test_reset_request_refusals(
    dreamfactory_mock: MockFixture, body: dict[str, str], status: int, message: str
) -> None:
    response = dreamfactory_mock.client.post(USER_PASSWORD + "?reset=true", json=body)
    assert error(response) == (status, message)
    assert len(dreamfactory_mock.mailbox) == 0


def test_reset_with_code_sets_the_password_and_logs_in(dreamfactory_mock: MockFixture) -> None:
    client = dreamfactory_mock.client
    old = user_token(dreamfactory_mock)
    code = request_code(dreamfactory_mock)
    response = client.post(USER_PASSWORD + "?login=true",
                           json={"email": USER, "code": code, "new_password": NEW})
    body = response.get_json()
    assert response.status_code == 200 and body["success"] is True
    assert client.get(USER_LOGIN, headers=headers(FRONTEND_KEY, body["session_token"])
                      ).status_code == 200
    assert error(client.get(USER_LOGIN, headers=headers(FRONTEND_KEY, old)))[0] == 403
    assert login(client, USER, NEW, key=FRONTEND_KEY).status_code == 200
    again = client.post(USER_PASSWORD, json={"email": USER, "code": code, "new_password": "x"})
    assert error(again) == (
        404, "The supplied email and/or confirmation code were not found in the system."
    )


@pytest.mark.parametrize(("body", "status", "message"), [
    ({"code": "C" * 32, "new_password": NEW}, 400,
     "Missing required email for password reset confirmation."),
    ({"email": USER, "code": "C" * 32}, 400, "Missing new password for reset."),
    ({"email": USER, "code": "y", "new_password": NEW}, 400, "Invalid confirmation code."),
    ({"email": USER, "code": "ABC", "new_password": NEW}, 400,
     "Invalid confirmation code format."),
    ({"email": USER, "code": "A" * 31 + "\n", "new_password": NEW}, 400,
     "Invalid confirmation code format."),
    ({"email": USER, "code": "A" * 32, "new_password": NEW}, 404,
     "The supplied email and/or confirmation code were not found in the system."),
    ({"email": "nobody@example.com", "code": "A" * 32, "new_password": NEW}, 404,
     "The supplied email and/or confirmation code were not found in the system."),
])
def test_reset_with_code_refusals(
    dreamfactory_mock: MockFixture, body: dict[str, str], status: int, message: str
) -> None:
    request_code(dreamfactory_mock)
    response = dreamfactory_mock.client.post(USER_PASSWORD, json=body)
    assert error(response) == (status, message)
    assert login(dreamfactory_mock.client, USER, key=FRONTEND_KEY).status_code == 200


@pytest.mark.parametrize(("seconds", "expired"), [(86400 * 60, False), (86400 * 60 + 1, True)])
def test_code_expires_after_confirm_code_ttl_minutes(
    dreamfactory_mock: MockFixture, seconds: int, expired: bool
) -> None:
    freeze(dreamfactory_mock)
    code = request_code(dreamfactory_mock)
    dreamfactory_mock.clock.advance(seconds)
    response = dreamfactory_mock.client.post(
        USER_PASSWORD, json={"email": USER, "code": code, "new_password": NEW})
    if expired:
        assert error(response) == (400, "Confirmation code expired.")
    else:
        assert response.status_code == 200


@pytest.mark.authmock(fixtures=with_settings(confirm_code_ttl=15))
def test_code_ttl_is_configurable(dreamfactory_mock: MockFixture) -> None:
    freeze(dreamfactory_mock)
    code = request_code(dreamfactory_mock)
    dreamfactory_mock.clock.advance("15m")
    dreamfactory_mock.clock.advance(1)
    response = dreamfactory_mock.client.post(
        USER_PASSWORD, json={"email": USER, "code": code, "new_password": NEW})
    assert error(response) == (400, "Confirmation code expired.")


def test_admin_reset_by_code(dreamfactory_mock: MockFixture) -> None:
    code = request_code(dreamfactory_mock, ADMIN, ADMIN_PASSWORD)
    response = dreamfactory_mock.client.post(
        ADMIN_PASSWORD, json={"email": ADMIN, "code": code, "new_password": NEW})
    assert response.get_json() == {"success": True}
    assert login(dreamfactory_mock.client, ADMIN, NEW).status_code == 200


def _with_question() -> dict[str, object]:
    data = with_settings()
    data["users"][1]["security_question"] = "First pet?"
    data["users"][1]["security_answer"] = "Rex"
    return data


@pytest.mark.authmock(fixtures=_with_question())
def test_security_question_flow(dreamfactory_mock: MockFixture) -> None:
    client = dreamfactory_mock.client
    response = client.post(USER_PASSWORD + "?reset=true", json={"email": USER})
    assert response.get_json() == {"security_question": "First pet?"}
    assert error(client.post(USER_PASSWORD, json={
        "email": USER, "security_answer": "Tom", "new_password": NEW})) == (
        400, "The answer supplied does not match.")
    assert error(client.post(USER_PASSWORD, json={
        "email": "x@example.com", "security_answer": "Rex", "new_password": NEW})) == (
        404, "The supplied email and confirmation code were not found in the system.")
    assert client.post(USER_PASSWORD, json={
        "email": USER, "security_answer": "Rex", "new_password": NEW}).status_code == 200
    assert login(client, USER, NEW, key=FRONTEND_KEY).status_code == 200


# --- profile ------------------------------------------------------------------------------
PROFILE_KEYS = ["username", "first_name", "last_name", "name", "email", "phone",
                "security_question", "default_app_id", "oauth_provider", "adldap"]


def test_user_profile_get(dreamfactory_mock: MockFixture) -> None:
    token = user_token(dreamfactory_mock)
    body = dreamfactory_mock.client.get("/api/v2/user/profile",
                                        headers=headers(FRONTEND_KEY, token)).get_json()
    assert list(body) == PROFILE_KEYS
    assert (body["email"], body["oauth_provider"], body["adldap"]) == (USER, "", "")


def test_user_profile_without_session(dreamfactory_mock: MockFixture) -> None:
    response = dreamfactory_mock.client.get("/api/v2/user/profile")
    assert error(response) == (401, "There is no valid session for the current request.")
    response = dreamfactory_mock.client.post("/api/v2/user/profile", json={"phone": "1"})
    assert error(response) == (404, "No user session found.")


def test_unknown_profile_fields_and_nulls_change_nothing(dreamfactory_mock: MockFixture) -> None:
    client = dreamfactory_mock.client
    token = user_token(dreamfactory_mock)
    auth = headers(FRONTEND_KEY, token)
    response = client.post("/api/v2/user/profile", json={"colour": "red", "name": None},
                           headers=auth)
    assert response.get_json() == {"success": True}
    assert client.get("/api/v2/user/profile", headers=auth).get_json()["name"] == "Jane Doe"


def test_user_profile_update(dreamfactory_mock: MockFixture) -> None:
    client = dreamfactory_mock.client
    token = user_token(dreamfactory_mock)
    auth = headers(FRONTEND_KEY, token)
    response = client.post("/api/v2/user/profile", json={"phone": "555-0100", "name": "J. Doe"},
                           headers=auth)
    assert response.get_json() == {"success": True}
    body = client.get("/api/v2/user/profile", headers=auth).get_json()
    assert (body["phone"], body["name"]) == ("555-0100", "J. Doe")


@pytest.mark.parametrize(("body", "message"), [
    ({}, "No data supplied for operation."),
    ({"email": "jane@example.com"}, "Current Password required to change email"),
    ({"email": "jane@example.com", "current_password": "nope"},
     "The password supplied does not match."),
])
def test_user_profile_refusals(
    dreamfactory_mock: MockFixture, body: dict[str, str], message: str
) -> None:
    token = user_token(dreamfactory_mock)
    response = dreamfactory_mock.client.post("/api/v2/user/profile", json=body,
                                             headers=headers(FRONTEND_KEY, token))
    assert error(response) == (400, message)


def test_email_change_returns_a_new_token(dreamfactory_mock: MockFixture) -> None:
    client = dreamfactory_mock.client
    token = user_token(dreamfactory_mock)
    response = client.post("/api/v2/user/profile", json={
        "email": "jane@example.com", "current_password": PASSWORD},
        headers=headers(FRONTEND_KEY, token))
    new = response.get_json()["session_token"]
    assert client.get(USER_LOGIN, headers=headers(FRONTEND_KEY, new)).get_json()["email"] == (
        "jane@example.com"
    )
    assert error(client.get(USER_LOGIN, headers=headers(FRONTEND_KEY, token))) == (
        401, "Invalid token: User verification failed."
    )


def test_admin_profile(dreamfactory_mock: MockFixture) -> None:
    client = dreamfactory_mock.client
    admin = token_of(client)
    body = client.get("/api/v2/system/admin/profile", headers=headers(ADMIN_KEY, admin))
    assert body.get_json()["email"] == ADMIN
    assert client.post("/api/v2/system/admin/profile", json={"first_name": "Ad"},
                       headers=headers(ADMIN_KEY, admin)).get_json() == {"success": True}
    token = user_token(dreamfactory_mock)
    response = client.get("/api/v2/system/admin/profile", headers=headers(FRONTEND_KEY, token))
    assert error(response) == (
        403, "Access Forbidden. GET access to component 'admin/profile' of service 'system' is "
        "not allowed by this user's role."
    )


def test_admin_profile_is_not_public(dreamfactory_mock: MockFixture) -> None:
    response = dreamfactory_mock.client.get("/api/v2/system/admin/profile",
                                            headers=headers(ADMIN_KEY))
    assert error(response)[0] == 400


def test_admin_session_on_the_admin_login_path_stays_separate(
    dreamfactory_mock: MockFixture,
) -> None:
    response = login(dreamfactory_mock.client, USER, path=ADMIN_LOGIN)
    assert error(response) == (401, "Invalid credentials supplied.")


def test_reset_link_is_absolute_on_the_request_host(dreamfactory_mock: MockFixture) -> None:
    code = request_code(dreamfactory_mock, ADMIN, ADMIN_PASSWORD)
    message = dreamfactory_mock.mailbox.last(ADMIN)
    assert message is not None
    assert message.links == [
        f"http://localhost/dreamfactory/dist/#/reset-password?code={code}"
        "&email=admin@example.com&username=&admin=1"]


@pytest.mark.authmock(fixtures=_with_question())
@pytest.mark.parametrize(("path", "email"), [(USER_PASSWORD, ADMIN), (ADMIN_PASSWORD, USER)])
def test_security_answer_reset_checks_the_account_kind_before_the_answer(
    dreamfactory_mock: MockFixture, path: str, email: str
) -> None:
    response = dreamfactory_mock.client.post(path, json={
        "email": email, "security_answer": "wrong", "new_password": NEW})
    assert error(response) == (
        401, f"You are not authorized to reset/change password for the account {email}")


def test_a_code_with_non_ascii_characters_has_an_invalid_format(
    dreamfactory_mock: MockFixture,
) -> None:
    request_code(dreamfactory_mock)
    response = dreamfactory_mock.client.post(
        USER_PASSWORD, json={"email": USER, "code": "\u00e9" * 32, "new_password": NEW})
    assert error(response) == (400, "Invalid confirmation code format.")
