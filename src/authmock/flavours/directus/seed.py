"""The Directus seed: roles, public permissions, providers, users and items from a fixture.

The fixture is declared (and validated, every problem at once) in ``schema.py``; the settings
become ``config.Settings`` through ``config.parse_settings``.
"""

from __future__ import annotations

from typing import Any

from authmock.fixtures import FixtureFile
from authmock.flavours.directus.accounts import resolve_role
from authmock.flavours.directus.config import (
    USER_COLUMNS,
    Provider,
    Role,
    Seed,
    parse_settings,
    url_list,
)
from authmock.flavours.directus.schema import SCHEMA


def parse_fixture(fixture: FixtureFile) -> Seed:
    """Validate a Directus fixture document (every problem at once) and build its seed."""
    data = SCHEMA.document(fixture)
    roles = {raw["id"]: _role(raw) for raw in data["roles"]}
    role_ids = {**{role.name: role.id for role in roles.values()}, **{r: r for r in roles}}
    settings = parse_settings(fixture)
    resolve_role(fixture, settings.accounts, roles)  # by id or name, to the id
    return Seed(
        settings=settings,
        roles=roles,
        public_permissions=_permissions(data["public"]["permissions"]),
        users={raw["id"]: _user(raw, role_ids) for raw in data["users"]},
        collections={name: [dict(item) for item in items]
                     for name, items in data["collections"].items()},
        providers=[_provider(raw) for raw in data["providers"]],
    )


def _permissions(perms: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for collection, rule in perms.items():
        out[collection] = {"fields": list(rule["fields"]), "filter": dict(rule["filter"])}
        if "update" in rule:  # fields of their own directus_users row the role may update
            out[collection]["update"] = list(rule["update"])
    return out


def _role(raw: dict[str, Any]) -> Role:
    return Role(
        id=raw["id"], name=raw["name"], admin_access=raw["admin_access"],
        app_access=raw["app_access"], permissions=_permissions(raw["permissions"]),
        icon=raw["icon"], description=raw["description"], parent=raw["parent"],
        policies=list(raw["policies"]),
    )


def _provider(raw: dict[str, Any]) -> Provider:
    allow = raw["redirect_allow_list"]
    return Provider(
        name=raw["name"],
        driver=raw["driver"],
        label=raw["label"],
        icon=raw["icon"],
        mode=raw["mode"],
        redirect_allow_list=None if allow is None else url_list(allow),
    )


def _user(raw: dict[str, Any], role_ids: dict[str, str]) -> dict[str, Any]:
    row = dict(zip(USER_COLUMNS, map(raw.get, USER_COLUMNS), strict=True))
    row["role"] = None if raw["role"] is None else role_ids[raw["role"]]
    return row  # no password_hash: config.stored_password_hash derives it when asked
