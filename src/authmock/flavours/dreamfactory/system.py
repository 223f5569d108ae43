"""The ``system`` service: admin session/password/profile and the record listings.

Listings show DreamFactory's column order; hidden columns (password, confirm code, security
answer) never leave the store. Editing users is limited to what deactivation, renaming and
password setting need (each blacklists the user's tokens where DreamFactory does).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response

from authmock.flavours.dreamfactory import accounts, errors, lookups, records, sessions, tokens
from authmock.flavours.dreamfactory.context import Ctx, df_datetime, model_timestamp
from authmock.flavours.dreamfactory.errors import DfError, json_response

USER_COLUMNS = ("id", "name", "username", "first_name", "last_name", "last_login_date",
                "email", "is_active", "phone", "security_question", "default_app_id",
                "adldap", "oauth_provider", "saml", "created_date", "last_modified_date",
                "created_by_id", "last_modified_by_id")
TIMESTAMPS = ("created_date", "last_modified_date")
RESOURCES = ("admin", "app", "role", "service", "user")


def _stamped(row: dict[str, Any], columns: tuple[str, ...] | None = None) -> dict[str, Any]:
    out = {key: row[key] for key in (columns or tuple(row))}
    for key in TIMESTAMPS:
        if key in out:
            out[key] = model_timestamp(out[key])
    return out


def _app(ctx: Ctx, row: dict[str, Any]) -> dict[str, Any]:
    out = _stamped(row)
    if row["type"] == 3 and row["path"]:
        out["launch_url"] = ctx.request.host_url + row["path"].lstrip("/")
    elif row["type"] == 2 and row["url"]:
        out["launch_url"] = row["url"]
    else:
        out["launch_url"] = ""
    related = _related(ctx)
    if "role_by_role_id" in related:
        role = lookups.table(ctx, "roles").get(row["role_id"])
        out["role_by_role_id"] = _stamped(role) if role else None
    return records.select_fields(ctx, out, always=("launch_url",) if ctx.query.get("fields")
                                 else ())


def _related(ctx: Ctx) -> set[str]:
    return {part.strip() for part in (ctx.query.get("related") or "").split(",") if part}


def _role(ctx: Ctx, row: dict[str, Any]) -> dict[str, Any]:
    out = _stamped(row)
    if "role_service_access_by_role_id" in _related(ctx):
        out["role_service_access_by_role_id"] = [
            dict(entry) for entry in lookups.table(ctx, "role_access").values()
            if entry["role_id"] == row["id"]
        ]
    return records.select_fields(ctx, out)


def _service(ctx: Ctx, row: dict[str, Any]) -> dict[str, Any]:
    return records.select_fields(ctx, _stamped(row))


def _user(ctx: Ctx, row: dict[str, Any]) -> dict[str, Any]:
    out = _stamped(row, USER_COLUMNS)
    if "user_to_app_to_role_by_user_id" in _related(ctx):
        out["user_to_app_to_role_by_user_id"] = [
            dict(link) for link in lookups.table(ctx, "user_roles").values()
            if link["user_id"] == row["id"]
        ]
    return records.select_fields(ctx, out)


def _environment(ctx: Ctx) -> Response:
    return json_response({"platform": {"version": "7.7.0",
                                       "host": ctx.mock.seed.settings["hostname"]}})


#: the system resources that are not listings: the admin's session, password and profile
RESOURCES_BY_NAME: dict[str, Callable[[Ctx], Response]] = {
    "admin/session": lambda ctx: sessions.handle(ctx, admin=True),
    "admin/password": lambda ctx: accounts.password(ctx, admin=True),
    "admin/profile": lambda ctx: accounts.profile(ctx, admin=True),
    "environment": _environment,
}

#: listing resource -> (store table, row shape); ``admin`` and ``user`` split the users
LISTINGS: dict[str, tuple[str, Callable[[Ctx, dict[str, Any]], dict[str, Any]]]] = {
    "app": ("apps", _app), "role": ("roles", _role), "service": ("services", _service),
    "user": ("users", _user), "admin": ("users", _user),
}


def handle(ctx: Ctx) -> Response:
    """``/system/...``: a named resource, the resource list, or a listing (a record of it)."""
    component = ctx.component
    resource = RESOURCES_BY_NAME.get(component)
    if resource is not None:
        return resource(ctx)
    if not component:
        if ctx.method in ("GET", "HEAD"):
            return json_response({"resource": [{"name": name} for name in RESOURCES]})
        raise DfError(400, errors.VERB_NOT_SUPPORTED.format(verb=ctx.method, name="system"))
    parts = ctx.resource.split("/")
    name, ident = parts[0].lower(), "/".join(parts[1:])
    if name not in LISTINGS:
        raise DfError(404, errors.RESOURCE_NOT_FOUND.format(resource=ctx.resource.split("/")[0],
                                                            service=ctx.service))
    table_name, show = LISTINGS[name]
    rows = list(lookups.table(ctx, table_name).values())
    if name in ("user", "admin"):
        rows = [row for row in rows if bool(row["is_sys_admin"]) == (name == "admin")]
    if ctx.method in ("GET", "HEAD"):
        if ident:
            return json_response(show(ctx, records.by_id(ctx, rows, ident)))
        return records.listing(ctx, rows, lambda row: show(ctx, row))
    if name in ("user", "admin") and ident and ctx.method in ("PUT", "PATCH", "DELETE"):
        return _edit_user(ctx, records.by_id(ctx, rows, ident))
    raise DfError(400, errors.NOT_MODELLED.format(verb=ctx.method, resource=ctx.resource))


EDITABLE = {"name", "username", "first_name", "last_name", "phone", "is_active", "password",
            "security_question"}


def _edit_user(ctx: Ctx, user: dict[str, Any]) -> Response:
    """PATCH/PUT/DELETE ``/system/user/{id}``: deactivating or deleting blacklists tokens."""
    users = lookups.table(ctx, "users")
    if ctx.method == "DELETE":
        users.delete(user["id"])
        tokens.revoke_user_tokens(ctx, user["id"])
        return json_response({"id": user["id"]})
    changes: dict[str, Any] = {}
    problems: dict[str, list[str]] = {}
    for key, value in ctx.payload.data.items():
        if key not in EDITABLE:
            continue
        if key == "is_active":
            if not isinstance(value, bool):
                problems[key] = [errors.validation(key, errors.V_BOOLEAN)]
                continue
        elif value is not None and not isinstance(value, str):
            problems[key] = [errors.validation(key, errors.V_STRING)]
            continue
        changes[key] = value
    if problems:
        message = errors.INVALID_DATA + "".join(" " + m[0] for m in problems.values())
        raise DfError(400, message, context=problems)
    password = changes.pop("password", None)
    if isinstance(password, str) and password:
        if len(password) < 16:
            message = errors.validation("password", errors.V_MIN, n=16)
            raise DfError(400, f"{errors.INVALID_DATA} {message}",
                          context={"password": [message]})
        user = accounts.set_password(ctx, user, password)
    row = {**user, **changes, "last_modified_date": df_datetime(ctx.mock.clock.time())}
    users.put(user["id"], row)
    if user["is_active"] and not row["is_active"]:
        tokens.revoke_user_tokens(ctx, user["id"])
    return json_response({"id": user["id"]})
