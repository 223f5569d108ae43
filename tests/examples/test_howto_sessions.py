"""How to: see and end the sessions your client holds, as the inspector page does.

``GET /__authmock__/sessions`` lists every session and token the product still knows (expired
ones flagged), ``DELETE /__authmock__/sessions/<id>`` ends one as if that client logged out,
``GET /__authmock__/users`` lists the fixture users. The inspector page at
``/__authmock__/`` is these calls with buttons.
"""

from __future__ import annotations

import requests

from authmock.pytest_plugin import MockFixture


def test_a_client_notices_its_session_was_ended_elsewhere(paystub_mock: MockFixture) -> None:
    base = paystub_mock.url
    login = requests.post(f"{base}/admin/auth/login", timeout=5,
                          json={"email": "owner@example.com", "password": "your-password"})
    token = login.json()["data"]["token"]["access_token"]
    me = requests.get(f"{base}/admin/auth/me", headers={"Authorization": f"Bearer {token}"},
                      timeout=5)
    assert me.status_code == 200

    sessions = requests.get(f"{base}/__authmock__/sessions", timeout=5).json()["sessions"]
    [mine] = [s for s in sessions if s["user"] == "owner@example.com"]
    assert mine["kind"] == "Sanctum token" and not mine["expired"]
    ended = requests.delete(f"{base}/__authmock__/sessions/{mine['id']}", timeout=5)
    assert ended.status_code == 204

    me = requests.get(f"{base}/admin/auth/me", headers={"Authorization": f"Bearer {token}"},
                      timeout=5)
    assert me.status_code == 401  # what your client must handle: back to the login screen
    assert me.json()["message"] == "Unauthenticated."


def test_expired_sessions_stay_listed_until_the_product_forgets_them(
    directus_mock: MockFixture,
) -> None:
    client = directus_mock.client
    client.post("/auth/login", json={"email": "admin@example.com", "password": "password"})
    directus_mock.clock.advance("15m")
    listed = {s["kind"]: s for s in client.get("/__authmock__/sessions").get_json()["sessions"]}
    assert listed["access"]["expired"] is True  # 15 minutes: the access token is gone
    assert listed["refresh"]["expired"] is False  # the refresh token has days left
