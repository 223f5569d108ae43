"""Directus's Express pipeline: one catch-all Flask view runs the middlewares in Directus's order.

Control paths 404, CORS preflight, body parser, token extraction, ``GET /`` and
``/robots.txt``, rate limiter, ``/server/ping``, authenticate, the ``/graphql`` routers, then
the route tables with Express's matching rules (case-insensitive, optional trailing slash,
first method match wins, HEAD from GET, OPTIONS answered with ``Allow``, any other unknown
method or path → ``ROUTE_NOT_FOUND``).
"""

from __future__ import annotations

import re
from typing import Any, cast
from urllib.parse import unquote

from flask import Flask, Request, Response, abort, request

from authmock.flavours.directus import errors as E
from authmock.flavours.directus import http as H
from authmock.flavours.directus import registration, routes, settings_api, tfa, users_api
from authmock.flavours.directus.cors import preflight
from authmock.flavours.directus.faults import default_reason
from authmock.flavours.directus.jsonbody import BodyError, parse_body_once
from authmock.flavours.directus.ratelimit import client_key, consume, rate_limit_error
from authmock.flavours.directus.sessions import Accountability
from authmock.flavours.directus.state import Ctx, Directus
from authmock.mock import is_control_path
from authmock.routing import RouteTable

#: every route table, in Directus's mounting order (Express: the first match wins)
TABLES: tuple[RouteTable, ...] = (
    routes.routes, users_api.routes, settings_api.routes, registration.routes, tfa.routes,
)
_ROBOTS = re.compile(r"/robots\.txt/?", re.I)
_PING = re.compile(r"/server/ping/?", re.I)
#: app.use("/graphql", ...): a prefix match on a segment boundary, any case
_GRAPHQL = re.compile(r"^/graphql(?:/|$)", re.IGNORECASE)
_METHODS = [
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "SEARCH", "QUERY", "PROPFIND",
]


def _current_request() -> Request:
    """The request behind Flask's ``request`` proxy, looked up once for a whole dispatch."""
    real: Request = cast(Any, request)._get_current_object()
    return real


def dispatch(api: Directus, path: str) -> Response:
    """One request through Directus's app: its answer, or its error envelope."""
    if is_control_path("/" + path):
        abort(404)
    # 2. cors (when CORS_ENABLED and CORS_ORIGIN is set) answers every OPTIONS itself
    cors = api.settings.cors
    if cors.active:
        answered = preflight(cors)
        if answered is not None:
            return answered
    req = _current_request()
    # Express matches routes against the path as sent and decodes the parameters
    full = H.raw_path(req)
    try:
        response = _dispatch(api, req, full)
    except E.DirectusError as err:
        default_reason(api.mock, err)
        return api.error(err)
    if H.is_fresh(req.method, req.headers, response):
        return H.not_modified(response)
    return response


def _dispatch(api: Directus, req: Request, path: str) -> Response:
    method = req.method
    headers = req.headers
    # 3. body parser
    try:
        body = parse_body_once(
            req.environ, headers.get("Content-Type"), headers.get("Content-Encoding"),
            _read_body(req),
        )
    except BodyError as exc:
        raise E.invalid_payload(exc.reason) from None
    # 5. extract-token
    token = extract_token(api, req)
    ctx = Ctx(body=body, token=token, acc=Accountability())
    get = method in ("GET", "HEAD")
    # 6. GET / (ROOT_REDIRECT) and /robots.txt answer before limiter and authentication
    if get:
        if path == "/":
            return H.redirect_response("./admin")
        if _ROBOTS.fullmatch(path):
            return H.text_response(E.ROBOTS_TXT, 200, "text/plain; charset=utf-8")
    # 7. rate limiter
    if api.settings.rate_limiter_enabled:
        _rate_limit(api)
    # 8. ping
    if get and _PING.fullmatch(path):
        return H.text_response(E.PONG, 200, "text/html; charset=utf-8")
    # 9. authenticate
    if H.js_truthy(token):
        _authenticate(api, req, ctx)
    # 10. routers
    if _GRAPHQL.match(path):  # app.use("/graphql", ...): every method, every subpath
        return api.graphql.handle(ctx, path)
    return _route(api, method, path, ctx)


