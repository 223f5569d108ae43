"""The fault engine, journal assertions, reasons and user scenarios, on the toy flavour."""

from __future__ import annotations

import http.client
import threading
import time
from datetime import datetime, timezone
from typing import Any

import pytest

import authmock
from authmock.app import MockFlask
from authmock.faults import DropConnection, FaultError
from authmock.scenarios import ScenarioError
from tests.core.toy import TOY_FIXTURES

RULES = "/__authmock__/faults"


def _token(app: MockFlask, email: str) -> str:
    token: str = app.test_client().post(f"/login/{email}").get_json()["token"]
    return token


# --- control API: storing, listing, removing ----------------------------------------------------
def test_post_stores_the_rule_with_id_and_remaining(app: MockFlask) -> None:
    client = app.test_client()
    created = client.post(RULES, json={"match": {"method": "post", "path": "/login/*"},
                                       "error": "NO_SUCH_USER", "times": 2})
    assert created.status_code == 201
    assert created.json == {
        "id": 1, "match": {"path": "/login/*", "method": "POST"}, "times": 2, "after": 0,
        "error": "NO_SUCH_USER", "respond": None, "delay_ms": 0, "drop": False,
        "remaining": 2, "matched": 0,
    }
    client.post("/login/a@example.com")
    listed = client.get(RULES).get_json()["faults"]
    assert [(r["id"], r["remaining"], r["matched"]) for r in listed] == [(1, 1, 1)]
    assert client.get(f"{RULES}/1").get_json()["remaining"] == 1
    assert client.delete(f"{RULES}/1").status_code == 204
    assert client.get(RULES).json == {"faults": []}
    assert client.delete(f"{RULES}/1").json == {"error": "no fault rule 1"}


def test_catalogue_lists_the_flavours_errors(app: MockFlask) -> None:
    assert app.test_client().get(f"{RULES}/catalogue").json == {
        "errors": [{"name": "NO_SUCH_USER", "status": 401,
                    "description": "login of an unknown user"}]
    }


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"match": {"path": "/x"}, "drop": True, "colour": 1}, "unknown field 'colour'"),
        ({"match": {"path": "/x", "host": "a"}, "drop": True}, 'unknown field "match.host"'),
        ({"match": {"path": "/x"}, "error": "NOPE"}, "this flavour's errors: NO_SUCH_USER"),
        ({"match": {"path": "/x"}, "error": "NO_SUCH_USER", "respond": {"status": 500}},
         "not both"),
        ({"match": {"path": "x"}, "drop": True}, 'starting with "/"'),
        ({"match": {"path": "/a**"}, "drop": True}, '"**" must be a whole segment'),
        ({"match": {"path": "/a?b=1"}, "drop": True}, "no query"),
        ({"match": {"path": "/x"}, "drop": True, "times": -1}, '"times" must be an integer >= 1'),
        ({"match": {"path": "/x"}, "drop": True, "after": -2}, '"after" must be an integer >= 0'),
        ({"match": {"path": "/x"}, "delay_ms": -5}, '"delay_ms" must be a number'),
        ({"match": {"path": "/x"}, "drop": True, "error": "NO_SUCH_USER"}, "sends no response"),
        ({"match": {"path": "/x"}}, "a rule needs an action"),
        ({"match": {"path": "/x", "method": "BREW"}, "drop": True}, "one of GET, HEAD, POST"),
        ({"match": {"path": "/x", "user": "nobody"}, "drop": True}, "e-mail address"),
        ({"match": {"path": "/x"}, "respond": {"status": 99}}, '"status": 100-599'),
        ({"match": {"path": "/x"}, "respond": {"status": 503, "json": {}, "body": ""}}, "not both"),
        ({"drop": True}, '"match" is required'),
        ({"match": {}, "drop": True}, '"match.path" is required'),
    ],
)
def test_bad_rules_get_400_naming_what_is_allowed_and_store_nothing(
    app: MockFlask, body: dict[str, Any], says: str
) -> None:
    client = app.test_client()
    response = client.post(RULES, json=body)
    assert response.status_code == 400
    assert says in response.get_json()["error"]
    assert client.get(RULES).json == {"faults": []}
    with pytest.raises(FaultError):
        app.mock.faults.add_json(body)
    assert app.mock.faults.rules() == []


def test_non_json_body_is_refused(app: MockFlask) -> None:
    client = app.test_client()
    response = client.post(RULES, data="not json", content_type="application/json")
    assert response.status_code == 400 and response.json == {"error": "body must be a JSON object"}
    assert client.post(RULES, json=[1]).status_code == 400


