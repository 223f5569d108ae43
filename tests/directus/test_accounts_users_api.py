"""Invites and the Users API (create, read, update, delete) under Directus 11's permission rules."""

from __future__ import annotations

from typing import Any, cast

import pytest

import authmock

from .helpers import (
    ADMIN,
    ADMIN_ID,
    ADMIN_ROLE,
    EDITOR_ROLE,
    HELLO,
    HELLO_ID,
    STATIC_TOKEN,
    bearer,
    bundled,
    claims,
    error,
    login,
    tokens,
)

ADMIN_H = bearer(STATIC_TOKEN)
INVITEE = "invitee@example.com"
USERS_FORBIDDEN = (
    'You don\'t have permission to access collection "directus_users" or it does not exist.'
    " Queried in root."
)


def _editor(client: Any) -> dict[str, str]:
    return bearer(tokens(client, HELLO)["access_token"])


# invites --------------------------------------------------------------------------------------
def test_invite_accept_then_log_in(directus_mock: Any) -> None:
    client = directus_mock.client
    response = client.post(
        "/users/invite", headers=ADMIN_H, json={"email": INVITEE, "role": EDITOR_ROLE}
    )
    assert response.status_code == 204
    mail = directus_mock.mailbox.last(INVITEE)
    assert mail.subject == "You've been invited"
    assert mail.links == [f"http://localhost/admin/accept-invite?token={mail.token}"]
    assert {k: v for k, v in claims(mail.token).items() if k in ("email", "scope")} == {
        "email": INVITEE, "scope": "invite"}
    assert error(login(client, INVITEE, "pick-one"))[2] == "INVALID_CREDENTIALS"  # invited
    accepted = client.post(
        "/users/invite/accept", json={"token": mail.token, "password": "pick-one"}
    )
    assert accepted.status_code == 204
    assert login(client, INVITEE, "pick-one").status_code == 200
    used = client.post("/users/invite/accept", json={"token": mail.token, "password": "again"})
    reason = f"Email address {INVITEE} hasn't been invited"
    assert error(used) == (
        400,
        f"Invalid payload. {reason}.",
        "INVALID_PAYLOAD",
        {"reason": reason},
    )


def test_invite_token_expires_on_the_mock_clock(directus_mock: Any) -> None:
    client = directus_mock.client
    client.post("/users/invite", headers=ADMIN_H, json={"email": INVITEE, "role": EDITOR_ROLE})
    token = directus_mock.mailbox.last(INVITEE).token
    directus_mock.clock.advance("7d")
    directus_mock.clock.advance("1s")
    assert error(client.post("/users/invite/accept", json={"token": token, "password": "p"}))[
        :3
    ] == (401, "Token expired.", "TOKEN_EXPIRED")


def test_invite_ttl_and_url_settings() -> None:
    url = "https://app.example.com/accept"
    fixture = authmock.bundled_fixture(
        "directus", USER_INVITE_TOKEN_TTL="1h", USER_INVITE_URL_ALLOW_LIST=url
    )
    app = authmock.create_app("directus", fixtures=fixture)
    client = app.test_client()
    assert (
        client.post(
            "/users/invite",
            headers=ADMIN_H,
            json={"email": INVITEE, "role": EDITOR_ROLE, "invite_url": url},
        ).status_code
        == 204
    )
    mail = app.mock.mailbox.last()
    assert mail is not None and mail.links == [f"{url}?token={mail.token}"]
    found = claims(cast(str, mail.token))
    assert found["exp"] - found["iat"] == 3600


def test_invite_url_must_be_allowed(directus_mock: Any) -> None:
    url = "https://evil.example.com/x"
    response = directus_mock.client.post(
        "/users/invite",
        headers=ADMIN_H,
        json={"email": INVITEE, "role": EDITOR_ROLE, "invite_url": url},
    )
    reason = f'URL "{url}" can\'t be used to invite users'
    assert error(response) == (
        400,
        f"Invalid payload. {reason}.",
        "INVALID_PAYLOAD",
        {"reason": reason},
    )
    assert directus_mock.mailbox.messages() == []
    assert error(login(directus_mock.client, INVITEE, "x"))[2] == "INVALID_CREDENTIALS"


def test_invite_needs_create_permission(directus_mock: Any) -> None:
    client = directus_mock.client
    for headers in (_editor(client), {}):
        response = client.post(
            "/users/invite", headers=headers, json={"email": INVITEE, "role": EDITOR_ROLE}
        )
        assert error(response) == (403, USERS_FORBIDDEN, "FORBIDDEN", {"reason": USERS_FORBIDDEN})
    assert directus_mock.mailbox.messages() == []


