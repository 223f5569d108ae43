"""GET /users/me with relational ``fields``: the ``role`` m2o as Directus 11's parseFields and
removeTemporaryFields build it (plain fields first, nested nodes after, in order of mention)."""

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
    bearer,
    bundled,
    login,
    tokens,
)
from .test_users_items import ADMIN_KEYS

ADMIN_ACCESS = "d4c3b2a1-0000-4000-8000-000000000001"
ADMIN_ROLE_OBJECT = {
    "id": ADMIN_ROLE,
    "name": "Administrator",
    "icon": "verified",
    "description": "$t:admin_description",
    "parent": None,
    "children": [],
    "policies": [ADMIN_ACCESS],
    "users": [ADMIN_ID],
}


def _me(client: Any, query: str, token: str = STATIC_TOKEN) -> Any:
    response = client.get(f"/users/me?{query}", headers=bearer(token))
    assert response.status_code == 200
    return response.get_json()


def _editor(client: Any) -> str:
    token: str = tokens(client, HELLO)["access_token"]
    return token


def test_role_name_is_the_nested_object(directus_mock: Any) -> None:
    client = directus_mock.client
    assert _me(client, "fields=role.name") == {"data": {"role": {"name": "Administrator"}}}
    assert _me(client, "fields=role.name", _editor(client)) == {
        "data": {"role": {"name": "Editor"}}
    }


def test_read_me_with_id_email_role_name(directus_mock: Any) -> None:
    client = directus_mock.client
    assert _me(client, "fields[]=id&fields[]=email&fields[]=role.name") == {
        "data": {"id": ADMIN_ID, "email": ADMIN, "role": {"name": "Administrator"}}
    }


def test_nested_nodes_come_after_plain_fields(directus_mock: Any) -> None:
    body = _me(directus_mock.client, "fields=role.name,email,id")
    assert list(body["data"]) == ["email", "id", "role"]
    body = _me(directus_mock.client, "fields=role.users,role.id,role.name")
    assert list(body["data"]["role"]) == ["id", "name", "users"]


def test_role_without_a_dot_stays_the_id(directus_mock: Any) -> None:
    assert _me(directus_mock.client, "fields=role") == {"data": {"role": ADMIN_ROLE}}
    # asked both ways, the nested node replaces the plain column
    assert _me(directus_mock.client, "fields=role,role.name") == {
        "data": {"role": {"name": "Administrator"}}
    }


def test_role_star_for_the_admin(directus_mock: Any) -> None:
    body = _me(directus_mock.client, "fields=role.*")
    assert body == {"data": {"role": ADMIN_ROLE_OBJECT}}
    assert list(body["data"]["role"]) == list(ADMIN_ROLE_OBJECT)


def test_star_and_role_star(directus_mock: Any) -> None:
    data = _me(directus_mock.client, "fields=*,role.*")["data"]
    plain = [k for k in ADMIN_KEYS if k not in ("role", "policies")]
    assert list(data) == [*plain, "policies", "role"]
    assert data["role"] == ADMIN_ROLE_OBJECT and data["policies"] == []
    assert data["password"] == "**********"
    assert list(_me(directus_mock.client, "fields=role.*,*")["data"])[-2:] == ["role", "policies"]


def test_role_star_for_an_editor_follows_the_app_access_permissions(directus_mock: Any) -> None:
    client = directus_mock.client
    body = _me(client, "fields=role.*", _editor(client))
    # no read permission on directus_access drops policies; directus_users is own-user only
    assert body == {"data": {"role": {
        "id": EDITOR_ROLE, "name": "Editor", "icon": "supervised_user_circle",
        "description": None, "parent": None, "children": [], "users": [HELLO_ID],
    }}}


def test_editor_asking_only_for_policies_gets_the_role_id(directus_mock: Any) -> None:
    client = directus_mock.client
    # the node keeps no field, so removeTemporaryFields answers the primary key
    assert _me(client, "fields=role.policies", _editor(client)) == {"data": {"role": EDITOR_ROLE}}


@pytest.mark.parametrize(
    "fields",
    ["role.nope", "role.name,role.secret", "role.parent.nope", "role.users.email", "policies.id"],
)
def test_unknown_or_unexpanded_nested_fields_fall_back_to_the_id(
    directus_mock: Any, fields: str
) -> None:
    client = directus_mock.client
    assert _me(client, f"fields={fields}") == {"data": {"id": ADMIN_ID}}
    assert _me(client, f"fields={fields}", _editor(client)) == {"data": {"id": HELLO_ID}}


