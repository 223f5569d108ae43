"""AuthCheck/AccessCheck: every row of the decision table and every token refusal."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import pytest

from authmock.pytest_plugin import MockFixture
from tests.dreamfactory.helpers import (
    ADMIN_KEY,
    ADMIN_LOGIN,
    FRONTEND_KEY,
    UNKNOWN_KEY,
    USER,
    USER_LOGIN,
    bundled,
    error,
    headers,
    login,
    segment,
    token_of,
)

NO_KEY_OR_TOKEN = (
    "No session token (JWT) or API Key detected in request. Please send in "
    "X-DreamFactory-Session-Token and/or X-DreamFactory-API-Key request header. You can also use "
    "URL query parameters session_token and/or api_key."
)
NO_API_KEY = (
    "No API Key provided. Please provide a valid API Key using X-DreamFactory-API-Key request "
    "header or 'api_key' url query parameter."
)
NO_TOKEN = (
    "No session token (JWT) provided. Please provide a valid JWT using "
    "X-DreamFactory-Session-Token request header or 'session_token' url query parameter."
)
ROLE_NOT_FOUND = "Role not found. A role may not be assigned to you or your application."
ROLE_INACTIVE = (
    "Access Forbidden. The role assigned to you or your application or the default role of your "
    "application is not active."
)
NOT_AUTHENTICATED = "Unauthorized. User is not authenticated."
CONTACTS = "/api/v2/db/_table/contacts"


def user_token(mock: MockFixture) -> str:
    return token_of(mock.client, USER, key=FRONTEND_KEY)


def test_no_key_and_no_token(dreamfactory_mock: MockFixture) -> None:
    assert error(dreamfactory_mock.client.get("/api/v2/system/app")) == (400, NO_KEY_OR_TOKEN)


def test_user_token_without_key_finds_no_role(dreamfactory_mock: MockFixture) -> None:
    token = user_token(dreamfactory_mock)
    response = dreamfactory_mock.client.get(CONTACTS, headers=headers(token=token))
    assert error(response) == (400, NO_API_KEY)


@pytest.mark.parametrize("key", [ADMIN_KEY, UNKNOWN_KEY])
def test_key_without_role_and_no_token(dreamfactory_mock: MockFixture, key: str) -> None:
    response = dreamfactory_mock.client.get("/api/v2/system/app", headers=headers(key))
    assert error(response) == (400, NO_TOKEN)


def test_user_token_with_an_unknown_key_has_no_role(dreamfactory_mock: MockFixture) -> None:
    token = user_token(dreamfactory_mock)
    response = dreamfactory_mock.client.get(CONTACTS, headers=headers(UNKNOWN_KEY, token))
    assert error(response) == (403, ROLE_NOT_FOUND)


def test_frontend_key_alone_is_not_authenticated(dreamfactory_mock: MockFixture) -> None:
    response = dreamfactory_mock.client.get("/api/v2/system/app", headers=headers(FRONTEND_KEY))
    assert error(response) == (401, NOT_AUTHENTICATED)
    response = dreamfactory_mock.client.delete(CONTACTS + "/1", headers=headers(FRONTEND_KEY))
    assert error(response) == (401, NOT_AUTHENTICATED)


def test_frontend_key_alone_gets_what_the_default_role_allows(
    dreamfactory_mock: MockFixture,
) -> None:
    response = dreamfactory_mock.client.get(CONTACTS, headers=headers(FRONTEND_KEY))
    assert response.status_code == 200


def test_user_with_key_and_token_reads_contacts(dreamfactory_mock: MockFixture) -> None:
    token = user_token(dreamfactory_mock)
    response = dreamfactory_mock.client.get(CONTACTS, headers=headers(FRONTEND_KEY, token))
    assert response.status_code == 200
    assert len(response.get_json()["resource"]) == 3


@pytest.mark.parametrize(("method", "path", "message"), [
    ("DELETE", CONTACTS + "/1",
     "Access Forbidden. DELETE access to component '_table/contacts/1' of service 'db' is not "
     "allowed by this user's role."),
    ("PUT", CONTACTS,
     "Access Forbidden. PUT access to component '_table/contacts' of service 'db' is not allowed "
     "by this user's role."),
    ("GET", "/api/v2/system/app",
     "Access Forbidden. GET access to component 'app' of service 'system' is not allowed by this "
     "user's role."),
    ("GET", "/api/v2/db/_schema",
     "Access Forbidden. GET access to component '_schema' of service 'db' is not allowed by this "
     "user's role."),
    ("GET", "/api/v2/files",
     "Access Forbidden. GET access to service 'files' is not allowed by this user's role."),
    ("GET", "/api/v2/nosuch/_table/x",
     "Access Forbidden. GET access to component '_table/x' of service 'nosuch' is not allowed by "
     "this user's role."),
    ("GET", "/api/v2/DB/_table/Contacts",
     None),
])
def test_role_verb_masks_and_components(
    dreamfactory_mock: MockFixture, method: str, path: str, message: str | None
) -> None:
    token = user_token(dreamfactory_mock)
    response = dreamfactory_mock.client.open(path, method=method,
                                             headers=headers(FRONTEND_KEY, token))
    if message is None:
        assert response.status_code == 200  # matching is case-insensitive
    else:
        assert error(response) == (403, message)


def test_user_role_grants_everything_on_the_user_service(dreamfactory_mock: MockFixture) -> None:
    token = user_token(dreamfactory_mock)
    response = dreamfactory_mock.client.get("/api/v2/user/profile",
                                            headers=headers(FRONTEND_KEY, token))
    assert response.status_code == 200


def _variant(**changes: Any) -> dict[str, Any]:
    data = bundled()
    for key, value in changes.items():
        target, name, field, new = value
        for row in data[target]:
            if row["name" if target != "users" else "email"] == name:
                row[field] = new
        del key
    return data


@pytest.mark.authmock(fixtures=_variant(role=("roles", "user", "is_active", False)))
def test_inactive_role(dreamfactory_mock: MockFixture) -> None:
    client = dreamfactory_mock.client
    assert error(client.get(CONTACTS, headers=headers(FRONTEND_KEY))) == (403, ROLE_INACTIVE)
    assert error(login(client, USER, key=FRONTEND_KEY)) == (403, "Role is not active.")


@pytest.mark.authmock(fixtures=_variant(app=("apps", "frontend", "is_active", False)))
def test_inactive_app(dreamfactory_mock: MockFixture) -> None:
    client = dreamfactory_mock.client
    assert error(login(client, USER, key=FRONTEND_KEY)) == (403, "App is not active.")
    assert error(client.get(CONTACTS, headers=headers(FRONTEND_KEY))) == (403, "App is not active.")
    token = token_of(client, USER, key=ADMIN_KEY)
    assert error(client.get(CONTACTS, headers=headers(FRONTEND_KEY, token))) == (
        403, "App is not active."
    )
    refreshed = client.put(USER_LOGIN, headers=headers(FRONTEND_KEY, token))
    assert refreshed.status_code == 200  # PUT refresh never loads the app


def test_deactivated_user_tokens_are_blacklisted(dreamfactory_mock: MockFixture) -> None:
    client = dreamfactory_mock.client
    admin = token_of(client)
    token = user_token(dreamfactory_mock)
    response = client.patch("/api/v2/system/user/2", json={"is_active": False},
                            headers=headers(ADMIN_KEY, admin))
    assert response.status_code == 200 and response.get_json() == {"id": 2}
    assert error(client.get(CONTACTS, headers=headers(FRONTEND_KEY, token))) == (
        403, "The token has been blacklisted: Session terminated. Please re-login."
    )
    assert error(login(client, USER, key=FRONTEND_KEY)) == (401, "Invalid credentials supplied.")


def test_deleted_user_tokens_are_blacklisted(dreamfactory_mock: MockFixture) -> None:
    client = dreamfactory_mock.client
    admin = token_of(client)
    token = user_token(dreamfactory_mock)
    deleted = client.delete("/api/v2/system/user/2", headers=headers(ADMIN_KEY, admin))
    assert deleted.status_code == 200
    status, _ = error(client.get(CONTACTS, headers=headers(FRONTEND_KEY, token)))
    assert status == 403


def test_user_not_active_and_not_found_when_not_blacklisted(
    dreamfactory_mock: MockFixture,
) -> None:
    client = dreamfactory_mock.client
    token = user_token(dreamfactory_mock)
    users = dreamfactory_mock.store.table("df_users")
    # change the row behind DreamFactory's back (as a direct database edit would)
    users.put(2, {**users[2], "is_active": False})
    assert error(client.get(CONTACTS, headers=headers(FRONTEND_KEY, token))) == (
        403, "User is not active."
    )
    users.delete(2)
    assert error(client.get(CONTACTS, headers=headers(FRONTEND_KEY, token))) == (
        404, "User not found."
    )


def _sign(mock: MockFixture, header: dict[str, Any], claims: dict[str, Any],
          secret: str | None = None) -> str:
    signing_input = f"{segment(header)}.{segment(claims)}"
    key = (secret or mock.mock.tokens.secret).encode()
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + base64.urlsafe_b64encode(signature).rstrip(b"=").decode()


def _claims(mock: MockFixture, **extra: Any) -> dict[str, Any]:
    now = int(mock.clock.time())
    claims: dict[str, Any] = {"sub": hashlib.md5(b"admin@example.com").hexdigest(),
                              "iat": now, "exp": now + 60, "nbf": now, "user_id": 1,
                              "forever": False}
    claims.update(extra)
    return {key: value for key, value in claims.items() if value is not None}


HS = {"typ": "JWT", "alg": "HS256"}


@pytest.mark.parametrize(("make", "message"), [
    (lambda m: "abc", "Wrong number of segments"),
    (lambda m: "a.b.c.d", "Wrong number of segments"),
    (lambda m: "a..c", "Malformed token"),
    (lambda m: "a.b.", "Malformed token"),
    (lambda m: "a$.b.c", "Could not decode token: Error while decoding from Base64Url, invalid "
                         "base64 characters detected"),
    (lambda m: "eyJ4.eyJ4.c", "Could not decode token: Error while decoding from JSON"),
    (lambda m: _sign(m, HS, _claims(m), secret="another-secret"),
     "Token Signature could not be verified."),
    (lambda m: _sign(m, {"typ": "JWT", "alg": "HS512"}, _claims(m)),
     "Token Signature could not be verified."),
    (lambda m: f"{segment({'typ': 'JWT', 'alg': 'none'})}.{segment(_claims(m))}.x",
     "Token Signature could not be verified."),
])
def test_invalid_token_variants(dreamfactory_mock: MockFixture, make: Any, message: str) -> None:
    token = make(dreamfactory_mock)
    response = dreamfactory_mock.client.get("/api/v2/system/app",
                                            headers=headers(ADMIN_KEY, token))
    assert error(response) == (401, "Invalid token: " + message)


def _issued(mock: MockFixture, claims: dict[str, Any]) -> str:
    """A token signed with the app's secret and registered as issued by this app."""
    token = _sign(mock, HS, claims)
    mock.mock.tokens.register(token)
    return token


