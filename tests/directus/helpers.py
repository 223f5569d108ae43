"""Shared identities and request helpers for the Directus flavour tests."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from authmock import bundled_fixture
from authmock.fixtures import bundled_fixture_path

BUNDLED = bundled_fixture_path("directus")
SPEC_STRINGS = Path(__file__).resolve().parent / "spec_strings.txt"

ADMIN = "admin@example.com"
HELLO = "hello@example.com"
TFA = "tfa@example.com"
SUSPENDED = "suspended@example.com"
USER = "user@example.com"
LDAP_USER = "user@company.com"
ADMIN_ID = "0b4f5a60-0000-4000-8000-000000000001"
HELLO_ID = "0b4f5a60-0000-4000-8000-000000000002"
ADMIN_ROLE = "a1f2c3d4-0000-4000-8000-000000000001"
EDITOR_ROLE = "a1f2c3d4-0000-4000-8000-000000000002"
STATIC_TOKEN = "admin-static-token"
TFA_SECRET = "JBSWY3DPEHPK3PXP"
PASSWORDS = {ADMIN: "password", HELLO: "d1r3ctu5", TFA: "password", SUSPENDED: "password",
             USER: "password", LDAP_USER: "password"}
T0 = "2026-11-22T08:00:00Z"


def bundled() -> dict[str, Any]:
    """A fresh copy of the bundled fixture document to derive variants from."""
    return bundled_fixture("directus")


def with_settings(**settings: Any) -> dict[str, Any]:
    return bundled_fixture("directus", **settings)


#: what ``error()`` returns: status, message, code and the other extensions
ErrorTuple = tuple[int, str, str, dict[str, Any]]


def json_of(response: TestResponse) -> Any:
    """The response's JSON body (``response.json``, typed for indexing)."""
    return response.json


def error(response: TestResponse) -> ErrorTuple:
    """(status, message, code, extensions without code) of a Directus error response."""
    body = response.get_json()
    assert list(body) == ["errors"], body
    assert len(body["errors"]) == 1
    first = body["errors"][0]
    assert list(first) == ["message", "extensions"]
    ext = dict(first["extensions"])
    assert list(ext)[-1] == "code", "code comes last in extensions"
    code = ext.pop("code")
    return response.status_code, first["message"], code, ext


def login(client: FlaskClient, email: str = ADMIN, password: str | None = None,
          **extra: Any) -> TestResponse:
    body = {"email": email, "password": password if password is not None else PASSWORDS[email]}
    body.update(extra)
    return client.post("/auth/login", json=body)


def tokens(client: FlaskClient, email: str = ADMIN) -> dict[str, Any]:
    response = login(client, email)
    assert response.status_code == 200, response.get_data(as_text=True)
    data: dict[str, Any] = response.get_json()["data"]
    return data


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def claims(jwt: str) -> dict[str, Any]:
    payload = jwt.split(".")[1]
    decoded: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    return decoded


def set_cookies(response: TestResponse) -> list[str]:
    return response.headers.getlist("Set-Cookie")


def cookie_value(header: str) -> str:
    return header.split(";", 1)[0].split("=", 1)[1]
