"""Every exact string the contract lists for Paystub lives in errors.py, spelled as specified."""

from __future__ import annotations

from pathlib import Path

import pytest

from authmock.flavours.paystub import errors

ERRORS_SOURCE = Path(errors.__file__).read_text(encoding="utf-8")
# the contract's strings.tsv rows for this flavour (kept here so the suite runs anywhere)
SPEC_STRINGS = [
    "Unauthenticated.",
    "This action is unauthorized.",
    "Resource not found.",
    "The given data was invalid.",
    "Too Many Attempts.",
    "Rate limit exceeded. Please try again later.",
    "These credentials do not match our records.",
    "Too many login attempts. Please try again in",
    "This password reset token is invalid.",
    "Password reset link sent successfully",
    "Password has been reset successfully",
]


@pytest.mark.parametrize("text", SPEC_STRINGS)
def test_spec_string_is_in_the_errors_module(text: str) -> None:
    assert text in ERRORS_SOURCE


def test_constants_match_the_contract_and_laravel() -> None:
    assert errors.UNAUTHENTICATED == "Unauthenticated."
    assert errors.UNAUTHORIZED == "This action is unauthorized."
    assert errors.NOT_FOUND == "Resource not found."
    assert errors.GIVEN_DATA_INVALID == "The given data was invalid."
    assert errors.TOO_MANY_ATTEMPTS == "Too Many Attempts."
    assert errors.RATE_LIMIT_DETAIL == "Rate limit exceeded. Please try again later."
    assert errors.AUTH_FAILED == "These credentials do not match our records."
    assert errors.AUTH_THROTTLE.format(seconds=7) == (
        "Too many login attempts. Please try again in 7 seconds."
    )
    assert errors.PASSWORDS_TOKEN == "This password reset token is invalid."
    assert errors.PASSWORDS_USER == "We can't find a user with that email address."
    assert errors.PASSWORDS_THROTTLED == "Please wait before retrying."
    assert errors.RESET_LINK_SENT == "Password reset link sent successfully"
    assert errors.PASSWORD_RESET_DONE == "Password has been reset successfully"
    assert errors.LOGGED_OUT == "Logged out successfully"


@pytest.mark.parametrize(
    ("profile", "rule", "params", "expected"),
    [
        ("docs", "required", {}, "The email field is required."),
        ("docs", "email", {}, "The email must be a valid email address."),
        ("docs", "min", {"min": 8}, "The email must be at least 8 characters."),
        ("docs", "confirmed", {}, "The email confirmation does not match."),
        ("docs", "string", {}, "The email must be a string."),
        ("server", "required", {}, "The email field is required."),
        ("server", "email", {}, "The email field must be a valid email address."),
        ("server", "min", {"min": 8}, "The email field must be at least 8 characters."),
        ("server", "confirmed", {}, "The email field confirmation does not match."),
        ("server", "string", {}, "The email field must be a string."),
    ],
)
def test_validation_wording_per_profile(
    profile: str, rule: str, params: dict[str, int], expected: str
) -> None:
    assert errors.validation_message(profile, rule, "email", **params) == expected


def test_attribute_underscores_become_spaces() -> None:
    assert errors.validation_message("server", "required", "password_confirmation") == (
        "The password confirmation field is required."
    )


@pytest.mark.parametrize(
    ("messages", "expected"),
    [
        ([], "The given data was invalid."),
        (["A."], "A."),
        (["A.", "B."], "A. (and 1 more error)"),
        (["A.", "B.", "C."], "A. (and 2 more errors)"),
    ],
)
def test_server_summary(messages: list[str], expected: str) -> None:
    assert errors.summary("server", {"f": messages} if messages else {}) == expected
    assert errors.summary("docs", {"f": messages}) == "The given data was invalid."
