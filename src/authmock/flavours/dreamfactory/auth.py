"""AuthCheck and AccessCheck (df-core middleware) plus DreamFactory's JWTs.

AuthCheck identifies app, user and role and never refuses a bad token itself: it stores the
error, and AccessCheck raises it on every route (except POST login and PUT refresh).
Tokens follow tymon/jwt-auth as DreamFactory configures it: typ-first header, claims
``sub iss iat exp nbf jti user_id forever``, leeway 0, blacklist by token.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from typing import Any

from authmock.flavours.dreamfactory import errors
from authmock.flavours.dreamfactory.context import AUTH_PATHS, Ctx
from authmock.flavours.dreamfactory.errors import DfError
from authmock.flavours.dreamfactory.schema import VERB_BITS
from authmock.tokens import Refusal, constant_time_equals, sha256_hex

REQUIRED_CLAIMS = ("iat", "exp", "sub", "user_id", "forever")
_B64URL = re.compile(r"^[A-Za-z0-9_\-]*={0,2}$")

# service type -> {component: verb mask} that need neither key nor token (access exceptions)
PUBLIC = {
    "user": {"session": 31, "password": 2, "register": 2, "profile": 15},
    "system": {"admin/session": 31, "admin/password": 2, "environment": 1},
}


# --- store access ------------------------------------------------------------------------
def table(ctx_or_mock: Any, name: str) -> Any:
    mock = getattr(ctx_or_mock, "mock", ctx_or_mock)
    try:
        return mock.store[_TABLES[name]]  # created at setup: no need for table()'s lock
    except KeyError:
        return mock.store.table(f"df_{name}")


_TABLES = {name: f"df_{name}" for name in ("apps", "roles", "role_access", "services", "users",
                                           "user_roles", "token_map")}


def md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def find_app(ctx: Ctx, api_key: str | None) -> dict[str, Any] | None:
    if not api_key:
        return None
    apps = table(ctx, "apps")
    found: dict[str, Any] | None = apps.find(
        lambda app: constant_time_equals(app["api_key"], api_key)
    )
    return found


def service_by_name(ctx: Ctx, name: str) -> dict[str, Any] | None:
    """The service row called ``name``; looked up once per request (AccessCheck and the
    dispatch both ask), as no request changes the services."""
    memo = ctx.services
    if name in memo:
        return memo[name]
    found: dict[str, Any] | None = table(ctx, "services").find(lambda s: s["name"] == name)
    memo[name] = found
    return found


def user_role_links(ctx: Ctx, user_id: int) -> list[dict[str, Any]]:
    return [link for link in table(ctx, "user_roles").values() if link["user_id"] == user_id]


def is_sys_admin(ctx: Ctx, user: dict[str, Any] | None) -> bool:
    """``is_sys_admin`` and no user-app-role rows (otherwise a role-checked admin)."""
    return bool(user and user["is_sys_admin"] and not user_role_links(ctx, user["id"]))


def resolve_role(
    ctx: Ctx, user: dict[str, Any] | None, app: dict[str, Any] | None
) -> dict[str, Any] | None:
    """The user's role for this app, else any role of the user, else the app's default."""
    if app is None:
        return None
    roles = table(ctx, "roles")
    if user is not None:
        links = user_role_links(ctx, user["id"])
        for link in links:
            if link["app_id"] == app["id"] and link["role_id"] in roles:
                role: dict[str, Any] = roles[link["role_id"]]
                return role
        for link in links:
            if link["role_id"] in roles:
                any_role: dict[str, Any] = roles[link["role_id"]]
                return any_role
    if app["role_id"] is not None and app["role_id"] in roles:
        default: dict[str, Any] = roles[app["role_id"]]
        return default
    return None


def find_login_user(
    ctx: Ctx, email: Any, password: Any, *, admin: bool | None, active_only: bool = True
) -> dict[str, Any] | None:
    """The user matching e-mail and password (active only unless asked; admin flag if given)."""
    if not isinstance(email, str) or not isinstance(password, str):
        return None
    wanted = email.strip().casefold()
    for user in table(ctx, "users").values():
        if (user["email"].casefold() == wanted and (user["is_active"] or not active_only)
                and (admin is None or bool(user["is_sys_admin"]) == admin)
                and constant_time_equals(user["password"], password)):
            found: dict[str, Any] = user
            return found
    return None


# --- tokens ------------------------------------------------------------------------------
#: DreamFactory's JWT header, typ first (JwtSigner sorts header keys unless told not to)
_HEADER = {"typ": "JWT", "alg": "HS256"}


def issue_token(
    ctx: Ctx, user: dict[str, Any], *, iat: int | None = None, forever: bool = False
) -> str:
    """Sign a DreamFactory JWT with the app's secret and remember it in the token map."""
    mock = ctx.mock
    now = int(mock.clock.time())
    ttl = int(mock.seed.settings["jwt_ttl"]) * 60
    claims: dict[str, Any] = {
        "sub": md5(user["email"]),
        "iss": ctx.url,
        "iat": now if iat is None else iat,
        "exp": now + ttl,
        "nbf": now,
        "jti": mock.rng.alnum(16),
        "user_id": user["id"],
        "forever": forever,
    }
    token = mock.tokens.encode(claims, _HEADER, sort_headers=False)
    table(ctx, "token_map").put(
        sha256_hex(token), {"user_id": user["id"], "token": token, "iat": claims["iat"],
                            "exp": claims["exp"]}
    )
    return token


