"""Public registration and /settings as Directus 11 serves them (users controller, UsersService)."""

from __future__ import annotations

import time
from typing import Any

import pytest

import authmock

from .helpers import (
    ADMIN,
    EDITOR_ROLE,
    HELLO,
    STATIC_TOKEN,
    bearer,
    claims,
    error,
    login,
    tokens,
    with_settings,
)

ADMIN_H = bearer(STATIC_TOKEN)
NEW = "new.person@example.com"


def _open(client: Any, **settings: Any) -> None:
    response = client.patch(
        "/settings", headers=ADMIN_H, json={"public_registration": True, **settings}
    )
    assert response.status_code == 200, response.get_data(as_text=True)


def _register(client: Any, **body: Any) -> Any:
    return client.post("/users/register", json={"email": NEW, "password": "s3cret-pass", **body})


def test_settings_read_and_patch_the_modelled_columns(directus_mock: Any) -> None:
    client = directus_mock.client
    data = client.get("/settings", headers=ADMIN_H).get_json()["data"]
    assert data == {
        "id": 1,
        "project_name": "Directus",
        "auth_login_attempts": 25,
        "auth_password_policy": None,
        "public_registration": False,
        "public_registration_verify_email": True,
        "public_registration_role": None,
        "public_registration_email_filter": None,
    }
    patched = client.patch(
        "/settings?fields=public_registration,public_registration_role",
        headers=ADMIN_H,
        json={
            "public_registration": True,
            "public_registration_role": EDITOR_ROLE,
            "project_color": "#123456",
        },
    )
    assert patched.get_json() == {
        "data": {"public_registration": True, "public_registration_role": EDITOR_ROLE}
    }
    directus_mock.reset()
    assert (
        client.get("/settings", headers=ADMIN_H).get_json()["data"]["public_registration"] is False
    )


def test_settings_permissions(directus_mock: Any) -> None:
    client = directus_mock.client
    editor = bearer(tokens(client, HELLO)["access_token"])
    assert client.get("/settings?fields=project_name", headers=editor).get_json() == {
        "data": {"project_name": "Directus"}}  # app access reads directus_settings
    message = (
        'You don\'t have permission to access collection "directus_settings" or it does not exist.'
        " Queried in root."
    )
    assert error(client.patch("/settings", headers=editor, json={"public_registration": True})) == (
        403, message, "FORBIDDEN", {"reason": message})
    assert error(client.get("/settings")) == (403, message, "FORBIDDEN", {"reason": message})


@pytest.mark.parametrize(("body", "reason"), [
    ({"public_registration": "yes"}, '"public_registration" has the wrong type'),
    ({"auth_password_policy": "("}, '"auth_password_policy" is not a valid regular expression'),
    ({"public_registration_email_filter": {"email": {"_nope": 1}}},
     '"public_registration_email_filter" is not a filter authmock understands'),
])
def test_settings_refuse_values_that_would_break_later(
    directus_mock: Any, body: Any, reason: str
) -> None:
    response = directus_mock.client.patch("/settings", headers=ADMIN_H, json=body)
    assert error(response) == (
        400,
        f"Invalid payload. {reason}.",
        "INVALID_PAYLOAD",
        {"reason": reason},
    )
    assert (
        directus_mock.client.get("/settings", headers=ADMIN_H).get_json()["data"][
            "public_registration"
        ]
        is False
    )


def test_settings_role_must_exist(directus_mock: Any) -> None:
    missing = "a1f2c3d4-0000-4000-8000-00000000ffff"
    response = directus_mock.client.patch(
        "/settings", headers=ADMIN_H, json={"public_registration_role": missing}
    )
    assert error(response)[:3] == (
        400, f'Invalid foreign key "{missing}" for field "public_registration_role" in collection '
        '"directus_settings".', "INVALID_FOREIGN_KEY")


def test_registration_off_is_forbidden(directus_mock: Any) -> None:
    assert error(_register(directus_mock.client)) == (
        403, "You don't have permission to access this.", "FORBIDDEN", {})
    assert directus_mock.mailbox.messages() == []


