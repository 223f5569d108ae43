"""POST /auth/login: the three modes, exact bodies and cookies, outcomes by user state, Joi."""

from __future__ import annotations

import re
from typing import Any

import pytest

from authmock.otp import code_at

from .helpers import (
    ADMIN,
    ADMIN_ID,
    ADMIN_ROLE,
    HELLO,
    LDAP_USER,
    SUSPENDED,
    T0,
    TFA,
    TFA_SECRET,
    USER,
    ErrorTuple,
    bearer,
    claims,
    error,
    login,
    set_cookies,
)

NANOID64 = re.compile(r"^[A-Za-z0-9_-]{64}$")
CREDENTIALS: ErrorTuple = (401, "Invalid user credentials.", "INVALID_CREDENTIALS", {})
OTP: ErrorTuple = (401, "Invalid user OTP.", "INVALID_OTP", {})


def test_json_mode_body_in_directus_key_order(directus_mock: Any) -> None:
    directus_mock.clock.set(T0)
    directus_mock.clock.freeze()
    response = login(directus_mock.client, ADMIN)
    assert response.status_code == 200
    assert response.content_type == "application/json; charset=utf-8"
    data = response.get_json()["data"]
    assert list(response.get_json()) == ["data"]
    assert list(data) == ["expires", "refresh_token", "access_token"]
    assert data["expires"] == 900000
    assert NANOID64.match(data["refresh_token"])
    assert set_cookies(response) == []
    token = claims(data["access_token"])
    assert list(token) == ["id", "role", "app_access", "admin_access", "iat", "exp", "iss"]
    assert token == {
        "id": ADMIN_ID, "role": ADMIN_ROLE, "app_access": True, "admin_access": True,
        "iat": 1795334400, "exp": 1795334400 + 900, "iss": "directus",
    }
    header = data["access_token"].split(".")[0]
    assert header == "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"  # {"alg":"HS256","typ":"JWT"}


def test_mode_json_explicit_equals_default(directus_mock: Any) -> None:
    data = login(directus_mock.client, HELLO, mode="json").get_json()["data"]
    assert list(data) == ["expires", "refresh_token", "access_token"]
    editor = claims(data["access_token"])
    assert editor["app_access"] is True and editor["admin_access"] is False


def test_cookie_mode_sets_the_refresh_cookie_exactly(directus_mock: Any) -> None:
    directus_mock.clock.set(T0)
    directus_mock.clock.freeze()
    response = login(directus_mock.client, ADMIN, mode="cookie")
    assert response.status_code == 200
    data = response.get_json()["data"]
    assert list(data) == ["expires", "access_token"]
    assert data["expires"] == 900000
    [cookie] = set_cookies(response)
    name_value, rest = cookie.split("; ", 1)
    assert name_value.startswith("directus_refresh_token=")
    assert NANOID64.match(name_value.split("=", 1)[1])
    assert (
        rest
        == "Max-Age=604800; Path=/; Expires=Sun, 29 Nov 2026 08:00:00 GMT; HttpOnly; SameSite=Lax"
    )


def test_session_mode_sets_the_session_cookie_with_a_session_jwt(directus_mock: Any) -> None:
    directus_mock.clock.set(T0)
    directus_mock.clock.freeze()
    response = login(directus_mock.client, ADMIN, mode="session")
    assert response.get_json() == {"data": {"expires": 86400000}}
    [cookie] = set_cookies(response)
    name_value, rest = cookie.split("; ", 1)
    assert name_value.startswith("directus_session_token=")
    assert (
        rest
        == "Max-Age=86400; Path=/; Expires=Mon, 23 Nov 2026 08:00:00 GMT; HttpOnly; SameSite=Lax"
    )
    jwt = name_value.split("=", 1)[1]
    session = claims(jwt)
    assert list(session) == [
        "id",
        "role",
        "app_access",
        "admin_access",
        "session",
        "iat",
        "exp",
        "iss",
    ]
    assert NANOID64.match(session["session"])
    assert session["exp"] - session["iat"] == 86400
    # the cookie alone authenticates the next request
    me = directus_mock.client.get("/users/me?fields=email")
    assert me.get_json() == {"data": {"email": ADMIN}}


