"""The Directus REST routes: ``/auth/*``, ``/users/me``, ``/items/*`` and ``/server/health``.

Module-level views on an Express-style table, matched in declaration order by the dispatcher
in ``pipeline.py`` (first method match wins). Each view takes the app's ``Directus`` and the
request's ``Ctx`` plus the route's parameters. Route meta: ``drivers`` (a provider router,
mounted only for providers of those drivers) and ``unless`` (a setting that removes the route).
The Users API, registration and TFA routes are declared the same way in ``users_api.py``,
``settings_api.py``, ``registration.py`` and ``tfa.py``.
"""

from __future__ import annotations

from typing import Any

from flask import Response, request

from authmock.flavours.directus import errors as E
from authmock.flavours.directus import http as H
from authmock.flavours.directus import password_reset, users
from authmock.flavours.directus.items import collection_rows, fields_param, project
from authmock.flavours.directus.joi import validate_login
from authmock.flavours.directus.sessions import Issued, is_directus_jwt
from authmock.flavours.directus.state import Ctx, Directus
from authmock.routing import RouteTable

routes = RouteTable(style="express")

_OAUTH = ("oauth2", "openid")


@routes.route("GET", "/auth")
def providers(api: Directus, ctx: Ctx) -> Response:
    session_only = "sessionOnly" in request.args
    data = []
    for p in api.svc.seed.providers:
        if (session_only and p.driver in ("oauth2", "openid", "saml")
                and p.mode not in (None, "session")):
            continue
        entry: dict[str, Any] = {"name": p.name}
        if p.label is not None:
            entry["label"] = p.label
        entry["driver"] = p.driver
        if p.icon is not None:
            entry["icon"] = p.icon
        data.append(entry)
    return api.ok({"data": data, "disableDefault": api.settings.disable_default}, ctx)


# login --------------------------------------------------------------------------------------
def _login_response(
    api: Directus, ctx: Ctx, mode: str, issued: Issued, *, ldap_order: bool = False
) -> Response:
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
        ctx.cookies.append(api.cookie("refresh", issued.refresh_token))
    elif mode == "session":
        ctx.cookies.append(api.cookie("session", issued.access_token))
    return api.ok({"data": payload}, ctx)


@routes.route("POST", "/auth/login", unless="disable_default")
def login(api: Directus, ctx: Ctx) -> Response:
    svc = api.svc
    docs_ldap = api.mock.profile == "docs" and api.ldap is not None
    reason = validate_login(ctx.body, extra_modes=("ldap",) if docs_ldap else ())
    if reason is not None:
        svc.stall()
        raise E.invalid_payload(reason)
    body = ctx.body
    if body.get("mode") == "ldap":  # the seed page's LDAP login (docs profile only)
        assert api.ldap is not None
        user = svc.user_by_email(body["email"])
        issued = svc.login(api.ldap.name, user, body["password"], body.get("otp"), False)
        return _login_response(api, ctx, "json", issued, ldap_order=True)
    mode = body.get("mode") or "json"
    user = svc.user_by_email(body["email"])
    issued = svc.login("default", user, body["password"], body.get("otp"), mode == "session")
    return _login_response(api, ctx, mode, issued)


# refresh / logout -----------------------------------------------------------------------------
def _mode_and_token(api: Directus, ctx: Ctx) -> tuple[Any, Any]:
    mode = ctx.body_get("mode")
    if not H.js_truthy(mode):
        mode = "json" if H.js_truthy(ctx.body_get("refresh_token")) else "cookie"
    token: Any = None
    if mode == "json":
        token = ctx.body_get("refresh_token")
    elif mode == "cookie":
        token = request.cookies.get(api.settings.refresh_cookie_name)
    elif mode == "session":
        cookie = request.cookies.get(api.settings.session_cookie_name)
        if cookie and is_directus_jwt(cookie):
            token = api.svc.verify_access(cookie).get("session")
    if not H.js_truthy(token):
        raise E.invalid_payload(E.REASON_REFRESH_TOKEN_REQUIRED)
    return mode, token


@routes.route("POST", "/auth/refresh")
def refresh(api: Directus, ctx: Ctx) -> Response:
    mode, token = _mode_and_token(api, ctx)
    issued = api.svc.refresh(token, mode == "session")
    shown = mode if mode in ("json", "cookie", "session") else "json"
    return _login_response(api, ctx, shown, issued)


@routes.route("POST", "/auth/logout")
def logout(api: Directus, ctx: Ctx) -> Response:
    _, token = _mode_and_token(api, ctx)
    api.svc.logout(token)
    if request.cookies.get(api.settings.refresh_cookie_name):
        ctx.cookies.append(api.cookie("refresh", ""))
    if request.cookies.get(api.settings.session_cookie_name):
        ctx.cookies.append(api.cookie("session", ""))
    return api.no_content(ctx)


