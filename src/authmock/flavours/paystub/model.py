"""The Paystub fixture schema, its validation, and the JSON shapes of users, sites and roles.

Sites, roles and guarded endpoints never change while serving, so they live in the seed; users
(password, ``updated_at``) live in the store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from authmock.clock import parse_instant
from authmock.fixtures import FixtureFile

#: the five roles allowed on the admin API (seed page); any other role is a customer's
ADMIN_ROLES = ("Owner", "Manager", "Developer", "Support", "Marketing")
ACTIVE = "Active"
DEFAULT_TIMESTAMP = "2025-01-01T00:00:00Z"
DEFAULT_API_RATE_LIMIT = 60  # Laravel 10's `throttle:api`: 60 per minute per user or IP
DEFAULT_RESET_URL = "http://localhost:3000/password-reset/{token}?email={email}"  # Breeze
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
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


def timestamp(when: datetime) -> str:
    """``2025-02-13T10:00:00Z``: UTC to the second, the shape the seed shows for expires_at."""
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def timestamp_at(seconds: float) -> str:
    moment = datetime.fromtimestamp(int(seconds), tz=timezone.utc)
    if moment.year < 1000:  # strftime does not pad the year to four digits
        return timestamp(moment)
    return moment.isoformat()[:19] + "Z"  # the same text, without strftime's cost


@dataclass(frozen=True)
class Endpoint:
    """A permission-guarded admin endpoint declared in the fixture."""

    method: str
    path: str  # Laravel style, ``/admin/users/{id}``
    permission: str
    data: Any
    status: int = 200
    message: str | None = None

    @property
    def flask_rule(self) -> str:
        return _PARAM.sub(lambda m: f"<{m.group(1)}>", self.path)


@dataclass
class Seed:
    """Everything parsed from a Paystub fixture file."""

    sites: dict[int, dict[str, Any]] = field(default_factory=dict)
    roles: dict[int, dict[str, Any]] = field(default_factory=dict)
    users: dict[int, dict[str, Any]] = field(default_factory=dict)
    endpoints: list[Endpoint] = field(default_factory=list)
    api_rate_limit: int = DEFAULT_API_RATE_LIMIT
    reset_url: str = DEFAULT_RESET_URL
    #: the fixture's own ``cors`` (None: not set, authmock's development default applies)
    cors: bool | None = None


_TOP_KEYS = {"flavour", "settings", "sites", "roles", "users", "endpoints"}
_SETTINGS_KEYS = {
    "profile",
    "realistic_timing",
    "seed",
    "jwt_secret",
    "cors_origins",
    "api_rate_limit",
    "reset_url",
    "cors",
}
_SITE_KEYS = {
    "id",
    "identifier",
    "name",
    "logo",
    "payment_processors",
    "document_types",
    "status",
    "created_at",
    "updated_at",
}
_ROLE_KEYS = {"id", "name", "description", "permissions", "created_at", "updated_at"}
_USER_KEYS = {
    "id",
    "site_id",
    "role_id",
    "first_name",
    "last_name",
    "email",
    "password",
    "klaviyo_id",
    "slack_id",
    "email_verified_at",
    "total_spent",
    "metadata",
    "settings",
    "status",
    "created_at",
    "updated_at",
}
_ENDPOINT_KEYS = {"method", "path", "permission", "data", "status", "message"}


def _instant(fx: FixtureFile, obj: dict[str, Any], key: str, path: str, default: Any) -> Any:
    value: str | None = fx.get(obj, key, (str, type(None)), path, default=default)
    if value is None:
        return None
    try:
        return timestamp(parse_instant(value))
    except ValueError:
        raise fx.error(f"{path}.{key}", f"must be an ISO-8601 date-time, got {value!r}") from None


def _id(fx: FixtureFile, obj: dict[str, Any], path: str, seen: set[int]) -> int:
    value: int = fx.get(obj, "id", int, path)
    if value < 1:
        raise fx.error(f"{path}.id", "must be a positive integer")
    if value in seen:
        raise fx.error(f"{path}.id", f"duplicate id {value}")
    seen.add(value)
    return value


def _strings(fx: FixtureFile, obj: dict[str, Any], key: str, path: str, default: Any) -> list[str]:
    values: list[Any] = fx.get(obj, key, list, path, default=default)
    for index, value in enumerate(values):
        fx.expect(value, str, f"{path}.{key}[{index}]")
    return list(values)


def parse_seed(fx: FixtureFile) -> Seed:
    """Validate a Paystub fixture document; the first problem raises with its JSON path."""
    data = fx.data
    fx.only_keys(data, _TOP_KEYS, "$")
    seed = Seed()
    settings: dict[str, Any] = fx.get(data, "settings", dict, "$", default={})
    fx.only_keys(settings, _SETTINGS_KEYS, "$.settings")
    seed.api_rate_limit = fx.get(
        settings, "api_rate_limit", int, "$.settings", default=DEFAULT_API_RATE_LIMIT
    )
    if seed.api_rate_limit < 0:
        raise fx.error("$.settings.api_rate_limit", "must be 0 (off) or a positive integer")
    seed.reset_url = fx.get(settings, "reset_url", str, "$.settings", default=DEFAULT_RESET_URL)
    if "{token}" not in seed.reset_url:
        raise fx.error("$.settings.reset_url", "must contain the placeholder {token}")
    seed.cors = fx.get(settings, "cors", (bool, type(None)), "$.settings", default=None)

    seen: set[int] = set()
    for index, site in enumerate(fx.get(data, "sites", list, "$", default=[])):
        path = f"$.sites[{index}]"
        fx.expect(site, dict, path)
        fx.only_keys(site, _SITE_KEYS, path)
        site_id = _id(fx, site, path, seen)
        created = _instant(fx, site, "created_at", path, DEFAULT_TIMESTAMP)
        seed.sites[site_id] = {
            "id": site_id,
            "identifier": fx.get(site, "identifier", str, path),
            "name": fx.get(site, "name", str, path),
            "logo": fx.get(site, "logo", (str, type(None)), path, default=None),
            "payment_processors": _strings(fx, site, "payment_processors", path, []),
            "document_types": _strings(fx, site, "document_types", path, []),
            "status": fx.get(site, "status", str, path, default="active"),
            "created_at": created,
            "updated_at": _instant(fx, site, "updated_at", path, created),
        }

    seen = set()
    for index, role in enumerate(fx.get(data, "roles", list, "$", default=[])):
        path = f"$.roles[{index}]"
        fx.expect(role, dict, path)
        fx.only_keys(role, _ROLE_KEYS, path)
        role_id = _id(fx, role, path, seen)
        created = _instant(fx, role, "created_at", path, DEFAULT_TIMESTAMP)
        seed.roles[role_id] = {
            "id": role_id,
            "name": fx.get(role, "name", str, path),
            "description": fx.get(role, "description", (str, type(None)), path, default=None),
            "permissions": _strings(fx, role, "permissions", path, []),
            "created_at": created,
            "updated_at": _instant(fx, role, "updated_at", path, created),
        }

    seen = set()
    emails: set[str] = set()
    for index, user in enumerate(fx.get(data, "users", list, "$", default=[])):
        path = f"$.users[{index}]"
        fx.expect(user, dict, path)
        fx.only_keys(user, _USER_KEYS, path)
        user_id = _id(fx, user, path, seen)
        email: str = fx.get(user, "email", str, path)
        if "@" not in email:
            raise fx.error(f"{path}.email", f"must be an e-mail address, got {email!r}")
        if email.casefold() in emails:
            raise fx.error(f"{path}.email", f"duplicate e-mail {email!r}")
        emails.add(email.casefold())
        site_id = fx.get(user, "site_id", (int, type(None)), path, default=None)
        if site_id is not None and site_id not in seed.sites:
            raise fx.error(f"{path}.site_id", f"no site with id {site_id} in $.sites")
        role_id = fx.get(user, "role_id", (int, type(None)), path, default=None)
        if role_id is not None and role_id not in seed.roles:
            raise fx.error(f"{path}.role_id", f"no role with id {role_id} in $.roles")
        created = _instant(fx, user, "created_at", path, DEFAULT_TIMESTAMP)
        seed.users[user_id] = {
            "id": user_id,
            "site_id": site_id,
            "role_id": role_id,
            "first_name": fx.get(user, "first_name", str, path),
            "last_name": fx.get(user, "last_name", str, path),
            "email": email,
            "password": fx.get(user, "password", str, path),
            "klaviyo_id": fx.get(user, "klaviyo_id", (str, type(None)), path, default=None),
            "slack_id": fx.get(user, "slack_id", (str, type(None)), path, default=None),
            "email_verified_at": _instant(fx, user, "email_verified_at", path, created),
            "total_spent": fx.get(user, "total_spent", (int, float), path, default=0),
            "metadata": fx.get(user, "metadata", dict, path, default={}),
            "settings": fx.get(user, "settings", dict, path, default={}),
            "status": fx.get(user, "status", str, path, default=ACTIVE),
            "created_at": created,
            "updated_at": _instant(fx, user, "updated_at", path, created),
        }

    routes: set[tuple[str, str]] = set()
    for index, endpoint in enumerate(fx.get(data, "endpoints", list, "$", default=[])):
        path = f"$.endpoints[{index}]"
        fx.expect(endpoint, dict, path)
        fx.only_keys(endpoint, _ENDPOINT_KEYS, path)
        method = fx.get(endpoint, "method", str, path).upper()
        if method not in METHODS:
            raise fx.error(f"{path}.method", f"must be one of {', '.join(METHODS)}")
        route: str = fx.get(endpoint, "path", str, path)
        segments = route.split("/")
        if (
            not route.startswith("/")
            or route == "/"
            or not all(_SEGMENT.match(s) for s in segments[1:])
        ):
            raise fx.error(
                f"{path}.path",
                f"must look like /admin/users/{{id}} (segments of letters, digits, ._~- or "
                f"{{name}}), got {route!r}",
            )
        names = _PARAM.findall(route)
        if len(names) != len(set(names)):
            raise fx.error(f"{path}.path", f"a parameter name is used twice in {route!r}")
        if _PARAM.sub("{}", route) in AUTH_PATHS:
            raise fx.error(f"{path}.path", f"{route} is served by the flavour itself")
        key = (method, _PARAM.sub("{}", route))
        if key in routes:
            raise fx.error(f"{path}", f"{method} {route} is declared twice")
        routes.add(key)
        status: int = fx.get(endpoint, "status", int, path, default=200)
        if not 200 <= status <= 299:
            raise fx.error(f"{path}.status", "must be a 2xx status code")
        if "data" not in endpoint:
            raise fx.error(path, 'missing required key "data"')
        seed.endpoints.append(
            Endpoint(
                method=method,
                path=route,
                permission=fx.get(endpoint, "permission", str, path),
                data=endpoint["data"],
                status=status,
                message=fx.get(endpoint, "message", (str, type(None)), path, default=None),
            )
        )
    return seed


def permissions_of(seed: Seed, user: dict[str, Any]) -> list[str]:
    role = seed.roles.get(user["role_id"]) if user["role_id"] is not None else None
    return list(role["permissions"]) if role else []


def is_admin(seed: Seed, user: dict[str, Any]) -> bool:
    """Holds one of the five admin roles (the seed page: only they may use the admin API)."""
    role = seed.roles.get(user["role_id"]) if user["role_id"] is not None else None
    return role is not None and role["name"] in ADMIN_ROLES


def user_json(seed: Seed, user: dict[str, Any]) -> dict[str, Any]:
    """The full user object of GET /admin/auth/me (docs), in the documented key order."""
    site = seed.sites.get(user["site_id"]) if user["site_id"] is not None else None
    role = seed.roles.get(user["role_id"]) if user["role_id"] is not None else None
    return {
        "id": user["id"],
        "site_id": user["site_id"],
        "role_id": user["role_id"],
        "first_name": user["first_name"],
        "last_name": user["last_name"],
        "email": user["email"],
        "klaviyo_id": user["klaviyo_id"],
        "slack_id": user["slack_id"],
        "email_verified_at": user["email_verified_at"],
        "total_spent": user["total_spent"],
        # shared, not copied: every caller serialises the result at once
        "metadata": user["metadata"],
        "settings": user["settings"],
        "status": user["status"],
        "created_at": user["created_at"],
        "updated_at": user["updated_at"],
        "site": site or None,
        "role": role or None,
        "meta": {
            "is_verified": user["email_verified_at"] is not None,
            "permissions": permissions_of(seed, user),
        },
    }
