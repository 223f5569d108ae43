"""How a request's input is read, as PHP and Laravel read it: JSON depth and content types,
the query string, form bodies with PHP's variable names, array syntax and input limits."""

from __future__ import annotations

import pytest

from authmock.pytest_plugin import MockFixture
from tests.paystub.helpers import json_of

LOGIN = "/admin/auth/login"


def test_json_nested_512_deep_is_still_read(paystub_mock: MockFixture) -> None:
    body = (
        b'{"email": "owner@example.com", "password": "your-password", "x": '
        + b"[" * 511
        + b"]" * 511
        + b"}"
    )
    response = paystub_mock.client.post(LOGIN, data=body, content_type="application/json")
    assert response.status_code == 200


def test_repeated_query_keys_keep_the_last_like_php(paystub_mock: MockFixture) -> None:
    response = paystub_mock.client.post(
        f"{LOGIN}?email=nobody@example.com&email=owner@example.com",
        json={"password": "your-password"},
    )
    assert response.status_code == 200


def test_structured_json_content_types_are_read(paystub_mock: MockFixture) -> None:
    response = paystub_mock.client.post(
        LOGIN,
        data=b'{"email": "owner@example.com", "password": "your-password"}',
        content_type="application/vnd.api+json",
    )
    assert response.status_code == 200


FORM = "application/x-www-form-urlencoded"


ARRAY_ERRORS = {
    "docs": ["The email must be a string.", "The email must be a valid email address."],
    "server": [
        "The email field must be a string.",
        "The email field must be a valid email address.",
    ],
}


@pytest.mark.parametrize(
    ("query", "body"),
    [("", b"email[]=owner%40example.com&password=x"), ("?email[a]=x", b"password=x")],
    ids=["form", "query"],
)
@pytest.mark.parametrize(
    "profile",
    [pytest.param(p, marks=pytest.mark.authmock(profile=p), id=p) for p in ("docs", "server")],
)
def test_php_array_syntax_gives_arrays(
    paystub_mock: MockFixture, profile: str, query: str, body: bytes
) -> None:
    response = paystub_mock.client.post(LOGIN + query, data=body, content_type=FORM)
    assert response.status_code == 422
    assert json_of(response)["errors"] == {"email": ARRAY_ERRORS[profile]}


def test_php_variable_names_turn_dots_and_spaces_into_underscores(
    paystub_mock: MockFixture,
) -> None:
    paystub_mock.client.post("/admin/auth/forgot-password", json={"email": "manager@example.com"})
    message = paystub_mock.mailbox.last(to="manager@example.com")
    assert message is not None and message.token is not None
    body = (
        b"email=manager%40example.com&token="
        + message.token.encode()
        + b"&password=long-enough-1&password.confirmation=long-enough-1"
    )
    response = paystub_mock.client.post("/admin/auth/reset-password", data=body, content_type=FORM)
    assert response.status_code == 200


def test_form_values_after_php_max_input_vars_are_dropped(paystub_mock: MockFixture) -> None:
    filler = b"&".join(b"x%d=1" % i for i in range(1000))
    body = filler + b"&email=owner%40example.com&password=your-password"
    response = paystub_mock.client.post(LOGIN, data=body, content_type=FORM)
    assert response.status_code == 422  # not a 413: PHP only drops the extra variables
    assert json_of(response)["errors"]["email"] == ["The email field is required."]


def test_form_bytes_that_are_not_utf8_are_read(paystub_mock: MockFixture) -> None:
    body = b"email=owner%40example.com&password=your-password&x=\xff\xfe%ff"
    response = paystub_mock.client.post(LOGIN, data=body, content_type=FORM)
    assert response.status_code == 200