def test_invite_again_resends_and_an_active_user_gets_nothing(directus_mock: Any) -> None:
    client = directus_mock.client
    body = {"email": [INVITEE, HELLO], "role": EDITOR_ROLE}
    assert client.post("/users/invite", headers=ADMIN_H, json=body).status_code == 204
    assert (
        client.post("/users/invite", headers=ADMIN_H, json={**body, "role": ADMIN_ROLE}).status_code
        == 204
    )
    assert [m.to for m in directus_mock.mailbox.messages()] == [INVITEE, INVITEE]
    users = client.get("/users?fields=email,role,status", headers=ADMIN_H).get_json()["data"]
    assert {"email": INVITEE, "role": ADMIN_ROLE, "status": "invited"} in users


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"role": EDITOR_ROLE}, '"email" is required'),
        ({"email": "nope", "role": EDITOR_ROLE}, '"email" must be a valid email'),
        ({"email": 5, "role": EDITOR_ROLE}, '"email" must be one of [string, array]'),
        ({"email": [INVITEE, "bad"], "role": EDITOR_ROLE}, '"email[1]" must be a valid email'),
        ({"email": INVITEE}, '"role" is required'),
        ({"email": INVITEE, "role": "Editor"}, '"role" must be a valid GUID'),
        (
            {"email": INVITEE, "role": EDITOR_ROLE, "invite_url": "nope"},
            '"invite_url" must be a valid uri',
        ),
        ({"email": INVITEE, "role": EDITOR_ROLE, "x": 1}, '"x" is not allowed'),
    ],
)
def test_invite_validation(directus_mock: Any, body: Any, reason: str) -> None:
    response = directus_mock.client.post("/users/invite", headers=ADMIN_H, json=body)
    assert error(response) == (
        400,
        f"Invalid payload. {reason}.",
        "INVALID_PAYLOAD",
        {"reason": reason},
    )


@pytest.mark.parametrize(("body", "reason"), [
    ({}, '"token" is required'),
    ({"token": 1, "password": "p"}, '"token" must be a string'),
    ({"token": "t"}, '"password" is required'),
    ({"token": "t", "password": ""}, '"password" is not allowed to be empty'),
])
def test_accept_validation(directus_mock: Any, body: Any, reason: str) -> None:
    response = directus_mock.client.post("/users/invite/accept", json=body)
    assert error(response) == (
        400,
        f"Invalid payload. {reason}.",
        "INVALID_PAYLOAD",
        {"reason": reason},
    )


def test_accept_refuses_other_tokens(directus_mock: Any) -> None:
    client = directus_mock.client
    assert error(client.post("/users/invite/accept", json={"token": "x", "password": "p"}))[:3] == (
        403, "Invalid token.", "INVALID_TOKEN")
    access = tokens(client, ADMIN)["access_token"]
    assert error(client.post("/users/invite/accept", json={"token": access, "password": "p"}))[
        :3
    ] == (403, "You don't have permission to access this.", "FORBIDDEN")


# the Users API --------------------------------------------------------------------------------
def test_create_one_and_many(directus_mock: Any) -> None:
    client = directus_mock.client
    one = client.post("/users?fields=email,role,status", headers=ADMIN_H,
                      json={"email": "one@example.com", "password": "pw", "role": EDITOR_ROLE})
    assert one.status_code == 200
    assert one.get_json() == {
        "data": {"email": "one@example.com", "role": EDITOR_ROLE, "status": "active"}
    }
    assert login(client, "one@example.com", "pw").status_code == 200
    many = client.post("/users?fields=email", headers=ADMIN_H,
                       json=[{"email": "two@example.com"}, {"email": "three@example.com"}])
    assert many.get_json() == {
        "data": [{"email": "two@example.com"}, {"email": "three@example.com"}]
    }


def test_create_refusals(directus_mock: Any) -> None:
    client = directus_mock.client
    assert error(client.post("/users", headers=ADMIN_H, json={"email": HELLO.upper()})) == (
        400,
        f'Value "[{HELLO}]" for field "email" in collection "directus_users" has to be unique.',
        "RECORD_NOT_UNIQUE",
        {"collection": "directus_users", "field": "email", "value": f"[{HELLO}]"},
    )
    dupes = [{"email": "a@example.com"}, {"email": "A@example.com"}]
    assert (
        error(client.post("/users", headers=ADMIN_H, json=dupes))[3]["value"] == "[a@example.com]"
    )
    assert error(client.post("/users", headers=ADMIN_H, json={"email": "nope"})) == (
        400, 'Validation failed for field "email". Value has to be a valid email address.',
        "FAILED_VALIDATION", {"field": "email", "type": "email", "path": []})
    assert error(
        client.post("/users", headers=_editor(client), json={"email": "a@example.com"})
    ) == (403, USERS_FORBIDDEN, "FORBIDDEN", {"reason": USERS_FORBIDDEN})
    batch = [
        {"email": "ok@example.com"},
        {"email": "bad@example.com", "role": "a1f2c3d4-0000-4000-8000-00000000ffff"},
    ]
    assert error(client.post("/users", headers=ADMIN_H, json=batch))[2] == "INVALID_FOREIGN_KEY"
    assert (
        error(login(client, "ok@example.com", "x"))[2] == "INVALID_CREDENTIALS"
    )  # nothing was written
    emails = [
        u["email"] for u in client.get("/users?fields=email", headers=ADMIN_H).get_json()["data"]
    ]
    assert "ok@example.com" not in emails