# --- actions ---------------------------------------------------------------------------------
def test_error_rule_sends_the_catalogue_entry_once_then_the_product_answers(
    app: MockFlask,
) -> None:
    client = app.test_client()
    app.mock.faults.add("/login/a@example.com", error="NO_SUCH_USER")
    faulted = client.post("/login/a@example.com")
    real = client.post("/login/nobody@example.com")
    assert faulted.status_code == real.status_code == 401
    assert faulted.get_data() == real.get_data()
    assert faulted.headers["X-Authmock-Reason"] == "fault rule 1"
    assert real.headers["X-Authmock-Reason"] == "unknown user"
    assert client.post("/login/a@example.com").status_code == 200  # times=1 used up


def test_respond_json_and_body(app: MockFlask) -> None:
    client = app.test_client()
    app.mock.faults.add("/check", respond={"status": 503, "headers": {"Retry-After": "7"},
                                           "json": {"down": True}})
    app.mock.faults.add("/check", respond={"status": 418, "body": "teapot"})
    first = client.get("/check")
    assert (first.status_code, first.json, first.headers["Retry-After"]) == (
        503, {"down": True}, "7"
    )
    assert "X-Authmock-Reason" not in first.headers  # a 5xx carries no reason header
    second = client.get("/check")
    assert (second.status_code, second.get_data(as_text=True)) == (418, "teapot")
    assert second.headers["X-Authmock-Reason"] == "fault rule 2"


def test_times_null_acts_until_removed_and_context_manager_removes(app: MockFlask) -> None:
    client = app.test_client()
    with app.mock.faults.add("/check", respond={"status": 500, "body": "x"}, times=None) as rule:
        assert [client.get("/check").status_code for _ in range(3)] == [500, 500, 500]
        assert rule["remaining"] is None and rule["matched"] == 3
    assert client.get("/check").status_code == 200
    assert app.mock.faults.rules() == []


def test_after_skips_the_first_matches(app: MockFlask) -> None:
    client = app.test_client()
    app.mock.faults.add("/check", respond={"status": 500, "body": "x"}, after=2, times=1)
    assert [client.get("/check").status_code for _ in range(4)] == [200, 200, 500, 200]


def test_rules_are_checked_in_the_order_added(app: MockFlask) -> None:
    client = app.test_client()
    app.mock.faults.add("/**", respond={"status": 501, "body": "first"})
    app.mock.faults.add("/check", respond={"status": 502, "body": "second"})
    assert client.get("/check").status_code == 501
    assert client.get("/check").status_code == 502
    assert client.get("/check").status_code == 200


def test_delay_alone_delays_the_real_answer(app: MockFlask) -> None:
    client = app.test_client()
    app.mock.faults.add("/check", delay_ms=60)
    started = time.perf_counter()
    response = client.get("/check")
    assert time.perf_counter() - started >= 0.06
    assert response.status_code == 200 and response.json == {"refusal": "segments"}


def test_drop_through_the_test_client_raises_a_clear_exception(app: MockFlask) -> None:
    client = app.test_client()
    app.mock.faults.add("/check", drop=True)
    with pytest.raises(DropConnection, match="fault rule 1 dropped the connection"):
        client.get("/check")
    assert client.get("/check").status_code == 200
    entries = app.mock.journal.entries()
    assert [(e["status"], e["fault"]) for e in entries] == [(0, 1), (200, None)]


def test_reset_clears_rules(app: MockFlask) -> None:
    app.mock.faults.add("/check", drop=True)
    app.mock.reset()
    assert app.mock.faults.rules() == []
    assert app.test_client().get("/check").status_code == 200


# --- matching edges ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("pattern", "path", "hit"),
    [
        ("/login/*", "/login/a@example.com", True),
        ("/login/*", "/login", False),
        ("/login/*", "/login/", False),
        ("/login/*", "/login/a/b", False),
        ("/login/**", "/login", True),
        ("/login/**", "/login/a/b/c", True),
        ("/login/**", "/loginx", False),
        ("/**", "/anything/at/all", True),
        ("/log*/a@example.com", "/login/a@example.com", True),
        ("/log*/a@example.com", "/x/login/a@example.com", False),
        ("/*/a@example.com", "/login/a@example.com", True),
        ("/login/a@example.com", "/login/a@example.com/", False),
        ("/LOGIN/a@example.com", "/login/a@example.com", False),
        ("/login/a.example.com", "/login/aXexample.com", False),
    ],
)
def test_glob_edges(app: MockFlask, pattern: str, path: str, hit: bool) -> None:
    app.mock.faults.add(pattern, respond={"status": 599, "body": ""})
    status = app.test_client().post(path).status_code
    assert (status == 599) is hit


