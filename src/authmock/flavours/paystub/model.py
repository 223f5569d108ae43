"""What a Paystub seed holds (``Seed``, ``Endpoint``) and the JSON shapes of users, sites
and roles, with the timestamps they show.

Sites, roles and guarded endpoints never change while serving, so they live in the seed; users
(password, ``updated_at``) live in the store. ``seed.py`` builds the seed from a fixture.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from authmock.flavours.paystub.schema import DEFAULT_API_RATE_LIMIT, DEFAULT_RESET_URL
from authmock.flavours.paystub.schema import PARAM as _PARAM

#: the five roles allowed on the admin API (seed page); any other role is a customer's
ADMIN_ROLES = ("Owner", "Manager", "Developer", "Support", "Marketing")
ACTIVE = "Active"


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