@pytest.mark.parametrize(("changes", "message"), [
    ({"forever": None}, "JWT payload does not contain the required claims"),
    ({"user_id": None}, "JWT payload does not contain the required claims"),
    ({"sub": "0" * 32}, "User verification failed."),
    ({"user_id": ""}, "User verification failed."),
    ({"iat": 4102444800}, "Issued At (iat) timestamp cannot be in the future"),
    ({"nbf": 4102444800}, "Not Before (nbf) timestamp cannot be in the future"),
])
def test_signed_tokens_with_bad_claims(
    dreamfactory_mock: MockFixture, changes: dict[str, Any], message: str
) -> None:
    token = _issued(dreamfactory_mock, _claims(dreamfactory_mock, **changes))
    response = dreamfactory_mock.client.get("/api/v2/system/app",
                                            headers=headers(ADMIN_KEY, token))
    assert error(response) == (401, "Invalid token: " + message)


def test_a_token_from_before_a_reset_has_a_bad_signature(dreamfactory_mock: MockFixture) -> None:
    token = token_of(dreamfactory_mock.client)
    dreamfactory_mock.reset()
    response = dreamfactory_mock.client.get(ADMIN_LOGIN, headers=headers(ADMIN_KEY, token))
    assert error(response) == (401, "Invalid token: Token Signature could not be verified.")


