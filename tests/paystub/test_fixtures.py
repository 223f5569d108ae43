"""The bundled identities of the contract, and precise errors for broken fixture files."""

from __future__ import annotations

from typing import Any

import pytest

import authmock
from authmock.fixtures import FixtureError
from authmock.pytest_plugin import MockFixture
from tests.paystub.helpers import PASSWORD, bearer, bundled, json_of, login

IDENTITIES = [
    ("owner@example.com", "John", "Doe", "Owner", "Active"),
    ("manager@example.com", "Mary", "Major", "Manager", "Active"),
    ("developer@example.com", "Dev", "Eloper", "Developer", "Active"),
    ("support@example.com", "Sam", "Support", "Support", "Active"),
    ("marketing@example.com", "Mark", "Eting", "Marketing", "Active"),
    ("customer@example.com", "Cus", "Tomer", None, "Active"),
    ("suspended@example.com", "Sus", "Pended", "Manager", "Suspended"),
]


def test_bundled_file_holds_exactly_the_contract_identities() -> None:
    data = bundled()
    roles = {r["id"]: r["name"] for r in data["roles"]}
    assert roles == {1: "Owner", 2: "Manager", 3: "Developer", 4: "Support", 5: "Marketing"}
    assert data["sites"][0]["identifier"] == "paystub"
    assert data["sites"][0]["name"] == "Paystub"
    assert data["sites"][0]["payment_processors"] == ["Stripe"]
    assert data["sites"][0]["document_types"] == ["Paystub"]
    assert data["sites"][0]["status"] == "active"
    users = [
        (u["email"], u["first_name"], u["last_name"], roles.get(u["role_id"]), u["status"])
        for u in data["users"]
    ]
    assert users == IDENTITIES
    assert [u["id"] for u in data["users"]] == [1, 2, 3, 4, 5, 6, 7]
    assert {u["password"] for u in data["users"]} == {PASSWORD}
    assert {u["site_id"] for u in data["users"]} == {1}
    declared = [(e["method"], e["path"], e["permission"]) for e in data["endpoints"]]
    assert declared == [
        ("GET", "/admin/dashboard/stats", "dashboard:stats"),
        ("GET", "/admin/users", "users:list"),
        ("GET", "/admin/users/{id}", "users:view"),
        ("GET", "/admin/sites", "sites:list"),
        ("GET", "/admin/roles", "roles:list"),
    ]


@pytest.mark.parametrize(("email", "first", "last", "role", "status"), IDENTITIES[:5])
def test_every_admin_logs_in_with_the_documented_password(
    paystub_mock: MockFixture, email: str, first: str, last: str, role: str, status: str
) -> None:
    response = login(paystub_mock.client, email)
    assert response.status_code == 200
    user = response.json["data"]["user"]
    assert (user["first_name"], user["last_name"], user["role"]["name"]) == (first, last, role)
    me = paystub_mock.client.get(
        "/admin/auth/me", headers=bearer(response.json["data"]["token"]["access_token"])
    )
    assert json_of(me)["data"]["user"] == user


def test_banner_lists_the_active_admins_and_how_to_log_in() -> None:
    app = authmock.create_app("paystub")
    lines = app.mock.flavour.banner(app.mock, "http://127.0.0.1:8000")
    text = "\n".join(lines)
    for email, *_ in IDENTITIES[:5]:
        assert email in text
    assert "customer@example.com" not in text and "suspended@example.com" not in text
    assert PASSWORD in text
    assert "http://127.0.0.1:8000/admin/auth/login" in text


def _broken(change: Any) -> dict[str, Any]:
    data = bundled()
    change(data)
    return data


@pytest.mark.parametrize(
    ("change", "path", "problem"),
    [
        (lambda d: d.update(extra=1), "$.extra", "unknown key"),
        (lambda d: d["users"][2].update(role_id=9), "$.users[2].role_id", "no role with id 9"),
        (lambda d: d["users"][1].update(site_id=4), "$.users[1].site_id", "no site with id 4"),
        (lambda d: d["users"][0].pop("password"), "$.users[0]", 'missing required key "password"'),
        (
            lambda d: d["users"][3].update(email="owner@EXAMPLE.com"),
            "$.users[3].email",
            "duplicate e-mail",
        ),
        (lambda d: d["users"][3].update(id=1), "$.users[3].id", "duplicate id 1"),
        (
            lambda d: d["roles"][0].update(permissions=["ok", 3]),
            "$.roles[0].permissions[1]",
            "must be a string",
        ),
        (
            lambda d: d["users"][0].update(created_at="yesterday"),
            "$.users[0].created_at",
            "ISO-8601",
        ),
        (
            lambda d: d["endpoints"][0].update(method="TRACE"),
            "$.endpoints[0].method",
            "must be one of",
        ),
        (
            lambda d: d["endpoints"][0].update(path="admin/x"),
            "$.endpoints[0].path",
            "must look like",
        ),
        (lambda d: d["endpoints"][0].update(path="/admin/{a}/{a}"), "$.endpoints[0].path", "twice"),
        (
            lambda d: d["endpoints"][0].update(path="/admin/auth/me"),
            "$.endpoints[0].path",
            "served by the flavour",
        ),
        (
            lambda d: d["endpoints"][1].update(path="/admin/dashboard/stats"),
            "$.endpoints[1]",
            "declared twice",
        ),
        (lambda d: d["endpoints"][0].pop("data"), "$.endpoints[0]", 'missing required key "data"'),
        (lambda d: d["endpoints"][0].update(status=404), "$.endpoints[0].status", "2xx"),
        (lambda d: d["settings"].update(api_rate_limit=-1), "$.settings.api_rate_limit", "0 (off)"),
        (lambda d: d["settings"].update(reset_url="http://x/"), "$.settings.reset_url", "{token}"),
    ],
)
def test_broken_fixture_names_the_json_path(change: Any, path: str, problem: str) -> None:
    with pytest.raises(FixtureError) as raised:
        authmock.create_app("paystub", fixtures=_broken(change))
    assert raised.value.path == path
    assert problem in raised.value.problem


def test_minimal_fixture_fills_documented_defaults() -> None:
    app = authmock.create_app(
        "paystub",
        fixtures={
            "flavour": "paystub",
            "roles": [{"id": 1, "name": "Owner"}],
            "users": [
                {
                    "id": 1,
                    "role_id": 1,
                    "first_name": "A",
                    "last_name": "B",
                    "email": "a@example.com",
                    "password": "pw",
                }
            ],
        },
    )
    response = app.test_client().post(
        "/admin/auth/login", json={"email": "a@example.com", "password": "pw"}
    )
    user = json_of(response)["data"]["user"]
    assert user["site"] is None and user["site_id"] is None
    assert user["status"] == "Active"
    assert user["email_verified_at"] == user["created_at"] == "2025-01-01T00:00:00Z"
    assert user["meta"] == {"is_verified": True, "permissions": []}
