"""422 validation in both profiles, Laravel's stop-after-required rule, and bad input."""

from __future__ import annotations

from typing import Any

import pytest

from authmock.pytest_plugin import MockFixture
from tests.paystub.helpers import error, json_of

LOGIN = "/admin/auth/login"

# (body, docs errors, server errors)
CASES: list[tuple[Any, dict[str, list[str]], dict[str, list[str]]]] = [
    (
        {},
        {
            "email": ["The email field is required."],
            "password": ["The password field is required."],
        },
        {
            "email": ["The email field is required."],
            "password": ["The password field is required."],
        },
    ),
    (
        {"email": "not-an-email", "password": "x"},
        {"email": ["The email must be a valid email address."]},
        {"email": ["The email field must be a valid email address."]},
    ),
    (
        {"email": 12345, "password": 12345678},
        {
            "email": ["The email must be a string.", "The email must be a valid email address."],
            "password": ["The password must be a string."],
        },
        {
            "email": [
                "The email field must be a string.",
                "The email field must be a valid email address.",
            ],
            "password": ["The password field must be a string."],
        },
    ),
    (
        {"email": "   ", "password": ""},  # trimmed / emptied to null: required only
        {
            "email": ["The email field is required."],
            "password": ["The password field is required."],
        },
        {
            "email": ["The email field is required."],
            "password": ["The password field is required."],
        },
    ),
    (
        {"email": [], "password": {}},
        {
            "email": ["The email field is required."],
            "password": ["The password field is required."],
        },
        {
            "email": ["The email field is required."],
            "password": ["The password field is required."],
        },
    ),
    (
        {"email": ["owner@example.com"], "password": None},
        {
            "email": ["The email must be a string.", "The email must be a valid email address."],
            "password": ["The password field is required."],
        },
        {
            "email": [
                "The email field must be a string.",
                "The email field must be a valid email address.",
            ],
            "password": ["The password field is required."],
        },
    ),
]
IDS = ["missing", "not-an-email", "numbers", "blank", "empty-containers", "array-and-null"]


@pytest.mark.parametrize(("body", "docs", "server"), CASES, ids=IDS)
def test_docs_profile_login_validation(
    paystub_mock: MockFixture, body: Any, docs: dict[str, list[str]], server: dict[str, list[str]]
) -> None:
    response = paystub_mock.client.post(LOGIN, json=body)
    assert response.status_code == 422
    assert response.json == error("The given data was invalid.", docs)


@pytest.mark.authmock(profile="server")
@pytest.mark.parametrize(("body", "docs", "server"), CASES, ids=IDS)
def test_server_profile_login_validation(
    paystub_mock: MockFixture, body: Any, docs: dict[str, list[str]], server: dict[str, list[str]]
) -> None:
    response = paystub_mock.client.post(LOGIN, json=body)
    assert response.status_code == 422
    messages = [m for field in server.values() for m in field]
    more = len(messages) - 1
    suffix = (
        "" if more == 0 else " (and 1 more error)" if more == 1 else f" (and {more} more errors)"
    )
    assert response.json == error(messages[0] + suffix, server)


@pytest.mark.authmock(profile="server")
def test_server_summary_counts_messages_not_fields(paystub_mock: MockFixture) -> None:
    response = paystub_mock.client.post(LOGIN, json={"email": 1, "password": 2})
    assert json_of(response)["message"] == "The email field must be a string. (and 2 more errors)"


def test_a_failed_required_stops_the_other_rules(paystub_mock: MockFixture) -> None:
    # the docs' example lists "required" and "email" together; Laravel never does
    response = paystub_mock.client.post("/admin/auth/forgot-password", json={"email": ""})
    assert json_of(response)["errors"] == {"email": ["The email field is required."]}


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (b'{"email": "owner@example.com", "password": ', "application/json"),
        (b"\xff\xfe\x00garbage", "application/json"),
        (b'["owner@example.com", "your-password"]', "application/json"),
        (b'"owner@example.com"', "application/json"),
        (b"null", "application/json"),
        (b'{"email": "owner@example.com", "password": "your-password"}', "text/plain"),
        (b"", "application/json"),
        (b"[" * 100_000 + b"]" * 100_000, "application/json"),
        (
            b'{"email": "owner@example.com", "password": "your-password", "x": '
            + b"[" * 512
            + b"]" * 512
            + b"}",
            "application/json",
        ),
        (b'{"email": NaN, "password": Infinity}', "application/json"),
        (
            b'\xef\xbb\xbf{"email": "owner@example.com", "password": "your-password"}',
            "application/json",
        ),
        (
            '{"email": "owner@example.com", "password": "your-password"}'.encode("utf-16"),
            "application/json",
        ),
        (b'{"email": "owner@example.com", "password": "\\ud800"}', "application/json"),
        (b'{"email": "owner@example.com", "password": "your-password"}', "Application/JSON"),
    ],
    ids=[
        "truncated",
        "not-utf8",
        "array",
        "string",
        "null",
        "json-as-text",
        "empty",
        "nested-100000",
        "nested-513",
        "nan",
        "utf8-bom",
        "utf16",
        "lone-surrogate",
        "json-type-in-capitals",
    ],
)
def test_unreadable_bodies_are_empty_input(
    paystub_mock: MockFixture, data: bytes, content_type: str
) -> None:
    response = paystub_mock.client.post(LOGIN, data=data, content_type=content_type)
    assert response.status_code == 422
    assert response.content_type == "application/json"
    assert json_of(response)["errors"] == {
        "email": ["The email field is required."],
        "password": ["The password field is required."],
    }
    assert len(paystub_mock.store.table("paystub_tokens")) == 0