def revoke(ctx: Ctx, token: str) -> None:
    ctx.mock.tokens.revoke(token)
    table(ctx, "token_map").delete(sha256_hex(token))


def revoke_user_tokens(ctx: Ctx, user_id: int) -> None:
    """``invalidateTokenByUserId``: every token in the map for this user is blacklisted."""
    token_map = table(ctx, "token_map")
    for key, row in list(token_map.items()):
        if row["user_id"] == user_id:
            ctx.mock.tokens.revoke(row["token"])
            token_map.delete(key)


def _decode_segment(segment: str) -> Any:
    if not _B64URL.match(segment):
        raise ValueError(errors.JWT_BASE64)
    try:
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError):
        raise ValueError(errors.JWT_BASE64) from None
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ValueError(errors.JWT_JSON) from None
    if not isinstance(value, dict):
        raise ValueError(errors.JWT_JSON)
    return value


class TokenProblem(Exception):
    """A tymon exception: ``kind`` is invalid / expired / blacklisted, ``str()`` its text."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def decode_token(ctx: Ctx, token: str, *, refresh: bool = False) -> dict[str, Any]:
    """tymon ``Manager::decode``: structure, signature, claims, time, then the blacklist."""
    parts = token.split(".")
    if len(parts) != 3:
        raise TokenProblem("invalid", errors.JWT_SEGMENTS)
    if any(not part.strip() or part != part.strip() for part in parts):
        raise TokenProblem("invalid", errors.JWT_MALFORMED)
    try:
        _decode_segment(parts[0])
        claims: dict[str, Any] = _decode_segment(parts[1])
    except ValueError as exc:
        raise TokenProblem("invalid", str(exc)) from None
    verified = ctx.mock.tokens.verify(token, check_time=False)
    if verified.refusal in (Refusal.ALGORITHM, Refusal.SIGNATURE, Refusal.SEGMENTS,
                            Refusal.HEADER, Refusal.PAYLOAD):
        raise TokenProblem("invalid", errors.JWT_SIGNATURE)
    if any(name not in claims for name in REQUIRED_CLAIMS):
        raise TokenProblem("invalid", errors.JWT_REQUIRED_CLAIMS)
    now = ctx.mock.clock.time()
    if refresh:
        window = int(ctx.mock.seed.settings["jwt_refresh_ttl"]) * 60
        iat = claims["iat"]
        if _is_int(iat) and not claims.get("forever") and iat + window < now:
            raise TokenProblem("expired", errors.JWT_REFRESH_EXPIRED)
    else:
        for name in claims:  # claims are validated in payload order
            value = claims[name]
            if name == "iat" and _is_int(value) and value > now:
                raise TokenProblem("invalid", errors.JWT_IAT_FUTURE)
            if name == "nbf" and _is_int(value) and value > now:
                raise TokenProblem("invalid", errors.JWT_NBF_FUTURE)
            if name == "exp" and _is_int(value) and value < now:
                raise TokenProblem("expired", errors.JWT_EXPIRED)
    if verified.refusal == Refusal.REVOKED:
        raise TokenProblem("blacklisted", errors.JWT_BLACKLISTED)
    return claims


def token_user(ctx: Ctx, claims: dict[str, Any]) -> dict[str, Any]:
    """``JWTUtilities::verifyUser``: ``User::getCachedInfo`` (404 / 403) then the ``sub``."""
    user_id = claims.get("user_id")
    if isinstance(user_id, str) and user_id.isdigit():
        user_id = int(user_id)  # User::find("2") finds user 2
    if php_missing(user_id) or user_id == 0:
        raise TokenProblem("invalid", errors.JWT_USER_VERIFICATION)
    users = table(ctx, "users")
    user: dict[str, Any] | None = users.get(user_id) if _is_int(user_id) else None
    if user is None:
        raise DfError(404, errors.USER_NOT_FOUND)
    if not user["is_active"]:
        raise DfError(403, errors.USER_NOT_ACTIVE)
    if md5(user["email"]) != claims.get("sub"):
        raise TokenProblem("invalid", errors.JWT_USER_VERIFICATION)
    return user


def php_missing(value: Any) -> bool:
    return value is None or value == "" or value is False


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
    raise DfError(403, errors.forbidden_verb(ctx.method, service, ctx.component))
