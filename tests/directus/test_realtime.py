"""Directus realtime at /websocket and graphql-ws at /graphql, on the mock clock."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
import simple_websocket

from authmock import create_app
from authmock.fixtures import FixtureError
from authmock.flavours.directus.realtime import UpgradeRefused, connect

from .helpers import (
    ADMIN,
    HELLO,
    STATIC_TOKEN,
    T0,
    bearer,
    error,
    login,
    tokens,
    with_settings,
)

HANDSHAKE_FAILED = {"type": "auth", "status": "error",
                    "error": {"code": "AUTH_FAILED", "message": "Authentication handshake failed."}}
EXPIRED = {"type": "auth", "status": "error",
           "error": {"code": "TOKEN_EXPIRED", "message": "Token expired."}}
TIMED_OUT = {"type": "auth", "status": "error",
             "error": {"code": "AUTH_TIMEOUT", "message": "Authentication timed out."}}
CLOSED = (1005, "")  # ws.close() without a code


@pytest.fixture
def mock(directus_mock: Any) -> Any:
    directus_mock.clock.set(T0)
    directus_mock.clock.freeze()
    return directus_mock


def quiet_app(**settings: Any) -> Any:
    """An app without heartbeat pings, for tests about something else."""
    app = create_app(
        "directus", fixtures=with_settings(WEBSOCKETS_HEARTBEAT_ENABLED=False, **settings)
    )
    app.mock.clock.set(T0)
    app.mock.clock.freeze()
    return app


# handshake ------------------------------------------------------------------------------------
def test_email_and_password_handshake(mock: Any) -> None:
    ws = connect(mock.app)
    ws.send({"type": "auth", "email": ADMIN, "password": "password", "uid": "u1"})
    (reply,) = ws.receive_all()
    assert list(reply) == ["type", "status", "uid", "refresh_token"]
    assert reply["status"] == "ok" and reply["uid"] == "u1"
    # the refresh token is a REST session like any other
    refreshed = mock.client.post("/auth/refresh", json={"refresh_token": reply["refresh_token"]})
    assert refreshed.status_code == 200
    assert ws.close_code is None


@pytest.mark.parametrize(("email", "password"), [(ADMIN, "wrong"), ("nobody@example.com", "x")])
def test_bad_credentials_fail_the_handshake_where_rest_refuses(
    mock: Any, email: str, password: str
) -> None:
    assert login(mock.client, email, password).status_code == 401
    ws = connect(mock.app)
    ws.send({"type": "auth", "email": email, "password": password, "uid": "u1"})
    assert ws.receive_all() == [HANDSHAKE_FAILED]  # no uid: the handshake error has none
    assert ws.close_code == CLOSED


def test_access_token_handshake_has_no_refresh_token(mock: Any) -> None:
    access = tokens(mock.client)["access_token"]
    ws = connect(mock.app)
    ws.send({"type": "auth", "access_token": access})
    assert ws.receive_all() == [{"type": "auth", "status": "ok"}]


def test_refresh_token_handshake_rotates_the_rest_session(mock: Any) -> None:
    old = tokens(mock.client)["refresh_token"]
    ws = connect(mock.app)
    ws.send({"type": "auth", "refresh_token": old})
    (reply,) = ws.receive_all()
    assert reply["status"] == "ok" and reply["refresh_token"] != old
    stale = mock.client.post("/auth/refresh", json={"refresh_token": old})
    assert error(stale)[2] == "INVALID_CREDENTIALS"


@pytest.mark.parametrize("first", ['{"type":"ping"}', "not json", '{"type":"auth"}',
                                   '{"type":"auth","email":"bad","password":"x"}'])
def test_first_message_must_be_a_valid_auth(mock: Any, first: str) -> None:
    ws = connect(mock.app)
    ws.send(first)
    assert ws.receive_all() == [HANDSHAKE_FAILED]
    assert ws.close_code == CLOSED


def test_handshake_times_out_on_the_mock_clock(mock: Any) -> None:
    ws = connect(mock.app)
    mock.clock.advance("9s")
    assert ws.receive_all() == [] and ws.close_code is None
    mock.clock.advance("1s")
    assert ws.receive_all() == [HANDSHAKE_FAILED]
    assert ws.close_code == CLOSED


def test_tfa_users_cannot_log_in_over_the_socket(mock: Any) -> None:
    # authenticateConnection passes no otp to AuthenticationService.login
    ws = connect(mock.app)
    ws.send(
        {
            "type": "auth",
            "email": "tfa@example.com",
            "password": "password",
            "otp": mock.otp("tfa@example.com"),
        }
    )
    assert ws.receive_all() == [HANDSHAKE_FAILED]


# token in the upgrade request ----------------------------------------------------------------
def test_access_token_in_the_query_skips_the_handshake(mock: Any) -> None:
    access = tokens(mock.client)["access_token"]
    ws = connect(mock.app, query=f"access_token={access}")
    ws.send({"type": "ping", "uid": 7})
    assert ws.receive_all() == [{"type": "pong", "uid": 7}]


@pytest.mark.parametrize("query", ["access_token=nope", "access_token=eyJ.bad.token"])
def test_bad_query_token_refuses_the_upgrade(mock: Any, query: str) -> None:
    with pytest.raises(UpgradeRefused):
        connect(mock.app, query=query)


def test_session_cookie_authenticates_the_upgrade(mock: Any) -> None:
    response = login(mock.client, ADMIN, mode="session")
    cookie = response.headers["Set-Cookie"].split(";", 1)[0]
    ws = connect(mock.app, cookie=cookie)
    ws.send({"type": "ping"})
    assert ws.receive_all() == [{"type": "pong"}]


def test_strict_mode_refuses_without_a_token_and_public_mode_lets_anyone_in() -> None:
    strict = quiet_app(WEBSOCKETS_REST_AUTH="strict")
    with pytest.raises(UpgradeRefused):
        connect(strict)
    assert connect(strict, query=f"access_token={STATIC_TOKEN}").close_code is None
    public = quiet_app(WEBSOCKETS_REST_AUTH="public")
    ws = connect(public)
    ws.send({"type": "ping"})
    assert ws.receive_all() == [{"type": "pong"}]


# messages after authentication --------------------------------------------------------------
def authed(app_or_mock: Any, email: str = ADMIN) -> Any:
    app = getattr(app_or_mock, "app", app_or_mock)
    ws = connect(app)
    ws.send(
        {"type": "auth", "email": email, "password": "password" if email == ADMIN else "d1r3ctu5"}
    )
    assert ws.receive()["status"] == "ok"
    return ws


def test_unparsable_and_schema_less_messages(mock: Any) -> None:
    ws = authed(mock)
    ws.send("{oops")
    ws.send({"no": "type"})
    ws.send([1])
    assert ws.receive_all() == [
        {
            "type": "server",
            "status": "error",
            "error": {
                "code": "INVALID_PAYLOAD",
                "message": "Unable to parse the incoming message.",
            },
        },
        {
            "type": "server",
            "status": "error",
            "error": {
                "code": "INVALID_PAYLOAD",
                "message": 'Validation error: Invalid input: expected string, received undefined '
                           'at "type"',
            },
        },
        {
            "type": "server",
            "status": "error",
            "error": {
                "code": "INVALID_PAYLOAD",
                "message": "Validation error: Invalid input: expected object, received array",
            },
        },
    ]
    assert ws.close_code is None


def test_failed_re_auth_closes_the_socket(mock: Any) -> None:
    ws = authed(mock)
    ws.send({"type": "auth", "access_token": "nope", "uid": 3})
    assert ws.receive_all() == [{"type": "auth", "status": "error", "uid": 3, "error": {
        "code": "AUTH_FAILED", "message": "Authentication failed."}}]
    assert ws.close_code == CLOSED


def test_auth_error_key_order(mock: Any) -> None:
    ws = authed(mock)
    ws.send({"type": "auth", "access_token": "nope", "uid": 3})
    (reply,) = ws.receive_all()
    assert list(reply) == ["type", "status", "error", "uid"]
    assert reply["error"] == {"code": "AUTH_FAILED", "message": "Authentication failed."}


def test_auth_message_without_credentials_is_ignored(mock: Any) -> None:
    ws = authed(mock)
    ws.send({"type": "auth", "uid": 1})
    assert ws.receive_all() == []
    assert ws.close_code is None


# expiry on the mock clock -------------------------------------------------------------------
def test_token_expiry_tells_then_closes_after_the_auth_timeout() -> None:
    app = quiet_app()
    ws = authed(app)
    app.mock.clock.advance("899s")
    assert ws.receive_all() == []
    app.mock.clock.advance("1s")
    assert ws.receive_all() == [EXPIRED]
    assert ws.close_code is None
    app.mock.clock.advance("10s")
    assert ws.receive_all() == [TIMED_OUT]
    assert ws.close_code == CLOSED


def test_re_auth_with_the_refresh_token_keeps_the_socket() -> None:
    app = quiet_app()
    ws = connect(app)
    ws.send({"type": "auth", "email": ADMIN, "password": "password"})
    refresh = ws.receive()["refresh_token"]
    app.mock.clock.advance("15m")
    assert ws.receive_all() == [EXPIRED]
    app.mock.clock.advance("5s")
    ws.send({"type": "auth", "refresh_token": refresh, "uid": "again"})
    (reply,) = ws.receive_all()
    assert reply["status"] == "ok" and reply["uid"] == "again"
    app.mock.clock.advance("10s")
    assert ws.receive_all() == [] and ws.close_code is None
    app.mock.clock.advance("15m")
    assert ws.receive_all() == [EXPIRED]  # the new token expires in its turn


def test_public_mode_stays_open_after_the_timeout() -> None:
    app = quiet_app(WEBSOCKETS_REST_AUTH="public")
    ws = authed(app)
    app.mock.clock.advance("15m")
    assert ws.receive_all() == [EXPIRED]
    app.mock.clock.advance("10s")
    assert ws.receive_all() == [TIMED_OUT]
    assert ws.close_code is None


def test_static_tokens_never_expire() -> None:
    app = quiet_app()
    ws = connect(app)
    ws.send({"type": "auth", "access_token": STATIC_TOKEN})
    assert ws.receive_all() == [{"type": "auth", "status": "ok"}]
    app.mock.clock.advance("30d")
    assert ws.receive_all() == [] and ws.close_code is None


def test_logout_leaves_the_socket_until_its_token_expires() -> None:
    # Directus checks the token once, at authentication; logout deletes the session only
    app = quiet_app()
    client = app.test_client()
    data = tokens(client)
    ws = connect(app)
    ws.send({"type": "auth", "access_token": data["access_token"]})
    ws.receive_all()
    assert (
        client.post("/auth/logout", json={"refresh_token": data["refresh_token"]}).status_code
        == 204
    )
    ws.send({"type": "ping"})
    assert ws.receive_all() == [{"type": "pong"}]
    app.mock.clock.advance("15m")
    assert ws.receive_all() == [EXPIRED]


def test_expired_session_token_cannot_authenticate() -> None:
    app = quiet_app()
    client = app.test_client()
    cookie = login(client, ADMIN, mode="session").headers["Set-Cookie"].split(";", 1)[0]
    assert (
        client.post(
            "/auth/logout", json={"mode": "session"}, headers={"Cookie": cookie}
        ).status_code
        == 204
    )
    with pytest.raises(UpgradeRefused):  # the session row is gone: getAccountabilityForToken fails
        connect(app, cookie=cookie)


# heartbeat ------------------------------------------------------------------------------------
def test_heartbeat_pings_and_closes_a_silent_client(mock: Any) -> None:
    ws = authed(mock)
    mock.clock.advance("30s")
    assert ws.receive_all() == [{"type": "ping"}]
    ws.send({"type": "pong"})
    mock.clock.advance("30s")
    assert ws.receive_all() == [{"type": "ping"}]
    mock.clock.advance("30s")
    assert ws.receive_all() == []
    assert ws.close_code == CLOSED


# subscribe (fixture collections) --------------------------------------------------------------
def test_subscribe_init_matches_rest_items(mock: Any) -> None:
    ws = authed(mock, HELLO)
    ws.send({"type": "subscribe", "collection": "articles", "uid": 9})
    (reply,) = ws.receive_all()
    assert list(reply) == ["type", "event", "data", "uid"]
    assert (reply["type"], reply["event"], reply["uid"]) == ("subscription", "init", "9")
    access = tokens(mock.client, HELLO)["access_token"]
    assert (
        reply["data"]
        == mock.client.get("/items/articles", headers=bearer(access)).get_json()["data"]
    )
    ws.send({"type": "unsubscribe", "uid": 9})
    assert ws.receive_all() == [{"type": "subscription", "event": "unsubscribe", "uid": 9}]


def test_subscribe_to_an_unknown_collection(mock: Any) -> None:
    ws = authed(mock, HELLO)
    ws.send({"type": "subscribe", "collection": "nope", "uid": "s"})
    assert ws.receive_all() == [{"type": "subscribe", "status": "error", "error": {
        "code": "INVALID_COLLECTION",
        "message": "The provided collection does not exists or is not accessible."}, "uid": "s"}]


# graphql-ws at /graphql ---------------------------------------------------------------------
def test_graphql_ws_connection_init_with_a_token(mock: Any) -> None:
    access = tokens(mock.client, HELLO)["access_token"]
    ws = connect(mock.app, "/graphql")
    ws.send({"type": "connection_init", "payload": {"access_token": access}})
    assert ws.receive_all() == [{"type": "connection_ack"}]
    ws.send({"id": "q1", "type": "subscribe", "payload": {"query": "{ articles { id } }"}})
    assert ws.receive_all() == [
        {
            "id": "q1",
            "type": "next",
            "payload": {"data": {"articles": [{"id": "1"}, {"id": "2"}, {"id": "3"}]}},
        },
        {"id": "q1", "type": "complete"},
    ]
    ws.send({"type": "ping"})
    assert ws.receive_all() == [{"type": "pong"}]


def test_graphql_ws_without_a_token_is_forbidden(mock: Any) -> None:
    ws = connect(mock.app, "/graphql")
    ws.send({"type": "connection_init"})
    assert ws.close_code == (4403, "Forbidden")


def test_graphql_ws_bad_token_then_the_auth_timeout(mock: Any) -> None:
    ws = connect(mock.app, "/graphql")
    ws.send({"type": "connection_init", "payload": {"access_token": "nope"}})
    assert ws.receive_all() == [{"type": "auth", "status": "error", "error": {
        "code": "AUTH_FAILED", "message": "Authentication failed."}}]
    assert ws.close_code is None
    mock.clock.advance("10s")
    assert ws.close_code == (4403, "Forbidden")


def test_graphql_ws_needs_its_subprotocol(mock: Any) -> None:
    ws = connect(mock.app, "/graphql", protocols=["graphql-ws"])
    assert ws.close_code == (4406, "Subprotocol not acceptable")


# settings -------------------------------------------------------------------------------------
def test_websockets_can_be_turned_off() -> None:
    app = create_app("directus", fixtures=with_settings(WEBSOCKETS_ENABLED=False))
    with pytest.raises(ValueError, match="no WebSocket server"):
        connect(app)


@pytest.mark.parametrize(("key", "value", "problem"), [
    ("WEBSOCKETS_REST_AUTH", "open", 'must be "public", "handshake" or "strict"'),
    ("WEBSOCKETS_HEARTBEAT_PERIOD", 0, "must be a positive number of seconds"),
    ("WEBSOCKETS_ENABLED", "yes", 'must be true, false, "true" or "false"'),
])
def test_bad_settings_are_named(key: str, value: Any, problem: str) -> None:
    with pytest.raises(FixtureError, match=problem):
        create_app("directus", fixtures=with_settings(**{key: value}))


# over the network, through Werkzeug's threaded server -----------------------------------------
def test_live_socket_round_trip(directus_mock: Any) -> None:
    base = directus_mock.url
    directus_mock.clock.set(T0)
    directus_mock.clock.freeze()
    ws = simple_websocket.Client(base.replace("http", "ws", 1) + "/websocket")
    try:
        ws.send(json.dumps({"type": "auth", "email": ADMIN, "password": "password", "uid": 1}))
        assert json.loads(ws.receive(timeout=5))["status"] == "ok"
        ws.send(json.dumps({"type": "ping", "uid": 2}))
        assert json.loads(ws.receive(timeout=5)) == {"type": "pong", "uid": 2}
        # REST keeps answering while the socket is open (no request lock held by it)
        assert requests.get(base + "/server/health", timeout=5).json() == {"status": "ok"}
        directus_mock.clock.advance("15m")
        messages = [json.loads(ws.receive(timeout=5)), json.loads(ws.receive(timeout=5))]
        assert EXPIRED in messages
        ws.send(json.dumps({"type": "pong"}))
        directus_mock.clock.advance("10s")
        assert json.loads(ws.receive(timeout=5)) == TIMED_OUT
        with pytest.raises(simple_websocket.ConnectionClosed):
            ws.receive(timeout=5)
    finally:
        if ws.connected:
            ws.close()


def test_live_upgrade_refused_and_plain_get(directus_mock: Any) -> None:
    base = directus_mock.url
    upgrade = {"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
               "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}
    refused = requests.get(base + "/websocket?access_token=nope", headers=upgrade, timeout=5)
    assert (refused.status_code, refused.content) == (401, b"")
    plain = requests.get(base + "/websocket", timeout=5)
    assert plain.status_code == 404
    assert plain.json()["errors"][0]["extensions"]["code"] == "ROUTE_NOT_FOUND"


def test_journal_sees_the_upgrade_and_each_message_by_type(mock: Any) -> None:
    with pytest.raises(UpgradeRefused):
        connect(mock.app, query="access_token=nope")
    ws = connect(mock.app)
    ws.send({"type": "auth", "access_token": STATIC_TOKEN})
    ws.send({"type": "ping"})
    ws.send("garbage")
    seen = [(e["method"], e["path"], e["query"], e["status"]) for e in mock.journal.entries()]
    assert seen == [
        ("GET", "/websocket", "access_token=nope", 401),
        ("GET", "/websocket", "", 101),
        ("WS", "/websocket", "type=auth", 101),
        ("WS", "/websocket", "type=ping", 101),
        ("WS", "/websocket", "type=", 101),
    ]


@pytest.mark.parametrize("profile", ["docs", "server"])
def test_both_profiles_serve_the_same_socket(profile: str) -> None:
    app = create_app("directus", profile=profile)
    ws = connect(app)
    ws.send({"type": "auth", "email": ADMIN, "password": "password", "uid": "p"})
    reply = ws.receive()
    assert (reply["type"], reply["status"], reply["uid"]) == ("auth", "ok", "p")
    bad = connect(app)
    bad.send({"type": "auth", "email": ADMIN, "password": "nope"})
    assert bad.receive_all() == [HANDSHAKE_FAILED]


def test_graphql_ws_twice_initialised_and_subscribe_before_init(mock: Any) -> None:
    ws = connect(mock.app, "/graphql", query=f"access_token={STATIC_TOKEN}")
    ws.send({"id": "a", "type": "subscribe", "payload": {"query": "{ articles { id } }"}})
    assert ws.close_code == (4401, "Unauthorized")
    again = connect(mock.app, "/graphql")
    init = {"type": "connection_init", "payload": {"access_token": STATIC_TOKEN}}
    again.send(init)
    again.send(init)
    assert again.receive_all() == [{"type": "connection_ack"}]
    assert again.close_code == (4429, "Too many initialisation requests")


def test_the_pytest_fixture_opens_sockets(mock: Any, paystub_mock: Any) -> None:
    ws = mock.websocket()
    ws.send({"type": "auth", "access_token": STATIC_TOKEN, "uid": 1})
    assert ws.receive_all() == [{"type": "auth", "status": "ok", "uid": 1}]
    gql = mock.websocket("/graphql")
    gql.send({"type": "connection_init", "payload": {"access_token": STATIC_TOKEN}})
    assert gql.receive_all() == [{"type": "connection_ack"}]
    with pytest.raises(TypeError, match="the paystub flavour serves no WebSocket"):
        paystub_mock.websocket()