def test_json_content_type_with_charset_is_read(paystub_mock: MockFixture) -> None:
    response = paystub_mock.client.post(
        LOGIN,
        data=b'{"email": "owner@example.com", "password": "your-password"}',
        content_type="application/json; charset=utf-8",
    )
    assert response.status_code == 200


def test_query_string_counts_as_input_like_laravel(paystub_mock: MockFixture) -> None:
    response = paystub_mock.client.post(
        f"{LOGIN}?email=owner@example.com", json={"password": "your-password"}
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"email": "nobody@example.com", "password": "x" * 10_000},
        {"email": "a" * 5000 + "@example.com", "password": "x"},
        {"email": "owner@example.com", "password": "your-password\u0000"},
        {"email": "ówner@exämple.com", "password": "pässwörd"},
    ],
    ids=["long-password", "long-email", "nul-byte", "unicode"],
)
def test_odd_but_valid_values_are_plain_credential_failures(
    paystub_mock: MockFixture, body: dict[str, str]
) -> None:
    response = paystub_mock.client.post(LOGIN, json=body)
    assert response.status_code == 422
    assert json_of(response)["errors"] == {"email": ["These credentials do not match our records."]}


def test_forgot_password_validation_docs(paystub_mock: MockFixture) -> None:
    response = paystub_mock.client.post("/admin/auth/forgot-password", json={"email": "nope"})
    assert response.status_code == 422
    assert response.json == error(
        "The given data was invalid.", {"email": ["The email must be a valid email address."]}
    )


@pytest.mark.authmock(profile="server")
def test_forgot_password_validation_server(paystub_mock: MockFixture) -> None:
    response = paystub_mock.client.post("/admin/auth/forgot-password", json={})
    assert response.json == error(
        "The email field is required.", {"email": ["The email field is required."]}
    )


def test_reset_password_missing_everything_docs(paystub_mock: MockFixture) -> None:
    response = paystub_mock.client.post("/admin/auth/reset-password", json={})
    assert response.json == error(
        "The given data was invalid.",
        {
            "token": ["The token field is required."],
            "email": ["The email field is required."],
            "password": ["The password field is required."],
        },
    )


def test_reset_password_confirmation_must_match_exactly(paystub_mock: MockFixture) -> None:
    response = paystub_mock.client.post(
        "/admin/auth/reset-password",
        json={
            "token": "t",
            "email": "owner@example.com",
            "password": "long-enough-1",
            "password_confirmation": "long-enough-2",
        },
    )
    assert json_of(response)["errors"] == {
        "password": ["The password confirmation does not match."]
    }


def test_reset_password_with_a_non_string_token_is_an_invalid_token(
    paystub_mock: MockFixture,
) -> None:
    response = paystub_mock.client.post(
        "/admin/auth/reset-password",
        json={
            "token": ["x"],
            "email": "owner@example.com",
            "password": "long-enough",
            "password_confirmation": "long-enough",
        },
    )
    assert response.status_code == 422
    assert json_of(response)["errors"] == {"email": ["This password reset token is invalid."]}


# --- the email rule: egulias RFCValidation, as Laravel's `email` uses it --------------------
VALID_EMAILS = [
    "a@b",
    "o'brien+tag@example.co.uk",
    "ówner@exämple.com",
    '"john doe"@example.com',
    "john@[127.0.0.1]",
    "x!#$%&*+/=?^_`{|}~-@example.com",
    "user@sub-domain.example",
]
INVALID_EMAILS = [
    "john",
    "@example.com",
    "john@",
    ".john@example.com",
    "john.@example.com",
    "john..doe@example.com",
    "john@.example.com",
    "john@example.com.",
    "john@example..com",
    "john@-example.com",
    "john@example-",
    "john@example-.com",
    "jo hn@example.com",
    "jo,hn@example.com",
    "john@example,com",
    "<john@example.com>",
    "john@doe@example.com",
    "john@my_host.com",
    "john@" + "x" * 64 + ".com",
    "john@" + ("x" * 60 + ".") * 5 + "com",  # a domain over 253 bytes
    "jo\u0001hn@example.com",
    "john€@example.com",
    '"john@example.com',
]


@pytest.mark.parametrize("email", VALID_EMAILS)
def test_rfc_valid_addresses_pass_the_email_rule(paystub_mock: MockFixture, email: str) -> None:
    response = paystub_mock.client.post("/admin/auth/forgot-password", json={"email": email})
    assert json_of(response)["errors"] == {
        "email": ["We can't find a user with that email address."]
    }


@pytest.mark.parametrize("email", INVALID_EMAILS)
def test_rfc_invalid_addresses_fail_the_email_rule(paystub_mock: MockFixture, email: str) -> None:
    response = paystub_mock.client.post("/admin/auth/forgot-password", json={"email": email})
    assert response.status_code == 422
    assert json_of(response)["errors"] == {"email": ["The email must be a valid email address."]}
