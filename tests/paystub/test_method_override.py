"""Laravel's method override: a POST routed as X-HTTP-Method-Override or _method says."""

from __future__ import annotations

from typing import Any

import pytest

from authmock.pytest_plugin import MockFixture
from tests.paystub.helpers import PASSWORD, bearer, error, json_of, token_of

CREDENTIALS = {"email": "owner@example.com", "password": PASSWORD}


@pytest.mark.parametrize(
    ("query", "kwargs"),
    [
        ("", {"headers": {"X-HTTP-Method-Override": "GET"}}),
        ("", {"headers": {"X-HTTP-Method-Override": "get"}}),
        ("?_method=GET", {}),
        ("", {"json": {"_method": "GET"}}),
        ("", {"data": "_method=GET", "content_type": "application/x-www-form-urlencoded"}),
    ],
    ids=["header", "header-lowercase", "query", "json-body", "form-body"],
)
def test_a_post_can_be_routed_as_get(
    paystub_mock: MockFixture, query: str, kwargs: dict[str, Any]
) -> None:
    token = token_of(paystub_mock.client)
    headers = {**bearer(token), **kwargs.pop("headers", {})}
    response = paystub_mock.client.post("/admin/auth/me" + query, headers=headers, **kwargs)
    assert response.status_code == 200
    assert json_of(response)["data"]["user"]["email"] == "owner@example.com"


def test_an_override_to_a_method_the_route_lacks_is_405(paystub_mock: MockFixture) -> None:
    response = paystub_mock.client.post("/admin/auth/login?_method=delete", json=CREDENTIALS)
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"
    assert response.json == error(
        "The DELETE method is not supported for route admin/auth/login. Supported methods: POST."
    )
    assert len(paystub_mock.store.table("paystub_tokens")) == 0


def test_the_header_wins_over_the_field(paystub_mock: MockFixture) -> None:
    response = paystub_mock.client.post(
        "/admin/auth/login?_method=PUT",
        json=CREDENTIALS,
        headers={"X-HTTP-Method-Override": "POST"},
    )
    assert response.status_code == 200


def test_the_body_field_wins_over_the_query(paystub_mock: MockFixture) -> None:
    body = {**CREDENTIALS, "_method": "POST"}
    response = paystub_mock.client.post("/admin/auth/login?_method=PUT", json=body)
    assert response.status_code == 200


@pytest.mark.parametrize(
    "value", ["", ["PUT"], 1, "P-U-T"], ids=["empty", "array", "number", "dashes"]
)
def test_unusable_overrides_leave_the_post(paystub_mock: MockFixture, value: Any) -> None:
    response = paystub_mock.client.post("/admin/auth/login", json={**CREDENTIALS, "_method": value})
    assert response.status_code == 200


def test_only_a_post_is_overridden(paystub_mock: MockFixture) -> None:
    response = paystub_mock.client.get("/admin/auth/login?_method=POST")
    assert response.status_code == 405


def test_the_control_api_is_not_overridden(paystub_mock: MockFixture) -> None:
    assert paystub_mock.client.post("/__authmock__/reset?_method=GET").status_code == 204


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (b'{"\\u005fmethod": "GET"}', "application/json"),
        (b"%5Fmethod=GET", "application/x-www-form-urlencoded"),
    ],
    ids=["json-escape", "percent-escape"],
)
def test_an_escaped_field_name_still_counts(
    paystub_mock: MockFixture, data: bytes, content_type: str
) -> None:
    token = token_of(paystub_mock.client)
    response = paystub_mock.client.post(
        "/admin/auth/me", data=data, content_type=content_type, headers=bearer(token)
    )
    assert response.status_code == 200
