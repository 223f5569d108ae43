"""Every place DreamFactory reads an API key or a session token, and every body format."""

from __future__ import annotations

import base64
import json

import pytest

from authmock.pytest_plugin import MockFixture
from tests.dreamfactory.helpers import (
    ADMIN,
    ADMIN_KEY,
    ADMIN_LOGIN,
    FRONTEND_KEY,
    PASSWORD,
    UNKNOWN_KEY,
    USER,
    USER_LOGIN,
    error,
    headers,
    token_of,
)
from tests.dreamfactory.test_access import NO_KEY_OR_TOKEN, NO_TOKEN, ROLE_NOT_FOUND

CONTACTS = "/api/v2/db/_table/contacts"


@pytest.mark.parametrize("name", ["X-DreamFactory-API-Key", "x-dreamfactory-api-key",
                                  "X-DREAMFACTORY-API-KEY"])
def test_api_key_header_name_in_any_case(dreamfactory_mock: MockFixture, name: str) -> None:
    response = dreamfactory_mock.client.get(CONTACTS, headers={name: FRONTEND_KEY})
    assert response.status_code == 200


def test_api_key_in_the_query(dreamfactory_mock: MockFixture) -> None:
    response = dreamfactory_mock.client.get(CONTACTS + "?api_key=" + FRONTEND_KEY)
    assert response.status_code == 200


def test_query_api_key_wins_over_the_header(dreamfactory_mock: MockFixture) -> None:
    response = dreamfactory_mock.client.get(
        "/api/v2/system/app?api_key=" + FRONTEND_KEY, headers=headers(ADMIN_KEY))
    assert error(response) == (401, "Unauthorized. User is not authenticated.")


def test_api_key_in_a_json_body(dreamfactory_mock: MockFixture) -> None:
    response = dreamfactory_mock.client.post(
        CONTACTS, json={"api_key": FRONTEND_KEY, "resource": [{"first_name": "Lin"}]})
    assert response.status_code == 200


def test_api_key_in_a_form_body(dreamfactory_mock: MockFixture) -> None:
    response = dreamfactory_mock.client.post(
        CONTACTS, data={"api_key": FRONTEND_KEY, "first_name": "Lin"})
    assert response.status_code == 200
    assert response.get_json() == {"resource": [{"id": 4}]}


def test_body_api_key_is_ignored_on_system_app_paths(dreamfactory_mock: MockFixture) -> None:
    response = dreamfactory_mock.client.post("/api/v2/system/app", json={"api_key": ADMIN_KEY})
    assert error(response) == (400, NO_KEY_OR_TOKEN)


@pytest.mark.parametrize("where", ["bearer", "header", "lower-header", "query", "json", "form"])
def test_session_token_locations(dreamfactory_mock: MockFixture, where: str) -> None:
    client = dreamfactory_mock.client
    token = token_of(client, USER, key=FRONTEND_KEY)
    url = CONTACTS + "?api_key=" + FRONTEND_KEY
    record = {"first_name": "Lin"}
    if where == "bearer":
        response = client.post(url, json=record, headers={"Authorization": f"Bearer {token}"})
    elif where == "header":
        response = client.post(url, json=record, headers={"X-DreamFactory-Session-Token": token})
    elif where == "lower-header":
        response = client.post(url, json=record, headers={"x-dreamfactory-session-token": token})
    elif where == "query":
        response = client.post(url + "&session_token=" + token, json=record)
    elif where == "json":
        response = client.post(url, json={**record, "session_token": token})
    else:
        response = client.post(url, data={**record, "session_token": token})
    assert response.status_code == 200, response.get_data(as_text=True)


def test_user_token_is_what_makes_the_difference(dreamfactory_mock: MockFixture) -> None:
    client = dreamfactory_mock.client
    token = token_of(client, USER, key=FRONTEND_KEY)
    response = client.get("/api/v2/user/profile?api_key=" + UNKNOWN_KEY,
                          headers={"Authorization": "Bearer " + token})
    assert response.status_code == 200
    response = client.get(CONTACTS + "?api_key=" + UNKNOWN_KEY,
                          headers={"Authorization": "Bearer " + token})
    assert error(response) == (403, ROLE_NOT_FOUND)


