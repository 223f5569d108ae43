"""Several Paystub apps in one process: each serves its own fixture's guarded endpoints.

The /admin/auth views are module-level and read their app through ``current_mock()``; the
guarded endpoints come from each app's fixture. Apps built side by side, with the same path
declared differently, must not see each other's routes, permissions, data or tokens.
"""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

import authmock
from authmock.pytest_plugin import MockFixture
from tests.paystub.helpers import bearer, bundled, json_of, login, token_of


def _app_with(endpoints: list[dict[str, Any]]) -> FlaskClient:
    fixture = bundled()
    fixture["endpoints"] = endpoints
    return authmock.create_app("paystub", fixtures=fixture).test_client()


def test_apps_side_by_side_serve_their_own_endpoints(paystub_mock: MockFixture) -> None:
    first = _app_with([{"method": "GET", "path": "/admin/widgets", "permission": "users:list",
                        "data": {"app": "first"}}])
    second = _app_with([
        {"method": "GET", "path": "/admin/widgets", "permission": "sites:list",
         "data": {"app": "second"}, "status": 202, "message": "Listed"},
        {"method": "DELETE", "path": "/admin/gadgets/{id}", "permission": "users:delete",
         "data": None},
    ])
    developer_first = token_of(first, "developer@example.com")  # Developer: no users:list
    developer_second = token_of(second, "developer@example.com")  # ...but sites:list
    answer = second.get("/admin/widgets", headers=bearer(developer_second))
    assert (answer.status_code, json_of(answer)) == (
        202, {"success": True, "data": {"app": "second"}, "message": "Listed"}
    )
    assert first.get("/admin/widgets", headers=bearer(developer_first)).status_code == 403
    owner_first = token_of(first)
    answer = first.get("/admin/widgets", headers=bearer(owner_first))
    assert (answer.status_code, json_of(answer)) == (200, {"success": True,
                                                           "data": {"app": "first"}})
    assert first.delete("/admin/gadgets/1", headers=bearer(owner_first)).status_code == 404
    assert second.delete("/admin/gadgets/1").status_code == 401
    # the plugin's app keeps the bundled endpoints and knows neither of these
    assert paystub_mock.client.get("/admin/widgets").status_code == 404
    bundled_owner = token_of(paystub_mock.client)
    assert paystub_mock.client.get("/admin/users", headers=bearer(bundled_owner)).status_code \
        == 200
    assert first.get("/admin/users", headers=bearer(owner_first)).status_code == 404


def test_a_token_is_only_good_for_the_app_that_issued_it() -> None:
    first, second = _app_with([]), _app_with([])
    token = token_of(first)
    assert first.get("/admin/auth/me", headers=bearer(token)).status_code == 200
    assert second.get("/admin/auth/me", headers=bearer(token)).status_code == 401
    assert login(second).status_code == 200