def test_password_policy_on_create_and_update(directus_mock: Any) -> None:
    client = directus_mock.client
    client.patch("/settings", headers=ADMIN_H, json={"auth_password_policy": "^.{8,}$"})
    assert error(
        client.post("/users", headers=ADMIN_H, json={"email": "p@example.com", "password": "short"})
    )[:3] == (
        400,
        'Validation failed for field "password". Value doesn\'t have the correct format.',
        "FAILED_VALIDATION",
    )
    assert (
        error(client.patch("/users/me", headers=ADMIN_H, json={"password": "short"}))[2]
        == "FAILED_VALIDATION"
    )


def test_read_users_by_role(directus_mock: Any) -> None:
    client = directus_mock.client
    everyone = client.get("/users?fields=id", headers=ADMIN_H).get_json()["data"]
    assert len(everyone) == 6 and everyone[0] == {"id": ADMIN_ID}
    editor = _editor(client)
    assert client.get("/users?fields=id,email", headers=editor).get_json() == {
        "data": [{"id": HELLO_ID, "email": HELLO}]}
    assert error(client.get(f"/users/{ADMIN_ID}", headers=editor)) == (
        403, "You don't have permission to access this.", "FORBIDDEN", {})
    message = (
        'You don\'t have permission to access field "token" in collection "directus_users" or it '
        'does '
        "not exist. Queried in root."
    )
    assert error(client.get(f"/users/{HELLO_ID}?fields=token", headers=editor)) == (
        403, message, "FORBIDDEN", {"reason": message})
    assert error(client.get("/users")) == (
        403,
        USERS_FORBIDDEN,
        "FORBIDDEN",
        {"reason": USERS_FORBIDDEN},
    )
    assert client.get(f"/users/{HELLO_ID}?fields=email", headers=ADMIN_H).get_json() == {
        "data": {"email": HELLO}
    }
    assert error(client.get("/users/not-a-uuid", headers=ADMIN_H))[:3] == (
        403, "You don't have permission to access this.", "FORBIDDEN")
    assert error(client.get("/users/someme", headers=ADMIN_H))[2] == "ROUTE_NOT_FOUND"


def test_update_user_and_me(directus_mock: Any) -> None:
    client = directus_mock.client
    patched = client.patch(
        f"/users/{HELLO_ID}?fields=first_name", headers=ADMIN_H, json={"first_name": "Hel"}
    )
    assert patched.get_json() == {"data": {"first_name": "Hel"}}
    me = client.patch("/users/me?fields=last_name", headers=ADMIN_H, json={"last_name": "Boss"})
    assert me.get_json() == {"data": {"last_name": "Boss"}}
    reason = 'You can\'t change the "tfa_secret" value manually'
    assert error(client.patch("/users/me", headers=ADMIN_H, json={"tfa_secret": None})) == (
        400, f"Invalid payload. {reason}.", "INVALID_PAYLOAD", {"reason": reason})
    missing = client.patch(
        "/users/0b4f5a60-0000-4000-8000-00000000ffff", headers=ADMIN_H, json={"title": "x"}
    )
    assert missing.status_code == 204  # updated nothing, and readOne's FORBIDDEN became 204
    assert error(client.patch("/users/me", json={}))[:3] == (
        401,
        "Invalid user credentials.",
        "INVALID_CREDENTIALS",
    )


def test_an_app_user_may_not_update_without_a_permission(directus_mock: Any) -> None:
    client = directus_mock.client
    response = client.patch("/users/me", headers=_editor(client), json={"first_name": "Me"})
    assert error(response) == (403, USERS_FORBIDDEN, "FORBIDDEN", {"reason": USERS_FORBIDDEN})


