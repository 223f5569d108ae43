"""Many clients at once: unique token ids, and a token deleted mid-request is refused."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

import authmock
from authmock.pytest_plugin import MockFixture
from tests.paystub.helpers import json_of

CREDENTIALS = {"email": "owner@example.com", "password": "your-password"}


def test_concurrent_logins_get_distinct_increasing_ids(paystub_mock: MockFixture) -> None:
    url = f"{paystub_mock.url}/admin/auth/login"
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(
            pool.map(lambda _: requests.post(url, json=CREDENTIALS, timeout=5), range(24))
        )
    assert {a.status_code for a in answers} == {200}
    ids = sorted(int(a.json()["data"]["token"]["access_token"].split("|")[0]) for a in answers)
    assert ids == list(range(1, 25))


@pytest.mark.parametrize("path", ["/admin/auth/refresh", "/admin/auth/logout"])
def test_token_deleted_between_middleware_and_view_is_401(path: str) -> None:
    # A concurrent logout can delete the token after the auth middleware accepted it; the view
    # checks again under the request lock, so one token never refreshes twice.
    app = authmock.create_app("paystub")
    client = app.test_client()
    token = json_of(client.post("/admin/auth/login", json=CREDENTIALS))["data"]["token"]
    tokens = app.mock.store.table("paystub_tokens")

    def concurrent_logout() -> None:
        tokens.delete(1)

    app.before_request_funcs.setdefault("paystub", []).append(concurrent_logout)
    response = client.post(path, headers={"Authorization": f"Bearer {token['access_token']}"})
    assert response.status_code == 401
    assert response.json == {"success": False, "message": "Unauthenticated.", "errors": None}
    assert len(tokens) == 0  # refresh issued nothing
