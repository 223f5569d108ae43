"""The error envelope, PHP's htmlentities, and bad input that must never become a Python 500."""

from __future__ import annotations

import json

import pytest

from authmock.flavours.dreamfactory import errors, flavour
from authmock.pytest_plugin import MockFixture
from tests.dreamfactory.helpers import (
    ADMIN,
    ADMIN_KEY,
    ADMIN_LOGIN,
    FRONTEND_KEY,
    PASSWORD,
    USER,
    error,
    headers,
    token_of,
)

MISSING_EMAIL = "Login request is missing required email."


def test_envelope_is_exact_compact_json(dreamfactory_mock: MockFixture) -> None:
    response = dreamfactory_mock.client.post(ADMIN_LOGIN, json={"email": ADMIN, "password": "x"},
                                             headers=headers(ADMIN_KEY))
    assert response.status_code == 401
    assert response.mimetype == "application/json"
    assert response.data == (b'{"error":{"code":401,"context":null,'
                             b'"message":"Invalid credentials supplied.","status_code":401}}')


@pytest.mark.parametrize(("text", "encoded"), [
    ('Table "x"', "Table &quot;x&quot;"),
    ("a & b < c > d", "a &amp; b &lt; c &gt; d"),
    ("it's", "it's"),
    ("café ©", "caf&eacute; &copy;"),
    ("snow ☃", "snow ☃"),
    ("bad \udcff byte", ""),
])
def test_htmlentities_like_php(text: str, encoded: str) -> None:
    assert errors.htmlentities(text) == encoded


def test_entities_and_unicode_escapes_reach_the_wire(dreamfactory_mock: MockFixture) -> None:
    token = token_of(dreamfactory_mock.client, USER, key=FRONTEND_KEY)
    response = dreamfactory_mock.client.get("/api/v2/db/_table/caf%C3%A9%E2%98%83<b>",
                                            headers=headers(FRONTEND_KEY, token))
    assert response.status_code == 404
    assert (b'"message":"Table &quot;caf&eacute;\\u2603&lt;b&gt;&quot; does not exist in the '
            b'database."') in response.data


def test_404_for_paths_outside_the_api(dreamfactory_mock: MockFixture) -> None:
    assert error(dreamfactory_mock.client.get("/no/such/page")) == (
        404, "The route no/such/page could not be found."
    )


@pytest.mark.parametrize("method", ["FOO", "TRACE", "PROPFIND"])
def test_unknown_verbs(dreamfactory_mock: MockFixture, method: str) -> None:
    response = dreamfactory_mock.client.open(ADMIN_LOGIN, method=method)
    assert error(response) == (
        405, f"The {method} method is not supported for route api/v2/system/admin/session. "
        "Supported methods: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS."
    )


@pytest.mark.parametrize("header", ["X-HTTP-Method", "X-Method-Override",
                                    "X-HTTP-Method-Override"])
def test_unknown_verb_override(dreamfactory_mock: MockFixture, header: str) -> None:
    response = dreamfactory_mock.client.post(ADMIN_LOGIN, headers={header: "FOO"})
    assert error(response) == (405, "Invalid or unsupported verb 'FOO' used in request.")


def test_body_over_one_megabyte(dreamfactory_mock: MockFixture) -> None:
    body = json.dumps({"email": ADMIN, "password": PASSWORD, "pad": "x" * (1024 * 1024)})
    response = dreamfactory_mock.client.post(ADMIN_LOGIN, data=body,
                                             content_type="application/json",
                                             headers=headers(ADMIN_KEY))
    assert error(response) == (413, "The POST data is too large.")
    assert dreamfactory_mock.store.table("df_users")[1]["last_login_date"] is None


@pytest.mark.parametrize("body", [b"{not json", b"", b"[1,2]", b'"text"', b"\xff\xfe{}", b"null",
                                  b'{"email":"\xff"}'])
def test_unreadable_json_bodies(dreamfactory_mock: MockFixture, body: bytes) -> None:
    response = dreamfactory_mock.client.post(ADMIN_LOGIN, data=body,
                                             content_type="application/json",
                                             headers=headers(ADMIN_KEY))
    assert error(response) == (400, MISSING_EMAIL)


def test_non_utf8_form_and_query(dreamfactory_mock: MockFixture) -> None:
    client = dreamfactory_mock.client
    response = client.post(ADMIN_LOGIN + "?api_key=%FF", data=b"email=%FF&password=%FE",
                           content_type="application/x-www-form-urlencoded")
    assert error(response) == (401, "Invalid credentials supplied.")
    response = client.get("/api/v2/system/app", headers={"X-DreamFactory-API-Key": "\xff"})
    assert error(response)[0] == 400


@pytest.mark.parametrize(
    "path", [ADMIN_LOGIN + "/", ADMIN_LOGIN + "//", "/api/v2/system/admin/session/"]
)
def test_trailing_slashes_are_the_same_route(dreamfactory_mock: MockFixture, path: str) -> None:
    response = dreamfactory_mock.client.post(path, json={"email": ADMIN, "password": PASSWORD},
                                             headers=headers(ADMIN_KEY))
    assert response.status_code == 200


def test_failed_request_changes_nothing(dreamfactory_mock: MockFixture) -> None:
    client = dreamfactory_mock.client
    token = token_of(client, USER, key=FRONTEND_KEY)
    auth = headers(FRONTEND_KEY, token)
    response = client.post("/api/v2/user/profile", json={"phone": "1", "email": "x@example.com",
                                                          "current_password": "nope"},
                           headers=auth)
    assert error(response)[0] == 400
    assert client.get("/api/v2/user/profile", headers=auth).get_json()["phone"] is None


def test_profile_with_wrong_types(dreamfactory_mock: MockFixture) -> None:
    token = token_of(dreamfactory_mock.client, USER, key=FRONTEND_KEY)
    response = dreamfactory_mock.client.post("/api/v2/user/profile",
                                             json={"phone": ["1"], "name": {"a": 1}},
                                             headers=headers(FRONTEND_KEY, token))
    status, message = error(response)
    assert (status, message) == (400, "Invalid data supplied. The name field must be a string. "
                                      "The phone field must be a string.")


def test_password_endpoint_with_wrong_types(dreamfactory_mock: MockFixture) -> None:
    response = dreamfactory_mock.client.post("/api/v2/user/password?reset=true",
                                             json={"email": ["a"]})
    assert error(response) == (400, "Missing required email for password reset confirmation.")
    response = dreamfactory_mock.client.post("/api/v2/user/password",
                                             json={"email": USER, "code": {"a": 1},
                                                   "new_password": "x"})
    assert error(response) == (400, "Invalid confirmation code.")


def test_render_error_for_an_unexpected_failure(dreamfactory_mock: MockFixture) -> None:
    with dreamfactory_mock.app.test_request_context("/api/v2/x"):
        response = flavour.render_error(500, RuntimeError("boom"))
    assert response.status_code == 500
    assert json.loads(response.get_data()) == {"error": {
        "code": 500, "context": None, "message": "Server Error", "status_code": 500}}


def test_head_and_options_do_not_fail(dreamfactory_mock: MockFixture) -> None:
    client = dreamfactory_mock.client
    # HEAD is verb 64, outside the session's public mask (31): AccessCheck answers
    assert client.head(ADMIN_LOGIN).status_code == 400
    token = token_of(client)
    assert client.head(ADMIN_LOGIN, headers=headers(ADMIN_KEY, token)).status_code == 200
    assert client.options(ADMIN_LOGIN).status_code == 200
