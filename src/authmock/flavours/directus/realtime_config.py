"""The ``WEBSOCKETS_*`` settings of the Directus flavour: declared for the fixture schema
(``schema.py`` adds ``realtime_fields()``) and converted for ``realtime.py``. Kept apart from
``realtime`` so the fixture code can read them without importing the service."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

_AUTH_MODES = ("public", "handshake", "strict")
_ENV_BOOL = 'must be true, false, "true" or "false"'


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


def realtime_fields() -> dict[str, Any]:
    """The schema's declaration of every ``WEBSOCKETS_*`` setting (messages name what fits)."""
    from authmock.nodes import Field, Rule, Value, above, one_of

    def flag(default: bool, what: str) -> Field:
        return Field(
            Value(
                bool,
                str,
                rules=[
                    Rule(
                        lambda v: (
                            None
                            if isinstance(v, bool) or v.lower() in ("true", "false")
                            else _ENV_BOOL
                        )
                    )
                ],
            ),
            default=default,
            description=what,
        )

    def mode(what: str) -> Field:
        return Field(Value(str, rules=[one_of(
            _AUTH_MODES, 'must be "public", "handshake" or "strict"', normalize=str.lower)]),
            default="handshake", description=what)

    def seconds(default: float, what: str) -> Field:
        return Field(Value(float, rules=[above(0, "must be a positive number of seconds")]),
                     default=default, description=what)

    def path(default: str, what: str) -> Field:
        return Field(Value(str, rules=[Rule(
            lambda v: None if v.startswith("/") else 'must be a path starting with "/"')]),
            default=default, description=what)

    d = RealtimeSettings()
    return {
        "WEBSOCKETS_ENABLED": flag(d.enabled, "serve the WebSocket servers (Directus: false)"),
        "WEBSOCKETS_REST_ENABLED": flag(d.rest_enabled, "the realtime server"),
        "WEBSOCKETS_REST_AUTH": mode("public, handshake or strict"),
        "WEBSOCKETS_REST_AUTH_TIMEOUT": seconds(d.rest_timeout, "seconds to authenticate"),
        "WEBSOCKETS_REST_PATH": path(d.rest_path, "the realtime server's path"),
        "WEBSOCKETS_GRAPHQL_ENABLED": flag(d.graphql_enabled, "the graphql-ws server"),
        "WEBSOCKETS_GRAPHQL_AUTH": mode("public, handshake or strict"),
        "WEBSOCKETS_GRAPHQL_AUTH_TIMEOUT": seconds(d.graphql_timeout, "seconds to authenticate"),
        "WEBSOCKETS_GRAPHQL_PATH": path(d.graphql_path, "the graphql-ws server's path"),
        "WEBSOCKETS_HEARTBEAT_ENABLED": flag(d.heartbeat_enabled, "ping clients"),
        "WEBSOCKETS_HEARTBEAT_PERIOD": seconds(d.heartbeat_period, "seconds between pings"),
    }


def _flag(value: Any, default: bool) -> bool:
    if isinstance(value, str):
        return value.lower() == "true"
    return default if value is None else bool(value)


def parse_settings(s: dict[str, Any]) -> RealtimeSettings:
    """The checked settings (the schema filled the defaults) as ``realtime.py`` reads them."""
    out = RealtimeSettings()
    out.enabled = _flag(s.get("WEBSOCKETS_ENABLED"), out.enabled)
    out.rest_enabled = _flag(s.get("WEBSOCKETS_REST_ENABLED"), out.rest_enabled)
    out.rest_auth = str(s.get("WEBSOCKETS_REST_AUTH", out.rest_auth)).lower()
    out.rest_timeout = float(s.get("WEBSOCKETS_REST_AUTH_TIMEOUT", out.rest_timeout))
    out.rest_path = str(s.get("WEBSOCKETS_REST_PATH", out.rest_path))
    out.graphql_enabled = _flag(s.get("WEBSOCKETS_GRAPHQL_ENABLED"), out.graphql_enabled)
    out.graphql_auth = str(s.get("WEBSOCKETS_GRAPHQL_AUTH", out.graphql_auth)).lower()
    out.graphql_timeout = float(s.get("WEBSOCKETS_GRAPHQL_AUTH_TIMEOUT", out.graphql_timeout))
    out.graphql_path = str(s.get("WEBSOCKETS_GRAPHQL_PATH", out.graphql_path))
    out.heartbeat_enabled = _flag(s.get("WEBSOCKETS_HEARTBEAT_ENABLED"), out.heartbeat_enabled)
    out.heartbeat_period = float(s.get("WEBSOCKETS_HEARTBEAT_PERIOD", out.heartbeat_period))
    return out
