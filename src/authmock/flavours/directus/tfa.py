"""TFA set-up as Directus 11's users controller and ``TFAService`` run it.

Secrets are otplib's ``generateSecret()``: 10 random bytes in base32, 16 characters (80 bits),
which recent pyotp calls too short; ``authmock.otp`` generates and checks them as otplib does
(SHA1, 6 digits, 30 s, window 0) on the mock clock. ``generate`` stores nothing; ``enable``
stores the secret the client sends back with a valid code; after that, login needs the OTP.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from flask import Response

from authmock.flavours.directus import errors as E
from authmock.flavours.directus.accounts import is_uuid, setting
from authmock.flavours.directus.http import js_string, js_truthy
from authmock.otp import is_valid_secret
from authmock.otp import verify as verify_otp
from authmock.tokens import constant_time_equals

if TYPE_CHECKING:
    from authmock.flavours.directus.routes import Ctx
    from authmock.flavours.directus.users_api import UsersApi


def key_uri(account: str, issuer: str, secret: str) -> str:
    """otplib's ``authenticator.keyuri`` (``encodeURIComponent`` on both names)."""
    user = quote(account, safe="!'()*-._~")
    service = quote(issuer, safe="!'()*-._~")
    return (
        f"otpauth://totp/{service}:{user}?secret={secret}&period=30&digits=6"
        f"&algorithm=SHA1&issuer={service}"
    )


class TfaApi:
    """``/users/me/tfa/*`` and the admin's ``/users/<id>/tfa/disable``."""

    def __init__(self, users: UsersApi) -> None:
        self.users = users
        self.api = users.api
        self.svc = users.svc
        self.mock = users.mock

    def _check(self, secret: str, otp: Any) -> bool:
        """``authenticator.check(otp, secret)`` on the mock clock (False for a bad secret)."""
        if not isinstance(secret, str) or not is_valid_secret(secret):
            return False
        return verify_otp(secret, js_string(otp), self.svc.now, window=0)

    def _user(self, ctx: Ctx) -> dict[str, Any]:
        if not ctx.acc.user:
            raise E.invalid_credentials()
        return self.svc.users.get(ctx.acc.user) or {}

    def generate(self, ctx: Ctx) -> Response:
        user = self._user(ctx)
        password = ctx.body_get("password")
        if not js_truthy(password):
            raise E.invalid_payload(E.REASON_KEY_REQUIRED.format(key="password"))
        # AuthenticationService.verifyPassword: the provider's verify (a password compare)
        stored = user.get("password")
        if not user or not isinstance(stored, str) or not isinstance(password, str) or not constant_time_equals(
            stored, password
        ):
            raise E.invalid_credentials()
        if user.get("tfa_secret") is not None:
            raise E.invalid_payload(E.REASON_TFA_ALREADY_SET)
        if user.get("provider") == "default" and not user.get("email"):
            raise E.invalid_payload(E.REASON_TFA_NEEDS_EMAIL)
        secret = base64.b32encode(self.mock.rng.bytes(10)).decode("ascii")
        account = user.get("email") or user.get("external_identifier") or f"user_{user['id']}"
        issuer = setting(self.svc, "project_name") or "Directus"
        url = key_uri(str(account), str(issuer), secret)
        return self.api.ok({"data": {"secret": secret, "otpauth_url": url}}, ctx)

    def enable(self, ctx: Ctx) -> Response:
        user = self._user(ctx)
        secret = ctx.body_get("secret")
        otp = ctx.body_get("otp")
        if not js_truthy(secret):
            raise E.invalid_payload(E.REASON_KEY_REQUIRED.format(key="secret"))
        if not js_truthy(otp):
            raise E.invalid_payload(E.REASON_KEY_REQUIRED.format(key="otp"))
        if not user or user.get("tfa_secret") is not None:  # `undefined !== null` too
            raise E.invalid_payload(E.REASON_TFA_ALREADY_SET)
        if not self._check(secret, otp):
            raise E.invalid_payload(E.REASON_OTP_INVALID)
        self._store(ctx, user["id"], secret)
        return self.api.no_content(ctx)

    def disable(self, ctx: Ctx) -> Response:
        user = self._user(ctx)
        otp = ctx.body_get("otp")
        if not js_truthy(otp):
            raise E.invalid_payload(E.REASON_KEY_REQUIRED.format(key="otp"))
        secret = user.get("tfa_secret")
        if not secret:
            raise E.invalid_payload(E.REASON_TFA_NOT_ENABLED.format(user=ctx.acc.user))
        if not self._check(secret, otp):
            raise E.invalid_payload(E.REASON_OTP_INVALID)
        self._store(ctx, user["id"], None)
        return self.api.no_content(ctx)

    def admin_disable(self, ctx: Ctx, pk: str) -> Response:
        if not ctx.acc.user:
            raise E.invalid_credentials()
        if not ctx.acc.admin:
            raise E.forbidden()
        if not is_uuid(pk):  # validateKeys
            raise E.forbidden()
        if pk in self.svc.users:
            self.svc.update_user(pk, tfa_secret=None)
        return self.api.no_content(ctx)

    def _store(self, ctx: Ctx, key: str, secret: str | None) -> None:
        """``itemsService.updateOne(key, {tfa_secret})`` under the caller's permissions."""
        self.users.check_update(ctx.acc, key, ["tfa_secret"])
        self.svc.update_user(key, tfa_secret=secret)
