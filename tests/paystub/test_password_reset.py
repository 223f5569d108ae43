"""Forgot/reset password through the mailbox, with Laravel's password-broker rules."""

from __future__ import annotations

import re
from typing import Any

import pytest

from authmock.pytest_plugin import MockFixture
from tests.paystub.helpers import bearer, error, freeze, login, token_of

NEW = "brand-new-pass"


def _forgot(mock: MockFixture, email: str = "manager@example.com") -> Any:
    return mock.client.post("/admin/auth/forgot-password", json={"email": email})


def _reset(mock: MockFixture, token: str, email: str = "manager@example.com", **extra: Any) -> Any:
    body = {"token": token, "email": email, "password": NEW, "password_confirmation": NEW}
    body.update(extra)
    return mock.client.post("/admin/auth/reset-password", json=body)


def _mailed_token(mock: MockFixture, email: str = "manager@example.com") -> str:
    message = mock.mailbox.last(to=email)
    assert message is not None and message.token is not None
    return message.token


def test_forgot_password_mails_a_64_hex_token_and_link(paystub_mock: MockFixture) -> None:
    response = _forgot(paystub_mock)
    assert response.status_code == 200
    assert response.json == {
        "success": True,
        "data": {},
        "message": "Password reset link sent successfully",
    }
    message = paystub_mock.mailbox.last(to="manager@example.com")
    assert message is not None
    assert message.subject == "Reset Password Notification"
    assert message.token is not None and re.fullmatch(r"[0-9a-f]{64}", message.token)
    assert message.links == [
        f"http://localhost:3000/password-reset/{message.token}?email=manager@example.com"
    ]
    assert message.links[0] in message.text
    assert "expire in 60 minutes" in message.text


@pytest.mark.authmock(
    fixtures={
        "flavour": "paystub",
        "settings": {"reset_url": "https://admin.test/r?t={token}"},
        "roles": [{"id": 1, "name": "Owner"}],
        "users": [
            {
                "id": 1,
                "role_id": 1,
                "first_name": "A",
                "last_name": "B",
                "email": "a@example.com",
                "password": "your-password",
            }
        ],
    }
)
def test_reset_url_template_comes_from_the_fixture(paystub_mock: MockFixture) -> None:
    _forgot(paystub_mock, "a@example.com")
    message = paystub_mock.mailbox.last()
    assert message is not None
    assert message.links == [f"https://admin.test/r?t={message.token}"]


def test_reset_password_changes_the_password_and_revokes_tokens(
    paystub_mock: MockFixture,
) -> None:
    freeze(paystub_mock)
    client = paystub_mock.client
    old_token = token_of(client, "manager@example.com")
    other_user = token_of(client, "owner@example.com")
    _forgot(paystub_mock)
    response = _reset(paystub_mock, _mailed_token(paystub_mock))
    assert response.status_code == 200
    assert response.json == {
        "success": True,
        "data": {},
        "message": "Password has been reset successfully",
    }
    assert client.get("/admin/auth/me", headers=bearer(old_token)).status_code == 401
    assert client.get("/admin/auth/me", headers=bearer(other_user)).status_code == 200
    assert login(client, "manager@example.com").status_code == 422  # old password gone
    fresh = login(client, "manager@example.com", NEW)
    assert fresh.status_code == 200
    assert fresh.json["data"]["user"]["updated_at"] == "2025-02-12T10:00:00Z"


def test_reset_token_is_single_use(paystub_mock: MockFixture) -> None:
    _forgot(paystub_mock)
    token = _mailed_token(paystub_mock)
    assert _reset(paystub_mock, token).status_code == 200
    again = _reset(paystub_mock, token)
    assert again.status_code == 422
    assert again.json == error(
        "The given data was invalid.", {"email": ["This password reset token is invalid."]}
    )


def test_reset_token_is_valid_for_60_minutes(paystub_mock: MockFixture) -> None:
    freeze(paystub_mock)
    _forgot(paystub_mock)
    token = _mailed_token(paystub_mock)
    paystub_mock.clock.advance(3600)
    assert _reset(paystub_mock, token).status_code == 200


def test_reset_token_expires_after_60_minutes(paystub_mock: MockFixture) -> None:
    freeze(paystub_mock)
    _forgot(paystub_mock)
    token = _mailed_token(paystub_mock)
    paystub_mock.clock.advance(3601)
    response = _reset(paystub_mock, token)
    assert response.status_code == 422
    assert response.json["errors"] == {"email": ["This password reset token is invalid."]}
    assert login(paystub_mock.client, "manager@example.com").status_code == 200  # unchanged


