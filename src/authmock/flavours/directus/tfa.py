"""TFA set-up as Directus 11's users controller and ``TFAService`` run it.

Secrets are otplib's ``generateSecret()``: 10 random bytes in base32, 16 characters (80 bits),
which recent pyotp calls too short; ``authmock.otp`` generates and checks them as otplib does
(SHA1, 6 digits, 30 s, window 0) on the mock clock. ``generate`` stores nothing; ``enable``
stores the secret the client sends back with a valid code; after that, login needs the OTP.
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote

from flask import Response

from authmock.flavours.directus import errors as E
from authmock.flavours.directus import users_api
from authmock.flavours.directus.accounts import is_uuid, setting
from authmock.flavours.directus.http import js_string, js_truthy
from authmock.flavours.directus.state import Ctx, Directus
from authmock.otp import is_valid_secret
from authmock.otp import verify as verify_otp
from authmock.routing import RouteTable
from authmock.tokens import constant_time_equals

routes = RouteTable(style="express")


def key_uri(account: str, issuer: str, secret: str) -> str:
    """otplib's ``authenticator.keyuri`` (``encodeURIComponent`` on both names)."""
    user = quote(account, safe="!'()*-._~")
    service = quote(issuer, safe="!'()*-._~")
    return (
        f"otpauth://totp/{service}:{user}?secret={secret}&period=30&digits=6"
        f"&algorithm=SHA1&issuer={service}"
    )


def _check(api: Directus, secret: str, otp: Any) -> bool:
    """``authenticator.check(otp, secret)`` on the mock clock (False for a bad secret)."""
    if not isinstance(secret, str) or not is_valid_secret(secret):
        return False
    return verify_otp(secret, js_string(otp), api.svc.now, window=0)


def _user(api: Directus, ctx: Ctx) -> dict[str, Any]:
    if not ctx.acc.user:
        raise E.invalid_credentials()
    return api.svc.users.get(ctx.acc.user) or {}


@routes.route("POST", "/users/me/tfa/generate")
def generate(api: Directus, ctx: Ctx) -> Response:
    user = _user(api, ctx)
    password = ctx.body_get("password")
    if not js_truthy(password):
        raise E.invalid_payload(E.REASON_KEY_REQUIRED.format(key="password"))
    # AuthenticationService.verifyPassword: the provider's verify (a password compare)
    stored = user.get("password")
    if (
        not user
        or not isinstance(stored, str)
        or not isinstance(password, str)
        or not constant_time_equals(stored, password)
    ):
        raise E.invalid_credentials()
    if user.get("tfa_secret") is not None:
        raise E.invalid_payload(E.REASON_TFA_ALREADY_SET)
    if user.get("provider") == "default" and not user.get("email"):
        raise E.invalid_payload(E.REASON_TFA_NEEDS_EMAIL)
    secret = base64.b32encode(api.mock.rng.bytes(10)).decode("ascii")
    account = user.get("email") or user.get("external_identifier") or f"user_{user['id']}"
    issuer = setting(api.svc, "project_name") or "Directus"
    url = key_uri(str(account), str(issuer), secret)
    return api.ok({"data": {"secret": secret, "otpauth_url": url}}, ctx)


@routes.route("POST", "/users/me/tfa/enable")
def enable(api: Directus, ctx: Ctx) -> Response:
    user = _user(api, ctx)
    secret = ctx.body_get("secret")
    otp = ctx.body_get("otp")
    if not js_truthy(secret):
        raise E.invalid_payload(E.REASON_KEY_REQUIRED.format(key="secret"))
    if not js_truthy(otp):
        raise E.invalid_payload(E.REASON_KEY_REQUIRED.format(key="otp"))
    if not user or user.get("tfa_secret") is not None:  # `undefined !== null` too
        raise E.invalid_payload(E.REASON_TFA_ALREADY_SET)
    if not _check(api, secret, otp):
        raise E.invalid_payload(E.REASON_OTP_INVALID)
    _store(api, ctx, user["id"], secret)
    return api.no_content(ctx)


@routes.route("POST", "/users/me/tfa/disable")
def disable(api: Directus, ctx: Ctx) -> Response:
    user = _user(api, ctx)
    otp = ctx.body_get("otp")
    if not js_truthy(otp):
        raise E.invalid_payload(E.REASON_KEY_REQUIRED.format(key="otp"))
    secret = user.get("tfa_secret")
    if not secret:
        raise E.invalid_payload(E.REASON_TFA_NOT_ENABLED.format(user=ctx.acc.user))
    if not _check(api, secret, otp):
        raise E.invalid_payload(E.REASON_OTP_INVALID)
    _store(api, ctx, user["id"], None)
    return api.no_content(ctx)


@routes.route("POST", "/users/:pk/tfa/disable")
def admin_disable(api: Directus, ctx: Ctx, pk: str) -> Response:
    if not ctx.acc.user:
        raise E.invalid_credentials()
    if not ctx.acc.admin:
        raise E.forbidden()
    if not is_uuid(pk):  # validateKeys
        raise E.forbidden()
    if pk in api.svc.users:
        api.svc.update_user(pk, tfa_secret=None)
    return api.no_content(ctx)


def _store(api: Directus, ctx: Ctx, key: str, secret: str | None) -> None:
    """``itemsService.updateOne(key, {tfa_secret})`` under the caller's permissions."""
    users_api.check_update(api, ctx.acc, key, ["tfa_secret"])
    api.svc.update_user(key, tfa_secret=secret)
