"""POST /auth/password/request and /auth/password/reset (reference §3.5, §3.6)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from .helpers import (
    ADMIN,
    HELLO,
    LDAP_USER,
    SUSPENDED,
    T0,
    ErrorTuple,
    bearer,
    claims,
    error,
    login,
    tokens,
    with_settings,
)

ALLOWED = "http://localhost:3000/reset-password"
FORBIDDEN: ErrorTuple = (403, "You don't have permission to access this.", "FORBIDDEN", {})


def _payload(reason: str) -> tuple[int, str, str, dict[str, Any]]:
    return 400, f"Invalid payload. {reason}.", "INVALID_PAYLOAD", {"reason": reason}


def _request(mock: Any, **body: Any) -> Any:
    return mock.client.post("/auth/password/request", json=body)


def _reset_token(mock: Any, email: str = HELLO, reset_url: str | None = ALLOWED) -> str:
    body = {"email": email} if reset_url is None else {"email": email, "reset_url": reset_url}
    assert _request(mock, **body).status_code == 204
    message = mock.mailbox.last(email)
    assert message is not None
    return str(message.token)


def test_request_sends_the_link_to_the_mailbox(directus_mock: Any) -> None:
    directus_mock.clock.set(T0)
    directus_mock.clock.freeze()
    response = _request(directus_mock, email=HELLO, reset_url=ALLOWED)
    assert response.status_code == 204 and response.get_data() == b""
    message = directus_mock.mailbox.last()
    assert message.to == HELLO
    assert message.subject == "Password Reset Request"
    assert message.links == [f"{ALLOWED}?token={message.token}"]
    assert message.links[0] in message.text
    token = claims(message.token)
    assert list(token) == ["email", "scope", "hash", "iat", "exp", "iss"]
    assert token["email"] == HELLO and token["scope"] == "password-reset"
    assert token["exp"] - token["iat"] == 86400 and token["iss"] == "directus"


def test_request_without_reset_url_links_to_the_admin_app(directus_mock: Any) -> None:
    assert _request(directus_mock, email="HELLO@example.com").status_code == 204
    link = directus_mock.mailbox.last().links[0]
    assert link.startswith("http://localhost/admin/reset-password?token=")


@pytest.mark.authmock(fixtures=with_settings(PUBLIC_URL="https://cms.example.com/"))
def test_public_url_from_settings(directus_mock: Any) -> None:
    _request(directus_mock, email=HELLO)
    assert directus_mock.mailbox.last().links[0].startswith("https://cms.example.com/admin/reset-password?token=")


@pytest.mark.parametrize("email", ["nobody@example.com", SUSPENDED, LDAP_USER, "not an email", ""])
def test_request_is_204_and_silent_for_anyone_else(directus_mock: Any, email: str) -> None:
    assert _request(directus_mock, email=email).status_code == 204
    assert len(directus_mock.mailbox) == 0


@pytest.mark.parametrize("body", [{}, {"email": 1}, {"email": None}, {"email": ["a"]}])
def test_request_needs_a_string_email(directus_mock: Any, body: dict[str, Any]) -> None:
    response = directus_mock.client.post("/auth/password/request", json=body)
    assert error(response) == _payload('"email" field is required')


@pytest.mark.parametrize(
    "url", ["https://evil.example.com/reset-password", "http://localhost:3000/other", 123]
)
def test_request_with_a_disallowed_reset_url(directus_mock: Any, url: Any) -> None:
    for email in (HELLO, "nobody@example.com"):  # checked first, even for unknown e-mails
        response = _request(directus_mock, email=email, reset_url=url)
        assert error(response) == _payload(f'URL "{url}" can\'t be used to reset passwords')
    assert len(directus_mock.mailbox) == 0


def test_allow_list_compares_host_and_path_only(directus_mock: Any) -> None:
    assert (
        _request(
            directus_mock, email=HELLO, reset_url="https://localhost:9999/reset-password?x=1"
        ).status_code
        == 204
    )
    assert directus_mock.mailbox.last().links[0].startswith("https://localhost:9999/reset-password?x=1&token=")


def test_allow_list_resolves_dot_segments_like_new_url(directus_mock: Any) -> None:
    for url in ("http://localhost:3000/x/../reset-password", "http://localhost:3000/./x/%2e%2E/reset-password"):
        assert _request(directus_mock, email=HELLO, reset_url=url).status_code == 204
    assert len(directus_mock.mailbox.messages(to=HELLO)) == 2


@pytest.mark.parametrize(
    "url",
    ["http://evil.com\\@localhost:3000/reset-password",  # new URL(): host evil.com
     "http://[::1", "http://localhost:3000\\..\\evil"],
)
def test_allow_list_reads_urls_like_new_url(directus_mock: Any, url: str) -> None:
    assert error(_request(directus_mock, email=HELLO, reset_url=url)) == _payload(
        f'URL "{url}" can\'t be used to reset passwords')
    assert directus_mock.mailbox.last() is None


@pytest.mark.authmock(fixtures={**with_settings(), "settings": {
    "profile": "docs", "PASSWORD_RESET_URL_ALLOW_LIST": None}})  # settings merge: unset it
def test_without_an_allow_list_every_reset_url_is_refused(directus_mock: Any) -> None:
    response = _request(directus_mock, email=HELLO, reset_url=ALLOWED)
    assert error(response) == _payload(f'URL "{ALLOWED}" can\'t be used to reset passwords')


def test_reset_sets_the_password_once_and_ends_sessions(directus_mock: Any) -> None:
    client = directus_mock.client
    old_refresh = tokens(client, HELLO)["refresh_token"]
    token = _reset_token(directus_mock)
    response = client.post("/auth/password/reset", json={"token": token, "password": "n3w-pass"})
    assert response.status_code == 204 and response.get_data() == b""
    assert login(client, HELLO, "n3w-pass").status_code == 200
    assert error(login(client, HELLO, "d1r3ctu5"))[2] == "INVALID_CREDENTIALS"
    assert (
        error(client.post("/auth/refresh", json={"refresh_token": old_refresh}))[2]
        == "INVALID_CREDENTIALS"
    )
    # single use
    assert (
        error(client.post("/auth/password/reset", json={"token": token, "password": "again"}))
        == FORBIDDEN
    )


def test_reset_token_dies_when_the_password_changes_another_way(directus_mock: Any) -> None:
    first = _reset_token(directus_mock)
    second = _reset_token(directus_mock)
    client = directus_mock.client
    assert (
        client.post("/auth/password/reset", json={"token": second, "password": "one"}).status_code
        == 204
    )
    assert (
        error(client.post("/auth/password/reset", json={"token": first, "password": "two"}))
        == FORBIDDEN
    )


def test_reset_token_expiry_edges(directus_mock: Any) -> None:
    directus_mock.clock.set(T0)
    directus_mock.clock.freeze()
    token = _reset_token(directus_mock)
    directus_mock.clock.advance(86399)
    client = directus_mock.client
    assert (
        client.post("/auth/password/reset", json={"token": token, "password": "p"}).status_code
        == 204
    )
    token = _reset_token(directus_mock)
    directus_mock.clock.advance(86400)
    response = client.post("/auth/password/reset", json={"token": token, "password": "p"})
    assert error(response) == (401, "Token expired.", "TOKEN_EXPIRED", {})


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({}, '"token" field is required'),
        ({"token": 1, "password": "x"}, '"token" field is required'),
        ({"token": "x"}, '"password" field is required'),
        ({"token": "x", "password": 5}, '"password" field is required'),
    ],
)
def test_reset_field_checks(directus_mock: Any, body: dict[str, Any], reason: str) -> None:
    assert error(directus_mock.client.post("/auth/password/reset", json=body)) == _payload(reason)


@pytest.mark.parametrize("token", ["not-a-jwt", "a.b.c", ""])
def test_reset_with_a_bad_token(directus_mock: Any, token: str) -> None:
    response = directus_mock.client.post(
        "/auth/password/reset", json={"token": token, "password": "x"}
    )
    assert error(response) == (403, "Invalid token.", "INVALID_TOKEN", {})


def test_reset_with_an_access_token_is_forbidden(directus_mock: Any) -> None:
    access = tokens(directus_mock.client)["access_token"]
    response = directus_mock.client.post(
        "/auth/password/reset", json={"token": access, "password": "x"}
    )
    assert error(response) == FORBIDDEN


def test_reset_of_a_user_suspended_since_is_forbidden(directus_mock: Any) -> None:
    token = _reset_token(directus_mock, ADMIN)
    users: Any = directus_mock.store["directus_users"]
    admin = users.find(lambda u: u["email"] == ADMIN)
    users.put(admin["id"], {**admin, "status": "suspended"})
    response = directus_mock.client.post(
        "/auth/password/reset", json={"token": token, "password": "x"}
    )
    assert error(response) == FORBIDDEN


@pytest.mark.authmock(fixtures=with_settings(auth_password_policy="/^.{8,}$/"))
def test_password_policy_from_settings(directus_mock: Any) -> None:
    client = directus_mock.client
    token = _reset_token(directus_mock)
    response = client.post("/auth/password/reset", json={"token": token, "password": "short"})
    assert error(response) == (
        400, 'Validation failed for field "password". Value doesn\'t have the correct format.',
        "FAILED_VALIDATION", {"field": "password", "path": [], "type": "regex", "invalid": "short"},
    )
    # nothing changed: the token still works with a compliant password
    assert (
        client.post(
            "/auth/password/reset", json={"token": token, "password": "long enough"}
        ).status_code
        == 204
    )


def test_reset_link_query_carries_the_token(directus_mock: Any) -> None:
    token = _reset_token(directus_mock)
    link = directus_mock.mailbox.last().links[0]
    assert parse_qs(urlsplit(link).query)["token"] == [token]
    assert directus_mock.client.get("/users/me", headers=bearer(token)).status_code == 403
