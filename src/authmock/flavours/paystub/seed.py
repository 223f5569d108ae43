"""Paystub's fixture document (validated and filled in by ``schema.SCHEMA``) → its ``Seed``.

The builder reads plain values and checks nothing: the schema has. Its cost is what a 10 000-user
fixture adds to ``create_app``, so the user rows are built in one comprehension and every date
is normalised once per distinct text (fixtures repeat a handful of dates thousands of times).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from authmock.clock import parse_instant
from authmock.fixtures import FixtureFile
from authmock.flavours.paystub.model import Endpoint, Seed, timestamp
from authmock.flavours.paystub.schema import SCHEMA, is_canonical

#: a key the validated document leaves out (no default: it follows created_at)
_ABSENT: Any = object()


@lru_cache(maxsize=4096)
def _normalised(value: str) -> str:
    """The seed's form of a date the schema accepted (``2025-01-01T00:00:00Z``)."""
    return value if is_canonical(value) else timestamp(parse_instant(value))


def _instant(value: str | None) -> str | None:
    return None if value is None else _normalised(value)


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
    return Seed(
        sites={site["id"]: _site(site) for site in data["sites"]},
        roles={role["id"]: _role(role) for role in data["roles"]},
        users={user["id"]: _user(user) for user in data["users"]},
        endpoints=[_endpoint(endpoint) for endpoint in data["endpoints"]],
        api_rate_limit=settings["api_rate_limit"], reset_url=settings["reset_url"],
        cors=settings["cors"],
    )


def _site(site: dict[str, Any]) -> dict[str, Any]:
    created, updated = _dated(site)
    return {
        "id": site["id"], "identifier": site["identifier"], "name": site["name"],
        "logo": site["logo"], "payment_processors": list(site["payment_processors"]),
        "document_types": list(site["document_types"]), "status": site["status"],
        "created_at": created, "updated_at": updated,
    }


def _role(role: dict[str, Any]) -> dict[str, Any]:
    created, updated = _dated(role)
    return {
        "id": role["id"], "name": role["name"], "description": role["description"],
        "permissions": list(role["permissions"]), "created_at": created, "updated_at": updated,
    }


def _user(user: dict[str, Any]) -> dict[str, Any]:
    """The store's row (the keys in this order; ``password`` is never shown)."""
    created = user["created_at"]
    created = _normalised(created) if created is not None else None
    updated = user.get("updated_at", _ABSENT)
    if updated is _ABSENT:
        updated = created
    elif updated is not None:
        updated = _normalised(updated)
    verified = user.get("email_verified_at", _ABSENT)
    if verified is _ABSENT:
        verified = created
    elif verified is not None:
        verified = _normalised(verified)
    return {
        "id": user["id"], "site_id": user["site_id"], "role_id": user["role_id"],
        "first_name": user["first_name"], "last_name": user["last_name"],
        "email": user["email"], "password": user["password"],
        "klaviyo_id": user["klaviyo_id"], "slack_id": user["slack_id"],
        "email_verified_at": verified, "total_spent": user["total_spent"],
        "metadata": user["metadata"], "settings": user["settings"], "status": user["status"],
        "created_at": created, "updated_at": updated,
    }



def _endpoint(endpoint: dict[str, Any]) -> Endpoint:
    return Endpoint(
        method=endpoint["method"].upper(), path=endpoint["path"],
        permission=endpoint["permission"], data=endpoint["data"],
        status=endpoint["status"], message=endpoint["message"],
    )
