"""Hostile bodies on every account route: Directus's error envelope, never a 5xx or HTML."""

from __future__ import annotations

import itertools
from typing import Any

import authmock

from .helpers import with_settings

BODIES = [
    None,
    "",
    "null",
    "[]",
    "{}",
    '"x"',
    "123",
    "[1,2]",
    '[{"email":1}]',
    '{"email":null}',
    '{"email":[]}',
    '{"email":{}}',
    '{"email":"a@example.com","password":123}',
    '{"email":"a@example.com","password":"x","role":{}}',
    '{"email":["a@example.com","b"]}',
    '{"email":"a@example.com","role":"a1f2c3d4-0000-4000-8000-000000000002","invite_url":"javascript:x"}',
    '{"token":123,"password":"x"}',
    '{"token":"a.b.c","password":"x"}',
    '{"secret":"!!!!","otp":"123456"}',
    '{"secret":["x"],"otp":{}}',
    '{"otp":123456}',
    '{"password":["p"]}',
    '{"password":"password"}',
    '{"status":5}',
    '{"tfa_secret":"x"}',
    '{"id":"nope"}',
    '{"id":5}',
    '{"public_registration":"yes"}',
    '{"auth_password_policy":"("}',
    '{"public_registration_email_filter":{"email":{"_bad":1}}}',
    '{"public_registration_role":"x"}',
    '{"auth_login_attempts":-1}',
    '{"tags":{"a":[1]},"email_notifications":"x"}',
    '{"__proto__":{"x":1}}',
    '{"email":"\\ud800@example.com","password":"p"}',
    '{"verification_url":"http://[::1"}',
    '{"email":"a@example.com","password":"p","verification_url":"x"}',
    '{"email":"a@example.com","password":"p"',
]
ROUTES = [
    ("POST", "/users"),
    ("GET", "/users?fields=*,role.*&limit=x"),
    ("GET", "/users/nope"),
    ("GET", "/users/xme"),
    ("PATCH", "/users/me"),
    ("PATCH", "/users/0b4f5a60-0000-4000-8000-000000000002"),
    ("DELETE", "/users/0b4f5a60-0000-4000-8000-000000000002"),
    ("DELETE", "/users/me"),
    ("POST", "/users/invite"),
    ("POST", "/users/invite/accept"),
    ("POST", "/users/me/tfa/generate"),
    ("POST", "/users/me/tfa/enable"),
    ("POST", "/users/me/tfa/disable"),
    ("POST", "/users/0b4f5a60-0000-4000-8000-000000000003/tfa/disable"),
    ("POST", "/users/register"),
    ("GET", "/users/register/verify-email?token=x"),
    ("GET", "/users/register/verify-email?token=a&token=b"),
    ("GET", "/settings?fields=nope"),
    ("PATCH", "/settings"),
]


def test_account_routes_survive_hostile_bodies() -> None:
    fixture = with_settings(public_registration=True, RATE_LIMITER_REGISTRATION_ENABLED=False)
    app = authmock.create_app("directus", fixtures=fixture)
    client = app.test_client()
    editor = client.post("/auth/login", json={"email": "hello@example.com", "password": "d1r3ctu5"})
    tokens = [None, "admin-static-token", editor.get_json()["data"]["access_token"]]
    seen: set[int] = set()
    for (method, path), body, token in itertools.product(ROUTES, BODIES, tokens):
        if method == "GET" and body not in (None, "{}", "[1,2]"):
            continue  # a GET reads no body: three are enough
        if token != "admin-static-token" and body not in BODIES[:12]:
            continue  # permission refusals come first for these: the shapes are enough
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        response = client.open(path, method=method, data=body, headers=headers)
        status = response.status_code
        seen.add(status)
        assert status < 500, (method, path, body, response.get_data(as_text=True))
        if status >= 400:
            payload: Any = response.get_json()
            assert list(payload) == ["errors"], (method, path, body)
            assert payload["errors"][0]["extensions"]["code"]
        if status < 400:
            app.mock.reset()
    assert {200, 204, 400, 401, 403, 404}.issubset(seen)
