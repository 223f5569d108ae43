"""The DreamFactory fixture schema: apps, roles, services, users and table rows.

Parsed once per app into plain row dicts shaped like DreamFactory's own columns, so the
listings can print them directly. Every problem names its JSON path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from authmock.fixtures import FixtureFile

VERB_BITS = {"GET": 1, "POST": 2, "PUT": 4, "PATCH": 8, "DELETE": 16, "OPTIONS": 32, "HEAD": 64}
DEFAULT_TIMESTAMP = "2026-01-01 00:00:00"

SETTINGS_DEFAULTS: dict[str, Any] = {
    "jwt_ttl": 1440,
    "jwt_refresh_ttl": 20160,
    "allow_forever_sessions": False,
    "allow_open_registration": False,
    "open_reg_email_confirmation": True,
    "open_reg_role": None,
    "confirm_code_ttl": 86400,
    "confirm_reset_url": "/dreamfactory/dist/#/reset-password",
    "confirm_register_url": "/dreamfactory/dist/#/register-confirm",
    "hostname": "dreamfactory",
}
SHARED_SETTINGS = {"profile", "realistic_timing", "seed", "jwt_secret", "cors_origins"}


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


def _ids(fixture: FixtureFile, rows: list[Any], path: str) -> list[tuple[int, dict[str, Any]]]:
    """(id, row) pairs; ids default to 1-based positions and must be unique."""
    seen: set[int] = set()
    out: list[tuple[int, dict[str, Any]]] = []
    for index, row in enumerate(rows):
        where = f"{path}[{index}]"
        fixture.expect(row, dict, where)
        ident = fixture.get(row, "id", int, where, default=index + 1)
        if ident in seen:
            raise fixture.error(f"{where}.id", f"duplicate id {ident}")
        seen.add(ident)
        out.append((ident, row))
    return out


def _verb_mask(fixture: FixtureFile, entry: dict[str, Any], where: str) -> int:
    if "verb_mask" in entry:
        return fixture.get(entry, "verb_mask", int, where)
    verbs = fixture.get(entry, "verbs", list, where, default=None)
    if verbs is None:
        raise fixture.error(where, 'needs "verb_mask" (GET 1, POST 2, PUT 4, PATCH 8, DELETE 16) '
                            'or "verbs" (e.g. ["GET", "POST"])')
    mask = 0
    for i, verb in enumerate(verbs):
        name = fixture.expect(verb, str, f"{where}.verbs[{i}]").upper()
        if name not in VERB_BITS:
            raise fixture.error(f"{where}.verbs[{i}]", f"unknown verb {verb!r}")
        mask |= VERB_BITS[name]
    return mask


def parse(fixture: FixtureFile) -> Seed:
    data = fixture.data
    fixture.only_keys(
        data, {"flavour", "settings", "apps", "roles", "services", "users", "tables"}, "$"
    )
    settings = dict(SETTINGS_DEFAULTS)
    raw_settings = fixture.get(data, "settings", dict, "$", default={})
    fixture.only_keys(raw_settings, set(SETTINGS_DEFAULTS) | SHARED_SETTINGS, "$.settings")
    for key in ("jwt_ttl", "jwt_refresh_ttl", "confirm_code_ttl"):
        value = fixture.get(raw_settings, key, int, "$.settings", default=settings[key])
        if value <= 0:
            raise fixture.error(f"$.settings.{key}", "must be a positive number of minutes")
        settings[key] = value
    for key in ("allow_forever_sessions", "allow_open_registration",
                "open_reg_email_confirmation"):
        settings[key] = fixture.get(raw_settings, key, bool, "$.settings", default=settings[key])
    for key in ("confirm_reset_url", "confirm_register_url", "hostname"):
        settings[key] = fixture.get(raw_settings, key, str, "$.settings", default=settings[key])
    settings["open_reg_role"] = fixture.get(
        raw_settings, "open_reg_role", (str, type(None)), "$.settings", default=None
    )

    # services ------------------------------------------------------------------------------
    services: dict[int, dict[str, Any]] = {}
    service_names: dict[str, int] = {}
    for ident, row in _ids(fixture, fixture.get(data, "services", list, "$", default=[]),
                           "$.services"):
        where = f"$.services[{len(services)}]"
        fixture.only_keys(row, {"id", "name", "label", "description", "type", "is_active",
                                "mutable", "deletable", "config"}, where)
        name = fixture.get(row, "name", str, where)
        if name.lower() in service_names:
            raise fixture.error(f"{where}.name", f"duplicate service name {name!r}")
        service_names[name.lower()] = ident
        services[ident] = {
            "id": ident,
            "name": name.lower(),
            "label": fixture.get(row, "label", str, where, default=name),
            "description": fixture.get(row, "description", (str, type(None)), where,
                                       default=None),
            "is_active": fixture.get(row, "is_active", bool, where, default=True),
            "type": fixture.get(row, "type", str, where),
            "mutable": fixture.get(row, "mutable", bool, where, default=True),
            "deletable": fixture.get(row, "deletable", bool, where, default=True),
            "created_date": DEFAULT_TIMESTAMP,
            "last_modified_date": DEFAULT_TIMESTAMP,
            "created_by_id": None,
            "last_modified_by_id": None,
            "config": fixture.get(row, "config", dict, where, default={}),
        }

    # roles ---------------------------------------------------------------------------------
    roles: dict[int, dict[str, Any]] = {}
    role_access: dict[int, dict[str, Any]] = {}
    role_names: dict[str, int] = {}
    for position, (ident, row) in enumerate(
        _ids(fixture, fixture.get(data, "roles", list, "$", default=[]), "$.roles")
    ):
        where = f"$.roles[{position}]"
        fixture.only_keys(row, {"id", "name", "description", "is_active", "access"}, where)
        name = fixture.get(row, "name", str, where)
        if name in role_names:
            raise fixture.error(f"{where}.name", f"duplicate role name {name!r}")
        role_names[name] = ident
        roles[ident] = {
            "id": ident,
            "name": name,
            "description": fixture.get(row, "description", (str, type(None)), where,
                                       default=None),
            "is_active": fixture.get(row, "is_active", bool, where, default=True),
            "created_date": DEFAULT_TIMESTAMP,
            "last_modified_date": DEFAULT_TIMESTAMP,
            "created_by_id": None,
            "last_modified_by_id": None,
        }
        for index, entry in enumerate(fixture.get(row, "access", list, where, default=[])):
            at = f"{where}.access[{index}]"
            fixture.expect(entry, dict, at)
            fixture.only_keys(entry, {"service", "component", "verb_mask", "verbs",
                                      "requestor_mask", "filters", "filter_op"}, at)
            service: str | None = fixture.get(entry, "service", (str, type(None)), at, default=None)
            if service is not None and service.lower() not in service_names:
                raise fixture.error(f"{at}.service", f"unknown service {service!r}")
            access_id = len(role_access) + 1
            role_access[access_id] = {
                "id": access_id,
                "role_id": ident,
                "service_id": None if service is None else service_names[service.lower()],
                "component": fixture.get(entry, "component", str, at, default="*"),
                "verb_mask": _verb_mask(fixture, entry, at),
                "requestor_mask": fixture.get(entry, "requestor_mask", int, at, default=3),
                "filters": fixture.get(entry, "filters", list, at, default=[]),
                "filter_op": fixture.get(entry, "filter_op", str, at, default="AND"),
            }
    if settings["open_reg_role"] is not None and settings["open_reg_role"] not in role_names:
        raise fixture.error("$.settings.open_reg_role",
                            f"unknown role {settings['open_reg_role']!r}")

    # apps ----------------------------------------------------------------------------------
    apps: dict[int, dict[str, Any]] = {}
    app_names: dict[str, int] = {}
    keys: set[str] = set()
    for position, (ident, row) in enumerate(
        _ids(fixture, fixture.get(data, "apps", list, "$", default=[]), "$.apps")
    ):
        where = f"$.apps[{position}]"
        fixture.only_keys(row, {"id", "name", "api_key", "description", "is_active", "type",
                                "path", "url", "role"}, where)
        name = fixture.get(row, "name", str, where)
        if name in app_names:
            raise fixture.error(f"{where}.name", f"duplicate app name {name!r}")
        api_key = fixture.get(row, "api_key", str, where)
        if not api_key or api_key in keys:
            raise fixture.error(f"{where}.api_key", "must be a unique, non-empty string")
        keys.add(api_key)
        app_names[name] = ident
        role: str | None = fixture.get(row, "role", (str, type(None)), where, default=None)
        if role is not None and role not in role_names:
            raise fixture.error(f"{where}.role", f"unknown role {role!r}")
        apps[ident] = {
            "id": ident,
            "name": name,
            "api_key": api_key,
            "description": fixture.get(row, "description", (str, type(None)), where,
                                       default=None),
            "is_active": fixture.get(row, "is_active", bool, where, default=True),
            "type": fixture.get(row, "type", int, where, default=0),
            "path": fixture.get(row, "path", (str, type(None)), where, default=None),
            "url": fixture.get(row, "url", (str, type(None)), where, default=None),
            "storage_service_id": None,
            "storage_container": None,
            "requires_fullscreen": False,
            "allow_fullscreen_toggle": True,
            "toggle_location": "top",
            "role_id": None if role is None else role_names[role],
            "created_date": DEFAULT_TIMESTAMP,
            "last_modified_date": DEFAULT_TIMESTAMP,
            "created_by_id": None,
            "last_modified_by_id": None,
        }

    # users ---------------------------------------------------------------------------------
    users: dict[int, dict[str, Any]] = {}
    user_roles: dict[int, dict[str, Any]] = {}
    emails: set[str] = set()
    for position, (ident, row) in enumerate(
        _ids(fixture, fixture.get(data, "users", list, "$", default=[]), "$.users")
    ):
        where = f"$.users[{position}]"
        fixture.only_keys(row, {"id", "email", "password", "name", "first_name", "last_name",
                                "username", "phone", "is_sys_admin", "is_active",
                                "security_question", "security_answer", "roles"}, where)
        email = fixture.get(row, "email", str, where)
        if "@" not in email or email.casefold() in emails:
            raise fixture.error(f"{where}.email", "must be a unique e-mail address")
        emails.add(email.casefold())
        first: str | None = fixture.get(row, "first_name", (str, type(None)), where, default=None)
        last: str | None = fixture.get(row, "last_name", (str, type(None)), where, default=None)
        default_name = " ".join(part for part in (first, last) if part) or email
        users[ident] = {
            "id": ident,
            "name": fixture.get(row, "name", str, where, default=default_name),
            "username": fixture.get(row, "username", (str, type(None)), where, default=None),
            "first_name": first,
            "last_name": last,
            "last_login_date": None,
            "email": email,
            "is_active": fixture.get(row, "is_active", bool, where, default=True),
            "phone": fixture.get(row, "phone", (str, type(None)), where, default=None),
            "security_question": fixture.get(row, "security_question", (str, type(None)),
                                             where, default=None),
            "default_app_id": None,
            "adldap": None,
            "oauth_provider": None,
            "saml": None,
            "created_date": DEFAULT_TIMESTAMP,
            "last_modified_date": DEFAULT_TIMESTAMP,
            "created_by_id": None,
            "last_modified_by_id": None,
            # hidden columns (never listed)
            "is_sys_admin": fixture.get(row, "is_sys_admin", bool, where, default=False),
            "password": fixture.get(row, "password", (str, type(None)), where, default=None),
            "security_answer": fixture.get(row, "security_answer", (str, type(None)), where,
                                           default=None),
            "confirm_code": None,
            "modified_at": None,
        }
        for app_name, role_name in fixture.get(row, "roles", dict, where, default={}).items():
            at = f"{where}.roles.{app_name}"
            if app_name not in app_names:
                raise fixture.error(at, f"unknown app {app_name!r}")
            fixture.expect(role_name, str, at)
            if role_name not in role_names:
                raise fixture.error(at, f"unknown role {role_name!r}")
            link = len(user_roles) + 1
            user_roles[link] = {"id": link, "user_id": ident, "app_id": app_names[app_name],
                                "role_id": role_names[role_name]}

    # tables --------------------------------------------------------------------------------
    tables: dict[str, dict[str, dict[Any, dict[str, Any]]]] = {}
    for service, service_tables in fixture.get(data, "tables", dict, "$", default={}).items():
        where = f"$.tables.{service}"
        if service.lower() not in service_names:
            raise fixture.error(where, f"unknown service {service!r}")
        fixture.expect(service_tables, dict, where)
        for table, records in service_tables.items():
            at = f"{where}.{table}"
            fixture.expect(records, list, at)
            rows: dict[Any, dict[str, Any]] = {}
            for index, record in enumerate(records):
                fixture.expect(record, dict, f"{at}[{index}]")
                key = fixture.get(record, "id", (int, str), f"{at}[{index}]")
                if key in rows:
                    raise fixture.error(f"{at}[{index}].id", f"duplicate id {key!r}")
                rows[key] = dict(record)
            tables.setdefault(service.lower(), {})[table] = rows
    return Seed(settings, apps, roles, role_access, services, users, user_roles, tables)