def _authenticate(api: Directus, req: Request, ctx: Ctx) -> None:
    token = ctx.token
    try:
        ctx.acc = api.svc.accountability_for(
            token if isinstance(token, str) else H.js_string(token)
        )
    except E.DirectusError as err:
        if err.code in (E.INVALID_CREDENTIALS, E.INVALID_TOKEN) and (
            _cookie(req, api.settings.session_cookie_name) == token
        ):
            err.set_cookies.append(api.cookie("session", ""))
        raise


def extract_token(api: Directus, req: Request) -> Any:
    """The extract-token middleware: ``access_token`` query, Bearer header, session cookie."""
    token: Any = None
    environ = req.environ
    if environ.get("QUERY_STRING"):  # no query string, no request.args to parse
        query = req.args.getlist("access_token")
        if query and H.js_truthy(query[0]):
            token = query[0] if len(query) == 1 else query
    header = req.headers.get("Authorization")
    if header:
        parts = header.split(" ")
        if len(parts) == 2 and parts[0].lower() == "bearer":
            if token is not None:
                raise E.invalid_payload(E.REASON_TOKEN_CONFLICT)
            token = parts[1]
    if token is None:
        cookie = _cookie(req, api.settings.session_cookie_name)
        if cookie:
            token = cookie
    return token


def _rate_limit(api: Directus) -> None:
    s = api.settings
    now_ms = int(api.svc.now * 1000)
    ends = consume(
        api.svc.rate, client_key(), now_ms, s.rate_limiter_points, s.rate_limiter_duration
    )
    if ends is None:
        return
    api.mock.reason(
        f"rate limited: {s.rate_limiter_points} requests per {s.rate_limiter_duration}s"
    )
    raise rate_limit_error(s.rate_limiter_points, now_ms, ends)


def _route(api: Directus, method: str, path: str, ctx: Ctx) -> Response:
    allowed: list[str] = []
    for table in TABLES:
        for route, raw in table.candidates(path):
            unless = route.meta.get("unless")
            if unless is not None and getattr(api.settings, unless):
                continue  # the route is not mounted under this setting
            params = {k: unquote(v, errors="replace") for k, v in raw.items()}
            drivers = route.meta.get("drivers")
            if drivers is not None:
                # a provider router is mounted at the literal /login/<name> (case-insensitive)
                provider = api.providers_by_lower.get(raw["provider"].lower())
                if provider is None or provider.driver not in drivers:
                    continue
                params["provider"] = provider.name
            # Express's route._options(): the route's method, plus HEAD for a GET route
            verb = route.method
            for allow in (verb, "HEAD") if verb == "GET" else (verb,):
                if allow not in allowed:
                    allowed.append(allow)
            if verb == method or (method == "HEAD" and verb == "GET"):
                response: Response = route.view(api, ctx, **params)
                return response
    if method == "OPTIONS" and allowed:
        text = ",".join(allowed)
        response = H.text_response(text, 200, "text/html; charset=utf-8")
        response.headers["Allow"] = text
        return response
    raise E.route_not_found(path)


def _cookie(req: Request, name: str) -> str | None:
    """``req.cookies[name]``; without a Cookie header there is nothing to parse."""
    if not req.environ.get("HTTP_COOKIE"):
        return None
    value: str | None = req.cookies.get(name)
    return value


def _read_body(req: Request) -> bytes:
    """The raw body (the core has already refused one over MAX_PAYLOAD_SIZE, chunked too);
    none without type-is's ``hasBody`` (a Transfer-Encoding or a non-zero Content-Length)."""
    if not req.headers.get("Transfer-Encoding") and not req.content_length:
        return b""
    return req.get_data(cache=True)


def register(app: Flask, api: Directus) -> None:
    """Send every path but the control ones through ``dispatch``."""

    def view(path: str = "") -> Response:
        return dispatch(api, path)

    app.add_url_rule(
        "/", "directus_root", view, methods=_METHODS, provide_automatic_options=False
    )
    app.add_url_rule(
        "/<path:path>", "directus_any", view, methods=_METHODS, provide_automatic_options=False
    )
