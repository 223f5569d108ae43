"""CORS as Laravel's HandleCors does it: with the default config/cors.php (``--cors off``, the
real app's default) and, out of the box, as configured for local frontend development."""

from __future__ import annotations

import pytest

from authmock.pytest_plugin import MockFixture
from tests.paystub.helpers import login, with_settings


@pytest.mark.authmock(cors=False)
def test_preflight_is_answered_204_before_routing(paystub_mock: MockFixture) -> None:
    response = paystub_mock.client.open(
        "/admin/auth/login",
        method="OPTIONS",
        headers={
            "Origin": "http://localhost:5173",
            "Access-Control-Request-Method": "post",
            "Access-Control-Request-Headers": "content-type,authorization",
        },
    )
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Access-Control-Allow-Methods"] == "POST"
    assert response.headers["Access-Control-Allow-Headers"] == "content-type,authorization"
    assert response.headers["Access-Control-Max-Age"] == "0"
    assert response.headers["Vary"] == (
        "Access-Control-Request-Method, Access-Control-Request-Headers"
    )


@pytest.mark.authmock(cors=False)
def test_answers_and_errors_allow_any_origin(paystub_mock: MockFixture) -> None:
    client = paystub_mock.client
    origin = {"Origin": "http://localhost:5173"}
    assert login(client).headers["Access-Control-Allow-Origin"] == "*"
    assert (
        client.get("/admin/auth/me", headers=origin).headers["Access-Control-Allow-Origin"] == "*"
    )
    assert client.get("/nope", headers=origin).headers["Access-Control-Allow-Origin"] == "*"


def test_control_api_is_left_alone(paystub_mock: MockFixture) -> None:
    response = paystub_mock.client.get("/__authmock__/health")
    assert "Access-Control-Allow-Origin" not in response.headers


@pytest.mark.authmock(fixtures=with_settings(cors=False))
def test_cors_can_be_switched_off(paystub_mock: MockFixture) -> None:
    response = paystub_mock.client.open(
        "/admin/auth/login",
        method="OPTIONS",
        headers={"Origin": "http://x", "Access-Control-Request-Method": "POST"},
    )
    assert response.status_code == 200  # the router's own OPTIONS answer
    assert response.headers["Allow"] == "POST"
    assert "Access-Control-Allow-Origin" not in login(paystub_mock.client).headers


@pytest.mark.authmock(fixtures=with_settings(cors=True))
def test_the_fixtures_own_setting_rules_over_the_development_default(
    paystub_mock: MockFixture,
) -> None:
    response = paystub_mock.client.get("/admin/auth/me", headers={"Origin": "http://localhost:5173"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers


LOCAL = "http://127.0.0.1:5173"


def test_a_loopback_preflight_is_allowed_with_credentials(paystub_mock: MockFixture) -> None:
    response = paystub_mock.client.open(
        "/admin/auth/me",
        method="OPTIONS",
        headers={
            "Origin": LOCAL,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization,accept,x-requested-with",
        },
    )
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == LOCAL
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert response.headers["Access-Control-Allow-Methods"] == "GET"
    assert response.headers["Access-Control-Allow-Headers"] == (
        "authorization,accept,x-requested-with"
    )
    assert response.headers["Access-Control-Max-Age"] == "0"
    assert response.headers["Vary"] == (
        "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
    )
    assert response.data == b""


@pytest.mark.parametrize(
    "origin", ["http://localhost:3000", "http://127.0.0.1:5173", "http://[::1]:8081"]
)
def test_answers_echo_a_loopback_origin_never_a_star(
    paystub_mock: MockFixture, origin: str
) -> None:
    client = paystub_mock.client
    ok = client.post(
        "/admin/auth/login", headers={"Origin": origin, "Accept": "application/json"},
        json={"email": "owner@example.com", "password": "your-password"},
    )
    refused = client.get("/admin/auth/me", headers={"Origin": origin, "Accept": "application/json"})
    for response in (ok, refused):
        assert response.headers["Access-Control-Allow-Origin"] == origin
        assert response.headers["Access-Control-Allow-Credentials"] == "true"
        assert response.headers["Vary"] == "Origin"
    assert ok.status_code == 200 and refused.status_code == 401


def test_another_origin_is_not_allowed(paystub_mock: MockFixture) -> None:
    response = paystub_mock.client.open(
        "/admin/auth/me", method="OPTIONS",
        headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert response.status_code == 204
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert response.headers["Vary"] == "Origin, Access-Control-Request-Method"
    plain = paystub_mock.client.get("/admin/auth/me", headers={"Origin": "http://evil.example"})
    assert "Access-Control-Allow-Origin" not in plain.headers


@pytest.mark.authmock(fixtures=with_settings(cors_origins=["https://app.example.test"]))
def test_cors_origins_replace_the_loopback_list(paystub_mock: MockFixture) -> None:
    client = paystub_mock.client
    listed = client.get("/admin/auth/me", headers={"Origin": "https://app.example.test"})
    assert listed.headers["Access-Control-Allow-Origin"] == "https://app.example.test"
    assert listed.headers["Access-Control-Allow-Credentials"] == "true"
    # php-cors writes a single configured origin whatever the request's (the browser then
    # refuses the mismatch); with two or more it echoes an allowed one and nothing else
    loopback = client.get("/admin/auth/me", headers={"Origin": LOCAL})
    assert loopback.headers["Access-Control-Allow-Origin"] == "https://app.example.test"


@pytest.mark.authmock(
    fixtures=with_settings(cors_origins=["https://app.example.test", "http://localhost:4200"])
)
def test_several_cors_origins_are_echoed_one_by_one(paystub_mock: MockFixture) -> None:
    client = paystub_mock.client
    for origin in ("https://app.example.test", "http://localhost:4200"):
        response = client.get("/admin/auth/me", headers={"Origin": origin})
        assert response.headers["Access-Control-Allow-Origin"] == origin
    loopback = client.get("/admin/auth/me", headers={"Origin": LOCAL})
    assert "Access-Control-Allow-Origin" not in loopback.headers
