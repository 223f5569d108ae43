"""Shared helpers for the Paystub flavour tests."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from authmock import bundled_fixture
from authmock.fixtures import bundled_fixture_path
from authmock.pytest_plugin import MockFixture

BUNDLED = bundled_fixture_path("paystub")
PASSWORD = "your-password"
ADMINS = {
    "Owner": "owner@example.com",
    "Manager": "manager@example.com",
    "Developer": "developer@example.com",
    "Support": "support@example.com",
    "Marketing": "marketing@example.com",
}
T0 = "2025-02-12T10:00:00Z"


def bundled() -> dict[str, Any]:
    """A fresh copy of the bundled fixture document to derive variants from."""
    return bundled_fixture("paystub")


def with_settings(**settings: Any) -> dict[str, Any]:
    return bundled_fixture("paystub", **settings)


def freeze(mock: MockFixture, at: str = T0) -> None:
    """Stop the mock clock at a round instant so edges are exact to the second."""
    mock.clock.freeze()
    mock.clock.set(at)


def login(client: FlaskClient, email: str = "owner@example.com", password: str = PASSWORD) -> Any:
    return client.post("/admin/auth/login", json={"email": email, "password": password})


def token_of(client: FlaskClient, email: str = "owner@example.com") -> str:
    response = login(client, email)
    assert response.status_code == 200, response.get_data(as_text=True)
    token: str = response.json["data"]["token"]["access_token"]
    return token


def json_of(response: TestResponse) -> Any:
    """The response's JSON body, typed for indexing (``response.json`` may be None)."""
    return response.json


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def error(message: str, errors: Any = None) -> dict[str, Any]:
    """The Paystub error envelope."""
    return {"success": False, "message": message, "errors": errors}