def test_bearer_wins_over_the_session_token_header(dreamfactory_mock: MockFixture) -> None:
    client = dreamfactory_mock.client
    token = token_of(client)
    response = client.get("/api/v2/system/app", headers={
        "Authorization": "Bearer abc", "X-DreamFactory-Session-Token": token,
        "X-DreamFactory-API-Key": ADMIN_KEY})
    assert error(response) == (401, "Invalid token: Wrong number of segments")


def test_lowercase_bearer_is_not_a_token(dreamfactory_mock: MockFixture) -> None:
    client = dreamfactory_mock.client
    token = token_of(client)
    response = client.get("/api/v2/system/app", headers={
        "Authorization": "bearer " + token, "X-DreamFactory-API-Key": ADMIN_KEY})
    assert error(response) == (400, NO_TOKEN)  # DreamFactory looks for "Bearer" exactly


def _basic(email: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{email}:{password}".encode()).decode()


def test_http_basic_logs_in_for_one_request(dreamfactory_mock: MockFixture) -> None:
    response = dreamfactory_mock.client.get("/api/v2/system/app", headers={
        "Authorization": _basic(ADMIN, PASSWORD), "X-DreamFactory-API-Key": ADMIN_KEY})
    assert response.status_code == 200
    response = dreamfactory_mock.client.get("/api/v2/db/_table/contacts/1", headers={
        "Authorization": _basic(USER, PASSWORD), "X-DreamFactory-API-Key": FRONTEND_KEY})
    assert response.get_json()["id"] == 1


def test_http_basic_with_wrong_credentials_is_laravels_short_500(
    dreamfactory_mock: MockFixture,
) -> None:
    response = dreamfactory_mock.client.get("/api/v2/system/app", headers={
        "Authorization": _basic(ADMIN, "nope"), "X-DreamFactory-API-Key": ADMIN_KEY})
    assert response.status_code == 500
    assert response.data == b'{"error":{"code":500,"message":"Invalid credentials."}}'


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8",
                                          "application/vnd.api+json"])
def test_json_content_types(dreamfactory_mock: MockFixture, content_type: str) -> None:
    response = dreamfactory_mock.client.post(
        ADMIN_LOGIN, data=f'{{"email":"{ADMIN}","password":"{PASSWORD}"}}',
        content_type=content_type, headers=headers(ADMIN_KEY))
    assert response.status_code == 200


def test_form_login_like_the_quickstart(dreamfactory_mock: MockFixture) -> None:
    response = dreamfactory_mock.client.post(
        ADMIN_LOGIN, data={"email": ADMIN, "password": PASSWORD, "api_key": ADMIN_KEY})
    assert response.status_code == 200


def test_multipart_login(dreamfactory_mock: MockFixture) -> None:
    response = dreamfactory_mock.client.post(
        USER_LOGIN, data={"email": USER, "password": PASSWORD}, headers=headers(FRONTEND_KEY),
        content_type="multipart/form-data")
    assert response.status_code == 200


def test_text_plain_body_answers_every_field(dreamfactory_mock: MockFixture) -> None:
    response = dreamfactory_mock.client.post(
        ADMIN_LOGIN, data="hello", content_type="text/plain", headers=headers(ADMIN_KEY))
    assert error(response) == (401, "Invalid credentials supplied.")


