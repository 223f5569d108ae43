"""Directus's token and session rules on the mock's store: login, refresh, logout, accountability.

Mirrors ``AuthenticationService`` and ``get-accountability-for-token`` of Directus 11.17.4
(the password reset is in ``password_reset.py``, reading users in ``users.py``). Every check
reads the mock clock; every secret comes from ``mock.rng``. Methods raise ``DirectusError``;
the router *returns* it, so counters and deleted sessions written before a refusal are kept,
as in Directus (which has no transaction there either).
"""

from __future__ import annotations

import base64
import binascii
import heapq
import json
import re
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from authmock.flavours.directus import errors as E
from authmock.flavours.directus.accounts import setting
from authmock.flavours.directus.config import Provider, Role, Seed
from authmock.flavours.directus.faults import session_reason
from authmock.otp import verify as verify_otp
from authmock.tokens import Refusal, constant_time_equals

if TYPE_CHECKING:
    from authmock.mock import Mock

#: 10000-01-01T00:00:00Z in epoch seconds
_YEAR_10000 = 253402300800
_LAST_ACCESS_FORMAT = "%Y-%m-%dT%H:%M:%S"
_JWS_SHAPE = re.compile(r"^[a-zA-Z0-9\-_]+?\.[a-zA-Z0-9\-_]+?\.([a-zA-Z0-9\-_]+)?$")


@dataclass
class Accountability:
    user: str | None = None
    role: str | None = None
    admin: bool = False
    app: bool = False


@dataclass
class Issued:
    access_token: str
    refresh_token: str
    expires_ms: int


