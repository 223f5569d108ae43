"""Directus's side of fault injection: its named errors, who a request is, user scenarios.

Every catalogue entry is rendered by the same code that answers the real situation
(``Directus.error`` on the ``errors.py`` helpers), so a rule's answer is byte-identical
to the product's, bar ``X-Authmock-Reason``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from flask import Request, request

from authmock.clock import isoformat
from authmock.faults import CatalogueEntry
from authmock.flavours.directus import errors as E
from authmock.flavours.directus import http as H
from authmock.flavours.directus.config import USER_STATUSES
from authmock.flavours.directus.jsonbody import BodyError, parse_body_once
from authmock.scenarios import ScenarioError, unknown_user
from authmock.tokens import constant_time_equals, decode_unverified

if TYPE_CHECKING:
    from authmock.app import Mock
    from authmock.flavours.directus.state import Directus

_REFRESH_PATHS = ("/auth/refresh", "/auth/logout")


def _api(mock: Mock) -> Directus:
    api: Directus = mock.app.extensions["authmock.directus"]
    return api


def default_reason(mock: Mock, err: E.DirectusError) -> None:
    """The reason of a Directus error whose refusal site named none: its code (and reason)."""
    text = err.code.lower().replace("_", " ")
    if err.code == E.ROUTE_NOT_FOUND:
        text = "unknown route"
    elif "reason" in err.extensions:
        text += f": {err.extensions['reason']}"
    mock.reason(text, default=True)


def session_reason(mock: Mock, row: dict[str, Any] | None, what: str) -> None:
    """Why a session (or refresh token) row was refused: gone, or expired at its ``expires``."""
    if row is None:
        mock.reason(f"{what} unknown or revoked by logout")
    else:
        when = isoformat(datetime.fromtimestamp(row["expires"], tz=timezone.utc))
        mock.reason(f"{what} expired at {when}")


def _clears_session_cookie(api: Directus) -> list[str]:
    """The real refusal clears the session cookie when that cookie carried the bad token."""
    from authmock.flavours.directus.pipeline import extract_token

    try:
        token = extract_token(api, request)
    except E.DirectusError:
        return []
    cookie = request.cookies.get(api.settings.session_cookie_name)
    if cookie and cookie == token:
        return [api.cookie("session", "")]
    return []


def _rate_limited(api: Directus) -> E.DirectusError:
    """REQUESTS_EXCEEDED as the first refused request of a window opened now."""
    s = api.settings
    from authmock.flavours.directus.ratelimit import rate_limit_error

    duration_ms = int(s.rate_limiter_duration * 1000)
    now_ms = int(api.svc.now * 1000)
    return rate_limit_error(s.rate_limiter_points, now_ms, now_ms + duration_ms)


def _answer(api: Directus, err: E.DirectusError, cookies: list[str] | None = None) -> Any:
    """A GraphQL operation whose resolver can raise ``err`` gets GraphQL's 200 answer, as the
    real one would; anything else (REST, or an error of the pipeline) REST's envelope."""
    from authmock.flavours.directus.graphql_ops import graphql_fault_response

    graphql = graphql_fault_response(err)
    return graphql if graphql is not None else api.error(err, cookies)


def error_catalogue(mock: Mock) -> Mapping[str, CatalogueEntry]:
    api = _api(mock)

    def plain(make: Any) -> Any:
        return lambda: _answer(api, make())

    def clearing(make: Any) -> Any:
        return lambda: _answer(api, make(), _clears_session_cookie(api))

    def entry(status: int, description: str, render: Any) -> CatalogueEntry:
        return CatalogueEntry(status, description, render)

    return {
        E.TOKEN_EXPIRED: entry(401, "an expired access token or session", plain(E.token_expired)),
        E.INVALID_CREDENTIALS: entry(
            401, "wrong e-mail or password, an unknown refresh token, a revoked session",
            clearing(E.invalid_credentials),
        ),
        E.INVALID_OTP: entry(401, "missing or wrong TOTP code at login", plain(E.invalid_otp)),
        E.INVALID_TOKEN: entry(403, "a token with a bad signature", clearing(E.invalid_token)),
        E.USER_SUSPENDED: entry(401, "refresh of a suspended user", plain(E.user_suspended)),
        E.FORBIDDEN: entry(403, "no permission for the resource", plain(E.forbidden)),
        E.INVALID_PAYLOAD: entry(
            400, "refresh or logout without a refresh token",
            plain(lambda: E.invalid_payload(E.REASON_REFRESH_TOKEN_REQUIRED)),
        ),
        E.REQUESTS_EXCEEDED: entry(
            429, "the rate limiter refused the request (with Retry-After)",
            lambda: api.error(_rate_limited(api)),
        ),
        E.SERVICE_UNAVAILABLE: entry(
            503, "the rate limiter's store is unreachable",
            plain(lambda: E.service_unavailable(
                E.SERVICE_AUTHENTICATION, E.REASON_RATE_LIMITER_UNREACHABLE)),
        ),
        E.ROUTE_NOT_FOUND: entry(
            404, "no such route", plain(lambda: E.route_not_found(H.raw_path()))
        ),
        E.INTERNAL_SERVER_ERROR: entry(500, "an unexpected error", plain(E.internal_error)),
    }