@pytest.mark.parametrize(("body", "message"), [
    ({}, "Login request is missing required email."),
    ({"email": ""}, "Login request is missing required email."),
    ({"email": "0", "password": "x"}, "Login request is missing required email."),
    ({"email": []}, "Login request is missing required email."),
    ({"email": ADMIN}, "Login request is missing required password."),
    ({"email": ADMIN, "password": ""}, "Login request is missing required password."),
    ({"email": ADMIN, "password": "nope"}, "Invalid credentials supplied."),
    ({"email": "nobody@example.com", "password": PASSWORD}, "Invalid credentials supplied."),
    ({"email": 12, "password": PASSWORD}, "Invalid credentials supplied."),
    ({"email": [ADMIN], "password": PASSWORD}, "Invalid credentials supplied."),
    ({"email": {"a": 1}, "password": PASSWORD}, "Invalid credentials supplied."),
    ({"email": ADMIN, "password": 123}, "Invalid credentials supplied."),
    ({"email": USER, "password": PASSWORD}, "Invalid credentials supplied."),
])
def test_admin_login_refusals(dreamfactory_mock: MockFixture, body: object, message: str) -> None:
    response = dreamfactory_mock.client.post(ADMIN_LOGIN, json=body, headers=headers(ADMIN_KEY))
    status = 400 if "missing" in message else 401
    assert error(response) == (status, message)


def test_inactive_user_cannot_log_in(dreamfactory_mock: MockFixture) -> None:
    response = dreamfactory_mock.client.post(
        USER_LOGIN, json={"email": "inactive@example.com", "password": PASSWORD},
        headers=headers(ADMIN_KEY))
    assert error(response) == (401, "Invalid credentials supplied.")


def test_email_is_trimmed_and_case_insensitive(dreamfactory_mock: MockFixture) -> None:
    response = dreamfactory_mock.client.post(
        ADMIN_LOGIN, json={"email": "  Admin@Example.com ", "password": PASSWORD},
        headers=headers(ADMIN_KEY))
    assert response.status_code == 200
    assert response.get_json()["email"] == ADMIN


def test_verb_override_header_turns_post_into_delete(dreamfactory_mock: MockFixture) -> None:
    client = dreamfactory_mock.client
    token = token_of(client)
    response = client.post(ADMIN_LOGIN, headers={"X-HTTP-Method": "DELETE",
                                                 "X-DreamFactory-Session-Token": token})
    assert response.get_json() == {"success": True}
    status, _ = error(client.get(ADMIN_LOGIN, headers=headers(ADMIN_KEY, token)))
    assert status == 403


def test_http_basic_for_an_inactive_user(dreamfactory_mock: MockFixture) -> None:
    response = dreamfactory_mock.client.get("/api/v2/user/profile", headers={
        "Authorization": _basic("inactive@example.com", PASSWORD)})
    assert error(response) == (403, "User is not active.")


# --- where AuthCheck reads body credentials: Laravel's $request->input(), which never sniffs --
SERVER = pytest.mark.authmock(profile="server")
BOTH = pytest.mark.parametrize("profile", ["docs", pytest.param("server", marks=SERVER)])


@BOTH
def test_a_text_plain_body_is_neither_key_nor_token(
    dreamfactory_mock: MockFixture, profile: str
) -> None:
    response = dreamfactory_mock.client.get("/api/v2/system/app", data="hello",
                                            content_type="text/plain")
    assert error(response) == (400, NO_KEY_OR_TOKEN)


@SERVER
def test_json_without_content_type_carries_no_credentials(dreamfactory_mock: MockFixture) -> None:
    client = dreamfactory_mock.client
    token = token_of(client, USER, key=FRONTEND_KEY)
    body = json.dumps({"api_key": FRONTEND_KEY, "session_token": token,
                       "resource": [{"first_name": "Lin"}]})
    response = client.post(CONTACTS, data=body)
    assert "Content-Type" not in response.request.headers
    assert error(response) == (400, NO_KEY_OR_TOKEN)
    # the same body with its key in the query: the payload itself is sniffed and read
    response = client.post(CONTACTS + "?api_key=" + FRONTEND_KEY, data=body,
                           headers={"Authorization": "Bearer " + token})
    assert response.get_json() == {"resource": [{"id": 4}]}


def test_a_get_form_body_is_not_read_for_the_key(dreamfactory_mock: MockFixture) -> None:
    response = dreamfactory_mock.client.get(CONTACTS, data={"api_key": FRONTEND_KEY})
    assert error(response) == (400, NO_KEY_OR_TOKEN)


