"""Every curl example of the two Directus seed pages, against a live server (bundled fixtures)."""

from __future__ import annotations

from typing import Any

import requests

JSON = {"Content-Type": "application/json"}


def _post(base: str, path: str, body: str, **kwargs: Any) -> requests.Response:
    return requests.post(f"{base}{path}", data=body, headers={**JSON, **kwargs.pop("headers", {})},
                         timeout=10, **kwargs)


def test_authentication_page(directus_mock: Any) -> None:
    base = directus_mock.url
    # Public Data
    assert requests.get(f"{base}/items/articles", timeout=10).status_code == 200
    # Temporary Token (JWT): login
    login = _post(
        base, "/auth/login", '{\n    "email": "admin@example.com",\n    "password": "password"\n  }'
    )
    data = login.json()["data"]
    assert set(data) == {"access_token", "expires", "refresh_token"} and data["expires"] == 900000
    # Using the Token
    used = requests.get(
        f"{base}/items/articles",
        headers={"Authorization": f"Bearer {data['access_token']}"},
        timeout=10,
    )
    assert len(used.json()["data"]) == 3
    # Refresh Token
    refreshed = _post(
        base, "/auth/refresh", f'{{\n    "refresh_token": "{data["refresh_token"]}"\n  }}'
    )
    new_refresh = refreshed.json()["data"]["refresh_token"]
    # Logout
    assert (
        _post(base, "/auth/logout", f'{{\n    "refresh_token": "{new_refresh}"\n  }}').status_code
        == 204
    )
    # Static Token
    static = requests.get(
        f"{base}/items/articles", headers={"Authorization": "Bearer admin-static-token"}, timeout=10
    )
    assert static.status_code == 200
    # SSO: GET /auth/login/google, /auth/login/openid, /auth/login/saml
    for provider in ("google", "openid", "saml"):
        start = requests.get(f"{base}/auth/login/{provider}", allow_redirects=False, timeout=10)
        assert start.status_code == 302
        page = requests.get(start.headers["Location"], timeout=10)
        assert "Sign in as admin@example.com" in page.text
    # LDAP through /auth/login with "mode": "ldap" (docs profile)
    ldap = _post(
        base,
        "/auth/login",
        '{\n    "email": "user@company.com",\n    "password": "password",\n    "mode": "ldap"\n  }',
    )
    assert ldap.status_code == 200
    # Password Reset
    assert (
        _post(base, "/auth/password/request", '{\n    "email": "user@example.com"\n  }').status_code
        == 204
    )
    reset = _post(
        base,
        "/auth/password/reset",
        '{\n    "token": "reset-token-from-email",\n    "password": "new-password"\n  }',
    )
    assert reset.json()["errors"][0]["extensions"]["code"] == "INVALID_TOKEN"  # a placeholder token
    # Two-Factor Authentication (admin has none: the otp is ignored)
    tfa = _post(
        base,
        "/auth/login",
        '{\n    "email": "admin@example.com",\n    "password": "password",\n    "otp": "123456"\n '
        ' }',
    )
    assert tfa.status_code == 200


def test_email_login_page(directus_mock: Any) -> None:
    base = directus_mock.url
    login = _post(base, "/auth/login", '{ "email": "hello@example.com", "password": "d1r3ctu5" }')
    assert list(login.json()["data"]) == ["expires", "refresh_token", "access_token"]
    session = requests.Session()
    cookie_login = session.post(
        f"{base}/auth/login",
        json={"email": "hello@example.com", "password": "d1r3ctu5", "mode": "session"},
        timeout=10,
    )
    assert cookie_login.json() == {"data": {"expires": 86400000}}
    assert (
        session.post(f"{base}/auth/refresh", json={"mode": "session"}, timeout=10).status_code
        == 200
    )
    refresh = login.json()["data"]["refresh_token"]
    assert _post(base, "/auth/refresh", f'{{"refresh_token": "{refresh}"}}').status_code == 200
    assert (
        session.post(f"{base}/auth/logout", json={"mode": "session"}, timeout=10).status_code == 204
    )
    assert (
        _post(base, "/auth/password/request", '{"email": "hello@example.com"}').status_code == 204
    )
    mail = directus_mock.mailbox.last("hello@example.com")
    reset = _post(
        base, "/auth/password/reset", f'{{"token": "{mail.token}", "password": "d1r3ctu5!"}}'
    )
    assert reset.status_code == 204
