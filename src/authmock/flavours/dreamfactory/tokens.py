"""DreamFactory's JWTs, as tymon/jwt-auth makes and checks them where DreamFactory configures
it: typ-first header, claims ``sub iss iat exp nbf jti user_id forever``, leeway 0, a
blacklist by token, and the token map that lets a password change log a user out everywhere.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

from authmock.flavours.dreamfactory import errors
from authmock.flavours.dreamfactory.context import Ctx
from authmock.flavours.dreamfactory.errors import DfError
from authmock.flavours.dreamfactory.lookups import md5, table
from authmock.tokens import Refusal, sha256_hex

REQUIRED_CLAIMS = ("iat", "exp", "sub", "user_id", "forever")
_B64URL = re.compile(r"^[A-Za-z0-9_\-]*={0,2}$")

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
            if name == "exp" and _is_int(value) and (
                    value < now or ctx.mock.tokens.is_expired(token)):
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
