"""The Users API part tests need, as Directus 11 serves it (``/users``, ``/users/<id>``).

Read from Directus 11's ``controllers/users.ts``, ``services/users.ts`` and ``services/items.ts``
(``validateKeys``, ``validateAccess``, ``processPayload``, ``preMutationError``): permission
checks come before the service's own validation errors, which come before what the database
would refuse. Non-admins get the app-access minimal permissions (read of their own row, no
create, update or delete) plus what their fixture role grants. ``create_users`` and
``update_user`` are also the internal calls of registration, invites and TFA.
"""

from __future__ import annotations

from typing import Any

from flask import Response, request

from authmock.flavours.directus import errors as E
from authmock.flavours.directus import users
from authmock.flavours.directus.accounts import (
    check_password_policy,
    check_unique_emails,
    is_uuid,
    validate_emails,
)
from authmock.flavours.directus.config import USER_COLUMNS, USER_DEFAULTS, fake_password_hash
from authmock.flavours.directus.http import js_truthy, raw_path
from authmock.flavours.directus.items import fields_param
from authmock.flavours.directus.sessions import Accountability
from authmock.flavours.directus.state import Ctx, Directus
from authmock.otp import is_valid_secret
from authmock.routing import RouteTable
from authmock.tokens import decode_unverified

routes = RouteTable(style="express")

COLLECTION = "directus_users"
_JSON_COLUMNS = ("tags", "auth_data", "theme_light_overrides", "theme_dark_overrides")
_BOOL_COLUMNS = ("email_notifications",)
#: o2m alias: written through directus_access, which the fake does not model (ignored)
_IGNORED_COLUMNS = ("policies",)


# permissions ------------------------------------------------------------------------
def update_fields(api: Directus, acc: Accountability) -> tuple[str, ...] | None:
    """Fields a non-admin may update on their own row (fixture ``update`` list), or None."""
    role = api.svc.role(acc.role)
    if role is None or not acc.user:
        return None
    rule = role.permissions.get(COLLECTION)
    granted = rule.get("update") if rule else None
    if granted is None:
        return None
    return USER_COLUMNS if "*" in granted else tuple(granted)


def check_update(api: Directus, acc: Accountability, key: str, fields: list[str]) -> None:
    """``validateAccess`` for an update of ``key`` (admins pass)."""
    if acc.admin:
        return
    allowed = update_fields(api, acc)
    if allowed is None:
        raise E.forbidden(E.msg_collection_forbidden(COLLECTION))
    bad = [f for f in fields if f not in allowed]
    if bad:
        raise E.forbidden(E.msg_fields_forbidden(bad, COLLECTION))
    if key != acc.user or key not in api.svc.users:
        raise E.forbidden(E.msg_collection_action_forbidden("update", COLLECTION, fields))


# reading ----------------------------------------------------------------------------
def project(
    api: Directus, acc: Accountability, row: dict[str, Any], requested: list[str] | None
) -> dict[str, Any]:
    """One row through ``fields`` under the reader's permissions (ForbiddenError on a field)."""
    allowed = users.readable_user_fields(api.svc, acc)
    if allowed is None:
        raise E.forbidden(E.msg_collection_forbidden(COLLECTION))
    names = requested or ["*"]
    bad = list(dict.fromkeys(
        n.split(".")[0] for n in names if n != "*" and n.split(".")[0] not in allowed
    ))
    if bad:
        raise E.forbidden(E.msg_fields_forbidden(bad, COLLECTION))
    try:
        return users.read_user(api.svc, acc, row, allowed, names)
    except (users.Forbidden, users.Unsupported):
        raise E.forbidden() from None


def visible(api: Directus, acc: Accountability, row: dict[str, Any]) -> bool:
    return bool(users.user_visible(api.svc, acc, row))


def read_key(
    api: Directus, acc: Accountability, key: str, requested: list[str] | None
) -> dict[str, Any]:
    """``readOne``: a missing or unreadable row is a plain FORBIDDEN."""
    if users.readable_user_fields(api.svc, acc) is None:
        raise E.forbidden(E.msg_collection_forbidden(COLLECTION))
    row = api.svc.users.get(key)
    if row is None or not visible(api, acc, row):
        raise E.forbidden()
    return project(api, acc, row, requested)


@routes.route("POST", "/users")
def create(api: Directus, ctx: Ctx) -> Response:
    body = ctx.body
    many = isinstance(body, list)
    items: list[Any] = body if many else [body]
    keys = create_users(api, ctx.acc, items, many=many)
    fields = fields_param()
    try:
        if many:
            rows = [api.svc.users[k] for k in keys if k in api.svc.users]
            data: Any = [project(api, ctx.acc, r, fields) for r in rows if visible(api, ctx.acc, r)]
        else:
            data = read_key(api, ctx.acc, keys[0], fields)
    except E.DirectusError as err:
        if err.code == E.FORBIDDEN:  # the controller answers 204 when it may not read back
            return api.no_content(ctx)
        raise
    return api.ok({"data": data}, ctx)