def test_token_errors_hit_public_routes_too(dreamfactory_mock: MockFixture) -> None:
    response = dreamfactory_mock.client.post("/api/v2/user/password?reset=true",
                                             json={"email": USER}, headers=headers(token="abc"))
    assert error(response) == (401, "Invalid token: Wrong number of segments")


def test_oauth_services_are_always_allowed_through(dreamfactory_mock: MockFixture) -> None:
    response = dreamfactory_mock.client.get("/api/v2/github_oauth")
    assert error(response) == (404, "Could not find a service for github_oauth")


def test_restricted_admin_gets_role_checks(dreamfactory_mock: MockFixture) -> None:
    data = bundled()
    data["users"][0]["roles"] = {"frontend": "user"}
    from authmock import create_app

    app = create_app("dreamfactory", fixtures=data, profile="server")
    client = app.test_client()
    token = login(client).get_json()["session_token"]
    response = client.get("/api/v2/system/app", headers=headers(FRONTEND_KEY, token))
    assert error(response)[0] == 403
    assert client.get(CONTACTS, headers=headers(FRONTEND_KEY, token)).status_code == 200


def test_payload_json_is_still_read_for_credentials(dreamfactory_mock: MockFixture) -> None:
    token = user_token(dreamfactory_mock)
    response = dreamfactory_mock.client.post(
        CONTACTS, data=json.dumps({"api_key": FRONTEND_KEY, "session_token": token,
                                   "resource": [{"first_name": "Lin"}]}),
        content_type="application/json")
    assert response.status_code == 200
