"""Per flavour: an app serving its OpenAPI description, and how to log in to it."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from authmock import openapi
from authmock.app import MockFlask, create_app

DF_ADMIN_KEY = "6498a8ad1beb9d84d63035c5d1120c007fad6de706734db9689f8996707e0f7d"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(frozen=True)
class Target:
    """One flavour: where to log in, with what, and how a token is presented."""

    name: str
    login_path: str
    credentials: dict[str, str]
    login_headers: dict[str, str]
    token: Callable[[Any], str]  # the login answer's JSON -> the token
    auth_headers: Callable[[str], dict[str, str]]


TARGETS: dict[str, Target] = {
    "dreamfactory": Target(
        "dreamfactory",
        "/api/v2/system/admin/session",
        {"email": "admin@example.com", "password": "yourpassword"},
        {"X-DreamFactory-API-Key": DF_ADMIN_KEY},
        lambda body: str(body["session_token"]),
        lambda token: {"X-DreamFactory-API-Key": DF_ADMIN_KEY,
                       "X-DreamFactory-Session-Token": token},
    ),
    "directus": Target(
        "directus",
        "/auth/login",
        {"email": "admin@example.com", "password": "password"},
        {},
        lambda body: str(body["data"]["access_token"]),
        lambda token: {"Authorization": f"Bearer {token}"},
    ),
    "paystub": Target(
        "paystub",
        "/admin/auth/login",
        {"email": "owner@example.com", "password": "your-password"},
        {},
        lambda body: str(body["data"]["token"]["access_token"]),
        lambda token: {"Authorization": f"Bearer {token}"},
    ),
}

_APPS: dict[str, MockFlask] = {}


def app_for(flavour: str) -> MockFlask:
    """One app per flavour for the whole run (create_app mounts the description's route)."""
    app = _APPS.get(flavour)
    if app is None:
        app = create_app(flavour)
        _APPS[flavour] = app
    return app


def fresh_token(app: MockFlask, target: Target) -> str:
    """Back to the fixture, then a login: every case starts from the same, known state."""
    app.mock.reset()
    answer = app.test_client().post(
        target.login_path, json=target.credentials, headers=target.login_headers
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return target.token(answer.get_json())


def document(flavour: str) -> dict[str, Any]:
    """The description as shipped (read without the app, for collection time)."""
    text = openapi._load(f"authmock.flavours.{flavour}")
    assert text is not None, f"{flavour} ships no {openapi.FILENAME}"
    doc: dict[str, Any] = json.loads(text)
    return doc


def operations(flavour: str) -> Iterator[tuple[str, str]]:
    """Every (METHOD, path template) the description declares."""
    for path, item in document(flavour)["paths"].items():
        for method in item:
            if method in METHODS:
                yield method.upper(), path
