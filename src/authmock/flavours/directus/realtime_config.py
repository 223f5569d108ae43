"""The ``WEBSOCKETS_*`` settings of the Directus flavour (kept apart from ``realtime`` so the
fixture parser can read them without importing the service)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from authmock.fixtures import FixtureFile

_AUTH_MODES = ("public", "handshake", "strict")

REALTIME_KEYS = (
    "WEBSOCKETS_ENABLED", "WEBSOCKETS_REST_ENABLED", "WEBSOCKETS_REST_AUTH",
    "WEBSOCKETS_REST_AUTH_TIMEOUT", "WEBSOCKETS_REST_PATH", "WEBSOCKETS_GRAPHQL_ENABLED",
    "WEBSOCKETS_GRAPHQL_AUTH", "WEBSOCKETS_GRAPHQL_AUTH_TIMEOUT", "WEBSOCKETS_GRAPHQL_PATH",
    "WEBSOCKETS_HEARTBEAT_ENABLED", "WEBSOCKETS_HEARTBEAT_PERIOD",
)


@dataclass
class RealtimeSettings:
    """``WEBSOCKETS_*`` (Directus's defaults, except that the fake turns the servers on)."""

    enabled: bool = True
    rest_enabled: bool = True
    rest_auth: str = "handshake"
    rest_timeout: float = 10.0
    rest_path: str = "/websocket"
    graphql_enabled: bool = True
    graphql_auth: str = "handshake"
    graphql_timeout: float = 10.0
    graphql_path: str = "/graphql"
    heartbeat_enabled: bool = True
    heartbeat_period: float = 30.0


def parse_settings(fixture: FixtureFile, raw: dict[str, Any]) -> RealtimeSettings:
    """The fixture's ``WEBSOCKETS_*`` settings, each checked with a message naming what fits."""
    out = RealtimeSettings()

    def flag(key: str, default: bool) -> bool:
        value: Any = fixture.get(raw, key, (bool, str), "$.settings", default=default)
        if isinstance(value, str):
            if value.lower() not in ("true", "false"):
                raise fixture.error(f"$.settings.{key}", 'must be true, false, "true" or "false"')
            return value.lower() == "true"
        return bool(value)

    def seconds(key: str, default: float) -> float:
        value: Any = fixture.get(raw, key, (int, float), "$.settings", default=default)
        if isinstance(value, bool) or value <= 0:
            raise fixture.error(f"$.settings.{key}", "must be a positive number of seconds")
        return float(value)

    def mode(key: str) -> str:
        value: str = fixture.get(raw, key, str, "$.settings", default="handshake")
        if value.lower() not in _AUTH_MODES:
            raise fixture.error(f"$.settings.{key}", 'must be "public", "handshake" or "strict"')
        return value.lower()

    def path(key: str, default: str) -> str:
        value: str = fixture.get(raw, key, str, "$.settings", default=default)
        if not value.startswith("/"):
            raise fixture.error(f"$.settings.{key}", 'must be a path starting with "/"')
        return value

    out.enabled = flag("WEBSOCKETS_ENABLED", out.enabled)
    out.rest_enabled = flag("WEBSOCKETS_REST_ENABLED", out.rest_enabled)
    out.rest_auth = mode("WEBSOCKETS_REST_AUTH")
    out.rest_timeout = seconds("WEBSOCKETS_REST_AUTH_TIMEOUT", out.rest_timeout)
    out.rest_path = path("WEBSOCKETS_REST_PATH", out.rest_path)
    out.graphql_enabled = flag("WEBSOCKETS_GRAPHQL_ENABLED", out.graphql_enabled)
    out.graphql_auth = mode("WEBSOCKETS_GRAPHQL_AUTH")
    out.graphql_timeout = seconds("WEBSOCKETS_GRAPHQL_AUTH_TIMEOUT", out.graphql_timeout)
    out.graphql_path = path("WEBSOCKETS_GRAPHQL_PATH", out.graphql_path)
    out.heartbeat_enabled = flag("WEBSOCKETS_HEARTBEAT_ENABLED", out.heartbeat_enabled)
    out.heartbeat_period = seconds("WEBSOCKETS_HEARTBEAT_PERIOD", out.heartbeat_period)
    return out
