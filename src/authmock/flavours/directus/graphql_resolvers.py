"""The resolvers of Directus's GraphQL routers: each the body of Directus's, on the shared service.

``resolvers/system-global.ts`` (``auth_*``), ``system.ts`` (``users_me``, ``server_ping``,
``server_health``) and the items resolvers. They call the same service functions as the REST
routes and set cookies with the same ``Directus.cookie`` (``state.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import request
from graphql import (
    GraphQLResolveInfo,
)
from graphql.language import FieldNode, FragmentSpreadNode, InlineFragmentNode, SelectionNode

from authmock.flavours.directus import errors as E
from authmock.flavours.directus import http as H
from authmock.flavours.directus import password_reset, users
from authmock.flavours.directus.items import collection_rows
from authmock.flavours.directus.sessions import Accountability

if TYPE_CHECKING:
    from authmock.flavours.directus.state import Ctx, Directus


@dataclass
class GqlContext:
    """What a resolver gets as ``info.context``: Directus's ``{req, res}`` and accountability."""

    api: Directus
    ctx: Ctx
    acc: Accountability


def _context(info: GraphQLResolveInfo) -> GqlContext:
    found: GqlContext = info.context
    return found


# selections → Directus field paths ----------------------------------------------------------
def _field_paths(info: GraphQLResolveInfo, selections: Any, prefix: str = "") -> list[str]:
    """``getQuery``'s fields: ``role { id name }`` → ``role.id``, ``role.name``; fragments
    inlined; ``__typename`` skipped."""
    out: list[str] = []
    for node in selections or ():
        out.extend(_paths_of(info, node, prefix))
    return out


def _paths_of(info: GraphQLResolveInfo, node: SelectionNode, prefix: str) -> list[str]:
    if isinstance(node, FieldNode):
        name = node.name.value
        if name.startswith("__"):
            return []
        if node.selection_set is not None:
            inner = _field_paths(info, node.selection_set.selections, f"{prefix}{name}.")
            return inner or [f"{prefix}{name}"]
        return [f"{prefix}{name}"]
    if isinstance(node, InlineFragmentNode):
        return _field_paths(info, node.selection_set.selections, prefix)
    if isinstance(node, FragmentSpreadNode):
        fragment = info.fragments.get(node.name.value)
        return _field_paths(info, fragment.selection_set.selections, prefix) if fragment else []
    return []


