"""CORS as a browser meets it: df-core's CORS entry through php-cors, on out of the box for
loopback origins; ``--cors off`` is DreamFactory's default (no entry, no CORS headers)."""

from __future__ import annotations

from typing import Any

import pytest

from authmock.pytest_plugin import MockFixture

from .helpers import ADMIN, ADMIN_KEY, ADMIN_LOGIN, PASSWORD, with_settings

VITE = "http://localhost:5173"
ASKED = "content-type,x-dreamfactory-api-key,x-dreamfactory-session-token"


def _preflight(
    mock: MockFixture, origin: str, method: str = "POST", path: str = ADMIN_LOGIN
) -> Any:
    return mock.client.open(path, method="OPTIONS", headers={
        "Origin": origin, "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": ASKED})


def _login(mock: MockFixture, origin: str, password: str = PASSWORD) -> Any:
    return mock.client.post(ADMIN_LOGIN, json={"email": ADMIN, "password": password},
                            headers={"Origin": origin, "X-DreamFactory-API-Key": ADMIN_KEY})


@pytest.mark.parametrize("origin", [VITE, "http://127.0.0.1:3000", "http://[::1]:8081"])
def test_a_loopback_preflight_gets_the_entrys_verbs_and_headers(
    dreamfactory_mock: MockFixture, origin: str
) -> None:
    response = _preflight(dreamfactory_mock, origin)
    assert response.status_code == 204
    assert response.data == b"" and "Content-Type" not in response.headers
    cors = {k: v for k, v in response.headers.items()
            if k.startswith("Access-Control-") or k == "Vary"}
    assert cors == {
        "Access-Control-Allow-Origin": origin,
        "Vary": "Origin, Access-Control-Request-Method",
        "Access-Control-Allow-Credentials": "true",
        "Access-Control-Allow-Methods": "GET, POST, PUT, PATCH, DELETE",
        "Access-Control-Allow-Headers": (
            "content-type, x-dreamfactory-api-key, x-dreamfactory-session-token, authorization, "
            "x-requested-with, accept"
        ),
        "Access-Control-Max-Age": "0",
    }


def test_a_preflight_for_another_verb_is_refused_as_dfcorsservice_does(
    dreamfactory_mock: MockFixture,
) -> None:
    response = _preflight(dreamfactory_mock, VITE, method="OPTIONS")
    assert response.status == "405 Method not allowed"
    assert response.headers["Access-Control-Allow-Origin"] == VITE


def test_answers_and_errors_echo_the_origin_with_credentials(
    dreamfactory_mock: MockFixture,
) -> None:
    ok = _login(dreamfactory_mock, VITE)
    wrong = _login(dreamfactory_mock, VITE, password="nope")
    assert ok.status_code == 200 and wrong.status_code == 401
    for response in (ok, wrong):
        assert response.headers["Access-Control-Allow-Origin"] == VITE
        assert response.headers["Access-Control-Allow-Credentials"] == "true"
        assert response.headers["Vary"] == "Origin"
    assert "Access-Control-Allow-Origin" not in dreamfactory_mock.client.get(
        "/__authmock__/health", headers={"Origin": VITE}).headers


def test_another_origin_gets_no_allow_origin(dreamfactory_mock: MockFixture) -> None:
    preflight = _preflight(dreamfactory_mock, "https://evil.example")
    assert preflight.status_code == 204
    assert "Access-Control-Allow-Origin" not in preflight.headers
    assert "Access-Control-Allow-Credentials" not in preflight.headers
    assert "Access-Control-Allow-Origin" not in _login(dreamfactory_mock, "https://evil.example").headers


@pytest.mark.authmock(fixtures=with_settings(cors_origins=["https://app.example.test", VITE]))
def test_cors_origins_replace_the_loopback_list(dreamfactory_mock: MockFixture) -> None:
    assert _login(dreamfactory_mock, VITE).headers["Access-Control-Allow-Origin"] == VITE
    assert "Access-Control-Allow-Origin" not in _login(dreamfactory_mock, "http://127.0.0.1:5173").headers


@pytest.mark.authmock(cors=False)
def test_cors_off_is_dreamfactorys_default_without_a_cors_entry(
    dreamfactory_mock: MockFixture,
) -> None:
    preflight = _preflight(dreamfactory_mock, VITE)
    assert preflight.status_code == 200 and "Access-Control-Allow-Origin" not in preflight.headers
    login = _login(dreamfactory_mock, VITE)
    assert login.status_code == 200
    assert not [k for k, _ in login.headers.items() if k.startswith("Access-Control-")]