def _b64_json(segment: str) -> Any:
    if len(segment) % 4 == 1:  # Node's Buffer.from(..., "base64") drops a dangling character
        segment = segment[:-1]
    padded = segment + "=" * (-len(segment) % 4)
    return json.loads(base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8", "replace"))


def is_directus_jwt(token: Any) -> bool:
    """``isDirectusJWT``: decodes as a JWS (jws's shape rule) and ``iss`` is ``directus``."""
    if not isinstance(token, str) or not _JWS_SHAPE.match(token):
        return False
    head, payload, _ = token.split(".")
    try:
        header = _b64_json(head)
        claims = _b64_json(payload)
    except (ValueError, binascii.Error, UnicodeError):
        return False
    return isinstance(header, dict) and isinstance(claims, dict) and claims.get("iss") == "directus"


def _int_ms(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


_EXPIRY_COMPACT_MIN = 4096


class DirectusService:
    """Per-app Directus state on ``mock.store``."""

    def __init__(self, mock: Mock, seed: Seed) -> None:
        self.mock = mock
        self.seed = seed
        self.settings = seed.settings
        store = mock.store
        # the seed's rows are fresh dicts no one mutates in place (rows are replaced): shared
        self.users = store.table("directus_users", seed.users)
        self.sessions = store.table("directus_sessions", {})
        # (expires, token) of every session row written, soonest first: dropping the expired
        # rows at login pops only those instead of scanning every live session
        self._expiry: list[tuple[float, str]] = []
        self._compact_at = _EXPIRY_COMPACT_MIN
        self.login_attempts = store.table("directus_login_attempts", {})
        self.rate = store.table("directus_rate_limiter", {})
        self.sso_codes = store.table("directus_sso_codes", {})

    # helpers ------------------------------------------------------------------------
    @property
    def now(self) -> float:
        return self.mock.clock.time()

    def stall(self) -> None:
        """LOGIN_STALL_TIME on every login outcome, only with realistic timing."""
        if self.mock.realistic_timing:
            self.mock.stall(self.settings.login_stall_ms / 1000.0)

    def role(self, role_id: str | None) -> Role | None:
        return self.seed.roles.get(role_id) if role_id else None

    def provider(self, name: str) -> Provider | None:
        return next((p for p in self.seed.providers if p.name == name), None)

    def user_by_email(self, email: str) -> dict[str, Any] | None:
        wanted = email.lower()
        found: dict[str, Any] | None = self.users.find(
            lambda u: isinstance(u.get("email"), str) and u["email"].lower() == wanted
        )
        return found

    def update_user(self, user_id: str, **changes: Any) -> dict[str, Any]:
        row = {**self.users[user_id], **changes}
        self.users.put(user_id, row)
        return row

    def app_setting(self, name: str) -> Any:
        """A directus_settings value as it is now (fixture, then PATCH /settings)."""
        return setting(self, name)

    def access(self, role_id: str | None) -> tuple[bool, bool]:
        """(app_access, admin_access) of a role, re-read on every request as v11 does."""
        role = self.role(role_id)
        if role is None:
            return False, False
        return role.app_access or role.admin_access, role.admin_access

    # tokens -------------------------------------------------------------------------
    def sign_access(self, user: dict[str, Any], ttl_ms: float, session: str | None = None) -> str:
        app, admin = self.access(user.get("role"))
        iat = int(self.now)
        claims: dict[str, Any] = {
            "id": user["id"],
            "role": user.get("role"),
            "app_access": app,
            "admin_access": admin,
        }
        if session is not None:
            claims["session"] = session
        claims["iat"] = iat
        claims["exp"] = int(iat + ttl_ms / 1000.0)
        claims["iss"] = "directus"
        return self.mock.tokens.encode(claims)

    def verify_jwt(self, token: str) -> dict[str, Any]:
        """``verifyJWT``: bad signature/alg/issuer → INVALID_TOKEN, expired → TOKEN_EXPIRED."""
        result = self.mock.tokens.verify(token)
        if result.refusal is not None:
            self.mock.reason(result.reason())
        if result.refusal is Refusal.EXPIRED:
            raise E.token_expired()
        if result.refusal is not None or result.claims.get("iss") != "directus":
            raise E.invalid_token()
        return result.claims

    def verify_access(self, token: str) -> dict[str, Any]:
        claims = self.verify_jwt(token)
        if any(key not in claims for key in ("role", "app_access", "admin_access")):
            raise E.invalid_token()
        return claims

    def accountability_for(self, token: str) -> Accountability:
        """``getAccountabilityForToken`` for a non-empty token."""
        if is_directus_jwt(token):
            claims = self.verify_access(token)
            if "session" in claims:
                row = (
                    self.sessions.get(claims["session"])
                    if isinstance(claims["session"], str)
                    else None
                )
                if (
                    row is None
                    or row["user"] != (claims.get("id") or None)
                    or row["expires"] < self.now
                ):
                    session_reason(
                        self.mock, row if row and row["expires"] < self.now else None, "session"
                    )
                    raise E.invalid_credentials()
            role = claims.get("role") if isinstance(claims.get("role"), str) else None
            app, admin = self.access(role)
            user = claims.get("id") if isinstance(claims.get("id"), str) else None
            return Accountability(user=user, role=role, admin=admin, app=app)
        match = None
        for row in self.users.values():
            if row.get("status") == "active" and constant_time_equals(row.get("token"), token):
                match = row
        if match is None:
            self.mock.reason("unknown static token")
            raise E.invalid_credentials()
        app, admin = self.access(match.get("role"))
        return Accountability(user=match["id"], role=match.get("role"), admin=admin, app=app)

    # login --------------------------------------------------------------------------
    def _put_session(self, token: str, row: dict[str, Any]) -> None:
        self.sessions.put(token, row)
        heapq.heappush(self._expiry, (row["expires"], token))

    def _new_session(self, user_id: str, ttl_ms: float) -> str:
        token = self.mock.rng.nanoid(64)
        self._put_session(
            token,
            {
                "token": token,
                "user": user_id,
                "expires": self.now + ttl_ms / 1000.0,
                "next_token": None,
            },
        )
        return token

    def login(self, provider: str, user: dict[str, Any] | None, password: Any, otp: Any,
              session_mode: bool, *, check_password: bool = True) -> Issued:
        """``AuthenticationService.login`` once the provider found (or not) the user."""
        if user is None or user.get("status") != "active" or user.get("provider") != provider:
            self.mock.reason(
                "unknown user"
                if user is None
                else f"user {user.get('status')}"
                if user.get("status") != "active"
                else "wrong provider"
            )
            self.stall()
            raise E.invalid_credentials()
        allowed = self.app_setting("auth_login_attempts")  # PATCH /settings may change it
        if allowed is not None:
            consumed = int(self.login_attempts.get(user["id"], 0)) + 1
            self.login_attempts.put(user["id"], consumed)
            if consumed > allowed:
                user = self.update_user(user["id"], status="suspended")
                self.login_attempts.put(user["id"], 0)
        stored = user.get("password")
        if check_password and (
            not isinstance(stored, str)
            or not isinstance(password, str)
            or not constant_time_equals(stored, password)
        ):
            self.mock.reason("wrong password")
            self.stall()
            raise E.invalid_credentials()
        secret = user.get("tfa_secret")
        if secret:
            if not isinstance(otp, str) or not otp:
                self.mock.reason("missing otp")
                self.stall()
                raise E.invalid_otp()
            if not verify_otp(secret, otp, self.now, window=0):
                self.mock.reason("wrong otp")
                self.stall()
                raise E.invalid_otp()
        refresh_token = self._new_session(user["id"], self.settings.refresh_ttl_ms)
        self._drop_expired_sessions()
        ttl = self.settings.session_ttl_ms if session_mode else self.settings.access_ttl_ms
        access = self.sign_access(user, ttl, refresh_token if session_mode else None)
        self.update_user(user["id"], last_access=self.last_access_now())
        if allowed is not None:
            self.login_attempts.put(user["id"], 0)
        self.stall()
        return Issued(access, refresh_token, int(ttl))

    def last_access_now(self) -> str:
        seconds = int(self.now)
        if 0 <= seconds < _YEAR_10000:  # what datetime.strftime runs, minus building a datetime
            return time.strftime(_LAST_ACCESS_FORMAT, time.gmtime(seconds))
        return datetime.fromtimestamp(seconds, tz=timezone.utc).strftime(_LAST_ACCESS_FORMAT)

    def _drop_expired_sessions(self) -> None:
        """Delete the expired session rows: O(1) amortised per login, whatever the count.

        Heap entries are checked against the row before deleting (a row rewritten with a later
        expiry, rolled back or reset away is skipped); the heap is rebuilt from the table when
        it has grown to four times the live rows, so stale entries cannot pile up.
        """
        now = self.now
        heap = self._expiry
        while heap and heap[0][0] < now:
            _, token = heapq.heappop(heap)
            row = self.sessions.get(token)
            if row is not None and row["expires"] < now:
                self.sessions.delete(token)
        if len(heap) > self._compact_at:
            self._expiry = [(row["expires"], token) for token, row in self.sessions.items()]
            heapq.heapify(self._expiry)
            self._compact_at = max(_EXPIRY_COMPACT_MIN, 4 * len(self._expiry))

    # refresh / logout ---------------------------------------------------------------
    def refresh(self, token: Any, session_mode: bool) -> Issued:
        if not isinstance(token, str) or not token:
            raise E.invalid_credentials()
        row = self.sessions.get(token)
        if row is None or row["expires"] < self.now:
            session_reason(self.mock, row, "refresh token")
            raise E.invalid_credentials()
        user = self.users.get(row["user"])
        if user is None:
            raise E.invalid_credentials()
        if user.get("status") != "active":
            self.mock.reason(f"user {user.get('status')}")
            self.sessions.delete(token)
            self.stall()
            raise (
                E.user_suspended() if user.get("status") == "suspended" else E.invalid_credentials()
            )
        if session_mode:
            next_token = row.get("next_token")
            if not next_token:
                next_token = self._new_session(user["id"], self.settings.session_ttl_ms)
                self._put_session(
                    token,
                    {
                        **row,
                        "next_token": next_token,
                        "expires": self.now + self.settings.grace_ms / 1000.0,
                    },
                )
            access = self.sign_access(user, self.settings.session_ttl_ms, next_token)
            self.update_user(user["id"], last_access=self.last_access_now())
            return Issued(access, next_token, int(self.settings.session_ttl_ms))
        new_token = self.mock.rng.nanoid(64)
        self.sessions.delete(token)
        self._put_session(
            new_token,
            {
                **row,
                "token": new_token,
                "expires": self.now + self.settings.refresh_ttl_ms / 1000.0,
            },
        )
        access = self.sign_access(user, self.settings.access_ttl_ms)
        self.update_user(user["id"], last_access=self.last_access_now())
        return Issued(access, new_token, int(self.settings.access_ttl_ms))

    def logout(self, token: Any) -> None:
        if isinstance(token, str) and token in self.sessions:
            self.sessions.delete(token)

    def end_sessions(self, user_id: str) -> None:
        for key, row in list(self.sessions.items()):
            if row["user"] == user_id:
                self.sessions.delete(key)