# resolvers (each the body of Directus's, on the shared service) -----------------------------
def _tokens_payload(c: GqlContext, mode: str, issued: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {"expires": issued.expires_ms}
    if mode == "json":
        payload["refresh_token"] = issued.refresh_token
        payload["access_token"] = issued.access_token
    if mode == "cookie":
        c.ctx.cookies.append(c.api.cookie("refresh", issued.refresh_token))
        payload["access_token"] = issued.access_token
    if mode == "session":
        c.ctx.cookies.append(c.api.cookie("session", issued.access_token))
    return payload


def resolve_login(_root: Any, info: GraphQLResolveInfo, email: str, password: str,
                   mode: str | None = None, otp: str | None = None) -> dict[str, Any]:
    c = _context(info)
    if c.api.settings.disable_default:  # AUTH_DISABLE_DEFAULT: no "default" provider registered
        raise E.invalid_provider_config("default")
    mode = mode or "json"
    svc = c.api.svc
    issued = svc.login("default", svc.user_by_email(email), password, otp, mode == "session")
    return _tokens_payload(c, mode, issued)


def _current_refresh_token(c: GqlContext, mode: str, given: str | None) -> Any:
    token: Any = None
    if mode == "json":
        token = given
    elif mode == "cookie":
        token = request.cookies.get(c.api.settings.refresh_cookie_name)
    elif mode == "session":
        from authmock.flavours.directus.sessions import is_directus_jwt

        cookie = request.cookies.get(c.api.settings.session_cookie_name)
        if is_directus_jwt(cookie):
            token = c.api.svc.verify_access(str(cookie)).get("session")
    if not H.js_truthy(token):
        raise E.invalid_payload(E.REASON_REFRESH_TOKEN_REQUIRED)
    return token


def resolve_refresh(_root: Any, info: GraphQLResolveInfo, refresh_token: str | None = None,
                     mode: str | None = None) -> dict[str, Any]:
    c = _context(info)
    mode = mode or "json"
    token = _current_refresh_token(c, mode, refresh_token)
    issued = c.api.svc.refresh(token, mode == "session")
    return _tokens_payload(c, mode, issued)


def resolve_logout(_root: Any, info: GraphQLResolveInfo, refresh_token: str | None = None,
                    mode: str | None = None) -> bool:
    c = _context(info)
    token = _current_refresh_token(c, mode or "json", refresh_token)
    c.api.svc.logout(token)
    if request.cookies.get(c.api.settings.refresh_cookie_name):
        c.ctx.cookies.append(c.api.cookie("refresh", ""))
    if request.cookies.get(c.api.settings.session_cookie_name):
        c.ctx.cookies.append(c.api.cookie("session", ""))
    return True


def resolve_password_request(_root: Any, info: GraphQLResolveInfo, email: str,
                              reset_url: str | None = None) -> bool:
    c = _context(info)
    try:
        password_reset.request_reset(c.api.svc, email, reset_url or None, c.api.public_url())
    except E.DirectusError as err:
        if err.code == E.INVALID_PAYLOAD:
            raise
    if c.api.mock.realistic_timing:
        c.api.mock.stall(0.5)
    return True


def resolve_password_reset(_root: Any, info: GraphQLResolveInfo, token: str,
                            password: str) -> bool:
    c = _context(info)
    password_reset.reset_password(c.api.svc, token, password)
    return True


def resolve_users_me(_root: Any, info: GraphQLResolveInfo) -> dict[str, Any] | None:
    c = _context(info)
    if not c.acc.user:
        return None
    node = info.field_nodes[0]
    fields = _field_paths(info, node.selection_set.selections if node.selection_set else ())
    return users.read_me(c.api.svc, c.acc, fields or ["id"])


def resolve_ping(_root: Any, _info: GraphQLResolveInfo) -> str:
    return E.PONG


def resolve_health(_root: Any, info: GraphQLResolveInfo) -> dict[str, Any]:
    from authmock.flavours.directus.server_info import health

    c = _context(info)
    return health(c.api, c.acc)


def collection_resolver(collection: str) -> Any:
    def resolve(_root: Any, info: GraphQLResolveInfo, sort: list[str] | None = None,
                limit: int | None = None, offset: int | None = None,
                page: int | None = None) -> list[dict[str, Any]]:
        c = _context(info)
        rows, _perm = collection_rows(c.api, c.ctx.acc, collection)
        rows = list(rows)
        for key in reversed(sort or []):
            rows.sort(key=_sort_key(key.lstrip("-")), reverse=key.startswith("-"))
        count = 100 if limit is None else limit
        start = offset if offset is not None else (
            (page - 1) * count if page is not None and count >= 0 else 0
        )
        rows = rows[max(start, 0):]
        return rows[:count] if count >= 0 else rows

    return resolve


def _sort_key(field: str) -> Any:
    def key(row: dict[str, Any]) -> tuple[bool, float, str]:
        value = row.get(field)
        number = value if isinstance(value, (int, float)) and not isinstance(value, bool) else 0
        return value is not None, float(number), "" if value is None else str(value)

    return key


def by_id_resolver(collection: str) -> Any:
    def resolve(_root: Any, info: GraphQLResolveInfo, id: str) -> dict[str, Any]:
        c = _context(info)
        rows, _perm = collection_rows(c.api, c.ctx.acc, collection)
        found = next((r for r in rows if str(r.get("id")) == id), None)
        if found is None:
            raise E.forbidden()
        return found

    return resolve
