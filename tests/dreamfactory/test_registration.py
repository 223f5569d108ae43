"""Registration (``/user/register``): validation, open registration, confirmation by mail."""

from __future__ import annotations

import pytest

from authmock.pytest_plugin import MockFixture
from tests.dreamfactory.helpers import (
    FRONTEND_KEY,
    USER,
    USER_LOGIN,
    USER_PASSWORD,
    error,
    headers,
    login,
    with_settings,
)

REGISTER = "/api/v2/user/register"
OPEN = with_settings(allow_open_registration=True, open_reg_email_confirmation=False,
                     open_reg_role="user")


def test_registration_is_closed_by_default(dreamfactory_mock: MockFixture) -> None:
    response = dreamfactory_mock.client.post(REGISTER, json={
        "email": "new@example.com", "new_password": "a-long-enough-password"})
    assert error(response) == (403, "Open Registration is not enabled.")


def test_validation_runs_before_the_open_registration_check(
    dreamfactory_mock: MockFixture,
) -> None:
    response = dreamfactory_mock.client.post(REGISTER, json={"email": USER})
    body = response.get_json()["error"]
    assert response.status_code == 400 and body["message"] == "Validation failed"
    assert body["context"] == {"email": ["The email has already been taken."]}


@pytest.mark.authmock(fixtures=OPEN)
@pytest.mark.parametrize(("body", "context"), [
    ({}, {"email": ["The email field is required."], "name": ["The name field is required."],
          "first_name": ["The first name field is required."],
          "last_name": ["The last name field is required."],
          "password": ["The password field is required."]}),
    ({"email": "not-an-email", "first_name": "A", "last_name": "B",
      "new_password": "a-long-enough-password"},
     {"email": ["The email field must be a valid email address."]}),
    ({"email": "new@example.com", "new_password": "short"},
     {"password": ["The password field must be at least 16 characters."]}),
    ({"email": "new@example.com", "password": "a-long-enough-password",
      "password_confirmation": "something-else-entirely"},
     {"password": ["The password field confirmation does not match."]}),
    ({"email": "new@example.com", "new_password": "a-long-enough-password", "username": "ab"},
     {"username": ["The username field must be at least 6 characters."]}),
    ({"email": ["new@example.com"], "first_name": "A", "last_name": "B",
      "new_password": "a-long-enough-password"},
     {"email": ["The email field must be a string."]}),
])
def test_registration_validation(
    dreamfactory_mock: MockFixture, body: dict[str, object], context: dict[str, list[str]]
) -> None:
    response = dreamfactory_mock.client.post(REGISTER, json=body)
    envelope = response.get_json()["error"]
    assert (response.status_code, envelope["message"]) == (400, "Validation failed")
    assert envelope["context"] == context
    assert len(dreamfactory_mock.store.table("df_users")) == 3


@pytest.mark.authmock(fixtures=OPEN)
def test_open_registration_with_login(dreamfactory_mock: MockFixture) -> None:
    client = dreamfactory_mock.client
    response = client.post(REGISTER + "?login=true", json={
        "first_name": "New", "last_name": "Person", "email": "new@example.com",
        "new_password": "a-long-enough-password"})
    body = response.get_json()
    assert list(body) == ["success", "session_token"]
    token = body["session_token"]
    session = client.get(USER_LOGIN, headers=headers(FRONTEND_KEY, token)).get_json()
    assert (session["name"], session["role"]) == ("New Person", "user")
    token = session["session_token"]  # the docs profile's GET hands out a new token
    assert client.get("/api/v2/db/_table/contacts",
                      headers=headers(FRONTEND_KEY, token)).status_code == 200


@pytest.mark.authmock(fixtures=OPEN)
def test_open_registration_without_login(dreamfactory_mock: MockFixture) -> None:
    response = dreamfactory_mock.client.post(REGISTER, json={
        "email": "jo.smith@example.com", "password": "a-long-enough-password"})
    assert response.get_json() == {"success": True}
    body = login(dreamfactory_mock.client, "jo.smith@example.com", "a-long-enough-password",
                 key=FRONTEND_KEY).get_json()
    assert (body["first_name"], body["last_name"], body["name"]) == ("jo", "smith", "jo smith")


@pytest.mark.authmock(fixtures=with_settings(allow_open_registration=True))
def test_registration_confirmed_by_email_code(dreamfactory_mock: MockFixture) -> None:
    client = dreamfactory_mock.client
    response = client.post(REGISTER + "?login=true", json={"email": "new@example.com",
                                                          "first_name": "New"})
    assert response.get_json() == {"success": True, "confirmation_required": True}
    message = dreamfactory_mock.mailbox.last("new@example.com")
    assert message is not None and message.token is not None and len(message.token) == 32
    confirmed = client.post(USER_PASSWORD + "?login=true", json={
        "email": "new@example.com", "code": message.token, "new_password": "chosen-later"})
    assert "session_token" in confirmed.get_json()


@pytest.mark.authmock(fixtures=OPEN)
@pytest.mark.parametrize(("body", "names"), [
    ({"email": "kim@example.com"}, ("kim", "kim", "kim kim")),
    ({"email": "x@example.com", "first_name": "Mary.Ann"}, ("Mary", "Ann", "Mary Ann")),
    ({"email": "x@example.com", "first_name": "a.b", "last_name": "C", "name": "Shown"},
     ("a.b", "C", "Shown")),
])
def test_registration_name_defaults(
    dreamfactory_mock: MockFixture, body: dict[str, str], names: tuple[str, str, str]
) -> None:
    client = dreamfactory_mock.client
    response = client.post(REGISTER, json={**body, "new_password": "a-long-enough-password"})
    assert response.get_json() == {"success": True}
    session = login(client, body["email"], "a-long-enough-password", key=FRONTEND_KEY).get_json()
    assert (session["first_name"], session["last_name"], session["name"]) == names
