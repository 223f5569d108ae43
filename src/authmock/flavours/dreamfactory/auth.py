"""AuthCheck and AccessCheck, df-core's two middlewares in front of every service.

AuthCheck identifies app, user and role and never refuses a bad token itself: it stores the
error, and AccessCheck raises it on every route (except POST login and PUT refresh). The
tokens themselves are ``tokens.py``'s; the lookups ``lookups.py``'s.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from authmock.flavours.dreamfactory import errors, faults
from authmock.flavours.dreamfactory.context import AUTH_PATHS, Ctx
from authmock.flavours.dreamfactory.errors import DfError
from authmock.flavours.dreamfactory.lookups import (
    find_app,
    find_login_user,
    is_sys_admin,
    resolve_role,
    service_by_name,
    table,
)
from authmock.flavours.dreamfactory.schema import VERB_BITS
from authmock.flavours.dreamfactory.tokens import TokenProblem, decode_token, token_user

# service type -> {component: verb mask} that need neither key nor token (access exceptions)
PUBLIC = {
    "user": {"session": 31, "password": 2, "register": 2, "profile": 15},
    "system": {"admin/session": 31, "admin/password": 2, "environment": 1},
}


# --- AuthCheck ---------------------------------------------------------------------------
def _api_key(ctx: Ctx) -> str | None:
    request = ctx.request
    key = ctx.query.get("api_key")
    if not key:
        key = request.environ.get("HTTP_X_DREAMFACTORY_API_KEY")  # the header
    if not key and "system/app" not in ctx.path:
        body_key = ctx.input.get("api_key")  # $request->input(): JSON or form body
        key = body_key if isinstance(body_key, str) else None
    return key or None


def _jwt(ctx: Ctx) -> str | None:
    request = ctx.request
    environ = request.environ  # header lookups straight from the WSGI environ
    authorization = environ.get("HTTP_AUTHORIZATION")
    if authorization and "Bearer" in authorization:
        return authorization[7:] or None
    token = environ.get("HTTP_X_DREAMFACTORY_SESSION_TOKEN")
    if not token:
        body_token = ctx.input.get("session_token")  # $request->input(): body, then query
        token = body_token if isinstance(body_token, str) else None
    return token or None


def _basic(ctx: Ctx) -> tuple[str, str] | None:
    """``Authorization: Basic base64(email:password)``, as PHP exposes it."""
    header = ctx.request.environ.get("HTTP_AUTHORIZATION") or ""  # the header
    if not header.startswith("Basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    email, _, password = decoded.partition(":")
    if not email and not password:
        return None
    return email, password


def _load_app(ctx: Ctx) -> None:
    app = find_app(ctx, ctx.api_key)
    if app is not None and not app["is_active"]:
        raise DfError(403, errors.APP_NOT_ACTIVE)
    ctx.app = app


def auth_check(ctx: Ctx) -> None:
    ctx.api_key = _api_key(ctx)
    token = _jwt(ctx)
    is_auth_path = ctx.path in AUTH_PATHS
    if is_auth_path and ctx.method == "POST":
        token = None  # a login ignores any token sent with it
    ctx.token = token
    if token:
        if is_auth_path and ctx.method == "PUT":
            return  # the refresh resource validates the token itself
        try:
            claims = decode_token(ctx, token)
            user = token_user(ctx, claims)
        except TokenProblem as problem:
            faults.token_reason(ctx, token, problem)
            if problem.kind == "expired":
                ctx.token_error = DfError(401, errors.expired_message(problem.message))
            elif problem.kind == "blacklisted":
                ctx.token_error = DfError(403, errors.blacklisted_message(problem.message))
            else:
                ctx.token_error = DfError(401, errors.invalid_token_message(problem.message))
            return
        ctx.claims = claims
        _load_app(ctx)
        ctx.user = user
        ctx.role = resolve_role(ctx, user, ctx.app)
    elif (basic := _basic(ctx)) is not None:
        # Auth::onceBasic(): a user for this one request, no token issued
        basic_user = find_login_user(ctx, basic[0], basic[1], admin=None, active_only=False)
        if basic_user is None:
            raise DfError(500, errors.BASIC_INVALID, short=True)
        if not basic_user["is_active"]:
            raise DfError(403, errors.USER_NOT_ACTIVE)  # User::getCachedInfo
        _load_app(ctx)
        ctx.user = basic_user
        ctx.role = resolve_role(ctx, basic_user, ctx.app)
    elif ctx.api_key:
        _load_app(ctx)
        ctx.role = resolve_role(ctx, None, ctx.app)


# --- AccessCheck -------------------------------------------------------------------------
_CALL = re.compile(r"\(.*\)")


def _component_key(component: str) -> str:
    return _CALL.sub("", component).strip("/").lower()


def role_allows(ctx: Ctx, role: dict[str, Any], service: str, component: str,
                verb: str) -> bool:
    """``Session::getServicePermissions``: the most specific matching level decides."""
    bit = VERB_BITS.get(verb.upper(), 0)
    target = service_by_name(ctx, service)
    service_id = target["id"] if target else None
    wanted = _component_key(component)
    entries = [
        entry for entry in table(ctx, "role_access").values()
        if entry["role_id"] == role["id"] and entry["requestor_mask"] & 1
    ]
    own = [e for e in entries if service_id is not None and e["service_id"] == service_id]

    def wildcard(entry: dict[str, Any]) -> bool:
        comp = _component_key(entry["component"])
        if not comp.endswith("/*"):
            return False
        prefix = comp[:-2]
        return wanted == prefix or wanted.startswith(prefix + "/")

    levels = [
        [e for e in own if _component_key(e["component"]) == wanted and e["component"] != "*"],
        [e for e in own if wildcard(e)],
        [e for e in own if e["component"].strip() == "*"],
        [e for e in entries if e["service_id"] is None
         and (e["component"].strip() == "*" or (not e["component"].strip() and not wanted))],
    ]
    for level in levels:
        if level:
            mask = 0
            for entry in level:
                mask |= entry["verb_mask"]
            return bool(mask & bit)
    return False


def is_public(ctx: Ctx) -> bool:
    if ctx.service is None:
        return False
    target = service_by_name(ctx, ctx.service)
    if target is None:
        return False
    mask = PUBLIC.get(target["type"], {}).get(_component_key(ctx.component))
    return mask is not None and bool(mask & VERB_BITS.get(ctx.method, 0))


def access_check(ctx: Ctx) -> None:
    if ctx.token_error is not None:
        raise ctx.token_error
    service = ctx.service
    if service is None or service.endswith("_oauth"):
        return
    if is_public(ctx):
        return
    if is_sys_admin(ctx, ctx.user) and (ctx.profile == "server" or ctx.api_key):
        return  # docs profile: the quick reference wants the API key on every call
    role = ctx.role
    if (role is not None and role["is_active"]
            and role_allows(ctx, role, service, ctx.component, ctx.method)):
        return
    if not ctx.api_key and not ctx.token:
        raise DfError(400, errors.NO_KEY_OR_TOKEN)
    if role is None:
        if not ctx.api_key:
            raise DfError(400, errors.NO_API_KEY)
        if not ctx.token:
            raise DfError(400, errors.NO_TOKEN)
        raise DfError(403, errors.ROLE_NOT_FOUND)
    if not role["is_active"]:
        raise DfError(403, errors.ROLE_INACTIVE_ACCESS)
    if ctx.user is None:
        raise DfError(401, errors.NOT_AUTHENTICATED)
    ctx.mock.reason(f"missing permission {ctx.method} {service}/{ctx.component}".rstrip("/"))
    raise DfError(403, errors.forbidden_verb(ctx.method, service, ctx.component))