def test_method_must_match(app: MockFlask) -> None:
    client = app.test_client()
    app.mock.faults.add("/check", method="POST", respond={"status": 500, "body": ""})
    assert client.get("/check").status_code == 200
    assert app.mock.faults.rules()[0]["matched"] == 0


def test_user_matches_the_credentials_owner_case_insensitively(app: MockFlask) -> None:
    client = app.test_client()
    token_a, token_b = _token(app, "a@example.com"), _token(app, "b@example.com")
    app.mock.faults.add("/check", user="A@Example.com", respond={"status": 500, "body": ""})
    assert client.get("/check").status_code == 200  # no credentials
    assert client.get("/check", headers={"Authorization": f"Bearer {token_b}"}).status_code == 200
    assert client.get("/check", headers={"Authorization": "Bearer junk"}).status_code == 200
    assert client.get("/check", headers={"Authorization": f"Bearer {token_a}"}).status_code == 500


def test_custom_match_keys_plug_in() -> None:
    from authmock.faults import _MATCH_KEYS, MatchKey, register_match_key

    register_match_key(MatchKey("query", lambda v: str(v),
                                lambda v, info: info.request.query_string.decode() == v))
    try:
        app = authmock.create_app("toy", fixtures=TOY_FIXTURES)
        app.mock.faults.add("/check", query="x=1", respond={"status": 500, "body": ""})
        client = app.test_client()
        assert client.get("/check").status_code == 200
        assert client.get("/check?x=1").status_code == 500
    finally:
        del _MATCH_KEYS["query"]


def test_hundred_rules_are_indexed_not_scanned(app: MockFlask) -> None:
    for i in range(100):
        app.mock.faults.add(f"/nope/{i}/**", drop=True)
    app.mock.faults.add("/check", method="GET", respond={"status": 500, "body": ""})
    faults = app.mock.faults
    assert [r.id for r in faults._candidates("GET", "/check")] == [101]
    assert faults._candidates("GET", "/login/a@example.com") == []
    assert [r.id for r in faults._candidates("POST", "/nope/7/x/y")] == [8]
    assert app.test_client().get("/check").status_code == 500
    faults.remove(8)
    assert faults._candidates("POST", "/nope/7/x/y") == []
    assert "/nope/7" not in faults._prefixes and "/nope/6" in faults._prefixes


# --- live server -------------------------------------------------------------------------------
def _get(url: str, path: str) -> int:
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    finally:
        connection.close()


