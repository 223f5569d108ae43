"""`authmock serve` with the real flavours and bundled fixtures, as the README's first command
runs it: every flavour answers the control API and prints what a newcomer needs."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FLAVOURS = ("dreamfactory", "directus", "paystub")
DEFAULT_PORTS = {"dreamfactory": 8080, "directus": 8055, "paystub": 8000}

# `authmock serve` with no arguments, except that each flavour's default port is replaced by 0
# so the test never collides with whatever else listens on 8000/8055/8080.
LAUNCHER = """
import sys
from authmock import flavour
for name in ("dreamfactory", "directus", "paystub"):
    flavour.get(name).default_port = 0
from authmock.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _call(method: str, url: str, body: dict[str, object] | None = None) -> tuple[int, bytes]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status, response.read()


def test_default_ports_are_the_products() -> None:
    from authmock import flavour

    assert {name: flavour.get(name).default_port for name in FLAVOURS} == DEFAULT_PORTS


@pytest.fixture(scope="module")
def served() -> Iterator[dict[str, object]]:
    proc = subprocess.Popen(
        [sys.executable, "-c", LAUNCHER, "serve"], cwd=ROOT, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.startswith("Press Ctrl-C"):
            break
    out = "".join(lines)
    urls = dict(re.findall(r"^(\w+)  (http://127\.0\.0\.1:\d+)", out, re.M))
    yield {"proc": proc, "out": out, "urls": urls}
    proc.send_signal(signal.SIGINT)
    try:
        proc.communicate(timeout=10)
    finally:
        proc.kill()
    assert proc.returncode == 0


def test_serves_all_three_flavours_with_credentials(served: dict[str, object]) -> None:
    urls = served["urls"]
    out = served["out"]
    assert isinstance(urls, dict) and isinstance(out, str)
    assert sorted(urls) == sorted(FLAVOURS), out
    assert "6498a8ad1beb9d84d63035c5d1120c007fad6de706734db9689f8996707e0f7d" in out
    for email in ("admin@example.com", "owner@example.com"):
        assert email in out


@pytest.mark.parametrize("name", FLAVOURS)
def test_control_api_answers_on_each_port(served: dict[str, object], name: str) -> None:
    urls = served["urls"]
    assert isinstance(urls, dict)
    base = urls[name] + "/__authmock__"
    status, body = _call("GET", base + "/health")
    assert (status, json.loads(body)) == (200, {"status": "ok", "flavour": name, "profile": "docs"})
    status, body = _call("POST", base + "/clock", {"advance": "24h"})
    assert status == 200 and abs(json.loads(body)["offset_seconds"] - 86400) < 2
    assert _call("GET", base + "/mailbox") == (200, b'{"messages":[]}')
    status, body = _call("GET", base + "/journal")
    assert status == 200 and "requests" in json.loads(body)
    status, body = _call("POST", base + "/reset")
    assert (status, body) == (204, b"")
    status, body = _call("GET", base + "/clock")
    assert abs(json.loads(body)["offset_seconds"]) < 2


def test_the_banner_tells_a_frontend_developer_what_to_use(served: dict[str, object]) -> None:
    urls = served["urls"]
    out = served["out"]
    assert isinstance(urls, dict) and isinstance(out, str)
    loopback = ("http://localhost:<port>, http://127.0.0.1:<port>, http://[::1]:<port> "
                "(with credentials)")
    for name in FLAVOURS:
        part = out.split(f"{name}  {urls[name]}", 1)[1].split("\n\n", 1)[0]
        assert f"  inspector  {urls[name]}/__authmock__/\n" in part
        assert f"  OpenAPI    {urls[name]}/__authmock__/openapi.json\n" in part
        assert f"  CORS       {loopback}\n" in part
    directus = out.split(f"directus  {urls['directus']}", 1)[1].split("\n\n", 1)[0]
    assert "admin@example.com / password (Administrator)" in directus
    assert f"TOTP: GET {urls['directus']}/__authmock__/users/tfa@example.com/otp" in directus
    assert "cookie/session mode: serve your page from 127.0.0.1 too" in directus
    assert ("user user@example.com / yourpassword (POST /api/v2/user/session, role user in app "
            "frontend)") in out
    assert "owner@example.com  password: your-password  role: Owner" in out


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_port_moves_one_flavour_and_a_busy_one_is_named() -> None:
    import socket

    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "authmock", "serve", "--port", f"directus={port}",
         "--port", "dreamfactory=0", "--port", "paystub=0", "--cors", "off"],
        cwd=ROOT, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("Press Ctrl-C"):
                break
        out = "".join(lines)
        assert f"directus  http://127.0.0.1:{port}  (profile docs)" in out
        assert "  CORS       off (Directus's default: CORS_ENABLED=false)" in out
        assert "  CORS       off (DreamFactory's default: no CORS entry)" in out
        assert ("  CORS       any origin, without credentials "
                "(Laravel's default config/cors.php)") in out
        status, _ = _call("GET", f"http://127.0.0.1:{port}/__authmock__/health")
        assert status == 200
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=10)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "authmock", "serve", "--port", "dreamfactory=0",
             "--port", f"directus={taken}", "--port", "paystub=0"],
            capture_output=True, text=True, timeout=30, cwd=ROOT,
        )
    assert result.returncode == 1
    assert result.stderr == (
        f"authmock: port {taken} on 127.0.0.1 is already in use (directus); "
        "stop what uses it or move directus with --port directus=N\n"
    )