def test_body_session_token_wins_over_the_query(dreamfactory_mock: MockFixture) -> None:
    client = dreamfactory_mock.client
    token = token_of(client, USER, key=FRONTEND_KEY)
    url = CONTACTS + "?api_key=" + FRONTEND_KEY
    record = {"first_name": "Lin"}
    response = client.post(url + "&session_token=abc", json={**record, "session_token": token})
    assert response.status_code == 200
    response = client.post(url + "&session_token=" + token, json={**record, "session_token": "abc"})
    assert error(response) == (401, "Invalid token: Wrong number of segments")


# --- bodies whose Content-Type DreamFactory does not recognise are sniffed -------------------
LOGIN_JSON = json.dumps({"email": ADMIN, "password": PASSWORD})


@BOTH
def test_an_unknown_content_type_is_sniffed_as_json(
    dreamfactory_mock: MockFixture, profile: str
) -> None:
    response = dreamfactory_mock.client.post(ADMIN_LOGIN, data=LOGIN_JSON,
                                             content_type="application/octet-stream",
                                             headers=headers(ADMIN_KEY))
    assert response.status_code == 200


@BOTH
@pytest.mark.parametrize("body", ["hello", "null", "email=admin@example.com"])
def test_an_unrecognisable_body_without_content_type(
    dreamfactory_mock: MockFixture, profile: str, body: str
) -> None:
    response = dreamfactory_mock.client.post(ADMIN_LOGIN, data=body, headers=headers(ADMIN_KEY))
    if profile == "docs":  # the docs profile does not read a body without Content-Type
        assert error(response) == (400, "Login request is missing required email.")
    else:
        assert error(response) == (400, "Unrecognized payload type")
    assert dreamfactory_mock.store.table("df_users")[1]["last_login_date"] is None


@SERVER
def test_a_multi_line_body_without_content_type_is_csv(dreamfactory_mock: MockFixture) -> None:
    client = dreamfactory_mock.client
    response = client.post(CONTACTS, data="first_name,last_name\nLin,Wei\n",
                           headers=headers(FRONTEND_KEY))
    assert response.get_json() == {"resource": [{"id": 4}]}
    assert client.get(CONTACTS + "/4", headers=headers(FRONTEND_KEY)).get_json() == {
        "id": 4, "first_name": "Lin", "last_name": "Wei"}


def test_csv_bodies(dreamfactory_mock: MockFixture) -> None:
    client = dreamfactory_mock.client
    created = client.post(CONTACTS, data="first_name,email\nMax,max@example.com\nEve,\n",
                          content_type="text/csv", headers=headers(FRONTEND_KEY))
    assert created.get_json() == {"resource": [{"id": 4}, {"id": 5}]}
    # CSV records are wrapped in "resource": a CSV login has no top-level email
    login = client.post(ADMIN_LOGIN, data=f"email,password\n{ADMIN},{PASSWORD}\n",
                        content_type="text/csv", headers=headers(ADMIN_KEY))
    assert error(login) == (400, "Login request is missing required email.")
    header_only = client.post(CONTACTS, data="first_name,email\n", content_type="text/csv",
                              headers=headers(FRONTEND_KEY))
    assert error(header_only) == (400, "Invalid CSV payload supplied.")
    assert len(client.get(CONTACTS, headers=headers(FRONTEND_KEY)).get_json()["resource"]) == 5


@SERVER
def test_session_get_reads_the_payload_too(dreamfactory_mock: MockFixture) -> None:
    # getOAuthServiceName() reads "service" from the payload, so GET refuses an unreadable body
    client = dreamfactory_mock.client
    token = token_of(client)
    response = client.get(ADMIN_LOGIN, data="hello", headers=headers(ADMIN_KEY, token))
    assert error(response) == (400, "Unrecognized payload type")
    response = client.get(ADMIN_LOGIN, json={"service": "db"}, headers=headers(ADMIN_KEY, token))
    assert error(response) == (400, "Invalid login service provided. Please use an OAuth service.")