@routes.route("GET", "/users")
def read_many(api: Directus, ctx: Ctx) -> Response:
    acc = ctx.acc
    if users.readable_user_fields(api.svc, acc) is None:
        raise E.forbidden(E.msg_collection_forbidden(COLLECTION))
    rows = sorted(
        (r for r in api.svc.users.values() if visible(api, acc, r)), key=lambda r: str(r["id"])
    )
    offset = _int_arg("offset", 0)
    limit = _int_arg("limit", 100)
    rows = rows[max(offset, 0):]
    if limit >= 0:
        rows = rows[:limit]
    fields = fields_param()
    data = [project(api, acc, row, fields) for row in rows]
    if not rows:  # the fields are still checked against the permissions
        probe = {c: None for c in USER_COLUMNS}
        project(api, acc, probe, fields)
    return api.ok({"data": data}, ctx)


@routes.route("GET", "/users/:pk")
def read_one(api: Directus, ctx: Ctx, pk: str) -> Response:
    if pk.endswith("me"):  # the controller's `req.path.endsWith('me')` hands it on
        raise E.route_not_found(raw_path())
    if not is_uuid(pk):  # validateKeys
        raise E.forbidden()
    return api.ok({"data": read_key(api, ctx.acc, pk, fields_param())}, ctx)


# creating ---------------------------------------------------------------------------
def create_users(api: Directus, acc: Accountability | None, items: list[Any], *, many: bool = False,
                 pre: E.DirectusError | None = None) -> list[str]:
    """``createOne`` / ``createMany``: permission, then e-mail, uniqueness and password
    policy (the preMutationError), then what the database refuses; nothing is written
    unless every item passes. ``acc`` None: an internal call without accountability."""
    if any(not isinstance(item, dict) for item in items):
        raise E.invalid_payload(E.REASON_BAD_ITEM)
    if acc is not None and not acc.admin:  # processPayload: no create permission
        raise E.forbidden(E.msg_collection_forbidden(COLLECTION))
    if pre is not None:
        raise pre
    if many:
        emails = [i["email"] for i in items if js_truthy(i.get("email"))]
        passwords = [i["password"] for i in items if js_truthy(i.get("password"))]
    else:
        emails = [items[0]["email"]] if "email" in items[0] else []
        passwords = [items[0]["password"]] if "password" in items[0] else []
    if emails:
        validate_emails(emails)
        check_unique_emails(api.svc, emails)
    if passwords:
        check_password_policy(api.svc, passwords)
    rows: list[dict[str, Any]] = []
    for item in items:
        rows.append(prepare(api, item, rows))
    for row in rows:
        api.svc.users.put(row["id"], row)
    return [row["id"] for row in rows]


def prepare(api: Directus, item: dict[str, Any], batch: list[dict[str, Any]]) -> dict[str, Any]:
    """A new directus_users row, refused as the database would refuse it."""
    row = _checked_row(item)
    user_id = row.get("id")
    if user_id is None:
        user_id = api.mock.rng.uuid4()
    elif not isinstance(user_id, str) or not is_uuid(user_id):
        raise E.forbidden()
    elif user_id in api.svc.users or any(r["id"] == user_id for r in batch):
        raise E.not_unique(user_id, "id", primary_key=True)
    out: dict[str, Any] = {}
    for column in USER_COLUMNS:
        default = USER_DEFAULTS.get(column)
        out[column] = (
            row[column]
            if column in row
            else (list(default) if isinstance(default, list) else default)
        )
    out["id"] = user_id
    _check_references(api, out, batch)
    out["password_hash"] = _hash(api, user_id, out.get("password"))
    return out


def _hash(api: Directus, user_id: str, password: Any) -> str | None:
    return (
        fake_password_hash(f"{user_id}:{api.mock.rng.hex(8)}:{password}")
        if password is not None
        else None
    )


def _check_references(
    api: Directus, row: dict[str, Any], batch: list[dict[str, Any]] | None = None
) -> None:
    role = row.get("role")
    if role is not None and api.svc.role(role) is None:
        raise E.invalid_foreign_key(str(role), "role", COLLECTION)
    token = row.get("token")
    if token is not None and any(
        u.get("token") == token and u["id"] != row["id"]
        for u in [*api.svc.users.values(), *(batch or [])]
    ):
        raise E.not_unique(token, "token")


# updating ---------------------------------------------------------------------------
@routes.route("PATCH", "/users/me")
def update_me(api: Directus, ctx: Ctx) -> Response:
    if not ctx.acc.user:
        raise E.invalid_credentials()
    update_user(api, ctx, ctx.acc.user, ctx.body)
    return api.ok({"data": read_key(api, ctx.acc, ctx.acc.user, fields_param())}, ctx)


