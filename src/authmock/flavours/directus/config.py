"""The Directus fixture format: settings under Directus's own env names, roles, users, data.

Validation names the JSON path of the first problem so a user can fix the file without reading
this code. Durations accept the ``ms`` library's notation Directus uses (``"15m"``, ``"7d"``)
or a number of milliseconds.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from authmock.fixtures import FixtureFile
from authmock.flavours.directus.accounts import (
    AccountSettings,
    parse_accounts,
)
from authmock.flavours.directus.realtime_config import RealtimeSettings
from authmock.flavours.directus.realtime_config import parse_settings as parse_realtime

_MS = re.compile(
    r"^(-?(?:\d+)?\.?\d+) *(milliseconds?|msecs?|ms|seconds?|secs?|s|minutes?|mins?|m"
    r"|hours?|hrs?|h|days?|d|weeks?|w|years?|yrs?|y)?$",
    re.IGNORECASE,
)
_MS_UNITS = {
    "y": 31557600000.0, "w": 604800000.0, "d": 86400000.0, "h": 3600000.0,
    "m": 60000.0, "s": 1000.0, "ms": 1.0,
}

USER_STATUSES = ("active", "invited", "draft", "suspended", "archived", "unverified")
SSO_DRIVERS = ("oauth2", "openid", "saml")
DRIVERS = (*SSO_DRIVERS, "ldap", "local")
SAME_SITE = ("lax", "strict", "none")

#: directus_users columns in the order Directus 11.17.4 returns them (reference §8)
USER_COLUMNS = (
    "id", "first_name", "last_name", "email", "password", "location", "title", "description",
    "tags", "avatar", "language", "tfa_secret", "status", "role", "token", "last_access",
    "last_page", "provider", "external_identifier", "auth_data", "email_notifications",
    "appearance", "theme_dark", "theme_light", "theme_light_overrides", "theme_dark_overrides",
    "text_direction", "policies",
)
USER_DEFAULTS: dict[str, Any] = {
    "status": "active", "provider": "default", "email_notifications": True,
    "text_direction": "auto", "policies": [],
}
CONCEALED = ("password", "tfa_secret", "token")

#: Directus's CORS_* defaults (packages/env constants/defaults.ts); CORS_ORIGIN false means the
#: cors package is mounted but does nothing, so CORS_ENABLED alone changes no answer
CORS_DEFAULTS: dict[str, Any] = {
    "CORS_ENABLED": False,
    "CORS_ORIGIN": False,
    "CORS_METHODS": "GET,POST,PATCH,DELETE",
    "CORS_ALLOWED_HEADERS": "Content-Type,Authorization",
    "CORS_EXPOSED_HEADERS": "Content-Range",
    "CORS_CREDENTIALS": True,
    "CORS_MAX_AGE": 18000,
}
#: the cast flags of @directus/env (``regex:^https://.*$``, ``array:a,b``, ...)
ENV_TYPES = ("string", "number", "regex", "array", "json", "boolean")
_JS_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
_JS_INT_PREFIXED = re.compile(r"^0([xX][0-9a-fA-F]+|[oO][0-7]+|[bB][01]+)$")
_MAX_SAFE_INTEGER = 2**53 - 1


def parse_ms(value: Any) -> float | None:
    """Milliseconds from the ``ms`` library's notation (or a number of ms); None if invalid."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        match = _MS.match(value.strip())
        if match:
            unit = (match.group(2) or "ms").lower()
            key = "ms" if unit.startswith(("ms", "msec", "milli")) else unit[0]
            return float(match.group(1)) * _MS_UNITS[key]
    return None


class EnvCastError(ValueError):
    """A ``regex:`` value ``new RegExp`` would refuse (Directus would not start)."""


