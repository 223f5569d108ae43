"""The Directus HTTP surface: Express's pipeline order, then the auth, users and items routes.

One catch-all Flask view runs Directus's middleware chain in its order (CORS preflight, body
parser, token extraction, rate limiter, ``/server/ping``, authenticate) and then a small router with
Express's matching rules (case-insensitive, optional trailing slash, HEAD from GET, OPTIONS
answered with ``Allow``, any other unknown method or path → ``ROUTE_NOT_FOUND``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import unquote

from flask import Flask, Request, Response, abort, request

from authmock.flavours.directus import errors as E
from authmock.flavours.directus import http as H
from authmock.flavours.directus.cors import preflight
from authmock.flavours.directus.faults import default_reason
from authmock.flavours.directus.joi import validate_login
from authmock.flavours.directus.jsonbody import (
    BodyError,
    parse_body,
)
from authmock.flavours.directus.service import (
    Accountability,
    DirectusService,
    is_directus_jwt,
    matches,
)
from authmock.mock import is_control_path

if TYPE_CHECKING:
    from authmock.flavours.directus.graphql import GraphQLEndpoint
    from authmock.mock import Mock

_ROBOTS = re.compile(r"/robots\.txt/?", re.I)
_PING = re.compile(r"/server/ping/?", re.I)
_PARAM = re.compile(r":(\w+)")
#: app.use("/graphql", ...): a prefix match on a segment boundary, any case
_GRAPHQL = re.compile(r"^/graphql(?:/|$)", re.IGNORECASE)


def _current_request() -> Request:
    """The request behind Flask's ``request`` proxy, looked up once for a whole dispatch."""
    real: Request = cast(Any, request)._get_current_object()
    return real


@dataclass
class Ctx:
    """One request as Directus's middlewares left it."""

    body: Any
    token: Any
    acc: Accountability
    cookies: list[str] = field(default_factory=list)

    def body_get(self, key: str) -> Any:
        """``req.body[key]`` (undefined → None) for objects; arrays have no keys."""
        return self.body.get(key) if isinstance(self.body, dict) else None


Handler = Callable[..., Response]


@dataclass
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    #: provider routes exist only for providers of these drivers (Directus mounts one router
    #: per configured provider), so other names fall through to ROUTE_NOT_FOUND
    drivers: tuple[str, ...] | None = None


