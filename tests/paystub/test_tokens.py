"""Bearer tokens: refresh, logout, expiry on the mock clock, and every malformed value."""

from __future__ import annotations

import pytest

from authmock.pytest_plugin import MockFixture
from tests.paystub.helpers import bearer, error, freeze, json_of, token_of

UNAUTHENTICATED = error("Unauthenticated.")


def test_refresh_issues_the_next_id_and_deletes_the_old_token(paystub_mock: MockFixture) -> None:
    freeze(paystub_mock)
    client = paystub_mock.client
    old = token_of(client)
    paystub_mock.clock.advance("1h")
    response = client.post("/admin/auth/refresh", headers=bearer(old))
    assert response.status_code == 200
    assert list(json_of(response)) == ["success", "data"]
    token = json_of(response)["data"]["token"]
    assert list(token) == ["access_token", "token_type", "expires_at"]
    assert token["access_token"].startswith("2|")
    assert token["token_type"] == "Bearer"
    assert token["expires_at"] == "2025-02-13T11:00:00Z"  # 24 h after the refresh
    assert client.get("/admin/auth/me", headers=bearer(old)).json == UNAUTHENTICATED
    assert client.get("/admin/auth/me", headers=bearer(token["access_token"])).status_code == 200


def test_token_is_valid_until_the_second_before_expiry(paystub_mock: MockFixture) -> None:
    freeze(paystub_mock)
    client = paystub_mock.client
    token = token_of(client)
    paystub_mock.clock.advance(24 * 3600 - 1)
    assert client.get("/admin/auth/me", headers=bearer(token)).status_code == 200
    paystub_mock.clock.advance(1)  # exactly expires_at: refused from that instant on
    response = client.get("/admin/auth/me", headers=bearer(token))
    assert response.status_code == 401
    assert response.json == UNAUTHENTICATED
    paystub_mock.clock.advance(1)
    assert client.get("/admin/auth/me", headers=bearer(token)).status_code == 401


def test_refresh_works_one_second_before_expiry(paystub_mock: MockFixture) -> None:
    freeze(paystub_mock)
    client = paystub_mock.client
    token = token_of(client)
    paystub_mock.clock.advance(24 * 3600 - 1)
    assert client.post("/admin/auth/refresh", headers=bearer(token)).status_code == 200


@pytest.mark.parametrize("late", [0, 1], ids=["at-expiry", "a-second-after"])
def test_expired_token_cannot_refresh(paystub_mock: MockFixture, late: int) -> None:
    freeze(paystub_mock)
    client = paystub_mock.client
    token = token_of(client)
    paystub_mock.clock.advance(24 * 3600 + late)
    response = client.post("/admin/auth/refresh", headers=bearer(token))
    assert response.status_code == 401
    assert response.json == UNAUTHENTICATED
    assert len(paystub_mock.store.table("paystub_tokens")) == 1  # nothing issued


def test_logout_revokes_only_the_current_token(paystub_mock: MockFixture) -> None:
    client = paystub_mock.client
    first, second = token_of(client), token_of(client)
    response = client.post("/admin/auth/logout", headers=bearer(first))
    assert response.status_code == 200
    assert response.json == {"success": True, "data": {}, "message": "Logged out successfully"}
    assert client.get("/admin/auth/me", headers=bearer(first)).json == UNAUTHENTICATED
    assert client.post("/admin/auth/logout", headers=bearer(first)).status_code == 401
    assert client.get("/admin/auth/me", headers=bearer(second)).status_code == 200


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/admin/auth/me", "GET"),
        ("/admin/auth/refresh", "POST"),
        ("/admin/auth/logout", "POST"),
        ("/admin/users", "GET"),
    ],
)
def test_no_token_is_401(paystub_mock: MockFixture, path: str, method: str) -> None:
    response = paystub_mock.client.open(path, method=method)
    assert response.status_code == 401
    assert response.json == UNAUTHENTICATED


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer ",
        "Basic b3duZXI6cGFzcw==",
        "Bearer 1|",
        "Bearer |abc",
        "Bearer abc|def",
        "Bearer 1|abc",
        "Bearer 99|{secret}",
        "Bearer -1|{secret}",
        "Bearer ١|{secret}",  # a non-ASCII digit is not an id
        "Bearer {token}x",
        "Bearer x{token}",
        "Bearer {token_upper}",
        "Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc",
        "Bearer \x00",
        "Bearer 1|\udc80",  # only a test client can send this; it must not crash the mock
        "Token {token}",
    ],
)
def test_malformed_or_unknown_bearer_is_401(paystub_mock: MockFixture, header: str) -> None:
    client = paystub_mock.client
    token = token_of(client)
    secret = token.split("|", 1)[1]
    value = header.format(token=token, secret=secret, token_upper=token.upper())
    response = client.get("/admin/auth/me", headers={"Authorization": value})
    assert response.status_code == 401
    assert response.json == UNAUTHENTICATED


@pytest.mark.parametrize(
    "header",
    [
        "Bearer {token}",
        "bearer {token}",
        "BEARER {token}",
        "Bearer {token}, Basic x",
        "Bearer old, Bearer {token}",
        "Bearer {secret}",
        "Bearer {token}  ",
        "\tBearer {token}\t",
    ],
    ids=[
        "plain",
        "lowercase",
        "uppercase",
        "comma",
        "last-bearer-wins",
        "secret-without-id",
        "trailing-space",
        "tabs-around",
    ],
)
def test_bearer_parsing_follows_laravel(paystub_mock: MockFixture, header: str) -> None:
    client = paystub_mock.client
    token = token_of(client)
    value = header.format(token=token, secret=token.split("|", 1)[1])
    assert client.get("/admin/auth/me", headers={"Authorization": value}).status_code == 200


def test_tokens_issued_before_a_reset_are_refused(paystub_mock: MockFixture) -> None:
    client = paystub_mock.client
    token = token_of(client)
    paystub_mock.reset()
    assert client.get("/admin/auth/me", headers=bearer(token)).json == UNAUTHENTICATED
    fresh = token_of(client)
    assert fresh.startswith("1|") and fresh != token  # ids restart, secrets do not repeat
    assert client.get("/admin/auth/me", headers=bearer(token)).status_code == 401
