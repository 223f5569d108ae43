"""CORS as Laravel's HandleCors does it with the default config, so browser apps can call."""

from __future__ import annotations

import pytest

from authmock.pytest_plugin import MockFixture
from tests.paystub.helpers import login, with_settings


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
