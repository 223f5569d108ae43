"""The bundled fixture file, fixture validation, the banner and the spec's string list."""

from __future__ import annotations

from typing import Any

import pytest

from authmock import FixtureError, create_app
from authmock.flavours.dreamfactory import errors, flavour
from authmock.pytest_plugin import MockFixture
from tests.dreamfactory.helpers import (
    ADMIN_KEY,
    API_DOCS_KEY,
    FILE_MANAGER_KEY,
    FRONTEND_KEY,
    SPEC_STRINGS,
    bundled,
)


def test_bundled_identities_are_the_contracts() -> None:
    data = bundled()
    assert [(a["name"], a["api_key"], a.get("role")) for a in data["apps"]] == [
        ("admin", ADMIN_KEY, None), ("api_docs", API_DOCS_KEY, None),
        ("file_manager", FILE_MANAGER_KEY, None), ("frontend", FRONTEND_KEY, "user")]
    assert all(a["is_active"] for a in data["apps"])
    assert [s["name"] for s in data["services"]] == ["system", "api_docs", "files", "logs", "db",
                                                      "email", "user"]
    assert data["roles"] == [{
        "id": 1, "name": "user", "description": "Default role for users of the frontend app.",
        "is_active": True, "access": [
            {"service": "db", "component": "_table/*", "verb_mask": 3},
            {"service": "user", "component": "*", "verb_mask": 31}]}]
    users = [(u["email"], u["password"], u["name"], u["is_sys_admin"], u["is_active"])
             for u in data["users"]]
    assert users == [
        ("admin@example.com", "yourpassword", "Admin User", True, True),
        ("user@example.com", "yourpassword", "Jane Doe", False, True),
        ("inactive@example.com", "yourpassword", "Ina Active", False, False)]
    assert data["users"][1]["roles"] == {"frontend": "user"}
    assert [sorted(r) for r in data["tables"]["db"]["contacts"]] == [
        ["email", "first_name", "id", "last_name"]] * 3
    assert data["settings"]["allow_open_registration"] is False


def _broken(path: list[Any], value: Any) -> dict[str, Any]:
    data = bundled()
    target: Any = data
    for step in path[:-1]:
        target = target[step]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


@pytest.mark.parametrize(("path", "value", "where", "problem"), [
    (["settings", "jwt_ttl"], "24h", "$.settings.jwt_ttl", "must be an integer"),
    (["settings", "jwt_refresh_ttl"], 0, "$.settings.jwt_refresh_ttl", "positive"),
    (["settings", "colour"], "red", "$.settings.colour", "unknown key"),
    (["apps", 0, "api_key"], ""
     , "$.apps[0].api_key", "unique"),
    (["apps", 3, "role"], "nobody", "$.apps[3].role", "unknown role"),
    (["users", 1, "roles", "frontend"], "ghost", "$.users[1].roles.frontend", "unknown role"),
    (["users", 1, "email"], "admin@example.com", "$.users[1].email", "unique"),
    (["users", 0, "password"], 5, "$.users[0].password", "must be a string"),
    (["roles", 0, "access", 0, "service"], "nosuch", "$.roles[0].access[0].service",
     "unknown service"),
    (["roles", 0, "access", 0, "verb_mask"], KeyError, "$.roles[0].access[0]", "verb_mask"),
    (["tables", "nosuch"], {}, "$.tables.nosuch", "unknown service"),
    (["tables", "db", "contacts", 0, "id"], KeyError, "$.tables.db.contacts[0]", "id"),
])
def test_fixture_problems_name_the_path(
    path: list[Any], value: Any, where: str, problem: str
) -> None:
    with pytest.raises(FixtureError) as caught:
        create_app("dreamfactory", fixtures=_broken(path, value))
    assert caught.value.path == where
    assert problem in caught.value.problem


def test_verbs_list_is_accepted_instead_of_a_mask() -> None:
    data = bundled()
    data["roles"][0]["access"][0] = {"service": "db", "component": "_table/*",
                                     "verbs": ["get", "POST"]}
    app = create_app("dreamfactory", fixtures=data)
    entry = app.mock.store.table("df_role_access")[1]
    assert entry["verb_mask"] == 3


def test_profile_from_the_fixture_settings() -> None:
    data = bundled()
    data["settings"]["profile"] = "server"
    assert create_app("dreamfactory", fixtures=data).mock.profile == "server"


def test_banner_tells_a_newcomer_how_to_log_in(dreamfactory_mock: MockFixture) -> None:
    lines = flavour.banner(dreamfactory_mock.mock, "http://127.0.0.1:8080")
    text = "\n".join(lines)
    assert ADMIN_KEY in text and FRONTEND_KEY in text
    assert "admin@example.com / yourpassword" in text
    assert "user@example.com / yourpassword" in text


def _constants() -> list[str]:
    return [value for name, value in vars(errors).items()
            if name.isupper() and isinstance(value, str)]


SPEC = [line for line in SPEC_STRINGS.read_text(encoding="utf-8").splitlines() if line]


@pytest.mark.parametrize("text", SPEC)
def test_every_spec_string_is_in_the_errors_module(text: str) -> None:
    assert any(text in value for value in _constants()), text
