"""``GET``/``PATCH /settings``: the directus_settings row Directus reads at run time.

The row is seeded at setup from the fixture (``accounts.initial_row``); ``PATCH`` changes it
until ``reset()``. Only app-access and admin readers see it, only admins change it.
"""

from __future__ import annotations

from typing import Any

from flask import Response

from authmock.flavours.directus import errors as E
from authmock.flavours.directus.accounts import (
    SETTINGS_COLUMNS,
    filter_problem,
    initial_row,
    policy_regex,
    settings_row,
)
from authmock.flavours.directus.items import fields_param
from authmock.flavours.directus.sessions import Accountability, DirectusService
from authmock.flavours.directus.state import Ctx, Directus
from authmock.routing import RouteTable

routes = RouteTable(style="express")


def install(svc: DirectusService) -> None:
    """Seed the directus_settings row from the fixture."""
    svc.mock.store.table("directus_settings", {1: initial_row(svc)})


@routes.route("GET", "/settings")
def read_settings(api: Directus, ctx: Ctx) -> Response:
    return api.ok({"data": _settings_out(api, ctx.acc)}, ctx)


def _settings_out(api: Directus, acc: Accountability) -> dict[str, Any]:
    if not (acc.admin or acc.app):  # only app-access minimal permissions read it
        raise E.forbidden(E.msg_collection_forbidden("directus_settings"))
    row = settings_row(api.svc)
    requested = fields_param() or ["*"]
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


@routes.route("PATCH", "/settings")
def update_settings(api: Directus, ctx: Ctx) -> Response:
    if not ctx.acc.admin:
        raise E.forbidden(E.msg_collection_forbidden("directus_settings"))
    body = ctx.body
    if not isinstance(body, dict):
        raise E.invalid_payload(E.REASON_BAD_ITEM)
    row = dict(settings_row(api.svc))
    for key, value in body.items():
        if key not in SETTINGS_COLUMNS or key == "id":
            continue  # columns the fake does not model are accepted and dropped
        row[key] = _setting_value(api.svc, key, value)
    api.mock.store.table("directus_settings").put(1, row)
    try:
        data = _settings_out(api, ctx.acc)
    except E.DirectusError as err:
        if err.code == E.FORBIDDEN:
            return api.no_content(ctx)
        raise
    return api.ok({"data": data}, ctx)


def _setting_value(svc: DirectusService, key: str, value: Any) -> Any:
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
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value < 0
        ):
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
