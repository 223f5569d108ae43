"""Costs every authmock user pays, as ratios against a baseline measured in the same run.

``python benchmarks/costs.py`` (``--quick`` for fewer runs). Rows: pytest start-up with the plugin
installed but unused and the plugin's import time; the memory a 10 000-user app holds and
``reset()`` with 10 000 sessions; Directus login with 10 000 live sessions against one; HTTP
keep-alive throughput against a hello-world app on the same server; the in-process ``requests``
transport against the live server. Not a test: it prints a table, exits 0.
"""

from __future__ import annotations

import argparse
import compileall
import copy
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import types
from pathlib import Path
from typing import Any

import requests
from flask import Flask
from run import LOGINS, paired, print_table  # type: ignore[import-not-found]

import authmock

Row = tuple[str, float, str, float, str, bool]


def _run(argv: list[str], cwd: Path) -> float:
    """CPU seconds (user + system) the child used: on a shared 2-core machine its wall time
    swung by a quarter between identical runs, its CPU time by a few per cent."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(argv, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def pytest_startup(repeat: int) -> list[Row]:
    """One trivial test, run with authmock's plugin and with ``-p no:authmock``, interleaved."""
    with tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)
        (cwd / "test_one.py").write_text("def test_one():\n    assert True\n")
        # Other plugins off on both sides: hypothesis alone imports for ~0.5 s, schemathesis
        # for over a second, and their jitter would swamp the few milliseconds measured here.
        base = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                "-p", "no:hypothesispytest", "-p", "no:anyio", "-p", "no:schemathesis",
                "test_one.py"]
        with_plugin: list[float] = []
        without: list[float] = []
        _run(base, cwd)
        for _ in range(repeat):
            without.append(_run([*base, "-p", "no:authmock"], cwd))
            with_plugin.append(_run(base, cwd))
    plugin, bare = min(with_plugin), min(without)
    rows: list[Row] = [
        ("pytest, one test, plugin unused (CPU)", plugin, "same with -p no:authmock", bare,
         "≤ +10 ms", plugin - bare <= 10e-3),
    ]
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import pytest; import authmock.pytest_plugin"],
        check=True, capture_output=True, text=True,
    ).stderr
    match = re.search(r"\|\s*(\d+) \|\s*authmock\.pytest_plugin$", out, re.M)
    cost = int(match.group(1)) * 1e-6 if match else float("nan")
    rows.append(("import authmock.pytest_plugin (after pytest)", cost, "—", 0.0, "≤ 10 ms",
                 cost <= 10e-3))
    return rows


SCALE = 10_000


def big_fixture(name: str, count: int = SCALE) -> dict[str, Any]:
    """The bundled fixture with ``count`` more users cloned from its last one."""
    data = authmock.bundled_fixture(name, **({"api_rate_limit": 0} if name == "paystub" else {}))
    users: list[dict[str, Any]] = data["users"]
    template = users[-1]
    for i in range(count):
        user = copy.deepcopy(template)
        user.pop("token", None)
        user["email"] = f"user{i}@scale.example.com"
        if name == "directus":
            user["id"] = f"5ca1e000-0000-4000-8000-{i:012d}"
        else:
            user["id"] = 1000 + i
        users.append(user)
    return data


def scale_rows(repeat: int) -> list[Row]:
    rows: list[Row] = []
    for name in ("dreamfactory", "directus", "paystub"):
        data = big_fixture(name)  # its load time is run.py's row (the fixture loading table)
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        app = authmock.create_app(name, fixtures=data)
        retained = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.stop()
        rows.append((f"  memory held by that app ({name})", retained / 1e6, "—", 0.0,
                     "MB, context", True))
        table = {"dreamfactory": "token_map", "directus": "directus_sessions",
                 "paystub": "paystub_tokens"}[name]
        sessions = app.mock.store.table(table)
        runs = []
        for _ in range(repeat):
            for i in range(SCALE):
                sessions.put(f"s{i}", {"token": f"s{i}", "user": 1, "expires": 2e9})
            started = time.perf_counter()
            app.mock.reset()
            runs.append(time.perf_counter() - started)
        rows.append((f"reset() {name} with 10 000 sessions", min(runs), "—", 0.0, "≤ 100 µs",
                     min(runs) <= 100e-6))
    return rows


def directus_login_rows(repeat: int) -> list[Row]:
    """Login with 10 000 live sessions against login with one, interleaved."""
    login = LOGINS["directus"]
    apps = []
    for live in (SCALE, 1):
        app = authmock.create_app("directus")
        service = app.extensions["authmock.directus"].svc
        for _ in range(live):
            service._new_session("0b4f5a60-0000-4000-8000-000000000002", 7 * 86400 * 1000)
        apps.append(app.test_client())
    crowded, lone = apps

    def do(client: Any) -> None:
        assert client.post(login["path"], json=login["json"]).status_code == 200

    many, one = paired(lambda: do(crowded), lambda: do(lone), number=100, repeat=repeat)
    return [("login directus, 10 000 live sessions", many, "1 live session", one, "≤ 1.1×",
             many <= 1.1 * one)]


