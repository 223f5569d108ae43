"""DreamFactory's side of fault injection: its named errors, who a request is, user scenarios.

Catalogue entries are ``DfError`` envelopes built from ``errors.py``, answered through the same
``get_response`` as a real refusal, so a rule's answer is byte-identical to the product's, bar
``X-Authmock-Reason``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from flask import Request, Response, has_request_context, request

from authmock.clock import isoformat
from authmock.faults import CatalogueEntry
from authmock.flavours.dreamfactory import errors
from authmock.flavours.dreamfactory.context import AUTH_PATHS, json_once, split_path
from authmock.flavours.dreamfactory.errors import DfError
from authmock.scenarios import ScenarioError, unknown_user
from authmock.tokens import decode_unverified

if TYPE_CHECKING:
    from authmock.flavours.dreamfactory.context import Ctx
    from authmock.flavours.dreamfactory.tokens import TokenProblem
    from authmock.mock import Mock

STATUSES = ("active", "inactive")


def _forbidden() -> Response:
    """AccessCheck's denial for the request's own verb, service and component."""
    _, service, resource = split_path(request.path.removeprefix("/api"))
    message = errors.forbidden_verb(request.method, service or "", resource.lower())
    return DfError(403, message).get_response()


def error_catalogue(mock: Mock) -> Mapping[str, CatalogueEntry]:
    def df(status: int, message: str) -> Callable[[], Response]:
        return lambda: DfError(status, message).get_response()

    def entry(status: int, description: str, message: str) -> CatalogueEntry:
        return CatalogueEntry(status, description, df(status, message))

    flavour = mock.flavour
    return {
        "token_expired": entry(401, "an expired session token (JWT)", errors.expired_message()),
        "token_blacklisted": entry(
            403, "a session token revoked by logout or refresh", errors.blacklisted_message()
        ),
        "token_invalid": entry(
            401, "a session token with a bad signature",
            errors.invalid_token_message(errors.JWT_SIGNATURE),
        ),
        "invalid_credentials": entry(
            401, "login with a wrong e-mail or password", errors.INVALID_CREDENTIALS
        ),
        "session_required": entry(
            401, "a call the role allows only to a logged-in user, without a session",
            errors.NOT_AUTHENTICATED,
        ),
        "no_valid_session": entry(
            401, "GET user/session without a session", errors.NO_VALID_SESSION
        ),
        "user_not_active": entry(403, "a token of a deactivated user", errors.USER_NOT_ACTIVE),
        "role_not_active": entry(403, "login of a user whose role is off", errors.ROLE_NOT_ACTIVE),
        "app_not_active": entry(403, "an API key of a deactivated app", errors.APP_NOT_ACTIVE),
        "no_api_key": entry(400, "a token but no API key where one is needed", errors.NO_API_KEY),
        "forbidden": CatalogueEntry(
            403, "the role does not allow this verb on this service/component", _forbidden
        ),
        "not_found": CatalogueEntry(404, "no such route", lambda: flavour.render_error(404, None)),
        "server_error": CatalogueEntry(
            500, "an unexpected server error", lambda: flavour.render_error(500, None)
        ),
    }


# --- who the request is -----------------------------------------------------------------------
def _email_of(mock: Mock, user_id: Any) -> str | None:
    if isinstance(user_id, str) and user_id.isdigit():
        user_id = int(user_id)
    row = mock.store["df_users"].get(user_id) if isinstance(user_id, int) else None
    return row["email"] if row is not None else None


def _by_email(mock: Mock, email: Any) -> dict[str, Any] | None:
    if not isinstance(email, str):
        return None
    wanted = email.strip().casefold()
    found: dict[str, Any] | None = mock.store["df_users"].find(
        lambda u: u["email"].casefold() == wanted
    )
    return found


def _json_body(req: Request) -> Any:
    """Flask's ``get_json(silent=True)``; an ASCII body the route's own decoder reads (which
    refuses more: NaN, a BOM) is decoded by it, once for both: the value is the same."""
    if not req.is_json:
        return None
    raw = req.get_data(cache=True)
    body = json_once(req.environ, raw) if raw.isascii() else None
    return body if body is not None else req.get_json(silent=True, cache=True)


def request_user(mock: Mock, req: Request) -> str | None:
    """Session token (Bearer, X-DreamFactory-Session-Token, ?session_token=), HTTP Basic, or
    on a login the e-mail sent."""
    environ = req.environ
    authorization = environ.get("HTTP_AUTHORIZATION") or ""
    token = None
    if "Bearer" in authorization:
        token = authorization[7:]
    token = token or environ.get("HTTP_X_DREAMFACTORY_SESSION_TOKEN")
    if not token and environ.get("QUERY_STRING"):
        token = req.args.get("session_token")
    if token:
        decoded = decode_unverified(token)
        return _email_of(mock, decoded[1].get("user_id")) if isinstance(decoded, tuple) else None
    if authorization.startswith("Basic "):
        try:
            decoded_basic = base64.b64decode(authorization[6:].strip(), validate=True)
        except (binascii.Error, ValueError):
            return None
        user = _by_email(mock, decoded_basic.decode("utf-8", "replace").partition(":")[0])
        return user["email"] if user else None
    if req.method == "POST" and req.path.strip("/") in AUTH_PATHS and req.content_length:
        body = _json_body(req)
        user = _by_email(mock, body.get("email")) if isinstance(body, dict) else None
        return user["email"] if user else None
    return None


# --- reasons ---------------------------------------------------------------------------------
_DEFAULT_REASONS = {
    errors.NO_KEY_OR_TOKEN: "no API key or session token",
    errors.NO_API_KEY: "no API key",
    errors.NO_TOKEN: "no session token",
    errors.ROLE_NOT_FOUND: "no role for this app and user",
    errors.ROLE_INACTIVE_ACCESS: "role not active",
    errors.ROLE_NOT_ACTIVE: "role not active",
    errors.NOT_AUTHENTICATED: "session required",
    errors.APP_NOT_ACTIVE: "app not active",
    errors.USER_NOT_ACTIVE: "user not active",
    errors.USER_NOT_FOUND: "user not found",
    errors.NO_VALID_SESSION: "no session",
    errors.NO_USER_SESSION: "no session",
    errors.MISSING_EMAIL: "missing email",
    errors.MISSING_PASSWORD: "missing password",
}


def default_reason(error: DfError) -> None:
    """The reason of a refusal whose site named none, from its exact text."""
    if not has_request_context():
        return
    from authmock.mock import current_mock

    text = _DEFAULT_REASONS.get(error.message)
    if text is None and error.message.startswith(errors.TOKEN_REFRESH_FAILED):
        text = "token refresh failed: " + error.message.removeprefix(errors.TOKEN_REFRESH_FAILED)
    if text is not None:
        current_mock().reason(text, default=True)

def token_reason(ctx: Ctx, token: str, problem: TokenProblem) -> None:
    """Why AuthCheck refused the session token."""
    if problem.kind == "blacklisted":
        ctx.mock.reason("token revoked by logout")
    elif problem.kind == "expired":
        decoded = decode_unverified(token)
        exp = decoded[1].get("exp") if isinstance(decoded, tuple) else None
        if ctx.mock.tokens.is_expired(token):
            ctx.mock.reason("token expired by the expire-sessions scenario")
        elif isinstance(exp, int):
            when = isoformat(datetime.fromtimestamp(exp, tz=timezone.utc))
            ctx.mock.reason(f"token expired at {when}")
        else:
            ctx.mock.reason("token expired")
    else:
        ctx.mock.reason(f"bad token: {problem.message}")


def login_reason(ctx: Ctx, email: Any, *, admin: bool) -> None:
    """Why a login found no user: unknown, inactive, not an admin, or the password."""
    user = _by_email(ctx.mock, email)
    if user is None:
        ctx.mock.reason("unknown user")
    elif not user["is_active"]:
        ctx.mock.reason("user not active")
    elif bool(user["is_sys_admin"]) != admin:
        ctx.mock.reason("not a system admin" if admin else "a system admin on the user endpoint")
    else:
        ctx.mock.reason("wrong password")


# --- user scenarios ---------------------------------------------------------------------------
def user_scenario(mock: Mock, email: str, verb: str, body: Mapping[str, Any]) -> dict[str, Any]:
    user = _by_email(mock, email)
    if user is None:
        raise unknown_user(email)
    token_map = mock.store["df_token_map"]
    rows = [(key, row) for key, row in token_map.items() if row["user_id"] == user["id"]]
    if verb == "expire_sessions":
        for _, row in rows:
            mock.tokens.expire(row["token"])
        return {"tokens": len(rows)}
    if verb == "revoke_sessions":  # invalidateTokenByUserId: every token blacklisted
        for key, row in rows:
            mock.tokens.revoke(row["token"])
            token_map.delete(key)
        return {"tokens": len(rows)}
    if verb == "status":
        status = body.get("status")
        if status not in STATUSES:
            raise ScenarioError(400, f'"status" must be one of: {", ".join(STATUSES)}')
        mock.store["df_users"].put(user["id"], {**user, "is_active": status == "active"})
        if user["is_active"] and status == "inactive":  # as PATCH system/user does
            for key, row in rows:
                mock.tokens.revoke(row["token"])
                token_map.delete(key)
        return {"status": status}
    raise ScenarioError(
        400, "DreamFactory has no login-attempt limit, so there is no lockout to reproduce; "
        'set {"status": "inactive"} instead'
    )
