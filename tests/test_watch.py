"""``authmock serve --watch``: a fixture edit reaches the running fake without losing the clock
or the sessions of users that still exist; a broken edit is reported and changes nothing."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import requests

import authmock
from authmock.watch import FixtureWatcher, Watched

ROOT = Path(__file__).resolve().parents[1]
ADMIN = "admin@example.com"
HELLO = "hello@example.com"


def _write(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data))
    # the same size and the same second as the last write still counts: content is compared
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1))


@pytest.fixture
def directus(tmp_path: Path) -> Any:
    path = tmp_path / "directus.json"
    data = authmock.bundled_fixture("directus")
    _write(path, data)
    out, err = io.StringIO(), io.StringIO()
    with authmock.run_in_thread("directus", fixtures=str(path)) as server:
        watcher = FixtureWatcher(
            [Watched(str(path), server,
                     lambda: authmock.create_app("directus", fixtures=str(path)))],
            out=out, err=err,
        )
        yield {"server": server, "path": path, "data": data, "watcher": watcher, "out": out,
               "err": err}


def _session(base: str, email: str, password: str = "password") -> requests.Session:
    session = requests.Session()
    response = session.post(
        f"{base}/auth/login", json={"email": email, "password": password, "mode": "session"}
    )
    assert response.status_code == 200, response.text
    return session


def test_an_edit_keeps_the_clock_and_the_sessions_of_users_that_remain(directus: Any) -> None:
    server, data = directus["server"], directus["data"]
    base = server.url
    admin, hello = _session(base, ADMIN), _session(base, HELLO, "d1r3ctu5")
    server.clock.advance("1h")
    data["users"] = [u for u in data["users"] if u["email"] != HELLO]
    data["users"][0] = {**data["users"][0], "first_name": "Renamed"}
    _write(directus["path"], data)
    directus["watcher"].check()

    assert server.clock.offset_seconds == pytest.approx(3600, abs=2)
    me = admin.get(f"{base}/users/me")
    assert me.status_code == 200 and me.json()["data"]["first_name"] == "Renamed"
    assert hello.get(f"{base}/users/me").status_code == 401  # that user is gone, so is the session
    out = directus["out"].getvalue()
    assert f"authmock: reloaded {directus['path']} (directus; clock and sessions kept)" in out
    assert "hello@example.com" not in out.split("reloaded", 1)[1]


def test_the_banner_reprints_what_changed(directus: Any) -> None:
    data = directus["data"]
    data["users"].append({"id": "0b4f5a60-0000-4000-8000-0000000000ff", "email": "new@example.com",
                          "password": "pw", "role": "Editor"})
    _write(directus["path"], data)
    directus["watcher"].check()
    lines = directus["out"].getvalue().splitlines()
    assert lines[1] == f"directus  {directus['server'].url}  (profile docs)"
    assert lines[2:] == ["    new@example.com / pw (Editor)"]
    assert _session(directus["server"].url, "new@example.com", "pw").get(
        f"{directus['server'].url}/users/me").status_code == 200


def test_a_broken_file_is_reported_and_the_last_good_state_serves(directus: Any) -> None:
    base = directus["server"].url
    admin = _session(base, ADMIN)
    data = directus["data"]
    data["users"][1] = {**data["users"][1], "email": 3}
    _write(directus["path"], data)
    directus["watcher"].check()
    assert directus["err"].getvalue() == (
        f"authmock: {directus['path']}: $.users[1].email: must be a string or null, got 3 "
        "(still serving the last good version)\n"
    )
    assert admin.get(f"{base}/users/me").status_code == 200
    directus["path"].write_text("{")
    directus["watcher"].check()
    assert "$: invalid JSON at line 1 column 2" in directus["err"].getvalue().splitlines()[1]
    directus["watcher"].check()  # reported once, not on every look
    assert len(directus["err"].getvalue().splitlines()) == 2
    assert directus["out"].getvalue() == ""


def test_a_touch_without_a_change_reloads_nothing(directus: Any) -> None:
    app = directus["server"].app
    _write(directus["path"], directus["data"])
    directus["watcher"].check()
    assert directus["server"].app is app and directus["out"].getvalue() == ""


def test_paystub_tokens_survive_and_new_ones_get_new_ids(tmp_path: Path) -> None:
    path = tmp_path / "paystub.json"
    data = authmock.bundled_fixture("paystub")
    _write(path, data)
    with authmock.run_in_thread("paystub", fixtures=str(path)) as server:
        watcher = FixtureWatcher(
            [Watched(str(path), server,
                     lambda: authmock.create_app("paystub", fixtures=str(path)))],
            out=io.StringIO(), err=io.StringIO(),
        )
        login = {"email": "owner@example.com", "password": "your-password"}
        first = requests.post(
            f"{server.url}/admin/auth/login", json=login, headers={"Accept": "application/json"}
        ).json()["data"]["token"]["access_token"]
        _write(path, {**data, "settings": {"api_rate_limit": 0}})
        watcher.check()
        second = requests.post(
            f"{server.url}/admin/auth/login", json=login, headers={"Accept": "application/json"}
        ).json()["data"]["token"]["access_token"]
        assert first.split("|")[0] != second.split("|")[0]
        for token in (first, second):
            me = requests.get(
                f"{server.url}/admin/auth/me",
                headers={"Accept": "application/json", "Authorization": f"Bearer {token}"},
            )
            assert me.status_code == 200


def test_serve_watch_reloads_a_changed_file(tmp_path: Path) -> None:
    path = tmp_path / "dreamfactory.json"
    data = authmock.bundled_fixture("dreamfactory")
    _write(path, data)
    proc = subprocess.Popen(
        [sys.executable, "-m", "authmock", "serve", "--flavour", "dreamfactory", "--port", "0",
         "--fixtures", str(path), "--watch"],
        cwd=ROOT, text=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )
    guard = threading.Timer(30, proc.kill)  # a reload that never comes fails the test, not CI
    guard.start()
    try:
        assert proc.stdout is not None
        url = ""
        for line in proc.stdout:
            if line.startswith("dreamfactory  "):
                url = line.split()[1]
            if line.startswith("Press Ctrl-C"):
                break
        data["users"][0] = {**data["users"][0], "password": "changed-password"}
        _write(path, data)
        reload_lines = []
        for line in proc.stdout:  # the watcher polls a few times a second
            reload_lines.append(line)
            if "sys admin admin@example.com" in line:
                break
        assert reload_lines[0] == (
            f"authmock: reloaded {path} (dreamfactory; clock and sessions kept)\n"
        )
        assert "changed-password" in reload_lines[-1]
        with urllib.request.urlopen(f"{url}/__authmock__/health", timeout=5) as response:
            assert response.status == 200
    finally:
        guard.cancel()
        proc.terminate()
        proc.communicate(timeout=10)
    assert proc.returncode == 0
