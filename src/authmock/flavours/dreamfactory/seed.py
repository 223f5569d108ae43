"""The DreamFactory seed: apps, roles, services, users and table rows from a fixture.

The fixture is declared (and validated, every problem at once) in ``schema.py``; here the
validated document becomes plain row dicts shaped like DreamFactory's own columns, so the
listings can print them directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from authmock.fixtures import FixtureFile
from authmock.flavours.dreamfactory.schema import SCHEMA, SETTINGS_DEFAULTS, VERB_BITS

DEFAULT_TIMESTAMP = "2026-01-01 00:00:00"
_STAMPS = {"created_date": DEFAULT_TIMESTAMP, "last_modified_date": DEFAULT_TIMESTAMP,
           "created_by_id": None, "last_modified_by_id": None}


@dataclass
class Seed:
    settings: dict[str, Any]
    apps: dict[int, dict[str, Any]]
    roles: dict[int, dict[str, Any]]
    role_access: dict[int, dict[str, Any]]
    services: dict[int, dict[str, Any]]
    users: dict[int, dict[str, Any]]
    user_roles: dict[int, dict[str, Any]]
    tables: dict[str, dict[str, dict[Any, dict[str, Any]]]] = field(default_factory=dict)


def parse(fixture: FixtureFile) -> Seed:
    """Validate a DreamFactory fixture document (every problem at once) and build its seed."""
    return build_seed(SCHEMA.document(fixture))


def _verb_mask(entry: dict[str, Any]) -> int:
    if "verb_mask" in entry:
        mask: int = entry["verb_mask"]
        return mask
    mask = 0
    for verb in entry["verbs"]:
        mask |= VERB_BITS[verb.upper()]
    return mask


def build_seed(data: dict[str, Any]) -> Seed:
    """The seed of a document the schema has validated and filled with defaults."""
    settings = {key: data["settings"][key] for key in SETTINGS_DEFAULTS}
    services: dict[int, dict[str, Any]] = {}
    service_ids: dict[str, int] = {}
    for row in data["services"]:
        ident = row["id"]
        service_ids[row["name"].lower()] = ident
        services[ident] = {
            "id": ident, "name": row["name"].lower(), "label": row.get("label", row["name"]),
            "description": row["description"], "is_active": row["is_active"],
            "type": row["type"], "mutable": row["mutable"], "deletable": row["deletable"],
            **_STAMPS, "config": row["config"],
        }
    roles, role_access, role_ids = _roles(data["roles"], service_ids)
    apps: dict[int, dict[str, Any]] = {}
    app_ids: dict[str, int] = {}
    for row in data["apps"]:
        ident = row["id"]
        app_ids[row["name"]] = ident
        apps[ident] = {
            "id": ident, "name": row["name"], "api_key": row["api_key"],
            "description": row["description"], "is_active": row["is_active"],
            "type": row["type"], "path": row["path"], "url": row["url"],
            "storage_service_id": None, "storage_container": None,
            "requires_fullscreen": False, "allow_fullscreen_toggle": True,
            "toggle_location": "top",
            "role_id": None if row["role"] is None else role_ids[row["role"]],
            **_STAMPS,
        }
    users, user_roles = _users(data["users"], app_ids, role_ids)
    tables: dict[str, dict[str, dict[Any, dict[str, Any]]]] = {}
    for service, service_tables in data["tables"].items():
        for table, records in service_tables.items():
            tables.setdefault(service.lower(), {})[table] = {
                record["id"]: dict(record) for record in records
            }
    return Seed(settings, apps, roles, role_access, services, users, user_roles, tables)


def _roles(
    rows: list[dict[str, Any]], service_ids: dict[str, int]
) -> tuple[dict[int, dict[str, Any]], dict[int, dict[str, Any]], dict[str, int]]:
    roles: dict[int, dict[str, Any]] = {}
    role_access: dict[int, dict[str, Any]] = {}
    role_ids: dict[str, int] = {}
    for row in rows:
        ident = row["id"]
        role_ids[row["name"]] = ident
        roles[ident] = {"id": ident, "name": row["name"], "description": row["description"],
                        "is_active": row["is_active"], **_STAMPS}
        for entry in row["access"]:
            access_id = len(role_access) + 1
            service = entry["service"]
            role_access[access_id] = {
                "id": access_id, "role_id": ident,
                "service_id": None if service is None else service_ids[service.lower()],
                "component": entry["component"], "verb_mask": _verb_mask(entry),
                "requestor_mask": entry["requestor_mask"], "filters": entry["filters"],
                "filter_op": entry["filter_op"],
            }
    return roles, role_access, role_ids


def _users(
    rows: list[dict[str, Any]], app_ids: dict[str, int], role_ids: dict[str, int]
) -> tuple[dict[int, dict[str, Any]], dict[int, dict[str, Any]]]:
    """User rows and their app-role links. The hot loop of a big fixture: one dict display
    with constant keys per row (no ``**`` merge, no generator), names joined only when the
    fixture gives none."""
    users: dict[int, dict[str, Any]] = {}
    user_roles: dict[int, dict[str, Any]] = {}
    for row in rows:
        ident = row["id"]
        first, last, email = row["first_name"], row["last_name"], row["email"]
        if "name" in row:
            name = row["name"]
        else:  # "first last", or the one that is set, else the e-mail
            name = f"{first} {last}" if first and last else first or last or email
        users[ident] = {
            "id": ident, "name": name, "username": row["username"],
            "first_name": first, "last_name": last, "last_login_date": None, "email": email,
            "is_active": row["is_active"], "phone": row["phone"],
            "security_question": row["security_question"], "default_app_id": None,
            "adldap": None, "oauth_provider": None, "saml": None,
            "created_date": DEFAULT_TIMESTAMP, "last_modified_date": DEFAULT_TIMESTAMP,
            "created_by_id": None, "last_modified_by_id": None,
            # hidden columns (never listed)
            "is_sys_admin": row["is_sys_admin"], "password": row["password"],
            "security_answer": row["security_answer"], "confirm_code": None, "modified_at": None,
        }
        for app_name, role_name in row["roles"].items():
            link = len(user_roles) + 1
            user_roles[link] = {"id": link, "user_id": ident, "app_id": app_ids[app_name],
                                "role_id": role_ids[role_name]}
    return users, user_roles
