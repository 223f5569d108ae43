"""The bundled identities, fixture validation messages, banner, TOTP secret, exact strings."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pytest

import authmock
from authmock.fixtures import FixtureError
from authmock.flavours.directus import config, errors

from .helpers import (
    ADMIN,
    ADMIN_ID,
    HELLO,
    LDAP_USER,
    PASSWORDS,
    SPEC_STRINGS,
    STATIC_TOKEN,
    SUSPENDED,
    TFA,
    TFA_SECRET,
    USER,
    bearer,
    bundled,
    error,
    login,
)


def test_bundled_identities_are_exactly_the_contracts() -> None:
    data = bundled()
    users = {u["email"]: u for u in data["users"]}
    assert sorted(users) == sorted([ADMIN, HELLO, TFA, SUSPENDED, USER, LDAP_USER])
    assert {e: u["password"] for e, u in users.items()} == PASSWORDS
    assert {e: u["role"] for e, u in users.items()} == {
        ADMIN: "Administrator", HELLO: "Editor", TFA: "Editor", SUSPENDED: "Editor",
        USER: "Editor", LDAP_USER: "Editor",
    }
    assert [u.get("token") for u in data["users"]] == [STATIC_TOKEN, None, None, None, None, None]
    assert users[TFA]["tfa_secret"] == TFA_SECRET
    assert users[SUSPENDED]["status"] == "suspended"
    assert [u.get("status", "active") for e, u in users.items() if e != SUSPENDED] == ["active"] * 5
    assert users[LDAP_USER]["provider"] == "ldap"
    assert (users[ADMIN]["first_name"], users[ADMIN]["last_name"]) == ("Admin", "User")
    assert all("first_name" not in u for e, u in users.items() if e != ADMIN)
    assert [(p["name"], p["driver"]) for p in data["providers"]] == [
        ("openid", "openid"), ("google", "oauth2"), ("ldap", "ldap"), ("saml", "saml"),
    ]
    assert all(set(p) == {"name", "driver"} for p in data["providers"])
    assert [a["status"] for a in data["collections"]["articles"]] == [
        "published",
        "published",
        "draft",
    ]
    assert data["settings"]["PASSWORD_RESET_URL_ALLOW_LIST"] == "http://localhost:3000/reset-password"


def test_every_default_user_can_do_what_the_contract_says(directus_mock: Any) -> None:
    client = directus_mock.client
    for email in (ADMIN, HELLO, USER):
        assert login(client, email).status_code == 200
    assert error(login(client, TFA))[2] == "INVALID_OTP"
    assert error(login(client, SUSPENDED))[2] == "INVALID_CREDENTIALS"
    assert (
        client.post(
            "/auth/login/ldap", json={"identifier": LDAP_USER, "password": "password"}
        ).status_code
        == 200
    )
    assert client.get("/users/me?fields=id", headers=bearer(STATIC_TOKEN)).get_json() == {
        "data": {"id": ADMIN_ID}
    }


def test_banner_names_users_passwords_and_the_static_token(directus_mock: Any) -> None:
    lines = directus_mock.mock.flavour.banner(directus_mock.mock, "http://127.0.0.1:8055")
    text = "\n".join(lines)
    for email, password in PASSWORDS.items():
        assert f"{email} / {password}" in text
    assert f"Bearer {STATIC_TOKEN}" in text
    assert "http://127.0.0.1:8055/auth/login" in text
    assert (
        'LDAP: POST http://127.0.0.1:8055/auth/login/ldap with {"identifier", "password"}' in lines
    )
    assert "SSO (oauth2): open http://127.0.0.1:8055/auth/login/google?redirect=/users/me" in lines


def test_totp_secret_for_the_control_api(directus_mock: Any) -> None:
    flavour = directus_mock.mock.flavour
    assert flavour.totp_secret(directus_mock.mock, "TFA@example.com") == TFA_SECRET
    assert flavour.totp_secret(directus_mock.mock, ADMIN) is None
    assert flavour.totp_secret(directus_mock.mock, "nobody@example.com") is None
    assert directus_mock.client.get(f"/__authmock__/users/{ADMIN}/otp").status_code == 404
    assert directus_mock.client.get(f"/__authmock__/users/{TFA}/otp").get_json()[
        "otp"
    ] == directus_mock.otp(TFA)


def _with(**changes: Any) -> dict[str, Any]:
    data = bundled()
    for path, value in changes.items():
        target: Any = data
        keys = path.split("__")
        for key in keys[:-1]:
            target = target[int(key)] if isinstance(target, list) else target[key]
        last = keys[-1]
        if isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value
    return data


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"settings__ACCESS_TOKEN_TTL": "soon"},
            '$.settings.ACCESS_TOKEN_TTL: must be a duration such as "15m", "7d" or a number of ms',
        ),
        ({"settings__TYPO": 1}, "$.settings.TYPO: unknown key"),
        (
            {"settings__REFRESH_TOKEN_COOKIE_SAME_SITE": "lenient"},
            '$.settings.REFRESH_TOKEN_COOKIE_SAME_SITE: must be "lax", "strict" or "none"',
        ),
        (
            {"settings__SESSION_COOKIE_SECURE": "yes"},
            '$.settings.SESSION_COOKIE_SECURE: must be true, false, "true" or "false"',
        ),
        (
            {"settings__auth_password_policy": "(unclosed"},
            "$.settings.auth_password_policy: is not a valid regex",
        ),
        (
            {"settings__RATE_LIMITER_POINTS": 0},
            "$.settings.RATE_LIMITER_POINTS: must be at least 1",
        ),
        ({"users__1__status": "sleeping"}, "$.users[1].status: must be one of active"),
        ({"users__1__role": "Nobody"}, "$.users[1].role: no role with id or name 'Nobody'"),
        ({"users__1__email": "ADMIN@example.com"}, "$.users[1].email: duplicate e-mail"),
        ({"users__1__provider": "github"}, "$.users[1].provider: no provider named 'github'"),
        (
            {"users__1__tfa_secret": "not base32!"},
            "$.users[1].tfa_secret: must be a base32 TOTP secret",
        ),
        ({"users__1__shoe_size": 42}, "$.users[1].shoe_size: unknown key"),
        ({"providers__0__driver": "kerberos"}, "$.providers[0].driver: must be one of"),
        (
            {"collections__articles__0": {"title": "no id"}},
            '$.collections.articles[0]: missing required key "id"',
        ),
        (
            {"roles__1__permissions": {"articles": {"filter": {"status": {"_like": "x"}}}}},
            "$.roles[1].permissions.articles.filter.status._like: unknown operator",
        ),
        ({"roles__1__parent": "nobody"}, "$.roles[1].parent: must be the id of another role"),
        ({"roles__1__policies": [1]}, "$.roles[1].policies[0]: must be"),
        ({"roles__1__icon": None}, "$.roles[1].icon: must be"),
        (
            {"settings__public_registration_role": "Nobody"},
            "$.settings.public_registration_role: no role with id or name 'Nobody'",
        ),
        (
            {"settings__public_registration_email_filter": {"email": {"_like": "x"}}},
            "$.settings.public_registration_email_filter: unknown operator _like",
        ),
        (
            {"settings__public_registration": "maybe"},
            "$.settings.public_registration: must be true, false",
        ),
        (
            {"settings__RATE_LIMITER_REGISTRATION_POINTS": 0},
            "$.settings.RATE_LIMITER_REGISTRATION_POINTS: must be at least 1",
        ),
        (
            {"settings__USER_INVITE_TOKEN_TTL": "soon"},
            "$.settings.USER_INVITE_TOKEN_TTL: must be a duration",
        ),
        (
            {"settings__USER_INVITE_URL_ALLOW_LIST": [1]},
            "$.settings.USER_INVITE_URL_ALLOW_LIST[0]: must be",
        ),
        (
            {"roles__1__permissions": {"directus_users": {"update": [1]}}},
            "$.roles[1].permissions.directus_users.update[0]: must be",
        ),
    ],
)
def test_fixture_problems_name_the_path(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(FixtureError) as caught:
        authmock.create_app("directus", fixtures=_with(**changes))
    assert message in str(caught.value)


def test_minimal_fixture_is_an_empty_directus() -> None:
    # a file states what it changes: empty sections replace the bundled ones
    empty = {"flavour": "directus", "roles": [], "users": [], "providers": [],
             "public": {}, "collections": {}}
    app = authmock.create_app("directus", fixtures=empty)
    client = app.test_client()
    assert client.get("/auth").get_json() == {"data": [], "disableDefault": False}
    assert (
        error(client.post("/auth/login", json={"email": ADMIN, "password": "password"}))[2]
        == "INVALID_CREDENTIALS"
    )
    assert error(client.get("/items/articles"))[0] == 403


def test_spec_strings_live_in_errors_py_once() -> None:
    source = inspect.getsource(errors)
    settings_source = inspect.getsource(config)
    for line in SPEC_STRINGS.read_text(encoding="utf-8").splitlines():
        # cookie names are settings defaults (Directus's env), every other string an error text
        home = settings_source if line.startswith("directus_") else source
        assert line in home, line
    for path in Path(inspect.getfile(errors)).parent.glob("*.py"):
        if path.name == "errors.py":
            continue
        text = path.read_text(encoding="utf-8")
        for message in (
            "Invalid user credentials.",
            "Invalid token.",
            "Token expired.",
            "User suspended.",
            "You don't have permission",
            "Redirecting to",
            "Password Reset Request",
            "incorrect header check",
            "is not valid JSON",
            "Disallow: /",
            '"pong"',
            "hasn't been invited",
            "TFA Secret is already set",
            "has to be unique",
            "Invalid verification code",
            "You've been invited",
            "Verify your email address",
            "doesn't have TFA enabled",
            "Cannot remove the last admin",
            "Invalid foreign key",
        ):
            assert message not in text, (path.name, message)


@pytest.mark.parametrize(
    ("factory", "status", "code", "message"),
    [
        (errors.invalid_credentials, 401, "INVALID_CREDENTIALS", "Invalid user credentials."),
        (errors.invalid_otp, 401, "INVALID_OTP", "Invalid user OTP."),
        (errors.invalid_token, 403, "INVALID_TOKEN", "Invalid token."),
        (errors.token_expired, 401, "TOKEN_EXPIRED", "Token expired."),
        (errors.user_suspended, 401, "USER_SUSPENDED", "User suspended."),
        (errors.forbidden, 403, "FORBIDDEN", "You don't have permission to access this."),
        (errors.internal_error, 500, "INTERNAL_SERVER_ERROR", "An unexpected error occurred."),
    ],
)
def test_error_catalogue(factory: Any, status: int, code: str, message: str) -> None:
    err = factory()
    assert err.envelope() == {"errors": [{"message": message, "extensions": {"code": code}}]}
    assert err.status == status


def test_service_unavailable_wording() -> None:
    err = errors.service_unavailable("authentication", errors.REASON_RATE_LIMITER_UNREACHABLE)
    assert err.message == 'Service "authentication" is unavailable. Rate limiter unreachable.'
    assert err.status == 503
