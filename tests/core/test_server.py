"""The live server: real HTTP on loopback, shared state with the control handle."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request

import pytest

import authmock
from authmock.server import LiveServer, is_loopback
from tests.core.toy import TOY_FIXTURES


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_run_in_thread_serves_and_shares_the_handle() -> None:
    with authmock.run_in_thread("toy", fixtures=TOY_FIXTURES) as server:
        assert server.url.startswith("http://127.0.0.1:")
        status, body = _get(server.url + "/__authmock__/health")
        assert (status, body) == (200, {"status": "ok", "flavour": "toy", "profile": "docs"})
        server.clock.advance("1h")
        _, clock = _get(server.url + "/__authmock__/clock")
        assert clock["offset_seconds"] == pytest.approx(3600, abs=1)
        request = urllib.request.Request(server.url + "/login/a@example.com", method="POST")
        with urllib.request.urlopen(request, timeout=5) as response:
            assert "Server" not in response.headers
        assert len(server.mailbox.messages()) == 1
        server.reset()
        assert server.mailbox.messages() == []
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", server.port), timeout=0.5).close()


def test_binds_loopback_by_default() -> None:
    app = authmock.create_app("toy", fixtures=TOY_FIXTURES)
    with LiveServer(app) as server:
        assert server.host == "127.0.0.1"


def test_non_loopback_bind_requires_a_control_token() -> None:
    with authmock.run_in_thread("toy", fixtures=TOY_FIXTURES, host="0.0.0.0") as server:
        token = server.mock.control_token
        assert token
        base = f"http://127.0.0.1:{server.port}"
        assert _get(base + "/__authmock__/health")[0] == 401
        assert _get(base + "/__authmock__/health", {"Authorization": f"Bearer {token}"})[0] == 200


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.5.0.1", True), ("::1", True), ("localhost", True),
     ("0.0.0.0", False), ("10.1.2.3", False), ("example.com", False)],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_concurrent_requests_never_lose_a_write() -> None:
    """The live server is threaded; each request is all-or-nothing and serialised."""
    from concurrent.futures import ThreadPoolExecutor

    with authmock.run_in_thread("toy", fixtures=TOY_FIXTURES) as server:

        def login(_: int) -> int:
            request = urllib.request.Request(server.url + "/login/a@example.com", method="POST")
            with urllib.request.urlopen(request, timeout=10) as response:
                return int(json.loads(response.read())["logins"])

        with ThreadPoolExecutor(max_workers=8) as pool:
            counts = sorted(pool.map(login, range(64)))
    assert counts == list(range(1, 65))  # every request saw a whole, distinct state
    assert len(server.mailbox.messages()) == 64


def test_raw_request_bytes_reach_the_app_as_sent() -> None:
    """A client sending UTF-8 bytes unescaped (curl does) sees the same path as the test client,
    and a doubled leading slash is still there for the flavour to judge."""
    from flask import request

    app = authmock.create_app("toy", fixtures=TOY_FIXTURES)
    seen: list[str] = []
    app.before_request(lambda: seen.append(request.environ["PATH_INFO"]))
    with authmock.run_in_thread(app) as server:
        for target in (b"/caf\xc3\xa9/%C3%A9%FF", b"//twice?x=1"):
            with socket.create_connection(("127.0.0.1", server.port), timeout=5) as conn:
                conn.sendall(
                    b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                )
                reply = b""
                while chunk := conn.recv(65536):
                    reply += chunk
            assert reply.startswith(b"HTTP/1.1 404 Not Found\r\n")
        first = server.journal.entries()[0]
    assert first["path"] == "/café/é\ufffd"
    assert seen == ["/caf\xc3\xa9/\xc3\xa9\xff", "//twice"]


def _chunked_post(port: int, path: bytes, body: bytes) -> bytes:
    chunks = b"".join(
        b"%x\r\n" % len(body[i:i + 4096]) + body[i:i + 4096] + b"\r\n"
        for i in range(0, len(body), 4096)
    )
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(
            b"POST " + path + b" HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
            b"Connection: close\r\n\r\n" + chunks + b"0\r\n\r\n"
        )
        reply = b""
        while chunk := conn.recv(65536):
            reply += chunk
    return reply


@pytest.mark.parametrize(("size", "status"), [(1024, b"200"), (1025, b"413")])
def test_a_chunked_body_over_the_flavour_limit_is_refused_not_cut(size: int, status: bytes) -> None:
    """The toy's limit is 1024 bytes: a chunked body of 1025 must not reach the route cut short."""
    from flask import request

    app = authmock.create_app("toy", fixtures=TOY_FIXTURES)
    lengths: list[int] = []

    @app.post("/echo")
    def echo() -> dict[str, int]:
        lengths.append(len(request.get_data()))
        return {"length": lengths[-1]}

    with authmock.run_in_thread(app) as server:
        reply = _chunked_post(server.port, b"/echo", b"x" * size)
    assert reply.split(b" ", 2)[1] == status
    assert lengths == ([size] if status == b"200" else [])


def test_the_date_header_follows_the_mock_clock() -> None:
    from email.utils import parsedate_to_datetime

    with authmock.run_in_thread("toy", fixtures=TOY_FIXTURES) as server:
        server.clock.set("2031-05-06T07:08:09Z")
        server.clock.freeze()
        with urllib.request.urlopen(server.url + "/__authmock__/health", timeout=5) as response:
            dates = response.headers.get_all("Date")
        assert dates == ["Tue, 06 May 2031 07:08:09 GMT"]  # one, not the server's beside the app's
        sent = dates[0]
        assert parsedate_to_datetime(sent).timestamp() == int(server.clock.time())


def test_the_test_client_gets_a_date_on_the_mock_clock_too() -> None:
    app = authmock.create_app("toy", fixtures=TOY_FIXTURES)
    app.mock.clock.set("2031-05-06T07:08:09Z")
    app.mock.clock.freeze()
    response = app.test_client().get("/__authmock__/health")
    assert response.headers.getlist("Date") == ["Tue, 06 May 2031 07:08:09 GMT"]
    # after the app's own headers, as servers send it
    assert list(response.headers)[-1][0] == "Date"
