"""GET /users/me (reference §8) and GET /items/... with role and Public permissions."""

from __future__ import annotations

from typing import Any

import pytest

from .helpers import (
    ADMIN,
    ADMIN_ID,
    ADMIN_ROLE,
    EDITOR_ROLE,
    HELLO,
    HELLO_ID,
    STATIC_TOKEN,
    TFA,
    bearer,
    bundled,
    error,
    tokens,
)

ADMIN_KEYS = [
    "id", "first_name", "last_name", "email", "password", "location", "title", "description",
    "tags", "avatar", "language", "tfa_secret", "status", "role", "token", "last_access",
    "last_page", "provider", "external_identifier", "auth_data", "email_notifications",
    "appearance", "theme_dark", "theme_light", "theme_light_overrides", "theme_dark_overrides",
    "text_direction", "policies",
]


def test_me_for_the_admin_has_every_column_in_order(directus_mock: Any) -> None:
    response = directus_mock.client.get("/users/me", headers=bearer(STATIC_TOKEN))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["Vary"] == "Origin, Cache-Control"
    assert response.headers["ETag"].startswith('W/"')
    data = response.get_json()["data"]
    assert list(data) == ADMIN_KEYS
    assert data["id"] == ADMIN_ID and data["role"] == ADMIN_ROLE
    assert (data["first_name"], data["last_name"]) == ("Admin", "User")
    assert data["password"] == "**********" and data["token"] == "**********"
    assert data["tfa_secret"] is None and data["last_access"] is None
    assert data["provider"] == "default" and data["email_notifications"] is True
    assert data["text_direction"] == "auto" and data["policies"] == []


def test_me_for_an_app_access_user_shows_the_minimal_fields(directus_mock: Any) -> None:
    data = tokens(directus_mock.client, HELLO)
    me = directus_mock.client.get("/users/me", headers=bearer(data["access_token"])).get_json()[
        "data"
    ]
    # a real 11.17.4 answers in the order of the app-access permission's field list
    assert list(me) == [
        "id", "first_name", "last_name", "last_page", "email", "password", "location", "title",
        "description", "tags", "provider", "avatar", "language", "appearance", "theme_light",
        "theme_dark", "tfa_secret", "status", "role",
    ]
    assert me["id"] == HELLO_ID and me["role"] == EDITOR_ROLE
    assert me["first_name"] is None and me["last_name"] is None


def test_me_fields_and_forbidden_fields(directus_mock: Any) -> None:
    client = directus_mock.client
    assert client.get("/users/me?fields=id,email", headers=bearer(STATIC_TOKEN)).get_json() == {
        "data": {"id": ADMIN_ID, "email": ADMIN}
    }
    assert client.get(
        "/users/me?fields[]=email&fields[]=token", headers=bearer(STATIC_TOKEN)
    ).get_json() == {"data": {"email": ADMIN, "token": "**********"}}
    editor = tokens(client, HELLO)["access_token"]
    # a field outside the user's read permission → Directus falls back to the bare id
    assert client.get("/users/me?fields=token", headers=bearer(editor)).get_json() == {
        "data": {"id": HELLO_ID}
    }
    assert client.get("/users/me?fields=nope", headers=bearer(STATIC_TOKEN)).get_json() == {
        "data": {"id": ADMIN_ID}
    }
    tfa = tokens_with_otp(directus_mock)
    assert client.get("/users/me?fields=tfa_secret", headers=bearer(tfa)).get_json() == {
        "data": {"tfa_secret": "**********"}
    }


def tokens_with_otp(mock: Any) -> str:
    code = mock.otp(TFA)
    response = mock.client.post(
        "/auth/login", json={"email": TFA, "password": "password", "otp": code}
    )
    return str(response.get_json()["data"]["access_token"])


PUBLISHED = [
    {"id": 1, "title": "Hello world", "status": "published", "body": "The first article."},
    {"id": 2, "title": "Second post", "status": "published", "body": "Another public article."},
]


def test_public_role_reads_published_articles(directus_mock: Any) -> None:
    client = directus_mock.client
    response = client.get("/items/articles")
    assert response.status_code == 200
    assert response.get_json() == {"data": PUBLISHED}
    assert client.get("/items/articles/1").get_json() == {"data": PUBLISHED[0]}
    assert error(client.get("/items/articles/3")) == (
        403, "You don't have permission to access this.", "FORBIDDEN", {},
    )
    assert client.get("/items/articles?fields=id,title").get_json() == {
        "data": [{"id": 1, "title": "Hello world"}, {"id": 2, "title": "Second post"}]
    }


def test_editor_and_admin_read_every_article(directus_mock: Any) -> None:
    client = directus_mock.client
    editor = tokens(client, HELLO)["access_token"]
    assert [
        a["id"] for a in client.get("/items/articles", headers=bearer(editor)).get_json()["data"]
    ] == [1, 2, 3]
    assert (
        client.get("/items/articles/3", headers=bearer(STATIC_TOKEN)).get_json()["data"]["status"]
        == "draft"
    )
    assert error(client.get("/items/articles/99", headers=bearer(STATIC_TOKEN))) == (
        403, "You don't have permission to access this.", "FORBIDDEN", {},
    )
    assert (
        client.get("/items/articles?limit=1", headers=bearer(editor)).get_json()["data"][0]["id"]
        == 1
    )


def test_unknown_collection_is_forbidden_with_the_collection_message(directus_mock: Any) -> None:
    message = ('You don\'t have permission to access collection "nonexistent" or it does not exist.'
               " Queried in root.")
    for headers in ({}, bearer(STATIC_TOKEN)):
        response = directus_mock.client.get("/items/nonexistent", headers=headers)
        assert error(response) == (403, message, "FORBIDDEN", {"reason": message})
    assert error(directus_mock.client.get("/items/directus_users"))[:3] == (
        403, "You don't have permission to access this.", "FORBIDDEN",
    )


def test_unknown_field_on_items_is_forbidden(directus_mock: Any) -> None:
    response = directus_mock.client.get("/items/articles?fields=id,secret")
    message = ('You don\'t have permission to access field "secret" in collection "articles"'
               " or it does not exist. Queried in root.")
    assert error(response) == (403, message, "FORBIDDEN", {"reason": message})


@pytest.mark.authmock(fixtures={**bundled(), "public": {}})
def test_without_public_permissions_anonymous_reads_nothing(directus_mock: Any) -> None:
    assert error(directus_mock.client.get("/items/articles"))[0] == 403
    assert (
        directus_mock.client.get("/items/articles", headers=bearer(STATIC_TOKEN)).status_code == 200
    )


def test_head_answers_like_get_without_a_body(directus_mock: Any) -> None:
    response = directus_mock.client.head("/items/articles")
    assert response.status_code == 200
    assert response.get_data() == b""
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
