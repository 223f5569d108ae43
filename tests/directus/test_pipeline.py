"""Headers, routing, body parsing, hostile input, rate limiting, login suspension, stalls."""

from __future__ import annotations

import gzip
import json
import time
from typing import Any

import pytest

from .helpers import (
    ADMIN,
    ADMIN_ID,
    HELLO,
    STATIC_TOKEN,
    T0,
    bearer,
    error,
    login,
    tokens,
    with_settings,
)

# Directus's own pipeline with its default CORS (off): authmock's development CORS (on unless
# `--cors off`) would add its headers to every answer and answer every OPTIONS itself
pytestmark = pytest.mark.authmock(cors=False)

CSP = (
    "script-src 'self' 'unsafe-eval';worker-src 'self' blob:;child-src 'self' blob:;img-src 'self' "
    "data: blob: https://raw.githubusercontent.com https://avatars.githubusercontent.com;media-src "
    "'self';connect-src 'self' https://* wss://*;default-src 'self';base-uri 'self';"
    "font-src 'self' https: data:;form-action 'self';frame-ancestors 'self';object-src 'none';"
    "script-src-attr 'none';style-src 'self' https: 'unsafe-inline'"
)


def _payload(reason: str) -> tuple[int, str, str, dict[str, Any]]:
    return 400, f"Invalid payload. {reason}.", "INVALID_PAYLOAD", {"reason": reason}


def test_headers_on_successes_and_errors(directus_mock: Any) -> None:
    client = directus_mock.client
    ok = login(client, ADMIN)
    bad = login(client, ADMIN, "wrong")
    for response in (ok, bad):
        assert response.headers["Content-Security-Policy"] == CSP
        assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin-allow-popups"
        assert response.headers["X-Powered-By"] == "Directus"
        assert response.headers["Content-Type"] == "application/json; charset=utf-8"
        assert response.headers["ETag"].startswith('W/"')
        assert "Server" not in response.headers
    assert (ok.headers["Cache-Control"], ok.headers["Vary"]) == (
        "no-cache",
        "Origin, Cache-Control",
    )
    assert "Cache-Control" not in bad.headers and "Vary" not in bad.headers
    body = ok.get_data()
    assert ok.headers["ETag"] == f'W/"{len(body):x}-{_sha1_27(body)}"'


def _sha1_27(body: bytes) -> str:
    import base64
    import hashlib

    return base64.b64encode(hashlib.sha1(body).digest()).decode()[:27]


def test_204_has_no_body_and_no_content_type(directus_mock: Any) -> None:
    response = directus_mock.client.post("/auth/password/request", json={"email": "x@example.com"})
    assert response.status_code == 204
    assert response.get_data() == b""
    assert "Content-Type" not in response.headers
    assert response.headers["X-Powered-By"] == "Directus"


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/auth/login"), ("PUT", "/auth/login"), ("PUT", "/users/me"), ("GET", "/nowhere"),
     ("POST", "/items/articles"), ("GET", "/auth/oauth/google"), ("PATCH", "/auth")],
)
def test_unknown_routes_and_methods(directus_mock: Any, method: str, path: str) -> None:
    response = directus_mock.client.open(path + "?x=1", method=method)
    assert error(response) == (
        404,
        f"Route {path} doesn't exist.",
        "ROUTE_NOT_FOUND",
        {"path": path},
    )


