"""Public registration and invites, as Directus 11's ``UsersService`` runs them.

``POST /users/register`` (registration rate limiter, Joi schema, ``directus_settings``
switches, no user enumeration), ``GET /users/register/verify-email``, ``POST /users/invite``
and ``POST /users/invite/accept``. Tokens are Directus JWTs with a ``scope`` claim, judged on
the mock clock; mails go to the mailbox.
"""

from __future__ import annotations

from typing import Any

from flask import Response, request

from authmock.flavours.directus import errors as E
from authmock.flavours.directus import http as H
from authmock.flavours.directus import users_api
from authmock.flavours.directus.accounts import (
    filter_matches,
    is_uri,
    is_uuid4,
    setting,
)
from authmock.flavours.directus.http import set_query, url_allowed
from authmock.flavours.directus.joi import _string, is_valid_email
from authmock.flavours.directus.ratelimit import client_key, consume, rate_limit_error
from authmock.flavours.directus.state import Ctx, Directus
from authmock.routing import RouteTable

routes = RouteTable(style="express")
_MISSING: Any = object()


def _unknown(body: dict[str, Any], known: tuple[str, ...]) -> str | None:
    """Joi's object(): keys outside the schema, after the known ones validated."""
    for key in body:
        if key not in known:
            return E.JOI_NOT_ALLOWED.format(key=key)
    return None


def _uri(body: dict[str, Any], key: str) -> str | None:
    reason = _string(body, key)
    if reason is None and key in body and not is_uri(body[key]):
        return E.JOI_URI.format(key=key)
    return reason


def validate_register(body: Any) -> str | None:
    if not isinstance(body, dict):
        return E.JOI_OBJECT
    for reason in (
        _string(body, "email", required=True, email=True),
        _string(body, "password", required=True),
        _uri(body, "verification_url"),
        _string(body, "first_name"),
        _string(body, "last_name"),
        _unknown(body, ("email", "password", "verification_url", "first_name", "last_name")),
    ):
        if reason is not None:
            return reason
    return None


def _invite_email(body: dict[str, Any]) -> str | None:
    """``Joi.alternatives(Joi.string().email(), Joi.array().items(Joi.string().email()))``."""
    value = body.get("email", _MISSING)
    if value is _MISSING:
        return E.JOI_REQUIRED.format(key="email")
    if isinstance(value, list):
        for index, item in enumerate(value):
            label = f"email[{index}]"
            if not isinstance(item, str):
                return E.JOI_STRING.format(key=label)
            if item == "":
                return E.JOI_EMPTY.format(key=label)
            if not is_valid_email(item):
                return E.JOI_EMAIL.format(key=label)
        return None
    if not isinstance(value, str):
        return E.JOI_TYPES.format(key="email", types="string, array")
    if value == "":
        return E.JOI_EMPTY.format(key="email")
    if not is_valid_email(value):
        return E.JOI_EMAIL.format(key="email")
    return None


def validate_invite(body: Any) -> str | None:
    if not isinstance(body, dict):
        return E.JOI_OBJECT
    role = _string(body, "role", required=True)
    if role is None and not is_uuid4(body["role"].strip("{}")):
        role = E.JOI_GUID.format(key="role")
    for reason in (
        _invite_email(body), role, _uri(body, "invite_url"),
        _unknown(body, ("email", "role", "invite_url")),
    ):
        if reason is not None:
            return reason
    return None


def validate_accept(body: Any) -> str | None:
    if not isinstance(body, dict):
        return E.JOI_OBJECT
    for reason in (
        _string(body, "token", required=True),
        _string(body, "password", required=True),
        _unknown(body, ("token", "password")),
    ):
        if reason is not None:
            return reason
    return None


# tokens -----------------------------------------------------------------------------
def _sign(api: Directus, email: str, scope: str, ttl_ms: float) -> str:
    iat = int(api.svc.now)
    return api.mock.tokens.encode(
        {
            "email": email,
            "scope": scope,
            "iat": iat,
            "exp": int(iat + ttl_ms / 1000.0),
            "iss": "directus",
        }
    )


def _verify(api: Directus, token: Any) -> dict[str, Any]:
    if not isinstance(token, str) or not token:
        raise E.invalid_token()  # jsonwebtoken: "jwt must be provided"
    return api.svc.verify_jwt(token)


def _stall(api: Directus) -> None:
    if api.mock.realistic_timing:
        api.mock.stall(api.settings.accounts.register_stall_ms / 1000.0)


# registration -----------------------------------------------------------------------
def _rate_limit(api: Directus) -> None:
    """RATE_LIMITER_REGISTRATION_* (on by default in Directus: 5 per 60 s per IP)."""
    acc = api.settings.accounts
    if not acc.registration_limiter:
        return
    table = api.mock.store.table("directus_rate_limiter_registration")
    now_ms = int(api.svc.now * 1000)
    ends = consume(
        table, client_key(), now_ms, acc.registration_points, acc.registration_duration
    )
    if ends is not None:
        raise rate_limit_error(acc.registration_points, now_ms, ends)


