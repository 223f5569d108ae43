"""What every flavour inherits: envelopes for errors, rollback, journal, stalls."""

from __future__ import annotations

import logging
import time

import pytest

import authmock
from authmock.app import MockFlask
from tests.core.toy import TOY_FIXTURES


def test_unexpected_exception_gives_flavour_500_and_rolls_back(
    app: MockFlask, caplog: pytest.LogCaptureFixture
) -> None:
    client = app.test_client()
    with caplog.at_level(logging.ERROR, logger="authmock"):
        response = client.post("/login/a@example.com?explode=1")
    assert response.status_code == 500
    assert response.json == {"toy_error": 500}
    assert b"Traceback" not in response.data and b"<html" not in response.data.lower()
    assert "boom after a write" in caplog.text
    # the write before the exception was undone; no mail went out
    assert client.post("/login/a@example.com").get_json()["logins"] == 1
    assert len(app.mock.mailbox.messages()) == 1


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/nope", 404),
        ("GET", "/static/app.js", 404),  # no Flask static route under any product
        ("GET", "/login/a@example.com", 405),
        ("PATCH", "/check", 405),
    ],
)
def test_routing_errors_use_the_flavour_envelope(
    app: MockFlask, method: str, path: str, status: int
) -> None:
    response = app.test_client().open(path, method=method)
    assert response.status_code == status
    assert response.json == {"toy_error": status}


def test_body_over_the_flavour_limit_is_413_in_its_envelope(app: MockFlask) -> None:
    response = app.test_client().post("/login/a@example.com", data=b"x" * 5000)
    assert response.status_code == 413
    assert response.json == {"toy_error": 413}


def test_deliberate_refusal_keeps_the_flavour_message(app: MockFlask) -> None:
    response = app.test_client().post("/login/ghost@example.com")
    assert response.status_code == 401 and response.json == {"toy_error": "no such user"}


def test_stall_delays_the_answer(app: MockFlask) -> None:
    started = time.perf_counter()
    assert app.test_client().post("/slow").json == {"ok": True}
    assert time.perf_counter() - started >= 0.01


def test_url_building_still_works_with_lazily_compiled_builders(app: MockFlask) -> None:
    from flask import url_for

    with app.test_request_context():
        assert url_for("toy.login", email="a@example.com") == "/login/a@example.com"
        assert url_for("toy.login", email="b@example.com", x="1") == "/login/b@example.com?x=1"


@pytest.mark.parametrize(
    ("method", "path", "status_line"),
    [
        ("POST", "/login/a@example.com", "200 OK"),
        ("GET", "/nope", "404 Not Found"),
        ("GET", "/login/a@example.com", "405 Method Not Allowed"),
        ("POST", "/login/ghost@example.com", "401 Unauthorized"),
    ],
)
def test_status_lines_carry_the_usual_reason_phrase(
    app: MockFlask, method: str, path: str, status_line: str
) -> None:
    assert app.test_client().open(path, method=method).status == status_line


def test_a_flavour_can_name_its_own_reason_phrases(
    app: MockFlask, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.core.toy import Toy

    monkeypatch.setattr(Toy, "reason_phrases", {404: "Nothing Here"})
    fresh = authmock.create_app("toy", fixtures=TOY_FIXTURES, seed=1)
    assert fresh.test_client().get("/nope").status == "404 Nothing Here"
