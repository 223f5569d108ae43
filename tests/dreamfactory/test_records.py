"""System listings and ``_table`` data over the fixture tables."""

from __future__ import annotations

import pytest

from authmock.pytest_plugin import MockFixture
from tests.dreamfactory.helpers import (
    ADMIN_KEY,
    FRONTEND_KEY,
    USER,
    error,
    headers,
    token_of,
)

APP_COLUMNS = ["id", "name", "api_key", "description", "is_active", "type", "path", "url",
               "storage_service_id", "storage_container", "requires_fullscreen",
               "allow_fullscreen_toggle", "toggle_location", "role_id", "created_date",
               "last_modified_date", "created_by_id", "last_modified_by_id", "launch_url"]
SERVICE_COLUMNS = ["id", "name", "label", "description", "is_active", "type", "mutable",
                   "deletable", "created_date", "last_modified_date", "created_by_id",
                   "last_modified_by_id", "config"]


@pytest.fixture
def admin(dreamfactory_mock: MockFixture) -> dict[str, str]:
    return headers(ADMIN_KEY, token_of(dreamfactory_mock.client))


def test_app_listing(dreamfactory_mock: MockFixture, admin: dict[str, str]) -> None:
    body = dreamfactory_mock.client.get("/api/v2/system/app", headers=admin).get_json()
    assert list(body) == ["resource"]
    apps = body["resource"]
    assert [a["name"] for a in apps] == ["admin", "api_docs", "file_manager", "frontend"]
    assert list(apps[0]) == APP_COLUMNS
    assert apps[0]["api_key"] == ADMIN_KEY and apps[0]["role_id"] is None
    assert apps[3]["role_id"] == 1
    assert apps[0]["launch_url"] == "http://localhost/dreamfactory/dist/index.html"
    assert apps[0]["created_date"] == "2026-01-01T00:00:00.000000Z"


def test_service_listing_in_seeded_order(
    dreamfactory_mock: MockFixture, admin: dict[str, str]
) -> None:
    services = dreamfactory_mock.client.get("/api/v2/system/service",
                                            headers=admin).get_json()["resource"]
    assert [s["name"] for s in services] == ["system", "api_docs", "files", "logs", "db",
                                             "email", "user"]
    assert list(services[0]) == SERVICE_COLUMNS


def test_role_listing_with_access_entries(
    dreamfactory_mock: MockFixture, admin: dict[str, str]
) -> None:
    body = dreamfactory_mock.client.get(
        "/api/v2/system/role?related=role_service_access_by_role_id", headers=admin).get_json()
    role = body["resource"][0]
    assert role["name"] == "user" and role["is_active"] is True
    access = role["role_service_access_by_role_id"]
    assert [(a["service_id"], a["component"], a["verb_mask"]) for a in access] == [
        (5, "_table/*", 3), (7, "*", 31)]


def test_user_listing_shows_non_admins_without_secrets(
    dreamfactory_mock: MockFixture, admin: dict[str, str]
) -> None:
    users = dreamfactory_mock.client.get("/api/v2/system/user",
                                         headers=admin).get_json()["resource"]
    assert [u["email"] for u in users] == [USER, "inactive@example.com"]
    assert all("password" not in u and "confirm_code" not in u for u in users)
    assert users[1]["is_active"] is False


@pytest.mark.parametrize("path", ["/api/v2/system/app", "/api/v2/system/service",
                                  "/api/v2/system/role", "/api/v2/system/user"])
def test_include_count_and_fields(
    dreamfactory_mock: MockFixture, admin: dict[str, str], path: str
) -> None:
    body = dreamfactory_mock.client.get(path + "?include_count=true&fields=name,id",
                                        headers=admin).get_json()
    assert list(body) == ["resource", "meta"]
    assert body["meta"] == {"count": len(body["resource"])}
    extra = ["launch_url"] if path.endswith("/app") else []
    # array_intersect_key: the record's own column order, whatever order fields= lists
    assert all(list(row) == ["id", "name", *extra] for row in body["resource"])


@pytest.mark.parametrize(("path", "name"), [("/api/v2/system/app/4", "frontend"),
                                            ("/api/v2/system/service/5", "db"),
                                            ("/api/v2/system/role/1", "user"),
                                            ("/api/v2/system/user/2", "Jane Doe")])
def test_single_record_is_bare(
    dreamfactory_mock: MockFixture, admin: dict[str, str], path: str, name: str
) -> None:
    body = dreamfactory_mock.client.get(path, headers=admin).get_json()
    assert body["name"] == name and "resource" not in body


@pytest.mark.parametrize("path", ["/api/v2/system/app/99", "/api/v2/system/user/1"])
def test_unknown_record_id(
    dreamfactory_mock: MockFixture, admin: dict[str, str], path: str
) -> None:
    ident = path.rsplit("/", 1)[1]
    assert error(dreamfactory_mock.client.get(path, headers=admin)) == (
        404, f"Record with identifier '{ident}' not found."
    )


