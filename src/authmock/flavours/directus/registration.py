"""Public registration and invites, as Directus 11's ``UsersService`` runs them.

``POST /users/register`` (registration rate limiter, Joi schema, ``directus_settings``
switches, no user enumeration), ``GET /users/register/verify-email``, ``POST /users/invite``
and ``POST /users/invite/accept``. Tokens are Directus JWTs with a ``scope`` claim, judged on
the mock clock; mails go to the mailbox.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from flask import Response, request

from authmock.clock import isoformat
from authmock.flavours.directus import errors as E
from authmock.flavours.directus import http as H
from authmock.flavours.directus.accounts import (
    AccountSettings,
    filter_matches,
    is_uri,
    is_uuid4,
    setting,
)
from authmock.flavours.directus.joi import _string, is_valid_email
from authmock.flavours.directus.service import set_query, url_allowed

if TYPE_CHECKING:
    from authmock.flavours.directus.routes import Ctx
    from authmock.flavours.directus.users_api import UsersApi

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


class Flows:
    """Registration and invites of one app."""

    def __init__(self, users: UsersApi) -> None:
        self.users = users
        self.api = users.api
        self.svc = users.svc
        self.mock = users.mock
        self.acc_settings: AccountSettings = self.svc.settings.accounts

    # tokens -----------------------------------------------------------------------------
    def _sign(self, email: str, scope: str, ttl_ms: float) -> str:
        iat = int(self.svc.now)
        return self.mock.tokens.encode(
            {"email": email, "scope": scope, "iat": iat, "exp": int(iat + ttl_ms / 1000.0), "iss": "directus"}
        )

    def _verify(self, token: Any) -> dict[str, Any]:
        if not isinstance(token, str) or not token:
            raise E.invalid_token()  # jsonwebtoken: "jwt must be provided"
        return self.svc.verify_jwt(token)

    def _stall(self) -> None:
        if self.mock.realistic_timing:
            self.mock.stall(self.acc_settings.register_stall_ms / 1000.0)

    # registration -----------------------------------------------------------------------
    def _rate_limit(self) -> None:
        """RATE_LIMITER_REGISTRATION_* (on by default in Directus: 5 per 60 s per IP)."""
        from authmock.flavours.directus.routes import _js_round, _ms_short

        acc = self.acc_settings
        if not acc.registration_limiter:
            return
        forwarded = request.headers.get("X-Forwarded-For", "").split(",")[0].strip()
        key = forwarded or request.remote_addr or "unknown"
        table = self.mock.store.table("directus_rate_limiter_registration")
        now_ms = int(self.svc.now * 1000)
        window = table.get(key)
        if window is None or now_ms >= window["ends"]:
            window = {"ends": now_ms + int(acc.registration_duration * 1000), "consumed": 0}
        window = {**window, "consumed": window["consumed"] + 1}
        table.put(key, window)
        if window["consumed"] <= acc.registration_points:
            return
        before_next = max(window["ends"] - now_ms, 0)
        reset = isoformat(datetime.fromtimestamp((now_ms + before_next) / 1000.0, tz=timezone.utc))
        err = E.rate_limited(acc.registration_points, reset, _ms_short(before_next))
        err.headers["Retry-After"] = str(_js_round(before_next / 1000.0))
        raise err

    def register(self, ctx: Ctx) -> Response:
        try:
            self._rate_limit()
        except E.DirectusError as err:
            return self.api.error(err)  # the consumed point stays consumed
        reason = validate_register(ctx.body)
        if reason is not None:
            raise E.invalid_payload(reason)
        body: dict[str, Any] = ctx.body
        url = body.get("verification_url")
        if url and not url_allowed(url, self.acc_settings.register_allow_list):
            raise E.invalid_payload(E.REASON_REGISTER_URL.format(url=url))
        if not setting(self.svc, "public_registration"):
            raise E.forbidden()
        email: str = body["email"]
        verify = bool(setting(self.svc, "public_registration_verify_email"))
        email_filter = setting(self.svc, "public_registration_email_filter")
        if email_filter and not filter_matches(email_filter, {"email": email}):
            self._stall()
            raise E.forbidden()
        existing = self.svc.user_by_email(email)
        if existing is None:
            self.users.create_users(None, [{
                "email": email,
                "password": body["password"],
                "role": setting(self.svc, "public_registration_role"),
                "status": "unverified" if verify else "active",
                "first_name": body.get("first_name"),
                "last_name": body.get("last_name"),
            }])
        elif existing.get("status") != "unverified":
            self._stall()  # no user enumeration: the same 204 as a success
            return self.api.no_content(ctx)
        if verify:
            token = self._sign(email, "pending-registration", self.acc_settings.verification_ttl_ms)
            base = url or self.api.public_url().rstrip("/") + "/users/register/verify-email"
            link = set_query(str(base), "token", token)
            text = E.MAIL_VERIFY_TEXT.format(project=setting(self.svc, "project_name") or "Directus", link=link)
            self.mock.mailbox.send(email, E.MAIL_VERIFY_SUBJECT, text, token=token, links=[link])
        self._stall()
        return self.api.no_content(ctx)

    def verify_email(self, ctx: Ctx) -> Response:
        tokens = request.args.getlist("token")
        if len(tokens) > 1:  # Joi.string() refuses the array qs makes of a repeated key
            return H.redirect_response("/admin/login")
        claims = self._verify(tokens[0] if tokens else None)
        if claims.get("scope") != "pending-registration":
            raise E.forbidden()
        email = claims.get("email")
        user = self.svc.user_by_email(email) if isinstance(email, str) else None
        if user is None or user.get("status") != "unverified":
            raise E.invalid_payload(E.REASON_INVALID_VERIFICATION)
        self.users.update_user(None, user["id"], {"status": "active"}, internal=True)
        return H.redirect_response(f"/admin/users/{user['id']}")

    # invites ----------------------------------------------------------------------------
    def invite(self, ctx: Ctx) -> Response:
        reason = validate_invite(ctx.body)
        if reason is not None:
            raise E.invalid_payload(reason)
        body: dict[str, Any] = ctx.body
        role: str = body["role"]
        url = body.get("invite_url")
        pre: E.DirectusError | None = None
        if url and not url_allowed(url, self.acc_settings.invite_allow_list):
            pre = E.invalid_payload(E.REASON_INVITE_URL.format(url=url))
        emails = body["email"] if isinstance(body["email"], list) else [body["email"]]
        for email in emails:
            user = self.svc.user_by_email(email)
            if user is None:
                self.users.create_users(ctx.acc, [{"email": email, "role": role, "status": "invited"}], pre=pre)
            elif user.get("status") == "invited" and user.get("role") != role:
                self.users.update_user(ctx, user["id"], {"role": role}, pre=pre)
            if user is None or user.get("status") == "invited":
                address = user["email"] if user is not None else email
                token = self._sign(address, "invite", self.acc_settings.invite_ttl_ms)
                base = url or self.api.public_url().rstrip("/") + "/admin/accept-invite"
                link = set_query(str(base), "token", token)
                text = E.MAIL_INVITE_TEXT.format(
                    project=setting(self.svc, "project_name") or "Directus", link=link, email=address
                )
                self.mock.mailbox.send(address, E.MAIL_INVITE_SUBJECT, text, token=token, links=[link])
        return self.api.no_content(ctx)

    def accept_invite(self, ctx: Ctx) -> Response:
        reason = validate_accept(ctx.body)
        if reason is not None:
            raise E.invalid_payload(reason)
        claims = self._verify(ctx.body["token"])
        if claims.get("scope") != "invite":
            raise E.forbidden()
        email = claims.get("email")
        user = self.svc.user_by_email(email) if isinstance(email, str) else None
        if user is None or user.get("status") != "invited":
            raise E.invalid_payload(E.REASON_NOT_INVITED.format(email=H.js_string(email)))
        self.users.update_user(
            None, user["id"], {"password": ctx.body["password"], "status": "active"}, internal=True
        )
        return self.api.no_content(ctx)