@routes.route("POST", "/users/register")
def register(api: Directus, ctx: Ctx) -> Response:
    try:
        _rate_limit(api, )
    except E.DirectusError as err:
        return api.error(err)  # the consumed point stays consumed
    reason = validate_register(ctx.body)
    if reason is not None:
        raise E.invalid_payload(reason)
    body: dict[str, Any] = ctx.body
    url = body.get("verification_url")
    if url and not url_allowed(url, api.settings.accounts.register_allow_list):
        raise E.invalid_payload(E.REASON_REGISTER_URL.format(url=url))
    if not setting(api.svc, "public_registration"):
        raise E.forbidden()
    email: str = body["email"]
    verify = bool(setting(api.svc, "public_registration_verify_email"))
    email_filter = setting(api.svc, "public_registration_email_filter")
    if email_filter and not filter_matches(email_filter, {"email": email}):
        _stall(api, )
        raise E.forbidden()
    existing = api.svc.user_by_email(email)
    if existing is None:
        users_api.create_users(api, None, [{
            "email": email,
            "password": body["password"],
            "role": setting(api.svc, "public_registration_role"),
            "status": "unverified" if verify else "active",
            "first_name": body.get("first_name"),
            "last_name": body.get("last_name"),
        }])
    elif existing.get("status") != "unverified":
        _stall(api, )  # no user enumeration: the same 204 as a success
        return api.no_content(ctx)
    if verify:
        token = _sign(api, email, "pending-registration", api.settings.accounts.verification_ttl_ms)
        base = url or api.public_url().rstrip("/") + "/users/register/verify-email"
        link = set_query(str(base), "token", token)
        text = E.MAIL_VERIFY_TEXT.format(
            project=setting(api.svc, "project_name") or "Directus", link=link
        )
        api.mock.mailbox.send(email, E.MAIL_VERIFY_SUBJECT, text, token=token, links=[link])
    _stall(api, )
    return api.no_content(ctx)


@routes.route("GET", "/users/register/verify-email")
def verify_email(api: Directus, ctx: Ctx) -> Response:
    tokens = request.args.getlist("token")
    if len(tokens) > 1:  # Joi.string() refuses the array qs makes of a repeated key
        return H.redirect_response("/admin/login")
    claims = _verify(api, tokens[0] if tokens else None)
    if claims.get("scope") != "pending-registration":
        raise E.forbidden()
    email = claims.get("email")
    user = api.svc.user_by_email(email) if isinstance(email, str) else None
    if user is None or user.get("status") != "unverified":
        raise E.invalid_payload(E.REASON_INVALID_VERIFICATION)
    users_api.update_user(api, None, user["id"], {"status": "active"}, internal=True)
    return H.redirect_response(f"/admin/users/{user['id']}")


# invites ----------------------------------------------------------------------------
@routes.route("POST", "/users/invite")
def invite(api: Directus, ctx: Ctx) -> Response:
    reason = validate_invite(ctx.body)
    if reason is not None:
        raise E.invalid_payload(reason)
    body: dict[str, Any] = ctx.body
    role: str = body["role"]
    url = body.get("invite_url")
    pre: E.DirectusError | None = None
    if url and not url_allowed(url, api.settings.accounts.invite_allow_list):
        pre = E.invalid_payload(E.REASON_INVITE_URL.format(url=url))
    emails = body["email"] if isinstance(body["email"], list) else [body["email"]]
    for email in emails:
        user = api.svc.user_by_email(email)
        if user is None:
            users_api.create_users(
                api, ctx.acc, [{"email": email, "role": role, "status": "invited"}], pre=pre
            )
        elif user.get("status") == "invited" and user.get("role") != role:
            users_api.update_user(api, ctx, user["id"], {"role": role}, pre=pre)
        if user is None or user.get("status") == "invited":
            address = user["email"] if user is not None else email
            token = _sign(api, address, "invite", api.settings.accounts.invite_ttl_ms)
            base = url or api.public_url().rstrip("/") + "/admin/accept-invite"
            link = set_query(str(base), "token", token)
            text = E.MAIL_INVITE_TEXT.format(
                project=setting(api.svc, "project_name") or "Directus", link=link, email=address
            )
            api.mock.mailbox.send(address, E.MAIL_INVITE_SUBJECT, text, token=token, links=[link])
    return api.no_content(ctx)


@routes.route("POST", "/users/invite/accept")
def accept_invite(api: Directus, ctx: Ctx) -> Response:
    reason = validate_accept(ctx.body)
    if reason is not None:
        raise E.invalid_payload(reason)
    claims = _verify(api, ctx.body["token"])
    if claims.get("scope") != "invite":
        raise E.forbidden()
    email = claims.get("email")
    user = api.svc.user_by_email(email) if isinstance(email, str) else None
    if user is None or user.get("status") != "invited":
        raise E.invalid_payload(E.REASON_NOT_INVITED.format(email=H.js_string(email)))
    users_api.update_user(api,
        None, user["id"], {"password": ctx.body["password"], "status": "active"}, internal=True
    )
    return api.no_content(ctx)