def test_email_is_case_insensitive(directus_mock: Any) -> None:
    assert login(directus_mock.client, "ADMIN@Example.COM", "password").status_code == 200


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("nobody@example.com", "password"),  # unknown e-mail
        (ADMIN, "wrong"),  # wrong password
        (SUSPENDED, "password"),  # suspended, right password
        (SUSPENDED, "wrong"),  # suspended, wrong password
        (LDAP_USER, "password"),  # provider is ldap, not default
        (TFA, "wrong"),  # password is checked before the otp
    ],
)
def test_refused_logins_are_indistinguishable(
    directus_mock: Any, email: str, password: str
) -> None:
    response = login(directus_mock.client, email, password)
    assert error(response) == CREDENTIALS
    assert response.headers["X-Powered-By"] == "Directus"
    assert "Cache-Control" not in response.headers


@pytest.mark.parametrize("status", ["invited", "draft", "archived", "unverified"])
def test_other_non_active_states_are_invalid_credentials(directus_mock: Any, status: str) -> None:
    with_status: Any = directus_mock.store["directus_users"]
    row = with_status[ADMIN_ID]
    with_status.put(ADMIN_ID, {**row, "status": status})
    assert error(login(directus_mock.client, ADMIN)) == CREDENTIALS


def test_user_without_password_cannot_log_in(directus_mock: Any) -> None:
    users: Any = directus_mock.store["directus_users"]
    users.put(ADMIN_ID, {**users[ADMIN_ID], "password": None})
    assert error(login(directus_mock.client, ADMIN, "password")) == CREDENTIALS


def test_otp_is_ignored_for_users_without_tfa(directus_mock: Any) -> None:
    # the seed page's example: admin@example.com / password / "otp": "123456"
    response = login(directus_mock.client, ADMIN, otp="123456")
    assert response.status_code == 200


def test_tfa_user_needs_the_current_code(directus_mock: Any) -> None:
    client = directus_mock.client
    directus_mock.clock.set(T0)
    directus_mock.clock.freeze()
    assert error(login(client, TFA)) == OTP
    assert error(login(client, TFA, otp="000000")) == OTP
    now = directus_mock.clock.time()
    code = code_at(TFA_SECRET, now)
    assert error(login(client, TFA, otp=f" {code} ")) == OTP  # padded codes fail
    assert login(client, TFA, otp=code).status_code == 200
    assert login(client, TFA, otp=code).status_code == 200  # no replay protection
    # window 0: the previous and next steps' codes fail
    assert error(login(client, TFA, otp=code_at(TFA_SECRET, now - 30))) == OTP
    assert error(login(client, TFA, otp=code_at(TFA_SECRET, now + 30))) == OTP


def test_tfa_code_from_the_control_api_follows_the_mock_clock(directus_mock: Any) -> None:
    client = directus_mock.client
    directus_mock.clock.set("2026-11-22T08:00:29Z")
    directus_mock.clock.freeze()
    code = client.get(f"/__authmock__/users/{TFA}/otp").get_json()
    assert code["valid_for_seconds"] == 1
    assert login(client, TFA, otp=code["otp"]).status_code == 200
    directus_mock.clock.advance(1)  # the next 30-second step
    assert error(login(client, TFA, otp=code["otp"])) == OTP
    assert login(client, TFA, otp=code["next"]).status_code == 200