def keep_alive_rows(count: int) -> list[Row]:
    """Login + me over one keep-alive connection vs a hello-world app on the same server."""
    hello = Flask("hello")

    @hello.post("/")
    def _hello() -> dict[str, str]:
        return {"hello": "world"}

    hello.mock = types.SimpleNamespace(name="hello")  # type: ignore[attr-defined]
    app = authmock.create_app("directus")
    rows: list[Row] = []
    with authmock.LiveServer(app).start() as mock_server, \
            authmock.LiveServer(hello).start() as hello_server:  # type: ignore[arg-type]
        def mix(http: requests.Session) -> list[float]:
            times = []
            for _ in range(count):
                started = time.perf_counter()
                token = http.post(f"{mock_server.url}/auth/login", json=LOGINS["directus"]["json"]
                                  ).json()["data"]["access_token"]
                http.get(f"{mock_server.url}/users/me?fields=id",
                         headers={"Authorization": f"Bearer {token}"})
                times.append((time.perf_counter() - started) / 2)
            return times

        def hellos(http: requests.Session) -> list[float]:
            times = []
            for _ in range(count):
                started = time.perf_counter()
                http.post(f"{hello_server.url}/", json={"a": 1})
                times.append(time.perf_counter() - started)
            return times

        with requests.Session() as a, requests.Session() as b:
            mix(a), hellos(b)  # warm both connections
            ours, theirs = [], []
            for _ in range(3):
                theirs += hellos(b)
                ours += mix(a)
        med, base = statistics.median(ours), statistics.median(theirs)
        rows.append(("login+me over keep-alive (median/request)", med, "hello POST, same server",
                     base, "throughput ≥ 0.6×", base / med >= 0.6))

        # in-process transport against the live server, same login
        in_process = app.mock.requests_session()
        login = LOGINS["directus"]

        def inproc() -> None:
            in_process.post(login["path"], json=login["json"])

        with requests.Session() as live:
            def over_socket() -> None:
                live.post(f"{mock_server.url}{login['path']}", json=login["json"])

            fast, slow = paired(inproc, over_socket, number=50, repeat=5)
        rows.append(("login, requests_session() in-process", fast, "same over live server", slow,
                     "≥ 3× faster", slow >= 3 * fast))
    return rows


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _time_to_ready(flavour: str) -> float:
    """Seconds from exec of ``authmock serve`` to the first answered request."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}/__authmock__/health"
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "authmock", "serve", "--flavour", flavour, "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            try:
                if requests.get(url, timeout=1).status_code == 200:
                    return time.perf_counter() - started
            except requests.ConnectionError:
                time.sleep(0.002)
            if proc.poll() is not None or time.perf_counter() - started > 20:
                return float("nan")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


#: the floor under ``authmock serve``: the first answer needs Flask and Werkzeug's server
FLOOR = "import flask, werkzeug.serving"


def _wall(argv: list[str]) -> float:
    """Seconds from exec to exit of a child (wall time, as ``_time_to_ready`` measures)."""
    started = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def serve_ready_rows(repeat: int) -> list[Row]:
    """``authmock serve`` against the floor, interleaved run by run so load hits both alike."""
    floor_times: list[float] = []
    ready: dict[str, list[float]] = {name: [] for name in ("dreamfactory", "directus", "paystub")}
    for _ in range(repeat):
        floor_times.append(_wall([sys.executable, "-c", FLOOR]))
        for flavour, times in ready.items():
            times.append(_time_to_ready(flavour))
    floor = min(floor_times)
    rows: list[Row] = [
        (f"python -c '{FLOOR}' (the floor, context)", floor, "—", 0.0, "—", True),
    ]
    for flavour, times in ready.items():
        best = min(times)
        rows.append((f"authmock serve {flavour}: exec to first answer", best,
                     "the floor above", floor, "≤ 300 ms", best <= 0.3))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer runs")
    args = parser.parse_args()
    repeat = 3 if args.quick else 7
    # as pip does on install: with PYTHONDONTWRITEBYTECODE set, an editable checkout would
    # otherwise compile every authmock module from source in every child measured below
    compileall.compile_dir(Path(authmock.__file__).parent, quiet=1)
    rows = pytest_startup(repeat + 4)
    rows += serve_ready_rows(repeat)
    rows += scale_rows(repeat)
    rows += directus_login_rows(repeat)
    rows += keep_alive_rows(50 if args.quick else 200)
    print_table(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