def test_limit_offset_ids_and_count_only(
    dreamfactory_mock: MockFixture, admin: dict[str, str]
) -> None:
    client = dreamfactory_mock.client
    names = [a["name"] for a in client.get("/api/v2/system/app?limit=2&offset=1",
                                           headers=admin).get_json()["resource"]]
    assert names == ["api_docs", "file_manager"]
    ids = client.get("/api/v2/system/app?ids=4,1", headers=admin).get_json()["resource"]
    assert [a["id"] for a in ids] == [4, 1]
    assert client.get("/api/v2/system/app?count_only=true", headers=admin).data == b"4"


def test_unknown_system_resource(dreamfactory_mock: MockFixture, admin: dict[str, str]) -> None:
    assert error(dreamfactory_mock.client.get("/api/v2/system/nope/1", headers=admin)) == (
        404, "Resource 'nope' not found for service 'system'."
    )


# --- _table -------------------------------------------------------------------------------
CONTACTS = "/api/v2/db/_table/contacts"


@pytest.fixture
def user(dreamfactory_mock: MockFixture) -> dict[str, str]:
    return headers(FRONTEND_KEY, token_of(dreamfactory_mock.client, USER, key=FRONTEND_KEY))


def test_table_list_and_record(dreamfactory_mock: MockFixture, user: dict[str, str]) -> None:
    client = dreamfactory_mock.client
    body = client.get(CONTACTS + "?include_count=true", headers=user).get_json()
    assert body["meta"] == {"count": 3}
    assert list(body["resource"][0]) == ["id", "first_name", "last_name", "email"]
    record = client.get(CONTACTS + "/2", headers=user).get_json()
    assert record == {"id": 2, "first_name": "Alan", "last_name": "Turing",
                      "email": "alan@example.com"}
    assert client.get(CONTACTS + "?fields=email", headers=user).get_json()["resource"][0] == {
        "email": "ada@example.com"}


def test_table_names(dreamfactory_mock: MockFixture, user: dict[str, str]) -> None:
    body = dreamfactory_mock.client.get("/api/v2/db/_table", headers=user).get_json()
    assert body == {"resource": [{"name": "contacts"}]}


def test_unknown_record_in_a_table(dreamfactory_mock: MockFixture, user: dict[str, str]) -> None:
    assert error(dreamfactory_mock.client.get(CONTACTS + "/9", headers=user)) == (
        404, "Record with identifier '9' not found."
    )


def test_post_records(dreamfactory_mock: MockFixture, user: dict[str, str]) -> None:
    client = dreamfactory_mock.client
    response = client.post(CONTACTS, json={"resource": [
        {"first_name": "Lin", "last_name": "Wei", "email": "lin@example.com", "junk": 1},
        {"first_name": "Max"}]}, headers=user)
    assert response.get_json() == {"resource": [{"id": 4}, {"id": 5}]}
    assert client.get(CONTACTS + "/4", headers=user).get_json() == {
        "id": 4, "first_name": "Lin", "last_name": "Wei", "email": "lin@example.com"}
    assert client.post(CONTACTS, json=[{"first_name": "Bare"}], headers=user).get_json() == {
        "resource": [{"id": 6}]}


@pytest.mark.parametrize("body", [{}, {"resource": []}, {"resource": [1]}, [], {"resource": "x"}])
def test_post_without_records(
    dreamfactory_mock: MockFixture, user: dict[str, str], body: object
) -> None:
    response = dreamfactory_mock.client.post(CONTACTS, json=body, headers=user)
    assert error(response) == (
        400, "No record(s) detected in request. Please make sure record(s) are wrapped in a "
        "'resource' tag. Example: {&quot;resource&quot;:[{&quot;record&quot;:1},"
        "{&quot;record&quot;:2}]}"
    )
    assert len(dreamfactory_mock.client.get(CONTACTS, headers=user).get_json()["resource"]) == 3


def test_unknown_table(dreamfactory_mock: MockFixture, user: dict[str, str]) -> None:
    response = dreamfactory_mock.client.get("/api/v2/db/_table/contacts2", headers=user)
    assert error(response) == (404, "Table &quot;contacts2&quot; does not exist in the database.")


def test_unknown_service_for_a_sys_admin(
    dreamfactory_mock: MockFixture, admin: dict[str, str]
) -> None:
    response = dreamfactory_mock.client.get("/api/v2/mysql/_table/x", headers=admin)
    assert error(response) == (404, "Could not find a service for mysql")


def test_unknown_service_without_credentials(dreamfactory_mock: MockFixture) -> None:
    status, _ = error(dreamfactory_mock.client.get("/api/v2/mysql/_table/x"))
    assert status == 400


def test_service_list_at_the_api_root(dreamfactory_mock: MockFixture) -> None:
    body = dreamfactory_mock.client.get("/api/v2").get_json()
    assert [s["name"] for s in body["resource"]][:2] == ["system", "api_docs"]
