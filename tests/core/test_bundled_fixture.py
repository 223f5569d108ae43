"""``authmock.bundled_fixture``: the way users derive a fixture variant."""

from __future__ import annotations

import authmock


def test_each_call_is_a_fresh_copy_with_settings_overridden() -> None:
    first = authmock.bundled_fixture("paystub", api_rate_limit=0, profile="server")
    assert first["flavour"] == "paystub"
    assert first["settings"]["api_rate_limit"] == 0
    first["users"].clear()
    second = authmock.bundled_fixture("paystub")
    assert second["users"] and second["settings"].get("api_rate_limit") != 0


def test_a_variant_feeds_create_app() -> None:
    app = authmock.create_app("directus", fixtures=authmock.bundled_fixture("directus", profile="server"))
    assert app.test_client().get("/__authmock__/health").json == {
        "status": "ok", "flavour": "directus", "profile": "server",
    }