def js_number(text: str) -> float | None:
    """``Number(text)`` for a string (None for NaN): trimmed, ``""`` is 0, hex/octal/binary."""
    stripped = text.strip(" \t\n\r\v\f\u00a0\ufeff\u2028\u2029")
    if stripped == "":
        return 0.0
    if stripped in ("Infinity", "+Infinity", "-Infinity"):
        return float(stripped.replace("Infinity", "inf"))
    prefixed = _JS_INT_PREFIXED.match(stripped)
    if prefixed:
        return float(int(prefixed.group(0), 0))
    if _JS_NUMBER.match(stripped):
        return float(stripped)
    return None


def _number(value: float) -> int | float:
    return int(value) if value.is_integer() and abs(value) <= _MAX_SAFE_INTEGER else value


def _try_json(text: str) -> Any:
    def refuse(constant: str) -> Any:  # JSON.parse knows no NaN / Infinity
        raise ValueError(constant)

    try:
        return json.loads(text, parse_constant=refuse)
    except ValueError:
        return text


def env_cast(value: Any) -> Any:
    """@directus/env's ``cast`` for a variable without a declared type (the CORS_* ones):
    a ``type:`` flag, else the guessed type — ``"true"``/``"false"``, a number that does not
    start with ``0``, a comma list (split on every comma, items cast alike, empty ones
    dropped, nothing trimmed), else JSON if it parses, else the string itself. A value from a
    JSON fixture is read as Directus reads one from a JSON config file: the same way."""
    kind: str | None = None
    if isinstance(value, str) and ":" in value and value.split(":", 1)[0] in ENV_TYPES:
        kind = value.split(":", 1)[0]
        value = value[len(kind) + 1:]
    if kind is None:
        kind = _guess_type(value)
    if kind == "string":
        return _js_text(value)
    if kind == "number":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return value
        number = js_number(_js_text(value)) if value is not None else 0.0
        return float("nan") if number is None else _number(number)
    if kind == "boolean":
        return (
            value is True or value == "true" or value == "1" or (value == 1 and value is not True)
        )
    if kind == "regex":
        try:
            return re.compile(_js_text(value))
        except re.error as exc:
            raise EnvCastError(str(exc)) from None
    if kind == "array":
        items = (
            value.split(",")
            if isinstance(value, str)
            else value
            if isinstance(value, list)
            else [value]
        )
        return [item for item in (env_cast(v) for v in items) if item != ""]
    if isinstance(value, str):  # json
        return _try_json(value)
    return value


def _guess_type(value: Any) -> str:
    if isinstance(value, bool) or value in ("true", "false"):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str) and value and not value.startswith("0"):
        number = js_number(value)
        if number is not None and -_MAX_SAFE_INTEGER <= number <= _MAX_SAFE_INTEGER:
            return "number"
    if isinstance(value, list) or (isinstance(value, str) and "," in value):
        return "array"
    return "json"


def _js_text(value: Any) -> str:
    """``String(value)`` of a cast value, as ``Array.prototype.join`` writes its items."""
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, float):
        if value != value:
            return "NaN"
        if value in (float("inf"), float("-inf")):
            return "Infinity" if value > 0 else "-Infinity"
        return str(_number(value))
    if isinstance(value, re.Pattern):
        return f"/{value.pattern}/"
    if isinstance(value, list):
        return ",".join(_js_text(item) for item in value)
    if isinstance(value, dict):
        return "[object Object]"
    return str(value)


def _js_truthy(value: Any) -> bool:
    if value is None or value is False or value == "":
        return False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value != 0 and value == value
    return True


@dataclass
class CorsSettings:
    """The options Directus's ``middleware/cors.ts`` hands to the ``cors`` package, after
    @directus/env cast the CORS_* values."""

    enabled: bool = False
    #: bool, a string (``"*"`` or one fixed origin), a compiled ``regex:``, a number, or a
    #: list of those; falsy means the cors middleware does nothing at all
    origin: Any = False
    #: Access-Control-Allow-Methods (preflight only); None: not sent
    methods: str | None = "GET,POST,PATCH,DELETE"
    #: Access-Control-Allow-Headers; None: reflect Access-Control-Request-Headers
    allowed_headers: str | None = "Content-Type,Authorization"
    exposed_headers: str | None = "Content-Range"
    credentials: bool = True
    max_age: str | None = "18000"

    @property
    def active(self) -> bool:
        return self.enabled and _js_truthy(self.origin)


