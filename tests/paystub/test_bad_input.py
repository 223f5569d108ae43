"""Odd values in every field of every endpoint: always the envelope, never a 500, no state
change."""

from __future__ import annotations

from typing import Any

import pytest

from authmock.pytest_plugin import MockFixture
from tests.paystub.helpers import bearer, json_of, token_of, with_settings

# many requests per test: the API rate limit would answer 429 long before the end
pytestmark = pytest.mark.authmock(fixtures=with_settings(api_rate_limit=0))

ODD_VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    1.5,
    10**30,
    "",
    " ",
    "\u0000",
    "é" * 300,
    [],
    [1, "a"],
    {},
    {"nested": {"deeper": [None]}},
    "x" * 100_000,
]
FIELDS = {
    "/admin/auth/login": ["email", "password"],
    "/admin/auth/forgot-password": ["email"],
    "/admin/auth/reset-password": ["token", "email", "password", "password_confirmation"],
}
BASE = {
    "email": "manager@example.com",
    "password": "long-enough-1",
    "password_confirmation": "long-enough-1",
    "token": "0" * 64,
}


@pytest.mark.parametrize("path", list(FIELDS))
def test_odd_values_in_any_field(paystub_mock: MockFixture, path: str) -> None:
    client = paystub_mock.client
    for field in FIELDS[path]:
        for value in ODD_VALUES:
            body = {key: BASE[key] for key in FIELDS[path]}
            body[field] = value
            response = client.post(path, json=body)
            assert response.status_code in (200, 403, 422), (field, value, response.status_code)
            assert response.content_type == "application/json"
            assert json_of(response)["success"] is (response.status_code == 200)
    assert len(paystub_mock.store.table("paystub_tokens")) == 0
    assert (
        client.post(
            "/admin/auth/login", json={"email": "manager@example.com", "password": "your-password"}
        ).status_code
        == 200
    )  # no password was changed


@pytest.mark.parametrize("path", ["/admin/auth/refresh", "/admin/auth/logout"])
def test_bodies_on_bodyless_endpoints_are_ignored(paystub_mock: MockFixture, path: str) -> None:
    token = token_of(paystub_mock.client)
    response = paystub_mock.client.post(
        path, data=b"{not json", content_type="application/json", headers=bearer(token)
    )
    assert response.status_code == 200


def test_failed_reset_leaves_tokens_and_password_alone(paystub_mock: MockFixture) -> None:
    client = paystub_mock.client
    token = token_of(client, "manager@example.com")
    client.post("/admin/auth/forgot-password", json={"email": "manager@example.com"})
    response = client.post(
        "/admin/auth/reset-password",
        json={
            "token": "f" * 64,
            "email": "manager@example.com",
            "password": "long-enough-1",
            "password_confirmation": "long-enough-1",
        },
    )
    assert response.status_code == 422
    assert client.get("/admin/auth/me", headers=bearer(token)).status_code == 200
    user = json_of(client.get("/admin/auth/me", headers=bearer(token)))["data"]["user"]
    assert user["updated_at"] == "2025-01-01T00:00:00Z"