class DirectusApi:
    """The routes of one app, bound to its service."""

    def __init__(self, mock: Mock, service: DirectusService) -> None:
        self.mock = mock
        self.svc = service
        self.settings = service.settings
        self.routes: list[Route] = []
        self._any_route_parts: list[str] = []
        self._build()
        #: a path no route pattern matches (most unknown paths) skips the route-by-route scan
        self._any_route = re.compile("|".join(self._any_route_parts), re.IGNORECASE)
        #: the seed's providers are fixed at setup: name lookups are keyed, first one wins
        self._providers_by_lower: dict[str, Any] = {}
        for p in self.svc.seed.providers:
            self._providers_by_lower.setdefault(p.name.lower(), p)
        self._ldap = next((p for p in self.svc.seed.providers if p.driver == "ldap"), None)
        self._graphql: GraphQLEndpoint | None = None

    @property
    def graphql(self) -> GraphQLEndpoint:
        """The GraphQL routers, built on first use (graphql-core is imported only then)."""
        if self._graphql is None:
            from authmock.flavours.directus.graphql import GraphQLEndpoint

            self._graphql = GraphQLEndpoint(self)
        return self._graphql

    # plumbing -------------------------------------------------------------------------
    def add(self, method: str, path: str, handler: Handler,
            drivers: tuple[str, ...] | None = None) -> None:
        regex = _PARAM.sub(r"(?P<\1>[^/]+)", path)
        pattern = re.compile(f"^{regex}/?$", re.IGNORECASE)
        self.routes.append(Route(method, pattern, handler, drivers))
        self._any_route_parts.append(f"(?:^{_PARAM.sub('[^/]+', path)}/?$)")

    def public_url(self) -> str:
        return self.settings.public_url or request.host_url.rstrip("/")

    def cookie(self, kind: str, value: str) -> str:
        s = self.settings
        if kind == "refresh":
            return H.serialize_cookie(
                s.refresh_cookie_name, value, now=self.svc.now, max_age_ms=s.refresh_ttl_ms,
                domain=s.refresh_cookie_domain, secure=s.refresh_cookie_secure,
                same_site=s.refresh_cookie_same_site,
            )
        return H.serialize_cookie(
            s.session_cookie_name, value, now=self.svc.now, max_age_ms=s.session_ttl_ms,
            domain=s.session_cookie_domain, secure=s.session_cookie_secure,
            same_site=s.session_cookie_same_site,
        )

    def error(self, err: E.DirectusError, cookies: list[str] | None = None) -> Response:
        response = H.json_response(err.envelope(), err.status, success=False)
        for name, value in err.headers.items():
            response.headers[name] = value
        for header in [*(cookies or []), *err.set_cookies]:
            response.headers.add("Set-Cookie", header)
        return response

    def ok(self, payload: Any, ctx: Ctx) -> Response:
        response = H.json_response(payload)
        for header in ctx.cookies:
            response.headers.add("Set-Cookie", header)
        return response

    def no_content(self, ctx: Ctx) -> Response:
        response = H.empty_response()
        for header in ctx.cookies:
            response.headers.add("Set-Cookie", header)
        return response

    # the pipeline -----------------------------------------------------------------------
    def dispatch(self, path: str) -> Response:
        if is_control_path("/" + path):
            abort(404)
        # 2. cors (when CORS_ENABLED and CORS_ORIGIN is set) answers every OPTIONS itself
        cors = self.settings.cors
        if cors.active:
            answered = preflight(cors)
            if answered is not None:
                return answered
        req = _current_request()
        # Express matches routes against the path as sent and decodes the parameters
        full = H.raw_path(req)
        try:
            response = self._dispatch(req, full)
        except E.DirectusError as err:
            default_reason(self.mock, err)
            return self.error(err)
        if H.is_fresh(req.method, req.headers, response):
            return H.not_modified(response)
        return response

    def _dispatch(self, req: Request, path: str) -> Response:
        method = req.method
        headers = req.headers
        # 3. body parser
        try:
            body = parse_body(
                headers.get("Content-Type"),
                headers.get("Content-Encoding"),
                _read_body(req),
            )
        except BodyError as exc:
            raise E.invalid_payload(exc.reason) from None
        # 5. extract-token
        token = self._extract_token(req)
        ctx = Ctx(body=body, token=token, acc=Accountability())
        get = method in ("GET", "HEAD")
        # 6. GET / (ROOT_REDIRECT) and /robots.txt answer before limiter and authentication
        if get:
            if path == "/":
                return H.redirect_response("./admin")
            if _ROBOTS.fullmatch(path):
                return H.text_response(E.ROBOTS_TXT, 200, "text/plain; charset=utf-8")
        # 7. rate limiter
        if self.settings.rate_limiter_enabled:
            self._rate_limit()
        # 8. ping
        if get and _PING.fullmatch(path):
            return H.text_response(E.PONG, 200, "text/html; charset=utf-8")
        # 9. authenticate
        if H.js_truthy(token):
            try:
                ctx.acc = self.svc.accountability_for(token if isinstance(token, str) else H.js_string(token))
            except E.DirectusError as err:
                if err.code in (E.INVALID_CREDENTIALS, E.INVALID_TOKEN) and (
                    _cookie(req, self.settings.session_cookie_name) == token
                ):
                    err.set_cookies.append(self.cookie("session", ""))
                raise
        # 10. routers
        return self._route(method, path, ctx)

    def _extract_token(self, req: Request) -> Any:
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
            cookie = _cookie(req, self.settings.session_cookie_name)
            if cookie:
                token = cookie
        return token

    def _rate_limit(self) -> None:
        s = self.settings
        # req.ip with Directus's IP_TRUST_PROXY=true: the first X-Forwarded-For entry
        forwarded = request.headers.get("X-Forwarded-For", "").split(",")[0].strip()
        key = forwarded or request.remote_addr or "unknown"
        now_ms = int(self.svc.now * 1000)
        window = self.svc.rate.get(key)
        if window is None or now_ms >= window["ends"]:
            window = {"ends": now_ms + int(s.rate_limiter_duration * 1000), "consumed": 0}
        window = {**window, "consumed": window["consumed"] + 1}
        self.svc.rate.put(key, window)
        if window["consumed"] <= s.rate_limiter_points:
            return
        before_next = max(window["ends"] - now_ms, 0)
        from datetime import datetime, timezone

        from authmock.clock import isoformat

        reset = isoformat(datetime.fromtimestamp((now_ms + before_next) / 1000.0, tz=timezone.utc))
        self.mock.reason(f"rate limited: {s.rate_limiter_points} requests per {s.rate_limiter_duration}s")
        err = E.rate_limited(s.rate_limiter_points, reset, _ms_short(before_next))
        err.headers["Retry-After"] = str(_js_round(before_next / 1000.0))
        raise err

    def _route(self, method: str, path: str, ctx: Ctx) -> Response:
        if _GRAPHQL.match(path):  # app.use("/graphql", ...): every method, every subpath
            return self.graphql.handle(ctx, path)
        if self._any_route.match(path) is None:  # no route's pattern: the loop would find none
            raise E.route_not_found(path)
        allowed: list[str] = []
        for route in self.routes:
            match = route.pattern.match(path)
            if match is None:
                continue
            params = {k: unquote(v, errors="replace") for k, v in match.groupdict().items()}
            if route.drivers is not None:
                # a provider router is mounted at the literal /login/<name> (case-insensitive)
                provider = self._providers_by_lower.get(match.group("provider").lower())
                if provider is None or provider.driver not in route.drivers:
                    continue
                params["provider"] = provider.name
            # Express's route._options(): the route's method, plus HEAD for a GET route
            for allow in (route.method, "HEAD") if route.method == "GET" else (route.method,):
                if allow not in allowed:
                    allowed.append(allow)
            if route.method == method or (method == "HEAD" and route.method == "GET"):
                return route.handler(ctx, **params)
        if method == "OPTIONS" and allowed:
            text = ",".join(allowed)
            response = H.text_response(text, 200, "text/html; charset=utf-8")
            response.headers["Allow"] = text
            return response
        raise E.route_not_found(path)

    # routes -------------------------------------------------------------------------------
    def _build(self) -> None:
        self.add("GET", "/auth", self.providers)
        if not self.settings.disable_default:
            self.add("POST", "/auth/login", self.login)
        self.add("POST", "/auth/refresh", self.refresh)
        self.add("POST", "/auth/logout", self.logout)
        self.add("POST", "/auth/password/request", self.password_request)
        self.add("POST", "/auth/password/reset", self.password_reset)
        oauth = ("oauth2", "openid")
        self.add("POST", "/auth/login/:provider", self.provider_login, ("ldap", "local"))
        self.add("GET", "/auth/login/:provider", self.sso_start, (*oauth, "saml"))
        self.add("POST", "/auth/login/:provider/callback", self.sso_callback_post, oauth)
        self.add("GET", "/auth/login/:provider/callback", self.sso_callback, oauth)
        self.add("POST", "/auth/login/:provider/acs", self.saml_acs, ("saml",))
        self.add("GET", "/users/me", self.users_me)
        self.add("GET", "/items/:collection", self.items)
        self.add("GET", "/items/:collection/:pk", self.item)
        self.add("GET", "/server/health", self.server_health)
        from authmock.flavours.directus import users_api

        users_api.install(self)  # registration, invites, Users API, TFA set-up, /settings

    def providers(self, ctx: Ctx) -> Response:
        session_only = "sessionOnly" in request.args
        data = []
        for p in self.svc.seed.providers:
            if session_only and p.driver in ("oauth2", "openid", "saml") and p.mode not in (None, "session"):
                continue
            entry: dict[str, Any] = {"name": p.name}
            if p.label is not None:
                entry["label"] = p.label
            entry["driver"] = p.driver
            if p.icon is not None:
                entry["icon"] = p.icon
            data.append(entry)
        return self.ok({"data": data, "disableDefault": self.settings.disable_default}, ctx)

    # login ------------------------------------------------------------------------------
    def _login_response(self, ctx: Ctx, mode: str, issued: Any, *, ldap_order: bool = False) -> Response:
        payload: dict[str, Any]
        if ldap_order:
            payload = {"access_token": issued.access_token, "expires": issued.expires_ms}
            if mode == "json":
                payload["refresh_token"] = issued.refresh_token
        else:
            payload = {"expires": issued.expires_ms}
            if mode == "json":
                payload["refresh_token"] = issued.refresh_token
                payload["access_token"] = issued.access_token
            elif mode == "cookie":
                payload["access_token"] = issued.access_token
        if mode == "cookie":
            ctx.cookies.append(self.cookie("refresh", issued.refresh_token))
        elif mode == "session":
            ctx.cookies.append(self.cookie("session", issued.access_token))
        return self.ok({"data": payload}, ctx)

    def login(self, ctx: Ctx) -> Response:
        docs_ldap = self.mock.profile == "docs" and self._ldap is not None
        reason = validate_login(ctx.body, extra_modes=("ldap",) if docs_ldap else ())
        if reason is not None:
            self.svc.stall()
            raise E.invalid_payload(reason)
        body = ctx.body
        if body.get("mode") == "ldap":  # the seed page's LDAP login (docs profile only)
            provider = self._ldap_provider()
            assert provider is not None
            user = self.svc.user_by_email(body["email"])
            issued = self.svc.login(provider.name, user, body["password"], body.get("otp"), False)
            return self._login_response(ctx, "json", issued, ldap_order=True)
        mode = body.get("mode") or "json"
        user = self.svc.user_by_email(body["email"])
        issued = self.svc.login("default", user, body["password"], body.get("otp"), mode == "session")
        return self._login_response(ctx, mode, issued)

    def _ldap_provider(self) -> Any:
        return self._ldap

    def provider_login(self, ctx: Ctx, provider: str) -> Response:
        p = self.svc.provider(provider)
        if p is None or p.driver not in ("ldap", "local"):
            raise E.route_not_found(H.raw_path())
        ldap = p.driver == "ldap"
        reason = validate_login(ctx.body, identifier=ldap)
        if reason is not None:
            if not ldap:
                self.svc.stall()
            raise E.invalid_payload(reason)
        body = ctx.body
        mode = body.get("mode") or "json"
        user = self.svc.user_by_email(body["identifier"] if ldap else body["email"])
        issued = self.svc.login(p.name, user, body["password"], body.get("otp"), mode == "session")
        return self._login_response(ctx, mode, issued, ldap_order=ldap)

    # refresh / logout ---------------------------------------------------------------------
    def _mode_and_token(self, ctx: Ctx) -> tuple[Any, Any]:
        mode = ctx.body_get("mode")
        if not H.js_truthy(mode):
            mode = "json" if H.js_truthy(ctx.body_get("refresh_token")) else "cookie"
        token: Any = None
        if mode == "json":
            token = ctx.body_get("refresh_token")
        elif mode == "cookie":
            token = request.cookies.get(self.settings.refresh_cookie_name)
        elif mode == "session":
            cookie = request.cookies.get(self.settings.session_cookie_name)
            if cookie and is_directus_jwt(cookie):
                token = self.svc.verify_access(cookie).get("session")
        if not H.js_truthy(token):
            raise E.invalid_payload(E.REASON_REFRESH_TOKEN_REQUIRED)
        return mode, token

    def refresh(self, ctx: Ctx) -> Response:
        mode, token = self._mode_and_token(ctx)
        issued = self.svc.refresh(token, mode == "session")
        return self._login_response(ctx, mode if mode in ("json", "cookie", "session") else "json", issued)

    def logout(self, ctx: Ctx) -> Response:
        _, token = self._mode_and_token(ctx)
        self.svc.logout(token)
        if request.cookies.get(self.settings.refresh_cookie_name):
            ctx.cookies.append(self.cookie("refresh", ""))
        if request.cookies.get(self.settings.session_cookie_name):
            ctx.cookies.append(self.cookie("session", ""))
        return self.no_content(ctx)

    # password reset -----------------------------------------------------------------------
    def password_request(self, ctx: Ctx) -> Response:
        email = ctx.body_get("email")
        if not isinstance(email, str):
            raise E.invalid_payload(E.REASON_EMAIL_FIELD_REQUIRED)
        reset_url = ctx.body_get("reset_url")
        self.svc.request_reset(email, reset_url if H.js_truthy(reset_url) else None, self.public_url())
        if self.mock.realistic_timing:
            self.mock.stall(0.5)
        return self.no_content(ctx)

    def password_reset(self, ctx: Ctx) -> Response:
        token = ctx.body_get("token")
        if not isinstance(token, str):
            raise E.invalid_payload(E.REASON_TOKEN_FIELD_REQUIRED)
        password = ctx.body_get("password")
        if not isinstance(password, str):
            raise E.invalid_payload(E.REASON_PASSWORD_FIELD_REQUIRED)
        self.svc.reset_password(token, password)
        return self.no_content(ctx)

    # SSO ----------------------------------------------------------------------------------
    def sso_start(self, ctx: Ctx, provider: str) -> Response:
        from authmock.flavours.directus import sso

        return sso.start(self, ctx, provider)

    def sso_callback(self, ctx: Ctx, provider: str) -> Response:
        from authmock.flavours.directus import sso

        return sso.callback(self, ctx, provider)

    def sso_callback_post(self, ctx: Ctx, provider: str) -> Response:
        from authmock.flavours.directus import sso

        return sso.callback_post(self, ctx, provider)

    def saml_acs(self, ctx: Ctx, provider: str) -> Response:
        from authmock.flavours.directus import sso

        return sso.saml_acs(self, ctx, provider)

    def server_health(self, ctx: Ctx) -> Response:
        from authmock.flavours.directus import server_info

        return server_info.health_route(self, ctx)

    # users / items ------------------------------------------------------------------------
    def users_me(self, ctx: Ctx) -> Response:
        if not ctx.acc.user:
            raise E.invalid_credentials()
        return self.ok({"data": self.svc.read_me(ctx.acc, _fields_param())}, ctx)

    def _collection(self, ctx: Ctx, collection: str) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        if collection.startswith("directus_"):
            raise E.forbidden()
        items = self.svc.seed.collections.get(collection)
        if ctx.acc.admin:
            perm = None
        else:
            role = self.svc.role(ctx.acc.role)
            perms = role.permissions if (ctx.acc.user and role is not None) else (
                {} if ctx.acc.user else self.svc.seed.public_permissions
            )
            perm = perms.get(collection)
        if items is None or (perm is None and not ctx.acc.admin):
            self.mock.reason(f"missing permission read {collection}")
            raise E.forbidden(E.msg_collection_forbidden(collection))
        if perm is None:
            return items, None
        return [item for item in items if matches(item, perm["filter"])], perm

    def _project(self, item: dict[str, Any], perm: dict[str, Any] | None, collection: str) -> dict[str, Any]:
        allowed = list(item) if perm is None or "*" in perm["fields"] else [f for f in item if f in perm["fields"]]
        requested = _fields_param() or ["*"]
        out: dict[str, Any] = {}
        bad: list[str] = []
        for name in requested:
            for key in (allowed if name == "*" else [name]):
                if key in allowed:
                    out[key] = item.get(key)
                elif key not in bad:
                    bad.append(key)
        if bad:
            raise E.forbidden(E.msg_fields_forbidden(bad, collection))
        return out

    def items(self, ctx: Ctx, collection: str) -> Response:
        rows, perm = self._collection(ctx, collection)
        limit = request.args.get("limit", "100")
        try:
            count = int(limit)
        except ValueError:
            count = 100
        if count >= 0:
            rows = rows[:count]
        return self.ok({"data": [self._project(r, perm, collection) for r in rows]}, ctx)

    def item(self, ctx: Ctx, collection: str, pk: str) -> Response:
        rows, perm = self._collection(ctx, collection)
        found = next((r for r in rows if str(r.get("id")) == pk), None)
        if found is None:
            raise E.forbidden()
        return self.ok({"data": self._project(found, perm, collection)}, ctx)


