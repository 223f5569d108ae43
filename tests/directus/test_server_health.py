"""GET /server/health: the anonymous status, the admin's detail, the headers respond sends."""

from __future__ import annotations

from typing import Any

import pytest

from authmock import create_app

from .helpers import HELLO, STATIC_TOKEN, bearer, error, tokens, with_settings

HEALTH_TYPE = "application/health+json; charset=utf-8"


def test_anonymous_sees_only_the_status(directus_mock: Any) -> None:
    response = directus_mock.client.get("/server/health")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == '{"status":"ok"}'
    assert response.headers["Content-Type"] == HEALTH_TYPE
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["Vary"] == "Origin, Cache-Control"
    assert response.headers["X-Powered-By"] == "Directus"
    assert response.headers["ETag"].startswith('W/"f-')


def test_non_admin_user_sees_only_the_status(directus_mock: Any) -> None:
    token = tokens(directus_mock.client, HELLO)["access_token"]
    response = directus_mock.client.get("/server/health", headers=bearer(token))
    assert response.get_json() == {"status": "ok"}


def test_admin_sees_release_service_and_checks(directus_mock: Any) -> None:
    response = directus_mock.client.get(
        "/server/health", headers=bearer(STATIC_TOKEN), base_url="http://api.test:8055"
    )
    body = response.get_json()
    assert response.status_code == 200
    assert response.headers["Content-Type"] == HEALTH_TYPE
    assert list(body) == ["status", "releaseId", "serviceId", "checks"]
    assert body["status"] == "ok"
    assert body["releaseId"] == "11.17.4"
    assert body["serviceId"] == "http://api.test:8055"
    assert list(body["checks"]) == [
        "sqlite3:responseTime", "sqlite3:connectionsAvailable", "sqlite3:connectionsUsed",
        "storage:local:responseTime", "email:connection",
    ]
    db = body["checks"]["sqlite3:responseTime"][0]
    assert list(db) == ["status", "componentType", "observedUnit", "observedValue", "threshold"]
    assert (db["status"], db["componentType"], db["threshold"]) == ("ok", "datastore", 150)
    assert body["checks"]["email:connection"] == [{"status": "ok", "componentType": "email"}]
    storage = body["checks"]["storage:local:responseTime"][0]
    assert (storage["componentType"], storage["threshold"]) == ("objectstore", 750)


def test_rate_limiter_check_appears_when_the_limiter_is_on() -> None:
    app = create_app("directus", fixtures=with_settings(RATE_LIMITER_ENABLED=True))
    body = app.test_client().get("/server/health", headers=bearer(STATIC_TOKEN)).get_json()
    names = list(body["checks"])
    assert names.index("rateLimiter:responseTime") == names.index("sqlite3:connectionsUsed") + 1
    assert body["checks"]["rateLimiter:responseTime"][0]["componentType"] == "ratelimiter"


@pytest.mark.parametrize(("token", "expected"), [
    ("not-a-token", (401, "Invalid user credentials.", "INVALID_CREDENTIALS", {})),
])
def test_bad_token_fails_before_the_route(directus_mock: Any, token: str, expected: Any) -> None:
    # authenticate runs before the /server router, as for every route
    assert error(directus_mock.client.get("/server/health", headers=bearer(token))) == expected


def test_wrong_method_is_route_not_found(directus_mock: Any) -> None:
    status, _, code, ext = error(directus_mock.client.post("/server/health"))
    assert (status, code, ext) == (404, "ROUTE_NOT_FOUND", {"path": "/server/health"})


def test_fixture_public_url_is_the_service_id() -> None:
    app = create_app("directus", fixtures=with_settings(PUBLIC_URL="https://cms.example.com"))
    body = app.test_client().get("/server/health", headers=bearer(STATIC_TOKEN)).get_json()
    assert body["serviceId"] == "https://cms.example.com"


def test_banner_points_at_graphql_and_the_websocket(directus_mock: Any) -> None:
    lines = directus_mock.mock.flavour.banner(directus_mock.mock, "http://127.0.0.1:8055")
    assert "GraphQL: POST http://127.0.0.1:8055/graphql/system (auth_login, users_me, ...) and " \
        "http://127.0.0.1:8055/graphql" in lines
    assert 'WebSocket: ws://127.0.0.1:8055/websocket (first message {"type":"auth", ...})' in lines