@routes.route("PATCH", "/users/:pk")
def update_one(api: Directus, ctx: Ctx, pk: str) -> Response:
    if not is_uuid(pk):
        raise E.forbidden()
    update_user(api, ctx, pk, ctx.body)
    try:
        data = read_key(api, ctx.acc, pk, fields_param())
    except E.DirectusError as err:
        if err.code == E.FORBIDDEN:
            return api.no_content(ctx)
        raise
    return api.ok({"data": data}, ctx)


def update_user(api: Directus, ctx: Ctx | None, key: str, body: Any, *, internal: bool = False,
                pre: E.DirectusError | None = None) -> None:
    """``UsersService.updateMany`` for one key (``internal``: no accountability)."""
    if not isinstance(body, dict):
        raise E.invalid_payload(E.REASON_BAD_ITEM)
    acc = ctx.acc if ctx is not None else Accountability(admin=True)
    data = dict(body)
    try:
        if js_truthy(data.get("email")):
            validate_emails([data["email"]])
            check_unique_emails(api.svc, [data["email"]], exclude=key)
        if js_truthy(data.get("password")):
            check_password_policy(api.svc, [data["password"]])
        if "tfa_secret" in data and not internal:
            raise E.invalid_payload(E.REASON_TFA_SECRET_MANUAL)
        for column in ("provider", "external_identifier"):
            if column in data:
                if not acc.admin:
                    raise E.invalid_payload(E.REASON_FIELD_MANUAL.format(field=column))
                data["auth_data"] = None
    except E.DirectusError as err:
        pre = pre or err
    if not internal:
        check_update(api, acc, key, list(body))
    if pre is not None:
        raise pre
    current = api.svc.users.get(key)
    if current is None:  # an admin's update of a missing key changes nothing
        return
    changes = _checked_row(data, partial=True)
    changes.pop("id", None)
    merged = {**current, **changes}
    _check_references(api, merged)
    if ("role" in changes or "status" in changes) and not _admins_left(
        api, exclude=None, row=merged
    ):
        raise E.unprocessable(E.REASON_LAST_ADMIN)
    if "password" in changes:
        merged["password_hash"] = _hash(api, key, merged.get("password"))
    api.svc.users.put(key, merged)
    if "status" in body and body["status"] != "active":
        api.svc.end_sessions(key)
    elif "password" in body or "email" in body:
        _end_other_sessions(api, key, ctx)


def _end_other_sessions(api: Directus, key: str, ctx: Ctx | None) -> None:
    """clearUserSessions(keys, accountability.session): only a session-mode token keeps its own."""
    keep = None
    if ctx is not None and isinstance(ctx.token, str):
        decoded = decode_unverified(ctx.token)
        claims = decoded[1] if isinstance(decoded, tuple) else {}
        session = claims.get("session")
        keep = session if isinstance(session, str) else None
    for token, row in list(api.svc.sessions.items()):
        if row["user"] == key and token != keep:
            api.svc.sessions.delete(token)


def _admins_left(api: Directus, exclude: str | None, row: dict[str, Any] | None = None) -> bool:
    """validateRemainingAdminUsers: at least one active admin after the change."""
    for user in api.svc.users.values():
        if user["id"] == exclude:
            continue
        if row is not None and user["id"] == row["id"]:
            user = row
        if user.get("status") == "active" and api.svc.access(user.get("role"))[1]:
            return True
    return False


# deleting ---------------------------------------------------------------------------
@routes.route("DELETE", "/users/:pk")
def delete_one(api: Directus, ctx: Ctx, pk: str) -> Response:
    if not is_uuid(pk):
        raise E.forbidden()
    if not ctx.acc.admin:
        raise E.forbidden(E.msg_collection_forbidden(COLLECTION))
    if not _admins_left(api, exclude=pk):
        raise E.unprocessable(E.REASON_LAST_ADMIN)
    if pk in api.svc.users:
        api.svc.users.delete(pk)
        api.svc.end_sessions(pk)
    return api.no_content(ctx)


def _checked_row(item: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Known columns with values the database would store; unknown keys are dropped."""
    out: dict[str, Any] = {}
    for key, value in item.items():
        if (
            key not in USER_COLUMNS
            or key in _IGNORED_COLUMNS
            or (key == "last_access" and not partial)
        ):
            continue
        wrong = E.invalid_payload(E.REASON_WRONG_TYPE.format(key=key))
        if key in _JSON_COLUMNS:
            pass
        elif key in _BOOL_COLUMNS:
            if value is not None and not isinstance(value, bool):
                raise wrong
        elif value is not None and not isinstance(value, str):
            raise wrong
        if key == "tfa_secret" and value is not None and not is_valid_secret(value):
            raise wrong
        out[key] = value
    return out


def _int_arg(name: str, default: int) -> int:
    try:
        return int(request.args.get(name, default))
    except ValueError:
        return default
