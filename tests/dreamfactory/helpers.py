"""Shared identities and request helpers for the DreamFactory flavour tests."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from authmock import bundled_fixture
from authmock.fixtures import bundled_fixture_path
from authmock.pytest_plugin import MockFixture

BUNDLED = bundled_fixture_path("dreamfactory")
SPEC_STRINGS = Path(__file__).resolve().parent / "spec_strings.txt"

ADMIN_KEY = "6498a8ad1beb9d84d63035c5d1120c007fad6de706734db9689f8996707e0f7d"
API_DOCS_KEY = "36fda24fe5588fa4285ac6c6c2fdfbdb6b6bc9834699774c9bf777f706d05a88"
FILE_MANAGER_KEY = "b5cb82af7b5d4130f36149f90aa2746782e59a872ac70454ac188743cb55b0ba"
FRONTEND_KEY = "fd163cde17b13893ac36debe5a0a694313592f4032638457f65dfb04df4f7f89"
UNKNOWN_KEY = "0" * 64
PASSWORD = "yourpassword"
ADMIN = "admin@example.com"
USER = "user@example.com"
INACTIVE = "inactive@example.com"
ADMIN_LOGIN = "/api/v2/system/admin/session"
USER_LOGIN = "/api/v2/user/session"
USER_PASSWORD = "/api/v2/user/password"
T0 = "2026-02-18T19:45:18Z"


def bundled() -> dict[str, Any]:
    """A fresh copy of the bundled fixture document to derive variants from."""
    return bundled_fixture("dreamfactory")


def with_settings(**settings: Any) -> dict[str, Any]:
    return bundled_fixture("dreamfactory", **settings)


def freeze(mock: MockFixture, at: str = T0) -> None:
    """Stop the mock clock on a round instant so edges are exact to the second."""
    mock.clock.freeze()
    mock.clock.set(at)


def headers(key: str | None = None, token: str | None = None) -> dict[str, str]:
    out: dict[str, str] = {}
    if key is not None:
        out["X-DreamFactory-API-Key"] = key
    if token is not None:
        out["X-DreamFactory-Session-Token"] = token
    return out


def login(
    client: FlaskClient,
    email: str = ADMIN,
    password: str = PASSWORD,
    *,
    key: str | None = ADMIN_KEY,
    path: str | None = None,
) -> TestResponse:
    """POST a JSON login the way the docs' curl example does."""
    if path is None:
        path = ADMIN_LOGIN if email == ADMIN else USER_LOGIN
    return client.post(path, json={"email": email, "password": password}, headers=headers(key))


def token_of(client: FlaskClient, email: str = ADMIN, *, key: str | None = ADMIN_KEY) -> str:
    response = login(client, email, key=key)
    assert response.status_code == 200, response.get_data(as_text=True)
    token: str = response.json["session_token"]  # type: ignore[index]
    return token


def json_of(response: TestResponse) -> Any:
    """The decoded JSON body (``response.json`` is typed ``Any | None``)."""
    return response.json


def error(response: TestResponse) -> tuple[int, str]:
    """(status, message) of a DreamFactory error envelope, checking its exact shape."""
    body = response.get_json()
    assert isinstance(body, dict) and list(body) == ["error"], response.get_data(as_text=True)
    envelope = body["error"]
    assert list(envelope) == ["code", "context", "message", "status_code"]
    assert envelope["status_code"] == response.status_code
    return response.status_code, envelope["message"]


def segment(data: Any) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def claims_of(token: str) -> dict[str, Any]:
    part = token.split(".")[1]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return decoded