# password reset -------------------------------------------------------------------------------
@routes.route("POST", "/auth/password/request")
def password_request(api: Directus, ctx: Ctx) -> Response:
    email = ctx.body_get("email")
    if not isinstance(email, str):
        raise E.invalid_payload(E.REASON_EMAIL_FIELD_REQUIRED)
    reset_url = ctx.body_get("reset_url")
    url = reset_url if H.js_truthy(reset_url) else None
    password_reset.request_reset(api.svc, email, url, api.public_url())
    if api.mock.realistic_timing:
        api.mock.stall(0.5)
    return api.no_content(ctx)


@routes.route("POST", "/auth/password/reset")
def password_reset_route(api: Directus, ctx: Ctx) -> Response:
    token = ctx.body_get("token")
    if not isinstance(token, str):
        raise E.invalid_payload(E.REASON_TOKEN_FIELD_REQUIRED)
    password = ctx.body_get("password")
    if not isinstance(password, str):
        raise E.invalid_payload(E.REASON_PASSWORD_FIELD_REQUIRED)
    password_reset.reset_password(api.svc, token, password)
    return api.no_content(ctx)


# providers (one router per configured provider) -----------------------------------------------
@routes.route("POST", "/auth/login/:provider", drivers=("ldap", "local"))
def provider_login(api: Directus, ctx: Ctx, provider: str) -> Response:
    svc = api.svc
    p = svc.provider(provider)
    if p is None or p.driver not in ("ldap", "local"):
        raise E.route_not_found(H.raw_path())
    ldap = p.driver == "ldap"
    reason = validate_login(ctx.body, identifier=ldap)
    if reason is not None:
        if not ldap:
            svc.stall()
        raise E.invalid_payload(reason)
    body = ctx.body
    mode = body.get("mode") or "json"
    user = svc.user_by_email(body["identifier"] if ldap else body["email"])
    issued = svc.login(p.name, user, body["password"], body.get("otp"), mode == "session")
    return _login_response(api, ctx, mode, issued, ldap_order=ldap)


@routes.route("GET", "/auth/login/:provider", drivers=(*_OAUTH, "saml"))
def sso_start(api: Directus, ctx: Ctx, provider: str) -> Response:
    from authmock.flavours.directus import sso

    return sso.start(api, ctx, provider)


@routes.route("POST", "/auth/login/:provider/callback", drivers=_OAUTH)
def sso_callback_post(api: Directus, ctx: Ctx, provider: str) -> Response:
    from authmock.flavours.directus import sso

    return sso.callback_post(api, ctx, provider)


@routes.route("GET", "/auth/login/:provider/callback", drivers=_OAUTH)
def sso_callback(api: Directus, ctx: Ctx, provider: str) -> Response:
    from authmock.flavours.directus import sso

    return sso.callback(api, ctx, provider)


@routes.route("POST", "/auth/login/:provider/acs", drivers=("saml",))
def saml_acs(api: Directus, ctx: Ctx, provider: str) -> Response:
    from authmock.flavours.directus import sso

    return sso.saml_acs(api, ctx, provider)


# users / items / server ---------------------------------------------------------------------
@routes.route("GET", "/users/me")
def users_me(api: Directus, ctx: Ctx) -> Response:
    if not ctx.acc.user:
        raise E.invalid_credentials()
    return api.ok({"data": users.read_me(api.svc, ctx.acc, fields_param())}, ctx)


@routes.route("GET", "/items/:collection")
def items(api: Directus, ctx: Ctx, collection: str) -> Response:
    rows, perm = collection_rows(api, ctx.acc, collection)
    limit = request.args.get("limit", "100")
    try:
        count = int(limit)
    except ValueError:
        count = 100
    if count >= 0:
        rows = rows[:count]
    return api.ok({"data": [project(r, perm, collection) for r in rows]}, ctx)


@routes.route("GET", "/items/:collection/:pk")
def item(api: Directus, ctx: Ctx, collection: str, pk: str) -> Response:
    rows, perm = collection_rows(api, ctx.acc, collection)
    found = next((r for r in rows if str(r.get("id")) == pk), None)
    if found is None:
        raise E.forbidden()
    return api.ok({"data": project(found, perm, collection)}, ctx)


@routes.route("GET", "/server/health")
def server_health(api: Directus, ctx: Ctx) -> Response:
    from authmock.flavours.directus import server_info

    return server_info.health_route(api, ctx)