def test_express_routing_rules(directus_mock: Any) -> None:
    client = directus_mock.client
    body = {"email": ADMIN, "password": "password"}
    assert client.post("/auth/login/", json=body).status_code == 200  # trailing slash
    assert client.post("/AUTH/LOGIN", json=body).status_code == 200  # case-insensitive
    options = client.options("/auth/login")
    assert (options.status_code, options.headers["Allow"], options.get_data(as_text=True)) == (
        200,
        "POST",
        "POST",
    )
    assert options.headers["Content-Type"] == "text/html; charset=utf-8"
    assert client.options("/auth").headers["Allow"] == "GET,HEAD"
    # one router per provider: each name offers only its driver's methods
    assert client.options("/auth/login/google").headers["Allow"] == "GET,HEAD"
    assert client.options("/auth/login/ldap").headers["Allow"] == "POST"
    assert client.options("/auth/login/google/callback").headers["Allow"] == "POST,GET,HEAD"
    assert error(client.options("/auth/login/github"))[2] == "ROUTE_NOT_FOUND"
    assert error(client.options("/nowhere"))[2] == "ROUTE_NOT_FOUND"
    ping = client.get("/server/ping", headers=bearer("garbage"))  # ping runs before authenticate
    assert (ping.status_code, ping.get_data(as_text=True)) == (200, "pong")
    root = client.get("/", headers=bearer("garbage"))  # before authentication too
    assert (root.status_code, root.headers["Location"]) == (302, "./admin")
    robots = client.get("/robots.txt", headers=bearer("garbage"))
    assert (robots.status_code, robots.get_data(as_text=True)) == (
        200,
        "User-agent: *\nDisallow: /",
    )


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/foo%20bar"), ("GET", "/items%2Farticles"), ("POST", "/auth/%6Cogin"),
     ("POST", "/auth//login"), ("POST", "/auth/login/%6Cdap")],
)
def test_routes_match_the_path_as_sent(directus_mock: Any, method: str, path: str) -> None:
    """Express's req.path keeps percent-escapes and repeated slashes, in matching and in the
    ROUTE_NOT_FOUND message alike."""
    response = directus_mock.client.open(
        path, method=method, json={"email": ADMIN, "password": "password"}
    )
    assert error(response) == (
        404,
        f"Route {path} doesn't exist.",
        "ROUTE_NOT_FOUND",
        {"path": path},
    )


def test_route_parameters_are_decoded_and_provider_mounts_ignore_case(directus_mock: Any) -> None:
    client = directus_mock.client
    assert [a["id"] for a in client.get("/items/arti%63les").get_json()["data"]] == [1, 2]
    assert client.get("/items/articles/%31").get_json()["data"]["id"] == 1
    ldap = client.post(
        "/auth/login/LDAP", json={"identifier": "user@company.com", "password": "password"}
    )
    assert ldap.status_code == 200
    start = client.get("/auth/login/Google")
    assert start.status_code == 302
    assert (
        "redirect_uri=http%3A%2F%2Flocalhost%2Fauth%2Flogin%2Fgoogle%2Fcallback"
        in start.headers["Location"]
    )


def test_live_server_keeps_the_path_as_sent(directus_mock: Any) -> None:
    import socket

    import requests

    for path in ("/foo%20bar", "/auth//login"):
        response = requests.post(
            f"{directus_mock.url}{path}", json={"email": ADMIN, "password": "password"}, timeout=10
        )
        assert response.status_code == 404
        assert response.json()["errors"][0]["message"] == f"Route {path} doesn't exist."
    # raw bytes in the request target read as Node reads them (latin-1), not double-decoded
    host, port = directus_mock.url.split("//")[1].split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"GET /\xff HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        raw = b""
        while chunk := sock.recv(65536):
            raw += chunk
    body = json.loads(raw.split(b"\r\n\r\n", 1)[1])
    assert body["errors"][0]["extensions"]["path"] == "/\u00ff"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ('{"email": }', 'Unexpected token \'}\', "{"email": }" is not valid JSON'),
        ("{bad", "Expected property name or '}' in JSON at position 1"),
        ("null", "Unexpected token 'n', \"null\" is not valid JSON"),
        ('"str"', 'Unexpected token \'"\', ""str"" is not valid JSON'),
        ("123", "Unexpected token '1', \"123\" is not valid JSON"),
        ('{"email": "a@b.co"', "Expected ',' or '}' after property value in JSON at position 18"),
        ("   ", "Unexpected end of JSON input"),
        ('{"a":1} x', "Unexpected non-whitespace character after JSON at position 8"),
        (
            '{"email":"admin@example.com","password":"p" junk}',
            "Expected ',' or '}' after property value in JSON at position 44",
        ),
        (
            '{"email":"admin@example.com" , password:1}',
            "Expected double-quoted property name in JSON at position 31",
        ),
        ('{"a":NaN}', 'Unexpected token \'N\', "{"a":NaN}" is not valid JSON'),
        (
            '{"aaaaaaaaaaaaaaaaaaaaaaa": x}',
            'Unexpected token \'x\', ..."aaaaaaa": x}" is not valid JSON',
        ),
        (
            '{"x": "😀" , ?}',
            "Expected double-quoted property name in JSON at position 13",
        ),  # UTF-16
        (
            '{"x": "😀😀😀😀😀😀😀😀" ?}',
            "Expected ',' or '}' after property value in JSON at position 25",
        ),
    ],
)
def test_malformed_json_answers_with_node_20_wording(
    directus_mock: Any, raw: str, reason: str
) -> None:
    response = directus_mock.client.post(
        "/auth/login", data=raw.encode(), content_type="application/json"
    )
    assert error(response) == _payload(reason)