def fake_password_hash(seed: str) -> str:
    """Stands for the stored argon2 hash: the reset token's single-use ``hash`` is derived
    from it, so it must change whenever the password does."""
    digest = hashlib.sha256(seed.encode("utf-8")).digest().hex()
    return f"$argon2id$v=19$m=65536,t=3,p=4${digest[:22]}${digest[22:]}"


def stored_password_hash(user: dict[str, Any]) -> str | None:
    """A row's ``password_hash``. Fixture rows carry none until their password changes: theirs
    is derived from id and password on first use, so loading 10 000 users hashes nothing."""
    if "password_hash" in user:
        hashed: str | None = user["password_hash"]
        return hashed
    password = user.get("password")
    return fake_password_hash(f"{user['id']}:{password}") if password is not None else None


@dataclass
class Settings:
    access_ttl_ms: float = 900000.0
    refresh_ttl_ms: float = 604800000.0
    session_ttl_ms: float = 86400000.0
    grace_ms: float = 10000.0
    login_stall_ms: float = 500.0
    refresh_cookie_name: str = "directus_refresh_token"
    refresh_cookie_secure: bool = False
    refresh_cookie_same_site: str = "lax"
    refresh_cookie_domain: str | None = None
    session_cookie_name: str = "directus_session_token"
    session_cookie_secure: bool = False
    session_cookie_same_site: str = "lax"
    session_cookie_domain: str | None = None
    reset_allow_list: list[str] | None = None
    public_url: str | None = None
    disable_default: bool = False
    rate_limiter_enabled: bool = False
    rate_limiter_points: int = 50
    rate_limiter_duration: float = 1.0
    login_attempts: int | None = 25
    password_policy: str | None = None
    cors: CorsSettings = field(default_factory=CorsSettings)
    #: registration, invites, TFA set-up (accounts.py)
    accounts: AccountSettings = field(default_factory=AccountSettings)
    #: WEBSOCKETS_* (realtime.py)
    realtime: RealtimeSettings = field(default_factory=RealtimeSettings)


@dataclass
class Provider:
    name: str
    driver: str
    label: str | None = None
    icon: str | None = None
    mode: str | None = None
    redirect_allow_list: list[str] | None = None


@dataclass
class Role:
    id: str
    name: str
    admin_access: bool
    app_access: bool
    permissions: dict[str, dict[str, Any]]
    #: directus_roles columns (``icon`` defaults as the column does)
    icon: str = "supervised_user_circle"
    description: str | None = None
    parent: str | None = None
    #: ids of the role's directus_access rows (the ``policies`` o2m alias)
    policies: list[str] = field(default_factory=list)


@dataclass
class Seed:
    settings: Settings
    roles: dict[str, Role]
    public_permissions: dict[str, dict[str, Any]]
    users: dict[str, dict[str, Any]]
    collections: dict[str, list[dict[str, Any]]]
    providers: list[Provider] = field(default_factory=list)


def env_bool(value: Any) -> bool:
    """A boolean, or the env spelling ``"true"`` / ``"false"`` Directus casts to one."""
    return value.lower() == "true" if isinstance(value, str) else bool(value)


