"""The Paystub fixture, declared once: validated by the core, published as JSON Schema."""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from typing import Any

from authmock.clock import parse_instant
from authmock.schema import (
    Field,
    FixtureSchema,
    ListOf,
    Obj,
    Ref,
    Rule,
    Unique,
    Value,
    Verdict,
    at_least,
    one_of,
    shared_settings,
)

DEFAULT_TIMESTAMP = "2025-01-01T00:00:00Z"
DEFAULT_API_RATE_LIMIT = 60  # Laravel 10's `throttle:api`: 60 per minute per user or IP
DEFAULT_RESET_URL = "http://localhost:3000/password-reset/{token}?email={email}"  # Breeze
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_SEGMENT = re.compile(r"^(?:[A-Za-z0-9._~-]+|\{[A-Za-z_][A-Za-z0-9_]*\})$")
#: paths the flavour serves itself; a fixture endpoint may not shadow them
AUTH_PATHS = (
    "/admin/auth/login",
    "/admin/auth/refresh",
    "/admin/auth/me",
    "/admin/auth/forgot-password",
    "/admin/auth/reset-password",
    "/admin/auth/logout",
)


_CANONICAL = re.compile(r"[1-9]\d{3}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


@lru_cache(maxsize=4096)
def is_canonical(value: str) -> bool:
    """Already in the form the seed writes (``2025-01-01T00:00:00Z``, a real date): most
    fixture dates are, and they need no parsing (a 10 000-user file has 30 000). Remembered:
    such files repeat a few dates thousands of times, and validation and seed both ask."""
    if not _CANONICAL.fullmatch(value):
        return False
    try:
        datetime.fromisoformat(value[:19])
    except ValueError:
        return False
    return True


def _instant_check(value: Any) -> Verdict:
    if value is None or is_canonical(value):
        return None
    try:
        parse_instant(value)
    except ValueError:
        return f"must be an ISO-8601 date-time, got {value!r}"
    return None


def _instant(description: str) -> Value:
    return Value(str, None, rules=[Rule(_instant_check, {"format": "date-time"})],
                 description=description)


def _path_check(route: str) -> Verdict:
    segments = route.split("/")
    if not route.startswith("/") or route == "/" or not all(
        _SEGMENT.match(s) for s in segments[1:]
    ):
        return (f"must look like /admin/users/{{id}} (segments of letters, digits, ._~- or "
                f"{{name}}), got {route!r}")
    names = PARAM.findall(route)
    if len(names) != len(set(names)):
        return f"a parameter name is used twice in {route!r}"
    if PARAM.sub("{}", route) in AUTH_PATHS:
        return f"{route} is served by the flavour itself"
    return None


_ID = Value(int, rules=[at_least(1, "must be a positive integer")])
_STRINGS = ListOf(Value(str))
_NULLABLE = Value(str, None)
_CREATED = "ISO-8601 date-time (default 2025-01-01T00:00:00Z)"
_UPDATED = "ISO-8601 date-time (default: created_at)"


def _unique_id() -> Unique:
    return Unique(lambda entry: entry["id"], "duplicate id {value}", ".id")


SITE = Obj({
    "id": Field(_ID, required=True),
    "identifier": Field(Value(str), required=True),
    "name": Field(Value(str), required=True),
    "logo": Field(_NULLABLE, default=None),
    "payment_processors": Field(_STRINGS, default=[]),
    "document_types": Field(_STRINGS, default=[]),
    "status": Field(Value(str), default="active"),
    "created_at": Field(_instant(_CREATED), default=DEFAULT_TIMESTAMP),
    "updated_at": Field(_instant(_UPDATED)),
})

ROLE = Obj({
    "id": Field(_ID, required=True),
    "name": Field(Value(str), required=True),
    "description": Field(_NULLABLE, default=None),
    "permissions": Field(_STRINGS, default=[], description='e.g. "users:list"'),
    "created_at": Field(_instant(_CREATED), default=DEFAULT_TIMESTAMP),
    "updated_at": Field(_instant(_UPDATED)),
})


def _email_check(email: str) -> Verdict:
    return None if "@" in email else f"must be an e-mail address, got {email!r}"


USER = Obj({
    "id": Field(_ID, required=True),
    "site_id": Field(Value(int, None, ref=Ref(
        "sites", lambda site: [site["id"]], "no site with id {value} in $.sites")), default=None),
    "role_id": Field(Value(int, None, ref=Ref(
        "roles", lambda role: [role["id"]], "no role with id {value} in $.roles")), default=None,
        description="null: a customer, not an admin"),
    "first_name": Field(Value(str), required=True),
    "last_name": Field(Value(str), required=True),
    "email": Field(Value(str, rules=[Rule(_email_check)]), required=True),
    "password": Field(Value(str), required=True, description="plain text (a test double)"),
    "klaviyo_id": Field(_NULLABLE, default=None),
    "slack_id": Field(_NULLABLE, default=None),
    "email_verified_at": Field(_instant("ISO-8601 date-time or null (default: created_at)")),
    "total_spent": Field(Value(float), default=0),
    "metadata": Field(Value(dict), default={}),
    "settings": Field(Value(dict), default={}),
    "status": Field(Value(str), default="Active", description='"Active" logs in'),
    "created_at": Field(_instant(_CREATED), default=DEFAULT_TIMESTAMP),
    "updated_at": Field(_instant(_UPDATED)),
})

ENDPOINT = Obj({
    "method": Field(Value(str, rules=[one_of(METHODS, normalize=str.upper)]), required=True),
    "path": Field(Value(str, rules=[Rule(_path_check)]), required=True,
                  description="Laravel style: /admin/users/{id}"),
    "permission": Field(Value(str), required=True),
    "data": Field(Value(), required=True, description="the answer's data member"),
    "status": Field(Value(int, rules=[Rule(
        lambda s: None if 200 <= s <= 299 else "must be a 2xx status code",
        {"minimum": 200, "maximum": 299})]), default=200),
    "message": Field(_NULLABLE, default=None),
})


def _route(endpoint: dict[str, Any]) -> tuple[str, str]:
    return (str(endpoint["method"]).upper(), PARAM.sub("{}", endpoint["path"]))


SCHEMA = FixtureSchema(
    flavour="paystub",
    description="A Paystub admin API fixture for authmock: sites, roles, users and the "
    "permission-guarded endpoints.",
    sections={
        "settings": Field(Obj({
            **shared_settings(),
            "api_rate_limit": Field(Value(int, rules=[at_least(
                0, "must be 0 (off) or a positive integer")]), default=DEFAULT_API_RATE_LIMIT,
                description="requests per minute per user or IP (0: off)"),
            "reset_url": Field(Value(str, rules=[Rule(
                lambda url: None if "{token}" in url
                else "must contain the placeholder {token}")]), default=DEFAULT_RESET_URL),
            "cors": Field(Value(bool, None), default=None,
                          description="Laravel's HandleCors on or off; null: authmock's "
                          "development default (loopback origins)"),
        }), default={}),
        "sites": Field(ListOf(SITE, unique=[_unique_id()]), default=[]),
        "roles": Field(ListOf(ROLE, unique=[_unique_id()]), default=[]),
        "users": Field(ListOf(USER, unique=[
            _unique_id(),
            Unique(lambda user: user["email"].casefold(), "duplicate e-mail {value!r}", ".email",
                   shown=lambda user: user["email"]),
        ]), default=[]),
        "endpoints": Field(ListOf(ENDPOINT, unique=[
            Unique(_route, "{value} is declared twice",
                   shown=lambda e: f"{str(e['method']).upper()} {e['path']}"),
        ]), default=[]),
    },
    overlay_keys={
        "sites": lambda site: site.get("identifier"),
        "roles": lambda role: role.get("name"),
        "users": lambda user: str(user.get("email", "")).casefold() or None,
        "endpoints": _route,
    },
)
