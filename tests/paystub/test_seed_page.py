"""Every request and response of the seed page, against the live server (real HTTP)."""

from __future__ import annotations

import re

import requests

from authmock.pytest_plugin import MockFixture


def test_seed_page_walkthrough(paystub_mock: MockFixture) -> None:
    api = paystub_mock.url
    login = requests.post(
        f"{api}/admin/auth/login",
        json={"email": "owner@example.com", "password": "your-password"},
        timeout=5,
    )
    assert login.status_code == 200
    data = login.json()["data"]
    assert data["user"]["id"] == 1
    assert (data["user"]["first_name"], data["user"]["last_name"]) == ("John", "Doe")
    assert data["user"]["role"]["id"] == 1 and data["user"]["role"]["name"] == "Owner"
    assert data["user"]["role"]["permissions"][:3] == [
        "dashboard:stats",
        "users:list",
        "users:create",
    ]
    assert data["token"]["token_type"] == "Bearer"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", data["token"]["expires_at"])
    first = data["token"]["access_token"]
    assert first.startswith("1|")

    refreshed = requests.post(
        f"{api}/admin/auth/refresh", headers={"Authorization": f"Bearer {first}"}, timeout=5
    )
    second = refreshed.json()["data"]["token"]["access_token"]
    assert second.startswith("2|")

    me = requests.get(
        f"{api}/admin/auth/me", headers={"Authorization": f"Bearer {second}"}, timeout=5
    )
    assert me.json()["data"]["user"]["role"]["name"] == "Owner"

    _forgot_and_reset_password(paystub_mock)
    # the reset revoked every token of the user, so log in again to try logout
    third = requests.post(
        f"{api}/admin/auth/login",
        json={"email": "owner@example.com", "password": "new-password"},
        timeout=5,
    ).json()["data"]["token"]["access_token"]

    logout = requests.post(
        f"{api}/admin/auth/logout", headers={"Authorization": f"Bearer {third}"}, timeout=5
    )
    assert logout.json() == {"success": True, "data": {}, "message": "Logged out successfully"}
    after = requests.get(
        f"{api}/admin/auth/me", headers={"Authorization": f"Bearer {third}"}, timeout=5
    )
    assert after.status_code == 401


def _forgot_and_reset_password(paystub_mock: MockFixture) -> None:
    """The seed page's forgot-password and reset-password steps, through the mailbox."""
    api = paystub_mock.url
    forgot = requests.post(
        f"{api}/admin/auth/forgot-password", json={"email": "owner@example.com"}, timeout=5
    )
    assert forgot.json()["message"] == "Password reset link sent successfully"
    token = paystub_mock.mailbox.last(to="owner@example.com").token  # type: ignore[union-attr]
    reset = requests.post(
        f"{api}/admin/auth/reset-password",
        json={
            "token": token,
            "email": "owner@example.com",
            "password": "new-password",
            "password_confirmation": "new-password",
        },
        timeout=5,
    )
    assert reset.json()["message"] == "Password has been reset successfully"


def test_control_api_reset_brings_back_the_fixtures(paystub_mock: MockFixture) -> None:
    api = paystub_mock.url
    token = requests.post(
        f"{api}/admin/auth/login",
        json={"email": "owner@example.com", "password": "your-password"},
        timeout=5,
    ).json()["data"]["token"]["access_token"]
    assert requests.post(f"{api}/__authmock__/reset", timeout=5).status_code == 204
    me = requests.get(
        f"{api}/admin/auth/me", headers={"Authorization": f"Bearer {token}"}, timeout=5
    )
    assert me.status_code == 401
    assert me.json() == {"success": False, "message": "Unauthenticated.", "errors": None}
