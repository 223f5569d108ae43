"""Routing details: versions, verb overrides, wrapping, public resources and their verbs."""

from __future__ import annotations

import pytest

from authmock.pytest_plugin import MockFixture
from tests.dreamfactory.helpers import (
    ADMIN,
    ADMIN_KEY,
    FRONTEND_KEY,
    PASSWORD,
    USER,
    error,
    headers,
    token_of,
)
from tests.dreamfactory.test_access import NO_KEY_OR_TOKEN


@pytest.mark.parametrize("path", ["/api/v2/system/admin/session", "/api/system/admin/session",
                                  "/api/v2.1/system/admin/session"])
def test_versions_are_optional(dreamfactory_mock: MockFixture, path: str) -> None:
    response = dreamfactory_mock.client.post(path, json={"email": ADMIN, "password": PASSWORD},
                                             headers=headers(ADMIN_KEY))
    assert response.status_code == 200


def test_merge_override_is_patch(dreamfactory_mock: MockFixture) -> None:
    response = dreamfactory_mock.client.post("/api/v2/user/session?method=MERGE")
    assert error(response) == (
        400,
        "PATCH requests without a resource are not currently supported by the 'session' service.",
    )


@pytest.mark.parametrize("how", ["query", "form", "json", "symfony-header"])
def test_laravel_method_override_turns_post_into_delete(
    dreamfactory_mock: MockFixture, how: str
) -> None:
    client = dreamfactory_mock.client
    token = token_of(client)
    auth = headers(ADMIN_KEY, token)
    path = "/api/v2/system/admin/session"
    if how == "query":
        response = client.post(path + "?_method=DELETE", headers=auth)
    elif how == "form":
        response = client.post(path, data={"_method": "delete"}, headers=auth)
    elif how == "json":
        response = client.post(path, json={"_method": "DELETE"}, headers=auth)
    else:
        response = client.post(path, headers={**auth, "X-HTTP-Method-Override": "DELETE"})
    assert response.get_json() == {"success": True}
    assert error(client.get(path, headers=auth))[0] == 403


def test_wrap_false_gives_a_bare_array(dreamfactory_mock: MockFixture) -> None:
    token = token_of(dreamfactory_mock.client)
    body = dreamfactory_mock.client.get("/api/v2/system/role?wrap=false",
                                        headers=headers(ADMIN_KEY, token)).get_json()
    assert isinstance(body, list) and body[0]["name"] == "user"


@pytest.mark.parametrize(("method", "path"), [
    ("PUT", "/api/v2/user/password"),
    ("GET", "/api/v2/user/register"),
    ("DELETE", "/api/v2/system/admin/password"),
    ("GET", "/api/v2/system/admin/profile"),
])
def test_only_the_public_verbs_are_public(
    dreamfactory_mock: MockFixture, method: str, path: str
) -> None:
    assert error(dreamfactory_mock.client.open(path, method=method)) == (400, NO_KEY_OR_TOKEN)


def test_a_role_can_open_the_non_public_verbs(dreamfactory_mock: MockFixture) -> None:
    client = dreamfactory_mock.client
    token = token_of(client, USER, key=FRONTEND_KEY)
    response = client.put("/api/v2/user/password", json={"old_password": PASSWORD,
                                                         "new_password": "changed-by-put"},
                          headers=headers(FRONTEND_KEY, token))
    assert response.get_json() == {"success": True}


def test_unknown_user_resource(dreamfactory_mock: MockFixture) -> None:
    token = token_of(dreamfactory_mock.client)
    response = dreamfactory_mock.client.get("/api/v2/user/custom",
                                            headers=headers(ADMIN_KEY, token))
    assert error(response) == (404, "Resource 'custom' not found for service 'user'.")


def test_inactive_login_attempt_leaves_no_trace(dreamfactory_mock: MockFixture) -> None:
    client = dreamfactory_mock.client
    client.post("/api/v2/user/session", json={"email": USER, "password": "wrong"},
                headers=headers(FRONTEND_KEY))
    assert dreamfactory_mock.store.table("df_users")[2]["last_login_date"] is None
    assert [entry["status"] for entry in dreamfactory_mock.journal.entries()] == [401]
