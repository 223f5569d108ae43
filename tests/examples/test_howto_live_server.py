"""How to: point real HTTP code (requests, a browser, another process) at the fake.

`paystub_mock.url` is a live threaded server started once per session; its state is reset
before every test just like `.client`. Out-of-process users move its clock over HTTP with the
control API, exactly as this test does.
"""

from __future__ import annotations

import requests

from authmock.pytest_plugin import MockFixture


def test_login_then_token_expires_after_24_hours(paystub_mock: MockFixture) -> None:
    api = paystub_mock.url
    login = requests.post(
        f"{api}/admin/auth/login",
        json={"email": "owner@example.com", "password": "your-password"},
        headers={"Accept": "application/json"},
        timeout=5,
    )
    assert login.status_code == 200
    token = login.json()["data"]["token"]["access_token"]
    auth = {"Authorization": f"Bearer {token}", "Accept": "application/json"}

    assert requests.get(f"{api}/admin/auth/me", headers=auth, timeout=5).status_code == 200

    # Move the server's clock the way any process can: through the control API.
    clock = requests.post(f"{api}/__authmock__/clock", json={"advance": "24h"}, timeout=5)
    assert clock.json()["offset_seconds"] >= 86399

    expired = requests.get(f"{api}/admin/auth/me", headers=auth, timeout=5)
    assert expired.status_code == 401
    assert expired.json()["message"] == "Unauthenticated."


def test_each_test_starts_from_the_fixtures(paystub_mock: MockFixture) -> None:
    # The previous test moved the clock and issued a token; none of that is left.
    clock = requests.get(f"{paystub_mock.url}/__authmock__/clock", timeout=5).json()
    assert abs(clock["offset_seconds"]) < 5
    assert paystub_mock.journal.entries() == []
