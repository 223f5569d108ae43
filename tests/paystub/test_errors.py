"""Routing errors, huge bodies and the API rate limit, all in Paystub's envelope."""

from __future__ import annotations

import pytest

from authmock.pytest_plugin import MockFixture
from tests.paystub.helpers import (
    bearer,
    bundled,
    error,
    freeze,
    json_of,
    login,
    token_of,
    with_settings,
)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/admin",
        "/admin/auth",
        "/admin/auth/nope",
        "/api/admin/auth/login",
        "/admin/users/1/extra",
        "/admin//auth/me",  # Laravel does not merge slashes (and must not redirect)
        "//admin/auth/me",
        "/admin/users/%2F",  # an encoded slash is not trimmed
        "/%00",
        "/admin/%E2%82%AC",
    ],
)
def test_unknown_routes_are_404_resource_not_found(paystub_mock: MockFixture, path: str) -> None:
    response = paystub_mock.client.get(path)
    assert response.status_code == 404
    assert response.content_type == "application/json"
    assert response.json == error("Resource not found.")


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("GET", "/admin/auth/login", "POST"),
        ("PUT", "/admin/auth/logout", "POST"),
        ("DELETE", "/admin/auth/refresh", "POST"),
        ("POST", "/admin/auth/me", "GET, HEAD"),
        ("PATCH", "/admin/users/7", "GET, HEAD"),
        ("DELETE", "/admin/dashboard/stats", "GET, HEAD"),
    ],
)
def test_wrong_method_is_405_with_laravels_message_and_allow(
    paystub_mock: MockFixture, method: str, path: str, allowed: str
) -> None:
    response = paystub_mock.client.open(path, method=method)
    assert response.status_code == 405
    assert response.headers["Allow"] == allowed
    assert response.json == error(
        f"The {method} method is not supported for route {path.lstrip('/')}. "
        f"Supported methods: {allowed}."
    )


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE"])
def test_doubled_slashes_are_404_never_an_html_redirect(
    paystub_mock: MockFixture, method: str
) -> None:
    response = paystub_mock.client.open("/admin//auth/login", method=method, json={})
    assert response.status_code == 404
    assert "Location" not in response.headers
    assert response.json == error("Resource not found.")


def test_a_trailing_slash_reaches_the_route_like_laravels_router(
    paystub_mock: MockFixture,
) -> None:
    client = paystub_mock.client
    response = client.post(
        "/admin/auth/login/", json={"email": "owner@example.com", "password": "your-password"}
    )
    assert response.status_code == 200
    token = json_of(response)["data"]["token"]["access_token"]
    assert client.get("/admin/auth/me/", headers=bearer(token)).status_code == 200
    assert client.get("/admin/users/1/", headers=bearer(token)).status_code == 200
    assert client.get("/admin/auth/me///", headers=bearer(token)).status_code == 200
    listing = client.get("/admin/users//", headers=bearer(token))  # /admin/users, not {id}
    assert json_of(listing)["data"] == bundled()["endpoints"][1]["data"]
    wrong = client.put("/admin/auth/me/")
    assert wrong.status_code == 405
    assert wrong.json == error(
        "The PUT method is not supported for route admin/auth/me. Supported methods: GET, HEAD."
    )


@pytest.mark.parametrize(
    ("path", "route"),
    [
        ("/admin/users/a%20b", "admin/users/a%20b"),
        ("/admin/users/%E2%82%AC", "admin/users/%E2%82%AC"),
        ("/admin/users/€", "admin/users/€"),  # raw UTF-8 bytes on the wire, as curl sends them
    ],
)
def test_405_names_the_route_as_sent_still_encoded(
    paystub_mock: MockFixture, path: str, route: str
) -> None:
    response = paystub_mock.client.put(path + "?x=1")
    assert response.status_code == 405
    assert response.json == error(
        f"The PUT method is not supported for route {route}. Supported methods: GET, HEAD."
    )


def test_options_answers_200_with_allow_like_laravels_router(paystub_mock: MockFixture) -> None:
    response = paystub_mock.client.open("/admin/auth/me", method="OPTIONS")
    assert response.status_code == 200
    assert response.headers["Allow"] == "GET,HEAD"
    assert response.get_data() == b""


def test_head_on_a_get_route_is_answered(paystub_mock: MockFixture) -> None:
    token = token_of(paystub_mock.client)
    response = paystub_mock.client.head("/admin/auth/me", headers=bearer(token))
    assert response.status_code == 200
    assert response.get_data() == b""


def test_huge_body_is_413_in_the_envelope_and_changes_nothing(paystub_mock: MockFixture) -> None:
    body = b'{"email": "owner@example.com", "password": "' + b"x" * (8 * 1024 * 1024) + b'"}'
    response = paystub_mock.client.post(
        "/admin/auth/login", data=body, content_type="application/json"
    )
    assert response.status_code == 413
    assert response.json == error("The POST data is too large.")
    assert len(paystub_mock.store.table("paystub_tokens")) == 0
    assert len(paystub_mock.store.table("paystub_rate_limits")) == 0


def test_body_just_under_the_limit_is_read(paystub_mock: MockFixture) -> None:
    padding = b" " * (8 * 1024 * 1024 - 100)
    body = b'{"email": "owner@example.com", "password": "your-password"}' + padding
    response = paystub_mock.client.post(
        "/admin/auth/login", data=body, content_type="application/json"
    )
    assert response.status_code == 200