def test_times_and_after_count_exactly_once_under_eight_threads() -> None:
    with authmock.run_in_thread("toy", fixtures=TOY_FIXTURES) as server:
        server.faults.add("/check", respond={"status": 503, "body": ""}, after=5, times=7)
        statuses: list[int] = []
        lock = threading.Lock()

        def worker() -> None:
            for _ in range(10):
                status = _get(server.url, "/check")
                with lock:
                    statuses.append(status)

        threads = [threading.Thread(target=worker) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(statuses) == 80
        assert statuses.count(503) == 7 and statuses.count(200) == 73
        rule = server.faults.rules()[0]
        assert (rule["matched"], rule["remaining"]) == (80, 0)
        assert server.journal.count("GET", "/check", status=503) == 7


def test_drop_closes_the_connection_without_a_response_on_the_live_server() -> None:
    with authmock.run_in_thread("toy", fixtures=TOY_FIXTURES) as server:
        server.faults.add("/check", drop=True, delay_ms=30)
        started = time.perf_counter()
        with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
            _get(server.url, "/check")
        assert time.perf_counter() - started >= 0.03
        assert _get(server.url, "/check") == 200


def test_delay_on_the_live_server() -> None:
    with authmock.run_in_thread("toy", fixtures=TOY_FIXTURES) as server:
        server.faults.add("/check", delay_ms=80, respond={"status": 503, "body": ""})
        started = time.perf_counter()
        assert _get(server.url, "/check") == 503
        assert time.perf_counter() - started >= 0.08


# --- reasons -------------------------------------------------------------------------------
def test_every_4xx_carries_a_reason_and_the_journal_keeps_it(app: MockFlask) -> None:
    client = app.test_client()
    missing = client.get("/nowhere")
    assert missing.headers["X-Authmock-Reason"] == "unknown route"
    assert client.put("/check").headers["X-Authmock-Reason"] == "method PUT not allowed"
    assert "X-Authmock-Reason" not in client.get("/check").headers
    assert [e["reason"] for e in app.mock.journal.entries()] == [
        "unknown route", "method PUT not allowed", None,
    ]


def test_reason_header_can_be_turned_off_but_the_journal_keeps_it() -> None:
    for app in (
        authmock.create_app("toy", fixtures={**TOY_FIXTURES, "settings": {"reason_header": False}}),
        authmock.create_app("toy", fixtures=TOY_FIXTURES, reason_header=False),
    ):
        response = app.test_client().post("/login/nobody@example.com")
        assert response.status_code == 401 and "X-Authmock-Reason" not in response.headers
        assert app.mock.journal.entries()[0]["reason"] == "unknown user"


# --- journal ------------------------------------------------------------------------------------
def test_journal_filters_over_http(app: MockFlask) -> None:
    client = app.test_client()
    app.mock.clock.set("2030-01-01T00:00:00Z")
    app.mock.clock.freeze()
    token = _token(app, "a@example.com")
    app.mock.clock.advance("1h")
    client.get("/check", headers={"Authorization": f"Bearer {token}"})
    client.get("/nowhere")

    def paths(query: str) -> list[tuple[str, int, Any]]:
        got = client.get(f"/__authmock__/journal?{query}")
        assert got.status_code == 200, got.json
        return [(e["path"], e["status"], e["user"]) for e in got.get_json()["requests"]]

    assert paths("method=get") == [("/check", 200, "a@example.com"), ("/nowhere", 404, None)]
    assert paths("path=/login/**") == [("/login/a@example.com", 200, None)]
    assert paths("status=404") == [("/nowhere", 404, None)]
    assert paths("user=a@example.com") == [("/check", 200, "a@example.com")]
    assert paths("since=2030-01-01T01:00:00Z") == [
        ("/check", 200, "a@example.com"), ("/nowhere", 404, None)
    ]
    assert paths("since=2030-01-01T01:00:01Z") == []
    assert app.mock.journal.count(since=datetime(2030, 1, 1, 1, tzinfo=timezone.utc)) == 2
    assert app.mock.journal.count(since=app.mock.clock.time()) == 2
    assert app.mock.journal.count(since="2030-01-01T00:59:59Z", method="GET") == 2
    for bad, says in (("status=abc", "HTTP status"), ("since=yesterday", "ISO-8601"),
                      ("path=nope", "starting with"), ("colour=red", "unknown filter")):
        response = client.get(f"/__authmock__/journal?{bad}")
        assert response.status_code == 400 and says in response.get_json()["error"], bad


def test_journal_assertions_list_what_was_made_instead(app: MockFlask) -> None:
    client = app.test_client()
    client.post("/login/a@example.com")
    client.post("/login/a@example.com")
    journal = app.mock.journal
    journal.assert_called("POST", "/login/*", times=2, status=200)
    journal.assert_called("post", "/login/a@example.com")
    journal.assert_not_called("GET", "/check")
    assert journal.count(path="/**") == 2
    with pytest.raises(AssertionError) as failed:
        journal.assert_called("POST", "/login/*", times=1)
    assert "expected POST /login/* 1 time, got 2" in str(failed.value)
    assert "POST /login/a@example.com -> 200" in str(failed.value)
    with pytest.raises(AssertionError, match="expected GET /check at least once, got 0"):
        journal.assert_called("GET", "/check")


# --- user scenarios -------------------------------------------------------------------------------
def test_user_scenarios_over_http_and_python(app: MockFlask) -> None:
    client = app.test_client()
    ok = client.post("/__authmock__/users/a@example.com/status", json={"status": "suspended"})
    assert ok.status_code == 200
    assert ok.json == {"email": "a@example.com", "scenario": "status", "status": "suspended"}
    assert app.mock.store["users"]["a@example.com"]["status"] == "suspended"
    unknown = client.post("/__authmock__/users/zed@example.com/lockout")
    assert unknown.status_code == 404 and unknown.json == {"error": "no user 'zed@example.com'"}
    bad = client.post("/__authmock__/users/a@example.com/status", json={"status": "gone"})
    assert bad.status_code == 400 and "active, suspended" in bad.get_json()["error"]
    verb = client.post("/__authmock__/users/a@example.com/explode")
    assert verb.status_code == 404 and "expire-sessions" in verb.get_json()["error"]
    with pytest.raises(ScenarioError, match="no user"):
        app.mock.users.lockout("zed@example.com")
    assert app.mock.users.status("b@example.com", "active")["status"] == "active"
