"""Paystub's fixture document (validated and filled by ``schema.SCHEMA``) → its ``Seed``."""

from __future__ import annotations

from typing import Any

from authmock.clock import parse_instant
from authmock.fixtures import FixtureFile
from authmock.flavours.paystub.model import Endpoint, Seed, timestamp
from authmock.flavours.paystub.schema import SCHEMA, is_canonical


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