def test_wrong_token_is_refused_and_changes_nothing(paystub_mock: MockFixture) -> None:
    _forgot(paystub_mock)
    response = _reset(paystub_mock, "0" * 64)
    assert response.status_code == 422
    assert response.json["errors"] == {"email": ["This password reset token is invalid."]}
    assert login(paystub_mock.client, "manager@example.com").status_code == 200
    assert _reset(paystub_mock, _mailed_token(paystub_mock)).status_code == 200


def test_token_of_another_user_is_invalid(paystub_mock: MockFixture) -> None:
    _forgot(paystub_mock, "owner@example.com")
    response = _reset(paystub_mock, _mailed_token(paystub_mock, "owner@example.com"))
    assert response.status_code == 422
    assert response.json["errors"] == {"email": ["This password reset token is invalid."]}


def test_a_new_link_replaces_the_previous_one(paystub_mock: MockFixture) -> None:
    freeze(paystub_mock)
    _forgot(paystub_mock)
    first = _mailed_token(paystub_mock)
    paystub_mock.clock.advance(60)
    _forgot(paystub_mock)
    second = _mailed_token(paystub_mock)
    assert first != second
    assert _reset(paystub_mock, first).status_code == 422
    assert _reset(paystub_mock, second).status_code == 200


def test_rerequest_is_throttled_for_60_seconds(paystub_mock: MockFixture) -> None:
    freeze(paystub_mock)
    assert _forgot(paystub_mock).status_code == 200
    paystub_mock.clock.advance(59)
    response = _forgot(paystub_mock)
    assert response.status_code == 422
    assert response.json == error(
        "The given data was invalid.", {"email": ["Please wait before retrying."]}
    )
    assert len(paystub_mock.mailbox.messages()) == 1
    paystub_mock.clock.advance(1)
    assert _forgot(paystub_mock).status_code == 200
    assert len(paystub_mock.mailbox.messages()) == 2


@pytest.mark.parametrize("email", ["nobody@example.com", "customer@example.com"])
def test_unknown_or_non_admin_email(paystub_mock: MockFixture, email: str) -> None:
    response = _forgot(paystub_mock, email)
    assert response.status_code == 422
    assert response.json == error(
        "The given data was invalid.",
        {"email": ["We can't find a user with that email address."]},
    )
    assert paystub_mock.mailbox.messages() == []
    reset = _reset(paystub_mock, "0" * 64, email=email)
    assert reset.json["errors"] == {"email": ["We can't find a user with that email address."]}


@pytest.mark.authmock(profile="server")
def test_broker_messages_in_the_server_profile(paystub_mock: MockFixture) -> None:
    response = _forgot(paystub_mock, "nobody@example.com")
    message = "We can't find a user with that email address."
    assert response.json == error(message, {"email": [message]})
    token_error = _reset(paystub_mock, "0" * 64)
    assert token_error.json == error(
        "This password reset token is invalid.",
        {"email": ["This password reset token is invalid."]},
    )


def test_suspended_admin_may_reset_but_still_not_log_in(paystub_mock: MockFixture) -> None:
    _forgot(paystub_mock, "suspended@example.com")
    token = _mailed_token(paystub_mock, "suspended@example.com")
    assert _reset(paystub_mock, token, email="suspended@example.com").status_code == 200
    assert login(paystub_mock.client, "suspended@example.com", NEW).status_code == 403


def test_reset_validation_checks_before_the_token(paystub_mock: MockFixture) -> None:
    _forgot(paystub_mock)
    token = _mailed_token(paystub_mock)
    response = _reset(paystub_mock, token, password="short", password_confirmation="other")
    assert response.status_code == 422
    assert response.json == error(
        "The given data was invalid.",
        {
            "password": [
                "The password confirmation does not match.",
                "The password must be at least 8 characters.",
            ]
        },
    )
    assert _reset(paystub_mock, token).status_code == 200  # the token was not used up


@pytest.mark.authmock(profile="server")
def test_reset_validation_in_the_server_profile(paystub_mock: MockFixture) -> None:
    response = paystub_mock.client.post(
        "/admin/auth/reset-password",
        json={"email": "not-an-email", "password": "short", "password_confirmation": "short"},
    )
    assert response.status_code == 422
    assert response.json == error(
        "The token field is required. (and 2 more errors)",
        {
            "token": ["The token field is required."],
            "email": ["The email field must be a valid email address."],
            "password": ["The password field must be at least 8 characters."],
        },
    )