def url_list(value: str | list[str]) -> list[str]:
    """A comma-separated string (as the env var) or a list, as a list of URLs."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return list(value)


def parse_settings(fixture: FixtureFile) -> Settings:
    """The settings as Directus reads them. ``schema.py`` declared and checked every one (and
    filled the defaults), so this only converts; ``raw`` is the file's own object."""
    raw = fixture.settings
    s: dict[str, Any] = fixture.checked["settings"] if fixture.checked is not None else raw
    out = Settings()

    def ms(key: str, default: float) -> float:
        value = parse_ms(s[key]) if key in s else None
        return default if value is None else value

    out.access_ttl_ms = ms("ACCESS_TOKEN_TTL", out.access_ttl_ms)
    out.refresh_ttl_ms = ms("REFRESH_TOKEN_TTL", out.refresh_ttl_ms)
    out.session_ttl_ms = ms("SESSION_COOKIE_TTL", out.session_ttl_ms)
    out.grace_ms = ms("SESSION_REFRESH_GRACE_PERIOD", out.grace_ms)
    out.login_stall_ms = ms("LOGIN_STALL_TIME", out.login_stall_ms)
    for prefix, attr in (
        ("REFRESH_TOKEN_COOKIE", "refresh_cookie"),
        ("SESSION_COOKIE", "session_cookie"),
    ):
        setattr(out, f"{attr}_name", s.get(f"{prefix}_NAME", getattr(out, f"{attr}_name")))
        setattr(out, f"{attr}_secure", env_bool(s.get(f"{prefix}_SECURE", False)))
        same_site = s.get(f"{prefix}_SAME_SITE", "lax") or "strict"  # constants.ts: env || 'strict'
        setattr(out, f"{attr}_same_site", same_site.lower())
        setattr(out, f"{attr}_domain", s.get(f"{prefix}_DOMAIN") or None)
    allow_list = s.get("PASSWORD_RESET_URL_ALLOW_LIST")
    out.reset_allow_list = None if allow_list is None else url_list(allow_list)  # null: not set
    public_url = s.get("PUBLIC_URL")
    out.public_url = public_url.rstrip("/") if public_url else None
    out.disable_default = env_bool(s.get("AUTH_DISABLE_DEFAULT", False))
    out.rate_limiter_enabled = env_bool(s.get("RATE_LIMITER_ENABLED", False))
    out.rate_limiter_points = s.get("RATE_LIMITER_POINTS", 50)
    out.rate_limiter_duration = float(s.get("RATE_LIMITER_DURATION", 1))
    out.login_attempts = s.get("auth_login_attempts", 25)
    out.password_policy = s.get("auth_password_policy") or None
    out.cors = parse_cors(s)
    out.accounts = parse_accounts(s)
    out.realtime = parse_realtime(s)
    return out


def _joined(value: Any) -> str | None:
    """What the cors package writes for a list option (joined with ``,``) or a string; None
    for a falsy option, "" for a value it cannot write (a number has no ``length``)."""
    if not _js_truthy(value):
        return None
    if isinstance(value, list):
        return ",".join(_js_text(item) for item in value)
    return value if isinstance(value, str) else ""


def parse_cors(settings: dict[str, Any]) -> CorsSettings:
    """The options Directus's cors middleware gets, from CORS_* values ``schema.py`` checked."""

    def cast(key: str) -> Any:
        return env_cast(settings.get(key, CORS_DEFAULTS[key]))

    out = CorsSettings()
    out.enabled = env_bool(settings.get("CORS_ENABLED", CORS_DEFAULTS["CORS_ENABLED"]))
    out.credentials = env_bool(settings.get("CORS_CREDENTIALS", CORS_DEFAULTS["CORS_CREDENTIALS"]))
    out.origin = cast("CORS_ORIGIN")
    out.methods = _joined(cast("CORS_METHODS")) or None
    out.allowed_headers = _joined(cast("CORS_ALLOWED_HEADERS"))
    out.exposed_headers = _joined(cast("CORS_EXPOSED_HEADERS")) or None
    max_age: Any = settings.get("CORS_MAX_AGE", CORS_DEFAULTS["CORS_MAX_AGE"])
    number: Any = max_age if isinstance(max_age, (int, float)) and not isinstance(max_age, bool) \
        else env_cast(max_age)
    if isinstance(number, (int, float)) and not isinstance(number, bool) and number == number:
        out.max_age = _js_text(
            float(number)
        )  # cors: (typeof maxAge === 'number' || maxAge) && toString()
    else:
        out.max_age = None  # false, null or "" (anything else was refused by schema.py)
    return out


def policy_pattern(policy: str) -> str:
    """Directus accepts the policy with or without a ``/…/`` wrapper."""
    if len(policy) >= 2 and policy.startswith("/") and policy.endswith("/"):
        return policy[1:-1]
    return policy
