"""Directus's authentication services on the mock's store: tokens, sessions, accountability.

Mirrors ``AuthenticationService``, ``get-accountability-for-token`` and ``UsersService`` of
Directus 11.17.4. Every check reads the mock clock; every secret comes from ``mock.rng``.
Methods raise ``DirectusError``; the router *returns* it, so counters and deleted sessions
written before a refusal are kept, as in Directus (which has no transaction there either).
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
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from authmock.flavours.directus import errors as E
from authmock.flavours.directus.accounts import check_password_policy, setting
from authmock.flavours.directus.config import (
    CONCEALED,
    USER_COLUMNS,
    Provider,
    Role,
    Seed,
    fake_password_hash,
)
from authmock.flavours.directus.faults import session_reason
from authmock.flavours.directus.http import js_string, js_truthy, whatwg_normalize
from authmock.otp import verify as verify_otp
from authmock.tokens import Refusal, constant_time_equals

if TYPE_CHECKING:
    from authmock.mock import Mock

#: 10000-01-01T00:00:00Z in epoch seconds
_YEAR_10000 = 253402300800
_LAST_ACCESS_FORMAT = "%Y-%m-%dT%H:%M:%S"
_JWS_SHAPE = re.compile(r"^[a-zA-Z0-9\-_]+?\.[a-zA-Z0-9\-_]+?\.([a-zA-Z0-9\-_]+)?$")

#: the built-in "own user" read permission of app-access roles (@directus/system-data)
APP_ACCESS_USER_FIELDS = (
    "id", "first_name", "last_name", "last_page", "email", "password", "location", "title",
    "description", "tags", "provider", "avatar", "language", "appearance", "theme_light",
    "theme_dark", "tfa_secret", "status", "role",
)


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
        self.users = store.table("directus_users", {k: dict(v) for k, v in seed.users.items()})
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
                row = self.sessions.get(claims["session"]) if isinstance(claims["session"], str) else None
                if (
                    row is None
                    or row["user"] != (claims.get("id") or None)
                    or row["expires"] < self.now
                ):
                    session_reason(self.mock, row if row and row["expires"] < self.now else None, "session")
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
            token, {"token": token, "user": user_id, "expires": self.now + ttl_ms / 1000.0, "next_token": None}
        )
        return token

    def login(self, provider: str, user: dict[str, Any] | None, password: Any, otp: Any,
              session_mode: bool, *, check_password: bool = True) -> Issued:
        """``AuthenticationService.login`` once the provider found (or not) the user."""
        if user is None or user.get("status") != "active" or user.get("provider") != provider:
            self.mock.reason("unknown user" if user is None else f"user {user.get('status')}" if user.get("status") != "active" else "wrong provider")
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
            raise E.user_suspended() if user.get("status") == "suspended" else E.invalid_credentials()
        if session_mode:
            next_token = row.get("next_token")
            if not next_token:
                next_token = self._new_session(user["id"], self.settings.session_ttl_ms)
                self._put_session(
                    token,
                    {**row, "next_token": next_token, "expires": self.now + self.settings.grace_ms / 1000.0},
                )
            access = self.sign_access(user, self.settings.session_ttl_ms, next_token)
            self.update_user(user["id"], last_access=self.last_access_now())
            return Issued(access, next_token, int(self.settings.session_ttl_ms))
        new_token = self.mock.rng.nanoid(64)
        self.sessions.delete(token)
        self._put_session(
            new_token,
            {**row, "token": new_token, "expires": self.now + self.settings.refresh_ttl_ms / 1000.0},
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

    # password reset -----------------------------------------------------------------
    def reset_hash(self, user: dict[str, Any]) -> str:
        return get_simple_hash(str(user.get("password_hash")) if user.get("password_hash") else "null")

    def request_reset(self, email: str, url: Any, public_url: str) -> None:
        if js_truthy(url) and not url_allowed(url, self.settings.reset_allow_list):
            raise E.invalid_payload(E.reason_reset_url(js_string(url)))
        user = self.user_by_email(email)
        if user is None or user.get("status") != "active" or user.get("provider") != "default":
            return
        token = self.mock.tokens.encode(
            {
                "email": user["email"],
                "scope": "password-reset",
                "hash": self.reset_hash(user),
                "iat": int(self.now),
                "exp": int(self.now) + 86400,
                "iss": "directus",
            }
        )
        if js_truthy(url):
            link = set_query(str(url), "token", token)
        else:
            link = set_query(public_url.rstrip("/") + "/admin/reset-password", "token", token)
        text = E.MAIL_RESET_TEXT.format(link=link)
        self.mock.mailbox.send(user["email"], E.MAIL_RESET_SUBJECT, text, token=token, links=[link])

    def reset_password(self, token: str, password: str) -> None:
        """``UsersService.resetPassword``: a single-use JWT (its ``hash`` pins the password)."""
        claims = self.verify_jwt(token)
        email, scope, hash_ = claims.get("email"), claims.get("scope"), claims.get("hash")
        if scope != "password-reset" or not hash_:
            raise E.forbidden()
        user = self.user_by_email(email) if isinstance(email, str) else None
        if user is None or user.get("status") != "active" or hash_ != self.reset_hash(user):
            raise E.forbidden()
        check_password_policy(self, [password])
        self.update_user(
            user["id"],
            password=password,
            status="active",
            password_hash=fake_password_hash(f"{user['id']}:{self.mock.rng.hex(16)}"),
        )
        self.end_sessions(user["id"])

    # reading users ------------------------------------------------------------------
    def readable_user_fields(self, acc: Accountability) -> tuple[str, ...] | None:
        if acc.admin:
            return USER_COLUMNS
        # fetchAllowedFields: the role's permissions, then the app-access minimal ones, in
        # their lists' order (uniq); a "*" anywhere means every column in table order
        fields: list[str] = []
        role = self.role(acc.role)
        if role is not None and "directus_users" in role.permissions:
            fields.extend(role.permissions["directus_users"]["fields"])
        if acc.app:
            fields.extend(APP_ACCESS_USER_FIELDS)
        if not fields:
            return None
        if "*" in fields:
            return USER_COLUMNS
        return tuple(dict.fromkeys(c for c in fields if c in USER_COLUMNS))

    def read_me(self, acc: Accountability, requested: list[str] | None) -> dict[str, Any]:
        """``UsersService.readOne`` as get-ast-from-query builds it: plain fields first (in the
        requested order, ``*`` expanded in place), then relational ones (``role.…``, the
        ``policies`` o2m) in order of first mention; a ForbiddenError becomes ``{"id"}``."""
        assert acc.user is not None
        user = self.users.get(acc.user)
        allowed = self.readable_user_fields(acc)
        if user is None or allowed is None:
            return {"id": acc.user}
        try:
            out = self.read_user(acc, user, allowed, requested)
        except (_Forbidden, _Unsupported):
            return {"id": acc.user}
        return out if out else {"id": acc.user}

    def read_user(self, acc: Accountability, user: dict[str, Any], allowed: tuple[str, ...],
                  requested: list[str] | None) -> dict[str, Any]:
        """One directus_users row through ``fields``; raises _Forbidden / _Unsupported."""
        plain, nested = _split_fields(requested or ["*"], allowed, USER_RELATIONS)
        out: dict[str, Any] = {}
        for column in plain:
            value = user.get(column)
            if column in CONCEALED and value is not None:
                value = "**********"
            out[column] = value
        for column, sub in nested.items():
            if column == "policies":
                if sub:
                    raise _Unsupported
                out[column] = user.get(column)
                continue
            found, value = self._read_role(acc, user.get("role"), sub)
            if found:
                out[column] = value
        return out

    # the role relation (directus_roles) -----------------------------------------------
    def _role_permission(self, acc: Accountability) -> tuple[tuple[str, ...], Any] | None:
        """Readable directus_roles fields and a row test; None without read permission."""
        if acc.admin:
            return ROLE_COLUMNS, lambda row: True
        tests: list[Any] = []
        fields: set[str] = set()
        if acc.app:  # app-access minimal permissions: fields *, id _in $CURRENT_ROLES
            current = self._current_roles(acc.role)
            fields.update(ROLE_COLUMNS)
            tests.append(lambda row: row["id"] in current)
        role = self.role(acc.role)
        if role is not None and "directus_roles" in role.permissions:
            perm = role.permissions["directus_roles"]
            fields.update(ROLE_COLUMNS if "*" in perm["fields"] else perm["fields"])
            tests.append(lambda row, f=perm["filter"]: matches(row, f))
        if not tests:
            return None
        return tuple(c for c in ROLE_COLUMNS if c in fields), lambda row: any(t(row) for t in tests)

    def _current_roles(self, role_id: str | None) -> list[str]:
        """``$CURRENT_ROLES``: the role and its parents."""
        out: list[str] = []
        role = self.role(role_id)
        while role is not None and role.id not in out:
            out.append(role.id)
            role = self.role(role.parent)
        return out

    def _user_visible(self, acc: Accountability, row: dict[str, Any]) -> bool | None:
        """Whether a directus_users row is readable; None without any read permission."""
        if acc.admin:
            return True
        verdicts: list[bool] = []
        if acc.app:
            verdicts.append(row.get("id") == acc.user)
        role = self.role(acc.role)
        if role is not None and "directus_users" in role.permissions:
            verdicts.append(matches(row, role.permissions["directus_users"]["filter"]))
        return any(verdicts) if verdicts else None

    def _role_row(self, role: Role) -> dict[str, Any]:
        return {
            "id": role.id, "name": role.name, "icon": role.icon,
            "description": role.description, "parent": role.parent,
        }

    def _read_role(self, acc: Accountability, role_id: Any, sub: list[str]) -> tuple[bool, Any]:
        """The ``role`` m2o node: (False, None) when Directus drops it (no read permission on
        directus_roles), else its value: None, the nested object, or the id without fields."""
        perm = self._role_permission(acc)
        if perm is None:
            return False, None
        readable, visible = perm
        plain, nested = _split_fields(sub, readable, ROLE_RELATIONS)
        role = self.role(role_id) if isinstance(role_id, str) else None
        if role is None:
            return True, None
        row = self._role_row(role)
        if not visible(row):
            return True, None
        out: dict[str, Any] = {column: row[column] for column in plain}
        for column, deeper in nested.items():
            if column == "parent":  # m2o back into directus_roles
                found, value = self._read_role(acc, role.parent, deeper)
                if found:
                    out[column] = value
                continue
            if column == "children":
                kids = sorted(r.id for r in self.seed.roles.values() if r.parent == role.id)
                kids = [k for k in kids if visible(self._role_row(self.seed.roles[k]))]
                out[column] = [self._read_role(acc, k, deeper)[1] for k in kids] if deeper else kids
                continue
            if deeper:
                raise _Unsupported
            if column == "users":
                members = sorted(
                    (u for u in self.users.values() if u.get("role") == role.id),
                    key=lambda u: str(u.get("id")),
                )
                if self._user_visible(acc, {"id": acc.user}) is None:
                    continue  # no read permission on directus_users: the node is dropped
                out[column] = [u["id"] for u in members if self._user_visible(acc, u)]
            if column == "policies":
                own = self.role(acc.role)
                if not acc.admin and (own is None or "directus_access" not in own.permissions):
                    continue  # no read permission on directus_access: the node is dropped
                out[column] = list(role.policies)
        if not out:
            return True, role.id  # removeTemporaryFields: no fields left → the primary key
        return True, out


#: relational fields Directus treats as nested nodes, per collection
USER_RELATIONS = ("role", "policies")
ROLE_COLUMNS = ("id", "name", "icon", "description", "parent", "children", "policies", "users")
ROLE_RELATIONS = ("parent", "children", "policies", "users")
#: o2m aliases: relational even without a dot ("top level o2m fields")
_O2M = {"policies", "children", "users"}


class _Forbidden(Exception):
    """A field that is unknown or not readable (Directus's ForbiddenError)."""


class _Unsupported(Exception):
    """A relation path the fake does not expand (treated like the fallback)."""


def _split_fields(
    requested: list[str], allowed: tuple[str, ...], relations: tuple[str, ...]
) -> tuple[list[str], dict[str, list[str]]]:
    """parseFields: (plain fields, relational root → nested field list).

    A dotted path on a field that is no relation is dropped (Directus skips it); a plain field
    also requested as a relation is dropped in favour of the nested node."""
    plain: list[str] = []
    nested: dict[str, list[str]] = {}
    for name in requested:
        for item in (list(allowed) if name == "*" else [name]):
            root, dot, rest = item.partition(".")
            if dot and root not in relations:
                continue
            if dot or root in _O2M:
                if root not in allowed:
                    raise _Forbidden
                nested.setdefault(root, [])
                if dot:
                    nested[root].append(rest)
                continue
            if item not in allowed:
                raise _Forbidden
            if item not in plain:
                plain.append(item)
    return [c for c in plain if c not in nested], nested


def matches(item: dict[str, Any], filt: dict[str, Any]) -> bool:
    """A permission filter (the operators the fixture accepts) against one row."""
    for key, cond in filt.items():
        value = item.get(key)
        for op, arg in cond.items():
            if op == "_eq" and value != arg:
                return False
            if op == "_neq" and value == arg:
                return False
            if op == "_in" and value not in (arg if isinstance(arg, list) else [arg]):
                return False
            if op == "_nin" and value in (arg if isinstance(arg, list) else [arg]):
                return False
            if op == "_null" and (value is None) != bool(arg):
                return False
            if op == "_nnull" and (value is not None) != bool(arg):
                return False
    return True


def _host_path(url: str) -> str | None:
    """``new URL(url)``'s ``hostname + pathname``, or None where the WHATWG parser throws."""
    try:
        parts = urlsplit(whatwg_normalize(url.strip()))
    except ValueError:
        return None
    if not parts.scheme or not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.\-]*", parts.scheme):
        return None
    special = parts.scheme.lower() in ("http", "https", "ws", "wss", "ftp", "file")
    if special and not parts.netloc and parts.scheme.lower() != "file":
        return None
    try:
        hostname = (parts.hostname or "").lower()
    except ValueError:
        return None
    path = parts.path or ("/" if special else "")
    if special:
        path = _remove_dot_segments(path)
    return hostname + path


def _remove_dot_segments(path: str) -> str:
    """The WHATWG path parser's ``.`` / ``..`` handling (``%2e`` counts as a dot)."""
    out: list[str] = []
    segments = path.split("/")[1:]
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        name = segment.lower().replace("%2e", ".")
        if name == "..":
            if out:
                out.pop()
            if last:
                out.append("")
        elif name == ".":
            if last:
                out.append("")
        else:
            out.append(segment)
    return "/" + "/".join(out)


def url_allowed(url: Any, allow_list: list[str] | None) -> bool:
    """Directus's ``isUrlAllowed``: exact match, or same hostname + path as an entry."""
    if allow_list is None:
        return False
    text = js_string(url)
    if isinstance(url, str) and url in allow_list:
        return True
    allowed = {hp for hp in (_host_path(entry) for entry in allow_list) if hp is not None}
    target = _host_path(text)
    return target is not None and target in allowed


def set_query(url: str, key: str, value: str) -> str:
    """Directus's ``Url.setQuery``: replace ``key`` in the query string."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != key]
    query.append((key, value))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))
