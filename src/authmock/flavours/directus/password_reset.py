"""Directus's password reset: ``POST /auth/password/request`` and ``/auth/password/reset``.

The reset token is a single-use JWT: its ``hash`` claim is ``getSimpleHash`` of the user's
password hash, so it stops working once the password changed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from authmock.flavours.directus import errors as E
from authmock.flavours.directus.accounts import check_password_policy
from authmock.flavours.directus.config import fake_password_hash, stored_password_hash
from authmock.flavours.directus.http import js_string, js_truthy, set_query, url_allowed

if TYPE_CHECKING:
    from authmock.flavours.directus.sessions import DirectusService


def get_simple_hash(text: str) -> str:
    """Port of Directus's ``getSimpleHash`` (a 32-bit Java-style hash over UTF-16 units)."""
    h = 0
    raw = text.encode("utf-16-le", "surrogatepass")
    for i in range(0, len(raw), 2):
        unit = int.from_bytes(raw[i : i + 2], "little")
        h = (31 * h + unit) & 0xFFFFFFFF
    if h & 0x80000000:
        h -= 0x100000000
    return format(abs(h), "x")


def reset_hash(user: dict[str, Any]) -> str:
    hashed = stored_password_hash(user)
    return get_simple_hash(str(hashed) if hashed else "null")


def request_reset(svc: DirectusService, email: str, url: Any, public_url: str) -> None:
    """``UsersService.requestPasswordReset``: mail a link unless the user cannot reset."""
    if js_truthy(url) and not url_allowed(url, svc.settings.reset_allow_list):
        raise E.invalid_payload(E.reason_reset_url(js_string(url)))
    user = svc.user_by_email(email)
    if user is None or user.get("status") != "active" or user.get("provider") != "default":
        return
    token = svc.mock.tokens.encode(
        {
            "email": user["email"],
            "scope": "password-reset",
            "hash": reset_hash(user),
            "iat": int(svc.now),
            "exp": int(svc.now) + 86400,
            "iss": "directus",
        }
    )
    if js_truthy(url):
        link = set_query(str(url), "token", token)
    else:
        link = set_query(public_url.rstrip("/") + "/admin/reset-password", "token", token)
    text = E.MAIL_RESET_TEXT.format(link=link)
    svc.mock.mailbox.send(user["email"], E.MAIL_RESET_SUBJECT, text, token=token, links=[link])


def reset_password(svc: DirectusService, token: str, password: str) -> None:
    """``UsersService.resetPassword``: a single-use JWT (its ``hash`` pins the password)."""
    claims = svc.verify_jwt(token)
    email, scope, hash_ = claims.get("email"), claims.get("scope"), claims.get("hash")
    if scope != "password-reset" or not hash_:
        raise E.forbidden()
    user = svc.user_by_email(email) if isinstance(email, str) else None
    if user is None or user.get("status") != "active" or hash_ != reset_hash(user):
        raise E.forbidden()
    check_password_policy(svc, [password])
    svc.update_user(
        user["id"],
        password=password,
        status="active",
        password_hash=fake_password_hash(f"{user['id']}:{svc.mock.rng.hex(16)}"),
    )
    svc.end_sessions(user["id"])
