"""The five roles against every guarded endpoint of the bundled fixture, and custom endpoints."""

from __future__ import annotations

import pytest

from authmock.pytest_plugin import MockFixture
from tests.paystub.helpers import ADMINS, bearer, bundled, error, json_of, token_of

ENDPOINTS = [
    ("/admin/dashboard/stats", "dashboard:stats"),
    ("/admin/users", "users:list"),
    ("/admin/users/1", "users:view"),
    ("/admin/sites", "sites:list"),
    ("/admin/roles", "roles:list"),
]
#: who may call what (reference §9; Support and Marketing lists are our guess)
ALLOWED = {
    "Owner": {"dashboard:stats", "users:list", "users:view", "sites:list", "roles:list"},
    "Manager": {"dashboard:stats", "users:list", "users:view", "sites:list", "roles:list"},
    "Developer": {"dashboard:stats", "sites:list"},
    "Support": {"dashboard:stats", "users:list", "users:view", "sites:list"},
    "Marketing": {"dashboard:stats", "sites:list"},
}
ROLE_PERMISSIONS = {
    "Owner": ["dashboard:stats"]
    + [
        f"{r}:{a}"
        for r in ("users", "sites", "roles")
        for a in ("list", "create", "view", "update", "delete")
    ],
    "Manager": [
        "dashboard:stats",
        "users:list",
        "users:create",
        "users:view",
        "users:update",
        "sites:list",
        "sites:view",
        "sites:update",
        "roles:list",
        "roles:view",
    ],
    "Developer": ["dashboard:stats", "sites:list", "sites:view", "sites:update"],
    "Support": ["dashboard:stats", "users:list", "users:view", "sites:list", "sites:view"],
    "Marketing": ["dashboard:stats", "sites:list", "sites:view"],
}


@pytest.mark.parametrize("role", list(ADMINS))
@pytest.mark.parametrize(("path", "permission"), ENDPOINTS, ids=[p for p, _ in ENDPOINTS])
def test_role_against_guarded_endpoint(
    paystub_mock: MockFixture, role: str, path: str, permission: str
) -> None:
    token = token_of(paystub_mock.client, ADMINS[role])
    response = paystub_mock.client.get(path, headers=bearer(token))
    if permission in ALLOWED[role]:
        assert response.status_code == 200
        assert json_of(response)["success"] is True
        assert "data" in json_of(response)
    else:
        assert response.status_code == 403
        assert response.json == error("This action is unauthorized.")


@pytest.mark.parametrize("role", list(ADMINS))
def test_role_permission_lists(paystub_mock: MockFixture, role: str) -> None:
    token = token_of(paystub_mock.client, ADMINS[role])
    user = json_of(paystub_mock.client.get("/admin/auth/me", headers=bearer(token)))["data"]["user"]
    assert user["role"]["name"] == role
    assert user["role"]["permissions"] == ROLE_PERMISSIONS[role]
    assert user["meta"]["permissions"] == ROLE_PERMISSIONS[role]


def test_guarded_endpoint_returns_the_declared_data(paystub_mock: MockFixture) -> None:
    token = token_of(paystub_mock.client)
    declared = {e["path"]: e["data"] for e in bundled()["endpoints"]}
    response = paystub_mock.client.get("/admin/sites", headers=bearer(token))
    assert response.json == {"success": True, "data": declared["/admin/sites"]}


@pytest.mark.parametrize("user_id", ["1", "999", "abc"])
def test_id_parameter_matches_any_segment(paystub_mock: MockFixture, user_id: str) -> None:
    token = token_of(paystub_mock.client)
    response = paystub_mock.client.get(f"/admin/users/{user_id}", headers=bearer(token))
    assert response.status_code == 200


def test_guarded_endpoint_without_token_is_401_before_403(paystub_mock: MockFixture) -> None:
    response = paystub_mock.client.get("/admin/roles")
    assert response.status_code == 401
    assert response.json == error("Unauthenticated.")


def _custom_fixture() -> dict[str, object]:
    data = bundled()
    data["endpoints"] = [
        {
            "method": "POST",
            "path": "/admin/sites/{site}/users/{id}",
            "permission": "users:update",
            "status": 201,
            "message": "Attached",
            "data": {"attached": True},
        },
        {
            "method": "DELETE",
            "path": "/admin/sites/{site}/users/{id}",
            "permission": "users:delete",
            "data": {},
        },
    ]
    return data


@pytest.mark.authmock(fixtures=_custom_fixture())
def test_custom_endpoints_with_status_message_and_params(paystub_mock: MockFixture) -> None:
    client = paystub_mock.client
    owner, manager = token_of(client), token_of(client, "manager@example.com")
    created = client.post("/admin/sites/1/users/2", headers=bearer(owner))
    assert created.status_code == 201
    assert created.json == {"success": True, "data": {"attached": True}, "message": "Attached"}
    assert client.delete("/admin/sites/1/users/2", headers=bearer(owner)).status_code == 200
    assert client.delete("/admin/sites/1/users/2", headers=bearer(manager)).status_code == 403
    wrong = client.get("/admin/sites/1/users/2", headers=bearer(owner))
    assert wrong.status_code == 405
    assert wrong.headers["Allow"] == "POST, DELETE"
    assert client.get("/admin/users", headers=bearer(owner)).status_code == 404  # not declared
