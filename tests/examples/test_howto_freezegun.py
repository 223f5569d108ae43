"""How to: use freezegun (or time-machine) instead of the mock clock.

authmock's clock follows `time.time()`, so freezing time in the test process freezes it in the
fake too, and `clock.advance()` still works on top of a frozen time.
"""

from __future__ import annotations

from freezegun import freeze_time

from authmock.pytest_plugin import MockFixture


def test_token_expiry_follows_freezegun(paystub_mock: MockFixture) -> None:
    client = paystub_mock.client
    with freeze_time("2030-01-01 09:00:00") as frozen:
        login = client.post(
            "/admin/auth/login",
            json={"email": "owner@example.com", "password": "your-password"},
            headers={"Accept": "application/json"},
        )
        token = login.get_json()["data"]["token"]
        assert token["expires_at"].startswith("2030-01-02T09:00:00")
        auth = {"Authorization": f"Bearer {token['access_token']}", "Accept": "application/json"}

        frozen.tick(24 * 3600 - 1)  # one second before expiry
        assert client.get("/admin/auth/me", headers=auth).status_code == 200
        frozen.tick(1)
        assert client.get("/admin/auth/me", headers=auth).status_code == 401