def test_dotted_paths_on_plain_fields_are_dropped(directus_mock: Any) -> None:
    assert _me(directus_mock.client, "fields=id,email.x") == {"data": {"id": ADMIN_ID}}
    assert _me(directus_mock.client, "fields=role.name.x,role.id") == {
        "data": {"role": {"id": ADMIN_ROLE}}
    }


def _fixture(**roles: Any) -> dict[str, Any]:
    data = bundled()
    data["roles"].append({"id": "a1f2c3d4-0000-4000-8000-00000000000a", "name": "Junior",
                          "parent": EDITOR_ROLE, "app_access": True})
    data["roles"].append({"id": "a1f2c3d4-0000-4000-8000-00000000000c", "name": "Deputy",
                          "parent": ADMIN_ROLE})
    data["roles"].append({"id": "a1f2c3d4-0000-4000-8000-00000000000b", "name": "Api",
                          "permissions": roles})
    data["users"].append(
        {
            "id": "0b4f5a60-0000-4000-8000-00000000000a",
            "email": "junior@example.com",
            "password": "password",
            "role": "Junior",
        }
    )
    data["users"].append({"id": "0b4f5a60-0000-4000-8000-00000000000b", "email": "api@example.com",
                          "password": "password", "role": "Api", "token": "api-token"})
    return data


@pytest.mark.authmock(fixtures=_fixture())
def test_children_and_parent(directus_mock: Any) -> None:
    client = directus_mock.client
    assert _me(client, "fields=role.children,role.parent")["data"]["role"] == {
        "parent": None, "children": ["a1f2c3d4-0000-4000-8000-00000000000c"],
    }
    # an Editor may read only $CURRENT_ROLES, so the child role Junior is filtered out
    assert _me(client, "fields=role.children", _editor(client))["data"]["role"] == {"children": []}
    junior = login(client, "junior@example.com", "password").get_json()["data"]["access_token"]
    # $CURRENT_ROLES holds the role and its parents
    assert _me(client, "fields=role.parent,role.name", junior)["data"]["role"] == {
        "name": "Junior", "parent": EDITOR_ROLE,
    }
    assert _me(client, "fields=role.parent.name,role.id", junior)["data"]["role"] == {
        "id": "a1f2c3d4-0000-4000-8000-00000000000a", "parent": {"name": "Editor"},
    }
    assert _me(client, "fields=role.children.name,role.parent.*")["data"]["role"] == {
        "children": [{"name": "Deputy"}], "parent": None,
    }
    assert _me(client, "fields=role.children.children")["data"]["role"] == {
        "children": [{"children": []}]
    }


@pytest.mark.authmock(fixtures=_fixture(directus_users={"fields": ["id", "role"]}))
def test_without_read_on_directus_roles_the_node_is_dropped(directus_mock: Any) -> None:
    client = directus_mock.client
    assert _me(client, "fields=id,role.name", "api-token") == {
        "data": {"id": "0b4f5a60-0000-4000-8000-00000000000b"}
    }
    assert _me(client, "fields=role", "api-token") == {
        "data": {"role": "a1f2c3d4-0000-4000-8000-00000000000b"}
    }


@pytest.mark.authmock(fixtures=_fixture(
    directus_users={"fields": ["id", "role"]}, directus_roles={"fields": ["name", "users"]},
))
def test_field_permissions_on_directus_roles(directus_mock: Any) -> None:
    client = directus_mock.client
    api_id = "0b4f5a60-0000-4000-8000-00000000000b"
    # users: the custom directus_users permission has no filter, so every member shows
    assert _me(client, "fields=role.*", "api-token") == {
        "data": {"role": {"name": "Api", "users": [api_id]}}
    }
    assert _me(client, "fields=role.id", "api-token") == {"data": {"id": api_id}}


@pytest.mark.authmock(fixtures=_fixture(
    directus_users={"fields": ["id", "role"]},
    directus_roles={"filter": {"name": {"_eq": "Editor"}}},
))
def test_a_role_row_outside_the_filter_reads_null(directus_mock: Any) -> None:
    assert _me(directus_mock.client, "fields=role.name", "api-token") == {"data": {"role": None}}