def _cookie(req: Request, name: str) -> str | None:
    """``req.cookies[name]``; without a Cookie header there is nothing to parse."""
    if not req.environ.get("HTTP_COOKIE"):
        return None
    value: str | None = req.cookies.get(name)
    return value


def _has_body(req: Request) -> bool:
    """type-is ``hasBody``: a Transfer-Encoding or a non-zero Content-Length."""
    if req.headers.get("Transfer-Encoding"):
        return True
    return bool(req.content_length)


def _read_body(req: Request) -> bytes:
    """The raw body (the core has already refused one over MAX_PAYLOAD_SIZE, chunked too)."""
    if not _has_body(req):
        return b""
    return req.get_data(cache=True)


def _fields_param() -> list[str] | None:
    values = request.args.getlist("fields") + request.args.getlist("fields[]")
    if not values:
        return None
    out: list[str] = []
    for value in values:
        out.extend(part.strip() for part in value.split(",") if part.strip())
    return out or None


def _js_round(value: float) -> int:
    import math

    return math.floor(value + 0.5)


def _ms_short(ms: int) -> str:
    """The ``ms`` library's short format (``850ms``, ``7s``, ``2m``)."""
    for unit, size in (("d", 86400000), ("h", 3600000), ("m", 60000), ("s", 1000)):
        if abs(ms) >= size:
            return f"{_js_round(ms / size)}{unit}"
    return f"{ms}ms"


def register(app: Flask, api: DirectusApi) -> None:
    methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "SEARCH", "QUERY", "PROPFIND"]

    def view(path: str = "") -> Response:
        return api.dispatch(path)

    app.add_url_rule("/", "directus_root", view, methods=methods, provide_automatic_options=False)
    app.add_url_rule(
        "/<path:path>", "directus_any", view, methods=methods, provide_automatic_options=False
    )