def test_body_of_exactly_8_mib_is_read_one_byte_more_is_413(paystub_mock: MockFixture) -> None:
    start = b'{"email": "owner@example.com", "password": "your-password"}'
    body = start + b" " * (8 * 1024 * 1024 - len(start))
    client = paystub_mock.client
    exact = client.post("/admin/auth/login", data=body, content_type="application/json")
    assert exact.status_code == 200  # ValidatePostSize refuses only CONTENT_LENGTH > max
    over = client.post("/admin/auth/login", data=body + b" ", content_type="application/json")
    assert over.status_code == 413
    assert over.json == error("The POST data is too large.")


def test_errors_are_never_html(paystub_mock: MockFixture) -> None:
    client = paystub_mock.client
    for response in (
        client.get("/nope"),
        client.put("/admin/auth/login"),
        client.get("/admin/auth/me"),
        client.post("/admin/auth/login", data="{", content_type="application/json"),
    ):
        assert response.content_type == "application/json"
        assert json_of(response)["success"] is False


def test_unexpected_exception_is_a_500_envelope(paystub_mock: MockFixture) -> None:
    from authmock.flavours.paystub import flavour

    response = flavour.render_error(500, RuntimeError("boom"))
    assert response.status_code == 500
    assert response.json == error("Server Error")


# --- the API rate limit (Laravel 10's throttle:api) --------------------------------------------
def test_successful_answers_carry_rate_limit_headers(paystub_mock: MockFixture) -> None:
    first = login(paystub_mock.client)
    assert first.headers["X-RateLimit-Limit"] == "60"
    assert first.headers["X-RateLimit-Remaining"] == "59"
    second = login(paystub_mock.client, "owner@example.com", "wrong")  # errors count too
    assert second.headers["X-RateLimit-Remaining"] == "58"


def test_authenticated_requests_are_counted_per_user(paystub_mock: MockFixture) -> None:
    client = paystub_mock.client
    token = token_of(client)  # 1 request for this IP
    response = client.get("/admin/auth/me", headers=bearer(token))
    assert response.headers["X-RateLimit-Remaining"] == "59"  # the user's own bucket


def test_401_is_neither_counted_nor_given_rate_headers(paystub_mock: MockFixture) -> None:
    response = paystub_mock.client.get("/admin/auth/me")
    assert response.status_code == 401
    assert "X-RateLimit-Limit" not in response.headers
    assert login(paystub_mock.client).headers["X-RateLimit-Remaining"] == "59"


@pytest.mark.authmock(fixtures=with_settings(api_rate_limit=3))
def test_over_the_limit_is_429_with_retry_headers(paystub_mock: MockFixture) -> None:
    freeze(paystub_mock)
    client = paystub_mock.client
    token = token_of(client)
    for remaining in ("2", "1", "0"):
        answer = client.get("/admin/auth/me", headers=bearer(token))
        assert answer.headers["X-RateLimit-Remaining"] == remaining
    paystub_mock.clock.advance(20)
    response = client.get("/admin/auth/me", headers=bearer(token))
    assert response.status_code == 429
    assert response.json == error(
        "Too Many Attempts.", {"detail": "Rate limit exceeded. Please try again later."}
    )
    assert response.headers["X-RateLimit-Limit"] == "3"
    assert response.headers["X-RateLimit-Remaining"] == "0"
    assert response.headers["Retry-After"] == "40"
    window_end = int(paystub_mock.clock.time()) + 40
    assert response.headers["X-RateLimit-Reset"] == str(window_end)
    paystub_mock.clock.advance(39)
    assert client.get("/admin/auth/me", headers=bearer(token)).status_code == 429
    paystub_mock.clock.advance(1)
    assert client.get("/admin/auth/me", headers=bearer(token)).status_code == 200


@pytest.mark.authmock(fixtures=with_settings(api_rate_limit=2))
def test_429_on_login_changes_nothing(paystub_mock: MockFixture) -> None:
    client = paystub_mock.client
    login(client, "owner@example.com", "wrong")
    login(client, "owner@example.com", "wrong")
    response = login(client)
    assert response.status_code == 429
    assert len(paystub_mock.store.table("paystub_tokens")) == 0


@pytest.mark.authmock(fixtures=with_settings(api_rate_limit=0))
def test_rate_limit_can_be_switched_off(paystub_mock: MockFixture) -> None:
    response = login(paystub_mock.client)
    assert response.status_code == 200
    assert "X-RateLimit-Limit" not in response.headers


def test_other_http_errors_keep_the_envelope(paystub_mock: MockFixture) -> None:
    from werkzeug.exceptions import BadRequest, UnsupportedMediaType

    from authmock.flavours.paystub import flavour

    with paystub_mock.app.test_request_context("/admin/auth/login", method="POST"):
        for exc in (BadRequest(), UnsupportedMediaType()):
            response = flavour.render_error(exc.code or 0, exc)
            assert response.status_code == exc.code
            assert response.json == error(exc.name)


def test_answers_carry_laravels_default_cache_control(paystub_mock: MockFixture) -> None:
    assert login(paystub_mock.client).headers["Cache-Control"] == "no-cache, private"
    assert paystub_mock.client.get("/nope").headers["Cache-Control"] == "no-cache, private"


def test_status_lines_carry_symfonys_reason_phrases(paystub_mock: MockFixture) -> None:
    client = paystub_mock.client
    assert login(client).status == "200 OK"
    assert client.get("/admin/auth/me").status == "401 Unauthorized"
    assert client.get("/nope").status == "404 Not Found"
    assert client.put("/admin/auth/login").status == "405 Method Not Allowed"
    assert login(client, "owner@example.com", "wrong").status == "422 Unprocessable Content"
    assert login(client, "customer@example.com").status == "403 Forbidden"


def test_reason_phrase_on_the_wire(paystub_mock: MockFixture) -> None:
    import requests

    response = requests.post(f"{paystub_mock.url}/admin/auth/login", json={}, timeout=5)
    assert (response.status_code, response.reason) == (422, "Unprocessable Content")