def test_other_body_parser_refusals(directus_mock: Any) -> None:
    client = directus_mock.client
    latin = client.post("/auth/login", data=b"{}", content_type="application/json; charset=latin1")
    assert error(latin) == _payload('unsupported charset "LATIN1"')
    brotli = client.post(
        "/auth/login",
        data=b"{}",
        content_type="application/json",
        headers={"Content-Encoding": "br"},
    )
    assert error(brotli) == _payload('unsupported content encoding "br"')
    zipped = gzip.compress(json.dumps({"email": ADMIN, "password": "password"}).encode())
    ok = client.post(
        "/auth/login",
        data=zipped,
        content_type="application/json",
        headers={"Content-Encoding": "gzip"},
    )
    assert ok.status_code == 200
    bom = client.post(
        "/auth/login",
        data=b"\xef\xbb\xbf" + json.dumps({"email": ADMIN, "password": "password"}).encode(),
        content_type="application/json",
    )
    assert bom.status_code == 200


def test_a_two_megabyte_body_is_too_large_and_changes_nothing(directus_mock: Any) -> None:
    client = directus_mock.client
    body = json.dumps({"email": ADMIN, "password": "password", "pad": "x" * 2_000_000})
    response = client.post("/auth/login", data=body, content_type="application/json")
    assert error(response) == _payload("request entity too large")
    assert len(directus_mock.store["directus_sessions"]) == 0
    assert directus_mock.store["directus_users"][ADMIN_ID]["last_access"] is None


def test_a_chunked_body_over_the_limit_is_too_large_too(directus_mock: Any) -> None:
    import requests

    body = json.dumps({"email": ADMIN, "password": "password", "pad": "x" * 2_000_000}).encode()
    chunks = (body[i : i + 65536] for i in range(0, len(body), 65536))  # no Content-Length
    response = requests.post(f"{directus_mock.url}/auth/login", data=chunks,
                             headers={"Content-Type": "application/json"}, timeout=10)
    assert response.request.headers["Transfer-Encoding"] == "chunked"
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"] == {
        "reason": "request entity too large", "code": "INVALID_PAYLOAD"}
    assert len(directus_mock.store["directus_sessions"]) == 0
    # a chunked body under the limit is parsed as usual
    small = json.dumps({"email": ADMIN, "password": "password"}).encode()
    ok = requests.post(f"{directus_mock.url}/auth/login", data=iter([small[:10], small[10:]]),
                       headers={"Content-Type": "application/json"}, timeout=10)
    assert ok.status_code == 200


