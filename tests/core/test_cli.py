"""`authmock` on the command line: usage errors, fixture checks, serving, clean stops."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from authmock.cli import main


def test_check_fixtures_ok(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.core.toy import TOY_FIXTURES

    path = tmp_path / "toy.json"
    path.write_text(json.dumps(TOY_FIXTURES))
    assert main(["check-fixtures", str(path)]) == 0
    assert capsys.readouterr().out == f"{path}: ok (toy)\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "$: invalid JSON at line 1 column 2"),
        ("[]", "$: must be a JSON object"),
        ("{}", "$.flavour: missing required key \"flavour\""),
        ('{"flavour": "nope"}', "$.flavour: unknown flavour 'nope'"),
        ('{"flavour": "toy", "settings": {"profile": "prod"}}', "$.settings.profile: must be"),
        ('{"flavour": "toy", "settings": []}', "$.settings: must be an object"),
        ('{"flavour": "toy", "users": [{"email": 3}]}', "$.users[0].email: must be a string"),
        ('{"flavour": "toy", "flavour": "toy"}', "duplicate key \"flavour\""),
    ],
)
def test_check_fixtures_names_file_path_and_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    import tests.core.toy  # noqa: F401  (registers the toy flavour)

    path = tmp_path / "bad.json"
    path.write_text(content)
    assert main(["check-fixtures", str(path)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"{path}: ")
    assert message in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "argv",
    [["serve", "--flavour", "nope"], ["serve", "--port", "9000"],
     ["serve", "--profile", "prod"], [],
     ["serve", "--flavour", "toy", "--port", "99999"],
     ["serve", "--flavour", "toy", "--port", "-1"],
     ["serve", "--flavour", "toy", "--port", "x"], ["serve", "--port", "nope=9000"],
     ["serve", "--flavour", "toy", "--port", "toy=70000"],
     ["serve", "--flavour", "toy", "--port", "1", "--port", "toy=2"],
     ["serve", "--cors", "maybe"], ["serve", "--cors-origin", "http://localhost:5173/app"],
     ["serve", "--cors", "off", "--cors-origin", "http://localhost:5173"],
     ["serve", "--watch"]],
)
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    import tests.core.toy  # noqa: F401  (registers the toy flavour)

    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "error:" in err
    assert "Traceback" not in err


def test_an_invalid_port_says_what_is_allowed(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["serve", "--port", "99999"])
    assert "argument --port: invalid port '99999' in '99999': a number from 0 (any free port) " \
        "to 65535" in capsys.readouterr().err


ROOT = Path(__file__).resolve().parents[2]
# `authmock` as a user runs it, with the toy flavour registered first (core tests stay
# independent of the real flavours; tests/test_serve.py covers those).
TOY_CLI = [sys.executable, "-c",
           "import sys, tests.core.toy; from authmock.cli import main; "
           "sys.exit(main(sys.argv[1:]))"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(url: str, proc: subprocess.Popen[str]) -> dict[str, object]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited early: {proc.communicate()}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                return json.loads(response.read())  # type: ignore[no-any-return]
        except OSError:
            time.sleep(0.05)  # polling for start-up, not waiting for an expiry
    raise AssertionError(f"{url} did not answer")


@pytest.fixture
def toy_file(tmp_path: Path) -> str:
    from tests.core.toy import TOY_FIXTURES

    path = tmp_path / "toy.json"
    path.write_text(json.dumps(TOY_FIXTURES))
    return str(path)


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_serve_one_flavour_and_stop_cleanly(stop_signal: signal.Signals, toy_file: str) -> None:
    port = _free_port()
    proc = subprocess.Popen(
        [*TOY_CLI, "serve", "--flavour", "toy", "--port", str(port), "--fixtures", toy_file],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        health = _wait_for(f"http://127.0.0.1:{port}/__authmock__/health", proc)
        assert health == {"status": "ok", "flavour": "toy", "profile": "docs"}
        urllib.request.urlopen(f"http://127.0.0.1:{port}/__authmock__/clock", timeout=5).close()
        proc.send_signal(stop_signal)
        out, err = proc.communicate(timeout=10)
    finally:
        proc.kill()
    assert proc.returncode == 0
    assert f"toy  http://127.0.0.1:{port}" in out
    assert "users: a@example.com, b@example.com" in out  # the flavour's banner
    assert '"GET /__authmock__/clock HTTP/1.1" 200' in err  # one log line per request
    assert "Traceback" not in err


def test_busy_port_is_one_line_exit_1(toy_file: str) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [*TOY_CLI, "serve", "--flavour", "toy", "--port", str(port), "--fixtures", toy_file],
            capture_output=True, text=True, timeout=30, cwd=ROOT,
        )
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert result.stderr.strip() == (
        f"authmock: port {port} on 127.0.0.1 is already in use (toy); "
        "stop what uses it or move toy with --port toy=N"
    )


@pytest.mark.parametrize(("flag", "sent"), [([], True), (["--no-reason-header"], False)])
def test_no_reason_header_flag(toy_file: str, flag: list[str], sent: bool) -> None:
    port = _free_port()
    proc = subprocess.Popen(
        [*TOY_CLI, "serve", "--flavour", "toy", "--port", str(port), "--fixtures", toy_file, *flag],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )
    try:
        _wait_for(f"http://127.0.0.1:{port}/__authmock__/health", proc)
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/nowhere", timeout=5)
        refused.value.close()
        assert refused.value.code == 404
        assert refused.value.headers.get("X-Authmock-Reason") == ("unknown route" if sent else None)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/__authmock__/journal") as answer:
            assert json.loads(answer.read())["requests"][0]["reason"] == "unknown route"
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=10)
    finally:
        proc.kill()