def test_register_verify_then_log_in(directus_mock: Any) -> None:
    client = directus_mock.client
    _open(client, public_registration_role=EDITOR_ROLE)
    response = _register(client, first_name="New", last_name="Person")
    assert response.status_code == 204 and response.get_data() == b""
    assert error(login(client, NEW, "s3cret-pass"))[2] == "INVALID_CREDENTIALS"  # unverified
    mail = directus_mock.mailbox.last(NEW)
    assert mail.subject == "Verify your email address"
    assert mail.links == [f"http://localhost/users/register/verify-email?token={mail.token}"]
    assert claims(mail.token)["scope"] == "pending-registration"
    assert list(claims(mail.token)) == ["email", "scope", "iat", "exp", "iss"]
    verified = client.get(f"/users/register/verify-email?token={mail.token}")
    assert verified.status_code == 302
    assert verified.headers["Location"].startswith("/admin/users/")
    user_id = verified.headers["Location"].rsplit("/", 1)[1]
    me = client.get("/users/me", headers=bearer(tokens_of(client))).get_json()["data"]
    assert me["id"] == user_id and me["role"] == EDITOR_ROLE
    assert (me["first_name"], me["last_name"], me["status"]) == ("New", "Person", "active")
    again = client.get(f"/users/register/verify-email?token={mail.token}")
    assert error(again) == (400, "Invalid payload. Invalid verification code.", "INVALID_PAYLOAD",
                            {"reason": "Invalid verification code"})


def tokens_of(client: Any) -> str:
    response = login(client, NEW, "s3cret-pass")
    assert response.status_code == 200
    token: str = response.get_json()["data"]["access_token"]
    return token


def test_without_verification_the_user_is_active_at_once(directus_mock: Any) -> None:
    client = directus_mock.client
    _open(client, public_registration_verify_email=False)
    assert _register(client).status_code == 204
    assert directus_mock.mailbox.messages() == []
    me = client.get("/users/me", headers=bearer(tokens_of(client))).get_json()["data"]
    assert me == {"id": me["id"]}  # no role: no read permission on directus_users


def test_verification_url_carries_the_token_and_must_be_allowed(directus_mock: Any) -> None:
    client = directus_mock.client
    _open(client)
    url = "https://app.example.com/verify"
    reason = f'URL "{url}" can\'t be used to verify registered users'
    assert error(_register(client, verification_url=url)) == (
        400, f"Invalid payload. {reason}.", "INVALID_PAYLOAD", {"reason": reason})
    app = authmock.create_app("directus", fixtures=with_settings(
        public_registration=True, USER_REGISTER_URL_ALLOW_LIST=url))
    other = app.test_client()
    assert _register(other, verification_url=url).status_code == 204
    mail = app.mock.mailbox.last()
    assert mail is not None and mail.links == [f"{url}?token={mail.token}"]


def test_existing_email_answers_like_a_success(directus_mock: Any) -> None:
    client = directus_mock.client
    _open(client)
    response = client.post("/users/register", json={"email": HELLO.upper(), "password": "x"})
    assert response.status_code == 204
    assert directus_mock.mailbox.messages() == []
    assert login(client, HELLO).status_code == 200  # the account is untouched


def test_unverified_user_gets_the_mail_again(directus_mock: Any) -> None:
    client = directus_mock.client
    _open(client)
    _register(client)
    _register(client)
    assert [m.subject for m in directus_mock.mailbox.messages(NEW)] == [
        "Verify your email address"
    ] * 2


def test_email_filter_refuses_other_addresses(directus_mock: Any) -> None:
    client = directus_mock.client
    _open(client, public_registration_email_filter={"email": {"_ends_with": "@company.com"}})
    assert error(_register(client))[:3] == (
        403,
        "You don't have permission to access this.",
        "FORBIDDEN",
    )
    assert (
        client.post("/users/register", json={"email": "a@company.com", "password": "p"}).status_code
        == 204
    )


