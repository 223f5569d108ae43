"""Fixture files as users write them: overlays on the bundled data, every problem at once,
the published JSON Schema, the CLI around them, and marker paths."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import authmock
from authmock.cli import main
from authmock.cli_fixtures import SetError, parse_sets
from authmock.fixtures import FixtureError, bundled_fixture_path, bundled_schema_path
from authmock.pytest_plugin import MockFixture

ROOT = Path(__file__).resolve().parents[1]
FLAVOURS = ("dreamfactory", "directus", "paystub")
LOGINS = {
    "dreamfactory": ("/api/v2/user/session", "user@example.com", "yourpassword"),
    "directus": ("/auth/login", "admin@example.com", "password"),
    "paystub": ("/admin/auth/login", "owner@example.com", "your-password"),
}


def _write(tmp_path: Path, data: dict[str, Any], name: str = "my.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return str(path)


def _login(app: Any, flavour: str, email: str | None = None, password: str | None = None) -> int:
    path, default_email, default_password = LOGINS[flavour]
    headers = {"Accept": "application/json"}
    if flavour == "dreamfactory":
        headers["X-DreamFactory-API-Key"] = authmock.bundled_fixture(flavour)["apps"][3]["api_key"]
    response = app.test_client().post(
        path, json={"email": email or default_email, "password": password or default_password},
        headers=headers,
    )
    return int(response.status_code)


# overlay -----------------------------------------------------------------------------------
def test_the_docs_cors_snippet_keeps_the_bundled_users(tmp_path: Path) -> None:
    path = _write(tmp_path, {"flavour": "directus", "settings": {"CORS_ENABLED": True}})
    app = authmock.create_app("directus", fixtures=path)
    assert _login(app, "directus") == 200
    assert app.mock.seed.settings.cors.enabled is True
    assert app.mock.settings["ACCESS_TOKEN_TTL"] == "15m"  # bundled settings kept


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_settings_only_file_serves_the_bundled_data(flavour: str) -> None:
    bundled = authmock.create_app(flavour).mock.seed
    overlaid = authmock.create_app(flavour, fixtures={"flavour": flavour, "settings": {}}).mock.seed
    assert repr(overlaid) == repr(bundled)
    assert _login(authmock.create_app(flavour, fixtures={"flavour": flavour}), flavour) == 200


def test_a_list_section_replaces_the_bundled_list() -> None:
    app = authmock.create_app("directus", fixtures={"flavour": "directus", "users": [
        {"id": "u1", "email": "only@example.com", "password": "pw", "role": "Editor"}]})
    assert [u["email"] for u in app.mock.seed.users.values()] == ["only@example.com"]
    assert _login(app, "directus") == 401
    assert _login(app, "directus", "only@example.com", "pw") == 200


def test_extends_bundled_adds_entries_and_replaces_the_one_with_the_same_key() -> None:
    app = authmock.create_app("dreamfactory", fixtures={
        "flavour": "dreamfactory", "extends": "bundled",
        "users": [
            {"email": "USER@example.com", "password": "changed", "roles": {"frontend": "user"}},
            {"email": "new@example.com", "password": "pw"},
        ],
    })
    users = {u["email"]: u for u in app.mock.seed.users.values()}
    assert list(users) == ["admin@example.com", "USER@example.com", "inactive@example.com",
                           "new@example.com"]
    assert users["USER@example.com"]["id"] == 2  # took the replaced entry's place
    assert users["new@example.com"]["id"] == 4
    assert _login(app, "dreamfactory", "user@example.com", "changed") == 200
    assert _login(app, "dreamfactory", "user@example.com", "yourpassword") == 401
    assert len(app.mock.seed.apps) == 4  # other sections stay bundled


def test_extends_bundled_merges_object_sections_by_name() -> None:
    app = authmock.create_app("directus", fixtures={
        "flavour": "directus", "extends": "bundled",
        "collections": {"notes": [{"id": 1, "text": "hi"}]},
    })
    assert list(app.mock.seed.collections) == ["articles", "notes"]


def test_problems_in_an_extended_list_are_numbered_as_the_file_numbers_them(
    tmp_path: Path,
) -> None:
    path = _write(tmp_path, {"flavour": "paystub", "extends": "bundled", "users": [
        {"id": 8, "first_name": "N", "last_name": "E", "email": "new@example.com",
         "password": "pw", "role_id": 42},
        {"id": 1, "first_name": "D", "last_name": "U", "email": "dup@example.com",
         "password": "pw"},
    ]})
    with pytest.raises(FixtureError) as caught:
        authmock.create_app("paystub", fixtures=path)
    assert str(caught.value).splitlines() == [
        f"{path}: $.users[1].id: duplicate id 1",
        f"{path}: $.users[0].role_id: no role with id 42 in $.roles",
    ]


def test_extends_must_say_bundled() -> None:
    with pytest.raises(FixtureError) as caught:
        authmock.create_app("paystub", fixtures={"flavour": "paystub", "extends": "all"})
    assert (caught.value.path, caught.value.problem) == (
        "$.extends", 'must be "bundled" (or left out)')


def test_settings_given_apart_apply_last() -> None:
    app = authmock.create_app("paystub", settings={"api_rate_limit": 0, "profile": "server"})
    assert app.mock.seed.api_rate_limit == 0
    assert app.mock.profile == "server"


# every problem at once -----------------------------------------------------------------------
def test_check_fixtures_reports_every_problem_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, {
        "flavour": "dreamfactory",
        "settings": {"jwt_ttl": "24h", "profile": "prod"},
        "apps": [{"name": "a", "api_key": ""}, {"name": "a", "api_key": "k", "role": "ghost"}],
    })
    assert main(["check-fixtures", path]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f'{path}: $.settings.profile: must be "docs" or "server"',
        f'{path}: $.settings.jwt_ttl: must be an integer, got "24h"',
        f"{path}: $.apps[0].api_key: must be a unique, non-empty string",
        f"{path}: $.apps[1].name: duplicate app name 'a'",
        f"{path}: $.apps[1].role: unknown role 'ghost'",
        # the bundled users stay, and one names an app this file no longer has
        f"{path}: $.users[1].roles.frontend: unknown app 'frontend'",
    ]


def test_serve_refuses_a_broken_file_naming_every_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, {"flavour": "paystub", "settings": {"cors": 1, "typo": 2}})
    assert main(["serve", "--flavour", "paystub", "--fixtures", path]) == 1
    err = capsys.readouterr().err
    assert f"{path}: $.settings.cors: must be true or false or null, got 1" in err
    assert f"{path}: $.settings.typo: unknown key" in err


def test_check_fixtures_says_what_will_be_served(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, {"flavour": "directus", "settings": {"CORS_ENABLED": True},
                             "users": []})
    assert main(["check-fixtures", path]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{path}: ok (directus)"
    assert out[1] == ("  serves roles: 2 (bundled), providers: 4 (bundled), users: 0 (file), "
                      "collections: 1 (bundled)")
    assert out[2].startswith("  settings that differ from the defaults: ")
    assert "CORS_ENABLED=true" in out[2] and "ACCESS_TOKEN_TTL" not in out[2]


# JSON Schema ------------------------------------------------------------------------------
@pytest.mark.parametrize("flavour", FLAVOURS)
def test_the_shipped_schema_is_current_valid_and_accepts_the_bundled_fixture(
    flavour: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["schema", flavour]) == 0
    printed = json.loads(capsys.readouterr().out)
    shipped = json.loads(bundled_schema_path(flavour).read_text())
    assert printed == shipped, (
        f"regenerate: authmock schema {flavour} > "
        f"src/authmock/flavours/{flavour}/fixture.schema.json"
    )
    jsonschema.Draft202012Validator.check_schema(shipped)
    bundled = json.loads(bundled_fixture_path(flavour).read_text())
    assert bundled["$schema"] == "./fixture.schema.json"
    validator = jsonschema.Draft202012Validator(shipped)
    assert list(validator.iter_errors(bundled)) == []
    broken = {**bundled, "settings": {**bundled["settings"], "profile": "prod"}, "typo": 1}
    assert len(list(validator.iter_errors(broken))) == 2


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_fixture_prints_the_bundled_fixture_to_start_from(
    flavour: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["fixture", flavour]) == 0
    printed = json.loads(capsys.readouterr().out)
    bundled = json.loads(bundled_fixture_path(flavour).read_text())
    schema_url = printed.pop("$schema")
    assert schema_url == bundled_schema_path(flavour).as_uri()
    assert printed == {k: v for k, v in bundled.items() if k != "$schema"}
    assert main(["check-fixtures", _write(tmp_path, printed)]) == 0


# --set ----------------------------------------------------------------------------------------
def test_set_values_are_json_where_they_parse_else_strings() -> None:
    sets = parse_sets(["CORS_ENABLED=true", "CORS_ORIGIN=http://a.test", "CORS_MAX_AGE=60"],
                      ["directus"])
    assert sets == {"directus": {"CORS_ENABLED": True, "CORS_ORIGIN": "http://a.test",
                                 "CORS_MAX_AGE": 60}}
    both = parse_sets(["paystub.api_rate_limit=0", "directus.profile=server"],
                      ["directus", "paystub"])
    assert both == {"paystub": {"api_rate_limit": 0}, "directus": {"profile": "server"}}


@pytest.mark.parametrize(("argument", "names", "message"), [
    ("TYPO=1", ["paystub"],
     "--set TYPO=1: paystub has no setting 'TYPO' (allowed: api_rate_limit,"),
    ("api_rate_limit=-1", ["paystub"],
     "--set api_rate_limit=-1: $.settings.api_rate_limit: must be 0 (off) or a positive integer"),
    ("api_rate_limit", ["paystub"], "--set api_rate_limit: expected KEY=VALUE"),
    ("profile=server", ["directus", "paystub"], "name the flavour: --set directus.profile=server"),
])
def test_bad_set_arguments_say_what_is_allowed(
    argument: str, names: list[str], message: str
) -> None:
    with pytest.raises(SetError) as caught:
        parse_sets([argument], names)
    assert str(caught.value).startswith(f"--set {argument}: ")
    assert message in str(caught.value)


def test_serve_reports_a_bad_set_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--flavour", "paystub", "--set", "cors=maybe"]) == 1
    assert capsys.readouterr().err.strip() == (
        'authmock: --set cors=maybe: $.settings.cors: must be true or false or null, got "maybe"')


# marker paths ----------------------------------------------------------------------------------
@pytest.mark.authmock(fixtures="fixture_files/directus-cors.json")
def test_a_marker_path_is_read_next_to_the_test_file(directus_mock: MockFixture) -> None:
    assert directus_mock.mock.seed.settings.cors.enabled is True
    assert directus_mock.client.post("/auth/login", json={
        "email": "admin@example.com", "password": "password"}).status_code == 200


@pytest.mark.authmock(fixtures="tests/fixture_files/directus-cors.json")
def test_a_marker_path_falls_back_to_the_rootdir(directus_mock: MockFixture) -> None:
    assert directus_mock.mock.seed.settings.cors.enabled is True


@pytest.mark.authmock(fixtures={"flavour": "paystub", "settings": {"api_rate_limit": 0}})
def test_a_marker_dict_overlays_the_bundled_fixture(paystub_mock: MockFixture) -> None:
    assert paystub_mock.mock.seed.api_rate_limit == 0
    assert len(paystub_mock.mock.seed.users) == 7


def test_serve_applies_set_over_the_file_over_the_bundled_fixture(tmp_path: Path) -> None:
    path = _write(tmp_path, {"flavour": "directus", "settings": {"ACCESS_TOKEN_TTL": "5m"}})
    proc = subprocess.Popen(
        [sys.executable, "-m", "authmock", "serve", "--flavour", "directus", "--port", "0",
         "--fixtures", path, "--set", "ACCESS_TOKEN_TTL=60000"],
        cwd=ROOT, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        out = ""
        while not out.endswith("Press Ctrl-C to stop.\n"):
            line = proc.stdout.readline()
            assert line, proc.communicate(timeout=10)
            out += line
        found = re.search(r"^directus  (http://127\.0\.0\.1:\d+)", out, re.M)
        assert found is not None, out
        request = urllib.request.Request(
            f"{found.group(1)}/auth/login", method="POST",
            data=json.dumps({"email": "admin@example.com", "password": "password"}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            assert json.loads(response.read())["data"]["expires"] == 60000  # --set won
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=10)
