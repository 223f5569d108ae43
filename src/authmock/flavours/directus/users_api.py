"""The Users API part tests need, and ``GET``/``PATCH /settings``, as Directus 11 serves them.

Read from Directus 11's ``controllers/users.ts``, ``services/users.ts`` and ``services/items.ts``
(``validateKeys``, ``validateAccess``, ``processPayload``, ``preMutationError``): permission
checks come before the service's own validation errors, which come before what the database
would refuse. Non-admins get the app-access minimal permissions (read of their own row, no
create, update or delete) plus what their fixture role grants.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Response, request

from authmock.flavours.directus import errors as E
from authmock.flavours.directus.accounts import (
    SETTINGS_COLUMNS,
    check_password_policy,
    check_unique_emails,
    filter_problem,
    initial_row,
    is_uuid,
    policy_regex,
    settings_row,
    validate_emails,
)
from authmock.flavours.directus.config import USER_COLUMNS, USER_DEFAULTS, fake_password_hash
from authmock.flavours.directus.service import (
    Accountability,
    _Forbidden,
    _Unsupported,
)
from authmock.otp import is_valid_secret
from authmock.tokens import decode_unverified

if TYPE_CHECKING:
    from authmock.flavours.directus.routes import Ctx, DirectusApi

COLLECTION = "directus_users"
_JSON_COLUMNS = ("tags", "auth_data", "theme_light_overrides", "theme_dark_overrides")
_BOOL_COLUMNS = ("email_notifications",)
#: o2m alias: written through directus_access, which the fake does not model (ignored)
_IGNORED_COLUMNS = ("policies",)


class UsersApi:
    """``/users`` (create, read, update, delete) and ``/settings`` for one app."""

    def __init__(self, api: DirectusApi) -> None:
        self.api = api
        self.svc = api.svc
        self.mock = api.mock

    # permissions ------------------------------------------------------------------------
    def update_fields(self, acc: Accountability) -> tuple[str, ...] | None:
        """Fields a non-admin may update on their own row (fixture ``update`` list), or None."""
        role = self.svc.role(acc.role)
        if role is None or not acc.user:
            return None
        rule = role.permissions.get(COLLECTION)
        granted = rule.get("update") if rule else None
        if granted is None:
            return None
        return USER_COLUMNS if "*" in granted else tuple(granted)

    def check_update(self, acc: Accountability, key: str, fields: list[str]) -> None:
        """``validateAccess`` for an update of ``key`` (admins pass)."""
        if acc.admin:
            return
        allowed = self.update_fields(acc)
        if allowed is None:
            raise E.forbidden(E.msg_collection_forbidden(COLLECTION))
        bad = [f for f in fields if f not in allowed]
        if bad:
            raise E.forbidden(E.msg_fields_forbidden(bad, COLLECTION))
        if key != acc.user or key not in self.svc.users:
            raise E.forbidden(E.msg_collection_action_forbidden("update", COLLECTION, fields))

    # reading ----------------------------------------------------------------------------
    def project(self, acc: Accountability, row: dict[str, Any], requested: list[str] | None) -> dict[str, Any]:
        """One row through ``fields`` under the reader's permissions (ForbiddenError on a field)."""
        allowed = self.svc.readable_user_fields(acc)
        if allowed is None:
            raise E.forbidden(E.msg_collection_forbidden(COLLECTION))
        names = requested or ["*"]
        bad = list(dict.fromkeys(
            n.split(".")[0] for n in names if n != "*" and n.split(".")[0] not in allowed
        ))
        if bad:
            raise E.forbidden(E.msg_fields_forbidden(bad, COLLECTION))
        try:
            return self.svc.read_user(acc, row, allowed, names)
        except (_Forbidden, _Unsupported):
            raise E.forbidden() from None

    def visible(self, acc: Accountability, row: dict[str, Any]) -> bool:
        return bool(self.svc._user_visible(acc, row))

    def read_key(self, acc: Accountability, key: str, requested: list[str] | None) -> dict[str, Any]:
        """``readOne``: a missing or unreadable row is a plain FORBIDDEN."""
        if self.svc.readable_user_fields(acc) is None:
            raise E.forbidden(E.msg_collection_forbidden(COLLECTION))
        row = self.svc.users.get(key)
        if row is None or not self.visible(acc, row):
            raise E.forbidden()
        return self.project(acc, row, requested)

    def read_many(self, ctx: Ctx) -> Response:
        acc = ctx.acc
        if self.svc.readable_user_fields(acc) is None:
            raise E.forbidden(E.msg_collection_forbidden(COLLECTION))
        rows = sorted((r for r in self.svc.users.values() if self.visible(acc, r)), key=lambda r: str(r["id"]))
        offset = _int_arg("offset", 0)
        limit = _int_arg("limit", 100)
        rows = rows[max(offset, 0):]
        if limit >= 0:
            rows = rows[:limit]
        fields = _fields()
        data = [self.project(acc, row, fields) for row in rows]
        if not rows:  # the fields are still checked against the permissions
            probe = {c: None for c in USER_COLUMNS}
            self.project(acc, probe, fields)
        return self.api.ok({"data": data}, ctx)

    def read_one(self, ctx: Ctx, pk: str) -> Response:
        if pk.endswith("me"):  # the controller's `req.path.endsWith('me')` hands it on
            raise E.route_not_found(_raw_path())
        if not is_uuid(pk):  # validateKeys
            raise E.forbidden()
        return self.api.ok({"data": self.read_key(ctx.acc, pk, _fields())}, ctx)

    # creating ---------------------------------------------------------------------------
    def create(self, ctx: Ctx) -> Response:
        body = ctx.body
        many = isinstance(body, list)
        items: list[Any] = body if many else [body]
        keys = self.create_users(ctx.acc, items, many=many)
        fields = _fields()
        try:
            if many:
                rows = [self.svc.users[k] for k in keys if k in self.svc.users]
                data: Any = [self.project(ctx.acc, r, fields) for r in rows if self.visible(ctx.acc, r)]
            else:
                data = self.read_key(ctx.acc, keys[0], fields)
        except E.DirectusError as err:
            if err.code == E.FORBIDDEN:  # the controller answers 204 when it may not read back
                return self.api.no_content(ctx)
            raise
        return self.api.ok({"data": data}, ctx)

    def create_users(self, acc: Accountability | None, items: list[Any], *, many: bool = False,
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
            emails = [i["email"] for i in items if _truthy(i.get("email"))]
            passwords = [i["password"] for i in items if _truthy(i.get("password"))]
        else:
            emails = [items[0]["email"]] if "email" in items[0] else []
            passwords = [items[0]["password"]] if "password" in items[0] else []
        if emails:
            validate_emails(emails)
            check_unique_emails(self.svc, emails)
        if passwords:
            check_password_policy(self.svc, passwords)
        rows: list[dict[str, Any]] = []
        for item in items:
            rows.append(self.prepare(item, rows))
        for row in rows:
            self.svc.users.put(row["id"], row)
        return [row["id"] for row in rows]

    def prepare(self, item: dict[str, Any], batch: list[dict[str, Any]]) -> dict[str, Any]:
        """A new directus_users row, refused as the database would refuse it."""
        row = _checked_row(item)
        user_id = row.get("id")
        if user_id is None:
            user_id = self.mock.rng.uuid4()
        elif not isinstance(user_id, str) or not is_uuid(user_id):
            raise E.forbidden()
        elif user_id in self.svc.users or any(r["id"] == user_id for r in batch):
            raise E.not_unique(user_id, "id", primary_key=True)
        out: dict[str, Any] = {}
        for column in USER_COLUMNS:
            default = USER_DEFAULTS.get(column)
            out[column] = row[column] if column in row else (list(default) if isinstance(default, list) else default)
        out["id"] = user_id
        self._check_references(out, batch)
        out["password_hash"] = self._hash(user_id, out.get("password"))
        return out

    def _hash(self, user_id: str, password: Any) -> str | None:
        return fake_password_hash(f"{user_id}:{self.mock.rng.hex(8)}:{password}") if password is not None else None

    def _check_references(self, row: dict[str, Any], batch: list[dict[str, Any]] | None = None) -> None:
        role = row.get("role")
        if role is not None and self.svc.role(role) is None:
            raise E.invalid_foreign_key(str(role), "role", COLLECTION)
        token = row.get("token")
        if token is not None and any(
            u.get("token") == token and u["id"] != row["id"]
            for u in [*self.svc.users.values(), *(batch or [])]
        ):
            raise E.not_unique(token, "token")

    # updating ---------------------------------------------------------------------------
    def update_me(self, ctx: Ctx) -> Response:
        if not ctx.acc.user:
            raise E.invalid_credentials()
        self.update_user(ctx, ctx.acc.user, ctx.body)
        return self.api.ok({"data": self.read_key(ctx.acc, ctx.acc.user, _fields())}, ctx)

    def update_one(self, ctx: Ctx, pk: str) -> Response:
        if not is_uuid(pk):
            raise E.forbidden()
        self.update_user(ctx, pk, ctx.body)
        try:
            data = self.read_key(ctx.acc, pk, _fields())
        except E.DirectusError as err:
            if err.code == E.FORBIDDEN:
                return self.api.no_content(ctx)
            raise
        return self.api.ok({"data": data}, ctx)

    def update_user(self, ctx: Ctx | None, key: str, body: Any, *, internal: bool = False,
                    pre: E.DirectusError | None = None) -> None:
        """``UsersService.updateMany`` for one key (``internal``: no accountability)."""
        if not isinstance(body, dict):
            raise E.invalid_payload(E.REASON_BAD_ITEM)
        acc = ctx.acc if ctx is not None else Accountability(admin=True)
        data = dict(body)
        try:
            if _truthy(data.get("email")):
                validate_emails([data["email"]])
                check_unique_emails(self.svc, [data["email"]], exclude=key)
            if _truthy(data.get("password")):
                check_password_policy(self.svc, [data["password"]])
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
            self.check_update(acc, key, list(body))
        if pre is not None:
            raise pre
        current = self.svc.users.get(key)
        if current is None:  # an admin's update of a missing key changes nothing
            return
        changes = _checked_row(data, partial=True)
        changes.pop("id", None)
        merged = {**current, **changes}
        self._check_references(merged)
        if ("role" in changes or "status" in changes) and not self._admins_left(exclude=None, row=merged):
            raise E.unprocessable(E.REASON_LAST_ADMIN)
        if "password" in changes:
            merged["password_hash"] = self._hash(key, merged.get("password"))
        self.svc.users.put(key, merged)
        if "status" in body and body["status"] != "active":
            self.svc.end_sessions(key)
        elif "password" in body or "email" in body:
            self._end_other_sessions(key, ctx)

    def _end_other_sessions(self, key: str, ctx: Ctx | None) -> None:
        """clearUserSessions(keys, accountability.session): only a session-mode token keeps its own."""
        keep = None
        if ctx is not None and isinstance(ctx.token, str):
            decoded = decode_unverified(ctx.token)
            claims = decoded[1] if isinstance(decoded, tuple) else {}
            session = claims.get("session")
            keep = session if isinstance(session, str) else None
        for token, row in list(self.svc.sessions.items()):
            if row["user"] == key and token != keep:
                self.svc.sessions.delete(token)

    def _admins_left(self, exclude: str | None, row: dict[str, Any] | None = None) -> bool:
        """validateRemainingAdminUsers: at least one active admin after the change."""
        for user in self.svc.users.values():
            if user["id"] == exclude:
                continue
            if row is not None and user["id"] == row["id"]:
                user = row
            if user.get("status") == "active" and self.svc.access(user.get("role"))[1]:
                return True
        return False

    # deleting ---------------------------------------------------------------------------
    def delete_one(self, ctx: Ctx, pk: str) -> Response:
        if not is_uuid(pk):
            raise E.forbidden()
        if not ctx.acc.admin:
            raise E.forbidden(E.msg_collection_forbidden(COLLECTION))
        if not self._admins_left(exclude=pk):
            raise E.unprocessable(E.REASON_LAST_ADMIN)
        if pk in self.svc.users:
            self.svc.users.delete(pk)
            self.svc.end_sessions(pk)
        return self.api.no_content(ctx)

    # /settings --------------------------------------------------------------------------
    def read_settings(self, ctx: Ctx) -> Response:
        return self.api.ok({"data": self._settings_out(ctx.acc)}, ctx)

    def _settings_out(self, acc: Accountability) -> dict[str, Any]:
        if not (acc.admin or acc.app):  # only app-access minimal permissions read it
            raise E.forbidden(E.msg_collection_forbidden("directus_settings"))
        row = settings_row(self.svc)
        requested = _fields() or ["*"]
        out: dict[str, Any] = {}
        bad: list[str] = []
        for name in requested:
            for column in (SETTINGS_COLUMNS if name == "*" else [name]):
                if column in SETTINGS_COLUMNS:
                    out[column] = row.get(column)
                elif column not in bad:
                    bad.append(column)
        if bad:
            raise E.forbidden(E.msg_fields_forbidden(bad, "directus_settings"))
        return out

    def update_settings(self, ctx: Ctx) -> Response:
        if not ctx.acc.admin:
            raise E.forbidden(E.msg_collection_forbidden("directus_settings"))
        body = ctx.body
        if not isinstance(body, dict):
            raise E.invalid_payload(E.REASON_BAD_ITEM)
        row = dict(settings_row(self.svc))
        for key, value in body.items():
            if key not in SETTINGS_COLUMNS or key == "id":
                continue  # columns the fake does not model are accepted and dropped
            row[key] = _setting_value(self.svc, key, value)
        self.mock.store.table("directus_settings").put(1, row)
        try:
            data = self._settings_out(ctx.acc)
        except E.DirectusError as err:
            if err.code == E.FORBIDDEN:
                return self.api.no_content(ctx)
            raise
        return self.api.ok({"data": data}, ctx)


def _setting_value(svc: Any, key: str, value: Any) -> Any:
    """A PATCH /settings value checked where the database (or a later use) would fail."""
    wrong = E.invalid_payload(E.REASON_WRONG_TYPE.format(key=key))
    if key in ("public_registration", "public_registration_verify_email"):
        if not isinstance(value, bool):
            raise wrong
        return value
    if key == "project_name":
        if value is not None and not isinstance(value, str):
            raise wrong
        return value
    if key == "auth_login_attempts":
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise wrong
        return value
    if key == "auth_password_policy":
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise wrong
        if policy_regex(value) is None:
            raise E.invalid_payload(E.REASON_BAD_POLICY)
        return value
    if key == "public_registration_role":
        if value is None:
            return None
        if not isinstance(value, str):
            raise wrong
        if svc.role(value) is None:
            raise E.invalid_foreign_key(value, key, "directus_settings")
        return value
    # public_registration_email_filter
    if value is None:
        return None
    if filter_problem(value) is not None:
        raise E.invalid_payload(E.REASON_BAD_FILTER)
    return value


def _checked_row(item: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Known columns with values the database would store; unknown keys are dropped."""
    out: dict[str, Any] = {}
    for key, value in item.items():
        if key not in USER_COLUMNS or key in _IGNORED_COLUMNS or (key == "last_access" and not partial):
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


def _truthy(value: Any) -> bool:
    from authmock.flavours.directus.http import js_truthy

    return js_truthy(value)


def _fields() -> list[str] | None:
    from authmock.flavours.directus.routes import _fields_param

    return _fields_param()


def _raw_path() -> str:
    from authmock.flavours.directus.http import raw_path

    return raw_path()


def _int_arg(name: str, default: int) -> int:
    try:
        return int(request.args.get(name, default))
    except ValueError:
        return default


def install(api: DirectusApi) -> None:
    """Seed the directus_settings row and mount the account routes in Directus's order."""
    from authmock.flavours.directus import registration, tfa

    api.mock.store.table("directus_settings", {1: initial_row(api.svc)})
    users = UsersApi(api)
    flows = registration.Flows(users)
    setup = tfa.TfaApi(users)
    api.add("POST", "/users", users.create)
    api.add("GET", "/users", users.read_many)
    api.add("GET", "/users/:pk", users.read_one)
    api.add("PATCH", "/users/me", users.update_me)
    api.add("PATCH", "/users/:pk", users.update_one)
    api.add("DELETE", "/users/:pk", users.delete_one)
    api.add("POST", "/users/invite", flows.invite)
    api.add("POST", "/users/invite/accept", flows.accept_invite)
    api.add("POST", "/users/me/tfa/generate", setup.generate)
    api.add("POST", "/users/me/tfa/enable", setup.enable)
    api.add("POST", "/users/me/tfa/disable", setup.disable)
    api.add("POST", "/users/:pk/tfa/disable", setup.admin_disable)
    api.add("POST", "/users/register", flows.register)
    api.add("GET", "/users/register/verify-email", flows.verify_email)
    api.add("GET", "/settings", users.read_settings)
    api.add("PATCH", "/settings", users.update_settings)
