"""The Paystub fixture schema, its validation, and the JSON shapes of users, sites and roles.

Sites, roles and guarded endpoints never change while serving, so they live in the seed; users
(password, ``updated_at``) live in the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from authmock.clock import parse_instant
from authmock.fixtures import FixtureFile
from authmock.flavours.paystub.schema import (
    DEFAULT_API_RATE_LIMIT,
    DEFAULT_RESET_URL,
    SCHEMA,
    is_canonical,
)
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


def _instant(value: str | None) -> str | None:
    if value is None or is_canonical(value):
        return value
    return timestamp(parse_instant(value))


def _dated(row: dict[str, Any]) -> tuple[str | None, str | None]:
    """created_at and updated_at (which defaults to created_at), normalised."""
    created = _instant(row["created_at"])
    return created, _instant(row["updated_at"]) if "updated_at" in row else created


def parse_seed(fx: FixtureFile) -> Seed:
    """Validate a Paystub fixture document (every problem at once) and build its seed."""
    return build_seed(SCHEMA.document(fx))


def build_seed(data: dict[str, Any]) -> Seed:
    """The seed of a document the schema has validated and filled with defaults."""
    settings = data["settings"]
    seed = Seed(api_rate_limit=settings["api_rate_limit"], reset_url=settings["reset_url"],
                cors=settings["cors"])
    for site in data["sites"]:
        created, updated = _dated(site)
        seed.sites[site["id"]] = {
            "id": site["id"], "identifier": site["identifier"], "name": site["name"],
            "logo": site["logo"], "payment_processors": list(site["payment_processors"]),
            "document_types": list(site["document_types"]), "status": site["status"],
            "created_at": created, "updated_at": updated,
        }
    for role in data["roles"]:
        created, updated = _dated(role)
        seed.roles[role["id"]] = {
            "id": role["id"], "name": role["name"], "description": role["description"],
            "permissions": list(role["permissions"]), "created_at": created, "updated_at": updated,
        }
    for user in data["users"]:
        created, updated = _dated(user)
        verified = _instant(user["email_verified_at"]) if "email_verified_at" in user else created
        seed.users[user["id"]] = {
            "id": user["id"], "site_id": user["site_id"], "role_id": user["role_id"],
            "first_name": user["first_name"], "last_name": user["last_name"],
            "email": user["email"], "password": user["password"],
            "klaviyo_id": user["klaviyo_id"], "slack_id": user["slack_id"],
            "email_verified_at": verified, "total_spent": user["total_spent"],
            "metadata": user["metadata"], "settings": user["settings"], "status": user["status"],
            "created_at": created, "updated_at": updated,
        }
    for endpoint in data["endpoints"]:
        seed.endpoints.append(Endpoint(
            method=endpoint["method"].upper(), path=endpoint["path"],
            permission=endpoint["permission"], data=endpoint["data"],
            status=endpoint["status"], message=endpoint["message"],
        ))
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
