"""``/user/session`` and ``/system/admin/session``: login, current session, refresh, logout.

One class serves both in DreamFactory (``UserSessionResource``); the admin path only adds
``is_sys_admin = true`` to the credentials and refuses non-admins on GET.
"""

from __future__ import annotations

from typing import Any

from flask import Response

from authmock.flavours.dreamfactory import errors, faults, lookups, tokens
from authmock.flavours.dreamfactory.context import Ctx, df_datetime, php_boolval, php_empty
from authmock.flavours.dreamfactory.errors import DfError, json_response


def public_info(
    ctx: Ctx, user: dict[str, Any], token: str, role: dict[str, Any] | None
) -> dict[str, Any]:
    """``Session::getPublicInfo()`` in its key order; expiry is now + TTL, not the ``exp``."""
    ttl = int(ctx.mock.seed.settings["jwt_ttl"]) * 60
    info: dict[str, Any] = {
        "session_token": token,
        "session_id": token,
        "id": user["id"],
        "name": user["name"],
        "first_name": user["first_name"],
        "last_name": user["last_name"],
        "email": user["email"],
        "is_sys_admin": bool(user["is_sys_admin"]),
        "last_login_date": user["last_login_date"],
        "host": ctx.mock.seed.settings["hostname"],
        "token_expiry_date": df_datetime(ctx.mock.clock.time() + ttl),
    }
    if role is not None:
        info["role"] = role["name"]
        info["role_id"] = role["id"]
    return info


def login_user(
    ctx: Ctx, user: dict[str, Any], *, forever: bool = False
) -> tuple[str, dict[str, Any]]:
    """``Session::login``: stamp ``last_login_date`` (a new row) and issue a fresh token."""
    stamped = {**user, "last_login_date": df_datetime(ctx.mock.clock.time())}
    lookups.table(ctx, "users").put(user["id"], stamped)
    return tokens.issue_token(ctx, stamped, forever=forever), stamped


def handle(ctx: Ctx, *, admin: bool) -> Response:
    method = ctx.method
    if method == "POST":
        return _login(ctx, admin=admin)
    if method in ("GET", "HEAD"):
        return _current(ctx, admin=admin)
    if method == "PUT":
        return _refresh(ctx)
    if method == "DELETE":
        return _logout(ctx)
    raise DfError(400, errors.VERB_NOT_SUPPORTED.format(verb=method, name="session"))


def _login_service(ctx: Ctx, name: Any, message: str) -> None:
    """A ``service`` asks for an OAuth/LDAP login; this fake has no such service."""
    if php_empty(name):
        return
    service = lookups.service_by_name(ctx, str(name).lower()) if isinstance(name, str) else None
    if service is None:
        raise DfError(404, errors.SERVICE_NOT_FOUND + (name if isinstance(name, str) else ""))
    raise DfError(400, message)


def _login(ctx: Ctx, *, admin: bool) -> Response:
    if ctx.profile == "docs" and not ctx.api_key:
        raise DfError(400, errors.NO_KEY_OR_TOKEN)  # the docs: login needs the API key
    service = ctx.payload.data.get("service", ctx.query.get("service"))
    _login_service(ctx, service, errors.INVALID_LOGIN_SERVICE_POST)
    email = ctx.payload.get("email")
    password = ctx.payload.get("password")
    if php_empty(email):
        raise DfError(400, errors.MISSING_EMAIL)
    if php_empty(password):
        raise DfError(400, errors.MISSING_PASSWORD)
    user = lookups.find_login_user(ctx, email, password, admin=admin)
    if user is None:
        if (not admin and ctx.profile == "docs"
                and lookups.find_login_user(ctx, email, password, admin=True) is not None):
            raise DfError(400, errors.MISSING_EMAIL)  # the docs' "wrong endpoint" answer
        faults.login_reason(ctx, email, admin=admin)
        raise DfError(401, errors.INVALID_CREDENTIALS)
    role = lookups.resolve_role(ctx, user, ctx.app)
    if role is not None and not role["is_active"]:
        raise DfError(403, errors.ROLE_NOT_ACTIVE)
    forever = (bool(ctx.mock.seed.settings["allow_forever_sessions"])
               and php_boolval(ctx.payload.get("remember_me")))
    token, user = login_user(ctx, user, forever=forever)
    return json_response(public_info(ctx, user, token, role))


def _current(ctx: Ctx, *, admin: bool) -> Response:
    # getOAuthServiceName(): payload first, then the query (so GET reads the body too)
    service = ctx.payload.data.get("service", ctx.query.get("service"))
    _login_service(ctx, service, errors.INVALID_LOGIN_SERVICE_GET)
    user = ctx.user
    if user is None or ctx.token is None:
        if admin:
            raise DfError(404, errors.NO_USER_SESSION)
        raise DfError(401, errors.NO_VALID_SESSION)
    if admin and not lookups.is_sys_admin(ctx, user) and not user["is_sys_admin"]:
        raise DfError(401, errors.NOT_AUTHORIZED)
    token = ctx.token
    if ctx.profile == "docs":
        # the docs: "GET refreshes the token" -- a new token, the old one blacklisted
        claims = ctx.claims or {}
        forever = bool(claims.get("forever"))
        iat = claims.get("iat")
        new = tokens.issue_token(ctx, user, iat=None if forever or not isinstance(iat, int)
                               else iat, forever=forever)
        tokens.revoke(ctx, token)
        token = new
    return json_response(public_info(ctx, user, token, ctx.role))


def _refresh(ctx: Ctx) -> Response:
    token = ctx.token
    if not token:
        raise DfError(401, errors.TOKEN_REFRESH_FAILED + errors.JWT_SEGMENTS)
    try:
        claims = tokens.decode_token(ctx, token, refresh=True)
    except tokens.TokenProblem as problem:
        raise DfError(401, errors.TOKEN_REFRESH_FAILED + problem.message) from None
    try:
        user = tokens.token_user(ctx, claims)
    except tokens.TokenProblem as problem:
        raise DfError(401, errors.TOKEN_REFRESH_FAILED + problem.message) from None
    forever = bool(claims.get("forever"))
    iat = claims["iat"] if isinstance(claims["iat"], int) and not forever else None
    new = tokens.issue_token(ctx, user, iat=iat, forever=forever)
    tokens.revoke(ctx, token)
    return json_response(public_info(ctx, user, new, None))


def _logout(ctx: Ctx) -> Response:
    if ctx.token and ctx.user is not None:
        tokens.revoke(ctx, ctx.token)
    return json_response({"success": True})