def test_a_compressed_body_is_limited_by_its_inflated_size(directus_mock: Any) -> None:
    bomb = gzip.compress(
        b'{"email":"' + b"a" * 30_000_000 + b'"}', compresslevel=1
    )  # 30 MB in ~130 kB
    assert len(bomb) < 1024 * 1024
    import tracemalloc

    tracemalloc.start()
    try:
        response = directus_mock.client.post(
            "/auth/login",
            data=bomb,
            content_type="application/json",
            headers={"Content-Encoding": "gzip"},
        )
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert error(response) == _payload("request entity too large")
    assert peak < 15_000_000, f"inflating the body allocated {peak} bytes"
    exact = gzip.compress(json.dumps({"email": ADMIN, "password": "password", "pad": ""}).encode())
    assert directus_mock.client.post("/auth/login", data=exact, content_type="application/json",
                                     headers={"Content-Encoding": "gzip"}).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        b"\xff\xfe\x00",
        b'{"email": "\xff"}',
        b"[" * 5000,
        b'{"a":' * 3000,
        b'{"email":{"$gt":""},"password":1}',
        b'{"__proto__":{"x":1},"email":"a@b.co","password":"x"}',
        b'{"email":"' + b"a" * 300 + b'@example.com","password":"x"}',
        b'{"email":"admin@example.com","password":"password","mode":["json"]}',
        b"\x00\x01\x02",
    ],
)
@pytest.mark.parametrize(
    "path",
    [
        "/auth/login",
        "/auth/refresh",
        "/auth/logout",
        "/auth/password/request",
        "/auth/password/reset",
        "/auth/login/ldap",
    ],
)
def test_hostile_bodies_get_directus_envelopes(directus_mock: Any, body: bytes, path: str) -> None:
    response = directus_mock.client.post(path, data=body, content_type="application/json")
    assert response.status_code in (204, 400, 401, 403)
    if response.status_code != 204:
        assert response.get_json()["errors"][0]["extensions"]["code"]
    assert len(directus_mock.store["directus_sessions"]) == 0


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "Bearer " + "a" * 10000},
        {"Authorization": "Bearer \u00e9t\u00e9".encode().decode("latin-1")},
        {"Authorization": "Bearer eyJ.eyJ.x"},
        {"Authorization": "Bearer ....."},
        {"Authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.W10.x"},
        {"Authorization": "Bearer bnVsbA.bnVsbA.x"},
        {"Cookie": "directus_session_token=%%%; directus_refresh_token="},
    ],
)
def test_hostile_tokens_get_directus_envelopes(directus_mock: Any, headers: dict[str, str]) -> None:
    response = directus_mock.client.get("/users/me", headers=headers)
    assert response.status_code in (401, 403)
    assert response.get_json()["errors"][0]["extensions"]["code"] in (
        "INVALID_CREDENTIALS",
        "INVALID_TOKEN",
    )


@pytest.mark.authmock(
    fixtures=with_settings(
        RATE_LIMITER_ENABLED=True, RATE_LIMITER_POINTS=3, RATE_LIMITER_DURATION=10
    )
)
def test_rate_limiter_when_enabled(directus_mock: Any) -> None:
    directus_mock.clock.set(T0)
    directus_mock.clock.freeze()
    client = directus_mock.client
    for _ in range(3):
        assert client.get("/server/ping").status_code == 200
    directus_mock.clock.advance(3)
    response = client.post("/auth/login", json={"email": ADMIN, "password": "password"})
    assert error(response) == (
        429, "Too many requests, retry after 7s.", "REQUESTS_EXCEEDED",
        {"limit": 3, "reset": "2026-11-22T08:00:10.000Z"},
    )
    assert response.headers["Retry-After"] == "7"
    directus_mock.clock.advance(6.15)
    last = client.get("/auth")
    assert error(last)[1] == "Too many requests, retry after 850ms."
    assert last.headers["Retry-After"] == "1"
    directus_mock.clock.advance(0.85)  # the window is over
    assert client.get("/auth").status_code == 200


def test_rate_limiter_is_off_by_default(directus_mock: Any) -> None:
    for _ in range(60):
        assert directus_mock.client.get("/server/ping").status_code == 200


