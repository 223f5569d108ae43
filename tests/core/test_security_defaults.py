"""Security defaults: the control API is loopback-only without a token, `serve` on a public
address warns, and no password, token or secret reaches a log line."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

import authmock
from authmock.server import LiveServer, LoggingHandler, redact_request_line

ROOT = Path(__file__).resolve().parents[2]
DF_KEY = "6498a8ad1beb9d84d63035c5d1120c007fad6de706734db9689f8996707e0f7d"


@pytest.mark.parametrize("caller", ["10.1.2.3", "192.168.0.7", "2001:db8::1", "::ffff:10.0.0.1",
                                    "", "not-an-address"])
def test_control_api_refuses_other_callers_without_a_token(caller: str) -> None:
    app = authmock.create_app("directus")
    client = app.test_client()
    for method, path in (("GET", "/__authmock__/health"), ("POST", "/__authmock__/reset"),
                         ("POST", "/__authmock__/clock"), ("GET", "/__authmock__/mailbox")):
        response = client.open(path, method=method, json={"advance": "1d"},
                               environ_base={"REMOTE_ADDR": caller})
        assert response.status_code == 403, (method, path)
        assert list(response.get_json()) == ["error"]
        assert "--control-token" in response.get_json()["error"]
    assert app.mock.clock.time() < time.time() + 3600  # the clock did not move a day


@pytest.mark.parametrize("caller", ["127.0.0.1", "127.5.6.7", "::1", "::ffff:127.0.0.1"])
def test_control_api_serves_loopback_callers_without_a_token(caller: str) -> None:
    client = authmock.create_app("directus").test_client()
    health = client.get("/__authmock__/health", environ_base={"REMOTE_ADDR": caller})
    assert health.status_code == 200


def test_with_a_token_anyone_holding_it_gets_in() -> None:
    client = authmock.create_app("paystub", control_token="s3cret").test_client()
    remote = {"REMOTE_ADDR": "10.1.2.3"}
    assert client.get("/__authmock__/health", environ_base=remote).status_code == 401
    assert client.get("/__authmock__/health", environ_base=remote,
                      headers={"Authorization": "Bearer s3cret"}).status_code == 200


def test_the_product_routes_stay_open_to_everyone() -> None:
    client = authmock.create_app("directus").test_client()
    login = client.post("/auth/login", environ_base={"REMOTE_ADDR": "10.1.2.3"},
                        json={"email": "admin@example.com", "password": "password"})
    assert login.status_code == 200


def test_serve_on_all_interfaces_warns() -> None:
    launcher = ("import sys\nfrom authmock import flavour\nflavour.get('directus').default_port = 0"
                "\nfrom authmock.cli import main\nsys.exit(main(sys.argv[1:]))")
    proc = subprocess.Popen(
        [sys.executable, "-c", launcher, "serve", "--flavour", "directus", "--host", "0.0.0.0"],
        cwd=ROOT, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        banner = ""
        while "Ctrl-C" not in banner:
            line = proc.stdout.readline()
            assert line, "serve ended before printing its banner"
            banner += line
    finally:
        proc.terminate()
        _, stderr = proc.communicate(timeout=10)
    assert "warning: --host 0.0.0.0" in stderr
    assert "control token: " in banner


@pytest.mark.parametrize(("line", "expected"), [
    ("GET /users/me?access_token=abc.def HTTP/1.1", "GET /users/me?access_token=*** HTTP/1.1"),
    ("GET /api/v2/system/app?api_key=k&session_token=t&fields=id HTTP/1.1",
     "GET /api/v2/system/app?api_key=***&session_token=***&fields=id HTTP/1.1"),
    ("GET /auth/login/google/callback?code=c&state=s HTTP/1.1",
     "GET /auth/login/google/callback?code=***&state=*** HTTP/1.1"),
    ("POST /auth/login HTTP/1.1", "POST /auth/login HTTP/1.1"),
    ("GET /x?password=p", "GET /x?password=***"),
])
def test_request_lines_are_redacted(line: str, expected: str) -> None:
    assert redact_request_line(line) == expected


def test_no_secret_reaches_a_log_line(capfd: pytest.CaptureFixture[str]) -> None:
    """Every flavour served as `authmock serve` does, credentials sent every way there is."""
    secrets: set[str] = {"yourpassword", "password", "your-password", DF_KEY}
    for name in ("dreamfactory", "directus", "paystub"):
        app = authmock.create_app(name)
        server = LiveServer(app, handler=LoggingHandler).start()
        try:
            url = server.url
            if name == "dreamfactory":
                login = requests.post(f"{url}/api/v2/system/admin/session", timeout=5,
                                      headers={"X-DreamFactory-API-Key": DF_KEY},
                                      json={"email": "admin@example.com",
                                            "password": "yourpassword"})
                token = login.json()["session_token"]
                requests.get(f"{url}/api/v2/system/app?api_key={DF_KEY}&session_token={token}",
                             timeout=5)
            elif name == "directus":
                login = requests.post(f"{url}/auth/login", timeout=5,
                                      json={"email": "admin@example.com", "password": "password"})
                token = login.json()["data"]["access_token"]
                secrets.add(login.json()["data"]["refresh_token"])
                requests.get(f"{url}/users/me?access_token={token}", timeout=5)
                requests.post(f"{url}/auth/refresh", timeout=5,
                              data=json.dumps({"refresh_token": login.json()["data"][
                                  "refresh_token"]}), headers={"Content-Type": "application/json"})
                requests.get(f"{url}/auth/login/google/callback?code=c0de-x1&state=st4te-y2",
                             timeout=5)
                secrets.update({"c0de-x1", "st4te-y2"})
            else:
                login = requests.post(f"{url}/admin/auth/login", timeout=5,
                                      json={"email": "owner@example.com",
                                            "password": "your-password"})
                token = login.json()["data"]["token"]["access_token"]
                requests.get(f"{url}/admin/auth/me", headers={"Authorization": f"Bearer {token}"},
                             timeout=5)
            secrets.add(token)
            requests.get(f"{url}/nowhere?password=hunter2x&token={token}", timeout=5)
            secrets.add("hunter2x")
            secrets.add(app.mock.tokens.secret)
        finally:
            server.stop()
    out, err = capfd.readouterr()
    logged = out + err
    assert "[directus]" in logged  # the log lines were written ...
    for secret in secrets:
        assert secret not in logged.replace("password=***", ""), secret  # ... with no secret