def test_password_policy_applies(directus_mock: Any) -> None:
    client = directus_mock.client
    _open(client, auth_password_policy="/^.{12,}$/")
    assert error(_register(client, password="short")) == (
        400, 'Validation failed for field "password". Value doesn\'t have the correct format.',
        "FAILED_VALIDATION", {"field": "password", "path": [], "type": "regex", "invalid": "short"})


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({}, '"email" is required'),
        ({"email": "nope"}, '"email" must be a valid email'),
        ({"email": NEW}, '"password" is required'),
        ({"email": NEW, "password": 5}, '"password" must be a string'),
        (
            {"email": NEW, "password": "p", "verification_url": "not a uri"},
            '"verification_url" must be a valid uri',
        ),
        ({"email": NEW, "password": "p", "first_name": None}, '"first_name" must be a string'),
        ({"email": NEW, "password": "p", "role": EDITOR_ROLE}, '"role" is not allowed'),
        ([], '"value" must be of type object'),
    ],
)
def test_register_validation(directus_mock: Any, body: Any, reason: str) -> None:
    _open(directus_mock.client)
    response = directus_mock.client.post("/users/register", json=body)
    assert error(response) == (
        400,
        f"Invalid payload. {reason}.",
        "INVALID_PAYLOAD",
        {"reason": reason},
    )


def test_registration_rate_limiter(directus_mock: Any) -> None:
    client = directus_mock.client
    directus_mock.clock.freeze()  # a full window left: ms() writes 60000 ms as "1m"
    for _ in range(5):
        assert client.post("/users/register", json={}).status_code in (400, 403)
    limited = client.post("/users/register", json={})
    assert error(limited)[:3] == (429, "Too many requests, retry after 1m.", "REQUESTS_EXCEEDED")
    assert limited.headers["Retry-After"] == "60"
    directus_mock.clock.advance("61s")
    assert client.post("/users/register", json={}).status_code == 400


def test_verify_email_token_errors(directus_mock: Any) -> None:
    client = directus_mock.client
    assert error(client.get("/users/register/verify-email"))[:3] == (
        403,
        "Invalid token.",
        "INVALID_TOKEN",
    )
    assert error(client.get("/users/register/verify-email?token=abc"))[2] == "INVALID_TOKEN"
    twice = client.get("/users/register/verify-email?token=a&token=b")
    assert twice.status_code == 302 and twice.headers["Location"] == "/admin/login"
    _open(client)
    _register(client)
    token = directus_mock.mailbox.last(NEW).token
    directus_mock.clock.advance("7d")
    directus_mock.clock.advance("1s")
    assert error(client.get(f"/users/register/verify-email?token={token}"))[:3] == (
        401, "Token expired.", "TOKEN_EXPIRED")
    reset_scope = login(client, ADMIN).get_json()["data"]["access_token"]
    assert error(client.get(f"/users/register/verify-email?token={reset_scope}"))[:3] == (
        403, "You don't have permission to access this.", "FORBIDDEN")


@pytest.mark.authmock(profile="server")
def test_the_server_profile_serves_the_same_account_flows(directus_mock: Any) -> None:
    client = directus_mock.client
    assert client.get("/__authmock__/health").get_json()["profile"] == "server"
    _open(client, public_registration_verify_email=False)
    assert _register(client).status_code == 204
    assert login(client, NEW, "s3cret-pass").status_code == 200
    invited = client.post(
        "/users/invite", headers=ADMIN_H, json={"email": "inv@example.com", "role": EDITOR_ROLE}
    )
    assert invited.status_code == 204
    token = directus_mock.mailbox.last("inv@example.com").token
    assert (
        client.post("/users/invite/accept", json={"token": token, "password": "pw"}).status_code
        == 204
    )
    generated = client.post(
        "/users/me/tfa/generate", headers=ADMIN_H, json={"password": "password"}
    )
    assert len(generated.get_json()["data"]["secret"]) == 16
    assert client.delete("/users/me", headers=ADMIN_H).status_code == 403


@pytest.mark.authmock(
    fixtures=with_settings(
        realistic_timing=True,
        public_registration=True,
        public_registration_email_filter={"email": {"_ends_with": ".com"}},
    )
)
def test_realistic_timing_stalls_registration_as_directus(
    directus_mock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    client = directus_mock.client
    assert _register(client).status_code == 204  # created
    assert (
        client.post("/users/register", json={"email": HELLO, "password": "x"}).status_code == 204
    )  # exists
    assert (
        client.post("/users/register", json={"email": "a@example.org", "password": "x"}).status_code
        == 403
    )
    assert slept == [0.75] * 3  # REGISTER_STALL_TIME
    client.post("/users/register", json={"email": "nope"})  # validation errors are not stalled
    assert slept == [0.75] * 3
