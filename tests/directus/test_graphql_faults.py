"""Fault rules on GraphQL operations: ``match.operation`` and the catalogue in GraphQL's shape,
each compared with the real refusal over GraphQL, byte for byte."""

from __future__ import annotations

from typing import Any

import pytest

from authmock.faults import FaultError
from authmock.pytest_plugin import MockFixture
from tests.directus.helpers import ADMIN, PASSWORDS, T0, bearer, error, tokens
from tests.fault_helpers import REASON, assert_same_bytes, wire

LOGIN = "mutation ($email: String!, $password: String!) " \
    "{ auth_login(email: $email, password: $password) { access_token expires refresh_token } }"
REFRESH = "mutation Renew($t: String) " \
    "{ auth_refresh(refresh_token: $t) { access_token expires refresh_token } }"
ME = "{ users_me { email } }"


def assert_same_graphql_bytes(mock: MockFixture, faulted: Any, real: Any) -> None:
    """A 200 GraphQL refusal carries no reason header (that is for 4xx): the journal names
    the rule instead."""
    last = mock.journal.entries()[-1]
    assert last["fault"] is not None and last["reason"] == f"fault rule {last['fault']}", last
    assert faulted.status_code == 200 and REASON not in faulted.headers
    assert wire(faulted) == wire(real)


@pytest.fixture
def mock(directus_mock: MockFixture) -> MockFixture:
    directus_mock.clock.set(T0)
    directus_mock.clock.freeze()
    return directus_mock


def _gql(mock: MockFixture, query: str, variables: dict[str, Any] | None = None,
         headers: dict[str, str] | None = None) -> Any:
    body: dict[str, Any] = {"query": query, "variables": variables or {}}
    return mock.client.post("/graphql/system", json=body, headers=headers or {})


def test_an_expired_refresh_token_and_the_rule_answer_the_same_bytes(mock: MockFixture) -> None:
    old = tokens(mock.client)["refresh_token"]
    mock.clock.advance("8d")  # past the refresh token's 7 days
    real = _gql(mock, REFRESH, {"t": old})
    assert real.status_code == 200
    assert real.get_json()["errors"][0]["extensions"]["code"] == "INVALID_CREDENTIALS"
    fresh = tokens(mock.client)["refresh_token"]
    rule = mock.faults.add("/graphql/system", operation="auth_refresh",
                           error="INVALID_CREDENTIALS")
    assert rule["match"] == {"path": "/graphql/system", "operation": "auth_refresh"}
    assert_same_graphql_bytes(mock, _gql(mock, REFRESH, {"t": fresh}), real)
    assert "auth_refresh" in _gql(mock, REFRESH, {"t": fresh}).get_json()["data"]  # used up


def test_the_operation_name_or_a_root_field_matches_and_nothing_else(mock: MockFixture) -> None:
    access = tokens(mock.client)["access_token"]
    mock.faults.add({"match": {"path": "/graphql/system", "operation": "Renew"},
                     "error": "USER_SUSPENDED", "times": None})
    # another operation on the same path passes through
    me = _gql(mock, ME, headers=bearer(access))
    assert me.get_json() == {"data": {"users_me": {"email": ADMIN}}} and REASON not in me.headers
    refused = _gql(mock, REFRESH, {"t": tokens(mock.client)["refresh_token"]})
    body = refused.get_json()
    assert refused.status_code == 200 and body["data"] == {"auth_refresh": None}
    assert body["errors"][0]["extensions"] == {"code": "USER_SUSPENDED"}
    assert body["errors"][0]["path"] == ["auth_refresh"]
    # REST's /auth/refresh is another path: the rule leaves it alone
    rest = mock.client.post(
        "/auth/refresh", json={"refresh_token": tokens(mock.client)["refresh_token"]}
    )
    assert rest.status_code == 200


def test_a_login_rule_renders_as_the_real_wrong_password(mock: MockFixture) -> None:
    real = _gql(mock, LOGIN, {"email": ADMIN, "password": "wrong"})
    mock.faults.add("/graphql/system", operation="auth_login", error="INVALID_CREDENTIALS")
    faulted = _gql(mock, LOGIN, {"email": ADMIN, "password": PASSWORDS[ADMIN]})
    assert_same_graphql_bytes(mock, faulted, real)


def test_an_error_no_resolver_raises_keeps_rests_envelope(mock: MockFixture) -> None:
    # an expired bearer is refused by the pipeline before GraphQL runs: REST's 401
    old = tokens(mock.client)["access_token"]
    mock.clock.advance("16m")
    real = _gql(mock, ME, headers=bearer(old))
    assert error(real)[:3] == (401, "Token expired.", "TOKEN_EXPIRED")
    fresh = tokens(mock.client)["access_token"]
    mock.faults.add("/graphql/system", operation="users_me", error="TOKEN_EXPIRED")
    assert_same_bytes(_gql(mock, ME, headers=bearer(fresh)), real)


def test_bad_operation_values_and_the_listed_keys(mock: MockFixture) -> None:
    with pytest.raises(FaultError, match=r'"match\.operation" must be a GraphQL operation'):
        mock.faults.add("/graphql/system", operation=3, error="INVALID_CREDENTIALS")
    bad = mock.client.post("/__authmock__/faults", json={
        "match": {"path": "/graphql/system", "query": "x"}, "error": "INVALID_CREDENTIALS"})
    assert bad.status_code == 400
    assert bad.get_json()["error"] == \
        'unknown field "match.query"; allowed: method, path, user, operation'
    assert mock.faults.rules() == []


# --- the journal names GraphQL operations and socket messages --------------------------------
def test_the_journal_names_each_graphql_operation(mock: MockFixture) -> None:
    access = tokens(mock.client)["access_token"]
    _gql(mock, ME, headers=bearer(access))
    _gql(mock, REFRESH, {"t": "unknown"})
    mock.client.get("/graphql/system?query={server_ping}")
    mock.client.post("/graphql/system", json={"query": "{ broken"})
    entries = mock.journal.entries(path="/graphql/system")
    assert [e["operation"] for e in entries] == ["users_me", "Renew", "server_ping", None]
    assert mock.journal.entries(path="/auth/login")[0]["operation"] is None
    # a filter finds an operation by its name or by a root field
    mock.journal.assert_called("POST", "/graphql/system", operation="auth_refresh", times=1)
    mock.journal.assert_called(operation="Renew", times=1)
    mock.journal.assert_not_called(operation="auth_login")
    with pytest.raises(AssertionError, match=r"POST /graphql/system \[Renew\] -> 200"):
        mock.journal.assert_called(operation="auth_logout")
    listed = mock.client.get("/__authmock__/journal?operation=users_me").get_json()["requests"]
    assert [(e["path"], e["operation"]) for e in listed] == [("/graphql/system", "users_me")]
    bad = mock.client.get("/__authmock__/journal?op=x")
    assert bad.status_code == 400 and "operation" in bad.get_json()["error"]


def test_a_faulted_graphql_request_is_journaled_with_its_operation(mock: MockFixture) -> None:
    rule = mock.faults.add("/graphql/system", operation="auth_refresh", error="INVALID_PAYLOAD")
    _gql(mock, REFRESH, {"t": "x"})
    (entry,) = mock.journal.entries(operation="auth_refresh")
    assert (entry["status"], entry["fault"], entry["operation"]) == (200, rule["id"], "Renew")
