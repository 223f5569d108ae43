"""How to: test code that talks to the Paystub admin API.

The `paystub_mock` fixture (installed with authmock, nothing to configure) is a fake of
`/admin/auth/*` with the bundled users, all with the password `your-password`:

    owner@example.com (Owner)      manager@example.com (Manager)   developer@example.com
    support@example.com            marketing@example.com
    customer@example.com (no admin role)
    suspended@example.com (Manager, suspended)

Every test starts from those fixtures, an empty mailbox and the real time. `paystub_mock.client`
is a Flask test client; `paystub_mock.url` is a live server for `requests` or a browser.
"""

from __future__ import annotations

from authmock.pytest_plugin import MockFixture


def test_log_in_and_call_the_api(paystub_mock: MockFixture) -> None:
    client = paystub_mock.client
    login = client.post(
        "/admin/auth/login", json={"email": "owner@example.com", "password": "your-password"}
    )
    assert login.status_code == 200
    # the token: {"access_token": "1|...", "token_type": "Bearer", ...}
    token = login.get_json()["data"]["token"]

    me = client.get("/admin/auth/me", headers={"Authorization": f"Bearer {token['access_token']}"})
    assert me.get_json()["data"]["user"]["role"]["name"] == "Owner"
    assert "users:delete" in me.get_json()["data"]["user"]["meta"]["permissions"]


def test_a_token_lives_24_hours_on_the_mock_clock(paystub_mock: MockFixture) -> None:
    # Freeze the clock so "24 hours minus one second" means exactly that.
    paystub_mock.clock.freeze()
    paystub_mock.clock.set("2025-02-12T10:00:00Z")
    client = paystub_mock.client
    token = client.post(
        "/admin/auth/login", json={"email": "manager@example.com", "password": "your-password"}
    ).get_json()["data"]["token"]
    assert token["expires_at"] == "2025-02-13T10:00:00Z"
    auth = {"Authorization": f"Bearer {token['access_token']}"}

    paystub_mock.clock.advance("23h")
    refreshed = client.post("/admin/auth/refresh", headers=auth)  # refresh before it expires
    new_auth = {"Authorization": f"Bearer {refreshed.get_json()['data']['token']['access_token']}"}
    assert client.get("/admin/auth/me", headers=auth).status_code == 401  # the old one is gone

    paystub_mock.clock.advance("24h")  # nobody refreshed the new one either
    expired = client.get("/admin/auth/me", headers=new_auth)
    assert expired.status_code == 401
    assert expired.get_json() == {"success": False, "message": "Unauthenticated.", "errors": None}


def test_reset_a_password_with_the_link_from_the_mailbox(paystub_mock: MockFixture) -> None:
    client = paystub_mock.client
    client.post("/admin/auth/forgot-password", json={"email": "support@example.com"})

    # Nothing leaves the process: the "e-mail" lands in the mailbox, token and link included.
    mail = paystub_mock.mailbox.last(to="support@example.com")
    assert mail is not None
    assert mail.links[0].endswith(f"/password-reset/{mail.token}?email=support@example.com")

    reset = client.post(
        "/admin/auth/reset-password",
        json={
            "token": mail.token,
            "email": "support@example.com",
            "password": "a-new-password",
            "password_confirmation": "a-new-password",
        },
    )
    assert reset.get_json()["message"] == "Password has been reset successfully"
    login = client.post(
        "/admin/auth/login", json={"email": "support@example.com", "password": "a-new-password"}
    )
    assert login.status_code == 200


def test_what_a_role_may_not_do(paystub_mock: MockFixture) -> None:
    client = paystub_mock.client
    token = client.post(
        "/admin/auth/login", json={"email": "marketing@example.com", "password": "your-password"}
    ).get_json()["data"]["token"]["access_token"]
    users = client.get("/admin/users", headers={"Authorization": f"Bearer {token}"})
    assert users.status_code == 403
    assert users.get_json()["message"] == "This action is unauthorized."