def _user_email(api: Directus, user_id: Any) -> str | None:
    row = api.svc.users.get(user_id) if isinstance(user_id, str) else None
    email = row.get("email") if row else None
    return email if isinstance(email, str) else None


def _body_field(req: Request, *names: str) -> Any:
    """The first of ``names`` in a JSON body (without judging it: the route does that)."""
    if not req.content_length or "json" not in (req.content_type or ""):
        return None
    raw = req.get_data(cache=True)
    body: Any = None
    environ = req.environ
    if (
        environ.get("CONTENT_TYPE") == "application/json"
        and not environ.get("HTTP_CONTENT_ENCODING")
        and raw.isascii()
    ):
        # the body parser's own parse, kept for the route: where it succeeds on ASCII it
        # is json.loads's value (it only refuses more: NaN, a top level neither {} nor [])
        try:
            body = parse_body_once(environ, "application/json", None, raw)
        except BodyError:
            body = None
    if body is None:
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            return None
    if not isinstance(body, dict):
        return None
    return next((body[name] for name in names if body.get(name)), None)


def request_user(mock: Mock, req: Request) -> str | None:
    """Access token (query, Bearer, session cookie; JWT or static), else on refresh/logout the
    refresh token (body or cookie), else on a login the e-mail (or LDAP identifier) sent."""
    api = _api(mock)
    environ = req.environ
    token: Any = None
    if environ.get("QUERY_STRING"):
        token = req.args.get("access_token")
    header = environ.get("HTTP_AUTHORIZATION")
    if not token and header and header[:7].lower() == "bearer ":
        token = header[7:].strip()
    cookies = environ.get("HTTP_COOKIE")
    if not token and cookies:
        token = req.cookies.get(api.settings.session_cookie_name)
    if token:
        if token.count(".") == 2:
            decoded = decode_unverified(token)
            if isinstance(decoded, tuple):
                return _user_email(api, decoded[1].get("id"))
            return None
        for row in api.svc.users.values():
            if constant_time_equals(row.get("token"), token):
                email = row.get("email")
                return email if isinstance(email, str) else None
        return None
    path = req.path.lower().rstrip("/")
    if path.startswith("/auth/login") and req.method == "POST":
        email = _body_field(req, "email", "identifier")
        user = api.svc.user_by_email(email) if isinstance(email, str) else None
        return user["email"] if user is not None else None
    if path in _REFRESH_PATHS:
        refresh = _body_field(req, "refresh_token")
        if not refresh and cookies:
            refresh = req.cookies.get(api.settings.refresh_cookie_name)
        session = api.svc.sessions.get(refresh) if isinstance(refresh, str) else None
        if session is not None:
            return _user_email(api, session["user"])
    return None


def user_scenario(mock: Mock, email: str, verb: str, body: Mapping[str, Any]) -> dict[str, Any]:
    svc = _api(mock).svc
    user = svc.user_by_email(email)
    if user is None:
        raise unknown_user(email)
    user_id = user["id"]
    if verb == "expire_sessions":
        now = svc.now
        sessions = 0
        for key, row in list(svc.sessions.items()):
            if row["user"] == user_id:
                svc.sessions.put(key, {**row, "expires": now - 1})
                sessions += 1
        tokens = mock.tokens.expire_where(lambda claims: claims.get("id") == user_id)
        return {"sessions": sessions, "tokens": tokens}
    if verb == "revoke_sessions":
        sessions = sum(1 for row in svc.sessions.values() if row["user"] == user_id)
        svc.end_sessions(user_id)
        return {"sessions": sessions}
    if verb == "status":
        status = body.get("status")
        if status not in USER_STATUSES:
            raise ScenarioError(
                400, f'"status" must be one of: {", ".join(USER_STATUSES)}'
            )
        svc.update_user(user_id, status=status)
        if status != "active":  # as UsersService.updateOne: the user's sessions end
            svc.end_sessions(user_id)
        return {"status": status}
    # lockout: what AuthenticationService.login does once auth_login_attempts is exceeded (a
    # direct update: sessions stay, and their refresh answers USER_SUSPENDED)
    svc.update_user(user_id, status="suspended")
    svc.login_attempts.put(user_id, 0)
    return {"status": "suspended"}
