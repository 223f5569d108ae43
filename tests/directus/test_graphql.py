"""GraphQL at /graphql/system and /graphql: each answer compared with REST's for the same case."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from authmock import create_app

from .helpers import (
    ADMIN,
    ADMIN_ID,
    HELLO,
    HELLO_ID,
    STATIC_TOKEN,
    SUSPENDED,
    T0,
    TFA,
    bearer,
    claims,
    error,
    login,
    set_cookies,
    tokens,
    with_settings,
)

LOGIN = "mutation ($email: String!, $password: String!, $mode: auth_mode, $otp: String) " \
    "{ auth_login(email: $email, password: $password, mode: $mode, otp: $otp) " \
    "{ access_token expires refresh_token } }"
REFRESH = "mutation ($t: String, $mode: auth_mode) " \
    "{ auth_refresh(refresh_token: $t, mode: $mode) { access_token expires refresh_token } }"
LOGOUT = "mutation ($t: String, $mode: auth_mode) { auth_logout(refresh_token: $t, mode: $mode) }"


@pytest.fixture(params=["docs", "server"])
def mock(request: pytest.FixtureRequest, directus_mock: Any) -> Any:
    """Both profiles: GraphQL answers the same in each (no listed divergence applies)."""
    if request.param == "server":
        app = create_app("directus", profile="server")
        app.mock.clock.set(T0)
        app.mock.clock.freeze()
        return app.mock
    directus_mock.clock.set(T0)
    directus_mock.clock.freeze()
    return directus_mock


def gql(client: FlaskClient, query: str, variables: dict[str, Any] | None = None, *,
        path: str = "/graphql/system", headers: dict[str, str] | None = None) -> TestResponse:
    body: dict[str, Any] = {"query": query}
    if variables is not None:
        body["variables"] = variables
    return client.post(path, json=body, headers=headers or {})


def field_error(response: TestResponse, field: str) -> tuple[str, str, dict[str, Any]]:
    """(message, code, other extensions) of a resolver error; data holds the field as null."""
    assert response.status_code == 200
    body = response.get_json()
    assert list(body) == ["data", "errors"]
    assert body["data"] == {field: None}
    (first,) = body["errors"]
    assert list(first) == ["message", "extensions", "locations", "path"]
    assert first["path"] == [field]
    ext = dict(first["extensions"])
    assert next(iter(ext)) == "code", "processError puts code first"
    return first["message"], ext.pop("code"), ext


def rest_error(response: TestResponse) -> tuple[str, str, dict[str, Any]]:
    _, message, code, ext = error(response)
    return message, code, ext


def validation_messages(response: TestResponse) -> list[str]:
    status, message, code, ext = error(response)
    assert (status, message, code) == (400, "GraphQL validation error.", "GRAPHQL_VALIDATION")
    return [e["message"] for e in ext["errors"]]


# auth_login ---------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", [None, "json", "cookie", "session"])
def test_login_matches_rest_in_every_mode(mock: Any, mode: str | None) -> None:
    client = mock.client
    extra = {"mode": mode} if mode else {}
    rest = login(client, ADMIN, **extra)
    graph = gql(client, LOGIN, {"email": ADMIN, "password": "password", **extra})
    assert graph.status_code == 200
    rest_data = rest.get_json()["data"]
    data = graph.get_json()["data"]["auth_login"]
    assert data["expires"] == str(rest_data["expires"])  # GraphQLBigInt: a string
    for key in ("access_token", "refresh_token"):
        assert (data[key] is None) == (key not in rest_data)
    if data["access_token"]:
        assert claims(data["access_token"]) == claims(rest_data["access_token"])
    if data["refresh_token"]:
        assert len(data["refresh_token"]) == len(rest_data["refresh_token"]) == 64
    rest_cookies = [c.split(";", 1)[1] for c in set_cookies(rest)]
    graph_cookies = [c.split(";", 1)[1] for c in set_cookies(graph)]
    assert graph_cookies == rest_cookies
    assert [c.split("=", 1)[0] for c in set_cookies(graph)] == \
        [c.split("=", 1)[0] for c in set_cookies(rest)]
    if mode == "session":
        session_jwt = set_cookies(graph)[0].split(";", 1)[0].split("=", 1)[1]
        me = client.get(
            "/users/me?fields=id", headers={"Cookie": f"directus_session_token={session_jwt}"}
        )
        assert me.get_json() == {"data": {"id": ADMIN_ID}}


@pytest.mark.parametrize(("email", "password", "otp"), [
    (ADMIN, "wrong", None),
    ("test@fake.com", "password", None),
    (SUSPENDED, "password", None),
    (TFA, "password", None),
    (TFA, "password", "000000"),
])
def test_login_refusals_match_rest(mock: Any, email: str, password: str, otp: str | None) -> None:
    client = mock.client
    extra = {"otp": otp} if otp else {}
    rest = login(client, email, password, **extra)
    graph = gql(client, LOGIN, {"email": email, "password": password, **extra})
    assert field_error(graph, "auth_login") == rest_error(rest)
    assert set_cookies(graph) == []


def test_login_with_the_right_otp(mock: Any) -> None:
    graph = gql(mock.client, LOGIN, {"email": TFA, "password": "password", "otp": mock.otp(TFA)})
    assert graph.get_json()["data"]["auth_login"]["expires"] == "900000"


def test_invalid_email_is_invalid_credentials_not_joi(mock: Any) -> None:
    # GraphQL skips the REST controller's Joi schema (Directus's own black-box test says so)
    rest = login(mock.client, "invalidEmail", "password")
    assert rest_error(rest)[1] == "INVALID_PAYLOAD"
    graph = gql(mock.client, LOGIN, {"email": "invalidEmail", "password": "password"})
    assert field_error(graph, "auth_login") == (
        "Invalid user credentials.",
        "INVALID_CREDENTIALS",
        {},
    )


def test_missing_password_is_a_validation_error(mock: Any) -> None:
    response = gql(mock.client, 'mutation { auth_login(email: "a@b.co") { expires } }')
    assert validation_messages(response) == [
        'Field "auth_login" argument "password" of type "String!" is required, '
        "but it was not provided."
    ]
    located = response.get_json()["errors"][0]["extensions"]["errors"][0]
    assert located["locations"] == [{"line": 1, "column": 12}]


def test_ldap_mode_is_not_an_auth_mode_value(mock: Any) -> None:
    response = gql(
        mock.client, 'mutation { auth_login(email: "a", password: "b", mode: ldap) { expires } }'
    )
    assert validation_messages(response) == ['Value "ldap" does not exist in "auth_mode" enum.']


def test_a_bad_bearer_fails_before_graphql(mock: Any) -> None:
    # authenticate runs before the /graphql router: REST's envelope and status
    response = gql(mock.client, LOGIN, {"email": ADMIN, "password": "password"},
                   headers=bearer("not-a-token"))
    assert error(response) == (401, "Invalid user credentials.", "INVALID_CREDENTIALS", {})


def test_failed_logins_count_towards_suspension_as_in_rest() -> None:
    app = create_app("directus", fixtures=with_settings(auth_login_attempts=2))
    client = app.test_client()
    for _ in range(3):
        gql(client, LOGIN, {"email": HELLO, "password": "wrong"})
    rest = login(client, HELLO)
    assert rest_error(rest) == ("Invalid user credentials.", "INVALID_CREDENTIALS", {})


# auth_refresh / auth_logout ---------------------------------------------------------------
def test_json_refresh_rotates_like_rest(mock: Any) -> None:
    client = mock.client
    old = tokens(client)["refresh_token"]
    graph = gql(client, REFRESH, {"t": old})
    data = graph.get_json()["data"]["auth_refresh"]
    assert data["expires"] == "900000" and len(data["refresh_token"]) == 64
    assert claims(data["access_token"])["id"] == ADMIN_ID
    again_graph = gql(client, REFRESH, {"t": old})
    again_rest = client.post("/auth/refresh", json={"refresh_token": old})
    assert field_error(again_graph, "auth_refresh") == rest_error(again_rest)
    # the new token works through REST too: one session store behind both doors
    assert (
        client.post("/auth/refresh", json={"refresh_token": data["refresh_token"]}).status_code
        == 200
    )


def test_cookie_refresh_sets_the_rotated_cookie_as_rest(mock: Any) -> None:
    client = mock.client
    login(client, ADMIN, mode="cookie")
    graph = gql(client, REFRESH, {"mode": "cookie"})
    data = graph.get_json()["data"]["auth_refresh"]
    assert data["refresh_token"] is None and data["access_token"]
    rest = client.post("/auth/refresh", json={"mode": "cookie"})
    assert rest.status_code == 200
    assert [c.split(";", 1)[1] for c in set_cookies(graph)] == \
        [c.split(";", 1)[1] for c in set_cookies(rest)]


def test_session_refresh_uses_the_session_cookie(mock: Any) -> None:
    client = mock.client
    login(client, ADMIN, mode="session")
    graph = gql(client, REFRESH, {"mode": "session"})
    assert graph.get_json()["data"]["auth_refresh"] == {
        "access_token": None, "expires": "86400000", "refresh_token": None,
    }
    assert set_cookies(graph)[0].startswith("directus_session_token=ey")


@pytest.mark.parametrize("query", [REFRESH, LOGOUT])
def test_no_token_anywhere_matches_rest(mock: Any, query: str) -> None:
    field = "auth_refresh" if query is REFRESH else "auth_logout"
    graph = gql(mock.client, query, {})
    rest = mock.client.post(f"/auth/{field[5:]}", json={"mode": "json"})
    assert field_error(graph, field) == rest_error(rest)


def test_graphql_mode_defaults_to_json_even_with_a_cookie(mock: Any) -> None:
    # REST infers cookie mode from a missing refresh_token; GraphQL's mode is "json" unless given
    client = mock.client
    login(client, ADMIN, mode="cookie")
    graph = gql(client, REFRESH, {})
    assert field_error(graph, "auth_refresh")[1] == "INVALID_PAYLOAD"
    assert client.post("/auth/refresh", json={}).status_code == 200


def test_logout_ends_the_session_and_clears_cookies_as_rest(mock: Any) -> None:
    client = mock.client
    login(client, ADMIN, mode="cookie")
    graph = gql(client, LOGOUT, {"mode": "cookie"})
    assert graph.get_json() == {"data": {"auth_logout": True}}
    cleared = set_cookies(graph)
    login(client, ADMIN, mode="cookie")
    rest = client.post("/auth/logout", json={"mode": "cookie"})
    assert cleared == set_cookies(rest)
    assert client.post("/auth/refresh", json={"mode": "cookie"}).status_code == 400


def test_json_logout_then_refresh_is_refused(mock: Any) -> None:
    client = mock.client
    token = tokens(client)["refresh_token"]
    assert gql(client, LOGOUT, {"t": token}).get_json() == {"data": {"auth_logout": True}}
    assert gql(client, LOGOUT, {"t": token}).get_json() == {"data": {"auth_logout": True}}
    refused = gql(client, REFRESH, {"t": token})
    assert field_error(refused, "auth_refresh")[1] == "INVALID_CREDENTIALS"


# password request / reset -----------------------------------------------------------------
REQUEST = "mutation ($e: String!, $u: String) { auth_password_request(email: $e, reset_url: $u) }"
RESET = "mutation ($t: String!, $p: String!) { auth_password_reset(token: $t, password: $p) }"


def test_password_request_mails_as_rest(mock: Any) -> None:
    client = mock.client
    url = "http://localhost:3000/reset-password"
    assert gql(client, REQUEST, {"e": ADMIN, "u": url}).get_json() == {
        "data": {"auth_password_request": True}}
    graph_mail = mock.mailbox.last(ADMIN)
    assert (
        client.post("/auth/password/request", json={"email": ADMIN, "reset_url": url}).status_code
        == 204
    )
    rest_mail = mock.mailbox.last(ADMIN)
    assert (graph_mail.subject, graph_mail.to) == (rest_mail.subject, rest_mail.to)
    assert graph_mail.links[0].split("?token=")[0] == url
    assert gql(client, REQUEST, {"e": "nobody@example.com"}).get_json() == {
        "data": {"auth_password_request": True}}


def test_disallowed_reset_url_matches_rest(mock: Any) -> None:
    client = mock.client
    graph = gql(client, REQUEST, {"e": ADMIN, "u": "https://evil.example/x"})
    rest = client.post("/auth/password/request", json={"email": ADMIN, "reset_url": "https://evil.example/x"})
    assert field_error(graph, "auth_password_request") == rest_error(rest)


def test_password_reset_then_reuse_matches_rest(mock: Any) -> None:
    client = mock.client
    gql(client, REQUEST, {"e": HELLO})
    token = mock.mailbox.last(HELLO).token
    assert gql(client, RESET, {"t": token, "p": "new-secret"}).get_json() == {
        "data": {"auth_password_reset": True}}
    assert login(client, HELLO, "new-secret").status_code == 200
    graph = gql(client, RESET, {"t": token, "p": "again"})
    rest = client.post("/auth/password/reset", json={"token": token, "password": "again"})
    assert field_error(graph, "auth_password_reset") == rest_error(rest)
    bad_graph = gql(client, RESET, {"t": "abc", "p": "x"})
    bad_rest = client.post("/auth/password/reset", json={"token": "abc", "password": "x"})
    assert field_error(bad_graph, "auth_password_reset") == rest_error(bad_rest)


def test_expired_reset_token_matches_rest(mock: Any) -> None:
    client = mock.client
    gql(client, REQUEST, {"e": HELLO})
    token = mock.mailbox.last(HELLO).token
    mock.clock.advance("25h")
    graph = gql(client, RESET, {"t": token, "p": "x"})
    rest = client.post("/auth/password/reset", json={"token": token, "password": "x"})
    assert field_error(graph, "auth_password_reset") == rest_error(rest) == \
        ("Token expired.", "TOKEN_EXPIRED", {})


# users_me / server_ping / items -------------------------------------------------------------
@pytest.mark.parametrize(("who", "fields"), [
    (STATIC_TOKEN, "id email first_name last_name status token password last_access"),
    (HELLO, "id email first_name status password tfa_secret provider"),
])
def test_users_me_matches_rest_field_by_field(mock: Any, who: str, fields: str) -> None:
    client = mock.client
    token = who if who == STATIC_TOKEN else tokens(client, who)["access_token"]
    graph = gql(client, f"{{ users_me {{ {fields} role {{ id name }} }} }}", headers=bearer(token))
    names = fields.split()
    rest = client.get(
        f"/users/me?fields={','.join(names)},role.id,role.name", headers=bearer(token)
    )
    assert graph.status_code == 200
    assert graph.get_json()["data"]["users_me"] == rest.get_json()["data"]


def test_users_me_fields_the_role_may_not_read_are_not_in_the_schema(mock: Any) -> None:
    token = tokens(mock.client, HELLO)["access_token"]
    response = gql(mock.client, "{ users_me { id last_access } }", headers=bearer(token))
    assert validation_messages(response) == [
        'Cannot query field "last_access" on type "directus_users". '
        'Did you mean "last_name" or "last_page"?'
    ]


def test_anonymous_has_no_users_me_field(mock: Any) -> None:
    # the Public role cannot read directus_users, so Directus leaves users_me out of its schema
    response = gql(mock.client, "{ users_me { id } }")
    assert validation_messages(response) == ['Cannot query field "users_me" on type "Query".']
    assert mock.client.get("/users/me").status_code == 401


def test_users_me_with_a_fragment(mock: Any) -> None:
    query = "query { users_me { ...u } } fragment u on directus_users { id email }"
    response = gql(mock.client, query, headers=bearer(STATIC_TOKEN))
    assert response.get_json() == {"data": {"users_me": {"id": ADMIN_ID, "email": ADMIN}}}


def test_server_ping(mock: Any) -> None:
    assert gql(mock.client, "{ server_ping }").get_json() == {"data": {"server_ping": "pong"}}
    assert mock.client.get("/graphql/system?query={server_ping}").get_json() == {
        "data": {"server_ping": "pong"}}


@pytest.mark.parametrize("who", [None, HELLO])
def test_collections_match_rest_items(mock: Any, who: str | None) -> None:
    client = mock.client
    headers = bearer(tokens(client, who)["access_token"]) if who else {}
    graph = gql(client, "{ articles { id title status } }", path="/graphql", headers=headers)
    rest = client.get("/items/articles?fields=id,title,status", headers=headers)
    graph_rows = graph.get_json()["data"]["articles"]
    rest_rows = rest.get_json()["data"]
    assert [r["id"] for r in graph_rows] == [str(r["id"]) for r in rest_rows]  # ID is a string
    assert [(r["title"], r["status"]) for r in graph_rows] == [
        (r["title"], r["status"]) for r in rest_rows
    ]


def test_item_by_id_refusal_matches_rest(mock: Any) -> None:
    client = mock.client
    graph = gql(client, '{ articles_by_id(id: "3") { id } }', path="/graphql")
    rest = client.get("/items/articles/3")
    assert field_error(graph, "articles_by_id") == rest_error(rest)
    found = gql(client, '{ articles_by_id(id: "1") { id } }', path="/graphql")
    assert found.get_json() == {"data": {"articles_by_id": {"id": "1"}}}


def test_limit_offset_and_sort(mock: Any) -> None:
    response = gql(mock.client, "{ articles(sort: [\"-id\"], limit: 1, offset: 1) { id } }",
                   path="/graphql", headers=bearer(STATIC_TOKEN))
    assert response.get_json() == {"data": {"articles": [{"id": "2"}]}}


def test_system_scope_has_no_collections_and_items_scope_no_auth(mock: Any) -> None:
    assert validation_messages(gql(mock.client, "{ articles { id } }")) == [
        'Cannot query field "articles" on type "Query".']
    response = gql(
        mock.client, "mutation { auth_logout }", path="/graphql", headers=bearer(STATIC_TOKEN)
    )
    assert response.status_code == 200
    assert response.get_json() == {"errors": [{
        "message": "Schema is not configured to execute mutation operation.",
        "extensions": {"code": "INTERNAL_SERVER_ERROR"}, "locations": [{"line": 1, "column": 1}],
    }]}


# parseGraphQL and the error shapes ----------------------------------------------------------
def test_wrong_method(mock: Any) -> None:
    response = mock.client.put("/graphql/system")
    assert error(response) == (
        405, 'Invalid method "PUT" used. Should be one of "GET", "POST".', "METHOD_NOT_ALLOWED",
        {"allowed": ["GET", "POST"], "current": "PUT"},
    )
    assert response.headers["Allow"] == "GET, POST"


def test_mutation_over_get(mock: Any) -> None:
    response = mock.client.get("/graphql/system?query=mutation{auth_logout}")
    assert error(response) == (
        405, 'Invalid method "GET" used. Should be one of "POST".', "METHOD_NOT_ALLOWED",
        {"allowed": ["POST"], "current": "GET"},
    )


@pytest.mark.parametrize("body", [{}, {"query": ""}, [1, 2], {"query": None}])
def test_no_query(mock: Any, body: Any) -> None:
    response = mock.client.post("/graphql/system", json=body)
    assert error(response) == (
        400,
        "Invalid payload. Must provide query string.",
        "INVALID_PAYLOAD",
        {"reason": "Must provide query string"},
    )


def test_syntax_error(mock: Any) -> None:
    response = gql(mock.client, "{ server_ping")
    assert validation_messages(response) == ['Syntax Error: Expected Name, found <EOF>.']
    assert response.get_json()["errors"][0]["extensions"]["errors"][0]["locations"] == [
        {"line": 1, "column": 14}]


def test_token_limit_uses_graphql_js_wording(mock: Any) -> None:
    query = "{ " + " ".join(["server_ping"] * 5001) + " }"
    assert validation_messages(gql(mock.client, query)) == [
        "Syntax Error: Document contains more that 5000 tokens. Parsing aborted."]


def test_variables_that_are_not_json_over_get(mock: Any) -> None:
    response = mock.client.get("/graphql/system?query={server_ping}&variables={nope")
    assert error(response) == (400, "Invalid query. Variables are invalid JSON.", "INVALID_QUERY",
                               {"reason": "Variables are invalid JSON"})


def test_variables_that_are_a_string(mock: Any) -> None:
    response = mock.client.post(
        "/graphql/system", json={"query": "{ server_ping }", "variables": "{}"}
    )
    status, message, code, ext = error(response)
    assert (status, message, code) == (400, "GraphQL execution error.", "GRAPHQL_EXECUTION")
    assert ext["errors"][0].startswith("Variables must be provided as an Object")


def test_execution_errors_are_hidden_from_non_admins(mock: Any) -> None:
    query = "query ($e: String!) { server_ping e: server_health }"
    unused = gql(mock.client, query)
    assert validation_messages(unused) == ['Variable "$e" is never used.']
    missing = "mutation ($p: String!) { auth_password_reset(token: \"x\", password: $p) }"
    anonymous = gql(mock.client, missing).get_json()
    assert anonymous == {"errors": [{"message": "An unexpected error occurred.",
                                     "extensions": {"code": "INTERNAL_SERVER_ERROR"}}]}
    admin = gql(mock.client, missing, headers=bearer(STATIC_TOKEN)).get_json()
    assert (
        admin["errors"][0]["message"]
        == 'Variable "$p" of required type "String!" was not provided.'
    )
    assert admin["errors"][0]["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}
    assert "data" not in admin


def test_success_headers_are_respond_s(mock: Any) -> None:
    response = gql(mock.client, "{ server_ping }")
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["X-Powered-By"] == "Directus"


def test_server_health_over_graphql(mock: Any) -> None:
    anonymous = gql(mock.client, "{ server_health }").get_json()
    assert anonymous == {"data": {"server_health": {"status": "ok"}}}
    admin = gql(mock.client, "{ server_health }", headers=bearer(STATIC_TOKEN)).get_json()
    assert admin["data"]["server_health"]["releaseId"] == "11.17.4"


def test_hello_id_reads_itself(mock: Any) -> None:
    token = tokens(mock.client, HELLO)["access_token"]
    response = gql(mock.client, "{ users_me { id } }", headers=bearer(token))
    assert response.get_json() == {"data": {"users_me": {"id": HELLO_ID}}}


@pytest.mark.parametrize(
    ("method", "args", "body", "expected"),
    [
        (
            "POST",
            {},
            b'{"query": "mutation Renew { auth_refresh(refresh_token: \\"x\\") { expires } }"}',
            {"Renew", "auth_refresh"},
        ),
        (
            "POST",
            {},
            b'{"query": "query A { server_ping } query B { users_me { id } }", "operationName": '
            b'"B"}',
            {"B", "users_me"},
        ),
        ("GET", {"query": "{ server_ping server_health }"}, b"", {"server_ping", "server_health"}),
        ("POST", {}, b'{"query": "{ broken"}', set()),
        ("POST", {}, b"not json", set()),
        ("POST", {}, b'{"query": "query A { a } query B { b }"}', set()),
    ],
)
def test_operations_of_a_request(method: str, args: dict[str, str], body: bytes,
                                 expected: set[str]) -> None:
    # what fault rules' match.operation compares with
    from authmock.flavours.directus.graphql_ops import operations_of

    assert operations_of(method, args, body) == expected


def test_a_resolver_error_in_graphql_shape_matches_the_real_one(mock: Any) -> None:
    # what a fault rule on a GraphQL operation answers: the same bytes as the real refusal
    from authmock.flavours.directus.graphql_ops import graphql_error_payload

    body = {"query": LOGIN, "variables": {"email": ADMIN, "password": "wrong"}}
    real = mock.client.post("/graphql/system", json=body).get_json()
    shaped = graphql_error_payload("POST", {}, json.dumps(body).encode(), "INVALID_CREDENTIALS",
                                   "Invalid user credentials.", {})
    assert shaped == real
    # an error no resolver of the request raises belongs to the REST pipeline
    assert graphql_error_payload("POST", {}, json.dumps(body).encode(), "REQUESTS_EXCEEDED",
                                 "x", {}) is None
    aliased = graphql_error_payload("GET", {"query": '{ a: articles_by_id(id: "9") { id } }'}, b"",
                                    "FORBIDDEN", "You don't have permission to access this.", {})
    real_by_id = gql(
        mock.client, '{ a: articles_by_id(id: "9") { id } }', path="/graphql"
    ).get_json()
    assert aliased == real_by_id


def test_graphql_fault_response_inside_a_request(mock: Any) -> None:
    from authmock.flavours.directus import errors as E
    from authmock.flavours.directus.graphql_ops import graphql_fault_response

    body = {"query": LOGIN, "variables": {"email": ADMIN, "password": "wrong"}}
    real = mock.client.post("/graphql/system", json=body)
    with mock.app.test_request_context("/graphql/system", method="POST", json=body):
        shaped = graphql_fault_response(E.invalid_credentials())
        assert graphql_fault_response(E.token_expired()) is None  # the pipeline's, not auth_login's
    assert (shaped.status_code, shaped.get_data()) == (200, real.get_data())
    assert shaped.headers["Cache-Control"] == real.headers["Cache-Control"]
    with mock.app.test_request_context("/auth/login", method="POST", json={}):
        assert graphql_fault_response(E.invalid_credentials()) is None


def test_a_repeated_query_parameter_is_no_string(mock: Any) -> None:
    response = mock.client.get("/graphql/system?query={server_ping}&query={server_ping}")
    assert error(response) == (
        400,
        "GraphQL validation error.",
        "GRAPHQL_VALIDATION",
        {"errors": [{}]},
    )