@pytest.mark.authmock(fixtures=with_settings(auth_login_attempts=3))
def test_login_attempts_suspend_the_user(directus_mock: Any) -> None:
    client = directus_mock.client
    refresh = tokens(client, HELLO)["refresh_token"]  # a session from before
    for _ in range(3):
        assert error(login(client, HELLO, "wrong"))[2] == "INVALID_CREDENTIALS"
    # the 4th attempt suspends the user but, with the right password, still succeeds
    assert login(client, HELLO).status_code == 200
    assert error(login(client, HELLO))[2] == "INVALID_CREDENTIALS"
    assert error(client.post("/auth/refresh", json={"refresh_token": refresh}))[:3] == (
        401, "User suspended.", "USER_SUSPENDED",
    )


@pytest.mark.authmock(fixtures=with_settings(auth_login_attempts=2))
def test_successful_login_resets_the_attempt_counter(directus_mock: Any) -> None:
    client = directus_mock.client
    for _ in range(5):
        assert error(login(client, HELLO, "wrong"))[2] == "INVALID_CREDENTIALS"
        assert login(client, HELLO).status_code == 200  # 2nd attempt: within the limit, resets it
    # unknown and inactive users do not count, nor do they suspend anyone
    for _ in range(5):
        login(client, "nobody@example.com", "x")
        login(client, "suspended@example.com", "x")
    assert login(client, HELLO).status_code == 200


@pytest.mark.authmock(fixtures=with_settings(auth_login_attempts=None))
def test_null_login_attempts_disables_the_limiter(directus_mock: Any) -> None:
    for _ in range(30):
        login(directus_mock.client, HELLO, "wrong")
    assert login(directus_mock.client, HELLO).status_code == 200


