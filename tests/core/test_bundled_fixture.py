"""``authmock.bundled_fixture``: the way users derive a fixture variant."""

from __future__ import annotations

from pathlib import Path

import authmock
from authmock import flavour as flavours
from authmock.fixtures import bundled_fixture_path, bundled_schema_path
from tests.core.toy import TOY_FIXTURES


def test_each_call_is_a_fresh_copy_with_settings_overridden() -> None:
    first = authmock.bundled_fixture("paystub", api_rate_limit=0, profile="server")
    assert first["flavour"] == "paystub"
    assert first["settings"]["api_rate_limit"] == 0
    first["users"].clear()
    second = authmock.bundled_fixture("paystub")
    assert second["users"] and second["settings"].get("api_rate_limit") != 0


def test_a_variant_feeds_create_app() -> None:
    bundled = authmock.bundled_fixture("directus", profile="server")
    app = authmock.create_app("directus", fixtures=bundled)
    assert app.test_client().get("/__authmock__/health").json == {
        "status": "ok", "flavour": "directus", "profile": "server",
    }


def test_each_flavour_finds_its_fixture_in_its_own_package() -> None:
    for name in ("dreamfactory", "directus", "paystub"):
        package = Path(__import__(f"authmock.flavours.{name}", fromlist=["_"]).__file__ or "")
        assert bundled_fixture_path(name) == package.resolve().parent / "fixture.json"
        assert bundled_schema_path(name) == package.resolve().parent / "fixture.schema.json"
        assert authmock.bundled_fixture(name)["flavour"] == name


def test_a_flavour_may_name_its_bundled_file_elsewhere() -> None:
    assert flavours.get("toy").bundled_fixture == "toy.fixture.json"
    assert bundled_fixture_path("toy") == Path(__file__).resolve().parent / "toy.fixture.json"
    app = authmock.create_app("toy")  # no fixtures: the toy's own bundled file
    assert app.test_client().post("/login/b@example.com").get_json()["logins"] == 1
    assert authmock.bundled_fixture("toy") == TOY_FIXTURES