def _reason(response: Any) -> str:
    status, message, code, ext = error(response)
    assert (status, code) == (400, "INVALID_PAYLOAD")
    assert message == f"Invalid payload. {ext['reason']}."
    return str(ext["reason"])


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({}, '"email" is required'),
        ({"email": "a@b.co"}, '"password" is required'),
        ({"email": "invalidEmail", "password": "x"}, '"email" must be a valid email'),
        ({"email": "", "password": "x"}, '"email" is not allowed to be empty'),
        ({"email": 123, "password": "x"}, '"email" must be a string'),
        ({"email": None, "password": "x"}, '"email" must be a string'),
        ({"email": ADMIN, "password": ""}, '"password" is not allowed to be empty'),
        ({"email": ADMIN, "password": 123}, '"password" must be a string'),
        (
            {"email": ADMIN, "password": "x", "mode": "x"},
            '"mode" must be one of [cookie, json, session]',
        ),
        (
            {"email": ADMIN, "password": "x", "mode": ""},
            '"mode" must be one of [cookie, json, session]',
        ),
        (
            {"email": ADMIN, "password": "x", "mode": None},
            '"mode" must be one of [cookie, json, session]',
        ),
        ({"email": ADMIN, "password": "x", "otp": 123456}, '"otp" must be a string'),
        ({"email": ADMIN, "password": "x", "otp": ""}, '"otp" is not allowed to be empty'),
        ([], '"value" must be of type object'),
        ({"email": ADMIN, "mode": "x"}, '"password" is required'),  # first failing key wins
    ],
)
def test_joi_reasons(directus_mock: Any, body: Any, reason: str) -> None:
    response = directus_mock.client.post("/auth/login", json=body)
    assert _reason(response) == reason


@pytest.mark.parametrize(
    "email",
    ["x@example.test", "x@example.local", "x@example.localhost", "x@example.internal",
     "x@example.invalid", "a@localhost", "x@1.2.3.4", "a@@b.com", "a b@example.com",
     "a..b@example.com", ".a@example.com", "a@-example.com", "a@example..com",
     "a@exam_ple.com", "@example.com", "a@example.com.", "a@" + "x" * 64 + ".com",
     "x" * 65 + "@example.com"],
)
def test_joi_email_rule_refuses(directus_mock: Any, email: str) -> None:
    response = login(directus_mock.client, email, "x")
    assert _reason(response) == '"email" must be a valid email'


@pytest.mark.parametrize(
    "email",
    ["admin@example.com", "x@foo.dev", "X@EXAMPLE.COM", "x+tag@example.com",
     "o'brien@example.co.uk", "a@b.co", "ü@exämple.de", "x@a.xn--p1ai", "x@пример.рф"],
)
def test_joi_email_rule_accepts(directus_mock: Any, email: str) -> None:
    assert error(login(directus_mock.client, email, "x")) == CREDENTIALS


def test_non_json_bodies_count_as_empty(directus_mock: Any) -> None:
    client = directus_mock.client
    for kwargs in (
        {
            "data": "email=admin@example.com&password=password",
            "content_type": "application/x-www-form-urlencoded",
        },
        {
            "data": '{"email":"admin@example.com","password":"password"}',
            "content_type": "text/plain",
        },
        {
            "data": '{"email":"admin@example.com","password":"password"}',
            "content_type": "application/vnd.api+json",
        },
        {"data": "", "content_type": "application/json"},
    ):
        assert _reason(client.post("/auth/login", **kwargs)) == '"email" is required'


def test_json_content_type_is_matched_like_type_is(directus_mock: Any) -> None:
    body = '{"email":"admin@example.com","password":"password"}'
    for content_type in (
        "application/json; charset=utf-8",
        "Application/JSON",
        "application/json;charset=UTF-8",
    ):
        response = directus_mock.client.post("/auth/login", data=body, content_type=content_type)
        assert response.status_code == 200, content_type


def test_login_updates_last_access_on_the_mock_clock(directus_mock: Any) -> None:
    directus_mock.clock.set("2026-11-22T06:30:32.900Z")
    directus_mock.clock.freeze()  # 100 ms later it would read :33 on a busy machine
    data = login(directus_mock.client, ADMIN).get_json()["data"]
    me = directus_mock.client.get(
        "/users/me?fields=last_access", headers=bearer(data["access_token"])
    )
    assert me.get_json() == {"data": {"last_access": "2026-11-22T06:30:32"}}


def test_login_with_user_example_com_of_the_seed(directus_mock: Any) -> None:
    assert login(directus_mock.client, USER).status_code == 200
    assert login(directus_mock.client, HELLO).status_code == 200
