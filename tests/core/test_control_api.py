"""The /__authmock__ control API, as a script or a frontend developer would use it."""

from __future__ import annotations

import pytest

import authmock
from authmock.app import MockFlask
from authmock.otp import totp as totp_for
from tests.core.toy import TOY_FIXTURES


def test_health_names_flavour_and_profile(app: MockFlask) -> None:
    response = app.test_client().get("/__authmock__/health")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == '{"status":"ok","flavour":"toy","profile":"docs"}'


def test_server_profile_is_reported() -> None:
    app = authmock.create_app("toy", fixtures=TOY_FIXTURES, profile="server")
    assert app.test_client().get("/__authmock__/health").get_json()["profile"] == "server"


def test_reset_restores_state_and_refuses_old_tokens(app: MockFlask) -> None:
    client = app.test_client()
    token = client.post("/login/a@example.com").get_json()["token"]
    assert client.get("/check", query_string={"token": token}).json == {"refusal": None}
    client.post("/__authmock__/clock", json={"advance": "1h"})
    response = client.post("/__authmock__/reset")
    assert response.status_code == 204 and response.data == b""
    assert client.post("/login/a@example.com").get_json()["logins"] == 1
    assert client.get("/check", query_string={"token": token}).json == {"refusal": "signature"}
    assert client.get("/__authmock__/clock").get_json()["offset_seconds"] == pytest.approx(0, abs=1)
    assert len(client.get("/__authmock__/mailbox").get_json()["messages"]) == 1


@pytest.mark.parametrize(
    ("body", "offset"),
    [({"advance": 86400}, 86400), ({"advance": "24h"}, 86400), ({"advance": "15m"}, 900),
     ({"advance": "30s"}, 30), ({"advance": "2d"}, 172800)],
)
def test_clock_advance(app: MockFlask, body: dict[str, object], offset: int) -> None:
    state = app.test_client().post("/__authmock__/clock", json=body).get_json()
    assert list(state) == ["now", "offset_seconds", "frozen"]
    assert state["offset_seconds"] == pytest.approx(offset, abs=1)


def test_clock_set_freeze_and_reset(app: MockFlask) -> None:
    client = app.test_client()
    state = client.post("/__authmock__/clock", json={"set": "2030-01-01T00:00:00Z"}).get_json()
    assert state["now"].startswith("2030-01-01T00:00:0")
    state = client.post("/__authmock__/clock", json={"freeze": True}).get_json()
    assert state["frozen"] is True
    assert client.get("/__authmock__/clock").get_json()["now"] == state["now"]
    assert client.post("/__authmock__/clock", json={"freeze": False}).get_json()["frozen"] is False
    state = client.post("/__authmock__/clock", json={"reset": True}).get_json()
    assert state["offset_seconds"] == pytest.approx(0, abs=1) and state["frozen"] is False


@pytest.mark.parametrize(
    "body",
    [{}, {"advance": "soon"}, {"advance": True}, {"set": "yesterday"}, {"set": 5},
     {"freeze": "yes"}, {"reset": False}, {"advance": 1, "set": "2030-01-01"}, {"jump": 1}],
)
def test_clock_refuses_bad_bodies_with_json_error(app: MockFlask, body: dict[str, object]) -> None:
    response = app.test_client().post("/__authmock__/clock", json=body)
    assert response.status_code == 400
    assert isinstance(response.get_json()["error"], str) and response.get_json()["error"]


def test_clock_refuses_non_json(app: MockFlask) -> None:
    response = app.test_client().post(
        "/__authmock__/clock", data=b"\xff{", content_type="text/plain"
    )
    assert response.status_code == 400
    assert response.json == {"error": "body must be a JSON object"}


def test_mailbox_lists_filters_and_empties(app: MockFlask) -> None:
    client = app.test_client()
    client.post("/login/a@example.com")
    client.post("/login/b@example.com")
    messages = client.get("/__authmock__/mailbox").get_json()["messages"]
    assert [m["to"] for m in messages] == ["a@example.com", "b@example.com"]
    assert list(messages[0]) == ["id", "to", "subject", "text", "links", "token", "sent_at"]
    assert messages[0]["links"][0].startswith("http://x.test/r?t=")
    only_b = client.get("/__authmock__/mailbox", query_string={"to": "B@example.com"}).get_json()
    assert [m["to"] for m in only_b["messages"]] == ["b@example.com"]
    assert client.delete("/__authmock__/mailbox").status_code == 204
    assert client.get("/__authmock__/mailbox").json == {"messages": []}


def test_journal_records_product_requests_on_the_mock_clock(app: MockFlask) -> None:
    client = app.test_client()
    client.post("/__authmock__/clock", json={"set": "2030-01-01T00:00:00Z"})
    client.post("/login/a@example.com?x=1")
    client.get("/nowhere")
    entries = client.get("/__authmock__/journal").get_json()["requests"]
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [
        ("POST", "/login/a@example.com", 200),
        ("GET", "/nowhere", 404),
    ]
    assert entries[0]["at"].startswith("2030-01-01T00:00:0")
    assert entries[0]["flavour"] == "toy" and entries[0]["query"] == "x=1"


def test_faults_start_empty_and_clear(app: MockFlask) -> None:
    client = app.test_client()
    assert client.get("/__authmock__/faults").json == {"faults": []}
    response = client.post("/__authmock__/faults", json={"match": {"path": "/x"}, "drop": True})
    assert response.status_code == 201
    assert client.delete("/__authmock__/faults").status_code == 204
    assert client.get("/__authmock__/faults").json == {"faults": []}


def test_otp_follows_the_mock_clock(app: MockFlask) -> None:
    client = app.test_client()
    client.post("/__authmock__/clock", json={"set": "2030-01-01T00:00:10Z"})
    client.post("/__authmock__/clock", json={"freeze": True})
    body = client.get("/__authmock__/users/a@example.com/otp").json
    totp = totp_for("JBSWY3DPEHPK3PXP")
    assert body == {"otp": totp.at(1893456010), "valid_for_seconds": 20,
                    "next": totp.at(1893456040)}
    assert app.mock.otp("a@example.com") == body["otp"]


@pytest.mark.parametrize("email", ["b@example.com", "nobody@example.com"])
def test_otp_404_without_secret(app: MockFlask, email: str) -> None:
    response = app.test_client().get(f"/__authmock__/users/{email}/otp")
    assert response.status_code == 404 and "error" in response.get_json()


def test_control_errors_are_json_not_the_flavour_envelope(app: MockFlask) -> None:
    client = app.test_client()
    missing = client.get("/__authmock__/nothing")
    assert missing.status_code == 404 and "error" in missing.get_json()
    wrong_method = client.delete("/__authmock__/health")
    assert wrong_method.status_code == 405 and "error" in wrong_method.get_json()


def test_inspector_placeholder_page(app: MockFlask) -> None:
    response = app.test_client().get("/__authmock__/")
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert b"authmock" in response.data


def test_control_token_is_required_when_configured() -> None:
    app = authmock.create_app("toy", fixtures=TOY_FIXTURES, control_token="s3cret")
    client = app.test_client()
    refused = client.get("/__authmock__/health")
    assert refused.status_code == 401 and "Bearer" in refused.get_json()["error"]
    wrong = client.get("/__authmock__/health", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    ok = client.get("/__authmock__/health", headers={"Authorization": "Bearer s3cret"})
    assert ok.status_code == 200
    # the product routes themselves never need it
    assert client.post("/login/a@example.com").status_code == 200