def test_no_stall_by_default(directus_mock: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    login(directus_mock.client, ADMIN, "wrong")
    directus_mock.client.post("/auth/password/request", json={"email": ADMIN})
    assert slept == []


@pytest.mark.authmock(fixtures=with_settings(realistic_timing=True))
def test_realistic_timing_stalls_every_login_outcome(
    directus_mock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    client = directus_mock.client
    login(client, ADMIN)  # success
    login(client, ADMIN, "wrong")  # wrong password
    login(client, "nobody@example.com", "x")  # unknown
    client.post("/auth/login", json={})  # validation error
    client.post("/auth/password/request", json={"email": ADMIN})
    assert slept == [0.5] * 5
    client.post("/auth/login", data="{bad", content_type="application/json")  # malformed JSON: fast
    client.get("/users/me", headers=bearer(STATIC_TOKEN))
    assert slept == [0.5] * 5


@pytest.mark.authmock(fixtures=with_settings(realistic_timing=True, LOGIN_STALL_TIME=250))
def test_login_stall_time_from_settings(
    directus_mock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    login(directus_mock.client, ADMIN, "wrong")
    assert slept == [0.25]


def test_live_server_speaks_directus(directus_mock: Any) -> None:
    import requests

    response = requests.post(
        f"{directus_mock.url}/auth/login", json={"email": ADMIN, "password": "password"}, timeout=10
    )
    assert response.status_code == 200
    assert list(response.json()["data"]) == ["expires", "refresh_token", "access_token"]
    assert response.headers["X-Powered-By"] == "Directus"
    assert "Server" not in response.headers
    bad = requests.post(
        f"{directus_mock.url}/auth/login",
        data="{bad",
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert (
        bad.json()["errors"][0]["message"]
        == "Invalid payload. Expected property name or '}' in JSON at position 1."
    )


@pytest.mark.authmock(
    fixtures=with_settings(
        RATE_LIMITER_ENABLED=True, RATE_LIMITER_POINTS=1, RATE_LIMITER_DURATION=60
    )
)
def test_rate_limiter_counts_per_client_ip(directus_mock: Any) -> None:
    directus_mock.clock.freeze()
    client = directus_mock.client
    first = {"X-Forwarded-For": "203.0.113.1, 10.0.0.1"}
    second = {"X-Forwarded-For": "203.0.113.2"}
    assert client.get("/auth", headers=first).status_code == 200
    assert client.get("/auth", headers=second).status_code == 200
    assert error(client.get("/auth", headers=first))[:3] == (
        429, "Too many requests, retry after 1m.", "REQUESTS_EXCEEDED",
    )
    # malformed JSON fails in the body parser, before the limiter counts it
    assert (
        error(
            client.post("/auth/login", data="{", content_type="application/json", headers=second)
        )[2]
        == "INVALID_PAYLOAD"
    )


def test_body_charsets(directus_mock: Any) -> None:
    client = directus_mock.client
    body = json.dumps({"email": ADMIN, "password": "password"})
    utf16 = client.post(
        "/auth/login", data=body.encode("utf-16"), content_type="application/json; charset=utf-16"
    )
    assert utf16.status_code == 200
    unknown = client.post(
        "/auth/login", data=b"{}", content_type="application/json; charset=utf-xyz"
    )
    assert error(unknown) == _payload('unsupported charset "UTF-XYZ"')
    broken = client.post("/auth/login", data=b'{"email":"\xff\xfe@example.com","password":"x"}',
                         content_type="application/json")
    assert error(broken)[2] == "INVALID_CREDENTIALS"  # U+FFFD is a valid e-mail character for Joi


def test_conditional_get_answers_304_like_express(directus_mock: Any) -> None:
    client = directus_mock.client
    first = client.get("/items/articles")
    etag = first.headers["ETag"]
    again = client.get("/items/articles", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b"" and "Content-Type" not in again.headers
    assert again.headers["ETag"] == etag
    assert (
        client.get(
            "/items/articles", headers={"If-None-Match": etag, "Cache-Control": "no-cache"}
        ).status_code
        == 200
    )
    assert client.get("/items/articles", headers={"If-None-Match": 'W/"other"'}).status_code == 200
    # errors and POSTs are never 304
    assert client.get("/users/me", headers={"If-None-Match": "*"}).status_code == 401
    login_ok = login(client, ADMIN)
    assert client.post("/auth/login", json={"email": ADMIN, "password": "password"},
                       headers={"If-None-Match": login_ok.headers["ETag"]}).status_code == 200


def test_an_unexpected_failure_is_directus_500_and_rolls_back(
    directus_mock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = directus_mock.app.extensions["authmock.directus"]

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(api.svc, "update_user", broken)  # fails after the session row is written
    response = login(directus_mock.client, ADMIN)
    assert error(response) == (500, "An unexpected error occurred.", "INTERNAL_SERVER_ERROR", {})
    assert response.headers["X-Powered-By"] == "Directus"
    assert len(directus_mock.store["directus_sessions"]) == 0


@pytest.mark.parametrize(
    ("accept", "content_type", "body"),
    [
        (None, "text/plain; charset=utf-8", "Found. Redirecting to ./admin"),
        ("*/*", "text/plain; charset=utf-8", "Found. Redirecting to ./admin"),
        (
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "text/html; charset=utf-8",
            "<p>Found. Redirecting to ./admin</p>",
        ),
        ("application/json", None, ""),
    ],
)
def test_redirect_body_follows_accept_like_res_format(directus_mock: Any, accept: str | None,
                                                      content_type: str | None, body: str) -> None:
    response = directus_mock.client.get("/", headers={"Accept": accept} if accept else {})
    assert (response.status_code, response.headers["Location"], response.headers["Vary"]) == (
        302,
        "./admin",
        "Accept",
    )
    assert response.headers.get("Content-Type") == content_type
    assert response.get_data(as_text=True) == body


def test_html_redirect_body_escapes_the_location(directus_mock: Any) -> None:
    client = directus_mock.client
    start = client.get(
        "/auth/login/google?redirect=%2Fa%27b%26c%22d", headers={"Accept": "text/html"}
    )
    idp = start.headers["Location"]
    assert (
        start.get_data(as_text=True) == f"<p>Found. Redirecting to {idp.replace('&', '&amp;')}</p>"
    )