def test_a_role_update_permission_is_honoured() -> None:
    fixture = bundled()
    fixture["roles"][1]["permissions"]["directus_users"] = {
        "fields": [],
        "update": ["first_name", "password"],
    }
    app = authmock.create_app("directus", fixtures=fixture)
    client = app.test_client()
    editor = bearer(tokens(client, HELLO)["access_token"])
    assert client.patch(
        "/users/me?fields=first_name", headers=editor, json={"first_name": "Me"}
    ).get_json() == {"data": {"first_name": "Me"}}
    message = (
        'You don\'t have permission to access field "title" in collection "directus_users" or it '
        'does '
        "not exist. Queried in root."
    )
    assert error(client.patch("/users/me", headers=editor, json={"title": "x"})) == (
        403, message, "FORBIDDEN", {"reason": message})
    other = (
        'You don\'t have permissions to perform "update" for the field(s) "first_name" in '
        'collection '
        '"directus_users" or it does not exist.'
    )
    assert error(client.patch(f"/users/{ADMIN_ID}", headers=editor, json={"first_name": "x"})) == (
        403, other, "FORBIDDEN", {"reason": other})


def test_password_change_ends_other_sessions(directus_mock: Any) -> None:
    client = directus_mock.client
    other = tokens(client, ADMIN)["refresh_token"]
    session = login(client, ADMIN, mode="session")
    cookie = session.headers["Set-Cookie"].split(";", 1)[0].split("=", 1)[1]
    changed = client.patch(
        "/users/me?fields=id", headers=bearer(cookie), json={"password": "new-password"}
    )
    assert changed.status_code == 200
    assert (
        error(client.post("/auth/refresh", json={"refresh_token": other}))[2]
        == "INVALID_CREDENTIALS"
    )
    assert (
        client.get("/users/me", headers=bearer(cookie)).status_code == 200
    )  # this session lives on
    assert login(client, ADMIN, "new-password").status_code == 200


def test_suspending_ends_every_session(directus_mock: Any) -> None:
    client = directus_mock.client
    refresh = tokens(client, HELLO)["refresh_token"]
    assert (
        client.patch(
            f"/users/{HELLO_ID}", headers=ADMIN_H, json={"status": "suspended"}
        ).status_code
        == 200
    )
    assert (
        error(client.post("/auth/refresh", json={"refresh_token": refresh}))[2]
        == "INVALID_CREDENTIALS"
    )


def test_delete_user_and_the_last_admin(directus_mock: Any) -> None:
    client = directus_mock.client
    assert client.delete(f"/users/{HELLO_ID}", headers=ADMIN_H).status_code == 204
    assert error(login(client, HELLO))[2] == "INVALID_CREDENTIALS"
    reason = "Cannot remove the last admin user from the system"
    assert error(client.delete(f"/users/{ADMIN_ID}", headers=ADMIN_H)) == (
        422, f"Can't process content. {reason}.", "UNPROCESSABLE_CONTENT", {"reason": reason})
    assert error(client.patch(f"/users/{ADMIN_ID}", headers=ADMIN_H, json={"status": "suspended"}))[
        2
    ] == ("UNPROCESSABLE_CONTENT")
    assert error(client.delete("/users/me", headers=ADMIN_H))[:3] == (
        403, "You don't have permission to access this.", "FORBIDDEN")
    user = bearer(tokens(client, "user@example.com")["access_token"])
    assert error(client.delete(f"/users/{ADMIN_ID}", headers=user)) == (
        403, USERS_FORBIDDEN, "FORBIDDEN", {"reason": USERS_FORBIDDEN})


def test_login_attempts_setting_changes_at_run_time(directus_mock: Any) -> None:
    client = directus_mock.client
    assert (
        client.patch("/settings", headers=ADMIN_H, json={"auth_login_attempts": 1}).status_code
        == 200
    )
    assert error(login(client, HELLO, "wrong"))[2] == "INVALID_CREDENTIALS"
    assert error(login(client, HELLO, "wrong"))[2] == "INVALID_CREDENTIALS"  # the second suspends
    assert error(login(client, HELLO))[2] == "INVALID_CREDENTIALS"
    status = client.get(f"/users/{HELLO_ID}?fields=status", headers=ADMIN_H).get_json()
    assert status == {"data": {"status": "suspended"}}


def test_fields_star_follows_the_role_fields_then_the_app_access_list() -> None:
    fixture = bundled()
    fixture["roles"][1]["permissions"]["directus_users"] = {"fields": ["token", "email"]}
    app = authmock.create_app("directus", fixtures=fixture)
    client = app.test_client()
    me = client.get("/users/me", headers=bearer(tokens(client, HELLO)["access_token"])).get_json()[
        "data"
    ]
    assert list(me)[:4] == ["token", "email", "id", "first_name"]
    assert list(me)[-3:] == ["tfa_secret", "status", "role"]
