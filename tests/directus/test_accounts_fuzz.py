"""Hostile bodies on every account route: Directus's error envelope, never a 5xx or HTML."""

from __future__ import annotations

import itertools
from typing import Any

import authmock

from .helpers import with_settings

BODIES = [
    None, "", "null", "[]", "{}", '"x"', "123", "[1,2]", '[{"email":1}]', '{"email":null}',
    '{"email":[]}', '{"email":{}}', '{"email":"a@example.com","password":123}',
    '{"email":"a@example.com","password":"x","role":{}}', '{"email":["a@example.com","b"]}',
    '{"email":"a@example.com","role":"a1f2c3d4-0000-4000-8000-000000000002","invite_url":"javascript:x"}',
    '{"token":123,"password":"x"}', '{"token":"a.b.c","password":"x"}',
    '{"secret":"!!!!","otp":"123456"}', '{"secret":["x"],"otp":{}}', '{"otp":123456}',
    '{"password":["p"]}', '{"password":"password"}', '{"status":5}', '{"tfa_secret":"x"}',
    '{"id":"nope"}', '{"id":5}', '{"public_registration":"yes"}', '{"auth_password_policy":"("}',
    '{"public_registration_email_filter":{"email":{"_bad":1}}}', '{"public_registration_role":"x"}',
    '{"auth_login_attempts":-1}', '{"tags":{"a":[1]},"email_notifications":"x"}',
    '{"__proto__":{"x":1}}', '{"email":"\\ud800@example.com","password":"p"}', '{"verification_url":"http://[::1"}',
    '{"email":"a@example.com","password":"p","verification_url":"x"}', '{"email":"a@example.com","password":"p"',
]
PATHS = [
    "/users", "/users/me", "/users/0b4f5a60-0000-4000-8000-000000000002", "/users/nope", "/users/xme",
    "/users/invite", "/users/invite/accept", "/users/me/tfa/generate", "/users/me/tfa/enable",
    "/users/me/tfa/disable", "/users/0b4f5a60-0000-4000-8000-000000000003/tfa/disable",
    "/users/register", "/users/register/verify-email?token=x", "/users/register/verify-email?token=a&token=b",
    "/settings", "/settings?fields=nope", "/users?fields=*,role.*&limit=x",
]


def test_account_routes_survive_hostile_bodies() -> None:
    fixture = with_settings(public_registration=True, RATE_LIMITER_REGISTRATION_ENABLED=False)
    app = authmock.create_app("directus", fixtures=fixture)
    client = app.test_client()
    editor = client.post("/auth/login", json={"email": "hello@example.com", "password": "d1r3ctu5"})
    tokens = [None, "admin-static-token", editor.get_json()["data"]["access_token"], "garbage"]
    seen: set[int] = set()
    for path, method, body, token in itertools.product(PATHS, ["GET", "POST", "PATCH", "DELETE"], BODIES, tokens):
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
        app.mock.reset()
    assert {200, 204, 400, 401, 403, 404}.issubset(seen)
